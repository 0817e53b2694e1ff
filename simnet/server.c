/*
 * The server's set-up and listening sockets: srv_new binds every listening
 * point under a raised descriptor limit, accept_cb takes connections in
 * bursts and closes at once what a silent or busy node would not take; every
 * other connection goes to session.c (srv_conn_start), where a node's
 * behaviour on one connection lives. Both share server_int.h.
 */
#include "simnet/server.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>
#include <sodium.h>

#include "core/log.h"
#include "core/rng.h"
#include "net/sockaddr.h"
#include "simnet/server_int.h"

#define ACCEPT_BURST   32 /* accepts per listener event: fairness between nodes */
#define LISTEN_BACKLOG 128

/* ---- accepting ------------------------------------------------------------ */

static void reaper_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)revents;
	srv_reap(w->data);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct listener *l = (struct listener *)w;
	struct srv *s = l->s;
	const struct sim_node *nd = &s->w->nodes[l->node];
	for (int i = 0; i < ACCEPT_BURST; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(w->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				log_warn("accept: %s (descriptor limit)", strerror(errno));
			return;
		}
		s->st.accepted++;
		if (nd->beh == BEH_SILENT_CLOSE) {
			s->st.silent_closed++; /* busy or banned: accepted, closed, 0 bytes */
			close(fd);
			continue;
		}
		if (nd->beh != BEH_STALL &&
		    s->nodes[l->node].inflight >= (uint32_t)s->c->max_incoming) {
			s->st.busy_closed++; /* docs/protocol.md §9.1: too many handshakes in flight */
			close(fd);
			continue;
		}
		srv_conn_start(s, fd, l, &ss);
	}
}

/* ---- set-up --------------------------------------------------------------- */

static int bind_point(const struct point *pt, char *err, size_t err_cap)
{
	char text[POINT_FMT_CAP];
	point_format(pt, text, sizeof text);
	bool v4 = point_is_v4(pt);
	int fd = socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, err_cap, "socket for %s: %s", text, strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (!v4)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	struct sockaddr_storage ss;
	socklen_t sl = point_to_sockaddr(pt, &ss);
	int rc = bind(fd, (struct sockaddr *)&ss, sl);
	if (rc != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
		snprintf(err, err_cap, "cannot listen on %s: %s%s", text, strerror(errno),
		         v4 ? "" : " (choose other [::1] ports with topology.v6_port_base)");
		close(fd);
		return -1;
	}
	return fd;
}

/* Every listener, plus head room for connections, under the hard limit. */
static enum err raise_nofile(size_t listeners, char *err, size_t err_cap)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		snprintf(err, err_cap, "getrlimit: %s", strerror(errno));
		return ERR_IO;
	}
	rlim_t want = (rlim_t)listeners + 4096;
	if (rl.rlim_cur < want) {
		rl.rlim_cur =
		    rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			snprintf(err, err_cap, "setrlimit(NOFILE, %llu): %s",
			         (unsigned long long)rl.rlim_cur, strerror(errno));
			return ERR_IO;
		}
	}
	if (rl.rlim_cur < (rlim_t)listeners + 64) {
		snprintf(err, err_cap,
		         "%zu listening sockets need more descriptors than the hard limit %llu "
		         "(raise it with ulimit -Hn)",
		         listeners, (unsigned long long)rl.rlim_max);
		return ERR_IO;
	}
	return ERR_OK;
}

enum err srv_new(struct srv **out, struct ev_loop *loop, const struct world *w,
                 const struct sim_config *c, FILE *violations, char *err, size_t err_cap)
{
	*out = NULL;
	struct srv *s = calloc(1, sizeof *s);
	if (!s)
		return ERR_NOMEM;
	s->loop = loop;
	s->w = w;
	s->c = c;
	s->viol = violations;
	/* runtime choices (Advertise samples) differ run to run, as in Octez, unless
	 * runtime_seed fixes them */
	uint64_t rs = (uint64_t)c->runtime_seed;
	if (rs == 0)
		randombytes_buf(&rs, sizeof rs);
	rng_seed(&s->rng, rs);
	size_t n = 0;
	for (size_t i = 0; i < w->point_n; i++)
		n += w->points[i].kind == SP_LISTEN;
	enum err e = raise_nofile(n, err, err_cap);
	if (e != ERR_OK)
		goto fail;
	s->nodes = calloc(w->node_n ? w->node_n : 1, sizeof *s->nodes);
	s->ls = calloc(n ? n : 1, sizeof *s->ls);
	if (!s->nodes || !s->ls) {
		e = ERR_NOMEM;
		snprintf(err, err_cap, "out of memory");
		goto fail;
	}
	ev_prepare_init(&s->reaper, reaper_cb);
	s->reaper.data = s;
	for (size_t i = 0; i < w->point_n; i++) {
		const struct sim_point *sp = &w->points[i];
		if (sp->kind != SP_LISTEN)
			continue;
		int fd = bind_point(&sp->pt, err, err_cap);
		if (fd < 0) {
			e = ERR_IO;
			goto fail;
		}
		struct listener *l = &s->ls[s->ls_n++];
		ev_io_init(&l->io, accept_cb, fd, EV_READ);
		l->s = s;
		l->node = (uint32_t)sp->node;
		l->point = (uint32_t)i;
	}
	*out = s;
	return ERR_OK;
fail:
	srv_free(s);
	return e;
}

size_t srv_listener_n(const struct srv *s)
{
	return s->ls_n;
}

void srv_start(struct srv *s)
{
	for (size_t i = 0; i < s->ls_n; i++)
		ev_io_start(s->loop, &s->ls[i].io);
	ev_prepare_start(s->loop, &s->reaper);
}

const struct srv_stats *srv_stats(const struct srv *s)
{
	return &s->st;
}

void srv_free(struct srv *s)
{
	if (!s)
		return;
	for (size_t node = 0; s->nodes && node < s->w->node_n; node++)
		while (s->nodes[node].conns)
			srv_conn_close(s->nodes[node].conns);
	srv_reap(s);
	if (s->loop)
		ev_prepare_stop(s->loop, &s->reaper);
	for (size_t i = 0; i < s->ls_n; i++) {
		ev_io_stop(s->loop, &s->ls[i].io);
		close(s->ls[i].io.fd);
	}
	free(s->ls);
	free(s->nodes);
	free(s);
}
