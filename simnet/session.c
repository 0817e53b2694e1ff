/*
 * A node's side of one accepted connection (struct conn): violations, output
 * with latency, the node's answers (decide, Advertise, Bootstrap throttling,
 * Get_current_branch), reading and the deadlines. Its own file because it is
 * the per-connection behaviour; server.c holds the listening sockets, the
 * accept loop and the srv_* contract. Both share server_int.h.
 *
 * A connection's state changes only through the hs events it reads
 * (process), and a connection is never freed inside its own callback:
 * srv_conn_close() stops its watchers, closes the fd and queues it; the
 * server's ev_prepare watcher frees the queue (srv_reap) before the loop
 * blocks.
 *
 * Latency: output produced at time t may leave at t + latency. Bytes go into
 * one output buffer with "release marks" (end offset, due time); the flush
 * writes up to the last mark that is due and arms a timer for the next one.
 *
 * Old close (a node with old_close, Octez <= v21): no TCP_NODELAY, and a
 * bare close() (no shutdown) when it Nacks or hangs up during the
 * handshake. Over a real round trip its metadata is not yet acknowledged
 * when it decides, so Nagle's algorithm holds the small Nack back; if the
 * client's bytes lie unread at that moment (an early Ack, a Bootstrap),
 * close() answers with a reset and the held Nack is discarded. Loopback
 * acknowledges at once, so that round trip is modelled here: such a node
 * drops what it just wrote and resets the connection (SO_LINGER 0) one
 * latency later. With nothing of the client's unread, it closes normally.
 */
#include "simnet/server_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>
#include <jansson.h>
#include <sodium.h>

#include "core/buf.h"
#include "core/log.h"
#include "net/sockaddr.h"
#include "p2p/handshake.h"
#include "p2p/identity.h"
#include "simnet/head.h"
#include "core/rng.h"
#include "simnet/truth.h"

#define OBUF_MAX       (1u << 20) /* output we hold for one connection */
#define MARKS_MAX      32
#define READ_BURST     4  /* reads per readable event */
#define PENDING_MAX    16 /* throttled requests remembered per connection */

struct mark {
	size_t end;
	ev_tstamp due;
};

enum conn_kind { CK_HS = 0, CK_STALL = 1 };

struct conn {
	struct srv *s;
	enum conn_kind kind;
	uint32_t node, point;
	int fd;
	ev_io rio, wio;
	ev_timer deadline; /* authentication deadline, or how long a stall holds */
	ev_timer release;  /* next latency mark */
	ev_timer boot_t, branch_t;
	struct hs *hs;
	struct p2p_identity id;
	char client[POINT_FMT_CAP];
	struct point client_pt; /* the TCP source address and port */
	uint16_t client_port;   /* the port its connection message announced, 0 = none */
	uint8_t peer_id[16];
	bool have_peer, registered, inflight, open, closing, dead, client_private;
	bool reset_close; /* old close: a reset is due when the deadline timer fires */
	enum hs_state phase; /* session state before the event being handled */
	uint8_t *obuf;
	size_t olen, ocap;
	struct mark marks[MARKS_MAX];
	size_t mark_n;
	ev_tstamp boot_next, branch_next;
	unsigned boot_pending, branch_pending;
	struct conn *node_next, *node_prev; /* the node's live connections */
	struct conn *dead_next;
	struct rng rng;
	struct point *auto_nack; /* the automatic Nack's points: hs borrows them (owned) */
};

static void flush(struct conn *c);

/* ---- violations ------------------------------------------------------------ */

static const char *violation_reason(enum err e)
{
	switch (e) {
	case ERR_POW: return "bad_pow";
	case ERR_CRYPTO: return "undecryptable";
	case ERR_TOOBIG: return "oversized";
	default: return "malformed";
	}
}

static void violation(struct conn *c, const char *reason, const char *detail)
{
	struct srv *s = c->s;
	s->st.violations++;
	char node[POINT_FMT_CAP];
	point_format(&s->w->points[c->point].pt, node, sizeof node);
	log_info("violation at %s from %s: %s (%s)", node, c->client, reason, detail);
	if (!s->viol)
		return;
	json_t *o = json_object();
	if (!o)
		return;
	json_object_set_new(o, "node", json_string(node));
	json_object_set_new(o, "client", json_string(c->client));
	json_object_set_new(o, "reason", json_string(reason));
	json_object_set_new(o, "detail", json_string(detail));
	json_object_set_new(o, "phase", json_string(c->hs ? hs_state_str(c->phase) : "-"));
	if (c->have_peer) {
		char b58[P2P_PEER_ID_B58_LEN + 1];
		p2p_peer_id_b58(b58, c->peer_id);
		json_object_set_new(o, "peer_id", json_string(b58));
	} else
		json_object_set_new(o, "peer_id", json_null());
	json_object_set_new(o, "time", json_real(ev_now(s->loop)));
	char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (line) {
		fprintf(s->viol, "%s\n", line);
		fflush(s->viol);
		free(line);
	}
}

/* ---- output with latency --------------------------------------------------- */

/* Moves the session's pending output into obuf, due after the node's latency. */
static void pump(struct conn *c)
{
	if (c->dead || !c->hs)
		return;
	size_t len;
	const uint8_t *p = hs_out(c->hs, &len);
	if (p && len > 0) {
		if (c->olen + len > OBUF_MAX) {
			log_warn("%s: output over %u bytes, closing", c->client, OBUF_MAX);
			srv_conn_close(c);
			return;
		}
		if (c->olen + len > c->ocap) {
			size_t cap = grow_cap(c->ocap, c->olen + len, 1024, SIZE_MAX);
			uint8_t *nb = realloc(c->obuf, cap);
			if (!nb) {
				srv_conn_close(c);
				return;
			}
			c->obuf = nb;
			c->ocap = cap;
		}
		memcpy(c->obuf + c->olen, p, len);
		c->olen += len;
		hs_out_consume(c->hs, len);
		ev_tstamp due = ev_now(c->s->loop) + c->s->w->nodes[c->node].latency_ms / 1000.0;
		if (c->mark_n == MARKS_MAX) /* merge into the last: a little later, never earlier */
			c->marks[c->mark_n - 1] = (struct mark){c->olen, due};
		else
			c->marks[c->mark_n++] = (struct mark){c->olen, due};
	}
	flush(c);
}

static void flush(struct conn *c)
{
	if (c->dead)
		return;
	struct ev_loop *loop = c->s->loop;
	ev_tstamp now = ev_now(loop);
	size_t ready = 0, m = 0;
	while (m < c->mark_n && c->marks[m].due <= now + 1e-4)
		ready = c->marks[m++].end;
	size_t sent = 0;
	while (sent < ready) {
		ssize_t n = send(c->fd, c->obuf + sent, ready - sent, MSG_NOSIGNAL);
		if (n > 0) {
			sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		/* the client went away (reset): nothing more to say */
		srv_conn_close(c);
		return;
	}
	if (sent > 0) {
		memmove(c->obuf, c->obuf + sent, c->olen - sent);
		c->olen -= sent;
		size_t k = 0;
		for (size_t i = 0; i < c->mark_n; i++)
			if (c->marks[i].end > sent)
				c->marks[k++] =
				    (struct mark){c->marks[i].end - sent, c->marks[i].due};
		c->mark_n = k;
	}
	if (sent < ready)
		ev_io_start(loop, &c->wio);
	else
		ev_io_stop(loop, &c->wio);
	ev_timer_stop(loop, &c->release);
	if (c->mark_n > 0 && c->marks[0].due > now + 1e-4) {
		ev_timer_set(&c->release, c->marks[0].due - now, 0);
		ev_timer_start(loop, &c->release);
	}
	if (c->olen == 0 && c->closing && !c->reset_close)
		srv_conn_close(c);
}

static void write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	flush(w->data);
}

static void release_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	flush(w->data);
}

/* ---- the node's side of the protocol ------------------------------------- */

/*
 * The node's list, sampled as Octez does. Registered client points rank
 * before the world's list: Octez sorts the points it saw last first, and it
 * has just seen them. Their indices run past the world's points.
 */
static size_t sample_points(struct conn *c, struct point *out)
{
	const struct world *w = c->s->w;
	const struct sim_node *nd = &w->nodes[c->node];
	const struct snode *sn = &c->s->nodes[c->node];
	uint32_t idx[100];
	size_t size = (size_t)c->s->c->advertise_size;
	const uint32_t *cand = nd->adv;
	size_t cand_n = nd->adv_n;
	uint32_t *both = NULL;
	if (sn->learned_n > 0) {
		both = malloc((sn->learned_n + nd->adv_n) * sizeof *both);
		if (both) { /* else the world's list alone */
			for (uint32_t i = 0; i < sn->learned_n; i++)
				both[i] = (uint32_t)w->point_n + i;
			if (nd->adv_n)
				memcpy(both + sn->learned_n, nd->adv, nd->adv_n * sizeof *both);
			cand = both;
			cand_n = sn->learned_n + nd->adv_n;
		}
	}
	size_t n = world_sample(cand, cand_n, size, &c->rng, idx);
	for (size_t i = 0; i < n; i++)
		out[i] = idx[i] >= w->point_n ? sn->learned[idx[i] - w->point_n] : w->points[idx[i]].pt;
	free(both);
	return n;
}

/*
 * Octez registers an incoming peer's point (source address : announced port)
 * once the authentication succeeded, Ack or Nack alike, and marks it public
 * when the peer's metadata says private_node = false
 * (src/lib_p2p/p2p_connect_handler.ml `raw_authenticate`). Port 0: nothing.
 * Called at the decision, so only when chain and versions match: a
 * simplification (docs/simnet.md "Announced client points").
 */
static void register_client(struct conn *c)
{
	struct snode *sn = &c->s->nodes[c->node];
	if (c->client_port == 0 || c->client_private ||
	    c->s->w->nodes[c->node].reveal == REVEAL_NONE)
		return;
	struct point p = c->client_pt;
	p.port = c->client_port;
	uint32_t at = sn->learned_n < LEARNED_MAX ? sn->learned_n : LEARNED_MAX - 1;
	for (uint32_t i = 0; i < sn->learned_n; i++)
		if (sn->learned[i].port == p.port && !memcmp(sn->learned[i].addr, p.addr, 16)) {
			at = i;
			break;
		}
	if (at == sn->learned_n)
		sn->learned_n++;
	memmove(sn->learned + 1, sn->learned, at * sizeof *sn->learned);
	sn->learned[0] = p;
	c->s->st.clients_registered++;
}

static bool peer_busy(struct conn *c)
{
	for (struct conn *o = c->s->nodes[c->node].conns; o; o = o->node_next)
		if (o != c && o->registered && memcmp(o->peer_id, c->peer_id, 16) == 0)
			return true;
	return false;
}

/* Octez's order after the metadata (docs/protocol.md §9.2 items 4-6): slots, private mode,
 * already connected. */
static void decide(struct conn *c)
{
	struct srv *s = c->s;
	const struct sim_node *nd = &s->w->nodes[c->node];
	struct point pts[100];
	enum err e;
	if (nd->beh == BEH_NACK) {
		size_t n = sample_points(c, pts);
		e = hs_nack(c->hs, P2P_MOTIVE_TOO_MANY_CONNECTIONS, pts, n);
		s->st.nacks++;
		c->closing = true;
	} else if (nd->beh == BEH_PRIVATE) {
		e = hs_refuse(c->hs);
		s->st.refused++;
		c->closing = true;
	} else if (peer_busy(c)) {
		size_t n = sample_points(c, pts);
		e = hs_nack(c->hs, P2P_MOTIVE_ALREADY_CONNECTED, pts, n);
		s->st.nacks++;
		c->closing = true;
	} else {
		e = hs_accept(c->hs);
		c->registered = true;
		s->st.acks++;
	}
	if (e != ERR_OK) {
		log_warn("%s: handshake decision failed: %s", c->client, err_str(e));
		srv_conn_close(c);
	}
}

static void send_msg(struct conn *c, const struct p2p_msg *m)
{
	enum err e = hs_send(c->hs, m);
	if (e != ERR_OK) {
		log_warn("%s: cannot send %s: %s", c->client, p2p_tag_str(m->tag), err_str(e));
		srv_conn_close(c);
		return;
	}
	pump(c);
}

static void answer_bootstrap(struct conn *c)
{
	static struct p2p_msg m; /* 2 KiB; one loop thread, filled and sent at once */
	p2p_msg_init(&m, P2P_TAG_ADVERTISE);
	m.points_n = sample_points(c, m.points);
	if (m.points_n == 0)
		return; /* Octez sends nothing, not even an empty Advertise (docs/protocol.md §11.1) */
	c->s->st.advertises++;
	send_msg(c, &m);
}

static void answer_branch(struct conn *c)
{
	static struct p2p_msg m;
	const struct sim_node *nd = &c->s->w->nodes[c->node];
	uint8_t head[SIM_HEAD_MAX], hist[SIM_HISTORY_N * 32];
	size_t head_len;
	if (sim_head_encode(nd->head_level, nd->head_ts, head, sizeof head, &head_len) != ERR_OK) {
		srv_conn_close(c);
		return;
	}
	sim_head_history(nd->head_level, hist);
	p2p_msg_init(&m, P2P_TAG_CURRENT_BRANCH);
	memcpy(m.chain_id, simnet_chain_id, 4);
	m.head.raw = head;
	m.head.raw_len = head_len;
	m.history = hist;
	m.history_n = SIM_HISTORY_N;
	c->s->st.branches++;
	send_msg(c, &m);
}

/*
 * One answer now, or later, as Octez's throttle_callbacks
 * (src/lib_p2p/p2p_protocol.ml): a request handled less than `gap` after
 * the last one handled sleeps a full `gap` from now (not until the window
 * ends), and the window restarts when it wakes. Requests queue behind a
 * sleeping one (Octez's reader handles one message at a time): delayed, not
 * dropped. *next is the last handled time + gap.
 */
static bool throttle(struct conn *c, ev_timer *t, ev_tstamp *next, unsigned *pending, ev_tstamp gap,
                     void (*answer)(struct conn *))
{
	ev_tstamp now = ev_now(c->s->loop);
	if (*pending == 0 && now >= *next) {
		*next = now + gap;
		answer(c);
		return false;
	}
	if (*pending < PENDING_MAX)
		(*pending)++;
	if (!ev_is_active(t)) {
		ev_timer_set(t, gap, 0);
		ev_timer_start(c->s->loop, t);
	}
	return true;
}

static void throttled_cb(struct conn *c, ev_timer *t, ev_tstamp *next, unsigned *pending,
                         ev_tstamp gap, void (*answer)(struct conn *))
{
	ev_tstamp now = ev_now(c->s->loop);
	if (*pending > 0) {
		(*pending)--;
		*next = now + gap;
		answer(c);
	}
	if (!c->dead && *pending > 0) {
		ev_timer_set(t, gap, 0);
		ev_timer_start(c->s->loop, t);
	}
}

static void boot_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct conn *c = w->data;
	throttled_cb(c, w, &c->boot_next, &c->boot_pending, c->s->c->bootstrap_throttle_ms / 1e3,
	             answer_bootstrap);
}

static void branch_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct conn *c = w->data;
	throttled_cb(c, w, &c->branch_next, &c->branch_pending, c->s->c->branch_throttle_ms / 1e3,
	             answer_branch);
}

static void handle_msg(struct conn *c, const struct p2p_msg *m)
{
	switch (m->tag) {
	case P2P_TAG_DISCONNECT: srv_conn_close(c); break;
	case P2P_TAG_BOOTSTRAP:
		if (c->client_private)
			break; /* Octez ignores Bootstrap from a private peer (docs/protocol.md §7, §11.1) */
		if (throttle(c, &c->boot_t, &c->boot_next, &c->boot_pending,
		             c->s->c->bootstrap_throttle_ms / 1e3, answer_bootstrap))
			c->s->st.boot_throttled++;
		break;
	case P2P_TAG_GET_CURRENT_BRANCH:
		if (memcmp(m->chain_id, simnet_chain_id, 4) != 0)
			break; /* a chain this node does not run: inactive, ignored */
		(void)throttle(c, &c->branch_t, &c->branch_next, &c->branch_pending,
		               c->s->c->branch_throttle_ms / 1e3, answer_branch);
		break;
	case P2P_TAG_CURRENT_BRANCH:
	case P2P_TAG_CURRENT_HEAD:
		/* a node validates these and greylists a bad one (docs/protocol.md §9.4
		 * item 4); a crawler never sends them */
		violation(c, "forbidden_message", p2p_tag_str(m->tag));
		break;
	default: break; /* Advertise, Swap_*, Get_current_head, ...: nothing a client needs back */
	}
}

static void session_open(struct conn *c)
{
	struct srv *s = c->s;
	c->open = true;
	s->st.sessions_open++;
	if (c->inflight) {
		c->inflight = false;
		s->nodes[c->node].inflight--;
	}
	ev_timer_stop(s->loop, &c->deadline);
	/* errata 4: the node asks for the branch once it has read the client's Ack */
	static struct p2p_msg m;
	p2p_msg_init(&m, P2P_TAG_GET_CURRENT_BRANCH);
	memcpy(m.chain_id, simnet_chain_id, 4);
	send_msg(c, &m);
}

/* Bytes of the client's that the node has not consumed: in the session or in the kernel. */
static bool unread_input(struct conn *c)
{
	int n = 0;
	if (c->hs && hs_in_pending(c->hs) > 0)
		return true;
	return ioctl(c->fd, FIONREAD, &n) == 0 && n > 0;
}

/*
 * Old close with the client's bytes unread (see the top of this file): what
 * the node just wrote (its Nack) is discarded, and the reset leaves one
 * latency later, behind what the node had written before.
 */
static void old_close_reset(struct conn *c)
{
	struct srv *s = c->s;
	size_t len;
	if (hs_out(c->hs, &len))
		hs_out_consume(c->hs, len);
	c->closing = true;
	c->reset_close = true;
	s->st.old_close_resets++;
	ev_io_stop(s->loop, &c->rio);
	ev_timer_stop(s->loop, &c->deadline);
	ev_timer_set(&c->deadline, s->w->nodes[c->node].latency_ms / 1000.0, 0);
	ev_timer_start(s->loop, &c->deadline);
	flush(c);
}

static void process(struct conn *c)
{
	struct hs_event ev;
	for (;;) {
		/* an error decided together with the previous event (bad PoW right after
		 * the connection message) finds the session already failed: keep the last
		 * live state as the phase */
		enum hs_state st = hs_state(c->hs);
		if (st != HS_ST_FAILED && st != HS_ST_CLOSED)
			c->phase = st;
		if (c->dead || !hs_next_event(c->hs, &ev))
			break;
		switch (ev.type) {
		case HS_EV_CONN_MSG:
			memcpy(c->peer_id, ev.conn.peer_id, 16);
			c->client_port = ev.conn.port;
			c->have_peer = true;
			break;
		case HS_EV_METADATA:
			c->client_private = ev.meta.private_node;
			if (hs_state(c->hs) == HS_ST_DECIDE) {
				register_client(c);
				decide(c);
			}
			break;
		case HS_EV_NACK_SENT:
			c->s->st.nacks++;
			c->closing = true;
			break;
		case HS_EV_ACK: session_open(c); break;
		case HS_EV_NACK:
		case HS_EV_NACK_V0: c->closing = true; break;
		case HS_EV_MSG: handle_msg(c, &ev.msg); break;
		case HS_EV_DROPPED: break; /* no frame cap on simnet's sessions */
		case HS_EV_ERROR:
			violation(c, violation_reason(ev.error.code), ev.error.reason);
			srv_conn_close(c);
			return;
		}
	}
	if (c->dead)
		return;
	enum hs_state st = hs_state(c->hs);
	if (st == HS_ST_CLOSED || st == HS_ST_FAILED)
		c->closing = true;
	if (c->closing && !c->open && c->s->w->nodes[c->node].old_close && unread_input(c)) {
		old_close_reset(c);
		return;
	}
	pump(c);
}

/* ---- sockets -------------------------------------------------------------- */

static void read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct conn *c = w->data;
	struct srv *s = c->s;
	for (int i = 0; i < READ_BURST && !c->dead; i++) {
		ssize_t n = recv(c->fd, s->rbuf, sizeof s->rbuf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) { /* EOF or reset: the client is gone */
			s->st.client_closed++;
			srv_conn_close(c);
			return;
		}
		if (c->kind == CK_STALL || c->closing)
			continue; /* a stall never answers; a closing session reads nothing more */
		enum err e = hs_feed(c->hs, s->rbuf, (size_t)n);
		if (e == ERR_FULL) {
			violation(c, "oversized", "more unprocessed input than a session holds");
			srv_conn_close(c);
			return;
		}
		if (e != ERR_OK && e != ERR_STATE) {
			srv_conn_close(c);
			return;
		}
		process(c);
	}
}

static void deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct conn *c = w->data;
	if (c->reset_close) {
		flush(c); /* what the node wrote before its close, then the reset */
		if (!c->dead)
			srv_conn_close(c);
		return;
	}
	if (c->kind == CK_HS && !c->open)
		c->s->st.auth_timeouts++; /* Octez only logs this (docs/protocol.md §6): not a violation */
	srv_conn_close(c);
}

void srv_conn_close(struct conn *c)
{
	if (c->dead)
		return;
	struct srv *s = c->s;
	c->dead = true;
	ev_io_stop(s->loop, &c->rio);
	ev_io_stop(s->loop, &c->wio);
	ev_timer_stop(s->loop, &c->deadline);
	ev_timer_stop(s->loop, &c->release);
	ev_timer_stop(s->loop, &c->boot_t);
	ev_timer_stop(s->loop, &c->branch_t);
	if (c->reset_close) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	}
	close(c->fd);
	c->fd = -1;
	if (c->inflight)
		s->nodes[c->node].inflight--;
	c->inflight = false;
	if (c->node_prev)
		c->node_prev->node_next = c->node_next;
	else
		s->nodes[c->node].conns = c->node_next;
	if (c->node_next)
		c->node_next->node_prev = c->node_prev;
	c->dead_next = s->dead;
	s->dead = c;
}

static void conn_free(struct conn *c)
{
	hs_free(c->hs);
	free(c->auto_nack);
	p2p_identity_cleanup(&c->id);
	free(c->obuf);
	free(c);
}

void srv_reap(struct srv *s)
{
	while (s->dead) {
		struct conn *c = s->dead;
		s->dead = c->dead_next;
		conn_free(c);
	}
}

static void client_text(const struct sockaddr_storage *ss, struct point *pt, char *out, size_t cap)
{
	struct point p;
	(void)point_from_sockaddr((const struct sockaddr *)ss, &p);
	*pt = p;
	point_format(&p, out, cap);
}

void srv_conn_start(struct srv *s, int fd, struct listener *l,
                    const struct sockaddr_storage *ss)
{
	uint32_t node = l->node, point = l->point;
	const struct sim_node *nd = &s->w->nodes[node];
	const struct sim_config *cf = s->c;
	struct conn *c = calloc(1, sizeof *c);
	if (!c) {
		close(fd);
		return;
	}
	c->s = s;
	c->fd = fd;
	/* latency is modelled explicitly; Nagle + delayed ACK would add ~40 ms per exchange.
	 * Octez <= v21 never set it (old_close). */
	int one = 1;
	if (!nd->old_close)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->node = node;
	c->point = point;
	c->kind = nd->beh == BEH_STALL ? CK_STALL : CK_HS;
	/* The n-th connection to a point draws the same lists in every run of a world,
	 * whatever the order in which connections to different points arrive. */
	c->rng = rng_fork(&s->rng, ((uint64_t)point << 32) | ++l->accepted);
	client_text(ss, &c->client_pt, c->client, sizeof c->client);
	ev_io_init(&c->rio, read_cb, fd, EV_READ);
	ev_io_init(&c->wio, write_cb, fd, EV_WRITE);
	ev_init(&c->release, release_cb);
	ev_init(&c->boot_t, boot_cb);
	ev_init(&c->branch_t, branch_cb);
	c->rio.data = c->wio.data = c->release.data = c->boot_t.data = c->branch_t.data = c;
	double hold_ms =
	    c->kind == CK_STALL ? (double)cf->stall_hold_ms : (double)cf->auth_timeout_ms;
	ev_timer_init(&c->deadline, deadline_cb, hold_ms / 1e3, 0);
	c->deadline.data = c;
	c->node_next = s->nodes[node].conns;
	if (c->node_next)
		c->node_next->node_prev = c;
	s->nodes[node].conns = c;
	ev_io_start(s->loop, &c->rio);
	ev_timer_start(s->loop, &c->deadline);
	/* A crawler of our chain learns this point only from another network's Nacks:
	 * it must not dial it (docs/simnet.md, "The foreign network"). */
	if (nd->foreign_only)
		violation(c, "foreign_only_dialed", "a point only nodes of another chain list");
	if (c->kind == CK_STALL) {
		s->st.stalled++;
		return;
	}
	memcpy(c->id.pk, nd->pk, 32);
	memcpy(c->id.sk, nd->sk, 32);
	memcpy(c->id.stamp, nd->stamp, 24);
	memcpy(c->id.peer_id, nd->peer_id, 16);
	struct hs_params p = {
	    .role = HS_RESPONDER,
	    .id = &c->id,
	    .chain_name = nd->beh == BEH_WRONG_CHAIN ? cf->wrong_chain_name : cf->chain_name,
	    .port = nd->announce_port ? nd->announce_port : s->w->points[point].pt.port,
	    .ddb_version = nd->ddb_version,
	    .ddb_min = 0,
	    .p2p_version = nd->p2p_version,
	    .p2p_min = 0,
	    .disable_mempool = false,
	    .private_node = nd->beh == BEH_PRIVATE,
	    .expected_pow = cf->expected_pow,
	};
	randombytes_buf(p.msg_nonce, sizeof p.msg_nonce);
	/* nack: the Nack of decide(); wrong_chain: the automatic Nack Unknown_chain_name,
	 * listing its own network's points (Octez lists known points for every motive) */
	if (nd->reveal != REVEAL_NONE) {
		c->auto_nack = malloc(100 * sizeof *c->auto_nack);
		if (!c->auto_nack) {
			log_error("cannot sample a Nack list (out of memory?)");
			srv_conn_close(c);
			return;
		}
		p.nack_points_n = sample_points(c, c->auto_nack);
		p.nack_points = c->auto_nack;
	}
	c->hs = hs_new(&p);
	if (!c->hs) {
		log_error("cannot create a handshake session (out of memory?)");
		srv_conn_close(c);
		return;
	}
	c->inflight = true;
	s->nodes[node].inflight++;
	pump(c);
}
