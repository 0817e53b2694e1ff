/*
 * The kernel's share, for bench/crawl_bench.sh: what one crawler visit costs
 * in TCP alone on this machine, with no cryptography and no parsing, so the
 * crypto-only baseline can be read against it.
 *
 * A forked server process plays the nodes: it listens on LISTENERS (4000)
 * loopback addresses, one per node as simnet does (127.OCTET.0.1 ..), writes
 * its "connection message" on accept and
 * answers each request with the sizes a tzcensus visit sees. The client (this
 * process) does exactly the crawler's system calls for one pipelined visit:
 * socket, TCP_NODELAY, non-blocking connect, the first write at once, epoll,
 * one read per readable event, four writes in all, close. Message sizes are
 * the wire sizes of a mainnet visit (each chunk: 2-byte length, 16-byte MAC):
 *
 *   client                                  server
 *   connection message 105 (at once)        connection message 105 (on accept)
 *   metadata + Ack + Bootstrap +            metadata 20 (after our 105)
 *     Get_current_branch 91 (after its 105)
 *                                           Ack + Get_current_branch + Advertise
 *                                           + Current_branch 1359 (after our 91)
 *   Bootstrap 24 (round 2)                  Advertise 974 (after our 24)
 *   Disconnect 24, close                    close on EOF
 *
 * A second pass dials VISITS times a loopback port nobody listens on, as the
 * crawler dials a closed port: socket, TCP_NODELAY, connect, the first write
 * (which returns ECONNREFUSED at once on loopback), close.
 *
 * With PAUSE_MS, the second Bootstrap waits that long after the first
 * answer, as the crawler paces its rounds (Octez's 100 ms throttle): the
 * connections then live as long as the crawler's and idle in between
 * (delayed ACKs, timers, more sockets alive at once).
 *
 *   tcp_floor OCTET VISITS INFLIGHT [PAUSE_MS]  -> prints
 *     "tcp_floor_us_per_visit X user U sys S"
 *     "tcp_floor_us_per_refused_dial R"
 * (CPU microseconds of this process per visit: the crawler's side only; the
 * server's work is in its own process, except the receive path of the
 * packets we send, which Linux runs in the sender's context on loopback, as
 * it does for the crawler).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"

#define LISTENERS 4000 /* each visit dials the next one, round robin */
#define PORT 9732

static const size_t c_send[4] = {105, 91, 24, 24};  /* what the client writes, in order */
static const size_t c_wait[3] = {105, 20 + 1359, 974}; /* bytes it reads before its next write */
static const size_t s_reply[3] = {20, 1359, 974};   /* server: after 105, 91 and 24 bytes in */
static const size_t s_after[3] = {105, 105 + 91, 105 + 91 + 24};

static uint8_t junk[4096];

/* Listener k's address, network order: 127.OCTET.(k / 250).(k % 250 + 1), one per node as in simnet. */
static uint32_t listener_addr(long octet, unsigned k)
{
	return htonl(0x7f000000u | (uint32_t)octet << 16 | (k / 250) << 8 | (k % 250 + 1));
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void write_all(int fd, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, junk, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return; /* the peer went away: the floor does not care */
		}
		n -= (size_t)w;
	}
}

struct sconn {
	size_t in;
	int step;
};

static void server(int octet, int ready_fd)
{
	int ep = epoll_create1(0);
	int lfd[LISTENERS];
	for (int i = 0; i < LISTENERS; i++) {
		lfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		int one = 1;
		setsockopt(lfd[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT)};
		a.sin_addr.s_addr = listener_addr(octet, (unsigned)i);
		if (bind(lfd[i], (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd[i], 4096) < 0)
			die("server: bind/listen");
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)i << 32 | 1u << 31};
		epoll_ctl(ep, EPOLL_CTL_ADD, lfd[i], &ev);
	}
	static struct sconn conns[65536];
	(void)!write(ready_fd, "r", 1);
	close(ready_fd);
	struct epoll_event evs[256];
	static uint8_t buf[16384];
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);
		for (int k = 0; k < n; k++) {
			uint64_t d = evs[k].data.u64;
			if (d & 1u << 31) {
				int l = lfd[d >> 32];
				for (;;) {
					int fd = accept4(l, NULL, NULL, SOCK_NONBLOCK);
					if (fd < 0)
						break;
					if (fd >= 65536) {
						close(fd);
						continue;
					}
					int one = 1;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					conns[fd] = (struct sconn){0, 0};
					write_all(fd, 105);
					struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)fd};
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			int fd = (int)d;
			ssize_t r = recv(fd, buf, sizeof buf, 0);
			if (r <= 0) {
				if (r < 0 && errno == EAGAIN)
					continue;
				close(fd);
				continue;
			}
			struct sconn *c = &conns[fd];
			c->in += (size_t)r;
			while (c->step < 3 && c->in >= s_after[c->step])
				write_all(fd, s_reply[c->step++]);
		}
	}
}

struct cconn {
	int fd;
	size_t in;
	int step;     /* writes done */
	double due;   /* monotonic time its paced write is due */
	uint32_t next; /* FIFO of paced connections (slot + 1; 0 = end) */
};

/* One visit in slot x: the crawler's calls up to its first write. */
static void start_visit(int ep, struct cconn *x, uint32_t slot, int octet, long nth)
{
	x->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->fd < 0)
		die("socket");
	int one = 1;
	setsockopt(x->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	a.sin_addr.s_addr = listener_addr(octet, (unsigned)(nth % LISTENERS));
	x->in = 0;
	if (connect(x->fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS)
		die("connect");
	if (send(x->fd, junk, c_send[0], MSG_NOSIGNAL) != (ssize_t)c_send[0])
		die("first send (the loopback connect was not complete)");
	x->step = 1;
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = slot};
	epoll_ctl(ep, EPOLL_CTL_ADD, x->fd, &ev);
}

/* A decimal in [lo, hi], or -1. */
static long arg_long(const char *s, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 5)
		return fprintf(stderr, "usage: tcp_floor OCTET VISITS INFLIGHT [PAUSE_MS]\n"), 2;
	long octet = arg_long(argv[1], 1, 254);
	long visits = arg_long(argv[2], 1, 10000000);
	long inflight = arg_long(argv[3], 1, 4096);
	long pause_ms = argc == 5 ? arg_long(argv[4], 0, 10000) : 0;
	if (octet < 0 || visits < 0 || inflight < 0 || pause_ms < 0)
		return fprintf(stderr, "tcp_floor: OCTET 1..254, VISITS 1..10^7, INFLIGHT 1..4096,"
		                       " PAUSE_MS 0..10000\n"),
		       2;
	int pfd[2];
	if (pipe(pfd) < 0)
		die("pipe");
	pid_t srv = fork();
	if (srv < 0)
		die("fork");
	if (srv == 0) {
		close(pfd[0]);
		server((int)octet, pfd[1]);
		_exit(0);
	}
	close(pfd[1]);
	char c;
	if (read(pfd[0], &c, 1) != 1)
		die("server not ready");

	int ep = epoll_create1(0);
	struct cconn *cs = calloc((size_t)inflight, sizeof *cs);
	long started = 0, done = 0, failed = 0;
	static uint8_t buf[16384];
	struct rusage r0, r1;
	getrusage(RUSAGE_SELF, &r0);
	double t0 = clock_cpu_s();
	int live = 0;
	for (int i = 0; i < inflight && started < visits; i++, live++)
		start_visit(ep, &cs[i], (uint32_t)i, (int)octet, started++);
	struct epoll_event evs[512];
	uint32_t head = 0, tail = 0; /* paced connections, due in FIFO order */
	while (live > 0) {
		int wait_ms = 10000;
		if (head) {
			double left = cs[head - 1].due - clock_mono_s();
			wait_ms = left > 0 ? (int)(left * 1000) + 1 : 0;
		}
		int n = epoll_wait(ep, evs, 512, wait_ms);
		if (n == 0 && !head)
			die("stalled");
		for (double now = clock_mono_s(); head && cs[head - 1].due <= now;) {
			struct cconn *x = &cs[head - 1];
			head = x->next;
			if (!head)
				tail = 0;
			write_all(x->fd, c_send[x->step++]);
		}
		for (int k = 0; k < n; k++) {
			int i = (int)evs[k].data.u32;
			struct cconn *x = &cs[i];
			ssize_t r = recv(x->fd, buf, sizeof buf, 0);
			if (r <= 0) {
				if (r < 0 && errno == EAGAIN)
					continue;
				failed++;
			} else {
				x->in += (size_t)r;
				if (x->in < c_wait[x->step - 1])
					continue;
				x->in -= c_wait[x->step - 1];
				if (x->step == 2 && pause_ms > 0) { /* round 2 waits */
					x->due = clock_mono_s() + (double)pause_ms / 1000;
					x->next = 0;
					if (tail)
						cs[tail - 1].next = (uint32_t)i + 1;
					else
						head = (uint32_t)i + 1;
					tail = (uint32_t)i + 1;
					continue;
				}
				write_all(x->fd, c_send[x->step++]);
				if (x->step < 4)
					continue;
				done++;
			}
			close(x->fd); /* after the Disconnect, as the crawler */
			live--;
			if (started < visits) {
				start_visit(ep, x, (uint32_t)i, (int)octet, started++);
				live++;
			}
		}
	}
	double cpu = clock_cpu_s() - t0;
	getrusage(RUSAGE_SELF, &r1);
	kill(srv, SIGTERM);
	waitpid(srv, NULL, 0);
	double us = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1e6 +
	            (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec);
	double ss = (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1e6 +
	            (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec);
	if (failed || done != visits)
		return fprintf(stderr, "tcp_floor: %ld of %ld visits failed\n", failed, visits), 1;
	printf("tcp_floor_us_per_visit %.1f user %.1f sys %.1f\n", cpu * 1e6 / (double)done,
	       us / (double)done, ss / (double)done);

	/* Refused dials: an address of the range where nothing listens. */
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT)};
	a.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)octet << 16 | 0xff01u);
	t0 = clock_cpu_s();
	for (long k = 0; k < visits; k++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket");
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS &&
		    errno != ECONNREFUSED)
			die("connect");
		if (send(fd, junk, c_send[0], MSG_NOSIGNAL) >= 0 || errno != ECONNREFUSED)
			die("a closed loopback port did not refuse at once");
		close(fd);
	}
	printf("tcp_floor_us_per_refused_dial %.1f\n", (clock_cpu_s() - t0) * 1e6 / (double)visits);
	return 0;
}
