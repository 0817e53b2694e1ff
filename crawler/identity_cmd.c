/*
 * --gen-identity / --check-identity. The library does the work; this file
 * owns the clock (for the hash rate) and the real random source.
 */
#include "crawler/identity_cmd.h"

#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "p2p/identity.h"

/* "12.3 M" style figure for a hash rate. */
static void human_rate(char *out, size_t cap, double per_s)
{
	if (per_s >= 1e6)
		snprintf(out, cap, "%.2f Mhash/s", per_s / 1e6);
	else if (per_s >= 1e3)
		snprintf(out, cap, "%.1f khash/s", per_s / 1e3);
	else
		snprintf(out, cap, "%.0f hash/s", per_s);
}

int identity_cmd_gen(const char *path, double pow)
{
	uint8_t target[32];
	if (p2p_pow_target(target, pow) != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: --pow %g: want a number of bits from 0 to 256\n",
			pow);
		return 1;
	}
	struct stat st;
	if (lstat(path, &st) == 0) {
		fprintf(stderr, "tzcensus-crawl: %s exists; refusing to overwrite an identity\n",
			path);
		return 1;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "tzcensus-crawl: libsodium failed to initialise\n");
		return 1;
	}
	struct p2p_identity *id = p2p_identity_new();
	if (!id) {
		fprintf(stderr, "tzcensus-crawl: out of memory\n");
		return 1;
	}
	unsigned threads = p2p_cpu_count();
	printf("generating an identity with proof of work %g on %u thread%s...\n", pow, threads,
	       threads == 1 ? "" : "s");
	fflush(stdout);
	uint64_t attempts = 0;
	unsigned used = 0;
	double t0 = clock_mono_s();
	enum err e = p2p_identity_generate(id, pow, threads, p2p_random_system, NULL, &attempts, &used);
	double elapsed = clock_mono_s() - t0;
	if (e != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: identity generation failed: %s\n", err_str(e));
		p2p_identity_free(id);
		return 1;
	}
	char err[512];
	e = p2p_identity_save(path, id, false, err, sizeof err);
	if (e != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: %s\n", err);
		p2p_identity_free(id);
		return 1;
	}
	char pid[P2P_PEER_ID_B58_LEN + 1], all[32], core[32];
	p2p_peer_id_b58(pid, id->peer_id);
	double rate = elapsed > 0 ? (double)attempts / elapsed : 0;
	human_rate(all, sizeof all, rate);
	human_rate(core, sizeof core, used ? rate / used : 0);
	printf("peer_id:        %s\n", pid);
	printf("proof of work:  %u bits (required %g)\n", p2p_pow_bits(id->pk, id->stamp), pow);
	printf("attempts:       %llu hashes on %u thread%s\n", (unsigned long long)attempts, used,
	       used == 1 ? "" : "s");
	printf("hash rate:      %s overall, %s per core\n", all, core);
	printf("elapsed:        %.2f s\n", elapsed);
	printf("written:        %s (mode 0600)\n", path);
	p2p_identity_free(id);
	return 0;
}

int identity_cmd_check(const char *path, double pow)
{
	uint8_t target[32];
	if (p2p_pow_target(target, pow) != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: --pow %g: want a number of bits from 0 to 256\n",
			pow);
		return 1;
	}
	struct p2p_identity *id = p2p_identity_new();
	if (!id) {
		fprintf(stderr, "tzcensus-crawl: out of memory\n");
		return 1;
	}
	char err[512];
	enum err e = p2p_identity_load(path, id, pow, err, sizeof err);
	if (e != ERR_OK) {
		fprintf(stderr, "tzcensus-crawl: invalid identity: %s\n", err);
		p2p_identity_free(id);
		return 1;
	}
	char pid[P2P_PEER_ID_B58_LEN + 1];
	p2p_peer_id_b58(pid, id->peer_id);
	printf("%s: valid identity %s, proof of work %u bits (required %g)\n", path, pid,
	       p2p_pow_bits(id->pk, id->stamp), pow);
	p2p_identity_free(id);
	return 0;
}
