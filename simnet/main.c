/*
 * tzcensus-simnet — a simulated Tezos network on loopback, with ground truth.
 *
 *   tzcensus-simnet [--config FILE] [--nodes N] [--seed S] [--base ADDR]
 *                   [--expected-pow F] [--latency-ms MIN:MAX] [--epoch K] [--churn F]
 *                   --truth OUT.json [--ready FILE] [--violations OUT.jsonl]
 *                   [--dial ADDR:PORT] [--location-db OUT.db]
 *
 * Start-up: config file, then flags over it; build the world; write the truth
 * file; bind every listener; write the ready file. Then serve until SIGTERM
 * or SIGINT. docs/simnet.md describes the behaviours and the file formats.
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

#include "core/clock.h"
#include "core/log.h"
#include "simnet/config.h"
#include "simnet/dialer.h"
#include "simnet/locdb.h"
#include "simnet/server.h"
#include "simnet/rpc.h"
#include "simnet/truth.h"
#include "simnet/world.h"

#ifndef TZCENSUS_VERSION
#define TZCENSUS_VERSION "0.1.0-dev"
#endif

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: tzcensus-simnet [--config FILE] [--nodes N] [--seed S] [--base ADDR]\n"
	        "                       [--expected-pow F] [--latency-ms MIN:MAX]\n"
	        "                       [--epoch K] [--churn F]\n"
	        "                       --truth OUT.json [--ready FILE] [--violations OUT.jsonl]\n"
	        "                       [--rpc-log OUT.jsonl] [--dial ADDR:PORT]\n"
	        "                       [--location-db OUT.db]\n"
	        "                       [--dry-run] [--quiet]\n"
	        "\n"
	        "  --config FILE        YAML: behaviour mix, topology, latency, options\n"
	        "                       (see config/simnet.yaml); flags override it\n"
	        "  --nodes N            number of simulated nodes (200)\n"
	        "  --seed S             world seed (7): same seed, same world\n"
	        "  --base ADDR          first address, inside 127.0.0.0/8, or ::1 (127.20.0.0)\n"
	        "  --expected-pow F     PoW every node demands and meets (0)\n"
	        "  --latency-ms MIN:MAX per-node response delay range (0:0)\n"
	        "  --epoch K            churn epoch (0): 0 is the seed's world; K > 0 the same\n"
	        "                       world after churn drawn from (seed, K)\n"
	        "  --churn F            share of listening nodes that go away, and as many\n"
	        "                       NATed ones that come up, at an epoch > 0 (0.05)\n"
	        "  --truth OUT.json     ground-truth file (required)\n"
	        "  --ready FILE         written once every listener is bound\n"
	        "  --violations FILE    JSON lines: {node, client, reason, ...}\n"
	        "  --rpc-log FILE       JSON lines, one per RPC request: {node, port, client,\n"
	        "                       path, answer} (RPC servers: rpc.share in the config)\n"
	        "  --dial ADDR:PORT     also run simulated NATed dialers (YAML dialers:)\n"
	        "                       against the listener at ADDR:PORT (loopback only)\n"
	        "  --location-db OUT.db write a libloc location database of the world (its\n"
	        "                       addresses' ASes and countries, from the config's\n"
	        "                       locations) for tzcensus-analyze --location-db\n"
	        "  --dry-run            write the truth file and exit without binding\n"
	        "  --quiet              warnings and errors only\n"
	        "  --help, --version\n");
}

static void set_or_die(struct sim_config *c, const char *key, const char *value)
{
	char err[512];
	if (conf_set(simcfg_keys, simcfg_keys_n, c, key, value, err, sizeof err) != ERR_OK)
		fatal("%s", err);
}

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	log_info("signal %d: stopping", w->signum);
	ev_break(loop, EVBREAK_ALL);
}

static void write_ready(const char *path, size_t listeners, const struct world *w, double ms)
{
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
		fatal("%s: path too long", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		fatal("%s: %s", tmp, strerror(errno));
	fprintf(f, "{\"pid\": %ld, \"nodes\": %zu, \"listeners\": %zu, \"startup_ms\": %.1f}\n",
	        (long)getpid(), w->node_n, listeners, ms);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		fatal("%s: %s", path, strerror(errno));
}

/* The world's truth, plus the dialers (docs/simnet.md), written atomically. */
static enum err write_truth(const struct world *w, const struct sim_config *c,
                            const struct dialer_set *ds, const char *dial, const char *path,
                            char *err, size_t err_cap)
{
	if (!ds)
		return truth_write(w, c, path, err, err_cap);
	json_t *root = truth_json(w, c);
	json_t *d = dialer_set_truth(ds);
	if (!root || !d) {
		json_decref(root);
		json_decref(d);
		snprintf(err, err_cap, "out of memory building the truth file");
		return ERR_NOMEM;
	}
	json_object_set_new(root, "dialers", d);
	json_object_set_new(root, "dial_target", json_string(dial));
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
		json_decref(root);
		snprintf(err, err_cap, "%s: path too long", path);
		return ERR_INVAL;
	}
	int rc = json_dump_file(root, tmp, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	json_decref(root);
	if (rc != 0 || rename(tmp, path) != 0) {
		snprintf(err, err_cap, "%s: cannot write: %s", path, strerror(errno));
		remove(tmp);
		return ERR_IO;
	}
	return ERR_OK;
}

int main(int argc, char **argv)
{
	enum {
		O_CONFIG = 256,
		O_NODES,
		O_SEED,
		O_BASE,
		O_POW,
		O_LAT,
		O_EPOCH,
		O_CHURN,
		O_TRUTH,
		O_READY,
		O_VIOL,
		O_RPCLOG,
		O_DRY,
		O_DIAL,
		O_QUIET,
		O_LOCDB,
		O_HELP,
		O_VERSION
	};
	static const struct option opts[] = {
	    {"config", required_argument, NULL, O_CONFIG},
	    {"nodes", required_argument, NULL, O_NODES},
	    {"seed", required_argument, NULL, O_SEED},
	    {"base", required_argument, NULL, O_BASE},
	    {"expected-pow", required_argument, NULL, O_POW},
	    {"latency-ms", required_argument, NULL, O_LAT},
	    {"epoch", required_argument, NULL, O_EPOCH},
	    {"churn", required_argument, NULL, O_CHURN},
	    {"truth", required_argument, NULL, O_TRUTH},
	    {"ready", required_argument, NULL, O_READY},
	    {"violations", required_argument, NULL, O_VIOL},
	    {"rpc-log", required_argument, NULL, O_RPCLOG},
	    {"dry-run", no_argument, NULL, O_DRY},
	    {"dial", required_argument, NULL, O_DIAL},
	    {"quiet", no_argument, NULL, O_QUIET},
	    {"location-db", required_argument, NULL, O_LOCDB},
	    {"help", no_argument, NULL, O_HELP},
	    {"version", no_argument, NULL, O_VERSION},
	    {NULL, 0, NULL, 0},
	};
	double t0 = clock_mono_s();
	log_init("tzcensus-simnet", LOG_INFO);
	if (sodium_init() < 0)
		fatal("libsodium failed to initialise");
	const char *config = NULL, *truth = NULL, *ready = NULL, *viol = NULL, *rpclog = NULL,
		   *dial = NULL;
	const char *locdb = NULL;
	bool dry = false;
	/* pass 1: the config file comes first, whatever its place on the line */
	int o;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (o == O_CONFIG)
			config = optarg;
	struct sim_config c;
	char err[1024];
	if (simcfg_init(&c) != ERR_OK)
		fatal("out of memory");
	if (config &&
	    conf_load_file(config, simcfg_keys, simcfg_keys_n, &c, err, sizeof err) != ERR_OK)
		fatal("%s", err);
	/* pass 2: flags override the file */
	optind = 1;
	opterr = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case O_CONFIG: break;
		case O_NODES: set_or_die(&c, "nodes", optarg); break;
		case O_SEED: set_or_die(&c, "seed", optarg); break;
		case O_BASE: set_or_die(&c, "base", optarg); break;
		case O_POW: set_or_die(&c, "expected_pow", optarg); break;
		case O_LAT: {
			const char *colon = strchr(optarg, ':');
			if (!colon || colon == optarg || !colon[1])
				fatal("--latency-ms: expected MIN:MAX in milliseconds, got '%s'",
				      optarg);
			char lo[32];
			size_t n = (size_t)(colon - optarg);
			if (n >= sizeof lo)
				fatal("--latency-ms: '%s' is not MIN:MAX", optarg);
			memcpy(lo, optarg, n);
			lo[n] = '\0';
			set_or_die(&c, "latency.min_ms", lo);
			set_or_die(&c, "latency.max_ms", colon + 1);
			break;
		}
		case O_EPOCH: set_or_die(&c, "epoch", optarg); break;
		case O_CHURN: set_or_die(&c, "churn", optarg); break;
		case O_TRUTH: truth = optarg; break;
		case O_READY: ready = optarg; break;
		case O_VIOL: viol = optarg; break;
		case O_RPCLOG: rpclog = optarg; break;
		case O_DRY: dry = true; break;
		case O_DIAL: dial = optarg; break;
		case O_LOCDB: locdb = optarg; break;
		case O_QUIET: log_init("tzcensus-simnet", LOG_WARN); break;
		case O_HELP:
			usage(stdout);
			simcfg_cleanup(&c);
			return 0;
		case O_VERSION:
			printf("tzcensus-simnet %s\n", TZCENSUS_VERSION);
			simcfg_cleanup(&c);
			return 0;
		default:
			usage(stderr);
			simcfg_cleanup(&c);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tzcensus-simnet: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!truth) {
		fprintf(stderr, "tzcensus-simnet: --truth OUT.json is required\n");
		usage(stderr);
		return 2;
	}
	if (simcfg_check(&c, err, sizeof err) != ERR_OK)
		fatal("%s", err);

	struct point dial_pt;
	if (dial) {
		const char *why = NULL;
		if (point_parse(dial, strlen(dial), &dial_pt, &why) != ERR_OK || dial_pt.port == 0)
			fatal("--dial: '%s' is not ADDR:PORT with a numeric address", dial);
		static const uint8_t v4_lo[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		static const uint8_t v6_lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
		bool loop_v4 = memcmp(dial_pt.addr, v4_lo, 12) == 0 && dial_pt.addr[12] == 127;
		if (!loop_v4 && memcmp(dial_pt.addr, v6_lo, 16) != 0)
			fatal("--dial: %s refused: simnet dials only 127.0.0.0/8 and ::1", dial);
	}
	struct world w;
	if (world_build(&c, &w, err, sizeof err) != ERR_OK)
		fatal("%s", err);
	double t_world = clock_mono_s();
	signal(SIGPIPE, SIG_IGN);
	struct ev_loop *loop = ev_default_loop(EVFLAG_AUTO);
	if (!loop)
		fatal("cannot initialise libev");
	struct dialer_set *ds = NULL;
	if (dial && dialer_set_new(&ds, loop, &c, &dial_pt, err, sizeof err) != ERR_OK)
		fatal("%s", err);
	if (write_truth(&w, &c, ds, dial, truth, err, sizeof err) != ERR_OK)
		fatal("%s", err);
	if (locdb && locdb_write(&w, &c, locdb, err, sizeof err) != ERR_OK)
		fatal("%s", err);
	double t_truth = clock_mono_s();
	if (w.epoch > 0)
		log_info("epoch %llu: %zu nodes went down, %zu came up (churn %g)",
		         (unsigned long long)w.epoch, w.churn_n, w.churn_n, c.churn);
	log_info("world: %zu nodes, %zu points, seed %lld; built in %.0f ms, truth in %.0f ms",
	         w.node_n, w.point_n, c.seed, (t_world - t0) * 1e3, (t_truth - t_world) * 1e3);
	if (dry) {
		dialer_set_free(ds);
		world_free(&w);
		simcfg_cleanup(&c);
		return 0;
	}
	FILE *vf = NULL;
	if (viol && !(vf = fopen(viol, "w")))
		fatal("%s: %s", viol, strerror(errno));
	struct srv *s;
	if (srv_new(&s, loop, &w, &c, vf, err, sizeof err) != ERR_OK)
		fatal("%s", err);
	srv_start(s);
	FILE *rf = NULL;
	if (rpclog && !(rf = fopen(rpclog, "w")))
		fatal("%s: %s", rpclog, strerror(errno));
	struct sim_rpc *rpc;
	if (sim_rpc_new(&rpc, loop, &w, &c, rf, err, sizeof err) != ERR_OK)
		fatal("%s", err);
	sim_rpc_start(rpc);
	if (ds)
		dialer_set_start(ds);
	ev_signal sterm, sint;
	ev_signal_init(&sterm, stop_cb, SIGTERM);
	ev_signal_init(&sint, stop_cb, SIGINT);
	ev_signal_start(loop, &sterm);
	ev_signal_start(loop, &sint);
	double startup_ms = (clock_mono_s() - t0) * 1e3;
	if (ready)
		write_ready(ready, srv_listener_n(s), &w, startup_ms);
	log_info("ready: %zu listeners bound in %.0f ms since start (%zu RPC servers)",
	         srv_listener_n(s), startup_ms, sim_rpc_listener_n(rpc));
	ev_run(loop, 0);

	const struct srv_stats *st = srv_stats(s);
	log_info("served: %llu accepted, %llu acks, %llu nacks, %llu refused, %llu silent, "
	         "%llu busy, %llu stalled, %llu sessions, %llu advertises, %llu branches, "
	         "%llu auth timeouts, %llu violations, %llu old-close resets, "
	         "%llu throttled bootstraps, %llu client points registered",
	         (unsigned long long)st->accepted, (unsigned long long)st->acks,
	         (unsigned long long)st->nacks, (unsigned long long)st->refused,
	         (unsigned long long)st->silent_closed, (unsigned long long)st->busy_closed,
	         (unsigned long long)st->stalled, (unsigned long long)st->sessions_open,
	         (unsigned long long)st->advertises, (unsigned long long)st->branches,
	         (unsigned long long)st->auth_timeouts, (unsigned long long)st->violations,
	         (unsigned long long)st->old_close_resets, (unsigned long long)st->boot_throttled,
	         (unsigned long long)st->clients_registered);
	const struct sim_rpc_stats *rs = sim_rpc_stats(rpc);
	log_info("rpc: %llu connections, %llu requests (%llu version, %llu hostile)",
	         (unsigned long long)rs->accepted, (unsigned long long)rs->requests,
	         (unsigned long long)rs->answers[SRPC_VERSION],
	         (unsigned long long)(rs->answers[SRPC_SLOW] + rs->answers[SRPC_HUGE] +
	                              rs->answers[SRPC_NOT_JSON] + rs->answers[SRPC_REDIRECT] +
	                              rs->answers[SRPC_GARBAGE_CHUNKS]));
	sim_rpc_free(rpc);
	if (rf)
		fclose(rf);
	if (ds) {
		const struct dialer_stats *dst = dialer_set_stats(ds);
		log_info("dialers: %llu dials, %llu sessions, %llu retries, %llu advertises, "
		         "%llu dial-backs answered",
		         (unsigned long long)dst->dials, (unsigned long long)dst->sessions,
		         (unsigned long long)dst->retries, (unsigned long long)dst->advertises,
		         (unsigned long long)dst->dialbacks_answered);
	}
	dialer_set_free(ds);
	srv_free(s);
	ev_signal_stop(loop, &sterm);
	ev_signal_stop(loop, &sint);
	ev_loop_destroy(loop);
	if (vf)
		fclose(vf);
	world_free(&w);
	simcfg_cleanup(&c);
	return 0;
}
