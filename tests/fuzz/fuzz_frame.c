/*
 * libFuzzer target: P2P frame decoder and reassembler. The input is fed to
 * the reassembler in chunks whose sizes come from the first bytes; every
 * frame is decoded; what decodes re-encodes and decodes to the same message.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p2p/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* exact: f is one whole frame (from the reassembler); else a stream prefix. */
static void check_frame(const uint8_t *f, size_t len, bool exact)
{
	static struct p2p_msg m, d;
	size_t used;
	const char *why = NULL;
	enum err e = p2p_frame_decode(f, len, &used, &m, &why);
	if (e != ERR_OK) {
		if (!why)
			abort();
		return;
	}
	if (exact ? used != len : used > len)
		abort();
	len = used;
	uint8_t *out = malloc(len + 64 * P2P_POINTS_MAX);
	size_t n;
	if (!out || p2p_frame_encode(&m, out, len + 64 * P2P_POINTS_MAX, &n) != ERR_OK)
		abort();
	if (p2p_frame_decode(out, n, &used, &d, NULL) != ERR_OK || d.tag != m.tag ||
	    d.points_n != m.points_n || d.history_n != m.history_n ||
	    d.head.raw_len != m.head.raw_len || memcmp(d.chain_id, m.chain_id, 4) != 0)
		abort();
	if (m.tag == P2P_TAG_CURRENT_BRANCH && memcmp(d.head.hash, m.head.hash, 32) != 0)
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* Whole input as one frame. */
	check_frame(data + 1, size - 1, false);
	/* Then as a stream cut in chunks of (data[0] % 64) + 1 bytes, with a
	 * frame cap of 16 when bit 6 is set (frames over it dropped unread). */
	size_t step = (size_t)(data[0] % 64) + 1;
	size_t cap = data[0] & 0x40 ? 16 : P2P_FRAME_MAX;
	struct p2p_reasm r;
	p2p_reasm_init(&r);
	if (p2p_reasm_set_cap(&r, cap) != ERR_OK)
		abort();
	for (size_t off = 1; off < size;) {
		size_t c = size - off < step ? size - off : step;
		if (p2p_reasm_push(&r, data + off, c) != ERR_OK)
			break;
		off += c;
		const uint8_t *f;
		size_t flen;
		for (;;) {
			if (p2p_reasm_next(&r, &f, &flen) == ERR_OK) {
				if (flen > 4 + cap)
					abort();
				check_frame(f, flen, true);
				continue;
			}
			uint16_t tag;
			uint32_t dsize;
			if (!p2p_reasm_dropped(&r, &tag, &dsize))
				break;
			if (dsize <= cap || dsize > P2P_FRAME_MAX)
				abort();
		}
	}
	p2p_reasm_cleanup(&r);
	return 0;
}
