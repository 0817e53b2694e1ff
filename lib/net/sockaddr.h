/*
 * sockaddr — a point (lib/net/point) to and from the socket API's address
 * structures: the one place that fills or reads a sockaddr_in /
 * sockaddr_in6 or an addrinfo entry. An IPv4-mapped point is an AF_INET
 * address, any other an AF_INET6 one. Plain values: no socket, no lookup.
 */
#ifndef TZ_NET_SOCKADDR_H
#define TZ_NET_SOCKADDR_H

#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net/point.h"

/* Fills *ss (zeroed first) with pt's address and port; returns the length to pass. */
socklen_t point_to_sockaddr(const struct point *pt, struct sockaddr_storage *ss);

/* The AF_INET or AF_INET6 address sa as a point. false (and *pt zero) for another family. */
bool point_from_sockaddr(const struct sockaddr *sa, struct point *pt);

/*
 * The address of a getaddrinfo() entry (asked without a service, so no port)
 * with the given port. false for a family other than AF_INET / AF_INET6: then
 * *pt is zero but for the port.
 */
bool point_from_addrinfo(const struct addrinfo *ai, uint16_t port, struct point *pt);

#endif
