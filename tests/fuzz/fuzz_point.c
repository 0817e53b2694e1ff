/* libFuzzer target: point text parse; what parses must format and re-parse to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/point.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct point pt, back;
	const char *why = NULL;
	enum err e = point_parse((const char *)data, size, &pt, &why);
	if (e != ERR_OK) {
		if (!why)
			abort();
	} else {
		char buf[POINT_FMT_CAP];
		size_t n = point_format(&pt, buf, sizeof buf);
		if (n == 0 || n > POINT_TEXT_MAX)
			abort();
		if (point_parse(buf, n, &back, NULL) != ERR_OK || point_cmp(&pt, &back) != 0)
			abort();
	}
	if (point_parse_default((const char *)data, size, 9732, &pt, &why) == ERR_OK) {
		char buf[POINT_FMT_CAP];
		if (point_format(&pt, buf, sizeof buf) == 0)
			abort();
	}
	return 0;
}
