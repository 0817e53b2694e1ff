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
 *
 * This file moves the bytes and decides when a connection ends (connect,
 * reads and writes, deadlines, the redial, the end of a visit);
 * conn_events.c holds what the session's events tell the visit and what it
 * asks in return. Both share conn_int.h.
 */
#include "crawler/conn_int.h"

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

static uint8_t read_buf[READ_MAX];

static void io_cb(struct ev_loop *loop, ev_io *w, int revents);
static void deadline_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void round_cb(struct ev_loop *loop, ev_timer *w, int revents);
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
void conn_set_state(struct conn *c, enum conn_st st)
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
		conn_finish(c, c->chain_bad ? VISIT_FOREIGN : VISIT_OK, c->errbuf);
	} else if (c->bytes_in == 0) {
		snprintf(c->errbuf, sizeof c->errbuf, "%s before any byte", how);
		conn_finish(c, VISIT_SILENT_CLOSE, c->errbuf);
	} else {
		snprintf(c->errbuf, sizeof c->errbuf, "%s after %s", how,
			 c->have_meta ? "metadata" : c->have_peer ? "connection message"
								  : "partial connection message");
		conn_finish(c, VISIT_CLOSED, c->errbuf);
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
			conn_finish(c, e == ERR_NOMEM ? VISIT_LOCAL_ERROR : VISIT_PROTOCOL_ERROR,
				    c->errbuf);
			return;
		}
		if (!conn_run_events(c))
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
	conn_finish(c, o, c->errbuf);
}

static void on_connected(struct conn *c)
{
	c->t_connected = ev_now(c->cs->loop);
	conn_set_state(c, CS_HANDSHAKE);
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
	case CS_CONNECTING: conn_finish(c, VISIT_TIMEOUT, "connect: deadline passed"); break;
	case CS_HANDSHAKE:
		snprintf(c->errbuf, sizeof c->errbuf, "no %s within the deadline",
			 c->have_meta ? "ack" : c->have_peer ? "metadata" : "connection message");
		conn_finish(c, VISIT_HANDSHAKE_TIMEOUT, c->errbuf);
		break;
	case CS_OPEN: {
		const char *why = NULL;
		if ((long long)c->adv_seen < c->cs->cfg->bootstrap_rounds)
			why = c->adv_seen == 0 ? "no advertise" : "fewer advertise than rounds";
		else if (c->head_dropped)
			why = c->errbuf;
		else if (!c->have_head && !c->cs->cfg->no_head)
			why = "no current_branch";
		conn_finish(c, c->chain_bad ? VISIT_FOREIGN : VISIT_OK, why);
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
		conn_hold_if_busy(c);
		if (!c->waiting && !flush_out(c))
			on_hangup(c, errno == EPIPE ? "broken pipe" : "write error", write_reset());
		return;
	}
	if (c->st != CS_OPEN)
		return;
	conn_send_bootstrap(c);
	if (!flush_out(c))
		on_hangup(c, errno == EPIPE ? "broken pipe" : "write error", write_reset());
}


void conn_finish(struct conn *c, enum visit_outcome o, const char *why)
{
	struct conn_set *cs = c->cs;
	if (c->st == CS_DONE)
		return;
	if (c->acked && c->hs && hs_state(c->hs) == HS_ST_OPEN) {
		conn_send_msg(c, P2P_TAG_DISCONNECT);
		size_t len = 0;
		const uint8_t *p = hs_out(c->hs, &len);
		if (p && len) /* best effort: Octez just closes too */
			(void)!send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	hang_up(c);

	char peer_id_text[64];
	struct visit_result r;
	conn_fill_result(c, &r, o, why, peer_id_text, sizeof peer_id_text);
	cs->up.end(cs->up.ctx, &r);
	bury(c);
}

/* Ends c's connection: watchers stopped, socket closed, sessions held behind it woken. */
static void hang_up(struct conn *c)
{
	struct conn_set *cs = c->cs;
	conn_set_state(c, CS_DONE);
	c->counted = false;
	if (c->have_peer)
		conn_peer_unlink(c);
	conn_wake_waiters(c);
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
		conn_finish(c, VISIT_LOCAL_ERROR, "local: cannot create a session");
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
		conn_finish(c, VISIT_LOCAL_ERROR, c->errbuf);
		return;
	}
	int one = 1;
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	conn_set_state(c, CS_CONNECTING);
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
		case CS_CONNECTING: conn_finish(c, VISIT_TIMEOUT, why); break;
		case CS_HANDSHAKE: conn_finish(c, VISIT_HANDSHAKE_TIMEOUT, why); break;
		case CS_OPEN: conn_finish(c, c->chain_bad ? VISIT_FOREIGN : VISIT_OK, why); break;
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
