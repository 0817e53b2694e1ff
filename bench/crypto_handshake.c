/*
 * Baseline for bench/crawl_bench.sh: how many crawler-side handshakes per
 * second one core could do if the crawl were nothing but libsodium calls.
 *
 * One "handshake" is exactly the cryptography the initiator performs in a
 * tzcensus visit (docs/protocol.md §5, §16.1): the peer's PoW hash and peer id (two
 * Blake2b), the channel key (crypto_box_beforenm: one X25519), the two
 * channel nonces (two Blake2b over both connection messages), and the
 * chunks of a full visit: 6 sealed (metadata, Ack, 2 Bootstrap,
 * Get_current_branch, Disconnect) and 6 opened (metadata, Ack, 2 Advertise
 * of 50 points, Get_current_branch, Current_branch). No sockets, no parsing.
 *
 *   crypto_handshake SECONDS   -> prints "crypto_handshakes_per_s N"
 * (N per CPU-second of this single-threaded process).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

int main(int argc, char **argv)
{
	double secs = argc > 1 ? strtod(argv[1], NULL) : 2.0;
	if (sodium_init() < 0)
		return 1;
	uint8_t our_pk[32], our_sk[32], peer_pk[32], peer_sk[32], stamp[24];
	crypto_box_keypair(our_pk, our_sk);
	crypto_box_keypair(peer_pk, peer_sk);
	randombytes_buf(stamp, sizeof stamp);
	uint8_t conn_i[110], conn_r[110]; /* two connection messages with their prefix */
	randombytes_buf(conn_i, sizeof conn_i);
	randombytes_buf(conn_r, sizeof conn_r);
	static const size_t sealed[6] = {2, 1, 6, 6, 10, 6};
	static const size_t opened[6] = {2, 1, 956, 956, 10, 320};
	static uint8_t plain[1024], box[1024 + 16], out[1024];
	randombytes_buf(plain, sizeof plain);
	uint8_t k[32], n_ir[24], n_ri[24], h[32], pid[16];
	uint8_t boxes[6][1024 + 16];
	/* opened chunks are made once (by "the peer") and opened in every round */
	if (crypto_box_beforenm(k, peer_pk, our_sk) != 0)
		return 1;
	memset(n_ir, 0, sizeof n_ir);
	for (int i = 0; i < 6; i++)
		crypto_box_easy_afternm(boxes[i], plain, opened[i], n_ir, k);

	unsigned long long n = 0;
	double t0 = clock_cpu_s(), t = t0;
	volatile uint8_t sink = 0;
	while (t - t0 < secs) {
		for (int rep = 0; rep < 64; rep++) {
			uint8_t pow_in[56];
			memcpy(pow_in, peer_pk, 32);
			memcpy(pow_in + 32, stamp, 24);
			crypto_generichash(h, 32, pow_in, sizeof pow_in, NULL, 0);
			crypto_generichash(pid, 16, peer_pk, 32, NULL, 0);
			if (crypto_box_beforenm(k, peer_pk, our_sk) != 0)
				return 1;
			uint8_t in[sizeof conn_i + sizeof conn_r + 16];
			memcpy(in, conn_i, sizeof conn_i);
			memcpy(in + sizeof conn_i, conn_r, sizeof conn_r);
			memcpy(in + sizeof conn_i + sizeof conn_r, "Init -> Resp\0\0\0\0", 16);
			crypto_generichash(h, 32, in, sizeof in - 4, NULL, 0);
			memcpy(n_ir, h, 24);
			memcpy(in + sizeof conn_i + sizeof conn_r, "Resp -> Init\0\0\0\0", 16);
			crypto_generichash(h, 32, in, sizeof in - 4, NULL, 0);
			memcpy(n_ri, h, 24);
			for (int i = 0; i < 6; i++)
				crypto_box_easy_afternm(box, plain, sealed[i], n_ri, k);
			memset(n_ir, 0, sizeof n_ir);
			for (int i = 0; i < 6; i++) /* same key as the boxes: they open */
				if (crypto_box_open_easy_afternm(out, boxes[i], opened[i] + 16, n_ir,
								 k) != 0)
					return 1;
			sink ^= out[0] ^ box[0] ^ pid[0];
			n++;
		}
		t = clock_cpu_s();
	}
	(void)sink;
	printf("crypto_handshakes_per_s %.0f\n", (double)n / (t - t0));
	return 0;
}
