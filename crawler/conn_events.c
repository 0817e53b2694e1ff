/*
 * What a visit asks and learns, from its session's events (lib/p2p
 * handshake.h): the peer's connection message, metadata, Ack or Nack, then
 * the Advertise lists and the head, handed up as they arrive; the early
 * Bootstrap and Get_current_branch behind our Ack (ask_early, conn.c's head
 * comment says why); the hold of a second session to one peer id; and the
 * visit's one result. Its own file because it reads no socket and arms no
 * deadline: conn.c moves the bytes and decides when a connection ends, this
 * file what the bytes meant. Both share conn_int.h.
 */
#include "crawler/conn_int.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "p2p/identity.h"

#define WAKE_DELAY_S 0.2 /* a held session goes on this long after the other one ended */
/* Octez's authentication deadline, accept to reading our Ack (p2p_limits.ml, 5 s). */
#define NODE_AUTH_S 5.0

void conn_send_msg(struct conn *c, uint16_t tag)
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

void conn_send_bootstrap(struct conn *c)
{
	conn_send_msg(c, P2P_TAG_BOOTSTRAP);
	c->rounds_sent++;
	arm_round(c);
}

static void maybe_send_head(struct conn *c)
{
	if (c->cs->cfg->no_head || c->head_sent || !c->cs->chain_id_known)
		return;
	conn_send_msg(c, P2P_TAG_GET_CURRENT_BRANCH);
	c->head_sent = true;
}

/* Everything asked for has arrived: finish early. */
static bool check_complete(struct conn *c)
{
	const struct crawl_config *cfg = c->cs->cfg;
	bool adv_done = (long long)c->adv_seen >= cfg->bootstrap_rounds;
	bool head_done = cfg->no_head || c->have_head || c->head_dropped;
	if (adv_done && head_done) {
		conn_finish(c, c->chain_bad ? VISIT_FOREIGN : VISIT_OK,
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
		conn_finish(c, c->chain_bad ? VISIT_FOREIGN : VISIT_OK, "peer sent Disconnect");
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
		conn_send_bootstrap(c);
	maybe_send_head(c);
}

static void on_ack(struct conn *c)
{
	c->acked = true;
	c->t_answer = ev_now(c->cs->loop);
	if (c->chain_bad) {
		/* Another network: do not mix its peer lists into ours. */
		conn_finish(c, VISIT_FOREIGN, "acked with another chain name");
		return;
	}
	conn_set_state(c, CS_OPEN);
	if (c->cs->cfg->bootstrap_rounds > 0 && c->rounds_sent == 0)
		conn_send_bootstrap(c);
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
	conn_finish(c,
		    c->chain_bad ? VISIT_FOREIGN : incompatible ? VISIT_INCOMPATIBLE : VISIT_NACK,
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

void conn_peer_unlink(struct conn *c)
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
void conn_hold_if_busy(struct conn *c)
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
void conn_wake_waiters(struct conn *c)
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
bool conn_run_events(struct conn *c)
{
	struct hs_event ev;
	while (c->st != CS_DONE && hs_next_event(c->hs, &ev)) {
		switch (ev.type) {
		case HS_EV_CONN_MSG:
			c->have_peer = true;
			c->peer = ev.conn;
			peer_link(c);
			if (ev.conn.self) {
				conn_finish(c, VISIT_SELF, "the peer's public key is ours");
				return false;
			}
			if (!ev.conn.chain_ok)
				c->chain_bad = true; /* go on: the Nack lists points */
			conn_hold_if_busy(c);
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
			conn_finish(c,
				    hs_error_local(ev.error.code) ? VISIT_LOCAL_ERROR
								  : VISIT_PROTOCOL_ERROR,
				    c->errbuf);
			return false;
		}
	}
	return c->st != CS_DONE;
}

/* The visit's one result: its row and what the frontier needs. */
void conn_fill_result(const struct conn *c, struct visit_result *r, enum visit_outcome o,
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
