/*
 * rpc — a fixed HTTP/1.1 responder, deliberately minimal: read one request
 * head (at most RQ_MAX bytes), write one prepared answer, close. It is a
 * test fixture for the crawler's libcurl client, not an HTTP server.
 */
#include "simnet/rpc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/rng.h"
#include "net/point.h"
#include "net/sockaddr.h"
#include "simnet/config.h"
#include "simnet/world.h"

#define RQ_MAX 4096            /* request head bytes read */
#define HUGE_LEN (1u << 20)    /* bytes a huge answer sends */
#define CONNS_MAX 2048         /* RPC connections at once; more are closed at accept */
#define RPC_STREAM 0x5250430000000000ull /* "RPC": the plan's own random stream */

static const char *const kind_names[SRPC_KIND_N] = {
    [SRPC_NONE] = "none",           [SRPC_VERSION] = "version",
    [SRPC_SLOW] = "slow",           [SRPC_HUGE] = "huge",
    [SRPC_NOT_JSON] = "not_json",   [SRPC_REDIRECT] = "redirect",
    [SRPC_GARBAGE_CHUNKS] = "garbage_chunks",
};

const char *sim_rpc_kind_str(enum sim_rpc_kind k)
{
	switch (k) {
	case SRPC_NONE:
	case SRPC_VERSION:
	case SRPC_SLOW:
	case SRPC_HUGE:
	case SRPC_NOT_JSON:
	case SRPC_REDIRECT:
	case SRPC_GARBAGE_CHUNKS: return kind_names[k];
	}
	return "?";
}

/* ---- releases ------------------------------------------------------------- */

static bool digits(const char **p, int *out)
{
	const char *s = *p;
	long v = 0;
	int n = 0;
	while (*s >= '0' && *s <= '9' && n < 9) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0 || (*s >= '0' && *s <= '9'))
		return false;
	*out = (int)v;
	*p = s;
	return true;
}

enum err sim_release_parse(const char *spec, struct sim_release *out)
{
	memset(out, 0, sizeof *out);
	const char *eq = strchr(spec, '=');
	if (!eq || spec[0] != 'v' || (size_t)(eq - spec) >= sizeof out->text)
		return ERR_CONFIG;
	memcpy(out->text, spec, (size_t)(eq - spec));
	const char *p = spec + 1;
	if (!digits(&p, &out->major) || *p++ != '.' || !digits(&p, &out->minor))
		return ERR_CONFIG;
	if (*p == '~') {
		p++;
		if (strncmp(p, "rc", 2) == 0) {
			memcpy(out->pre, "rc", 3);
			p += 2;
		} else if (strncmp(p, "beta", 4) == 0) {
			memcpy(out->pre, "beta", 5);
			p += 4;
		} else {
			return ERR_CONFIG;
		}
		if (!digits(&p, &out->pre_n))
			return ERR_CONFIG;
	}
	if (strncmp(p, "+dev", 4) == 0) {
		out->dev = true;
		p += 4;
	}
	if (p != eq)
		return ERR_CONFIG;
	char *end;
	out->weight = strtod(eq + 1, &end);
	if (end == eq + 1 || *end != '\0' || !(out->weight >= 0) || out->weight > 1e9)
		return ERR_CONFIG;
	return ERR_OK;
}

/* Octez's JSON of a version (octez_node_version.ml, encoding). Malloc'd text. */
static char *version_json(const struct sim_release *r, const struct sim_config *c,
                          const struct sim_node *nd)
{
	json_t *ai;
	if (r->pre[0]) {
		char key[16];
		snprintf(key, sizeof key, "%s%s", r->pre, r->dev ? "_dev" : "");
		ai = json_pack("{s:i}", key, r->pre_n);
	} else {
		ai = json_string(r->dev ? "dev" : "release");
	}
	/* a made-up commit per release: the same release, the same commit */
	uint64_t h = 1469598103934665603ull;
	for (const char *s = r->text; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	char hash[41];
	for (int i = 0; i < 40; i++)
		hash[i] = "0123456789abcdef"[(h >> ((i % 16) * 4)) & 15];
	hash[40] = '\0';
	json_t *o = json_pack("{s:{s:i,s:i,s:o},s:{s:s,s:i,s:i},s:{s:s,s:s}}", "version", "major",
	                      r->major, "minor", r->minor, "additional_info", ai,
	                      "network_version", "chain_name", c->chain_name,
	                      "distributed_db_version", (int)nd->ddb_version, "p2p_version",
	                      (int)nd->p2p_version, "commit_info", "commit_hash", hash,
	                      "commit_date", "2025-06-02 09:00:00 +0000");
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return text;
}

/* ---- the plan ---------------------------------------------------------------- */

enum err sim_rpc_plan(const struct world *w, const struct sim_config *c, struct sim_rpc_node **out)
{
	struct sim_rpc_node *p = calloc(w->node_n ? w->node_n : 1, sizeof *p);
	if (!p)
		return ERR_NOMEM;
	struct sim_release rel[SIM_RELEASES_MAX];
	size_t rel_n = 0;
	double total = 0;
	for (size_t i = 0; i < c->rpc_releases.n && rel_n < SIM_RELEASES_MAX; i++) {
		if (sim_release_parse(c->rpc_releases.v[i], &rel[rel_n]) != ERR_OK) {
			free(p);
			return ERR_CONFIG;
		}
		total += rel[rel_n++].weight;
	}
	struct rng r;
	rng_seed(&r, w->seed ^ RPC_STREAM);
	size_t hostile_n = 0;
	for (size_t i = 0; i < w->node_n; i++) {
		const struct sim_node *nd = &w->nodes[i];
		p[i].release = -1;
		/* three draws per node whatever happens: a node's plan does not
		 * depend on the nodes before it */
		double u_rpc = rng_unit(&r), u_hostile = rng_unit(&r), u_rel = rng_unit(&r);
		/* public nodes on their own IPv4 address (shared_ip and [::1] nodes share one) */
		if (nd->beh != BEH_PUBLIC || !point_is_v4(&w->points[nd->pt[0]].pt) ||
		    w->points[nd->pt[0]].kind != SP_LISTEN || u_rpc >= c->rpc_share ||
		    !(total > 0))
			continue;
		if (u_hostile < c->rpc_hostile) {
			p[i].kind = (uint8_t)(SRPC_SLOW + hostile_n++ % (SRPC_KIND_N - SRPC_SLOW));
			continue;
		}
		double x = u_rel * total;
		size_t k = 0;
		while (k + 1 < rel_n && x >= rel[k].weight) {
			x -= rel[k].weight;
			k++;
		}
		p[i].kind = SRPC_VERSION;
		p[i].release = (int8_t)k;
	}
	*out = p;
	return ERR_OK;
}

/* ---- the server ------------------------------------------------------------------ */

struct rlistener {
	ev_io io; /* first: the watcher's address is the listener's */
	struct sim_rpc *s;
	uint32_t node;
};

struct rconn {
	ev_io io;
	ev_timer hold;
	struct sim_rpc *s;
	struct rconn *prev, *next;
	int fd;
	uint32_t node;
	char client[POINT_FMT_CAP];
	char rq[RQ_MAX];
	size_t rq_len;
	char *out;        /* the answer (owned), or NULL for a huge body */
	size_t out_len, out_off;
	size_t huge_left; /* body bytes a huge answer still sends */
	bool answered;
};

struct sim_rpc {
	struct ev_loop *loop;
	const struct world *w;
	const struct sim_config *c;
	FILE *log;
	struct sim_rpc_node *plan;
	struct sim_release rel[SIM_RELEASES_MAX];
	struct rlistener *ls;
	size_t ls_n;
	struct rconn *live, *dead;
	size_t live_n;
	ev_prepare reaper;
	struct sim_rpc_stats st;
};

static void rconn_close(struct rconn *k)
{
	struct sim_rpc *s = k->s;
	ev_io_stop(s->loop, &k->io);
	ev_timer_stop(s->loop, &k->hold);
	close(k->fd);
	if (k->prev)
		k->prev->next = k->next;
	else
		s->live = k->next;
	if (k->next)
		k->next->prev = k->prev;
	s->live_n--;
	k->next = s->dead; /* freed by the reaper, not inside its own callback */
	s->dead = k;
}

static void reaper_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)revents;
	struct sim_rpc *s = w->data;
	while (s->dead) {
		struct rconn *k = s->dead;
		s->dead = k->next;
		free(k->out);
		free(k);
	}
}

static char *dup_printf(size_t *len, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *dup_printf(size_t *len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = malloc((size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*len = (size_t)n;
	return p;
}

/* The answer to one request, by the node's kind (and the path). */
static void prepare(struct rconn *k, const char *path)
{
	struct sim_rpc *s = k->s;
	const struct sim_node *nd = &s->w->nodes[k->node];
	enum sim_rpc_kind kind = (enum sim_rpc_kind)s->plan[k->node].kind;
	char host[POINT_FMT_CAP];
	point_format_addr(&s->w->points[nd->pt[0]].pt, host, sizeof host);
	if (strcmp(path, "/version") != 0) {
		k->out = dup_printf(&k->out_len,
		                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
		                    "Connection: close\r\n\r\n");
		return;
	}
	s->st.answers[kind]++;
	switch (kind) {
	case SRPC_NONE: /* not bound: never reached */
	case SRPC_VERSION: {
		char *body = version_json(&s->rel[s->plan[k->node].release], s->c, nd);
		if (body)
			k->out = dup_printf(&k->out_len,
			                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			                    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			                    strlen(body), body);
		free(body);
		return;
	}
	case SRPC_SLOW: /* a status line, then nothing until rpc.slow_ms */
		k->out = dup_printf(&k->out_len, "HTTP/1.1 200 OK\r\n");
		return;
	case SRPC_HUGE:
		k->out = dup_printf(&k->out_len,
		                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		                    "Connection: close\r\n\r\n");
		k->huge_left = HUGE_LEN;
		return;
	case SRPC_NOT_JSON: {
		static const char page[] = "<html><body>Octez?</body></html>\r\n";
		k->out = dup_printf(&k->out_len,
		                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
		                    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		                    sizeof page - 1, page);
		return;
	}
	case SRPC_REDIRECT: /* to the node itself: a follower would show up in the log */
		k->out = dup_printf(&k->out_len,
		                    "HTTP/1.1 302 Found\r\nLocation: http://%s:%lld/redirected\r\n"
		                    "Content-Length: 0\r\nConnection: close\r\n\r\n",
		                    host, s->c->rpc_port);
		return;
	case SRPC_GARBAGE_CHUNKS:
		k->out = dup_printf(&k->out_len,
		                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		                    "zz-not-a-size\r\n{\"version\":\r\n0\r\n\r\n");
		return;
	}
}

static void log_request(struct rconn *k, const char *path)
{
	struct sim_rpc *s = k->s;
	if (!s->log)
		return;
	const struct sim_node *nd = &s->w->nodes[k->node];
	char node[POINT_FMT_CAP];
	point_format(&s->w->points[nd->pt[0]].pt, node, sizeof node);
	json_t *o = json_pack("{s:s,s:I,s:s,s:s,s:s}", "node", node, "port",
	                      (json_int_t)s->c->rpc_port, "client", k->client, "path", path,
	                      "answer",
	                      sim_rpc_kind_str((enum sim_rpc_kind)s->plan[k->node].kind));
	char *t = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (t) {
		fprintf(s->log, "%s\n", t);
		fflush(s->log);
	}
	free(t);
	json_decref(o);
}

static void hold_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	rconn_close(w->data);
}

/* Writes what is pending; returns false when the connection was closed. */
static bool flush_out(struct rconn *k)
{
	static const char spaces[16384] = {0};
	while (k->out_off < k->out_len) {
		ssize_t n = send(k->fd, k->out + k->out_off, k->out_len - k->out_off, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n <= 0) {
			rconn_close(k);
			return false;
		}
		k->out_off += (size_t)n;
	}
	while (k->huge_left > 0) { /* zero bytes: not JSON either, and cheap */
		size_t m = k->huge_left < sizeof spaces ? k->huge_left : sizeof spaces;
		ssize_t n = send(k->fd, spaces, m, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n <= 0) {
			rconn_close(k);
			return false;
		}
		k->huge_left -= (size_t)n;
	}
	if ((enum sim_rpc_kind)k->s->plan[k->node].kind == SRPC_SLOW && k->answered) {
		/* hold: read only to see the client go */
		ev_io_stop(k->s->loop, &k->io);
		ev_io_set(&k->io, k->fd, EV_READ);
		ev_io_start(k->s->loop, &k->io);
		return true;
	}
	rconn_close(k);
	return false;
}

static void conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	struct rconn *k = w->data;
	if (k->answered) {
		if (revents & EV_WRITE) {
			flush_out(k);
			return;
		}
		char sink[512];
		ssize_t n = recv(k->fd, sink, sizeof sink, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			rconn_close(k);
		return;
	}
	ssize_t n = recv(k->fd, k->rq + k->rq_len, sizeof k->rq - 1 - k->rq_len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		rconn_close(k);
		return;
	}
	k->rq_len += (size_t)n;
	k->rq[k->rq_len] = '\0';
	if (!strstr(k->rq, "\r\n\r\n")) {
		if (k->rq_len + 1 >= sizeof k->rq)
			rconn_close(k); /* a head this long is not ours */
		return;
	}
	/* "GET /path HTTP/1.1" */
	char path[256] = "?";
	if (strncmp(k->rq, "GET ", 4) == 0) {
		const char *sp = strchr(k->rq + 4, ' ');
		size_t len = sp ? (size_t)(sp - (k->rq + 4)) : 0;
		if (len > 0 && len < sizeof path) {
			memcpy(path, k->rq + 4, len);
			path[len] = '\0';
		}
	}
	k->s->st.requests++;
	log_request(k, path);
	prepare(k, path);
	if (!k->out) {
		rconn_close(k);
		return;
	}
	k->answered = true;
	ev_io_stop(k->s->loop, &k->io);
	ev_io_set(&k->io, k->fd, EV_WRITE);
	ev_io_start(k->s->loop, &k->io);
	flush_out(k);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct rlistener *l = (struct rlistener *)w;
	struct sim_rpc *s = l->s;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(w->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		s->st.accepted++;
		struct rconn *k = s->live_n < CONNS_MAX ? calloc(1, sizeof *k) : NULL;
		if (!k) {
			close(fd);
			continue;
		}
		k->s = s;
		k->fd = fd;
		k->node = l->node;
		struct point cp;
		(void)point_from_sockaddr((const struct sockaddr *)&ss, &cp);
		point_format(&cp, k->client, sizeof k->client);
		ev_io_init(&k->io, conn_cb, fd, EV_READ);
		k->io.data = k;
		ev_timer_init(&k->hold, hold_cb, (double)s->c->rpc_slow_ms / 1000.0 + 1.0, 0.0);
		k->hold.data = k; /* every connection ends by this deadline at the latest */
		k->next = s->live;
		if (s->live)
			s->live->prev = k;
		s->live = k;
		s->live_n++;
		ev_io_start(loop, &k->io);
		ev_timer_start(loop, &k->hold);
	}
}

enum err sim_rpc_new(struct sim_rpc **out, struct ev_loop *loop, const struct world *w,
                     const struct sim_config *c, FILE *log, char *err, size_t err_cap)
{
	*out = NULL;
	struct sim_rpc *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, err_cap, "out of memory");
		return ERR_NOMEM;
	}
	s->loop = loop;
	s->w = w;
	s->c = c;
	s->log = log;
	for (size_t i = 0; i < c->rpc_releases.n && i < SIM_RELEASES_MAX; i++)
		if (sim_release_parse(c->rpc_releases.v[i], &s->rel[i]) != ERR_OK) {
			snprintf(err, err_cap, "rpc.releases: '%s'", c->rpc_releases.v[i]);
			free(s);
			return ERR_CONFIG;
		}
	if (sim_rpc_plan(w, c, &s->plan) != ERR_OK ||
	    !(s->ls = calloc(w->node_n ? w->node_n : 1, sizeof *s->ls))) {
		snprintf(err, err_cap, "out of memory");
		sim_rpc_free(s);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < w->node_n; i++) {
		if (s->plan[i].kind == SRPC_NONE)
			continue;
		struct point pt = w->points[w->nodes[i].pt[0]].pt;
		pt.port = (uint16_t)c->rpc_port;
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int one = 1;
		struct sockaddr_storage a;
		socklen_t a_len = point_to_sockaddr(&pt, &a);
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
		    bind(fd, (struct sockaddr *)&a, a_len) != 0 || listen(fd, 128) != 0) {
			char text[POINT_FMT_CAP];
			point_format(&pt, text, sizeof text);
			snprintf(err, err_cap, "rpc: cannot listen on %s: %s", text, strerror(errno));
			if (fd >= 0)
				close(fd);
			sim_rpc_free(s);
			return ERR_IO;
		}
		struct rlistener *l = &s->ls[s->ls_n++];
		ev_io_init(&l->io, accept_cb, fd, EV_READ);
		l->s = s;
		l->node = (uint32_t)i;
	}
	ev_prepare_init(&s->reaper, reaper_cb);
	s->reaper.data = s;
	*out = s;
	return ERR_OK;
}

size_t sim_rpc_listener_n(const struct sim_rpc *s)
{
	return s ? s->ls_n : 0;
}

void sim_rpc_start(struct sim_rpc *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ls_n; i++)
		ev_io_start(s->loop, &s->ls[i].io);
	ev_prepare_start(s->loop, &s->reaper);
}

const struct sim_rpc_stats *sim_rpc_stats(const struct sim_rpc *s)
{
	return &s->st;
}

void sim_rpc_free(struct sim_rpc *s)
{
	if (!s)
		return;
	while (s->live)
		rconn_close(s->live);
	reaper_cb(s->loop, &s->reaper, 0);
	ev_prepare_stop(s->loop, &s->reaper);
	for (size_t i = 0; i < s->ls_n; i++) {
		ev_io_stop(s->loop, &s->ls[i].io);
		close(s->ls[i].io.fd);
	}
	free(s->ls);
	free(s->plan);
	free(s);
}
