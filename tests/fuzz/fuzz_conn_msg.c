/* libFuzzer target: connection message decoder; what decodes re-encodes to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p2p/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2p_conn_msg m;
	size_t used = 0;
	const char *why = NULL;
	enum err e = p2p_conn_msg_decode(data, size, &used, &m, &why);
	if (e != ERR_OK) {
		if (!why)
			abort();
		return 0;
	}
	if (used > size)
		abort();
	uint8_t *out = malloc(used);
	size_t out_len;
	if (!out || p2p_conn_msg_encode(&m, out, used, &out_len) != ERR_OK || out_len != used ||
	    memcmp(out, data, used) != 0)
		abort();
	free(out);
	/* The metadata decoder on the same bytes: only length 2 may pass. */
	struct p2p_metadata md;
	if ((p2p_metadata_decode(data, size, &md, &why) == ERR_OK) != (size == 2))
		abort();
	return 0;
}
