/*
 * Fuzz target: the analyzer's point-text parser (analyzer/ipaddr.c). Point
 * texts come from Advertise lists of remote nodes, through the database.
 * Any input must parse or fail cleanly; a parsed address must format and
 * give prefixes without overflowing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/ipaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	struct ipaddr ip;
	if (ipaddr_of_point(s, &ip) == ERR_OK) {
		char buf[80];
		ipaddr_format(&ip, buf, sizeof buf);
		ipaddr_prefix(&ip, ip.v4 ? 24 : 48, buf, sizeof buf);
		ipaddr_prefix(&ip, 16, buf, sizeof buf);
		if (!memchr(buf, 0, sizeof buf))
			abort();
	}
	free(s);
	return 0;
}
