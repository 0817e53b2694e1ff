/*
 * pow_rate — proof-of-work hash rate of p2p_pow_search, one thread against
 * every core, in the same run. The target is unreachable (f = 256) and each
 * thread gets a fixed budget, so both runs do a known amount of work.
 *
 *   pow_rate [HASHES_PER_THREAD] [ROUNDS]
 */
#include <sodium.h>
#include <sys/resource.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "p2p/identity.h"

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Hashes per wall second of one search with `threads` workers; *per_cpu
 * gets hashes per CPU second (insensitive to other loads on the machine). */
static double run(unsigned threads, uint64_t budget, unsigned *used, double *per_cpu)
{
	uint8_t pk[32], stamp[24], target[32];
	randombytes_buf(pk, sizeof pk);
	if (p2p_pow_target(target, 256.0) != ERR_OK)
		abort();
	uint64_t attempts = 0;
	double t0 = clock_mono_s(), c0 = cpu_s();
	enum err e = p2p_pow_search(stamp, pk, target, threads, budget, p2p_random_system, NULL, &attempts, used);
	double dt = clock_mono_s() - t0, dc = cpu_s() - c0;
	*per_cpu = (double)attempts / dc;
	if (e != ERR_AGAIN || attempts != budget * *used) {
		fprintf(stderr, "pow_rate: unexpected search result %s\n", err_str(e));
		exit(1);
	}
	return (double)attempts / dt;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	uint64_t budget = argc > 1 ? strtoull(argv[1], NULL, 10) : 4000000;
	unsigned rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 3;
	if (sodium_init() < 0 || budget == 0 || rounds == 0 || rounds > 32)
		return 1;
	unsigned cores = p2p_cpu_count(), used1 = 0, usedn = 0;
	double one[32], all[32], one_cpu[32], all_cpu[32];
	for (unsigned r = 0; r < rounds; r++) { /* interleaved: same conditions */
		one[r] = run(1, budget, &used1, &one_cpu[r]);
		all[r] = run(0, budget, &usedn, &all_cpu[r]);
	}
	qsort(one, rounds, sizeof one[0], cmp);
	qsort(all, rounds, sizeof all[0], cmp);
	qsort(one_cpu, rounds, sizeof one[0], cmp);
	qsort(all_cpu, rounds, sizeof all[0], cmp);
	double m1 = one[rounds / 2], mn = all[rounds / 2];
	double c1 = one_cpu[rounds / 2], cn = all_cpu[rounds / 2];
	printf("cores online:            %u\n", cores);
	printf("hashes per thread/run:   %llu, %u rounds (median shown)\n",
	       (unsigned long long)budget, rounds);
	printf("1 thread (baseline):     %.2f Mhash/s\n", m1 / 1e6);
	printf("%u threads:               %.2f Mhash/s overall, %.2f Mhash/s per core\n", usedn,
	       mn / 1e6, mn / 1e6 / usedn);
	printf("speed-up vs 1 thread:    %.2fx (ideal %ux)\n", mn / m1, usedn);
	printf("per CPU second:          %.2f Mhash/s (1 thread), %.2f Mhash/s (%u threads), "
	       "ratio %.2f\n",
	       c1 / 1e6, cn / 1e6, usedn, cn / c1);
	printf("expected time for 26 bits (2^26 hashes): %.1f s at the %u-thread rate\n",
	       67108864.0 / mn, usedn);
	return 0;
}
