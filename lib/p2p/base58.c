/*
 * Base58 by repeated division of a big-endian byte string, the textbook
 * quadratic method: our inputs are at most a few dozen bytes, so clarity
 * wins over speed. Leading zero bytes map to leading '1' characters.
 */
#include "p2p/base58.h"

#include <sodium.h>
#include <string.h>

static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Longest text for BASE58_MAX_BYTES bytes: log(256)/log(58) < 1.37 per byte. */
#define B58_TEXT_MAX (BASE58_MAX_BYTES * 138 / 100 + 2)

enum err base58_encode(char *out, size_t cap, size_t *text_len, const uint8_t *in, size_t len)
{
	if (len > BASE58_MAX_BYTES)
		return ERR_TOOBIG;
	size_t zeros = 0;
	while (zeros < len && in[zeros] == 0)
		zeros++;
	/* digits[] holds the base-58 number, least significant digit first. */
	uint8_t digits[B58_TEXT_MAX];
	size_t n = 0;
	for (size_t i = zeros; i < len; i++) {
		unsigned carry = in[i];
		for (size_t k = 0; k < n; k++) {
			carry += (unsigned)digits[k] << 8;
			digits[k] = (uint8_t)(carry % 58);
			carry /= 58;
		}
		while (carry) {
			digits[n++] = (uint8_t)(carry % 58);
			carry /= 58;
		}
	}
	size_t total = zeros + n;
	if (cap < total + 1)
		return ERR_FULL;
	memset(out, '1', zeros);
	for (size_t k = 0; k < n; k++)
		out[zeros + k] = alphabet[digits[n - 1 - k]];
	out[total] = '\0';
	*text_len = total;
	return ERR_OK;
}

static int digit_of(char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;
	return p ? (int)(p - alphabet) : -1;
}

enum err base58_decode(uint8_t *out, size_t cap, size_t *out_len, const char *text,
		       size_t text_len)
{
	if (text_len == 0)
		return ERR_PROTO;
	if (text_len > B58_TEXT_MAX)
		return ERR_TOOBIG;
	size_t ones = 0;
	while (ones < text_len && text[ones] == '1')
		ones++;
	/* bytes[] holds the number, least significant byte first. */
	uint8_t bytes[B58_TEXT_MAX];
	size_t n = 0;
	for (size_t i = ones; i < text_len; i++) {
		int d = digit_of(text[i]);
		if (d < 0)
			return ERR_PROTO;
		unsigned carry = (unsigned)d;
		for (size_t k = 0; k < n; k++) {
			carry += (unsigned)bytes[k] * 58;
			bytes[k] = (uint8_t)carry;
			carry >>= 8;
		}
		while (carry) {
			bytes[n++] = (uint8_t)carry;
			carry >>= 8;
		}
	}
	size_t total = ones + n;
	if (total > BASE58_MAX_BYTES)
		return ERR_TOOBIG;
	if (cap < total)
		return ERR_FULL;
	memset(out, 0, ones);
	for (size_t k = 0; k < n; k++)
		out[ones + k] = bytes[n - 1 - k];
	*out_len = total;
	return ERR_OK;
}

static void checksum(uint8_t sum[4], const uint8_t *p, size_t len)
{
	uint8_t h1[crypto_hash_sha256_BYTES], h2[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h1, p, len);
	crypto_hash_sha256(h2, h1, sizeof h1);
	memcpy(sum, h2, 4);
}

enum err base58_check_encode(char *out, size_t cap, size_t *text_len, const uint8_t *payload,
			     size_t len)
{
	if (len > BASE58_MAX_BYTES - 4)
		return ERR_TOOBIG;
	uint8_t buf[BASE58_MAX_BYTES];
	memcpy(buf, payload, len);
	checksum(buf + len, payload, len);
	return base58_encode(out, cap, text_len, buf, len + 4);
}

enum err base58_check_decode(uint8_t *out, size_t cap, size_t *out_len, const char *text,
			     size_t text_len)
{
	uint8_t buf[BASE58_MAX_BYTES], sum[4];
	size_t n = 0;
	enum err e = base58_decode(buf, sizeof buf, &n, text, text_len);
	if (e != ERR_OK)
		return e;
	if (n < 4)
		return ERR_PROTO;
	checksum(sum, buf, n - 4);
	if (sodium_memcmp(sum, buf + n - 4, 4) != 0)
		return ERR_PROTO;
	if (cap < n - 4)
		return ERR_FULL;
	memcpy(out, buf, n - 4);
	*out_len = n - 4;
	return ERR_OK;
}
