/*
 * tzcensus-analyze — one crawl in, connectivity and decentralization figures
 * out (docs/analyzer.md).
 *
 *   tzcensus-analyze [--db CONNINFO | --journal FILE | --edgelist FILE]
 *                    [--crawl ID|latest] [--out DIR] [--seed N] [--json]
 *                    [--report] [--title TEXT] [--anonymize] [--gate]
 *                    [--location-db FILE | --no-location] [--providers FILE]
 *   tzcensus-analyze --site DIR [--db CONNINFO] [--crawl ID|latest] [--title TEXT]
 *
 * Exit status: 0 done; 1 failure; 2 usage; 3 --gate refused the crawl (the
 * files are written and stored, the report is not rendered).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/inbound.h"
#include "analyzer/analyze.h"
#include "analyzer/anon.h"
#include "analyzer/gate.h"
#include "analyzer/load.h"
#include "analyzer/location.h"
#include "analyzer/output.h"
#include "analyzer/report.h"
#include "analyzer/site.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/conn.h"
#include "db/history.h"
#include "db/migrate.h"

#define HIST_MAX 400 /* earlier crawls given to the report and the gate */

static void usage(FILE *f)
{
	fputs("usage: tzcensus-analyze [--db CONNINFO | --journal FILE | --edgelist FILE]\n"
	      "                        [--crawl ID|latest] [--out DIR] [--seed N] [--json]\n"
	      "                        [--report] [--title TEXT] [--anonymize] [--gate]\n"
	      "                        [--location-db FILE | --no-location] [--providers FILE]\n"
	      "       tzcensus-analyze --site DIR [--db CONNINFO] [--crawl ID|latest] [--title TEXT]\n"
	      "  --db CONNINFO     read the crawl from PostgreSQL and store the results there\n"
	      "                    (default source; empty CONNINFO = $DATABASE_URL or PG* vars)\n"
	      "  --journal FILE    analyze a crawl journal, no database\n"
	      "  --edgelist FILE   analyze a plain graph: lines 'A B' (A advertised B)\n"
	      "  --crawl ID|latest which crawl (default: latest finished; with --journal,\n"
	      "                    N = the N-th crawl of the file)\n"
	      "  --out DIR         output directory (default out/crawl-ID/)\n"
	      "  --seed N          RNG seed for random-removal curves and sampling (default 1)\n"
	      "  --json            also print report.json on stdout\n"
	      "  --report          render report.html/report.md into DIR\n"
	      "  --title TEXT      the report's title (default \"Tezos P2P network census\")\n"
	      "  --anonymize       publishable outputs: points as /24 and /48 prefixes\n"
	      "  --gate            refuse (exit 3, no report) a crawl that looks broken and\n"
	      "                    mark it unpublishable in the database\n"
	      "  --location-db FILE    IPFire location database for AS, country and provider\n"
	      "                    figures, offline (default: " LOCATION_DB_UPDATED ",\n"
	      "                    kept by `location update`, else " LOCATION_DB_SNAPSHOT ")\n"
	      "  --no-location     no location figures (report.json location is null)\n"
	      "  --providers FILE  provider table replacing the built-in one\n"
	      "                    (config/providers.yaml's format)\n"
	      "  --gate-band LOW:HIGH   public nodes allowed, as multiples of the median of\n"
	      "                    recent crawls (default 0.5:2)\n"
	      "  --gate-window N   recent crawls the median is taken over (default 7)\n"
	      "  --gate-min-history N   earlier crawls needed before band and mix are\n"
	      "                    checked (default 3)\n"
	      "  --gate-max-shift F     largest share of dials that may change outcome\n"
	      "                    against the recent median mix (default 0.25)\n"
	      "  --random-runs N   random-removal runs averaged (default 20)\n"
	      "  --betweenness-exact-max N  exact betweenness up to N core nodes (default 5000)\n"
	      "  --betweenness-samples N    sampled sources above that (default 1000)\n"
	      "  --timings         print phase timings on stderr\n"
	      "  --site DIR        only build the published site, DIR/index.html: every\n"
	      "                    published night comparable with --crawl (default the\n"
	      "                    latest), headline figures, charts over 30/90/365 days,\n"
	      "                    links to DIR/nights/CRAWL-ID/report.html\n"
	      "  --version         print the version and exit\n",
	      f);
}

static void anon_adapter(const char *point_text, char *out, size_t cap)
{
	(void)anon_point(point_text, out, cap);
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (!s || !*s || *s == '-')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

enum {
	OPT_RANDOM_RUNS = 1000,
	OPT_BW_MAX,
	OPT_BW_SAMPLES,
	OPT_TIMINGS,
	OPT_TITLE,
	OPT_EDGELIST,
	OPT_GATE_BAND,
	OPT_GATE_WINDOW,
	OPT_GATE_MIN_HISTORY,
	OPT_GATE_MAX_SHIFT,
	OPT_SITE,
	OPT_VERSION,
	OPT_LOCATION_DB,
	OPT_NO_LOCATION,
	OPT_PROVIDERS,
};

/* The long name of option value ch, for messages (argv may hold "--x=v" or "--x v"). */
static const char *opt_name(const struct option *opts, int ch)
{
	for (; opts->name; opts++)
		if (opts->val == ch)
			return opts->name;
	return "?";
}

/* A fraction or ratio in [lo, hi]: the whole text must be a finite number. */
static bool parse_double(const char *s, double lo, double hi, double *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

/* --gate-band LOW:HIGH with 0 <= LOW <= 1 <= HIGH. */
static bool parse_band(const char *s, struct gate_opts *go)
{
	const char *colon = strchr(s, ':');
	if (!colon || colon - s >= 64)
		return false;
	char low[64];
	memcpy(low, s, (size_t)(colon - s));
	low[colon - s] = '\0';
	return parse_double(low, 0, 1, &go->band_low) && parse_double(colon + 1, 1, 1e6, &go->band_high);
}

/* --site DIR: the published site only. Exit status 0 or 1. */
static int build_site(const char *db, const char *dir, int64_t crawl_id, const char *title)
{
	char err[1024] = "";
	size_t n = 0;
	if (!db || !*db)
		db = getenv("DATABASE_URL");
	PGconn *pg = db_connect(db, err, sizeof err);
	enum err e = ERR_DB;
	if (pg && (e = db_migrate(pg, NULL, err, sizeof err)) == ERR_OK)
		e = site_build(pg, dir, crawl_id, title, &n, err, sizeof err);
	db_close(pg);
	if (e != ERR_OK) {
		log_error("site: %s", err);
		return 1;
	}
	log_info("site: %zu published night%s -> %s/index.html", n, n == 1 ? "" : "s", dir);
	return 0;
}

/* A key the report names that report.json lacks: shown as "n/a" in the page. */
static void report_missing(void *arg, const char *path)
{
	(void)arg;
	log_warn("report: report.json lacks %s", path);
}

int main(int argc, char **argv)
{
	log_init("tzcensus-analyze", LOG_INFO);
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"journal", required_argument, NULL, 'j'},
	    {"edgelist", required_argument, NULL, OPT_EDGELIST},
	    {"crawl", required_argument, NULL, 'c'},
	    {"out", required_argument, NULL, 'o'},
	    {"seed", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'J'},
	    {"report", no_argument, NULL, 'r'},
	    {"anonymize", no_argument, NULL, 'a'},
	    {"gate", no_argument, NULL, 'g'},
	    {"random-runs", required_argument, NULL, OPT_RANDOM_RUNS},
	    {"betweenness-exact-max", required_argument, NULL, OPT_BW_MAX},
	    {"betweenness-samples", required_argument, NULL, OPT_BW_SAMPLES},
	    {"timings", no_argument, NULL, OPT_TIMINGS},
	    {"title", required_argument, NULL, OPT_TITLE},
	    {"gate-band", required_argument, NULL, OPT_GATE_BAND},
	    {"gate-window", required_argument, NULL, OPT_GATE_WINDOW},
	    {"gate-min-history", required_argument, NULL, OPT_GATE_MIN_HISTORY},
	    {"gate-max-shift", required_argument, NULL, OPT_GATE_MAX_SHIFT},
	    {"site", required_argument, NULL, OPT_SITE},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {"location-db", required_argument, NULL, OPT_LOCATION_DB},
	    {"no-location", no_argument, NULL, OPT_NO_LOCATION},
	    {"providers", required_argument, NULL, OPT_PROVIDERS},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct analyze_opts ao;
	analyze_opts_default(&ao);
	const char *db = NULL, *journal = NULL, *edgelist = NULL, *out = NULL, *site = NULL;
	int64_t crawl_id = -1;
	bool json_out = false, want_report = false, anonymize = false, gate = false;
	struct gate_opts go;
	gate_opts_default(&go);
	bool timings = false, use_db = false, refused = false;
	const char *title = NULL; /* report title; NULL: the report's default */
	const char *location_db = NULL, *providers = NULL;
	bool no_location = false;
	uint64_t v;
	int ch;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			use_db = true;
			break;
		case 'j': journal = optarg; break;
		case OPT_EDGELIST: edgelist = optarg; break;
		case 'c':
			if (!strcmp(optarg, "latest")) {
				crawl_id = -1;
			} else if (parse_u64(optarg, INT64_MAX, &v)) {
				crawl_id = (int64_t)v;
			} else {
				log_error("--crawl: expected a crawl id or 'latest', got '%s'",
				          optarg);
				return 2;
			}
			break;
		case 'o': out = optarg; break;
		case 's':
			if (!parse_u64(optarg, INT64_MAX, &v)) {
				log_error("--seed: expected an integer 0..2^63-1, got '%s'",
				          optarg);
				return 2;
			}
			ao.seed = v;
			break;
		case 'J': json_out = true; break;
		case 'r': want_report = true; break;
		case 'a': anonymize = true; break;
		case 'g': gate = true; break;
		case OPT_RANDOM_RUNS:
		case OPT_BW_MAX:
		case OPT_BW_SAMPLES:
			if (!parse_u64(optarg, UINT32_MAX, &v)) {
				log_error("--%s: expected a count, got '%s'", opt_name(longopts, ch),
				          optarg);
				return 2;
			}
			if (ch == OPT_RANDOM_RUNS)
				ao.random_runs = (unsigned)v;
			else if (ch == OPT_BW_MAX)
				ao.betweenness_exact_max = (uint32_t)v;
			else
				ao.betweenness_samples = (uint32_t)v;
			break;
		case OPT_TIMINGS: timings = true; break;
		case OPT_TITLE:
			if (!*optarg || strlen(optarg) > 200) {
				log_error("--title: expected 1 to 200 bytes of text");
				return 2;
			}
			title = optarg;
			break;
		case OPT_GATE_BAND:
			if (!parse_band(optarg, &go)) {
				log_error("--gate-band: expected LOW:HIGH with 0 <= LOW <= 1 <= HIGH, "
				          "got '%s'", optarg);
				return 2;
			}
			break;
		case OPT_GATE_WINDOW:
		case OPT_GATE_MIN_HISTORY: {
			uint64_t count;
			if (!parse_u64(optarg, 1000, &count) || (ch == OPT_GATE_WINDOW && count == 0)) {
				log_error("--%s: expected a count, got '%s'", opt_name(longopts, ch), optarg);
				return 2;
			}
			if (ch == OPT_GATE_WINDOW)
				go.window_n = (unsigned)count;
			else
				go.min_history = (unsigned)count;
			break;
		}
		case OPT_GATE_MAX_SHIFT:
			if (!parse_double(optarg, 0, 1, &go.max_outcome_shift)) {
				log_error("--gate-max-shift: expected a share in [0, 1], got '%s'", optarg);
				return 2;
			}
			break;
		case OPT_SITE:
			if (!*optarg) {
				log_error("--site: expected a directory");
				return 2;
			}
			site = optarg;
			break;
		case OPT_VERSION: printf("tzcensus-analyze %s\n", ANALYZER_VERSION); return 0;
		case OPT_LOCATION_DB: location_db = optarg; break;
		case OPT_NO_LOCATION: no_location = true; break;
		case OPT_PROVIDERS: providers = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || (!!journal + !!edgelist + use_db) > 1 ||
	    (no_location && (location_db || providers))) {
		usage(stderr);
		return 2;
	}
	if (site && (journal || edgelist)) {
		log_error("--site reads the database: not with --journal or --edgelist");
		return 2;
	}
	if (!journal && !edgelist)
		use_db = true;
	if (site)
		return build_site(db, site, crawl_id, title);
	if (anonymize)
		ao.anon = anon_adapter;

	int rc = 1;
	char err[1024] = "";
	struct acrawl crawl;
	acrawl_init(&crawl);
	struct previous prev;
	memset(&prev, 0, sizeof prev);
	bool have_prev = false;
	json_t **hist = NULL;
	size_t hist_n = 0;
	struct history nh;
	memset(&nh, 0, sizeof nh);
	bool have_nh = false;
	double history_s = 0; /* loading the trend and the node history */
	struct analysis an;
	memset(&an, 0, sizeof an);
	PGconn *pg = NULL;
	enum err e;
	struct location loc;
	memset(&loc, 0, sizeof loc);

	if (!no_location) {
		/* Before the crawl is read: a bad database or table fails fast. */
		const char *path = location_db ? location_db : location_default_path();
		if (!path) {
			log_warn("no location database (%s or %s; install libloc-database or "
			         "give --location-db): no AS, country or provider figures",
			         LOCATION_DB_UPDATED, LOCATION_DB_SNAPSHOT);
		} else if ((e = location_open(&loc, path, err, sizeof err)) != ERR_OK ||
		           (e = providers ? providers_load(&loc.prov, providers, err, sizeof err)
		                          : providers_load_default(&loc.prov, err, sizeof err)) !=
		               ERR_OK) {
			log_error("%s", err);
			location_close(&loc);
			return 1;
		} else {
			ao.loc = &loc;
		}
	}

	if (use_db) {
		if (!db || !*db)
			db = getenv("DATABASE_URL");
		if (!(pg = db_connect(db, err, sizeof err))) {
			log_error("%s", err);
			goto out;
		}
		if ((e = db_migrate(pg, NULL, err, sizeof err)) != ERR_OK ||
		    (e = load_db(pg, crawl_id, &crawl, err, sizeof err)) != ERR_OK) {
			log_error("%s", err);
			goto out;
		}
		double h0 = clock_mono_s();
		if ((e = load_previous_db(pg, crawl.id, &prev, &have_prev, &hist, &hist_n, HIST_MAX,
		                          err, sizeof err)) != ERR_OK ||
		    (e = load_history_db(pg, crawl.id, HISTORY_WINDOW, &nh, err, sizeof err)) !=
		        ERR_OK) {
			log_error("%s", err);
			goto out;
		}
		have_nh = true;
		history_s = clock_mono_s() - h0;
	} else if (journal) {
		if ((e = load_journal(journal, crawl_id, &crawl, err, sizeof err)) != ERR_OK) {
			log_error("%s", err);
			goto out;
		}
	} else if ((e = load_edgelist(edgelist, &crawl, err, sizeof err)) != ERR_OK) {
		log_error("%s", err);
		goto out;
	}

	if ((e = analysis_run(&an, &crawl, &ao, have_prev ? &prev : NULL)) != ERR_OK) {
		log_error("analysis failed: %s %s", err_str(e), graph_last_error());
		goto out;
	}
	/* nat.inbound: listener data of the crawl's vantage (analyzer/inbound.c) */
	if (use_db && (e = inbound_attach(pg, &crawl, an.report, err, sizeof err)) != ERR_OK) {
		log_error("%s", err);
		goto out;
	}
	if (have_nh) { /* only the database knows earlier crawls */
		bool ok = true;
		json_t *hj = history_json(&nh, &ok);
		if (!ok || !hj || json_object_set_new(an.report, "history", hj)) {
			log_error("out of memory computing the node history");
			goto out;
		}
	} else if (json_object_set_new(an.report, "history", json_null())) {
		goto out;
	}
	char dir[4096];
	if (out)
		snprintf(dir, sizeof dir, "%s", out);
	else if (crawl.id == 0 && crawl.uuid) /* a journal: no database id */
		snprintf(dir, sizeof dir, "out/crawl-%s", crawl.uuid);
	else
		snprintf(dir, sizeof dir, "out/crawl-%" PRId64, crawl.id);
	if ((e = output_write_all(&an, dir, err, sizeof err)) != ERR_OK) {
		log_error("%s", err);
		goto out;
	}
	if (timings && have_nh)
		fprintf(stderr, "timings: history (trend and node history from the database) %.3fs\n",
		        history_s);
	if (timings)
		fprintf(stderr,
		        "timings: model %.3fs igraph %.3fs vconn %.3fs (%zu flow tests) "
		        "betweenness %.3fs curves %.3fs report %.3fs; core %u vertices %zu edges; "
		        "location %.3fs\n",
		        an.seconds[0], an.seconds[1], an.seconds[2], an.kappa.flow_tests,
		        an.seconds[3], an.seconds[4], an.seconds[5], an.c.n, an.c.m, an.location_s);
	if (json_out) {
		if (json_dumpf(an.report, stdout, REPORT_JSON_FLAGS) != 0)
			goto out;
		fputc('\n', stdout);
	}
	char note[512] = "";
	if (gate) {
		bool pass = gate_check(an.report, hist, hist_n, &go, note, sizeof note);
		log_info("gate: %s", note);
		refused = !pass;
		if (use_db && (e = store_gate_db(pg, crawl.id, pass, note, err, sizeof err)) != ERR_OK) {
			log_error("%s", err);
			goto out;
		}
	}
	if (want_report && !refused) {
		struct report_opts ro;
		report_opts_default(&ro);
		ro.anonymize = anonymize;
		ro.analyzer_version = ANALYZER_VERSION;
		ro.gate_note = gate ? note : NULL;
		ro.title = title;
		ro.missing_cb = report_missing;
		if ((e = report_render(dir, an.report, hist, hist_n, &ro, err, sizeof err)) !=
		    ERR_OK) {
			log_error("report: %s", err);
			goto out;
		}
	}
	if (want_report && (e = output_write_manifest(&an, dir, err, sizeof err)) != ERR_OK) {
		log_error("%s", err);
		goto out;
	}
	if (use_db) {
		char mpath[4200];
		snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
		json_error_t je;
		json_t *manifest = json_load_file(mpath, 0, &je);
		e = store_db(pg, &an, manifest, err, sizeof err);
		json_decref(manifest);
		if (e != ERR_OK) {
			log_error("%s", err);
			goto out;
		}
		/* The night and its gate verdict are in: bring the kept node
		 * history up to date (db/history.h). A failure costs speed only. */
		int refreshed;
		double r0 = clock_mono_s();
		if (db_node_history_refresh(pg, &refreshed, err, sizeof err) != ERR_OK)
			log_warn("%s (node_history is computed from visits until a refresh)", err);
		if (timings)
			fprintf(stderr, "timings: node history refresh %.3fs (%d vantage/chain)\n",
			        clock_mono_s() - r0, refreshed);
	}
	if (refused) {
		rc = 3;
		goto out;
	}
	log_info("crawl %" PRId64 ": %u vertices, %u public, core %u, vertex connectivity %u -> %s",
	         crawl.id, an.mo.n, an.r.n, an.c.n, an.kappa.kappa, dir);
	rc = 0;
out:
	for (size_t i = 0; i < hist_n; i++)
		json_decref(hist[i]);
	free(hist);
	history_free(&nh);
	analysis_free(&an);
	previous_free(&prev);
	acrawl_free(&crawl);
	db_close(pg);
	location_close(&loc);
	return rc;
}
