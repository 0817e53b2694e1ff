#include "core/hex.h"

void hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum err hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *text,
		    size_t text_len)
{
	if (text_len % 2)
		return ERR_PROTO;
	if (text_len / 2 > out_cap)
		return ERR_TOOBIG;
	for (size_t i = 0; i < text_len / 2; i++) {
		int hi = hex_digit_value(text[2 * i]), lo = hex_digit_value(text[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return ERR_PROTO;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*out_len = text_len / 2;
	return ERR_OK;
}
