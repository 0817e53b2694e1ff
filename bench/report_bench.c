/*
 * Times report_render: loads report.json files once, renders N times into
 * OUTDIR, prints the median wall time per render in milliseconds.
 *
 *   report_bench N OUTDIR CUR.json [HIST.json ...]
 *
 * Built and run by bench/report_bench.sh (not part of make check).
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "analyzer/report.h"
#include "core/clock.h"

static double now_ms(void)
{
	return clock_mono_s() * 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s N OUTDIR CUR.json [HIST.json ...]\n", argv[0]);
		return 2;
	}
	int n = (int)strtol(argv[1], NULL, 10);
	if (n < 1 || n > 1000)
		n = 5;
	json_error_t e;
	json_t *cur = json_load_file(argv[3], 0, &e);
	if (!cur) {
		fprintf(stderr, "%s: %s\n", argv[3], e.text);
		return 1;
	}
	size_t hn = (size_t)(argc - 4);
	json_t **hist = calloc(hn ? hn : 1, sizeof *hist);
	for (size_t i = 0; i < hn; i++)
		if (!(hist[i] = json_load_file(argv[4 + i], 0, &e))) {
			fprintf(stderr, "%s: %s\n", argv[4 + i], e.text);
			return 1;
		}
	double *t = calloc((size_t)n, sizeof *t);
	char err[256];
	for (int i = 0; i < n; i++) {
		double t0 = now_ms();
		if (report_render(argv[2], cur, hist, hn, NULL, err, sizeof err) != ERR_OK) {
			fprintf(stderr, "report_render: %s\n", err);
			return 1;
		}
		t[i] = now_ms() - t0;
	}
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("%.3f\n", t[n / 2]);
	for (size_t i = 0; i < hn; i++)
		json_decref(hist[i]);
	json_decref(cur);
	free(hist);
	free(t);
	return 0;
}
