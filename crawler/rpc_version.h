/*
 * rpc_version — the body of an Octez node's answer to `GET /version`, parsed
 * with jansson and checked (sans-I/O: bytes in, a struct out).
 *
 * The shape is Octez's (src/lib_version/octez_node_version.ml, encoding):
 *
 *   {"version": {"major": int31, "minor": int31,
 *                "additional_info": "dev" | "release" | {"rc": n} |
 *                                   {"rc_dev": n} | {"beta": n} | {"beta_dev": n}},
 *    "network_version": {"chain_name": string, "distributed_db_version": int,
 *                        "p2p_version": int},
 *    "commit_info": {"commit_hash": string, "commit_date": string} | null}
 *
 * Every field above is required except that commit_info may be null. Text
 * kept from the answer is checked: at most REC_RPC_TEXT_MAX bytes of
 * printable ASCII. The caller caps the body (crawler/rpc.c: 64 KiB) before
 * calling. Stateless and re-entrant.
 */
#ifndef TZ_CRAWLER_RPC_VERSION_H
#define TZ_CRAWLER_RPC_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "db/record.h"

struct rpc_version {
	int major, minor;
	char additional_info[REC_RPC_TEXT_MAX + 1]; /* "release", "dev", "rc3", "beta_dev1", ... */
	bool has_commit;                            /* commit_info was not null */
	char commit_hash[REC_RPC_TEXT_MAX + 1];
	char commit_date[REC_RPC_TEXT_MAX + 1];
	char chain_name[REC_RPC_TEXT_MAX + 1];      /* network_version.chain_name (printable part) */
};

/*
 * Parses body (len bytes, not NUL-terminated). ERR_OK with *out filled;
 * ERR_PROTO when it is not JSON, ERR_INVAL when it is JSON of another shape.
 * why gets a short reason either way ("" on success).
 */
enum err rpc_version_parse(const char *body, size_t len, struct rpc_version *out, char *why,
			   size_t why_cap) __attribute__((warn_unused_result));

#endif
