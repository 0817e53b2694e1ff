/*
 * tzcensus-crawl — for now only the identity commands; the crawler CLI
 * replaces this file and keeps calling identity_cmd_gen/identity_cmd_check.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "crawler/identity_cmd.h"
#include "p2p/pow.h"

#ifndef TZCENSUS_VERSION
#define TZCENSUS_VERSION "0.1.0-dev"
#endif

static void usage(FILE *f)
{
	fprintf(f, "usage: tzcensus-crawl --gen-identity FILE [--pow BITS]\n"
		   "       tzcensus-crawl --check-identity FILE [--pow BITS]\n"
		   "       tzcensus-crawl --help | --version\n"
		   "\n"
		   "  --gen-identity FILE    make a new Octez identity (key pair + proof of\n"
		   "                         work) on every core; refuses an existing FILE\n"
		   "  --check-identity FILE  validate an identity.json; exit 1 when invalid\n"
		   "  --pow BITS             proof of work, 0 to 256, fractions allowed\n"
		   "                         (default %g, what octez-node expects)\n",
		P2P_POW_DEFAULT);
}

int main(int argc, char **argv)
{
	enum { OPT_GEN = 1, OPT_CHECK, OPT_POW, OPT_HELP, OPT_VERSION };
	static const struct option opts[] = {
		{"gen-identity", required_argument, NULL, OPT_GEN},
		{"check-identity", required_argument, NULL, OPT_CHECK},
		{"pow", required_argument, NULL, OPT_POW},
		{"help", no_argument, NULL, OPT_HELP},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	const char *gen = NULL, *check = NULL;
	double pow = P2P_POW_DEFAULT;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_GEN:
			gen = optarg;
			break;
		case OPT_CHECK:
			check = optarg;
			break;
		case OPT_POW: {
			char *end;
			pow = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !isfinite(pow) || pow < 0 ||
			    pow > 256) {
				fprintf(stderr,
					"tzcensus-crawl: --pow %s: want a number of bits from 0 "
					"to 256\n",
					optarg);
				return 2;
			}
			break;
		}
		case OPT_HELP:
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("tzcensus-crawl %s\n", TZCENSUS_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tzcensus-crawl: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if ((gen != NULL) == (check != NULL)) {
		fprintf(stderr, "tzcensus-crawl: give exactly one of --gen-identity, "
				"--check-identity (the crawler itself is not built yet)\n");
		usage(stderr);
		return 2;
	}
	return gen ? identity_cmd_gen(gen, pow) : identity_cmd_check(check, pow);
}
