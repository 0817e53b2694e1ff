/*
 * rpc — libcurl's multi_socket interface on the crawl's libev loop.
 *
 * The integration libcurl documents (curl_multi_socket_action(3), the
 * "multi_socket" API): libcurl calls sock_cb() to say which socket to watch
 * for what, and timer_cb() to say when it wants to be woken; we answer each
 * readiness and each timeout with curl_multi_socket_action(), then collect
 * finished transfers with curl_multi_info_read(). No curl call blocks: the
 * URL's host is a numeric address (no resolver), no proxy is used (the
 * environment's http_proxy would send our requests elsewhere), redirects
 * are reported, never followed.
 *
 * Ownership: a job (one request) lives in the queue, then on its easy
 * handle (CURLOPT_PRIVATE) until done() frees it, which happens after
 * curl_multi_socket_action() returned, never inside a libcurl callback.
 * Socket watchers that libcurl gives up are stopped at once and freed after
 * socket_action returns.
 *
 * Memory is bounded: RPC_INFLIGHT_MAX bodies of at most RPC_BODY_MAX bytes,
 * RPC_QUEUE_MAX queued jobs, and the set of (address, port) pairs asked.
 */
#include "crawler/rpc.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "crawler/config.h"
#include "crawler/rpc_version.h"

struct rpc_job {
	struct rpc_job *next; /* queue, then the live list */
	struct rpc_job *prev; /* live list */
	struct rpc_prober *p;
	struct point pt;      /* the node's P2P point */
	uint16_t port;        /* the RPC port */
	char peer_id[65];     /* "" when absent */
	CURL *easy;
	int64_t started_us;
	char *body;
	size_t body_len, body_cap;
	bool too_big;
	char errbuf[CURL_ERROR_SIZE];
};

struct asked { /* one (address, RPC port) pair, in an open-addressing set */
	uint8_t addr[16];
	uint16_t port;
	bool used;
};

struct dead_io {
	struct dead_io *next;
	ev_io w;
};

struct rpc_prober {
	struct ev_loop *loop;
	const struct policy *policy; /* borrowed */
	rpc_result_fn cb;
	void *ctx;
	unsigned ports[CRAWL_RPC_PORTS_MAX];
	size_t ports_n;
	long timeout_ms;
	CURLM *multi;
	ev_timer timer;
	struct rpc_job *qhead, *qtail;
	struct rpc_job *live; /* in flight (doubly linked) */
	size_t queued, inflight;
	struct asked *set;
	size_t set_cap, set_n;
	struct dead_io *dead; /* watchers libcurl released, freed after socket_action */
	struct rpc_stats st;
};

/* ---- the set of pairs asked ----------------------------------------------- */

static size_t pair_hash(const uint8_t addr[16], uint16_t port)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 1099511628211ull;
	h = (h ^ (port & 0xff)) * 1099511628211ull;
	h = (h ^ (port >> 8)) * 1099511628211ull;
	return (size_t)h;
}

static bool set_grow(struct rpc_prober *p)
{
	size_t cap = grow_cap(p->set_cap, p->set_cap + 1, 1024, SIZE_MAX); /* doubles */
	struct asked *n = calloc(cap, sizeof *n);
	if (!n)
		return false;
	for (size_t i = 0; i < p->set_cap; i++) {
		if (!p->set[i].used)
			continue;
		size_t j = pair_hash(p->set[i].addr, p->set[i].port) & (cap - 1);
		while (n[j].used)
			j = (j + 1) & (cap - 1);
		n[j] = p->set[i];
	}
	free(p->set);
	p->set = n;
	p->set_cap = cap;
	return true;
}

/* Adds the pair; false when it was there already (or no memory). */
static bool set_add(struct rpc_prober *p, const uint8_t addr[16], uint16_t port)
{
	if ((p->set_n + 1) * 2 > p->set_cap && !set_grow(p))
		return false;
	size_t j = pair_hash(addr, port) & (p->set_cap - 1);
	while (p->set[j].used) {
		if (p->set[j].port == port && memcmp(p->set[j].addr, addr, 16) == 0)
			return false;
		j = (j + 1) & (p->set_cap - 1);
	}
	memcpy(p->set[j].addr, addr, 16);
	p->set[j].port = port;
	p->set[j].used = true;
	p->set_n++;
	return true;
}

/* ---- one request ------------------------------------------------------------ */

static void job_free(struct rpc_job *j)
{
	if (!j)
		return;
	free(j->body);
	free(j);
}

/* Body bytes: kept up to RPC_BODY_MAX; one byte more ends the transfer (too_large). */
static size_t write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct rpc_job *j = userp;
	size_t n = size * nmemb;
	if (n > RPC_BODY_MAX - j->body_len) {
		j->too_big = true;
		return 0; /* CURLE_WRITE_ERROR */
	}
	if (j->body_len + n > j->body_cap) {
		size_t cap = grow_cap(j->body_cap, j->body_len + n, 4096, RPC_BODY_MAX);
		char *b = realloc(j->body, cap);
		if (!b)
			return 0;
		j->body = b;
		j->body_cap = cap;
	}
	memcpy(j->body + j->body_len, data, n);
	j->body_len += n;
	return n;
}

static bool job_start(struct rpc_prober *p, struct rpc_job *j)
{
	char host[POINT_FMT_CAP], url[POINT_FMT_CAP + 32];
	point_format_addr(&j->pt, host, sizeof host);
	snprintf(url, sizeof url, point_is_v4(&j->pt) ? "http://%s:%u/version"
						       : "http://[%s]:%u/version",
		 host, (unsigned)j->port);
	CURL *e = curl_easy_init();
	if (!e)
		return false;
	j->easy = e;
	j->started_us = clock_wall_us();
	bool ok = curl_easy_setopt(e, CURLOPT_URL, url) == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http") == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_PROXY, "") == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_NOPROXY, "*") == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, p->timeout_ms) == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, p->timeout_ms) == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_MAXFILESIZE, (long)RPC_BODY_MAX) == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1) == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L) == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_USERAGENT, "tzcensus-crawl") == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb) == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_WRITEDATA, j) == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf) == CURLE_OK &&
		  curl_easy_setopt(e, CURLOPT_PRIVATE, j) == CURLE_OK &&
		  curl_multi_add_handle(p->multi, e) == CURLM_OK;
	if (!ok) {
		curl_easy_cleanup(e);
		j->easy = NULL;
		return false;
	}
	j->prev = NULL;
	j->next = p->live;
	if (p->live)
		p->live->prev = j;
	p->live = j;
	p->inflight++;
	p->st.asked++;
	return true;
}

/* Starts queued jobs while there is room. */
static void start_more(struct rpc_prober *p)
{
	while (p->qhead && p->inflight < RPC_INFLIGHT_MAX) {
		struct rpc_job *j = p->qhead;
		p->qhead = j->next;
		if (!p->qhead)
			p->qtail = NULL;
		p->queued--;
		j->next = NULL;
		if (!job_start(p, j)) {
			log_warn("rpc probe: cannot start a request (out of memory?)");
			p->st.skipped++;
			job_free(j);
		}
	}
}

/* One finished transfer -> one record. */
static void done(struct rpc_prober *p, struct rpc_job *j, CURLcode rc)
{
	char point[POINT_FMT_CAP], error[200];
	point_format(&j->pt, point, sizeof point);
	struct rpc_rec r;
	rpc_rec_init(&r);
	r.point = point;
	r.peer_id = j->peer_id[0] ? j->peer_id : NULL;
	r.port = j->port;
	r.probed_at_us = j->started_us;
	long status = 0;
	if (curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
	    status >= 100 && status <= 599)
		r.http_status = (int32_t)status;
	struct rpc_version v;
	char why[96];
	error[0] = '\0';
	if (j->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(error, sizeof error, "too_large: more than %u bytes", RPC_BODY_MAX);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(error, sizeof error, "timeout: no complete answer in %ld ms", p->timeout_ms);
	} else if (rc == CURLE_COULDNT_CONNECT) {
		snprintf(error, sizeof error, "connect: %.160s", j->errbuf[0] ? j->errbuf
								 : curl_easy_strerror(rc));
	} else if (rc != CURLE_OK) {
		snprintf(error, sizeof error, "transfer: %.60s%s%.100s", curl_easy_strerror(rc),
			 j->errbuf[0] ? ": " : "", j->errbuf);
	} else if (status >= 300 && status < 400) {
		snprintf(error, sizeof error, "redirect: %ld (not followed)", status);
	} else if (status != 200) {
		snprintf(error, sizeof error, "http: status %ld", status);
	} else {
		enum err e = rpc_version_parse(j->body ? j->body : "", j->body_len, &v, why,
					       sizeof why);
		if (e == ERR_PROTO)
			snprintf(error, sizeof error, "not_json: %s", why);
		else if (e != ERR_OK)
			snprintf(error, sizeof error, "bad_version: %s", why);
	}
	if (error[0]) {
		/* our own text, but curl's errbuf may quote the peer: printable ASCII only */
		for (char *c = error; *c; c++)
			if (*c < 0x20 || *c > 0x7e)
				*c = '?';
		r.error = error;
		p->st.errors++;
	} else {
		r.major = v.major;
		r.minor = v.minor;
		r.additional_info = v.additional_info;
		if (v.has_commit) {
			r.commit_hash = v.commit_hash;
			r.commit_date = v.commit_date;
		}
		p->st.releases++;
	}
	p->cb(p->ctx, &r);
}

static void unlink_live(struct rpc_prober *p, struct rpc_job *j)
{
	if (j->prev)
		j->prev->next = j->next;
	else
		p->live = j->next;
	if (j->next)
		j->next->prev = j->prev;
	j->next = j->prev = NULL;
}

/* Collects finished transfers; called after curl_multi_socket_action() returned. */
static void collect(struct rpc_prober *p)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(p->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		CURL *e = m->easy_handle;
		CURLcode rc = m->data.result;
		struct rpc_job *j = NULL;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&j);
		done(p, j, rc);
		unlink_live(p, j);
		curl_multi_remove_handle(p->multi, e);
		curl_easy_cleanup(e);
		job_free(j);
		p->inflight--;
	}
	for (struct dead_io *d = p->dead, *n; d; d = n) {
		n = d->next;
		free(d);
	}
	p->dead = NULL;
	start_more(p);
}

/* ---- libev glue ---------------------------------------------------------------- */

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	struct rpc_prober *p = w->data;
	int action = ((revents & EV_READ) ? CURL_CSELECT_IN : 0) |
		     ((revents & EV_WRITE) ? CURL_CSELECT_OUT : 0);
	int running;
	curl_multi_socket_action(p->multi, w->fd, action, &running);
	collect(p);
}

static void timer_ev_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct rpc_prober *p = w->data;
	int running;
	curl_multi_socket_action(p->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect(p);
}

/* CURLMOPT_SOCKETFUNCTION: watch s for what (or stop watching it). */
static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	(void)e;
	struct rpc_prober *p = userp;
	struct dead_io *d = socketp;
	if (what == CURL_POLL_REMOVE) {
		if (d) {
			ev_io_stop(p->loop, &d->w);
			curl_multi_assign(p->multi, s, NULL);
			d->next = p->dead; /* freed after socket_action returns */
			p->dead = d;
		}
		return 0;
	}
	int ev = ((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (!d) {
		d = calloc(1, sizeof *d);
		if (!d)
			return -1;
		ev_io_init(&d->w, io_cb, s, ev);
		d->w.data = p;
		curl_multi_assign(p->multi, s, d);
	} else {
		ev_io_stop(p->loop, &d->w);
		ev_io_set(&d->w, s, ev);
	}
	ev_io_start(p->loop, &d->w);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: one timer, re-armed or stopped (-1). */
static int timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	(void)m;
	struct rpc_prober *p = userp;
	ev_timer_stop(p->loop, &p->timer);
	if (timeout_ms >= 0) {
		ev_timer_set(&p->timer, (double)timeout_ms / 1000.0, 0.0);
		ev_timer_start(p->loop, &p->timer);
	}
	return 0;
}

/* ---- API ------------------------------------------------------------------------- */

struct rpc_prober *rpc_new(struct ev_loop *loop, const struct crawl_config *cfg,
			   const struct policy *policy, rpc_result_fn cb, void *ctx, char *err,
			   size_t err_cap)
{
	if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK) {
		snprintf(err, err_cap, "rpc probe: libcurl did not initialise");
		return NULL;
	}
	struct rpc_prober *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, err_cap, "out of memory");
		return NULL;
	}
	p->loop = loop;
	p->policy = policy;
	p->cb = cb;
	p->ctx = ctx;
	p->timeout_ms = (long)(cfg->rpc_timeout * 1000.0 + 0.5);
	for (size_t i = 0; i < cfg->rpc_ports.n && p->ports_n < CRAWL_RPC_PORTS_MAX; i++) {
		unsigned port = crawl_config_rpc_port(cfg, i);
		if (port)
			p->ports[p->ports_n++] = port;
	}
	ev_timer_init(&p->timer, timer_ev_cb, 0.0, 0.0);
	p->timer.data = p;
	p->multi = curl_multi_init();
	if (!p->multi || curl_multi_setopt(p->multi, CURLMOPT_SOCKETFUNCTION, sock_cb) != CURLM_OK ||
	    curl_multi_setopt(p->multi, CURLMOPT_SOCKETDATA, p) != CURLM_OK ||
	    curl_multi_setopt(p->multi, CURLMOPT_TIMERFUNCTION, timer_cb) != CURLM_OK ||
	    curl_multi_setopt(p->multi, CURLMOPT_TIMERDATA, p) != CURLM_OK) {
		snprintf(err, err_cap, "rpc probe: curl_multi_init failed");
		rpc_free(p);
		return NULL;
	}
	return p;
}

void rpc_abort_all(struct rpc_prober *p)
{
	if (!p)
		return;
	for (struct rpc_job *j = p->qhead, *n; j; j = n) {
		n = j->next;
		job_free(j);
	}
	p->qhead = p->qtail = NULL;
	p->queued = 0;
	while (p->live) {
		struct rpc_job *j = p->live;
		unlink_live(p, j);
		curl_multi_remove_handle(p->multi, j->easy);
		curl_easy_cleanup(j->easy);
		job_free(j);
	}
	p->inflight = 0;
	for (struct dead_io *d = p->dead, *nx; d; d = nx) {
		nx = d->next;
		free(d);
	}
	p->dead = NULL;
}

void rpc_free(struct rpc_prober *p)
{
	if (!p)
		return;
	rpc_abort_all(p);
	ev_timer_stop(p->loop, &p->timer);
	if (p->multi)
		curl_multi_cleanup(p->multi);
	free(p->set);
	free(p);
	curl_global_cleanup();
}

void rpc_probe_node(struct rpc_prober *p, const struct point *pt, const char *peer_id)
{
	if (!p)
		return;
	if (!policy_allows(p->policy, pt->addr)) { /* never reached: the crawl dialed it */
		p->st.skipped++;
		return;
	}
	for (size_t i = 0; i < p->ports_n; i++) {
		uint16_t port = (uint16_t)p->ports[i];
		if (p->queued >= RPC_QUEUE_MAX) {
			p->st.skipped++;
			continue;
		}
		if (!set_add(p, pt->addr, port))
			continue; /* asked already in this crawl */
		struct rpc_job *j = calloc(1, sizeof *j);
		if (!j) {
			p->st.skipped++;
			continue;
		}
		j->p = p;
		j->pt = *pt;
		j->port = port;
		if (peer_id)
			snprintf(j->peer_id, sizeof j->peer_id, "%s", peer_id);
		if (p->qtail)
			p->qtail->next = j;
		else
			p->qhead = j;
		p->qtail = j;
		p->queued++;
	}
	start_more(p);
}

bool rpc_idle(const struct rpc_prober *p)
{
	return !p || (p->queued == 0 && p->inflight == 0);
}

size_t rpc_pending(const struct rpc_prober *p)
{
	return p ? p->queued + p->inflight : 0;
}

void rpc_get_stats(const struct rpc_prober *p, struct rpc_stats *s)
{
	memset(s, 0, sizeof *s);
	if (p)
		*s = p->st;
}
