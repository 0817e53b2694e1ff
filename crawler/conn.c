/*
 * One visit on the crawl's libev loop: non-blocking TCP connect, then the
 * sans-I/O handshake (lib/p2p/handshake.h) fed from the socket, then the
 * Bootstrap rounds and Get_current_branch, then Disconnect and close.
 *
 * States and their deadlines (one ev_timer, re-armed by set_state, which is
 * the only place a state changes):
 *
 *   CONNECTING  connect_timeout    -> timeout (retried once by the frontier)
 *   HANDSHAKE   handshake_timeout  -> handshake_timeout (from connect to Ack)
 *   OPEN        the reply window   -> ok with what arrived
 *   DONE        none
 *
 * A second timer paces the Bootstrap rounds: the second goes
 * bootstrap_interval after the node's Ack arrived, never earlier. Octez's
 * 100 ms throttle starts when the node handles the first Bootstrap, which
 * is after it has written its Ack and read ours (src/lib_p2p/p2p_socket.ml
 * `accept`, then the answerer in p2p_protocol.ml), so a Bootstrap timed from
 * our own first one could land inside the window and wait a full 100 ms
 * more. The same timer ends a hold (below). Each readable event does one
 * bounded read() into a shared buffer, so one fast peer cannot starve the
 * others. A finished connection is closed at once (watchers stopped, fd
 * closed, result recorded) and freed later by the reaper.
 *
 * The crawler sends only: its connection message, metadata, Ack (all inside
 * hs), Bootstrap, Get_current_branch and Disconnect (docs/protocol.md §9.4, §16.1). The
 * Ack goes right behind our metadata and the first Bootstrap and
 * Get_current_branch right behind it (ask_early): the same bytes in the same
 * order as in lock step, one round trip fewer per visit.
 *
 * Lost Nacks: an Octez node up to v21 that Nacks (or closes as a private
 * node) while those early bytes lie unread resets the connection, and the
 * reset discards its Nack (docs/crawler.md). A reset after the node's
 * connection message, before its Ack or Nack, is therefore not the visit's
 * outcome: the visit dials the point once more at once, in lock step with
 * our Ack held until the node's (hs late_ack), and that connection's end is
 * the outcome. Nodes that Ack pay nothing; only those resets cost a dial.
 */
#include "crawler/conn.h"

#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "net/sockaddr.h"
#include "p2p/frame.h"
#include "p2p/handshake.h"
#include "p2p/identity.h"
#include "p2p/pow.h"

#define READ_MAX 16384 /* bytes read per readable event */
#define WAKE_DELAY_S 0.2 /* a held session goes on this long after the other one ended */
/* Octez's authentication deadline, accept to reading our Ack (p2p_limits.ml, 5 s). */
#define NODE_AUTH_S 5.0
/*
 * Largest frame a visit keeps (docs/crawler.md, "Memory"): an Advertise of
 * 100 points is at most ~5 KiB, a mainnet Current_branch ~8.5 KiB (a head
 * header of a few hundred bytes and 250 history hashes of 32 bytes, Octez's
 * max_locator_size). Anything longer goes by unread, so a hostile peer that
 * announces 8 MiB costs a session ~16 KiB, not P2P_FRAME_MAX + HS_IN_MAX.
 */
#define CRAWL_FRAME_CAP (16u << 10)

enum conn_st { CS_CONNECTING = 0, CS_HANDSHAKE = 1, CS_OPEN = 2, CS_DONE = 3 };

struct conn {
	struct conn_set *cs;
	struct conn *prev, *next; /* live list, then dead list (next only) */
	struct conn *peer_prev, *peer_next; /* cs->peer_chain[peer_bucket()] while live with have_peer */
	ev_io io;
	ev_timer deadline;
	ev_timer round;
	int fd;
	enum conn_st st;
	struct fr_lease lease;
	struct point pt;
	char text[POINT_FMT_CAP];
	struct hs *hs;

	double t_start, t_connected, t_answer; /* monotonic; t_answer: Ack or Nack read */
	int64_t started_us;
	uint64_t bytes_in;

	bool have_peer, have_meta, acked, chain_bad;
	/*
	 * Another of our sessions is talking to the same peer id (a node with
	 * two points): Octez would Nack the second one Already_connected
	 * (docs/protocol.md §9.2 item 6), so this one holds its metadata back until the
	 * other ends. has_waiters marks the session others wait for.
	 */
	bool waiting, has_waiters;
	double hold_until; /* a held session goes on at this time whatever happens */
	bool counted; /* the one session of its peer id that goes on */
	bool lock_step; /* second connection of the visit, after a reset: Ack after the node's */
	bool retry;   /* ask the frontier for another attempt (Already_connected) */
	struct hs_peer peer; /* chain_name borrowed from hs, valid until hs_free */
	struct p2p_metadata meta;
	int32_t nack_motive;

	unsigned rounds_sent, adv_seen;
	bool head_sent, have_head;
	bool head_dropped; /* the Current_branch was over CRAWL_FRAME_CAP: head unknown */
	int32_t head_level;
	int64_t head_ts;
	uint8_t head_hash[P2P_BLOCK_HASH_LEN];

	char errbuf[128];
};

static uint8_t read_buf[READ_MAX];

static void io_cb(struct ev_loop *loop, ev_io *w, int revents);
static void deadline_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void round_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void finish(struct conn *c, enum visit_outcome o, const char *why);
static void dial(struct conn_set *cs, const struct fr_lease *l, bool lock_step, int64_t started_us);

static double open_window(const struct crawl_config *cfg)
{
	double adv = 0, head = 0;
	if (cfg->bootstrap_rounds > 0)
		adv = (double)(cfg->bootstrap_rounds - 1) * cfg->bootstrap_interval +
		      cfg->advertise_wait;
	if (!cfg->no_head)
		head = cfg->head_wait;
	return adv > head ? adv : head;
}

/* The only place a state changes: checks the transition and re-arms its deadline. */
static void set_state(struct conn *c, enum conn_st st)
{
	const struct crawl_config *cfg = c->cs->cfg;
	/* CONNECTING -> HANDSHAKE -> OPEN, and any state -> DONE. */
	assert(st == CS_DONE || st == CS_CONNECTING || (int)st == (int)c->st + 1);
	c->st = st;
	ev_timer_stop(c->cs->loop, &c->deadline);
	double after = 0;
	switch (st) {
	case CS_CONNECTING:
		after = cfg->connect_timeout;
		if (c->lease.attempt > 1 && cfg->retry_connect_timeout < after)
			after = cfg->retry_connect_timeout;
		break;
	case CS_HANDSHAKE: after = cfg->handshake_timeout; break;
	case CS_OPEN: after = open_window(cfg); break;
	case CS_DONE: return;
	}
	ev_timer_set(&c->deadline, after, 0.);
	ev_timer_start(c->cs->loop, &c->deadline);
}

static void watch(struct conn *c, int events)
{
	if (c->io.events == events && ev_is_active(&c->io))
		return;
	ev_io_stop(c->cs->loop, &c->io);
	ev_io_set(&c->io, c->fd, events);
	ev_io_start(c->cs->loop, &c->io);
}

/* Writes what hs has queued; watches EV_WRITE while some is left. false on a write error. */
static bool flush_out(struct conn *c)
{
	if (c->waiting) {
		watch(c, EV_READ);
		return true;
	}
	for (;;) {
		size_t len = 0;
		const uint8_t *p = hs_out(c->hs, &len);
		if (!p || len == 0) {
			watch(c, EV_READ);
			return true;
		}
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			hs_out_consume(c->hs, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			watch(c, EV_READ | EV_WRITE);
			return true;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return false;
	}
}

static void send_msg(struct conn *c, uint16_t tag)
{
	struct p2p_msg m;
	p2p_msg_init(&m, tag);
	if (tag == P2P_TAG_GET_CURRENT_BRANCH)
		memcpy(m.chain_id, c->cs->chain_id, 4);
	enum err e = hs_send(c->hs, &m);
	if (e != ERR_OK)
		log_debug("%s: cannot send %s: %s", c->text, p2p_tag_str(tag), err_str(e));
}

/* The next round, bootstrap_interval from now; only once the node's Ack is in (see top). */
static void arm_round(struct conn *c)
{
	if (c->acked && (long long)c->rounds_sent < c->cs->cfg->bootstrap_rounds) {
		ev_timer_stop(c->cs->loop, &c->round);
		ev_timer_set(&c->round, c->cs->cfg->bootstrap_interval, 0.);
		ev_timer_start(c->cs->loop, &c->round);
	}
}

static void send_bootstrap(struct conn *c)
{
	send_msg(c, P2P_TAG_BOOTSTRAP);
	c->rounds_sent++;
	arm_round(c);
}

static void maybe_send_head(struct conn *c)
{
	if (c->cs->cfg->no_head || c->head_sent || !c->cs->chain_id_known)
		return;
	send_msg(c, P2P_TAG_GET_CURRENT_BRANCH);
	c->head_sent = true;
}

/* Everything asked for has arrived: finish early. */
static bool check_complete(struct conn *c)
{
	const struct crawl_config *cfg = c->cs->cfg;
	bool adv_done = (long long)c->adv_seen >= cfg->bootstrap_rounds;
	bool head_done = cfg->no_head || c->have_head || c->head_dropped;
	if (adv_done && head_done) {
		finish(c, c->chain_bad ? VISIT_FOREIGN : VISIT_OK,
		       c->head_dropped ? c->errbuf : NULL);
		return true;
	}
	return false;
}

/* A list of points: up to the crawl, as it arrives (recorded, offered unless foreign). */
static void on_points(struct conn *c, const struct point *pts, size_t n, enum adv_source src,
		      uint32_t round)
{
	struct visit_points p = {
	    .from = &c->pt,
	    .depth = c->lease.depth,
	    .pts = pts,
	    .n = n,
	    .source = src,
	    .round = round,
	    .seen_at_us = clock_wall_us(), /* one message, one instant */
	};
	c->cs->up.points(c->cs->up.ctx, &p);
}

static void on_msg(struct conn *c, const struct p2p_msg *m)
{
	const struct crawl_config *cfg = c->cs->cfg;
	switch (m->tag) {
	case P2P_TAG_ADVERTISE:
		/* At most one Advertise per round we asked for: a peer cannot push more. */
		if ((long long)c->adv_seen >= cfg->bootstrap_rounds || c->adv_seen >= c->rounds_sent)
			return;
		c->adv_seen++;
		on_points(c, m->points, m->points_n, ADV_ADVERTISE, c->adv_seen);
		break;
	case P2P_TAG_CURRENT_BRANCH:
		if (c->have_head || !c->head_sent)
			return;
		c->have_head = true;
		c->head_level = m->head.level;
		c->head_ts = m->head.timestamp;
		memcpy(c->head_hash, m->head.hash, sizeof c->head_hash);
		break;
	case P2P_TAG_GET_CURRENT_BRANCH:
		/* The node tells us its chain id (spec errata 6): use it if we had none. */
		if (!c->cs->chain_id_known) {
			memcpy(c->cs->chain_id, m->chain_id, 4);
			c->cs->chain_id_known = true;
		}
		maybe_send_head(c);
		return;
	case P2P_TAG_DISCONNECT:
		finish(c, c->chain_bad ? VISIT_FOREIGN : VISIT_OK, "peer sent Disconnect");
		return;
	default:
		return; /* Bootstrap from the node, Current_head, ...: ignored */
	}
	check_complete(c);
}

/*
 * Ask for peers and the head. Called when the peer's connection message
 * arrives (our Ack is queued behind our metadata: early_ack), so the node
 * reads Bootstrap and Get_current_branch right after our Ack and answers
 * them right after its own: one round trip per visit fewer than lock step.
 * Not for a node of another chain (its lists are not ours to mix), not for
 * a session held behind another one with the same peer id, and not in lock
 * step (nothing may follow our metadata before the node's Ack).
 */
static void ask_early(struct conn *c)
{
	if (c->chain_bad || c->waiting || c->lock_step || c->st != CS_HANDSHAKE)
		return;
	if (c->cs->cfg->bootstrap_rounds > 0 && c->rounds_sent == 0)
		send_bootstrap(c);
	maybe_send_head(c);
}

static void on_ack(struct conn *c)
{
	c->acked = true;
	c->t_answer = ev_now(c->cs->loop);
	if (c->chain_bad) {
		/* Another network: do not mix its peer lists into ours. */
		finish(c, VISIT_FOREIGN, "acked with another chain name");
		return;
	}
	set_state(c, CS_OPEN);
	if (c->cs->cfg->bootstrap_rounds > 0 && c->rounds_sent == 0)
		send_bootstrap(c);
	else
		arm_round(c); /* the first went early: time the second from this Ack */
	maybe_send_head(c);
	check_complete(c);
}

static void on_nack(struct conn *c, const struct hs_event *ev)
{
	c->t_answer = ev_now(c->cs->loop);
	/* Another chain name in its connection message: foreign, whatever the
	 * motive; our chain but no common version: incompatible. */
	bool incompatible = false;
	if (ev->type == HS_EV_NACK) {
		c->nack_motive = ev->ack.motive;
		if (ev->ack.motive == P2P_MOTIVE_UNKNOWN_CHAIN_NAME ||
		    ev->ack.motive == P2P_MOTIVE_DEPRECATED_P2P_VERSION ||
		    ev->ack.motive == P2P_MOTIVE_DEPRECATED_DDB_VERSION)
			incompatible = true;
		/*
		 * We hold a second session to a peer id until the first ends, but the
		 * node may not have noticed that end yet: try this point again later.
		 */
		if (ev->ack.motive == P2P_MOTIVE_ALREADY_CONNECTED)
			c->retry = true;
		on_points(c, ev->ack.points, ev->ack.points_n,
			  c->chain_bad ? ADV_FOREIGN_NACK : ADV_NACK, 0);
		snprintf(c->errbuf, sizeof c->errbuf, "nack: %s", p2p_motive_str(ev->ack.motive));
	} else {
		snprintf(c->errbuf, sizeof c->errbuf, "nack_v_0");
	}
	finish(c, c->chain_bad ? VISIT_FOREIGN : incompatible ? VISIT_INCOMPATIBLE : VISIT_NACK,
	       c->errbuf);
}

/*
 * A frame over CRAWL_FRAME_CAP went by unread. A Current_branch we asked
 * for: the head stays unknown, and the visit needs it no longer (recorded
 * ok with the reason). Anything else (a Current_head with a big mempool,
 * a hostile 8 MiB frame): nothing we asked for, ignored.
 */
static void on_dropped(struct conn *c, const struct hs_drop *d)
{
	if (d->tag != P2P_TAG_CURRENT_BRANCH || !c->head_sent || c->have_head || c->head_dropped) {
		log_debug("%s: dropped a %s frame of %u bytes (over the %u-byte cap)", c->text,
			  p2p_tag_str(d->tag) ? p2p_tag_str(d->tag) : "unknown", (unsigned)d->size,
			  (unsigned)CRAWL_FRAME_CAP);
		return;
	}
	c->head_dropped = true;
	snprintf(c->errbuf, sizeof c->errbuf,
		 "current_branch of %u bytes over the %u-byte frame cap: head unknown",
		 (unsigned)d->size, (unsigned)CRAWL_FRAME_CAP);
	check_complete(c);
}

/*
 * Live sessions past their connection message are chained by a bucket of
 * their peer id (a hash already: its first bytes), so finding another
 * session with the same peer id looks at a handful of sessions, not at every
 * connection in flight. Of the sessions of one peer id, at most one is
 * counted (goes on); the others hold.
 */
static size_t peer_bucket(const struct conn *c)
{
	return ((size_t)c->peer.peer_id[0] << 8 | c->peer.peer_id[1]) % PEER_BUCKETS;
}

static void peer_link(struct conn *c)
{
	struct conn **head = &c->cs->peer_chain[peer_bucket(c)];
	c->peer_prev = NULL;
	c->peer_next = *head;
	if (*head)
		(*head)->peer_prev = c;
	*head = c;
}

static void peer_unlink(struct conn *c)
{
	if (c->peer_prev)
		c->peer_prev->peer_next = c->peer_next;
	else
		c->cs->peer_chain[peer_bucket(c)] = c->peer_next;
	if (c->peer_next)
		c->peer_next->peer_prev = c->peer_prev;
	c->peer_prev = c->peer_next = NULL;
}

/* Another live session that already talks to c's peer id, or NULL. */
static struct conn *same_peer(const struct conn *c)
{
	for (struct conn *o = c->cs->peer_chain[peer_bucket(c)]; o; o = o->peer_next)
		if (o != c && o->counted &&
		    memcmp(o->peer.peer_id, c->peer.peer_id, sizeof o->peer.peer_id) == 0)
			return o;
	return NULL;
}

/*
 * Holds c while another session talks to its peer id, but never past
 * hold_until: the node that owns this point closes at its authentication
 * deadline (5 s from accept to reading our Ack), and a point with a cloned
 * identity is another node, which would never answer Already_connected. Half
 * the deadline (or of handshake_timeout, if shorter) leaves the rest for our
 * metadata, both Acks and a slow path; a same-node session that then meets
 * Already_connected is retried (on_nack).
 */
static void hold_if_busy(struct conn *c)
{
	struct conn_set *cs = c->cs;
	struct conn *o = same_peer(c);
	double now = ev_now(cs->loop);
	if (!c->waiting) {
		double d = cs->cfg->handshake_timeout < NODE_AUTH_S ? cs->cfg->handshake_timeout
								  : NODE_AUTH_S;
		c->hold_until = c->t_connected + d / 2;
	}
	if (!o || now >= c->hold_until) {
		if (o)
			log_debug("%s: held to its deadline behind %s: going on", c->text, o->text);
		c->waiting = false;
		c->counted = true;
		return;
	}
	if (!c->waiting)
		log_debug("%s: peer already in session at %s: holding the handshake", c->text,
			  o->text);
	c->waiting = true;
	o->has_waiters = true;
	ev_timer_stop(cs->loop, &c->round);
	ev_timer_set(&c->round, c->hold_until - now, 0.);
	ev_timer_start(cs->loop, &c->round);
}

/* c ends: sessions holding for its peer id may go on after a short pause. */
static void wake_waiters(struct conn *c)
{
	if (!c->has_waiters || !c->have_peer)
		return;
	for (struct conn *o = c->cs->peer_chain[peer_bucket(c)]; o; o = o->peer_next) {
		if (o->waiting &&
		    memcmp(o->peer.peer_id, c->peer.peer_id, sizeof o->peer.peer_id) == 0) {
			/* let the node see our close first (never past the hold's end) */
			double left = o->hold_until - ev_now(c->cs->loop);
			ev_timer_stop(c->cs->loop, &o->round);
			ev_timer_set(&o->round, left < WAKE_DELAY_S ? (left > 0 ? left : 0) : WAKE_DELAY_S,
				     0.);
			ev_timer_start(c->cs->loop, &o->round);
		}
	}
}

/* An HS_EV_ERROR of our own making: an allocation, or our output queue full. */
static bool hs_error_local(enum err e)
{
	return e == ERR_NOMEM || e == ERR_FULL;
}

/* Drains the session's events; false once the connection is finished. */
static bool run_events(struct conn *c)
{
	struct hs_event ev;
	while (c->st != CS_DONE && hs_next_event(c->hs, &ev)) {
		switch (ev.type) {
		case HS_EV_CONN_MSG:
			c->have_peer = true;
			c->peer = ev.conn;
			peer_link(c);
			if (ev.conn.self) {
				finish(c, VISIT_SELF, "the peer's public key is ours");
				return false;
			}
			if (!ev.conn.chain_ok)
				c->chain_bad = true; /* go on: the Nack lists points */
			hold_if_busy(c);
			ask_early(c);
			break;
		case HS_EV_METADATA:
			c->have_meta = true;
			c->meta = ev.meta;
			break;
		case HS_EV_ACK: on_ack(c); break;
		case HS_EV_NACK:
		case HS_EV_NACK_V0: on_nack(c, &ev); break;
		case HS_EV_NACK_SENT: break; /* responder only */
		case HS_EV_MSG: on_msg(c, &ev.msg); break;
		case HS_EV_DROPPED: on_dropped(c, &ev.dropped); break;
		case HS_EV_ERROR:
			snprintf(c->errbuf, sizeof c->errbuf, "%s%s%s: %s",
				 hs_error_local(ev.error.code) ? "local: " : "",
				 c->acked ? "after ack: " : "", err_str(ev.error.code),
				 ev.error.reason ? ev.error.reason : "?");
			finish(c, hs_error_local(ev.error.code) ? VISIT_LOCAL_ERROR : VISIT_PROTOCOL_ERROR,
			       c->errbuf);
			return false;
		}
	}
	return c->st != CS_DONE;
}

static void hang_up(struct conn *c);
static void bury(struct conn *c);

/*
 * A reset before the node's Ack or Nack, once its connection message came:
 * maybe a Nack destroyed by an old node's close (see top). Dials the point
 * again at once in lock step, under the same lease, as the same visit.
 */
static bool redial(struct conn *c)
{
	if (c->lock_step || c->st != CS_HANDSHAKE || !c->have_peer || c->cs->stopping)
		return false;
	struct conn_set *cs = c->cs;
	struct fr_lease l = c->lease;
	int64_t started_us = c->started_us;
	log_debug("%s: reset after the %s: dialing again in lock step", c->text,
		  c->have_meta ? "metadata" : "connection message");
	hang_up(c);
	bury(c);
	dial(cs, &l, true, started_us);
	return true;
}

/* The peer closed (EOF or reset) before we were done. reset: ECONNRESET or EPIPE. */
static void on_hangup(struct conn *c, const char *how, bool reset)
{
	if (reset && redial(c))
		return;
	if (c->st == CS_OPEN) {
		snprintf(c->errbuf, sizeof c->errbuf, "%s after ack", how);
		finish(c, c->chain_bad ? VISIT_FOREIGN : VISIT_OK, c->errbuf);
	} else if (c->bytes_in == 0) {
		snprintf(c->errbuf, sizeof c->errbuf, "%s before any byte", how);
		finish(c, VISIT_SILENT_CLOSE, c->errbuf);
	} else {
		snprintf(c->errbuf, sizeof c->errbuf, "%s after %s", how,
			 c->have_meta ? "metadata" : c->have_peer ? "connection message"
								  : "partial connection message");
		finish(c, VISIT_CLOSED, c->errbuf);
	}
}

/* After a failed send: did the peer reset the connection? */
static bool write_reset(void)
{
	return errno == EPIPE || errno == ECONNRESET;
}

static void on_readable(struct conn *c)
{
	ssize_t n = recv(c->fd, read_buf, sizeof read_buf, 0);
	if (n > 0) {
		c->bytes_in += (uint64_t)n;
		enum err e = hs_feed(c->hs, read_buf, (size_t)n);
		if (e == ERR_STATE)
			return; /* session already over: a finish is coming from run_events */
		if (e != ERR_OK) {
			snprintf(c->errbuf, sizeof c->errbuf, "%sfeed: %s",
				 e == ERR_NOMEM ? "local: " : "", err_str(e));
			finish(c, e == ERR_NOMEM ? VISIT_LOCAL_ERROR : VISIT_PROTOCOL_ERROR, c->errbuf);
			return;
		}
		if (!run_events(c))
			return;
		if (!flush_out(c))
			on_hangup(c, errno == EPIPE ? "broken pipe" : "write error", write_reset());
		return;
	}
	if (n == 0) {
		on_hangup(c, "closed", false);
		return;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return;
	on_hangup(c, errno == ECONNRESET ? "reset" : "read error", errno == ECONNRESET);
}

/*
 * What a failed connect says. Only the errors the network or the peer gives
 * are facts about the point; anything else (EMFILE, ENOBUFS, ENOMEM,
 * EADDRNOTAVAIL when our ephemeral ports run out, EPERM from a local
 * firewall, ...) is our side: local_error, retried later.
 */
static enum visit_outcome connect_outcome(int err)
{
	switch (err) {
	case ECONNREFUSED: return VISIT_REFUSED;
	case ETIMEDOUT: return VISIT_TIMEOUT;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ECONNRESET:
	case ECONNABORTED:
	case EPIPE: return VISIT_UNREACHABLE;
	default: return VISIT_LOCAL_ERROR;
	}
}

static void connect_failed(struct conn *c, int err)
{
	enum visit_outcome o = connect_outcome(err);
	snprintf(c->errbuf, sizeof c->errbuf, "%sconnect: %s",
		 o == VISIT_LOCAL_ERROR ? "local: " : "", strerror(err));
	finish(c, o, c->errbuf);
}

static void on_connected(struct conn *c)
{
	c->t_connected = ev_now(c->cs->loop);
	set_state(c, CS_HANDSHAKE);
	if (!flush_out(c))
		on_hangup(c, errno == EPIPE ? "broken pipe" : "write error", write_reset());
}

/*
 * Right after a non-blocking connect: on loopback or a short path TCP's own
 * handshake is often complete already, so write the connection message at
 * once; EAGAIN means still connecting (wait for EV_WRITE), any other error
 * is the connect's own (a refused port answers with its RST at once).
 */
static void send_first(struct conn *c)
{
	size_t len = 0;
	const uint8_t *p = hs_out(c->hs, &len);
	ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
	if (n >= 0) {
		hs_out_consume(c->hs, (size_t)n);
		on_connected(c);
		return;
	}
	/* Linux says EAGAIN while SYN_SENT; POSIX allows ENOTCONN there too. */
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ENOTCONN) {
		watch(c, EV_WRITE);
		return;
	}
	connect_failed(c, errno);
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	struct conn *c = w->data;
	if (c->st == CS_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof err;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err == EINPROGRESS || err == EALREADY)
			return;
		if (err != 0) {
			connect_failed(c, err);
			return;
		}
		on_connected(c);
		return;
	}
	if (revents & EV_READ) {
		on_readable(c);
		if (c->st == CS_DONE)
			return;
	}
	if (revents & EV_WRITE) {
		if (!flush_out(c))
			on_hangup(c, errno == EPIPE ? "broken pipe" : "write error", write_reset());
	}
}

static void deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct conn *c = w->data;
	switch (c->st) {
	case CS_CONNECTING: finish(c, VISIT_TIMEOUT, "connect: deadline passed"); break;
	case CS_HANDSHAKE:
		snprintf(c->errbuf, sizeof c->errbuf, "no %s within the deadline",
			 c->have_meta ? "ack" : c->have_peer ? "metadata" : "connection message");
		finish(c, VISIT_HANDSHAKE_TIMEOUT, c->errbuf);
		break;
	case CS_OPEN: {
		const char *why = NULL;
		if ((long long)c->adv_seen < c->cs->cfg->bootstrap_rounds)
			why = c->adv_seen == 0 ? "no advertise" : "fewer advertise than rounds";
		else if (c->head_dropped)
			why = c->errbuf;
		else if (!c->have_head && !c->cs->cfg->no_head)
			why = "no current_branch";
		finish(c, c->chain_bad ? VISIT_FOREIGN : VISIT_OK, why);
		break;
	}
	case CS_DONE: break;
	}
}

static void round_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct conn *c = w->data;
	if (c->waiting) {
		hold_if_busy(c);
		if (!c->waiting && !flush_out(c))
			on_hangup(c, errno == EPIPE ? "broken pipe" : "write error", write_reset());
		return;
	}
	if (c->st != CS_OPEN)
		return;
	send_bootstrap(c);
	if (!flush_out(c))
		on_hangup(c, errno == EPIPE ? "broken pipe" : "write error", write_reset());
}

/* The visit's one result: its row and what the frontier needs. */
static void fill_result(const struct conn *c, struct visit_result *r, enum visit_outcome o,
			const char *why, char *peer_id_text, size_t peer_id_cap)
{
	struct visit_rec *v = &r->rec;
	r->pt = &c->pt;
	r->peer = c->have_peer ? &c->peer : NULL;
	r->foreign = c->chain_bad;
	r->point_id = c->lease.id;
	r->depth = c->lease.depth;
	r->come_back = c->retry;
	visit_rec_init(v);
	v->point = c->text;
	v->started_at_us = c->started_us;
	v->outcome = o;
	v->attempt = c->lease.attempt;
	v->error = why;
	if (c->t_connected > 0)
		v->connect_ms = (int32_t)((c->t_connected - c->t_start) * 1000.0 + 0.5);
	if (c->t_answer > 0)
		v->handshake_ms = (int32_t)((c->t_answer - c->t_connected) * 1000.0 + 0.5);
	if (c->have_peer) {
		(void)peer_id_cap;
		p2p_peer_id_b58(peer_id_text, c->peer.peer_id);
		v->peer_id = peer_id_text;
		v->public_key = c->peer.public_key;
		v->advertised_port = c->peer.port;
		v->pow_bits = (int32_t)c->peer.pow_bits;
		v->chain_name = c->peer.chain_name ? c->peer.chain_name : (const uint8_t *)"";
		v->chain_name_len = c->peer.chain_name_len;
		v->ddb_version = c->peer.ddb_version;
		v->p2p_version = c->peer.p2p_version;
	}
	if (c->have_meta) {
		v->disable_mempool = c->meta.disable_mempool ? 1 : 0;
		v->private_node = c->meta.private_node ? 1 : 0;
	}
	v->nack_motive = c->nack_motive;
	if (c->have_head) {
		v->has_head = true;
		v->head_level = c->head_level;
		v->head_timestamp = c->head_ts;
		v->head_hash = c->head_hash;
	}
}

static void finish(struct conn *c, enum visit_outcome o, const char *why)
{
	struct conn_set *cs = c->cs;
	if (c->st == CS_DONE)
		return;
	if (c->acked && c->hs && hs_state(c->hs) == HS_ST_OPEN) {
		send_msg(c, P2P_TAG_DISCONNECT);
		size_t len = 0;
		const uint8_t *p = hs_out(c->hs, &len);
		if (p && len) /* best effort: Octez just closes too */
			(void)!send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	hang_up(c);

	char peer_id_text[64];
	struct visit_result r;
	fill_result(c, &r, o, why, peer_id_text, sizeof peer_id_text);
	cs->up.end(cs->up.ctx, &r);
	bury(c);
}

/* Ends c's connection: watchers stopped, socket closed, sessions held behind it woken. */
static void hang_up(struct conn *c)
{
	struct conn_set *cs = c->cs;
	set_state(c, CS_DONE);
	c->counted = false;
	if (c->have_peer)
		peer_unlink(c);
	wake_waiters(c);
	ev_io_stop(cs->loop, &c->io);
	ev_timer_stop(cs->loop, &c->round);
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

/* live -> dead; the reaper frees it */
static void bury(struct conn *c)
{
	struct conn_set *cs = c->cs;
	if (c->prev)
		c->prev->next = c->next;
	else
		cs->live = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = NULL;
	c->next = cs->dead;
	cs->dead = c;
	cs->inflight--;
}

/* TEZOS_MAINNET's chain id (docs/protocol.md §14): Get_current_branch needs it. */
static const uint8_t mainnet_chain_id[4] = {0x7a, 0x06, 0xa7, 0x70};

enum err conn_set_init(struct conn_set *cs, struct ev_loop *loop, const struct crawl_config *cfg,
		       const struct p2p_identity *id, const struct conn_up *up)
{
	memset(cs, 0, sizeof *cs);
	cs->loop = loop;
	cs->cfg = cfg;
	cs->id = id;
	cs->up = *up;
	if (p2p_pow_target(cs->pow_target, cfg->expected_pow) != ERR_OK)
		return ERR_CONFIG;
	cs->peer_chain = calloc(PEER_BUCKETS, sizeof *cs->peer_chain);
	if (!cs->peer_chain)
		return ERR_NOMEM;
	cs->nonce_used = sizeof cs->nonce_pool; /* empty: filled at the first dial */
	if (strcmp(cfg->chain, "TEZOS_MAINNET") == 0) {
		memcpy(cs->chain_id, mainnet_chain_id, 4);
		cs->chain_id_known = true;
	}
	return ERR_OK;
}

void conn_set_cleanup(struct conn_set *cs)
{
	conn_abort_all(cs, "shutdown");
	conn_reap(cs);
	free(cs->peer_chain);
	cs->peer_chain = NULL;
}

void conn_nonce(struct conn_set *cs, uint8_t out[24])
{
	if (cs->nonce_used + 24 > sizeof cs->nonce_pool) {
		randombytes_buf(cs->nonce_pool, sizeof cs->nonce_pool);
		cs->nonce_used = 0;
	}
	memcpy(out, cs->nonce_pool + cs->nonce_used, 24);
	cs->nonce_used += 24;
}

void conn_start(struct conn_set *cs, const struct fr_lease *l)
{
	dial(cs, l, false, 0);
}

/* One connection of a visit; lock_step: the visit's second, after a reset. started_us: 0 = now. */
static void dial(struct conn_set *cs, const struct fr_lease *l, bool lock_step, int64_t started_us)
{
	struct conn *c = calloc(1, sizeof *c);
	if (!c) {
		/* Nothing to record it with: the point waits for its retry. */
		log_error("out of memory for a connection to point %u: retried later", l->id);
		cs->up.unrecorded(cs->up.ctx, l);
		return;
	}
	c->cs = cs;
	c->fd = -1;
	c->lease = *l;
	memcpy(c->pt.addr, l->addr, 16);
	c->pt.port = l->port;
	point_format(&c->pt, c->text, sizeof c->text);
	c->t_start = ev_now(cs->loop);
	c->started_us = started_us ? started_us : clock_wall_us();
	c->lock_step = lock_step;
	c->nack_motive = REC_NACK_MOTIVE_ABSENT;
	ev_init(&c->io, io_cb);
	c->io.data = c;
	ev_init(&c->deadline, deadline_cb);
	c->deadline.data = c;
	ev_init(&c->round, round_cb);
	c->round.data = c;

	c->next = cs->live;
	if (cs->live)
		cs->live->prev = c;
	cs->live = c;
	cs->inflight++;
	if (cs->inflight > cs->max_inflight)
		cs->max_inflight = cs->inflight;
	c->st = CS_CONNECTING;

	struct hs_params hp;
	memset(&hp, 0, sizeof hp);
	hp.role = HS_INITIATOR;
	hp.id = cs->id;
	hp.chain_name = cs->cfg->chain;
	/* 0 (the default): we do not listen, nobody registers our point (docs/protocol.md
	 * §9.3); announce_port: a listener of ours, whose point the nodes we visit register
	 * and advertise (docs/crawler.md "Announcing a port") */
	hp.port = (uint16_t)cs->cfg->announce_port;
	hp.ddb_version = (uint16_t)cs->cfg->ddb_version;
	hp.p2p_version = (uint16_t)cs->cfg->p2p_version;
	hp.disable_mempool = true;
	hp.private_node = false;
	hp.expected_pow = cs->cfg->expected_pow;
	hp.pow_target = cs->pow_target;
	hp.early_ack = !lock_step;
	hp.late_ack = lock_step;
	hp.frame_cap = CRAWL_FRAME_CAP;
	conn_nonce(cs, hp.msg_nonce);
	c->hs = hs_new(&hp);
	if (!c->hs) {
		finish(c, VISIT_LOCAL_ERROR, "local: cannot create a session");
		return;
	}

	bool v4 = point_is_v4(&c->pt);
	struct sockaddr_storage ss;
	socklen_t sl = point_to_sockaddr(&c->pt, &ss);
	c->fd = socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		int err = errno;
		snprintf(c->errbuf, sizeof c->errbuf, "local: socket: %s", strerror(err));
		if (err == EMFILE || err == ENFILE)
			cs->up.fd_limit(cs->up.ctx, cs->inflight - 1);
		finish(c, VISIT_LOCAL_ERROR, c->errbuf);
		return;
	}
	int one = 1;
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	set_state(c, CS_CONNECTING);
	if (connect(c->fd, (struct sockaddr *)&ss, sl) == 0) {
		on_connected(c);
		return;
	}
	if (errno != EINPROGRESS) {
		connect_failed(c, errno);
		return;
	}
	send_first(c);
}

void conn_abort_all(struct conn_set *cs, const char *why)
{
	while (cs->live) {
		struct conn *c = cs->live;
		switch (c->st) {
		case CS_CONNECTING: finish(c, VISIT_TIMEOUT, why); break;
		case CS_HANDSHAKE: finish(c, VISIT_HANDSHAKE_TIMEOUT, why); break;
		case CS_OPEN: finish(c, c->chain_bad ? VISIT_FOREIGN : VISIT_OK, why); break;
		case CS_DONE: break;
		}
	}
}

void conn_reap(struct conn_set *cs)
{
	while (cs->dead) {
		struct conn *c = cs->dead;
		cs->dead = c->next;
		hs_free(c->hs);
		free(c);
	}
}
