/*
 * rpc — the optional RPC probe (YAML rpc_probe): one `GET /version` per
 * public node address and RPC port per crawl, to learn the Octez release the
 * handshake does not tell (docs/crawler.md, "Which Octez release").
 *
 * HTTP is libcurl's multi interface in its multi_socket form, driven by the
 * crawl's libev loop: libcurl says which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION -> one ev_io each) and when to wake it
 * (CURLMOPT_TIMERFUNCTION -> one ev_timer); nothing blocks. Each request: no
 * proxy, no redirect followed, http only, the whole request bounded by
 * rpc_probe.timeout, the body capped at RPC_BODY_MAX. Only addresses the
 * crawl handed in are asked, and the crawl hands in only points it dialed
 * under its address policy (checked again here).
 *
 * struct rpc_prober owns its curl handles, watchers and queue; each finished
 * request becomes one struct rpc_rec handed to the callback (pointers valid
 * during the call). Single-threaded, on the crawl's loop.
 */
#ifndef TZ_CRAWLER_RPC_H
#define TZ_CRAWLER_RPC_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/record.h"
#include "net/point.h"
#include "net/policy.h"

struct crawl_config;
struct rpc_prober;

#define RPC_BODY_MAX (64u << 10) /* bytes of an answer kept; more is an error (too_large) */
#define RPC_INFLIGHT_MAX 128     /* requests at once: 43/s even when every RPC port drops
                                  * SYNs (3 s each); at most 8 MiB of bodies */
#define RPC_QUEUE_MAX 100000     /* requests waiting (beyond: not asked, counted) */

typedef void (*rpc_result_fn)(void *ctx, const struct rpc_rec *r);

struct rpc_stats {
	uint64_t asked;     /* requests started */
	uint64_t releases;  /* answers that gave a release */
	uint64_t errors;    /* the others */
	uint64_t skipped;   /* not asked: queue full, or the policy refused the address */
};

/* Creates a prober on loop; policy is borrowed. NULL on failure (err says why). */
struct rpc_prober *rpc_new(struct ev_loop *loop, const struct crawl_config *cfg,
			   const struct policy *policy, rpc_result_fn cb, void *ctx, char *err,
			   size_t err_cap) __attribute__((warn_unused_result));

/* Stops every watcher, drops unfinished requests (no result for them), frees. Accepts NULL. */
void rpc_free(struct rpc_prober *p);

/*
 * A public node at point (its peer id borrowed, may be NULL): queues GET
 * /version on each rpc_probe.ports port of the point's address, each
 * (address, port) at most once per prober.
 */
void rpc_probe_node(struct rpc_prober *p, const struct point *pt, const char *peer_id);

/* True when nothing is queued or in flight. */
bool rpc_idle(const struct rpc_prober *p);

/* Requests queued or in flight. */
size_t rpc_pending(const struct rpc_prober *p);

/* Ends every request now, without results (signals, drain deadline). */
void rpc_abort_all(struct rpc_prober *p);

void rpc_get_stats(const struct rpc_prober *p, struct rpc_stats *s);

#endif
