/*
 * tzcensus-crawl — one crawl of the Tezos P2P network, and the commands
 * around it: --probe, --check-config, --gen-identity / --check-identity,
 * --migrate, --replay, --prune-days.
 *
 * Order of settings: defaults, then --config FILE, then the flags (a list
 * flag replaces the file's list). Exit status: 0 finished crawl (or a
 * successful command), 1 failure, 2 usage or configuration error (an
 * identity below expected_pow too), 3 crawl aborted by a signal, 4 crawl
 * finished but incomplete (local errors above 1% of the dials), 5 no seed
 * could be dialed, 75 another crawl of the same vantage is running.
 */
#include <errno.h>
#include <ev.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "crawler/config.h"
#include "crawler/crawl.h"
#include "crawler/identity_cmd.h"
#include "crawler/probe.h"
#include "crawler/sink.h"
#include "crawler/tools.h"
#include "db/prune.h"
#include "p2p/identity.h"

#ifndef TZCENSUS_VERSION
#define TZCENSUS_VERSION "0.1.0-dev"
#endif

/* 75 is sysexits.h's EX_TEMPFAIL: try again later (tools.c returns it). */
enum {
	EXIT_FINISHED = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_ABORTED = 3,
	EXIT_LOCAL = 4,
	EXIT_NO_SEED = 5,
	EXIT_LOCKED = 75,
};

/*
 * Our own proof of work against the network's expected_pow: a node greylists
 * the address of a peer whose stamp is below its target for a day
 * (docs/crawler.md, "Our identity"). Loads the identity into id; prints what
 * is wrong with the command that fixes it. EXIT_FINISHED when it is strong
 * enough, EXIT_FAIL when it cannot be read, EXIT_USAGE when too weak.
 */
static int identity_ready(const struct crawl_config *cfg, struct p2p_identity *id)
{
	char err[512];
	if (p2p_identity_load(cfg->identity, id, P2P_POW_NOCHECK, err, sizeof err) != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: identity %s: %s\n", cfg->identity, err);
		return EXIT_FAIL;
	}
	uint8_t target[32];
	unsigned bits = p2p_pow_bits(id->pk, id->stamp);
	if (p2p_pow_target(target, cfg->expected_pow) != ERR_OK ||
	    !p2p_pow_check(id->pk, id->stamp, target)) {
		fprintf(stderr,
			"tzcensus-crawl: identity %s: proof of work %u bits, below expected_pow "
			"%g: every node would greylist our address for a day. Make one that "
			"meets it (minutes at 26 bits):\n"
			"  tzcensus-crawl --gen-identity NEW-identity.json --pow %g\n"
			"(or lower expected_pow, for a test network only)\n",
			cfg->identity, bits, cfg->expected_pow, cfg->expected_pow);
		return EXIT_USAGE;
	}
	return EXIT_FINISHED;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tzcensus-crawl [--config FILE] [--db CONNINFO] [--seed HOST:PORT]...\n"
		"                      [--allow CIDR]... [--deny CIDR]... [--identity FILE]\n"
		"                      [--expected-pow F] [--chain NAME] [--concurrency N]\n"
		"                      [--connect-timeout S] [--handshake-timeout S]\n"
		"                      [--bootstrap-rounds N] [--no-head] [--vantage NAME]\n"
		"                      [--journal FILE] [--json] [--announce-port PORT]\n"
		"                      [--check-config] [--probe HOST:PORT]\n"
		"       tzcensus-crawl --gen-identity FILE [--pow BITS]\n"
		"       tzcensus-crawl --check-identity FILE [--pow BITS]\n"
		"       tzcensus-crawl --migrate [--db CONNINFO]\n"
		"       tzcensus-crawl --replay FILE [--db CONNINFO]\n"
		"       tzcensus-crawl --prune-days N [--db CONNINFO]\n"
		"\n"
		"Crawls the Tezos P2P network from seed points: performs the Octez handshake with\n"
		"every point it may dial, asks each node for its peers (Bootstrap/Advertise) and\n"
		"head, and stores every visit and advertised edge in PostgreSQL and the journal.\n"
		"\n"
		"Flags (each sets the setting of the same name, listed below; flags override the\n"
		"file):\n"
		"  --config FILE          YAML configuration file\n"
		"  --db CONNINFO          libpq conninfo or URL (unset: PG* environment)\n"
		"  --seed HOST:PORT       seed point, repeatable; host names are resolved (IPv4+IPv6)\n"
		"  --seed-from-db         also seed with points that answered in recent crawls\n"
		"  --allow CIDR           dial only these ranges (repeatable; overrides default deny)\n"
		"  --deny CIDR            never dial these ranges (repeatable)\n"
		"  --identity FILE        Octez identity.json\n"
		"  --expected-pow F       the network's proof of work: peers' recorded as pass/fail,\n"
		"                         our identity must reach it\n"
		"  --chain NAME           chain name announced\n"
		"  --concurrency N        connections in flight\n"
		"  --connect-timeout S    TCP connect deadline\n"
		"  --handshake-timeout S  connect to Ack deadline (the default is Octez's window)\n"
		"  --bootstrap-rounds N   Bootstrap messages per visit, 100 ms apart\n"
		"  --no-head              do not ask Get_current_branch for the head level\n"
		"  --vantage NAME         name of this crawler's location\n"
		"  --journal FILE         protobuf journal of every result (unset: none)\n"
		"  --json                 print the summary as one JSON object\n"
		"  --no-migrate           do not apply database migrations at start\n"
		"  --announce-port PORT   port our connection messages announce, so that the nodes\n"
		"                         we visit register and advertise our address:PORT; only\n"
		"                         for a listener of ours there (0: none)\n"
		"  --set KEY=VALUE        any setting (e.g. --set per_ip_ports=2)\n"
		"  --verbose              also log debug messages on stderr (a failed send, a\n"
		"                         handshake held back for a peer already in session)\n"
		"\n"
		"Settings (YAML keys, see config/crawler.example.yaml):\n");
	crawl_config_help(f);
	fprintf(f, /* several calls: one string would pass the 4,095 bytes C99 guarantees */
		"\n"
		"Commands:\n"
		"  --check-config         validate the configuration and exit (resolves nothing);\n"
		"                         with --identity FILE, also its proof of work\n"
		"  --probe HOST:PORT      handshake one point, print everything learnt as JSON,\n"
		"                         no database; exit 0 when the handshake ended in Ack\n"
		"  --gen-identity FILE    make a new identity (key pair + proof of work)\n"
		"  --check-identity FILE  validate an identity.json; exit 1 when invalid\n"
		"  --pow BITS             PoW for --gen-identity/--check-identity (default %g)\n"
		"  --migrate              apply pending database migrations and exit\n"
		"  --replay FILE          load a journal into the database (idempotent) and exit\n"
		"  --prune-days N         retention: remove the visits and advertisements of crawls\n"
		"                         started more than N days ago (their crawl_summary row is\n"
		"                         kept in crawl_totals; crawls and analyses stay) and exit\n"
		"  --help, --version\n"
		"\n"
		"Exit status: 0 finished crawl or successful command, 1 failure, 2 usage or\n"
		"configuration error (an identity below expected_pow included), 3 crawl aborted\n"
		"by SIGINT/SIGTERM, 4 crawl finished but incomplete: local errors (our\n"
		"descriptors, memory, sockets) above 1%% of the dials, 5 no seed could be dialed\n"
		"(the address policy refused every seed, none resolved, or none answered), 75\n"
		"another crawl of the same vantage is running on this database (nothing was\n"
		"started).\n",
		P2P_POW_DEFAULT);
}

/* A flag that sets a config key, applied after the file. */
struct override {
	const char *key;
	const char *value;
};

#define OVERRIDES_MAX 512

int main(int argc, char **argv)
{
	log_init("tzcensus-crawl", LOG_INFO);
	enum {
		O_CONFIG = 256, O_DB, O_SEED, O_SEED_DB, O_ALLOW, O_DENY, O_IDENTITY, O_EPOW,
		O_CHAIN, O_CONC, O_CTO, O_HTO, O_ROUNDS, O_NOHEAD, O_VANTAGE, O_JOURNAL, O_JSON,
		O_NOMIGRATE, O_SET, O_CHECK, O_PROBE, O_GEN, O_CHECKID, O_POW, O_MIGRATE, O_REPLAY,
		O_HELP, O_VERSION, O_VERBOSE, O_PRUNE, O_ANNOUNCE,
	};
	static const struct option opts[] = {
		{"config", required_argument, NULL, O_CONFIG},
		{"db", required_argument, NULL, O_DB},
		{"seed", required_argument, NULL, O_SEED},
		{"seed-from-db", no_argument, NULL, O_SEED_DB},
		{"allow", required_argument, NULL, O_ALLOW},
		{"deny", required_argument, NULL, O_DENY},
		{"identity", required_argument, NULL, O_IDENTITY},
		{"expected-pow", required_argument, NULL, O_EPOW},
		{"chain", required_argument, NULL, O_CHAIN},
		{"concurrency", required_argument, NULL, O_CONC},
		{"connect-timeout", required_argument, NULL, O_CTO},
		{"handshake-timeout", required_argument, NULL, O_HTO},
		{"bootstrap-rounds", required_argument, NULL, O_ROUNDS},
		{"no-head", no_argument, NULL, O_NOHEAD},
		{"vantage", required_argument, NULL, O_VANTAGE},
		{"journal", required_argument, NULL, O_JOURNAL},
		{"json", no_argument, NULL, O_JSON},
		{"no-migrate", no_argument, NULL, O_NOMIGRATE},
		{"set", required_argument, NULL, O_SET},
		{"check-config", no_argument, NULL, O_CHECK},
		{"probe", required_argument, NULL, O_PROBE},
		{"gen-identity", required_argument, NULL, O_GEN},
		{"check-identity", required_argument, NULL, O_CHECKID},
		{"pow", required_argument, NULL, O_POW},
		{"migrate", no_argument, NULL, O_MIGRATE},
		{"replay", required_argument, NULL, O_REPLAY},
		{"help", no_argument, NULL, O_HELP},
		{"version", no_argument, NULL, O_VERSION},
		{"verbose", no_argument, NULL, O_VERBOSE},
		{"prune-days", required_argument, NULL, O_PRUNE},
		{"announce-port", required_argument, NULL, O_ANNOUNCE},
		{NULL, 0, NULL, 0},
	};
	static struct override ov[OVERRIDES_MAX];
	size_t ov_n = 0;
	const char *config = NULL, *probe = NULL, *gen = NULL, *checkid = NULL, *replay = NULL;
	bool check = false, migrate = false, identity_flag = false;
	long prune_days = 0; /* 0: no --prune-days */
	double pow = P2P_POW_DEFAULT;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char *key = NULL, *value = optarg;
		switch (c) {
		case O_CONFIG: config = optarg; break;
		case O_DB: key = "db"; break;
		case O_SEED: key = "seeds"; break;
		case O_SEED_DB: key = "seed_from_db"; value = "true"; break;
		case O_ALLOW: key = "allow"; break;
		case O_DENY: key = "deny"; break;
		case O_IDENTITY: key = "identity"; identity_flag = true; break;
		case O_EPOW: key = "expected_pow"; break;
		case O_CHAIN: key = "chain"; break;
		case O_CONC: key = "concurrency"; break;
		case O_CTO: key = "connect_timeout"; break;
		case O_HTO: key = "handshake_timeout"; break;
		case O_ROUNDS: key = "bootstrap_rounds"; break;
		case O_NOHEAD: key = "no_head"; value = "true"; break;
		case O_VANTAGE: key = "vantage"; break;
		case O_JOURNAL: key = "journal"; break;
		case O_JSON: key = "json"; value = "true"; break;
		case O_NOMIGRATE: key = "no_migrate"; value = "true"; break;
		case O_ANNOUNCE: key = "announce_port"; break;
		case O_SET: {
			char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg) {
				fprintf(stderr, "tzcensus-crawl: --set wants KEY=VALUE, got '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			*eq = '\0';
			key = optarg;
			value = eq + 1;
			break;
		}
		case O_CHECK: check = true; break;
		case O_PROBE: probe = optarg; break;
		case O_GEN: gen = optarg; break;
		case O_CHECKID: checkid = optarg; break;
		case O_POW: {
			char *end;
			pow = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !isfinite(pow) || pow < 0 || pow > 256) {
				fprintf(stderr, "tzcensus-crawl: --pow %s: want a number of bits "
						"from 0 to 256\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case O_MIGRATE: migrate = true; break;
		case O_REPLAY: replay = optarg; break;
		case O_PRUNE: {
			char *end;
			errno = 0;
			prune_days = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || prune_days < 1 ||
			    prune_days > DB_PRUNE_DAYS_MAX) {
				fprintf(stderr, "tzcensus-crawl: --prune-days %s: want a number of days "
						"from 1 to %d\n",
					optarg, DB_PRUNE_DAYS_MAX);
				return EXIT_USAGE;
			}
			break;
		}
		case O_HELP: usage(stdout); return 0;
		case O_VERSION: printf("tzcensus-crawl %s\n", TZCENSUS_VERSION); return 0;
		case O_VERBOSE: log_init("tzcensus-crawl", LOG_DEBUG); break;
		default: usage(stderr); return EXIT_USAGE;
		}
		if (key) {
			if (ov_n == OVERRIDES_MAX) {
				fprintf(stderr, "tzcensus-crawl: too many flags\n");
				return EXIT_USAGE;
			}
			ov[ov_n++] = (struct override){key, value};
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tzcensus-crawl: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	int commands = (gen != NULL) + (checkid != NULL) + (probe != NULL) + check + migrate +
		       (replay != NULL) + (prune_days > 0);
	if (commands > 1) {
		fprintf(stderr, "tzcensus-crawl: give at most one of --gen-identity, "
				"--check-identity, --probe, --check-config, --migrate, --replay, "
				"--prune-days\n");
		return EXIT_USAGE;
	}
	if (gen)
		return identity_cmd_gen(gen, pow);
	if (checkid)
		return identity_cmd_check(checkid, pow);

	struct crawl_config cfg;
	if (crawl_config_init(&cfg) != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: out of memory\n");
		return EXIT_FAIL;
	}
	char err[512] = "";
	int status = EXIT_USAGE;
	if (config && conf_load_file(config, crawl_config_keys, crawl_config_keys_n, &cfg, err,
				     sizeof err) != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: %s\n", err);
		goto out;
	}
	/* Flags: a list flag replaces the file's list on its first use, then appends. */
	bool cleared[3] = {false, false, false};
	static const char *const lists[3] = {"seeds", "allow", "deny"};
	for (size_t i = 0; i < ov_n; i++) {
		for (int l = 0; l < 3; l++) {
			if (strcmp(ov[i].key, lists[l]) == 0 && !cleared[l]) {
				struct conf_strlist *sl = l == 0 ? &cfg.seeds : l == 1 ? &cfg.allow
										       : &cfg.deny;
				conf_strlist_clear(sl);
				cleared[l] = true;
			}
		}
		if (conf_set(crawl_config_keys, crawl_config_keys_n, &cfg, ov[i].key, ov[i].value,
			     err, sizeof err) != ERR_OK) {
			fprintf(stderr, "tzcensus-crawl: %s\n", err);
			goto out;
		}
	}
	if (crawl_config_validate(&cfg, err, sizeof err) != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: %s%s%s\n", config ? config : "",
			config ? ": " : "", err);
		goto out;
	}
	if (check) {
		if (identity_flag) {
			struct p2p_identity *cid = p2p_identity_new();
			status = cid ? identity_ready(&cfg, cid) : EXIT_FAIL;
			if (status == EXIT_FINISHED)
				printf("identity %s: proof of work %u bits, meets expected_pow %g\n",
				       cfg.identity, p2p_pow_bits(cid->pk, cid->stamp),
				       cfg.expected_pow);
			p2p_identity_free(cid);
			if (status != EXIT_FINISHED)
				goto out;
		}
		printf("%s: ok (%zu seeds, %zu allow, %zu deny, chain %s, concurrency %lld)\n",
		       config ? config : "configuration", cfg.seeds.n, cfg.allow.n, cfg.deny.n,
		       cfg.chain, cfg.concurrency);
		status = 0;
		goto out;
	}
	if (migrate) {
		status = tools_migrate(cfg.db);
		goto out;
	}
	if (replay) {
		status = tools_replay(replay, cfg.db, cfg.no_migrate);
		goto out;
	}
	if (prune_days > 0) {
		status = tools_prune(cfg.db, (unsigned)prune_days, cfg.no_migrate);
		goto out;
	}

	if (!probe && cfg.seeds.n == 0 && !cfg.seed_from_db) {
		fprintf(stderr, "tzcensus-crawl: nothing to crawl: give --seed HOST:PORT, "
				"--seed-from-db or a --config with seeds (--help for usage)\n");
		status = EXIT_USAGE;
		goto out;
	}
	struct p2p_identity *id = p2p_identity_new();
	if (!id) {
		fprintf(stderr, "tzcensus-crawl: out of memory\n");
		status = EXIT_FAIL;
		goto out;
	}
	if ((status = identity_ready(&cfg, id)) != EXIT_FINISHED) {
		p2p_identity_free(id);
		goto out;
	}
	char pid[P2P_PEER_ID_B58_LEN + 1];
	p2p_peer_id_b58(pid, id->peer_id);
	log_info("identity %s: peer id %s, proof of work %u bits (expected_pow %g)", cfg.identity,
		 pid, p2p_pow_bits(id->pk, id->stamp), cfg.expected_pow);
	if (probe)
		status = probe_run(&cfg, id, probe);
	else
		status = tools_crawl(&cfg, id);
	p2p_identity_free(id);
out:
	crawl_config_free(&cfg);
	return status;
}
