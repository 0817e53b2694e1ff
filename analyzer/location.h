/*
 * location — where a node is: its autonomous system, country and hosting
 * provider, looked up offline in an IPFire location database (libloc).
 *
 * location_open() maps one database file; location_lookup() answers for one
 * address (IPv4, IPv6 or IPv4-mapped IPv6) from that file alone: no packet
 * leaves the machine, no DNS. An address the database has no network for is
 * "unknown" (asn 0, empty country), never an error. Providers
 * (config/providers.yaml) group AS numbers under a provider name; an AS in no
 * group is "other". docs/analyzer.md ("Where the nodes are") is the
 * reference for the figures built from these answers.
 *
 * One owner per struct location; location_close() is idempotent. Lookups
 * are not thread-safe (libloc's context is not); no global state.
 */
#ifndef TZ_ANALYZER_LOCATION_H
#define TZ_ANALYZER_LOCATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "analyzer/ipaddr.h"
#include "core/err.h"

/* Where `location update` keeps a fresh database, and the Debian package's snapshot. */
#define LOCATION_DB_UPDATED  "/var/lib/location/database.db"
#define LOCATION_DB_SNAPSHOT "/usr/share/libloc-location/location.db"
#define LOCATION_NAME_MAX    128 /* AS names and provider names are cut to this */

struct provider {
	char *name;    /* owned */
	uint32_t *asn; /* owned, sorted */
	size_t asn_n;
};

struct providers {
	struct provider *v; /* owned, in file order */
	size_t n;
};

struct loc_ctx;
struct loc_database;

struct location {
	struct loc_ctx *ctx;
	struct loc_database *db;
	char vendor[LOCATION_NAME_MAX];
	time_t created; /* the database's creation time */
	struct providers prov;
};

/* One answer: asn 0 and country "" when the database has no network for the address. */
struct location_hit {
	uint32_t asn;
	char country[4]; /* ISO 3166 alpha-2, or "" */
};

/*
 * The default database: LOCATION_DB_UPDATED when it exists, else
 * LOCATION_DB_SNAPSHOT when it exists, else NULL.
 */
const char *location_default_path(void);

/*
 * Opens the database at path (read whole into libloc's mapping). ERR_IO or
 * ERR_CONFIG (not a location database) with a message in err. The provider
 * table starts empty (location_load_providers()).
 */
enum err location_open(struct location *l, const char *path, char *err, size_t cap)
    __attribute__((warn_unused_result));
void location_close(struct location *l);

/* Looks ip up. Always fills out (unknown on any failure). */
void location_lookup(const struct location *l, const struct ipaddr *ip, struct location_hit *out);

/* The AS's name in the database into out ("" when it has none). */
void location_as_name(const struct location *l, uint32_t asn, char *out, size_t cap);

/*
 * Reads a provider table (config/providers.yaml's format: a sequence
 * `providers` of mappings with `name`, `source` and `asns`, a sequence of AS
 * numbers) into p, replacing what it held. ERR_CONFIG with "path:line:
 * message" in err (unknown key, missing name or asns, an AS number out of
 * 1..4294967295 or listed under two providers), ERR_IO when it cannot be read.
 */
enum err providers_load(struct providers *p, const char *path, char *err, size_t cap)
    __attribute__((warn_unused_result));
/* The same from a buffer; name stands for the path in messages. */
enum err providers_load_buf(struct providers *p, const char *name, const unsigned char *text,
                            size_t len, char *err, size_t cap) __attribute__((warn_unused_result));
/* The shipped table (config/providers.yaml, built in). */
enum err providers_load_default(struct providers *p, char *err, size_t cap)
    __attribute__((warn_unused_result));
extern const unsigned char location_providers_yaml[];
extern const size_t location_providers_yaml_len;
void providers_free(struct providers *p);

/* The provider holding asn, or NULL ("other"). */
const char *providers_of(const struct providers *p, uint32_t asn);

#endif
