/*
 * libFuzzer target: identity.json text -> p2p_identity_parse (the parser
 * behind p2p_identity_load). On success the identity must format and parse
 * back to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p2p/identity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2p_identity id, back;
	char err[256];
	if (size > P2P_IDENTITY_FILE_MAX)
		return 0;
	/* PoW unchecked so that keys and peer ids are exercised too. */
	if (p2p_identity_parse(&id, (const char *)data, size, P2P_POW_NOCHECK, err, sizeof err) !=
	    ERR_OK)
		return 0;
	char text[512];
	size_t len;
	if (p2p_identity_format(text, sizeof text, &len, &id) != ERR_OK)
		abort();
	if (p2p_identity_parse(&back, text, len, P2P_POW_NOCHECK, err, sizeof err) != ERR_OK ||
	    memcmp(&back, &id, sizeof id) != 0)
		abort();
	/* Parse already checked peer id and keys; only the PoW may fail now. */
	enum err e = p2p_identity_check(&id, 26.0, err, sizeof err);
	if (e != ERR_OK && e != ERR_POW)
		abort();
	p2p_identity_cleanup(&id);
	p2p_identity_cleanup(&back);
	return 0;
}
