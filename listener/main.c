/*
 * tzcensus-listen — an inbound Octez listener with dial-back (docs/listener.md).
 *
 *   tzcensus-listen --listen ADDR:PORT --identity FILE [--db URL] [--journal FILE]
 *                   [--vantage NAME] [--config FILE] [--duration SECONDS]
 *                   [--allow CIDR] [--deny CIDR] [--expected-pow BITS] [--json]
 *   tzcensus-listen --replay JOURNAL [--db URL]
 *
 * Start-up: config file, then flags over it; identity; database (migrate,
 * listen_runs row) and journal; bind. Then serve until --duration passes or
 * SIGTERM/SIGINT; drain the dial-backs in flight; store the rest; print the
 * summary.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>
#include <jansson.h>
#include <sodium.h>

#include "core/log.h"
#include "listener/config.h"
#include "listener/listen.h"
#include "listener/rows.h"
#include "listener/store.h"
#include "p2p/identity.h"

#ifndef TZCENSUS_VERSION
#define TZCENSUS_VERSION "0.1.0-dev"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tzcensus-listen --listen ADDR:PORT --identity FILE [--db URL]\n"
		"                       [--journal FILE] [--vantage NAME] [--config FILE]\n"
		"                       [--duration SECONDS] [--allow CIDR] [--deny CIDR]\n"
		"                       [--expected-pow BITS] [--json] [--no-db] [--metrics FILE]\n"
		"       tzcensus-listen --replay JOURNAL [--db URL]\n"
		"\n"
		"Accepts inbound Octez P2P handshakes, records who dials in, and dials each\n"
		"dialer back at its source address and announced port to classify it:\n"
		"reachable, nat_refused, nat_silent, port_zero, other_peer, not_dialed.\n"
		"\n"
		"  --listen ADDR:PORT   address and port to listen on (and announce)\n"
		"  --identity FILE      identity.json (tzcensus-crawl(1) makes one)\n"
		"  --db URL             PostgreSQL conninfo or URL (unset: PG* environment)\n"
		"  --no-db              store nothing in PostgreSQL (journal and summary only)\n"
		"  --journal FILE       append every row to this protobuf journal\n"
		"  --vantage NAME       name of this listener's location\n"
		"  --config FILE        YAML settings (config/listener.example.yaml); flags win\n"
		"  --duration SECONDS   run this long; 0 = until SIGTERM\n"
		"  --allow CIDR         dial back only these ranges (repeatable; exclusive)\n"
		"  --deny CIDR          never dial back, and refuse inbound from (repeatable)\n"
		"  --expected-pow BITS  dialers below this proof of work are refused\n"
		"  --metrics FILE       Prometheus textfile, rewritten every metrics_interval\n"
		"  --json               print the summary as one JSON object\n"
		"  --replay JOURNAL     load a listener journal into the database and exit\n"
		"  --check-config       validate the settings and exit\n"
		"  -v, --verbose        debug log lines\n"
		"  --help, --version\n"
		"\n"
		"Settings (YAML keys, see config/listener.example.yaml):\n");
	conf_help(f, lsn_config_keys, lsn_config_keys_n);
	fprintf(f,
		"\n"
		"Exit status: 0 done, 1 the database kept rows back (they are in the journal),\n"
		"2 usage or configuration error, 3 database or journal error at start.\n");
}

static void set_or_die(struct lsn_config *c, const char *key, const char *value)
{
	char err[512];
	if (conf_set(lsn_config_keys, lsn_config_keys_n, c, key, value, err, sizeof err) != ERR_OK) {
		fprintf(stderr, "tzcensus-listen: %s\n", err);
		exit(2);
	}
}

struct app {
	struct ev_loop *loop;
	struct lsn_config *cfg;
	struct lsn *l;
	struct store *store;
	ev_signal sterm, sint;
	ev_timer duration, drain, metrics_t;
	double drain_until;
	double t0;
};

/* ---- the sink: rows to the store ------------------------------------------- */

static void on_session(void *ctx, const struct lsn_session_rec *r)
{
	struct app *a = ctx;
	store_row(a->store, "sessions", rows_session(r));
}

static void on_dialback(void *ctx, const struct lsn_dialback_rec *r)
{
	struct app *a = ctx;
	char b58[P2P_PEER_ID_B58_LEN + 1], pt[POINT_FMT_CAP];
	p2p_peer_id_b58(b58, r->peer_id);
	point_format(&r->target, pt, sizeof pt);
	log_info("dial-back %s at %s: %s%s%s", b58, pt, nat_class_str(r->cls), r->error ? " — " : "",
		 r->error ? r->error : "");
	store_row(a->store, "dialbacks", rows_dialback(r));
}

static void on_adv(void *ctx, const struct lsn_adv_rec *r)
{
	struct app *a = ctx;
	store_row(a->store, "adverts", rows_adv(r));
}

/* ---- metrics ------------------------------------------------------------------ */

static void write_metrics(const struct app *a, bool final)
{
	const char *path = a->cfg->metrics;
	if (!path || !a->l)
		return;
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
		return;
	FILE *f = fopen(tmp, "w");
	if (!f) {
		log_warn("metrics: %s: %s", tmp, strerror(errno));
		return;
	}
	const struct lsn_stats *st = lsn_stats(a->l);
	const struct store_stats *ss = store_stats(a->store);
	const char *v = a->cfg->vantage ? a->cfg->vantage : "";
	fprintf(f, "# HELP tzcensus_listen_up 1 while the listener runs, 0 once it stopped.\n"
		   "# TYPE tzcensus_listen_up gauge\n"
		   "tzcensus_listen_up{vantage=\"%s\"} %d\n", v, final ? 0 : 1);
	fprintf(f, "# HELP tzcensus_listen_accepted_total Inbound connections accepted.\n"
		   "# TYPE tzcensus_listen_accepted_total counter\n"
		   "tzcensus_listen_accepted_total{vantage=\"%s\"} %llu\n",
		v, (unsigned long long)st->accepted);
	fprintf(f, "# HELP tzcensus_listen_sessions_total Inbound sessions recorded.\n"
		   "# TYPE tzcensus_listen_sessions_total counter\n"
		   "tzcensus_listen_sessions_total{vantage=\"%s\"} %llu\n",
		v, (unsigned long long)st->sessions);
	fprintf(f, "# HELP tzcensus_listen_handshakes_total Inbound handshakes that reached Ack.\n"
		   "# TYPE tzcensus_listen_handshakes_total counter\n"
		   "tzcensus_listen_handshakes_total{vantage=\"%s\"} %llu\n",
		v, (unsigned long long)st->handshakes_ok);
	fprintf(f, "# HELP tzcensus_listen_refused_total Connections closed at once, by limit.\n"
		   "# TYPE tzcensus_listen_refused_total counter\n");
	const struct {
		const char *name;
		uint64_t n;
	} ref[] = {{"unfinished", st->refused_unfinished}, {"sessions", st->refused_sessions},
		   {"per_ip", st->refused_ip}, {"deny", st->refused_deny}};
	for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++)
		fprintf(f, "tzcensus_listen_refused_total{vantage=\"%s\",limit=\"%s\"} %llu\n", v,
			ref[i].name, (unsigned long long)ref[i].n);
	fprintf(f, "# HELP tzcensus_listen_dialbacks_total Dial-back decisions, by class.\n"
		   "# TYPE tzcensus_listen_dialbacks_total counter\n");
	for (int c = 0; c < NAT_CLASS_N; c++)
		fprintf(f, "tzcensus_listen_dialbacks_total{vantage=\"%s\",class=\"%s\"} %llu\n", v,
			nat_class_str((enum nat_class)c), (unsigned long long)st->classes[c]);
	fprintf(f, "# HELP tzcensus_listen_peers Distinct inbound peers remembered.\n"
		   "# TYPE tzcensus_listen_peers gauge\n"
		   "tzcensus_listen_peers{vantage=\"%s\"} %zu\n", v, st->peers);
	fprintf(f, "# HELP tzcensus_listen_rows_dropped_total Rows dropped from memory (in the journal).\n"
		   "# TYPE tzcensus_listen_rows_dropped_total counter\n"
		   "tzcensus_listen_rows_dropped_total{vantage=\"%s\"} %llu\n",
		v, (unsigned long long)ss->rows_dropped);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		log_warn("metrics: %s: %s", path, strerror(errno));
}

static void metrics_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	write_metrics(w->data, false);
}

/* ---- stopping ----------------------------------------------------------------- */

static void drain_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	struct app *a = w->data;
	if (lsn_idle(a->l) || ev_now(loop) >= a->drain_until)
		ev_break(loop, EVBREAK_ALL);
}

static void begin_stop(struct app *a, const char *why)
{
	if (ev_is_active(&a->drain))
		return;
	log_info("%s: stopping (dial-backs in flight may take %.1f s)", why,
		 a->cfg->dialback_delay + a->cfg->dialback_timeout);
	lsn_stop(a->l);
	ev_timer_stop(a->loop, &a->duration);
	a->drain_until = ev_now(a->loop) + a->cfg->dialback_delay + a->cfg->dialback_timeout + 1.0;
	ev_timer_init(&a->drain, drain_cb, 0.0, 0.05);
	a->drain.data = a;
	ev_timer_start(a->loop, &a->drain);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	struct app *a = w->data;
	if (ev_is_active(&a->drain)) { /* a second signal: stop now */
		ev_break(a->loop, EVBREAK_ALL);
		return;
	}
	begin_stop(a, w->signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void duration_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	begin_stop(w->data, "duration reached");
}

/* ---- summary ------------------------------------------------------------------ */

static void peer_json_cb(void *ctx, const struct lsn_peer_info *p)
{
	json_t *arr = ctx;
	json_t *o = json_object();
	char b58[P2P_PEER_ID_B58_LEN + 1], addr[POINT_FMT_CAP];
	p2p_peer_id_b58(b58, p->peer_id);
	point_format_addr(&p->source, addr, sizeof addr);
	json_object_set_new(o, "peer_id", json_string(b58));
	json_object_set_new(o, "source_addr", json_string(addr));
	json_object_set_new(o, "announced_port", json_integer(p->source.port));
	json_object_set_new(o, "sessions", json_integer(p->sessions));
	json_object_set_new(o, "class", p->decided ? json_string(nat_class_str(p->cls)) : json_null());
	json_array_append_new(arr, o);
}

static void summary(const struct app *a, const uint8_t uuid[16], const char *listen, bool json)
{
	const struct lsn_stats *st = lsn_stats(a->l);
	const struct store_stats *ss = store_stats(a->store);
	if (!json) {
		printf("listen run %lld: %llu accepted, %llu sessions, %llu handshakes, %zu peers;"
		       " dial-backs:",
		       (long long)store_run_id(a->store), (unsigned long long)st->accepted,
		       (unsigned long long)st->sessions, (unsigned long long)st->handshakes_ok,
		       st->peers);
		for (int c = 0; c < NAT_CLASS_N; c++)
			printf(" %s %llu", nat_class_str((enum nat_class)c),
			       (unsigned long long)st->classes[c]);
		printf("; %llu rows stored\n", (unsigned long long)ss->rows_stored);
		return;
	}
	json_t *o = json_object();
	char u[33];
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < 16; i++) {
		u[2 * i] = hx[uuid[i] >> 4];
		u[2 * i + 1] = hx[uuid[i] & 15];
	}
	u[32] = '\0';
	json_object_set_new(o, "run_id", store_run_id(a->store) >= 0
					     ? json_integer(store_run_id(a->store))
					     : json_null());
	json_object_set_new(o, "uuid", json_string(u));
	json_object_set_new(o, "listen", json_string(listen));
	json_object_set_new(o, "vantage", json_string(a->cfg->vantage ? a->cfg->vantage : ""));
	json_object_set_new(o, "accepted", json_integer((json_int_t)st->accepted));
	json_object_set_new(o, "sessions", json_integer((json_int_t)st->sessions));
	json_object_set_new(o, "handshakes", json_integer((json_int_t)st->handshakes_ok));
	json_object_set_new(o, "auth_timeouts", json_integer((json_int_t)st->auth_timeouts));
	json_object_set_new(o, "bad_pow", json_integer((json_int_t)st->bad_pow));
	json_object_set_new(o, "protocol_errors", json_integer((json_int_t)st->protocol_errors));
	json_object_set_new(o, "frames_dropped", json_integer((json_int_t)st->frames_dropped));
	json_object_set_new(o, "advertised_points", json_integer((json_int_t)st->advertised_points));
	json_t *ref = json_object();
	json_object_set_new(ref, "unfinished", json_integer((json_int_t)st->refused_unfinished));
	json_object_set_new(ref, "sessions", json_integer((json_int_t)st->refused_sessions));
	json_object_set_new(ref, "per_ip", json_integer((json_int_t)st->refused_ip));
	json_object_set_new(ref, "deny", json_integer((json_int_t)st->refused_deny));
	json_object_set_new(o, "refused", ref);
	json_object_set_new(o, "unfinished_peak", json_integer((json_int_t)st->unfinished_peak));
	json_object_set_new(o, "sessions_peak", json_integer((json_int_t)st->sessions_peak));
	json_t *cls = json_object();
	for (int c = 0; c < NAT_CLASS_N; c++)
		json_object_set_new(cls, nat_class_str((enum nat_class)c),
				    json_integer((json_int_t)st->classes[c]));
	json_object_set_new(o, "dialbacks", cls);
	json_t *peers = json_array();
	lsn_peers(a->l, peer_json_cb, peers);
	json_object_set_new(o, "peers", peers);
	json_object_set_new(o, "rows_stored", json_integer((json_int_t)ss->rows_stored));
	json_object_set_new(o, "rows_dropped", json_integer((json_int_t)ss->rows_dropped));
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(o);
}

static char *config_json(const struct lsn_config *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "listen", json_string(c->listen));
	json_object_set_new(o, "expected_pow", json_real(c->expected_pow));
	json_object_set_new(o, "chain", json_string(c->chain));
	json_object_set_new(o, "max_unfinished", json_integer(c->max_unfinished));
	json_object_set_new(o, "max_sessions", json_integer(c->max_sessions));
	json_object_set_new(o, "per_ip_sessions", json_integer(c->per_ip_sessions));
	json_object_set_new(o, "per_ip_per_minute", json_integer(c->per_ip_per_minute));
	json_object_set_new(o, "dialback_interval", json_real(c->dialback_interval));
	json_object_set_new(o, "dialback_timeout", json_real(c->dialback_timeout));
	json_t *al = json_array(), *de = json_array();
	for (size_t i = 0; i < c->allow.n; i++)
		json_array_append_new(al, json_string(c->allow.v[i]));
	for (size_t i = 0; i < c->deny.n; i++)
		json_array_append_new(de, json_string(c->deny.v[i]));
	json_object_set_new(o, "allow", al);
	json_object_set_new(o, "deny", de);
	char *t = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return t;
}

int main(int argc, char **argv)
{
	enum {
		O_LISTEN = 256, O_IDENTITY, O_DB, O_NODB, O_JOURNAL, O_VANTAGE, O_CONFIG,
		O_DURATION, O_ALLOW, O_DENY, O_POW, O_JSON, O_METRICS, O_REPLAY, O_CHECK,
		O_HELP, O_VERSION,
	};
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, O_LISTEN},
	    {"identity", required_argument, NULL, O_IDENTITY},
	    {"db", required_argument, NULL, O_DB},
	    {"no-db", no_argument, NULL, O_NODB},
	    {"journal", required_argument, NULL, O_JOURNAL},
	    {"vantage", required_argument, NULL, O_VANTAGE},
	    {"config", required_argument, NULL, O_CONFIG},
	    {"duration", required_argument, NULL, O_DURATION},
	    {"allow", required_argument, NULL, O_ALLOW},
	    {"deny", required_argument, NULL, O_DENY},
	    {"expected-pow", required_argument, NULL, O_POW},
	    {"json", no_argument, NULL, O_JSON},
	    {"metrics", required_argument, NULL, O_METRICS},
	    {"replay", required_argument, NULL, O_REPLAY},
	    {"check-config", no_argument, NULL, O_CHECK},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, O_HELP},
	    {"version", no_argument, NULL, O_VERSION},
	    {NULL, 0, NULL, 0},
	};
	log_init("tzcensus-listen", LOG_INFO);
	if (sodium_init() < 0)
		fatal("libsodium failed to initialise");
	const char *config = NULL, *replay = NULL;
	bool check = false;
	int o;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "v", opts, NULL)) != -1)
		if (o == O_CONFIG)
			config = optarg;
	struct lsn_config c;
	char err[1024];
	if (lsn_config_init(&c) != ERR_OK)
		fatal("out of memory");
	if (config &&
	    conf_load_file(config, lsn_config_keys, lsn_config_keys_n, &c, err, sizeof err) != ERR_OK) {
		fprintf(stderr, "tzcensus-listen: %s\n", err);
		return 2;
	}
	optind = 1;
	opterr = 1;
	while ((o = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (o) {
		case O_LISTEN: set_or_die(&c, "listen", optarg); break;
		case O_IDENTITY: set_or_die(&c, "identity", optarg); break;
		case O_DB: set_or_die(&c, "db", optarg); break;
		case O_NODB: set_or_die(&c, "no_db", "true"); break;
		case O_JOURNAL: set_or_die(&c, "journal", optarg); break;
		case O_VANTAGE: set_or_die(&c, "vantage", optarg); break;
		case O_CONFIG: break;
		case O_DURATION: set_or_die(&c, "duration", optarg); break;
		case O_ALLOW: set_or_die(&c, "allow", optarg); break;
		case O_DENY: set_or_die(&c, "deny", optarg); break;
		case O_POW: set_or_die(&c, "expected_pow", optarg); break;
		case O_JSON: set_or_die(&c, "json", "true"); break;
		case O_METRICS: set_or_die(&c, "metrics", optarg); break;
		case O_REPLAY: replay = optarg; break;
		case O_CHECK: check = true; break;
		case 'v': log_init("tzcensus-listen", LOG_DEBUG); break;
		case O_HELP: usage(stdout); lsn_config_free(&c); return 0;
		case O_VERSION:
			printf("tzcensus-listen %s\n", TZCENSUS_VERSION);
			lsn_config_free(&c);
			return 0;
		default: usage(stderr); lsn_config_free(&c); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tzcensus-listen: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		lsn_config_free(&c);
		return 2;
	}
	if (replay) {
		uint64_t runs = 0, rows = 0;
		enum err e = store_replay(replay, c.db, c.no_migrate, &runs, &rows, err, sizeof err);
		lsn_config_free(&c);
		if (e != ERR_OK) {
			fprintf(stderr, "tzcensus-listen: %s\n", err);
			return 3;
		}
		printf("replayed %llu runs, %llu rows\n", (unsigned long long)runs,
		       (unsigned long long)rows);
		return 0;
	}
	struct policy pol;
	struct point pt;
	uint8_t chain_id[4] = {0};
	bool chain_id_known = false;
	if (lsn_config_validate(&c, &pol, &pt, chain_id, &chain_id_known, err, sizeof err) !=
	    ERR_OK) {
		fprintf(stderr, "tzcensus-listen: %s\n", err);
		lsn_config_free(&c);
		return 2;
	}
	struct p2p_identity *id = p2p_identity_new();
	if (!id)
		fatal("out of memory");
	if (p2p_identity_load(c.identity, id, c.expected_pow, err, sizeof err) != ERR_OK) {
		fprintf(stderr, "tzcensus-listen: %s\n", err);
		p2p_identity_free(id);
		lsn_config_free(&c);
		return 2;
	}
	if (check) {
		printf("configuration ok\n");
		p2p_identity_free(id);
		lsn_config_free(&c);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	struct app a = {.cfg = &c};
	a.loop = ev_default_loop(EVFLAG_AUTO);
	if (!a.loop)
		fatal("cannot initialise libev");
	uint8_t uuid[16];
	randombytes_buf(uuid, sizeof uuid);
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
	char own_id[P2P_PEER_ID_B58_LEN + 1], listen_text[POINT_FMT_CAP];
	p2p_peer_id_b58(own_id, id->peer_id);
	point_format(&pt, listen_text, sizeof listen_text);
	char *cj = config_json(&c);
	struct store_run run = {.started_us = (int64_t)(ev_time() * 1e6),
				.vantage = c.vantage,
				.listen_point = listen_text,
				.peer_id = own_id,
				.tool_version = TZCENSUS_VERSION,
				.config_json = cj};
	memcpy(run.uuid, uuid, 16);
	int rc = 0;
	if (store_open(&a.store, a.loop, !c.no_db, c.db, c.no_migrate, c.journal, &run, err,
		       sizeof err) != ERR_OK) {
		fprintf(stderr, "tzcensus-listen: %s\n", err);
		free(cj);
		p2p_identity_free(id);
		lsn_config_free(&c);
		return 3;
	}
	free(cj);
	struct lsn_sink sink = {.ctx = &a, .session = on_session, .dialback = on_dialback,
				.adv = on_adv};
	if (lsn_new(&a.l, a.loop, &c, id, &pol, &pt, chain_id, chain_id_known, &sink, err,
		    sizeof err) != ERR_OK) {
		fprintf(stderr, "tzcensus-listen: %s\n", err);
		(void)store_close(a.store, 5, err, sizeof err);
		store_free(a.store);
		p2p_identity_free(id);
		lsn_config_free(&c);
		return 3;
	}
	ev_signal_init(&a.sterm, signal_cb, SIGTERM);
	ev_signal_init(&a.sint, signal_cb, SIGINT);
	a.sterm.data = a.sint.data = &a;
	ev_signal_start(a.loop, &a.sterm);
	ev_signal_start(a.loop, &a.sint);
	ev_init(&a.drain, drain_cb);
	if (c.duration > 0) {
		ev_timer_init(&a.duration, duration_cb, c.duration, 0);
		a.duration.data = &a;
		ev_timer_start(a.loop, &a.duration);
	}
	if (c.metrics) {
		ev_timer_init(&a.metrics_t, metrics_cb, 0.0, c.metrics_interval);
		a.metrics_t.data = &a;
		ev_timer_start(a.loop, &a.metrics_t);
	}
	lsn_start(a.l);
	log_info("listening on %s as %s (announcing port %lld); run %lld, vantage %s", listen_text,
		 own_id, c.announce_port ? c.announce_port : (long long)pt.port,
		 (long long)store_run_id(a.store), c.vantage);
	ev_run(a.loop, 0);

	lsn_stop(a.l);
	ev_signal_stop(a.loop, &a.sterm);
	ev_signal_stop(a.loop, &a.sint);
	ev_timer_stop(a.loop, &a.drain);
	ev_timer_stop(a.loop, &a.duration);
	ev_timer_stop(a.loop, &a.metrics_t);
	if (store_close(a.store, 30.0, err, sizeof err) != ERR_OK) {
		fprintf(stderr, "tzcensus-listen: %s (the rows are in the journal, if one was set)\n",
			err);
		rc = 1;
	}
	write_metrics(&a, true);
	summary(&a, uuid, listen_text, c.json);
	lsn_free(a.l);
	a.l = NULL;
	store_free(a.store);
	p2p_identity_free(id);
	ev_loop_destroy(a.loop);
	lsn_config_free(&c);
	return rc;
}
