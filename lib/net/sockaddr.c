/* Point <-> sockaddr conversions (lib/net/sockaddr.h). */
#include "net/sockaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

socklen_t point_to_sockaddr(const struct point *pt, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (point_is_v4(pt)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(pt->port);
		memcpy(&s4->sin_addr, pt->addr + 12, 4);
		return sizeof *s4;
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(pt->port);
	memcpy(&s6->sin6_addr, pt->addr, 16);
	return sizeof *s6;
}

/* The address part only; the port is the caller's. */
static bool addr_from(const struct sockaddr *sa, struct point *pt)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		pt->addr[10] = pt->addr[11] = 0xff;
		memcpy(pt->addr + 12, &s4->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		memcpy(pt->addr, &s6->sin6_addr, 16);
		return true;
	}
	return false;
}

bool point_from_sockaddr(const struct sockaddr *sa, struct point *pt)
{
	memset(pt, 0, sizeof *pt);
	if (!addr_from(sa, pt))
		return false;
	if (sa->sa_family == AF_INET)
		pt->port = ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
	else
		pt->port = ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	return true;
}

bool point_from_addrinfo(const struct addrinfo *ai, uint16_t port, struct point *pt)
{
	memset(pt, 0, sizeof *pt);
	pt->port = port;
	if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
		return false;
	return addr_from(ai->ai_addr, pt);
}
