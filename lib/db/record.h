/*
 * record — the crawl results that storage accepts, shared by the database
 * writer (db/writer.h) and the journal (journal/journal.h), so the crawler
 * builds each result once and hands the same record to both.
 *
 * Records are plain caller-owned structs. Every pointer inside is BORROWED:
 * it only has to stay valid during the call that takes the record (the
 * writer and the journal copy what they keep). Every optional field has an
 * explicit "absent" encoding, written next to it. Peer-supplied text (chain
 * names) is raw bytes plus a length, never assumed to be UTF-8 or
 * NUL-free. Point text is ours: the canonical form lib/net/point.h formats,
 * "a.b.c.d:port" for IPv4 (and v4-mapped) or "[v6]:port" for IPv6.
 *
 * Times are wall-clock microseconds since the Unix epoch (int64), durations
 * milliseconds. Stateless and re-entrant.
 */
#ifndef TZ_DB_RECORD_H
#define TZ_DB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "net/point.h"

/*
 * Outcome of one visit (one dial attempt), DESIGN.md "Outcome of a visit".
 * The names are stored in the database and the journal: values and names are
 * never renumbered or renamed; new outcomes are appended.
 */
enum visit_outcome {
	VISIT_OK = 0,                /* Ack */
	VISIT_NACK = 1,              /* refused with a motive, often with points */
	VISIT_REFUSED = 2,           /* RST on connect */
	VISIT_TIMEOUT = 3,           /* connect timed out */
	VISIT_UNREACHABLE = 4,       /* no route to host / network unreachable */
	VISIT_SILENT_CLOSE = 5,      /* accepted, then closed with no bytes */
	VISIT_CLOSED = 6,            /* hung up mid-handshake */
	VISIT_HANDSHAKE_TIMEOUT = 7, /* handshake deadline passed */
	VISIT_PROTOCOL_ERROR = 8,    /* malformed, oversized, bad MAC */
	VISIT_INCOMPATIBLE = 9,      /* our chain, but no version in common */
	VISIT_SELF = 10,             /* the point is ourselves */
	VISIT_POLICY = 11,           /* discovered but not dialed */
	VISIT_LOCAL_ERROR = 12,      /* our side failed (descriptors, memory): says nothing of the peer */
	VISIT_FOREIGN = 13,          /* a valid connection message announcing another chain */
};
#define VISIT_OUTCOME_N 14

/* Stable lowercase name ("ok", "silent_close", ...); "?" for a value out of range. */
const char *visit_outcome_str(enum visit_outcome o);
/* Parses a stable name (exactly len bytes, case-sensitive). ERR_INVAL if unknown. */
enum err visit_outcome_parse(const char *s, size_t len, enum visit_outcome *out)
	__attribute__((warn_unused_result));

/* Crawl status, crawls.status. Stable like the outcomes. */
enum crawl_status {
	CRAWL_RUNNING = 0,
	CRAWL_FINISHED = 1,
	CRAWL_ABORTED = 2, /* left running by a crash; set by the next crawl's begin */
	CRAWL_FAILED = 3,  /* ended early by an error */
};
#define CRAWL_STATUS_N 4
const char *crawl_status_str(enum crawl_status s);
enum err crawl_status_parse(const char *s, size_t len, enum crawl_status *out)
	__attribute__((warn_unused_result));

/* Where an advertised point came from. Stable like the outcomes. */
enum adv_source {
	ADV_ADVERTISE = 0, /* an Advertise message after Ack (reply to Bootstrap) */
	ADV_NACK = 1,      /* the point list of a Nack */
	ADV_FOREIGN_NACK = 2, /* a Nack from a node of another chain: that network's points,
	                       * stored, never dialed, never an edge of this network's graph */
};
#define ADV_SOURCE_N 3
const char *adv_source_str(enum adv_source s);
enum err adv_source_parse(const char *s, size_t len, enum adv_source *out)
	__attribute__((warn_unused_result));

/* Absent encodings. */
#define REC_ABSENT_I32 (-1)         /* non-negative int fields: -1 = absent */
#define REC_BOOL_ABSENT ((int8_t)-1) /* tri-state flags: -1 absent, 0 false, 1 true */
#define REC_NACK_MOTIVE_ABSENT INT32_MIN /* motive is an i16 on the wire */

#define REC_UUID_LEN 16
#define REC_PUBLIC_KEY_LEN 32
#define REC_BLOCK_HASH_LEN 32
#define REC_POINT_TEXT_MAX 64 /* "[ffff:...:ffff]:65535" is 47 bytes */

/* The start of a crawl (crawls row; journal record CrawlStart). */
struct crawl_rec {
	uint8_t uuid[REC_UUID_LEN]; /* random, identifies the crawl everywhere */
	int64_t started_at_us;
	const char *vantage;      /* NUL-terminated; NULL = absent */
	const char *tool_version; /* NUL-terminated; NULL = absent */
	const char *config_json;  /* a JSON document (text); NULL = absent */
	const char *seeds_json;   /* a JSON array of seed strings; NULL = absent */
};

/* The end of a crawl (journal record CrawlEnd; db_crawl_end). */
struct crawl_end_rec {
	int64_t finished_at_us;
	enum crawl_status status;          /* finished, aborted or failed */
	uint64_t counts[VISIT_OUTCOME_N];  /* visits by outcome, as the crawler counted */
	uint64_t points_discovered;        /* distinct points the crawl learnt */
};

/*
 * One dial attempt (visits row; journal record Visit). seq is the caller's
 * sequence number of this record within the crawl: unique among the crawl's
 * visits, and the same number must go to the writer and the journal, because
 * the pair (crawl, seq) is what makes a retried batch or a replay add nothing.
 */
struct visit_rec {
	uint64_t seq;
	const char *point;  /* NUL-terminated canonical point text; required */
	int64_t started_at_us;
	enum visit_outcome outcome;
	uint32_t attempt;   /* 1 for the first dial of this point in the crawl */
	const char *error;  /* detail text, NUL-terminated; NULL = absent */
	int32_t connect_ms;   /* REC_ABSENT_I32 = absent */
	int32_t handshake_ms; /* REC_ABSENT_I32 = absent */

	/* From the peer's connection message: */
	const char *peer_id;         /* "id..." base58 text, NUL-terminated; NULL = absent */
	const uint8_t *public_key;   /* REC_PUBLIC_KEY_LEN bytes; NULL = absent */
	int32_t advertised_port;     /* 0..65535; REC_ABSENT_I32 = absent */
	int32_t pow_bits;            /* 0..256; REC_ABSENT_I32 = absent */
	const uint8_t *chain_name;   /* raw bytes; NULL = absent (non-NULL + len 0 = empty) */
	size_t chain_name_len;
	int32_t ddb_version;         /* distributed_db_version; REC_ABSENT_I32 = absent */
	int32_t p2p_version;         /* REC_ABSENT_I32 = absent */

	/* From the metadata: */
	int8_t disable_mempool; /* REC_BOOL_ABSENT / 0 / 1 */
	int8_t private_node;    /* REC_BOOL_ABSENT / 0 / 1 */

	int32_t nack_motive; /* i16 from the wire; REC_NACK_MOTIVE_ABSENT = absent */

	/* From Current_branch (all three or none): */
	bool has_head;
	int32_t head_level;
	int64_t head_timestamp;    /* seconds since the epoch, as the peer said */
	const uint8_t *head_hash;  /* REC_BLOCK_HASH_LEN bytes; NULL = absent even if has_head */
};

/* Sets every optional field of v to absent and the rest to zero. */
void visit_rec_init(struct visit_rec *v);

/*
 * One advertised point: an edge from the node at from to the point to
 * (structs as the codec decoded them: storage formats them, never parses).
 * position is the raw 0-based position in the list and list_len the list's
 * length, so "ranked" can be derived later (DESIGN.md graph model). round is
 * the Bootstrap round (1, 2, ...) for ADV_ADVERTISE and 0 for ADV_NACK.
 * seq: as for visit_rec, unique among the crawl's advertisements.
 */
struct adv_rec {
	uint64_t seq;
	struct point from; /* the node that sent the list */
	struct point to;   /* the point listed */
	enum adv_source source;
	uint32_t round;
	uint32_t rank;     /* raw position in the list, 0-based */
	uint32_t list_len; /* number of points in that list */
	int64_t seen_at_us;
};

/*
 * One RPC probe of a public node (rpc_versions row; journal record
 * RpcVersion): the answer to `GET /version` on one RPC port of the node's
 * address (docs/crawler.md, "Which Octez release"). At most one per
 * (point, port) per crawl, which is what makes a replay add nothing twice.
 * error NULL means the answer parsed: major, minor and additional_info are
 * then present. Peer-supplied text (additional_info, commit_hash,
 * commit_date) was checked by the prober (short, printable ASCII).
 */
#define REC_RPC_TEXT_MAX 64 /* additional_info, commit_hash, commit_date */

struct rpc_rec {
	const char *point;         /* the node's P2P point, canonical text; required */
	const char *peer_id;       /* from that point's handshake; NULL = absent */
	uint16_t port;             /* the RPC port asked, 1..65535 */
	int64_t probed_at_us;      /* when the request started */
	int32_t http_status;       /* 100..599; REC_ABSENT_I32 = no HTTP answer */
	int32_t major, minor;      /* >= 0; REC_ABSENT_I32 = absent */
	const char *additional_info; /* "release", "dev", "rc2", "rc_dev2", "beta1",
				      * "beta_dev1"; NULL = absent */
	const char *commit_hash;   /* NULL = absent */
	const char *commit_date;   /* as the node wrote it; NULL = absent */
	const char *error;         /* "kind: detail" (docs/crawler.md); NULL = a release */
};

/* Sets every optional field of r to absent and the rest to zero. */
void rpc_rec_init(struct rpc_rec *r);

/* The release as Octez prints it ("v22.1", "v21.0~rc3", "v23.0+dev"); "" when unknown. */
void rpc_release_text(const struct rpc_rec *r, char *out, size_t cap);

/*
 * Splits canonical point text into an address and a port: addr gets 16 bytes
 * (IPv4 as v4-mapped ::ffff:a.b.c.d), *is_v4 says which. ERR_INVAL unless the
 * text is "a.b.c.d:port" or "[v6]:port" with a numeric port 0..65535.
 */
enum err rec_point_split(const char *text, uint8_t addr[16], uint16_t *port, bool *is_v4)
	__attribute__((warn_unused_result));

/* Checks a record before it is queued: required fields, ranges, point text. */
enum err visit_rec_check(const struct visit_rec *v) __attribute__((warn_unused_result));
enum err adv_rec_check(const struct adv_rec *a) __attribute__((warn_unused_result));
enum err rpc_rec_check(const struct rpc_rec *r) __attribute__((warn_unused_result));

#endif
