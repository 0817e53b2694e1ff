/*
 * Benchmark client for bench/simnet_bench.sh: visits the answering nodes of a
 * simnet truth file round robin with the lib/p2p initiator
 * (tests/unit/simclient.c) and prints handshakes per second. Bounded: stops
 * after MAX visits or SECONDS seconds, whichever comes first.
 *
 *   simnet_bench_client TRUTH.json full|banner SECONDS MAX
 *
 * full   = connection message, metadata, Ack both ways, one Bootstrap answered
 *          by an Advertise, the node's Get_current_branch; then close.
 * banner = connect, read the node's connection message, close.
 * Output: one line "visits N ok N failed N seconds S rate R".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "core/clock.h"
#include "tests/unit/simclient.h"

int main(int argc, char **argv)
{
	if (argc != 5 || sodium_init() < 0) {
		fprintf(stderr, "usage: simnet_bench_client TRUTH.json full|banner SECONDS MAX\n");
		return 2;
	}
	bool banner = strcmp(argv[2], "banner") == 0;
	double secs = strtod(argv[3], NULL);
	long max = strtol(argv[4], NULL, 10);
	json_error_t je;
	json_t *t = json_load_file(argv[1], 0, &je);
	if (!t) {
		fprintf(stderr, "%s: %s\n", argv[1], je.text);
		return 1;
	}
	/* answering nodes with something to advertise: every visit is a full exchange */
	size_t cap = json_array_size(json_object_get(t, "nodes")), n = 0;
	struct point *pts = calloc(cap ? cap : 1, sizeof *pts);
	size_t i;
	json_t *nd;
	json_array_foreach(json_object_get(t, "nodes"), i, nd)
	{
		if (strcmp(json_string_value(json_object_get(nd, "reveals")), "advertise") != 0 ||
		    json_array_size(json_object_get(nd, "advertises")) == 0)
			continue;
		const char *p = json_string_value(json_object_get(nd, "point"));
		if (point_parse(p, strlen(p), &pts[n], NULL) == ERR_OK)
			n++;
	}
	if (n == 0) {
		fprintf(stderr, "no answering node in %s\n", argv[1]);
		return 1;
	}
	struct p2p_identity id;
	if (sc_identity(&id, json_real_value(json_object_get(t, "expected_pow"))) != 0)
		return 1;
	struct sc_opts o = {
	    .id = &id, .timeout_ms = 3000, .open_ms = 1000, .bootstraps = 1, .banner_only = banner};
	long visits = 0, ok = 0;
	double t0 = clock_mono_s(), el = 0;
	while (visits < max && (el = clock_mono_s() - t0) < secs) {
		struct sc_result r;
		sc_visit(&pts[visits % (long)n], &o, &r);
		visits++;
		ok += r.outcome == SC_OK && (banner || r.adv_msgs == 1);
	}
	el = clock_mono_s() - t0;
	printf("visits %ld ok %ld failed %ld seconds %.3f rate %.1f\n", visits, ok, visits - ok, el,
	       ok / el);
	p2p_identity_cleanup(&id);
	free(pts);
	json_decref(t);
	return ok == visits ? 0 : 1;
}
