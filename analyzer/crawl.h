/*
 * crawl — one crawl held in memory, as the analyzer's loaders deliver it.
 *
 * The loaders (PostgreSQL, journal, plain edge list) fill a struct acrawl
 * with copies of every visit (one dial attempt) and every advertised point
 * (one entry of an Advertise or Nack list). Nothing here interprets the data:
 * model.c turns it into the graph. Every string is owned by the acrawl and
 * freed by acrawl_free(). Not thread-safe; one owner.
 */
#ifndef TZ_ANALYZER_CRAWL_H
#define TZ_ANALYZER_CRAWL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "db/record.h" /* enum adv_source */

/* One dial attempt. Optional numbers use -1 for "absent". */
struct acrawl_visit {
	char *point;         /* point text, e.g. "1.2.3.4:9732" (owned) */
	char *outcome;       /* stable outcome name: ok, nack, refused, ... (owned) */
	char *peer_id;       /* "id..." when a connection message revealed it, else NULL */
	char *chain_name;    /* printable chain name, NULL when absent */
	int ddb_version;     /* -1 absent */
	int p2p_version;     /* -1 absent */
	int pow_bits;        /* -1 absent */
	int private_node;    /* -1 absent, else 0/1 */
	int disable_mempool; /* -1 absent, else 0/1 */
	int64_t head_level;  /* -1 absent */
	int advertised_port; /* port its connection message announced, -1 absent */
	int attempt;
};

/* One entry of a point list received from the node at `from`. */
struct acrawl_adv {
	char *from; /* the advertiser's point text (owned) */
	char *to;   /* the advertised point text (owned) */
	enum adv_source source;
	int round;    /* Bootstrap round 1, 2, ... (Nack lists: 0) */
	int pos;      /* raw position in the list, 0-based */
	int list_len; /* length of that list */
};

/* One answer of the crawler's RPC probe (GET /version on a node's address). */
struct acrawl_rpc {
	char *point;   /* the node's P2P point text (owned) */
	char *release; /* "v22.1", "v21.0~rc3" (record.h rpc_release_text); NULL: no release
	                * learnt (an error) */
};

struct acrawl {
	int64_t id;        /* crawl id (0 when the source has none) */
	char *uuid;        /* owned, may be NULL */
	char *started_at;  /* ISO 8601 text, owned, may be NULL */
	char *finished_at; /* owned, may be NULL */
	char *vantage;     /* owned, may be NULL */
	char *crawler_version; /* tzcensus-crawl version, owned, may be NULL */
	char *config_digest;   /* "sha256:<hex>" of the canonical config JSON, owned, may be NULL */
	struct acrawl_visit *visits;
	size_t visits_n, visits_cap;
	struct acrawl_adv *advs;
	size_t advs_n, advs_cap;
	struct acrawl_rpc *rpcs;
	size_t rpcs_n, rpcs_cap;
};

void acrawl_init(struct acrawl *c);

/*
 * Sets c->config_digest from the crawler's configuration JSON text: SHA-256 of
 * its canonical form (keys sorted, compact), so the database (jsonb) and the
 * journal (text as written) give the same digest. NULL or unparsable text
 * leaves it NULL. ERR_NOMEM on allocation failure.
 */
enum err acrawl_set_config_digest(struct acrawl *c, const char *config_json)
    __attribute__((warn_unused_result));
void acrawl_free(struct acrawl *c); /* idempotent */

/* Copies the visit (all its strings). ERR_NOMEM, ERR_INVAL without point/outcome. */
enum err acrawl_add_visit(struct acrawl *c, const struct acrawl_visit *v)
    __attribute__((warn_unused_result));
/* Copies the entry. ERR_INVAL on a negative position or pos >= list_len. */
enum err acrawl_add_adv(struct acrawl *c, const char *from, const char *to, enum adv_source src,
                        int round, int pos, int list_len) __attribute__((warn_unused_result));
/* Copies one RPC answer (release NULL for an error). ERR_INVAL without point, ERR_NOMEM. */
enum err acrawl_add_rpc(struct acrawl *c, const char *point, const char *release)
    __attribute__((warn_unused_result));
/* Replaces one of the owned header strings (*field) by a copy of value (may be NULL). */
enum err acrawl_set_str(char **field, const char *value) __attribute__((warn_unused_result));

/*
 * Peer-supplied chain-name bytes as text, the same from every loader:
 * printable ASCII kept (except backslash), every other byte as \xNN; at
 * most 128 input bytes. cap >= 4 * 128 + 1 holds any result.
 */
#define ACRAWL_CHAIN_TEXT_CAP (4 * 128 + 1)
void acrawl_chain_text(const uint8_t *p, size_t len, char *out, size_t cap);

/* A visit with every optional field absent, for loaders to fill. */
struct acrawl_visit acrawl_visit_blank(void);

#endif
