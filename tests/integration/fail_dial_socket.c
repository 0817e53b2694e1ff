/*
 * LD_PRELOAD fault injector for crawl_local_errors.sh (not linked into any
 * program): the first TZ_FAIL_DIAL_SOCKETS calls of socket() that ask for a
 * non-blocking TCP socket (the crawler's dials; libpq's sockets are created
 * blocking and pass) fail with errno TZ_FAIL_ERRNO (a number, default
 * ENOBUFS), as when the kernel is out of buffers. Built by the test with
 * the system compiler.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

int socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);
	static long left = -1, err = ENOBUFS;
	if (!real)
		real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	if (left < 0) {
		const char *n = getenv("TZ_FAIL_DIAL_SOCKETS"), *e = getenv("TZ_FAIL_ERRNO");
		left = n ? strtol(n, NULL, 10) : 0;
		if (e)
			err = strtol(e, NULL, 10);
	}
	if (left > 0 && (domain == AF_INET || domain == AF_INET6) && (type & SOCK_NONBLOCK)) {
		left--;
		errno = (int)err;
		return -1;
	}
	return real(domain, type, protocol);
}
