/*
 * Dial-back: connect to an inbound peer's source address at the port it
 * announced, run the handshake as the initiator (announcing port 0, as the
 * crawler does), and classify by what answers (docs/listener.md):
 *
 *   connect refused (RST)                          nat_refused
 *   connect timed out, no route, accepted and no
 *   connection message before the deadline         nat_silent
 *   a connection message with the same peer id     reachable
 *   a connection message with another peer id      other_peer
 *
 * The class is fixed by the peer's connection message; the handshake then
 * goes on to its Ack or Nack (a node that already has a session with us
 * answers Nack Already_connected, docs/protocol.md §9), we send Disconnect
 * and close. One struct dback per dial, freed by the reaper.
 */
#include "listener/listen_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/log.h"
#include "net/sockaddr.h"
#include "p2p/handshake.h"

enum db_st { DB_WAIT = 0, DB_CONNECT = 1, DB_HS = 2 };

struct dback {
	struct lsn *l;
	enum db_st st;
	int fd;
	ev_io io;
	ev_timer timer; /* the delay, then the deadline */
	struct hs *hs;
	uint8_t peer_id[16];
	struct point target;
	int64_t started_us;
	double connect_at;
	int32_t connect_ms;
	bool decided, dead;
	enum nat_class cls;
	uint8_t reached[16];
	bool have_reached;
	char error[160];
	struct dback *next, *prev;
};

static void record(struct lsn *l, const uint8_t peer_id[16], const struct point *target,
		   enum nat_class cls, const uint8_t *reached, const char *error, int32_t connect_ms,
		   int64_t started_us)
{
	struct lsn_dialback_rec r = {
	    .seq = ++l->seq_dialback,
	    .target = *target,
	    .started_us = started_us,
	    .cls = cls,
	    .have_reached = reached != NULL,
	    .error = error,
	    .connect_ms = connect_ms,
	};
	memcpy(r.peer_id, peer_id, 16);
	if (reached)
		memcpy(r.reached, reached, 16);
	l->st.classes[cls]++;
	struct lpeer *p = lsn_peer_find(l, peer_id);
	if (p) {
		p->decided = true;
		p->cls = cls;
	}
	if (l->sink.dialback)
		l->sink.dialback(l->sink.ctx, &r);
}

static void db_close(struct dback *d)
{
	if (d->dead)
		return;
	struct lsn *l = d->l;
	d->dead = true;
	ev_io_stop(l->loop, &d->io);
	ev_timer_stop(l->loop, &d->timer);
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	struct lpeer *p = lsn_peer_find(l, d->peer_id);
	if (p)
		p->dialing = false;
	l->dialing_n--;
	if (d->prev)
		d->prev->next = d->next;
	else
		l->db_live = d->next;
	if (d->next)
		d->next->prev = d->prev;
	d->next = l->db_dead;
	l->db_dead = d;
	ev_prepare_start(l->loop, &l->reaper);
}

/* Records the class (once) and closes. */
static void db_end(struct dback *d, enum nat_class cls, const char *error)
{
	if (d->dead)
		return;
	if (!d->decided) {
		d->decided = true;
		d->cls = cls;
		if (error)
			snprintf(d->error, sizeof d->error, "%s", error);
	}
	if (d->hs && hs_state(d->hs) == HS_ST_OPEN) {
		static struct p2p_msg m;
		p2p_msg_init(&m, P2P_TAG_DISCONNECT);
		if (hs_send(d->hs, &m) == ERR_OK) {
			size_t len;
			const uint8_t *p = hs_out(d->hs, &len);
			if (p && len > 0)
				(void)!send(d->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		}
	}
	record(d->l, d->peer_id, &d->target, d->cls, d->have_reached ? d->reached : NULL,
	       d->error[0] ? d->error : NULL, d->connect_ms, d->started_us);
	db_close(d);
}

/* Writes what the session queued; false when the dial-back ended. */
static bool db_flush(struct dback *d)
{
	size_t len;
	const uint8_t *p;
	while ((p = hs_out(d->hs, &len)) && len > 0) {
		ssize_t n = send(d->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			hs_out_consume(d->hs, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ev_io_stop(d->l->loop, &d->io);
			ev_io_set(&d->io, d->fd, EV_READ | EV_WRITE);
			ev_io_start(d->l->loop, &d->io);
			return true;
		}
		db_end(d, NAT_SILENT, n < 0 ? strerror(errno) : "connection closed");
		return false;
	}
	ev_io_stop(d->l->loop, &d->io);
	ev_io_set(&d->io, d->fd, EV_READ);
	ev_io_start(d->l->loop, &d->io);
	return true;
}

static void db_events(struct dback *d)
{
	struct hs_event ev;
	while (!d->dead && hs_next_event(d->hs, &ev)) {
		switch (ev.type) {
		case HS_EV_CONN_MSG:
			d->have_reached = true;
			memcpy(d->reached, ev.conn.peer_id, 16);
			d->decided = true;
			d->cls = memcmp(ev.conn.peer_id, d->peer_id, 16) == 0 ? NAT_REACHABLE
									     : NAT_OTHER_PEER;
			break;
		case HS_EV_ACK:
		case HS_EV_NACK:
		case HS_EV_NACK_V0: db_end(d, NAT_SILENT, NULL); return; /* handshake complete */
		case HS_EV_ERROR:
			db_end(d, NAT_SILENT, ev.error.reason);
			return;
		default: break;
		}
	}
	if (!d->dead && db_flush(d)) {
		enum hs_state st = hs_state(d->hs);
		if (st == HS_ST_CLOSED || st == HS_ST_FAILED)
			db_end(d, NAT_SILENT, "handshake ended");
	}
}

static void db_connected(struct dback *d)
{
	struct lsn *l = d->l;
	d->connect_ms = (int32_t)((ev_now(l->loop) - d->connect_at) * 1e3);
	d->st = DB_HS;
	int one = 1;
	setsockopt(d->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct hs_params p = {
	    .role = HS_INITIATOR,
	    .id = l->id,
	    .chain_name = l->cfg->chain,
	    .port = 0,
	    .ddb_version = (uint16_t)l->cfg->ddb_version,
	    .p2p_version = (uint16_t)l->cfg->p2p_version,
	    .early_ack = true,
	    .disable_mempool = true,
	    .private_node = false,
	    .expected_pow = l->cfg->expected_pow,
	    .pow_target = l->pow_target,
	    .frame_cap = 4096, /* a dial-back reads no message past the Ack */
	};
	randombytes_buf(p.msg_nonce, sizeof p.msg_nonce);
	d->hs = hs_new(&p);
	if (!d->hs) {
		db_end(d, NAT_NOT_DIALED, "out of memory");
		return;
	}
	db_flush(d);
}

static void db_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	struct dback *d = w->data;
	struct lsn *l = d->l;
	if (d->st == DB_CONNECT) {
		int e = 0;
		socklen_t el = sizeof e;
		if (getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
			e = errno;
		if (e == ECONNREFUSED) {
			db_end(d, NAT_REFUSED, strerror(e));
			return;
		}
		if (e != 0) {
			db_end(d, NAT_SILENT, strerror(e));
			return;
		}
		db_connected(d);
		return;
	}
	if (revents & EV_WRITE) {
		if (!db_flush(d))
			return;
	}
	if (!(revents & EV_READ))
		return;
	for (int i = 0; i < 4 && !d->dead; i++) {
		ssize_t n = recv(d->fd, l->rbuf, sizeof l->rbuf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			db_end(d, NAT_SILENT,
			       n < 0 ? strerror(errno) : "accepted and closed without a word");
			return;
		}
		if (hs_feed(d->hs, l->rbuf, (size_t)n) != ERR_OK) {
			db_end(d, NAT_SILENT, "oversized answer");
			return;
		}
		db_events(d);
	}
}

static void db_dial(struct dback *d)
{
	struct lsn *l = d->l;
	d->st = DB_CONNECT;
	d->started_us = clock_wall_us();
	d->connect_at = ev_now(l->loop);
	l->st.dialbacks_started++;
	bool v4 = point_is_v4(&d->target);
	d->fd = socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0) {
		db_end(d, NAT_NOT_DIALED, strerror(errno));
		return;
	}
	struct sockaddr_storage ss;
	socklen_t sl = point_to_sockaddr(&d->target, &ss);
	int rc = connect(d->fd, (struct sockaddr *)&ss, sl);
	if (rc != 0 && errno != EINPROGRESS) {
		db_end(d, errno == ECONNREFUSED ? NAT_REFUSED : NAT_SILENT, strerror(errno));
		return;
	}
	ev_io_init(&d->io, db_io_cb, d->fd, EV_WRITE);
	d->io.data = d;
	ev_io_start(l->loop, &d->io);
	ev_timer_set(&d->timer, l->cfg->dialback_timeout, 0);
	ev_timer_start(l->loop, &d->timer);
	if (rc == 0)
		db_connected(d);
}

static void db_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct dback *d = w->data;
	switch (d->st) {
	case DB_WAIT: db_dial(d); break;
	case DB_CONNECT: db_end(d, NAT_SILENT, "connect timed out"); break;
	case DB_HS: db_end(d, NAT_SILENT, "accepted and said nothing"); break;
	}
}

void lsn_dialback_consider(struct lsn *l, struct lpeer *p, const uint8_t peer_id[16],
			   const struct point *source, uint16_t announced_port)
{
	double now = ev_now(l->loop);
	if (p && (p->dialing || (p->decided && now - p->last_dial_at < l->cfg->dialback_interval)))
		return;
	struct point target = *source;
	target.port = announced_port;
	int64_t t_us = clock_wall_us();
	if (p)
		p->last_dial_at = now;
	if (announced_port == 0) {
		record(l, peer_id, &target, NAT_PORT_ZERO, NULL, NULL, -1, t_us);
		return;
	}
	struct policy_verdict v = policy_check(l->policy, target.addr);
	if (v.kind != POLICY_ALLOW) {
		char why[128];
		snprintf(why, sizeof why, "address policy: %s", v.why ? v.why : "not allowed");
		record(l, peer_id, &target, NAT_NOT_DIALED, NULL, why, -1, t_us);
		return;
	}
	if (!p || l->dialing_n >= (size_t)l->cfg->max_dialbacks || l->stopping) {
		record(l, peer_id, &target, NAT_NOT_DIALED, NULL,
		       !p ? "rate limit: peer table full" : "rate limit: dial-backs in flight", -1,
		       t_us);
		if (p) /* a rate limit, not a verdict: try again at its next session */
			p->last_dial_at = now - l->cfg->dialback_interval;
		return;
	}
	struct dback *d = calloc(1, sizeof *d);
	if (!d) {
		record(l, peer_id, &target, NAT_NOT_DIALED, NULL, "out of memory", -1, t_us);
		return;
	}
	d->l = l;
	d->fd = -1;
	d->connect_ms = -1;
	memcpy(d->peer_id, peer_id, 16);
	d->target = target;
	d->started_us = t_us;
	ev_init(&d->io, db_io_cb);
	d->io.data = d;
	ev_timer_init(&d->timer, db_timer_cb, l->cfg->dialback_delay, 0);
	d->timer.data = d;
	d->next = l->db_live;
	if (d->next)
		d->next->prev = d;
	l->db_live = d;
	l->dialing_n++;
	p->dialing = true;
	ev_timer_start(l->loop, &d->timer);
}

void lsn_dialback_reap(struct lsn *l)
{
	while (l->db_dead) {
		struct dback *d = l->db_dead;
		l->db_dead = d->next;
		hs_free(d->hs);
		free(d);
	}
}

void lsn_dialback_abort_all(struct lsn *l)
{
	while (l->db_live)
		db_close(l->db_live);
}
