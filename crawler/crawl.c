/*
 * The crawl: scheduling, recording, signals, progress, summary.
 *
 * Scheduling happens in one place, the ev_prepare reaper, which runs once per
 * loop iteration just before libev blocks: it frees finished connections,
 * then starts new dials while there is room (concurrency, the writer's
 * backpressure, per-IP limits inside the frontier), then checks whether the
 * crawl is over. A 100 ms repeating timer keeps the loop turning for delayed
 * retries, the progress display and the end of a drain.
 */
#include "crawler/crawl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netdb.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "crawler/rpc.h"
#include "crawler/sink.h"
#include "net/sockaddr.h"
#include "p2p/handshake.h"
#include "p2p/pow.h"

#define DIALS_PER_ITERATION 256 /* new connects per loop iteration: keeps reads flowing */

/*
 * Descriptors the process holds besides its connections: stdin, stdout,
 * stderr, the database connection (and a second one for seed_from_db),
 * the journal, libev's epoll and signal/wakeup descriptors, the resolver's
 * sockets while seeds are resolved, and headroom for libpq reconnects and
 * log files. A crawl that leaves nothing for them fails on its own side
 * (EMFILE) and, before local_error existed, recorded that as unreachable
 * nodes.
 */
#define FD_RESERVED 32

static size_t fd_budget(size_t want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return want < 900 ? want : 900;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	size_t lim = rl.rlim_cur == RLIM_INFINITY ? SIZE_MAX : (size_t)rl.rlim_cur;
	/* Under a tiny limit, still one connection in two descriptors. */
	size_t room = lim > 2 * FD_RESERVED ? lim - FD_RESERVED : lim / 2;
	if (room < 1)
		room = 1;
	return want < room ? want : room;
}

void crawl_lower_concurrency(struct crawl *cr, size_t n)
{
	if (n < 1)
		n = 1;
	if (n >= cr->concurrency)
		return;
	log_warn("open-file limit reached with %zu connections in flight: concurrency lowered "
		 "from %zu to %zu (the failed dials are local_error and retried)",
		 cr->conns.inflight, cr->concurrency, n);
	cr->concurrency = n;
}

uint64_t crawl_local_errors(const struct crawl *cr)
{
	return cr->st.outcomes[VISIT_LOCAL_ERROR] + cr->st.local_unrecorded;
}

bool crawl_local_excess(const struct crawl *cr)
{
	uint64_t dials = cr->st.dials + cr->st.local_unrecorded;
	return dials > 0 && (double)crawl_local_errors(cr) > CRAWL_LOCAL_MAX_SHARE * (double)dials;
}

/* One RPC probe answer (rpc.h callback): to the output. */
static void rpc_result(void *ctx, const struct rpc_rec *r)
{
	struct crawl *cr = ctx;
	if (cr->out.rpc)
		cr->out.rpc(cr->out.ctx, r);
}

static void up_points(void *ctx, const struct visit_points *p)
{
	crawl_visit_points(ctx, p);
}

static void up_end(void *ctx, const struct visit_result *r)
{
	crawl_visit_end(ctx, r);
}

/* Nothing to record it with: the point waits for its retry. */
static void up_unrecorded(void *ctx, const struct fr_lease *l)
{
	struct crawl *cr = ctx;
	cr->st.local_unrecorded++;
	if (!frontier_retry_local(cr->fr, l->id, crawl_now(cr)))
		cr->st.local_final++;
}

static void up_fd_limit(void *ctx, size_t n)
{
	crawl_lower_concurrency(ctx, n);
}

enum err crawl_init(struct crawl *cr, struct ev_loop *loop, const struct crawl_config *cfg,
		    const struct p2p_identity *id, char *err, size_t err_cap)
{
	memset(cr, 0, sizeof *cr);
	cr->loop = loop;
	cr->cfg = cfg;
	cr->id = id;
	cr->crawl_id = -1;
	if (crawl_config_policy(cfg, &cr->policy, err, err_cap) != ERR_OK)
		return ERR_CONFIG;
	struct frontier_limits l;
	crawl_config_frontier_limits(cfg, &l);
	cr->fr = frontier_new(&l, &cr->policy);
	if (!cr->fr) {
		snprintf(err, err_cap, "out of memory");
		return ERR_NOMEM;
	}
	struct conn_up up = {up_points, up_end, up_unrecorded, up_fd_limit, cr};
	enum err e = conn_set_init(&cr->conns, loop, cfg, id, &up);
	if (e != ERR_OK) {
		crawl_cleanup(cr);
		if (e == ERR_CONFIG)
			snprintf(err, err_cap, "expected_pow %g out of range", cfg->expected_pow);
		else
			snprintf(err, err_cap, "out of memory");
		return e;
	}
	/* the RPC probe's requests need descriptors of their own */
	size_t rpc_fds = cfg->rpc_enabled ? RPC_INFLIGHT_MAX : 0;
	size_t room = fd_budget((size_t)cfg->concurrency + rpc_fds);
	cr->concurrency = room > rpc_fds + 1 ? room - rpc_fds : 1;
	if (cr->concurrency < (size_t)cfg->concurrency)
		log_warn("concurrency lowered to %zu by the open-file limit (%d descriptors kept "
			 "for the database, the journal, stdio and libev)",
			 cr->concurrency, FD_RESERVED);
	if (cfg->rpc_enabled && !(cr->rpc = rpc_new(loop, cfg, &cr->policy, rpc_result, cr, err,
						   err_cap))) {
		crawl_cleanup(cr);
		return ERR_NOMEM;
	}
	randombytes_buf(cr->uuid, sizeof cr->uuid);
	cr->uuid[6] = (uint8_t)((cr->uuid[6] & 0x0f) | 0x40); /* RFC 4122 version 4 */
	cr->uuid[8] = (uint8_t)((cr->uuid[8] & 0x3f) | 0x80);
	cr->started_us = clock_wall_us();
	cr->t0 = ev_now(loop);
	cr->tty = isatty(STDERR_FILENO) == 1;
	cr->discover = true;
	cr->interactive = true;
	return ERR_OK;
}

void crawl_cleanup(struct crawl *cr)
{
	conn_set_cleanup(&cr->conns);
	rpc_free(cr->rpc);
	cr->rpc = NULL;
	frontier_free(cr->fr);
	cr->fr = NULL;
	tally_cleanup(&cr->tally);
}

/* Numbers a visit row and hands it to the output. */
static void record_visit(struct crawl *cr, const struct visit_rec *v, const struct hs_peer *peer)
{
	struct visit_rec r = *v;
	r.seq = cr->seq_visit++;
	cr->st.visits++;
	cr->st.outcomes[r.outcome]++;
	if (cr->out.visit)
		cr->out.visit(cr->out.ctx, &r, peer);
}

static void record_edge(struct crawl *cr, const struct visit_points *p, size_t i)
{
	struct adv_rec a = {
	    .seq = cr->seq_adv++,
	    .from = *p->from,
	    .to = p->pts[i],
	    .source = p->source,
	    .round = p->round,
	    .rank = (uint32_t)i,
	    .list_len = (uint32_t)p->n,
	    .seen_at_us = p->seen_at_us,
	};
	cr->st.edges++;
	if (cr->out.edge)
		cr->out.edge(cr->out.ctx, &a);
}

/*
 * A node of another chain lists its own network's points (docs/crawler.md,
 * "Other networks"): stored as ADV_FOREIGN_NACK and never offered, so a
 * point learnt only there is never dialed (Octez too forgets points of
 * another network: p2p_connect_handler.ml, authenticate, unregister_point).
 */
void crawl_visit_points(struct crawl *cr, const struct visit_points *p)
{
	size_t take = frontier_message_cap(cr->fr, p->n);
	for (size_t i = 0; i < take; i++) {
		record_edge(cr, p, i);
		if (p->source != ADV_FOREIGN_NACK)
			crawl_offer(cr, &p->pts[i], p->depth + 1);
	}
}

static void seed_result(struct crawl *cr, const char *point, enum visit_outcome o, const char *why);
static void note_version(struct crawl *cr, const struct hs_peer *p);

void crawl_visit_end(struct crawl *cr, const struct visit_result *r)
{
	const struct visit_rec *v = &r->rec;
	enum visit_outcome o = v->outcome;
	record_visit(cr, v, r->peer);
	/* a public node of our chain: ask its RPC server which release it runs
	 * (only points the crawl dialed, so only what the policy allows; a probe,
	 * which discovers nothing, asks nothing either) */
	if (cr->rpc && cr->discover && !cr->conns.stopping && v->peer_id &&
	    o != VISIT_FOREIGN && o != VISIT_SELF)
		rpc_probe_node(cr->rpc, r->pt, v->peer_id);
	cr->st.dials++;
	if (v->attempt > 1)
		cr->st.retries++;
	if (r->depth > cr->max_depth && o == VISIT_OK)
		cr->max_depth = r->depth;
	bool retried;
	if (o == VISIT_LOCAL_ERROR && !cr->conns.stopping)
		retried = frontier_retry_local(cr->fr, r->point_id, crawl_now(cr));
	else
		retried = frontier_done(cr->fr, r->point_id,
					(o == VISIT_TIMEOUT || r->come_back) && !cr->conns.stopping,
					crawl_now(cr));
	tally_attempt(&cr->tally, r->point_id, v, !retried);
	if (retried)
		return;
	if (r->depth == 0)
		seed_result(cr, v->point, o, v->error);
	cr->st.dials_final++;
	if (r->peer && !r->foreign) {
		cr->st.public_n++;
		note_version(cr, r->peer);
	} else if (o == VISIT_LOCAL_ERROR) {
		cr->st.local_final++; /* never dialed for real: not unreachable */
	}
}

void crawl_offer(struct crawl *cr, const struct point *pt, uint32_t depth)
{
	if (!cr->discover)
		return; /* a probe reports advertised points, it does not dial them */
	const char *why = NULL;
	enum fr_add r = frontier_add(cr->fr, pt->addr, pt->port, depth, NULL, &why);
	if (r != FR_POLICY && r != FR_PORT_CAP && r != FR_BAD_PORT)
		return;
	char text[POINT_FMT_CAP], err[96];
	point_format(pt, text, sizeof text);
	snprintf(err, sizeof err, "policy: %s", why ? why : "refused");
	if (depth == 0) {
		/* a seed: name the rule (its CIDR) in the crawl's closing message */
		char rule[160] = "";
		struct policy_verdict pv = policy_check(&cr->policy, pt->addr);
		if (r == FR_POLICY && pv.rule.bits > 0) {
			char cidr[64];
			cidr_format(&pv.rule, cidr, sizeof cidr);
			snprintf(rule, sizeof rule, "policy: %s %s", pv.why, cidr);
		}
		cr->seeds_policy++;
		seed_result(cr, text, VISIT_POLICY, rule[0] ? rule : err);
	}
	struct visit_rec v;
	visit_rec_init(&v);
	v.point = text;
	v.started_at_us = clock_wall_us();
	v.outcome = VISIT_POLICY;
	v.attempt = 1;
	v.error = err;
	record_visit(cr, &v, NULL);
}

/* A seed point's final visit (depth 0, no retry left): counts it as answered or not. */
static void seed_result(struct crawl *cr, const char *point, enum visit_outcome o, const char *why)
{
	bool answered = false;
	switch (o) {
	case VISIT_OK:
	case VISIT_NACK:
	case VISIT_SILENT_CLOSE:
	case VISIT_CLOSED:
	case VISIT_HANDSHAKE_TIMEOUT:
	case VISIT_PROTOCOL_ERROR:
	case VISIT_INCOMPATIBLE:
	case VISIT_SELF:
	case VISIT_FOREIGN: answered = true; break;
	case VISIT_REFUSED:
	case VISIT_TIMEOUT:
	case VISIT_UNREACHABLE:
	case VISIT_POLICY:
	case VISIT_LOCAL_ERROR: break;
	}
	if (answered) {
		cr->seeds_answered++;
		return;
	}
	if (o != VISIT_POLICY)
		cr->seeds_silent++;
	/* the first reason (policy refusals come first: seeds are offered before any dial) */
	if (cr->seed_why[0] != '\0')
		return;
	if (o == VISIT_POLICY) /* the policy's own words name the rule */
		snprintf(cr->seed_why, sizeof cr->seed_why, "%s refused by the address %s", point,
			 why ? why : "policy");
	else
		snprintf(cr->seed_why, sizeof cr->seed_why, "%s %s%s%s", point, visit_outcome_str(o),
			 why ? ": " : "", why ? why : "");
}

/* Counts the version triple of a peer that sent a connection message. */
static void note_version(struct crawl *cr, const struct hs_peer *p)
{
	size_t keep = p->chain_name_len < sizeof cr->st.versions[0].chain
			      ? p->chain_name_len
			      : sizeof cr->st.versions[0].chain;
	for (size_t i = 0; i < cr->st.versions_n; i++) {
		struct crawl_version *v = &cr->st.versions[i];
		if (v->ddb == p->ddb_version && v->p2p == p->p2p_version && v->chain_len == keep &&
		    v->chain_cut == (p->chain_name_len > keep) &&
		    memcmp(v->chain, p->chain_name, keep) == 0) {
			v->n++;
			return;
		}
	}
	if (cr->st.versions_n == CRAWL_VERSIONS_MAX) {
		cr->st.versions_other++;
		return;
	}
	struct crawl_version *v = &cr->st.versions[cr->st.versions_n++];
	memcpy(v->chain, p->chain_name, keep);
	v->chain_len = keep;
	v->chain_cut = p->chain_name_len > keep;
	v->ddb = p->ddb_version;
	v->p2p = p->p2p_version;
	v->n = 1;
}

/* ---- seeds -------------------------------------------------------------- */

static size_t seed_one(struct crawl *cr, const char *text)
{
	struct seed_spec s;
	if (seed_parse(text, &s) != ERR_OK) {
		log_warn("seed '%s': not host:port", text);
		return 0;
	}
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC; /* IPv4 and IPv6 */
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = s.numeric ? AI_NUMERICHOST : AI_ADDRCONFIG;
	int rc = getaddrinfo(s.host, NULL, &hints, &res);
	if (rc != 0) {
		log_warn("seed '%s': %s", text, gai_strerror(rc));
		return 0;
	}
	size_t n = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		struct point pt;
		if (!point_from_addrinfo(ai, (uint16_t)s.port, &pt))
			continue;
		crawl_offer(cr, &pt, 0);
		n++;
	}
	freeaddrinfo(res);
	return n;
}

size_t crawl_seed(struct crawl *cr)
{
	size_t n = 0;
	for (size_t i = 0; i < cr->cfg->seeds.n; i++)
		n += seed_one(cr, cr->cfg->seeds.v[i]);
	return n;
}

/* ---- progress ------------------------------------------------------------ */

static void progress(struct crawl *cr, bool final)
{
	double now = crawl_now(cr);
	if (!final && now < cr->next_progress)
		return;
	double el = now - cr->t0;
	struct frontier_stats fs;
	frontier_stats(cr->fr, &fs);
	double rate = el > 0 ? (double)cr->st.dials / el : 0;
	size_t pend = cr->sink ? sink_pending(cr->sink) : 0;
	if (cr->tty) {
		fprintf(stderr,
			"\r\033[Kdiscovered %zu  done %llu  in flight %zu  ok %llu  %.0f/s  %.1fs%s",
			fs.points, (unsigned long long)cr->st.visits, cr->conns.inflight,
			(unsigned long long)cr->st.outcomes[VISIT_OK], rate, el,
			cr->conns.stopping ? "  (stopping)" : "");
		if (final)
			fputc('\n', stderr);
		cr->next_progress = now + 0.25;
	} else {
		log_info("discovered %zu, done %llu, in flight %zu, ok %llu, %.0f dials/s, %.1fs, "
			 "db queue %zu%s",
			 fs.points, (unsigned long long)cr->st.visits, cr->conns.inflight,
			 (unsigned long long)cr->st.outcomes[VISIT_OK], rate, el, pend,
			 cr->conns.stopping ? " (stopping)" : "");
		cr->next_progress = now + cr->cfg->log_interval;
	}
	fflush(stderr);
}

/* ---- the loop ------------------------------------------------------------ */

static void end_check(struct crawl *cr)
{
	if (cr->finished)
		return;
	bool over = cr->conns.stopping ? cr->conns.inflight == 0 : frontier_idle(cr->fr) && cr->conns.inflight == 0;
	over = over && rpc_idle(cr->rpc); /* RPC answers still coming are part of the crawl */
	if (!over)
		return;
	cr->finished = true;
}

static void reaper_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)revents;
	struct crawl *cr = w->data;
	conn_reap(&cr->conns);
	if (!cr->conns.stopping && !cr->finished) {
		struct fr_lease l;
		int started = 0;
		while (started < DIALS_PER_ITERATION && cr->conns.inflight < cr->concurrency &&
		       !(cr->sink && sink_busy(cr->sink)) &&
		       frontier_next(cr->fr, crawl_now(cr), &l)) {
			conn_start(&cr->conns, &l);
			started++;
		}
		conn_reap(&cr->conns); /* dials that failed at once */
	}
	end_check(cr);
	/* The database's last rows are drained after the loop (sink_finish). */
	if (cr->finished)
		ev_break(cr->loop, EVBREAK_ALL);
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct crawl *cr = w->data;
	if (cr->conns.stopping && crawl_now(cr) >= cr->stop_at) {
		if (cr->conns.live)
			conn_abort_all(&cr->conns, "aborted: drain deadline after a signal");
		rpc_abort_all(cr->rpc);
	}
	if (cr->interactive)
		progress(cr, false);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	struct crawl *cr = w->data;
	if (cr->conns.stopping) {
		log_error("second signal: exiting now (journal flushed)");
		if (cr->sink)
			sink_emergency(cr->sink);
		_exit(130);
	}
	log_warn("signal %d: no new dials, %zu in flight get %.1fs to finish", w->signum,
		 cr->conns.inflight, cr->cfg->drain_timeout);
	cr->conns.stopping = true;
	cr->aborted = true;
	cr->stop_at = crawl_now(cr) + cr->cfg->drain_timeout;
	frontier_drain(cr->fr);
}

void crawl_run(struct crawl *cr)
{
	signal(SIGPIPE, SIG_IGN);
	ev_prepare_init(&cr->reaper, reaper_cb);
	cr->reaper.data = cr;
	ev_prepare_start(cr->loop, &cr->reaper);
	ev_timer_init(&cr->tick, tick_cb, 0.1, 0.1);
	cr->tick.data = cr;
	ev_timer_start(cr->loop, &cr->tick);
	if (cr->interactive) {
		ev_signal_init(&cr->sigint, signal_cb, SIGINT);
		cr->sigint.data = cr;
		ev_signal_start(cr->loop, &cr->sigint);
		ev_signal_init(&cr->sigterm, signal_cb, SIGTERM);
		cr->sigterm.data = cr;
		ev_signal_start(cr->loop, &cr->sigterm);
	}
	ev_now_update(cr->loop);
	cr->t0 = crawl_now(cr);
	ev_run(cr->loop, 0);
	ev_prepare_stop(cr->loop, &cr->reaper);
	ev_timer_stop(cr->loop, &cr->tick);
	if (cr->interactive) {
		ev_signal_stop(cr->loop, &cr->sigint);
		ev_signal_stop(cr->loop, &cr->sigterm);
		progress(cr, true);
	}
}

/* ---- summary ------------------------------------------------------------- */

/* Printable form of peer bytes: \xNN for anything outside printable ASCII. */
static void printable(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 5 < cap; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", p[i]);
	}
	out[o] = '\0';
}

void crawl_summary(const struct crawl *cr, const char *status, double duration_s, FILE *out)
{
	struct frontier_stats fs;
	frontier_stats(cr->fr, &fs);
	char uuid[37];
	const uint8_t *u = cr->uuid;
	snprintf(uuid, sizeof uuid,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
		 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
		 u[15]);
	/* The census figures (lib/db/census.h), as crawl_summary and report.json count them. */
	const struct tally *t = &cr->tally;
	uint64_t dialed = tally_dialed(t);
	uint64_t undialed = fs.points > dialed ? fs.points - dialed : 0;
	double ratio = census_public_ratio(t->public_nodes, t->points[PC_UNVERIFIED],
					   t->points[PC_UNREACHABLE]);
	if (t->nomem)
		log_warn("out of memory while counting points: the census figures are lower bounds");
	if (cr->cfg->json) {
		json_t *o = json_object();
		json_object_set_new(o, "crawl_id",
				    cr->crawl_id >= 0 ? json_integer(cr->crawl_id) : json_null());
		json_object_set_new(o, "uuid", json_string(uuid));
		json_object_set_new(o, "status", json_string(status));
		json_object_set_new(o, "vantage", json_string(cr->cfg->vantage));
		json_object_set_new(o, "duration_s", json_real(duration_s));
		json_object_set_new(o, "points_discovered", json_integer((json_int_t)fs.points));
		json_object_set_new(o, "points_dialed", json_integer((json_int_t)dialed));
		json_object_set_new(o, "dials", json_integer((json_int_t)cr->st.dials));
		json_object_set_new(o, "visits", json_integer((json_int_t)cr->st.visits));
		json_object_set_new(o, "edges", json_integer((json_int_t)cr->st.edges));
		json_object_set_new(o, "retries", json_integer((json_int_t)cr->st.retries));
		json_object_set_new(o, "public", json_integer((json_int_t)t->public_nodes));
		json_object_set_new(o, "public_points",
				    json_integer((json_int_t)t->points[PC_PUBLIC]));
		json_object_set_new(o, "foreign", json_integer((json_int_t)t->points[PC_FOREIGN]));
		json_object_set_new(o, "unverified",
				    json_integer((json_int_t)t->points[PC_UNVERIFIED]));
		json_object_set_new(o, "unreachable",
				    json_integer((json_int_t)t->points[PC_UNREACHABLE]));
		json_object_set_new(o, "undialed", json_integer((json_int_t)undialed));
		json_object_set_new(o, "public_ratio", json_real(ratio));
		json_object_set_new(o, "local_errors",
				    json_integer((json_int_t)crawl_local_errors(cr)));
		json_object_set_new(o, "points_local_error",
				    json_integer((json_int_t)cr->st.local_final));
		json_object_set_new(o, "dropped_points",
				    json_integer((json_int_t)(fs.dropped_full + fs.dropped_msg)));
		json_object_set_new(o, "max_depth", json_integer(cr->max_depth));
		json_object_set_new(o, "max_inflight", json_integer((json_int_t)cr->conns.max_inflight));
		json_object_set_new(o, "db_queue_peak_bytes",
				    json_integer((json_int_t)(cr->sink ? sink_queue_peak_bytes(cr->sink)
								      : 0)));
		json_object_set_new(o, "handshakes_per_s",
				    json_real(duration_s > 0 ? (double)cr->st.dials / duration_s : 0));
		json_t *oc = json_object();
		for (int i = 0; i < VISIT_OUTCOME_N; i++)
			json_object_set_new(oc, visit_outcome_str((enum visit_outcome)i),
					    json_integer((json_int_t)cr->st.outcomes[i]));
		json_object_set_new(o, "outcomes", oc);
		json_t *vs = json_array();
		for (size_t i = 0; i < cr->st.versions_n; i++) {
			const struct crawl_version *v = &cr->st.versions[i];
			char chain[300];
			printable(v->chain, v->chain_len, chain, sizeof chain);
			json_t *e = json_object();
			json_object_set_new(e, "chain", json_string(chain));
			json_object_set_new(e, "ddb_version", json_integer(v->ddb));
			json_object_set_new(e, "p2p_version", json_integer(v->p2p));
			json_object_set_new(e, "nodes", json_integer((json_int_t)v->n));
			json_array_append_new(vs, e);
		}
		json_object_set_new(o, "versions", vs);
		if (cr->rpc) {
			struct rpc_stats rs;
			rpc_get_stats(cr->rpc, &rs);
			json_t *ro = json_object();
			json_object_set_new(ro, "asked", json_integer((json_int_t)rs.asked));
			json_object_set_new(ro, "releases", json_integer((json_int_t)rs.releases));
			json_object_set_new(ro, "errors", json_integer((json_int_t)rs.errors));
			json_object_set_new(o, "rpc_probe", ro);
		}
		char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text)
			fprintf(out, "%s\n", text);
		free(text);
		json_decref(o);
		return;
	}
	if (cr->crawl_id >= 0)
		fprintf(out, "crawl %lld (%s) %s in %.1f s\n", (long long)cr->crawl_id, uuid, status,
			duration_s);
	else
		fprintf(out, "crawl %s (no database) %s in %.1f s\n", uuid, status, duration_s);
	fprintf(out, "points: %zu discovered, %llu dialed (%llu dials, %llu retries), %llu edges\n",
		fs.points, (unsigned long long)dialed,
		(unsigned long long)cr->st.dials, (unsigned long long)cr->st.retries,
		(unsigned long long)cr->st.edges);
	fprintf(out,
		"public nodes: %llu (%llu points), foreign: %llu, unverified: %llu, "
		"unreachable: %llu, undialed: %llu points; public ratio %.3f\n",
		(unsigned long long)t->public_nodes, (unsigned long long)t->points[PC_PUBLIC],
		(unsigned long long)t->points[PC_FOREIGN],
		(unsigned long long)t->points[PC_UNVERIFIED],
		(unsigned long long)t->points[PC_UNREACHABLE], (unsigned long long)undialed, ratio);
	fprintf(out, "local errors: %llu (%llu points never dialed because of them)%s\n",
		(unsigned long long)crawl_local_errors(cr), (unsigned long long)cr->st.local_final,
		crawl_local_excess(cr) ? ": more than 1% of the dials, the crawl is incomplete" : "");
	fprintf(out, "outcomes:");
	for (int i = 0; i < VISIT_OUTCOME_N; i++)
		if (cr->st.outcomes[i])
			fprintf(out, " %s %llu", visit_outcome_str((enum visit_outcome)i),
				(unsigned long long)cr->st.outcomes[i]);
	fprintf(out, "\n");
	for (size_t i = 0; i < cr->st.versions_n; i++) {
		const struct crawl_version *v = &cr->st.versions[i];
		char chain[300];
		printable(v->chain, v->chain_len, chain, sizeof chain);
		fprintf(out, "version: %s%s ddb %d p2p %d: %llu\n", chain, v->chain_cut ? "..." : "",
			v->ddb, v->p2p, (unsigned long long)v->n);
	}
	if (cr->st.versions_other)
		fprintf(out, "version: (other combinations): %llu\n",
			(unsigned long long)cr->st.versions_other);
	if (cr->rpc) {
		struct rpc_stats rs;
		rpc_get_stats(cr->rpc, &rs);
		fprintf(out, "rpc probe: %llu asked, %llu releases, %llu errors\n",
			(unsigned long long)rs.asked, (unsigned long long)rs.releases,
			(unsigned long long)rs.errors);
	}
}
