/* libFuzzer target: Ack / Nack_v_0 / Nack decoder; what decodes re-encodes to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p2p/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct p2p_ack a, b;
	static uint8_t out[P2P_ACK_MAX];
	const char *why = NULL;
	if (p2p_ack_decode(data, size, &a, &why) != ERR_OK) {
		if (!why)
			abort();
		return 0;
	}
	if (a.points_n > P2P_POINTS_MAX)
		abort();
	size_t n;
	if (p2p_ack_encode(&a, out, sizeof out, &n) != ERR_OK)
		abort();
	/* Point text may be non-canonical ("01.2.3.4:09"), so compare decoded values. */
	if (p2p_ack_decode(out, n, &b, NULL) != ERR_OK || b.kind != a.kind ||
	    b.motive != a.motive || b.points_n != a.points_n)
		abort();
	for (size_t k = 0; k < a.points_n; k++)
		if (point_cmp(&a.points[k], &b.points[k]) != 0)
			abort();
	return 0;
}
