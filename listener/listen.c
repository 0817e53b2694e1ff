/*
 * The listener's sockets. Inbound connections are struct isess, driven by a
 * lib/p2p responder session; what a dialer says is recorded, what it asks is
 * answered as an Octez node with nothing to share answers it (docs/protocol.md
 * §11: no Advertise for an empty list; a Get_current_branch for a chain we do
 * not run is ignored), and the session ends after a bounded time.
 *
 * Why the dial-back is decided on the dialer's metadata, not its connection
 * message: the connection message is public and can be replayed from any
 * address; the metadata is the first thing encrypted with the key only the
 * dialer holds (docs/protocol.md §6), so a third party cannot make us dial an
 * address of its choice in someone else's name.
 *
 * Dial-backs live in dialback.c; both share listen_int.h.
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
#include "p2p/identity.h"
#include "p2p/pow.h"

#define READ_BURST 4
#define ACCEPT_BURST 32
#define LISTEN_BACKLOG 128
#define ADV_ROUNDS_MAX 4 /* Advertise messages recorded per session; more are ignored */
/*
 * Largest frame a session keeps: the listener reads an Advertise (at most
 * 100 points, ~5 KiB), a Current_branch (~8.5 KiB on mainnet) and the
 * dialer's small requests; anything longer goes by unread (HS_EV_DROPPED),
 * as in the crawler (docs/crawler.md, "Memory"), so a peer announcing an
 * 8 MiB frame costs a session kilobytes, not megabytes.
 */
#define LSN_FRAME_CAP (16u << 10)

static const char *const nat_class_names[NAT_CLASS_N] = {
    [NAT_REACHABLE] = "reachable",   [NAT_REFUSED] = "nat_refused",
    [NAT_SILENT] = "nat_silent",     [NAT_PORT_ZERO] = "port_zero",
    [NAT_OTHER_PEER] = "other_peer", [NAT_NOT_DIALED] = "not_dialed",
};

const char *nat_class_str(enum nat_class c)
{
	switch (c) {
	case NAT_REACHABLE:
	case NAT_REFUSED:
	case NAT_SILENT:
	case NAT_PORT_ZERO:
	case NAT_OTHER_PEER:
	case NAT_NOT_DIALED: return nat_class_names[c];
	}
	return "?";
}

/* ---- per-IP counters --------------------------------------------------------- */

/* A direct-mapped table: an address shares its slot's counters with any
 * colliding one, so memory never grows and a collision only limits sooner. */
static struct iprate *ip_slot(struct lsn *l, const uint8_t addr[16])
{
	struct point p;
	memcpy(p.addr, addr, 16);
	p.port = 0;
	return &l->ips[point_hash(&p) & (IPTAB_N - 1)];
}

/* ---- peers ------------------------------------------------------------------ */

static size_t peer_bucket(const uint8_t id[16])
{
	uint64_t h;
	memcpy(&h, id, sizeof h);
	return (size_t)(h & (PEER_BUCKETS_N - 1));
}

struct lpeer *lsn_peer_find(struct lsn *l, const uint8_t id[16])
{
	for (struct lpeer *p = l->peer_tab[peer_bucket(id)]; p; p = p->next)
		if (memcmp(p->peer_id, id, 16) == 0)
			return p;
	return NULL;
}

static struct lpeer *peer_get(struct lsn *l, const uint8_t id[16])
{
	struct lpeer *p = lsn_peer_find(l, id);
	if (p || l->st.peers >= (size_t)l->cfg->max_peers)
		return p;
	p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	memcpy(p->peer_id, id, 16);
	size_t b = peer_bucket(id);
	p->next = l->peer_tab[b];
	l->peer_tab[b] = p;
	l->st.peers++;
	return p;
}

/* ---- inbound sessions -------------------------------------------------------- */

static void sess_finish(struct isess *s, const char *reason, const char *error);

static void sess_flush(struct isess *s)
{
	if (s->dead || !s->hs)
		return;
	size_t len;
	const uint8_t *p;
	while ((p = hs_out(s->hs, &len)) && len > 0) {
		ssize_t n = send(s->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			hs_out_consume(s->hs, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ev_io_start(s->l->loop, &s->wio);
			return;
		}
		sess_finish(s, "peer_closed", n < 0 ? strerror(errno) : NULL);
		return;
	}
	ev_io_stop(s->l->loop, &s->wio);
}

static void sess_send(struct isess *s, const struct p2p_msg *m)
{
	enum err e = hs_send(s->hs, m);
	if (e != ERR_OK) {
		sess_finish(s, "closed", err_str(e));
		return;
	}
	sess_flush(s);
}

static void send_branch_request(struct isess *s)
{
	struct lsn *l = s->l;
	if (s->branch_sent || !l->chain_id_known || !s->open)
		return;
	static struct p2p_msg m; /* one loop thread; filled and sent at once */
	p2p_msg_init(&m, P2P_TAG_GET_CURRENT_BRANCH);
	memcpy(m.chain_id, l->chain_id, 4);
	s->branch_sent = true;
	sess_send(s, &m);
}

/* Everything we asked for came back: no reason to hold the slot longer. */
static void maybe_done(struct isess *s)
{
	if (s->dead || !s->open)
		return;
	if (s->adv_rounds > 0 && (s->have_head || !s->branch_sent))
		sess_finish(s, "closed", NULL);
}

static void on_open(struct isess *s)
{
	struct lsn *l = s->l;
	s->open = true;
	l->st.handshakes_ok++;
	if (s->unfinished) {
		s->unfinished = false;
		l->unfinished_n--;
	}
	double wait = l->cfg->advertise_wait < l->cfg->session_time ? l->cfg->advertise_wait
								      : l->cfg->session_time;
	ev_timer_stop(l->loop, &s->deadline);
	ev_timer_set(&s->deadline, wait, 0);
	ev_timer_start(l->loop, &s->deadline);
	static struct p2p_msg m;
	p2p_msg_init(&m, P2P_TAG_BOOTSTRAP);
	sess_send(s, &m);
	if (!s->dead)
		send_branch_request(s);
}

static void on_advertise(struct isess *s, const struct p2p_msg *m)
{
	struct lsn *l = s->l;
	if (s->adv_rounds >= ADV_ROUNDS_MAX)
		return;
	s->adv_rounds++;
	struct lsn_adv_rec a = {.from = s->source, .round = s->adv_rounds,
				.list_len = (uint32_t)m->points_n, .seen_us = clock_wall_us()};
	a.from.port = s->announced_port;
	for (size_t i = 0; i < m->points_n; i++) {
		a.seq = ++l->seq_adv;
		a.to = m->points[i];
		a.rank = (uint32_t)i;
		if (l->sink.adv)
			l->sink.adv(l->sink.ctx, &a);
	}
	s->advertised_n += (uint32_t)m->points_n;
	l->st.advertised_points += m->points_n;
}

static void on_msg(struct isess *s, const struct p2p_msg *m)
{
	struct lsn *l = s->l;
	switch (m->tag) {
	case P2P_TAG_DISCONNECT: sess_finish(s, "peer_closed", "Disconnect"); return;
	case P2P_TAG_ADVERTISE: on_advertise(s, m); break;
	case P2P_TAG_GET_CURRENT_BRANCH:
		/* We run no chain: Octez ignores a request for an inactive chain
		 * (docs/protocol.md §11). The dialer's chain id is the one to ask with. */
		if (!l->chain_id_known) {
			memcpy(l->chain_id, m->chain_id, 4);
			l->chain_id_known = true;
		}
		send_branch_request(s);
		break;
	case P2P_TAG_CURRENT_BRANCH:
		if (s->branch_sent && !s->have_head) {
			s->have_head = true;
			s->head_level = m->head.level;
		}
		break;
	default:
		/* Bootstrap: we know no points to share, and Octez sends no empty
		 * Advertise (§11); Current_head, Swap_*, ...: nothing to answer */
		break;
	}
	maybe_done(s);
}

static void on_metadata(struct isess *s, const struct hs_event *ev)
{
	struct lsn *l = s->l;
	s->have_meta = true;
	s->disable_mempool = ev->meta.disable_mempool;
	s->private_node = ev->meta.private_node;
	struct lpeer *p = peer_get(l, s->peer_id);
	if (p) {
		p->source = s->source;
		p->source.port = s->announced_port;
		p->sessions++;
	}
	lsn_dialback_consider(l, p, s->peer_id, &s->source, s->announced_port);
	if (hs_state(s->hs) != HS_ST_DECIDE)
		return; /* version mismatch: lib/p2p Nacks by itself */
	enum err e;
	if (p && p->live > 0) {
		e = hs_nack(s->hs, P2P_MOTIVE_ALREADY_CONNECTED, NULL, 0);
		l->st.nacks_sent++;
		s->end_reason = "nack";
	} else {
		e = hs_accept(s->hs);
		if (p) {
			p->live++;
			s->counted_live = true;
		}
	}
	if (e != ERR_OK)
		sess_finish(s, "protocol_error", err_str(e));
}

static void process(struct isess *s)
{
	struct lsn *l = s->l;
	struct hs_event ev;
	while (!s->dead && hs_next_event(s->hs, &ev)) {
		switch (ev.type) {
		case HS_EV_CONN_MSG:
			s->have_conn = true;
			s->announced_port = ev.conn.port;
			memcpy(s->peer_id, ev.conn.peer_id, 16);
			memcpy(s->public_key, ev.conn.public_key, 32);
			s->pow_bits = ev.conn.pow_bits;
			s->chain_len = ev.conn.chain_name_len < sizeof s->chain
					   ? ev.conn.chain_name_len
					   : sizeof s->chain;
			memcpy(s->chain, ev.conn.chain_name, s->chain_len);
			s->ddb_version = ev.conn.ddb_version;
			s->p2p_version = ev.conn.p2p_version;
			if (ev.conn.self) {
				sess_finish(s, "self", "our own public key");
				return;
			}
			break;
		case HS_EV_METADATA: on_metadata(s, &ev); break;
		case HS_EV_NACK_SENT:
			l->st.nacks_sent++;
			s->end_reason = "nack";
			break;
		case HS_EV_ACK: on_open(s); break;
		case HS_EV_NACK:
		case HS_EV_NACK_V0: s->end_reason = "refused_by_peer"; break;
		case HS_EV_MSG: on_msg(s, &ev.msg); break;
		case HS_EV_DROPPED: l->st.frames_dropped++; break; /* over LSN_FRAME_CAP: unkept */
		case HS_EV_ERROR:
			if (ev.error.code == ERR_POW) {
				l->st.bad_pow++;
				sess_finish(s, "bad_pow", ev.error.reason);
			} else {
				l->st.protocol_errors++;
				sess_finish(s, "protocol_error", ev.error.reason);
			}
			return;
		}
	}
	if (s->dead)
		return;
	sess_flush(s);
	enum hs_state st = hs_state(s->hs);
	if (!s->dead && (st == HS_ST_CLOSED || st == HS_ST_FAILED))
		sess_finish(s, s->end_reason ? s->end_reason : "closed", NULL);
}

static void sess_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct isess *s = w->data;
	struct lsn *l = s->l;
	for (int i = 0; i < READ_BURST && !s->dead; i++) {
		ssize_t n = recv(s->fd, l->rbuf, sizeof l->rbuf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			sess_finish(s, "peer_closed", n < 0 ? strerror(errno) : NULL);
			return;
		}
		enum err e = hs_feed(s->hs, l->rbuf, (size_t)n);
		if (e == ERR_FULL) {
			l->st.protocol_errors++;
			sess_finish(s, "protocol_error", "more unprocessed input than a session holds");
			return;
		}
		if (e != ERR_OK) {
			sess_finish(s, s->end_reason ? s->end_reason : "closed", NULL);
			return;
		}
		process(s);
	}
}

static void sess_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	sess_flush(w->data);
}

static void sess_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct isess *s = w->data;
	if (!s->open) {
		s->l->st.auth_timeouts++;
		sess_finish(s, "auth_timeout", NULL);
	} else
		sess_finish(s, "closed", NULL);
}

static void sess_record(struct isess *s, const char *reason, const char *error)
{
	struct lsn *l = s->l;
	struct lsn_session_rec r = {
	    .seq = ++l->seq_session,
	    .started_us = s->started_us,
	    .ended_us = clock_wall_us(),
	    .source = s->source,
	    .have_conn = s->have_conn,
	    .announced_port = s->announced_port,
	    .pow_bits = s->pow_bits,
	    .chain = s->chain,
	    .chain_len = s->chain_len,
	    .ddb_version = s->ddb_version,
	    .p2p_version = s->p2p_version,
	    .have_meta = s->have_meta,
	    .disable_mempool = s->disable_mempool,
	    .private_node = s->private_node,
	    .end_reason = reason,
	    .error = error,
	    .have_head = s->have_head,
	    .head_level = s->head_level,
	    .advertised_n = s->advertised_n,
	};
	memcpy(r.peer_id, s->peer_id, 16);
	memcpy(r.public_key, s->public_key, 32);
	l->st.sessions++;
	if (l->sink.session)
		l->sink.session(l->sink.ctx, &r);
}

/* Ends a session: one record, a polite Disconnect when it was open, close. */
static void sess_finish(struct isess *s, const char *reason, const char *error)
{
	if (s->dead)
		return;
	struct lsn *l = s->l;
	if (s->open && s->hs && hs_state(s->hs) == HS_ST_OPEN &&
	    strcmp(reason, "peer_closed") != 0) {
		static struct p2p_msg m;
		p2p_msg_init(&m, P2P_TAG_DISCONNECT);
		if (hs_send(s->hs, &m) == ERR_OK) {
			size_t len;
			const uint8_t *p = hs_out(s->hs, &len);
			if (p && len > 0) /* best effort: a full socket buffer loses it */
				(void)!send(s->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		}
	}
	sess_record(s, reason, error);
	s->dead = true;
	ev_io_stop(l->loop, &s->rio);
	ev_io_stop(l->loop, &s->wio);
	ev_timer_stop(l->loop, &s->deadline);
	close(s->fd);
	s->fd = -1;
	if (s->unfinished)
		l->unfinished_n--;
	s->unfinished = false;
	if (s->counted_live) {
		struct lpeer *p = lsn_peer_find(l, s->peer_id);
		if (p && p->live > 0)
			p->live--;
		s->counted_live = false;
	}
	if (s->ip && s->ip->live > 0)
		s->ip->live--;
	l->sessions_n--;
	if (s->prev)
		s->prev->next = s->next;
	else
		l->live = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = l->dead;
	l->dead = s;
	ev_prepare_start(l->loop, &l->reaper);
}

static void sess_free(struct isess *s)
{
	hs_free(s->hs);
	free(s);
}

void lsn_reap(struct lsn *l)
{
	while (l->dead) {
		struct isess *s = l->dead;
		l->dead = s->next;
		sess_free(s);
	}
	lsn_dialback_reap(l);
}

static void reaper_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)revents;
	struct lsn *l = w->data;
	lsn_reap(l);
	ev_prepare_stop(loop, w);
}

static void sess_start(struct lsn *l, int fd, const struct point *src, struct iprate *ip)
{
	struct isess *s = calloc(1, sizeof *s);
	if (!s) {
		close(fd);
		return;
	}
	s->l = l;
	s->fd = fd;
	s->source = *src;
	s->started_us = clock_wall_us();
	s->ip = ip;
	ip->live++;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	ev_io_init(&s->rio, sess_read_cb, fd, EV_READ);
	ev_io_init(&s->wio, sess_write_cb, fd, EV_WRITE);
	ev_timer_init(&s->deadline, sess_deadline_cb, l->cfg->auth_timeout, 0);
	s->rio.data = s->wio.data = s->deadline.data = s;
	s->next = l->live;
	if (s->next)
		s->next->prev = s;
	l->live = s;
	l->sessions_n++;
	s->unfinished = true;
	l->unfinished_n++;
	if (l->sessions_n > l->st.sessions_peak)
		l->st.sessions_peak = l->sessions_n;
	if (l->unfinished_n > l->st.unfinished_peak)
		l->st.unfinished_peak = l->unfinished_n;
	struct hs_params p = {
	    .role = HS_RESPONDER,
	    .id = l->id,
	    .chain_name = l->cfg->chain,
	    .port = l->announce_port,
	    .ddb_version = (uint16_t)l->cfg->ddb_version,
	    .ddb_min = 0,
	    .p2p_version = (uint16_t)l->cfg->p2p_version,
	    .p2p_min = 0,
	    .disable_mempool = true, /* we want no mempool traffic */
	    .private_node = false,   /* a private peer's Bootstrap is ignored (§7) */
	    .expected_pow = l->cfg->expected_pow,
	    .pow_target = l->pow_target,
	    .frame_cap = LSN_FRAME_CAP,
	};
	randombytes_buf(p.msg_nonce, sizeof p.msg_nonce);
	s->hs = hs_new(&p);
	if (!s->hs) {
		log_error("cannot create a handshake session (out of memory?)");
		sess_finish(s, "protocol_error", "out of memory");
		return;
	}
	ev_io_start(l->loop, &s->rio);
	ev_timer_start(l->loop, &s->deadline);
	sess_flush(s);
}

/* Octez accepts and closes at once when it has no room (docs/protocol.md §9). */
static const char *admit(struct lsn *l, const struct point *src, struct iprate **ip_out)
{
	struct policy_verdict v = policy_check(l->policy, src->addr);
	if (v.kind == POLICY_DENY_LIST) {
		l->st.refused_deny++;
		return "deny list";
	}
	if (l->unfinished_n >= (size_t)l->cfg->max_unfinished) {
		l->st.refused_unfinished++;
		return "unfinished handshakes";
	}
	if (l->sessions_n >= (size_t)l->cfg->max_sessions) {
		l->st.refused_sessions++;
		return "sessions";
	}
	struct iprate *ip = ip_slot(l, src->addr);
	double now = ev_now(l->loop);
	if (now - ip->window_at >= 60.0) {
		ip->window_at = now;
		ip->n = 0;
	}
	if (ip->live >= (uint32_t)l->cfg->per_ip_sessions ||
	    ip->n >= (uint32_t)l->cfg->per_ip_per_minute) {
		l->st.refused_ip++;
		return "per-IP limit";
	}
	ip->n++;
	*ip_out = ip;
	return NULL;
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct lsn *l = w->data;
	for (int i = 0; i < ACCEPT_BURST && !l->stopping; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(w->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				log_warn("accept: %s (descriptor limit)", strerror(errno));
			return;
		}
		l->st.accepted++;
		struct point src;
		point_from_sockaddr((const struct sockaddr *)&ss, &src); /* the listening family */
		struct iprate *ip = NULL;
		const char *why = admit(l, &src, &ip);
		if (why) {
			char t[POINT_FMT_CAP];
			point_format(&src, t, sizeof t);
			log_debug("%s: closed at once (%s)", t, why);
			close(fd);
			continue;
		}
		sess_start(l, fd, &src, ip);
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
		snprintf(err, err_cap, "cannot listen on %s: %s", text, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

enum err lsn_new(struct lsn **out, struct ev_loop *loop, const struct lsn_config *cfg,
		 const struct p2p_identity *id, const struct policy *pol, const struct point *pt,
		 const uint8_t chain_id[4], bool chain_id_known, const struct lsn_sink *sink,
		 char *err, size_t err_cap)
{
	*out = NULL;
	struct lsn *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(err, err_cap, "out of memory");
		return ERR_NOMEM;
	}
	l->loop = loop;
	l->cfg = cfg;
	l->id = id;
	l->policy = pol;
	l->listen_pt = *pt;
	l->announce_port = cfg->announce_port ? (uint16_t)cfg->announce_port : pt->port;
	memcpy(l->chain_id, chain_id, 4);
	l->chain_id_known = chain_id_known;
	l->sink = *sink;
	l->lfd = -1;
	if (p2p_pow_target(l->pow_target, cfg->expected_pow) != ERR_OK) {
		snprintf(err, err_cap, "expected_pow: out of range");
		free(l);
		return ERR_CONFIG;
	}
	l->ips = calloc(IPTAB_N, sizeof *l->ips);
	l->peer_tab = calloc(PEER_BUCKETS_N, sizeof *l->peer_tab);
	if (!l->ips || !l->peer_tab) {
		snprintf(err, err_cap, "out of memory");
		lsn_free(l);
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < IPTAB_N; i++)
		l->ips[i].window_at = -1e9;
	l->lfd = bind_point(pt, err, err_cap);
	if (l->lfd < 0) {
		lsn_free(l);
		return ERR_IO;
	}
	ev_io_init(&l->lio, accept_cb, l->lfd, EV_READ);
	l->lio.data = l;
	ev_prepare_init(&l->reaper, reaper_cb);
	l->reaper.data = l;
	*out = l;
	return ERR_OK;
}

void lsn_start(struct lsn *l)
{
	ev_io_start(l->loop, &l->lio);
}

void lsn_stop(struct lsn *l)
{
	if (l->stopping)
		return;
	l->stopping = true;
	ev_io_stop(l->loop, &l->lio);
	while (l->live)
		sess_finish(l->live, "stopped", NULL);
}

bool lsn_idle(const struct lsn *l)
{
	return l->live == NULL && l->db_live == NULL;
}

const struct lsn_stats *lsn_stats(const struct lsn *l)
{
	return &l->st;
}

void lsn_peers(const struct lsn *l, void (*fn)(void *ctx, const struct lsn_peer_info *p), void *ctx)
{
	for (size_t b = 0; b < PEER_BUCKETS_N; b++)
		for (const struct lpeer *p = l->peer_tab[b]; p; p = p->next) {
			struct lsn_peer_info i = {.source = p->source,
						  .sessions = p->sessions,
						  .decided = p->decided,
						  .cls = p->cls};
			memcpy(i.peer_id, p->peer_id, 16);
			fn(ctx, &i);
		}
}

void lsn_free(struct lsn *l)
{
	if (!l)
		return;
	l->stopping = true;
	while (l->live)
		sess_finish(l->live, "stopped", NULL);
	lsn_dialback_abort_all(l);
	lsn_reap(l);
	if (l->lfd >= 0) {
		ev_io_stop(l->loop, &l->lio);
		close(l->lfd);
	}
	ev_prepare_stop(l->loop, &l->reaper);
	if (l->peer_tab)
		for (size_t b = 0; b < PEER_BUCKETS_N; b++)
			while (l->peer_tab[b]) {
				struct lpeer *p = l->peer_tab[b];
				l->peer_tab[b] = p->next;
				free(p);
			}
	free(l->peer_tab);
	free(l->ips);
	free(l);
}
