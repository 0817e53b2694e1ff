/*
 * Simulated NATed dialers (dialer.h). Three kinds of sockets per dialer:
 * its outgoing session to the listener (bound to its external address), and
 * at that address : announced port either its own responder (forwarded, the
 * first of a shared group), a black hole (nat_silent: a listening socket
 * that is never accepted from, so the kernel completes the TCP handshake
 * and nothing more is ever said), or nothing (nat_refused, the others of a
 * shared group: the kernel answers RST).
 *
 * A big frame is a well-formed Current_branch: its history (zero hashes)
 * fills it to just under P2P_FRAME_MAX, the largest size lib/p2p does not
 * refuse outright (ERR_TOOBIG), so only the listener's own frame cap keeps
 * it from buffering 8 MiB per session. hs_send cuts it into chunks as
 * Octez does.
 */
#include "simnet/dialer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>
#include <sodium.h>

#include "core/log.h"
#include "core/rng.h"
#include "net/sockaddr.h"
#include "p2p/handshake.h"
#include "p2p/identity.h"
#include "simnet/head.h"
#include "simnet/truth.h"

#define RETRIES_MAX 8
#define SESSION_HOLD_S 30.0 /* a session the listener never closes ends here */
#define FWD_HOLD_S 10.0

static const char *const kind_names[DK_N] = {
    [DK_FORWARDED] = "forwarded", [DK_NAT_REFUSED] = "nat_refused",
    [DK_NAT_SILENT] = "nat_silent", [DK_PORT_ZERO] = "port_zero", [DK_SHARED] = "shared",
};

const char *dialer_kind_str(enum dialer_kind k)
{
	switch (k) {
	case DK_FORWARDED:
	case DK_NAT_REFUSED:
	case DK_NAT_SILENT:
	case DK_PORT_ZERO:
	case DK_SHARED: return kind_names[k];
	}
	return "?";
}

bool dialer_kind_parse(const char *name, enum dialer_kind *out)
{
	for (int k = 0; k < DK_N; k++)
		if (strcmp(name, kind_names[k]) == 0) {
			*out = (enum dialer_kind)k;
			return true;
		}
	return false;
}

struct dialer;

/* One TCP session: the dialer's outgoing one, or one its responder accepted. */
struct dsess {
	struct dialer *d;
	bool outgoing, open, dead;
	bool big_pending; /* a big frame is queued, not yet all written */
	int fd;
	ev_io io;
	ev_timer hold;
	struct hs *hs;
	struct dsess *live_next, *live_prev; /* the set's open sessions */
	struct dsess *next_dead;
};

struct dialer {
	struct dialer_set *set;
	size_t idx;
	enum dialer_kind kind;
	const char *expected; /* the class the listener should find */
	uint32_t ext;         /* external address, host order */
	uint16_t port;        /* announced port */
	bool responder;       /* listens at ext:port with its own identity */
	bool blackhole;
	int lfd;
	ev_io lio;
	struct p2p_identity id;
	struct point adv[100];
	size_t adv_n;
	bool big_frame;    /* sends one big frame on its outgoing sessions */
	struct dsess *out; /* the outgoing session in flight */
	unsigned tries;
	ev_timer next; /* the next dial */
};

struct dialer_set {
	struct ev_loop *loop;
	const struct sim_config *c;
	struct point target;
	struct dialer *d;
	size_t n;
	struct dsess *live, *dead;
	ev_prepare reaper;
	struct dialer_stats st;
	uint8_t *big_hist; /* zero hashes of a big frame (P2P_FRAME_MAX bytes), owned */
	uint8_t rbuf[65536];
};

static void sess_close(struct dsess *x);

/* ---- sessions --------------------------------------------------------------------- */

static bool sess_flush(struct dsess *x)
{
	size_t len;
	const uint8_t *p;
	while ((p = hs_out(x->hs, &len)) && len > 0) {
		ssize_t n = send(x->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			hs_out_consume(x->hs, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ev_io_stop(x->d->set->loop, &x->io);
			ev_io_set(&x->io, x->fd, EV_READ | EV_WRITE);
			ev_io_start(x->d->set->loop, &x->io);
			return true;
		}
		sess_close(x);
		return false;
	}
	if (x->big_pending) {
		x->big_pending = false;
		x->d->set->st.big_frames++;
		log_info("dialer %zu: big frame written", x->d->idx);
	}
	ev_io_stop(x->d->set->loop, &x->io);
	ev_io_set(&x->io, x->fd, EV_READ);
	ev_io_start(x->d->set->loop, &x->io);
	return true;
}

static void sess_send(struct dsess *x, const struct p2p_msg *m)
{
	if (hs_send(x->hs, m) != ERR_OK) {
		sess_close(x);
		return;
	}
	sess_flush(x);
}

static void answer_branch(struct dsess *x)
{
	const struct sim_config *c = x->d->set->c;
	static struct p2p_msg m;
	uint8_t head[SIM_HEAD_MAX], hist[SIM_HISTORY_N * 32];
	size_t head_len;
	int32_t level = (int32_t)c->head_level;
	if (sim_head_encode(level, 1700000000, head, sizeof head, &head_len) != ERR_OK) {
		sess_close(x);
		return;
	}
	sim_head_history(level, hist);
	p2p_msg_init(&m, P2P_TAG_CURRENT_BRANCH);
	memcpy(m.chain_id, simnet_chain_id, 4);
	m.head.raw = head;
	m.head.raw_len = head_len;
	m.history = hist;
	m.history_n = SIM_HISTORY_N;
	x->d->set->st.branches++;
	sess_send(x, &m);
}

/* One Current_branch of just under P2P_FRAME_MAX bytes (dialer.h). */
static void send_big_frame(struct dsess *x)
{
	struct dialer_set *s = x->d->set;
	static struct p2p_msg m;
	uint8_t head[SIM_HEAD_MAX];
	size_t head_len;
	if (sim_head_encode(DIALER_BIG_FRAME_LEVEL, 1700000000, head, sizeof head, &head_len) !=
	    ERR_OK) {
		sess_close(x);
		return;
	}
	p2p_msg_init(&m, P2P_TAG_CURRENT_BRANCH);
	memcpy(m.chain_id, simnet_chain_id, 4);
	m.head.raw = head;
	m.head.raw_len = head_len;
	m.history = s->big_hist;
	/* size field: tag 2 + chain id 4 + header length 4 + header + history */
	m.history_n = (P2P_FRAME_MAX - 10 - head_len) / P2P_BLOCK_HASH_LEN;
	x->big_pending = true;
	sess_send(x, &m);
}

static void on_msg(struct dsess *x, const struct p2p_msg *m)
{
	struct dialer *d = x->d;
	static struct p2p_msg out;
	switch (m->tag) {
	case P2P_TAG_DISCONNECT: sess_close(x); return;
	case P2P_TAG_BOOTSTRAP:
		if (!x->outgoing || d->adv_n == 0)
			return; /* Octez sends no empty Advertise */
		p2p_msg_init(&out, P2P_TAG_ADVERTISE);
		out.points_n = d->adv_n;
		memcpy(out.points, d->adv, d->adv_n * sizeof d->adv[0]);
		d->set->st.advertises++;
		sess_send(x, &out);
		return;
	case P2P_TAG_GET_CURRENT_BRANCH:
		if (memcmp(m->chain_id, simnet_chain_id, 4) == 0)
			answer_branch(x);
		return;
	default: return;
	}
}

static void on_open(struct dsess *x)
{
	struct dialer_set *s = x->d->set;
	x->open = true;
	if (x->outgoing) {
		s->st.sessions++;
		x->d->tries = 0;
	} else
		s->st.dialbacks_answered++;
	/* errata 4 (docs/protocol.md): a node asks for the branch once the session is open */
	static struct p2p_msg m;
	p2p_msg_init(&m, P2P_TAG_GET_CURRENT_BRANCH);
	memcpy(m.chain_id, simnet_chain_id, 4);
	sess_send(x, &m);
	if (!x->dead && x->outgoing && x->d->big_frame)
		send_big_frame(x);
}

static void process(struct dsess *x)
{
	struct hs_event ev;
	while (!x->dead && hs_next_event(x->hs, &ev)) {
		switch (ev.type) {
		case HS_EV_METADATA:
			if (hs_state(x->hs) == HS_ST_DECIDE && hs_accept(x->hs) != ERR_OK) {
				sess_close(x);
				return;
			}
			break;
		case HS_EV_ACK: on_open(x); break;
		case HS_EV_MSG: on_msg(x, &ev.msg); break;
		case HS_EV_ERROR: sess_close(x); return;
		default: break;
		}
	}
	if (x->dead || !sess_flush(x))
		return;
	enum hs_state st = hs_state(x->hs);
	if (st == HS_ST_CLOSED || st == HS_ST_FAILED)
		sess_close(x);
}

static void sess_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	struct dsess *x = w->data;
	struct dialer_set *s = x->d->set;
	if (!x->hs) { /* outgoing connect finished */
		int e = 0;
		socklen_t el = sizeof e;
		getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (e != 0) {
			sess_close(x);
			return;
		}
		const struct sim_config *c = s->c;
		struct hs_params p = {
		    .role = HS_INITIATOR,
		    .id = &x->d->id,
		    .chain_name = c->chain_name,
		    .port = x->d->port,
		    .ddb_version = 2,
		    .p2p_version = 1,
		    .expected_pow = c->expected_pow,
		};
		randombytes_buf(p.msg_nonce, sizeof p.msg_nonce);
		x->hs = hs_new(&p);
		if (!x->hs) {
			sess_close(x);
			return;
		}
		sess_flush(x);
		return;
	}
	if ((revents & EV_WRITE) && !sess_flush(x))
		return;
	if (!(revents & EV_READ))
		return;
	for (int i = 0; i < 4 && !x->dead; i++) {
		ssize_t n = recv(x->fd, s->rbuf, sizeof s->rbuf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0 || hs_feed(x->hs, s->rbuf, (size_t)n) != ERR_OK) {
			sess_close(x);
			return;
		}
		process(x);
	}
}

static void hold_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	sess_close(w->data);
}

static struct dsess *sess_new(struct dialer *d, int fd, bool outgoing)
{
	struct dsess *x = calloc(1, sizeof *x);
	if (!x) {
		close(fd);
		return NULL;
	}
	x->d = d;
	x->fd = fd;
	x->outgoing = outgoing;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	ev_io_init(&x->io, sess_io_cb, fd, EV_READ);
	x->io.data = x;
	ev_timer_init(&x->hold, hold_cb, outgoing ? SESSION_HOLD_S : FWD_HOLD_S, 0);
	x->hold.data = x;
	ev_timer_start(d->set->loop, &x->hold);
	x->live_next = d->set->live;
	if (x->live_next)
		x->live_next->live_prev = x;
	d->set->live = x;
	return x;
}

static void schedule(struct dialer *d, double after)
{
	ev_timer_stop(d->set->loop, &d->next);
	ev_timer_set(&d->next, after, 0);
	ev_timer_start(d->set->loop, &d->next);
}

static void sess_close(struct dsess *x)
{
	if (x->dead)
		return;
	struct dialer *d = x->d;
	struct dialer_set *s = d->set;
	x->dead = true;
	ev_io_stop(s->loop, &x->io);
	ev_timer_stop(s->loop, &x->hold);
	close(x->fd);
	if (x->live_prev)
		x->live_prev->live_next = x->live_next;
	else
		s->live = x->live_next;
	if (x->live_next)
		x->live_next->live_prev = x->live_prev;
	x->next_dead = s->dead;
	s->dead = x;
	ev_prepare_start(s->loop, &s->reaper);
	if (!x->outgoing)
		return;
	d->out = NULL;
	if (!x->open) { /* refused by the listener's limits, or no answer: retry */
		s->st.failures++;
		if (d->tries < RETRIES_MAX) {
			s->st.retries++;
			schedule(d, 0.5 + 0.25 * d->tries + 0.01 * (double)(d->idx % 50));
		}
	} else if (s->c->dialers_interval > 0)
		schedule(d, s->c->dialers_interval);
}

static void reaper_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)revents;
	struct dialer_set *s = w->data;
	while (s->dead) {
		struct dsess *x = s->dead;
		s->dead = x->next_dead;
		hs_free(x->hs);
		free(x);
	}
	ev_prepare_stop(loop, w);
}

/* ---- dialing ----------------------------------------------------------------------- */

static void dial(struct dialer *d)
{
	struct dialer_set *s = d->set;
	if (d->out)
		return;
	d->tries++;
	s->st.dials++;
	bool v4 = point_is_v4(&s->target);
	int fd = socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("dialer %zu: socket: %s", d->idx, strerror(errno));
		return;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (v4) {
		/* the NAT's public address: what the listener sees as the source */
		struct point ext = point_v4(d->ext, 0);
		struct sockaddr_storage src;
		socklen_t src_len = point_to_sockaddr(&ext, &src);
		if (bind(fd, (struct sockaddr *)&src, src_len) != 0) {
			log_warn("dialer %zu: bind: %s", d->idx, strerror(errno));
			close(fd);
			return;
		}
	}
	struct sockaddr_storage ss;
	socklen_t sl = point_to_sockaddr(&s->target, &ss);
	int rc = connect(fd, (struct sockaddr *)&ss, sl);
	if (rc != 0 && errno != EINPROGRESS) {
		close(fd);
		s->st.failures++;
		if (d->tries < RETRIES_MAX)
			schedule(d, 0.5 + 0.25 * d->tries);
		return;
	}
	struct dsess *x = sess_new(d, fd, true);
	if (!x)
		return;
	d->out = x;
	ev_io_set(&x->io, fd, EV_WRITE);
	ev_io_start(s->loop, &x->io);
}

static void next_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	dial(w->data);
}

/* The dialer's own responder, at its external address : announced port. */
static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	struct dialer *d = w->data;
	struct dialer_set *s = d->set;
	for (int i = 0; i < 8; i++) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct dsess *x = sess_new(d, fd, false);
		if (!x)
			continue;
		struct hs_params p = {
		    .role = HS_RESPONDER,
		    .id = &d->id,
		    .chain_name = s->c->chain_name,
		    .port = d->port,
		    .ddb_version = 2,
		    .p2p_version = 1,
		    .expected_pow = s->c->expected_pow,
		};
		randombytes_buf(p.msg_nonce, sizeof p.msg_nonce);
		x->hs = hs_new(&p);
		if (!x->hs) {
			sess_close(x);
			continue;
		}
		ev_io_start(s->loop, &x->io);
		sess_flush(x);
	}
}

static int listen_at(uint32_t addr, uint16_t port, char *err, size_t err_cap)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, err_cap, "socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct point pt = point_v4(addr, port);
	struct sockaddr_storage a;
	socklen_t a_len = point_to_sockaddr(&pt, &a);
	if (bind(fd, (struct sockaddr *)&a, a_len) != 0 || listen(fd, 128) != 0) {
		struct in_addr ia = {htonl(addr)};
		snprintf(err, err_cap, "dialers: cannot listen on %s:%u: %s", inet_ntoa(ia), port,
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- set-up ------------------------------------------------------------------------ */

/* Kinds for n dialers from the weights, by largest remainder (deterministic). */
static void allot(const double mix[DK_N], size_t n, size_t out[DK_N])
{
	double total = 0;
	for (int k = 0; k < DK_N; k++)
		total += mix[k];
	size_t given = 0;
	double rem[DK_N];
	for (int k = 0; k < DK_N; k++) {
		double share = total > 0 ? (double)n * mix[k] / total : 0;
		out[k] = (size_t)share;
		rem[k] = share - (double)out[k];
		given += out[k];
	}
	while (given < n) {
		int best = 0;
		for (int k = 1; k < DK_N; k++)
			if (rem[k] > rem[best])
				best = k;
		out[best]++;
		rem[best] = -1;
		given++;
	}
}

enum err dialer_set_new(struct dialer_set **out, struct ev_loop *loop, const struct sim_config *c,
			const struct point *target, char *err, size_t err_cap)
{
	*out = NULL;
	size_t n = (size_t)c->dialers_count;
	uint32_t base;
	if (c->dialers_base && *c->dialers_base) {
		if (!simcfg_base_v4(c->dialers_base, &base)) {
			snprintf(err, err_cap, "dialers.base '%s': an IPv4 address in 127.0.0.0/8",
				 c->dialers_base);
			return ERR_CONFIG;
		}
	} else {
		uint32_t wb = 0x7f140000u;
		if (c->base && strcmp(c->base, "::1") != 0)
			(void)simcfg_base_v4(c->base, &wb);
		base = (wb & 0xffff0000u) | (200u << 8) | 1u;
	}
	if ((uint64_t)base + n > 0x7fffffffu) {
		snprintf(err, err_cap, "dialers: no room for %zu addresses after dialers.base", n);
		return ERR_CONFIG;
	}
	struct dialer_set *s = calloc(1, sizeof *s);
	if (!s)
		return ERR_NOMEM;
	s->loop = loop;
	s->c = c;
	s->target = *target;
	s->d = calloc(n, sizeof *s->d);
	if (!s->d) {
		free(s);
		return ERR_NOMEM;
	}
	s->n = n;
	ev_prepare_init(&s->reaper, reaper_cb);
	s->reaper.data = s;
	size_t big = (size_t)c->dialers_big_frame;
	if (big > 0 && !(s->big_hist = calloc(1, P2P_FRAME_MAX))) {
		free(s->d);
		free(s);
		return ERR_NOMEM;
	}
	size_t per[DK_N];
	allot(c->dialer_mix, n, per);
	struct rng r;
	rng_seed(&r, (uint64_t)c->seed * 7919u + 17u);
	uint8_t target_pow[32];
	enum err e = p2p_pow_target(target_pow, c->expected_pow);
	if (e != ERR_OK)
		goto fail;
	size_t i = 0;
	uint32_t addr = base;
	uint16_t port = (uint16_t)c->dialers_port;
	for (int k = 0; k < DK_N; k++) {
		size_t group = (size_t)c->dialers_shared_group;
		for (size_t j = 0; j < per[k]; j++, i++) {
			struct dialer *d = &s->d[i];
			d->set = s;
			d->idx = i;
			d->lfd = -1;
			d->kind = (enum dialer_kind)k;
			d->port = k == DK_PORT_ZERO ? 0 : port;
			d->big_frame = (i + 1) * big / n > i * big / n; /* big of n, evenly spaced */
			switch (d->kind) {
			case DK_FORWARDED:
				d->responder = true;
				d->expected = "reachable";
				d->ext = addr++;
				break;
			case DK_NAT_REFUSED:
				d->expected = "nat_refused";
				d->ext = addr++;
				break;
			case DK_NAT_SILENT:
				d->blackhole = true;
				d->expected = "nat_silent";
				d->ext = addr++;
				break;
			case DK_PORT_ZERO:
				d->expected = "port_zero";
				d->ext = addr++;
				break;
			case DK_SHARED: {
				bool first = j % group == 0;
				if (first)
					d->ext = addr++;
				else
					d->ext = s->d[i - 1].ext;
				d->responder = first;
				/* a group of one is just a forwarded port */
				d->expected = first ? "reachable" : "other_peer";
				break;
			}
			}
			if (p2p_identity_generate(&d->id, c->expected_pow, 1, p2p_random_system, NULL,
						  NULL, NULL) != ERR_OK) {
				snprintf(err, err_cap, "dialers: cannot generate an identity");
				e = ERR_NOMEM;
				goto fail;
			}
			size_t an = (size_t)c->dialers_advertise;
			for (size_t a = 0; a < an; a++) {
				/* data points: 127.x.199.y, never listened on */
				uint32_t pa = (base & 0xffff0000u) | (199u << 8) |
					      (uint32_t)(1 + rng_below(&r, 250));
				d->adv[d->adv_n++] = point_v4(pa, (uint16_t)(9732 + rng_below(&r, 4)));
			}
			if (d->responder || d->blackhole) {
				d->lfd = listen_at(d->ext, d->port, err, err_cap);
				if (d->lfd < 0) {
					e = ERR_IO;
					goto fail;
				}
				if (d->responder) {
					ev_io_init(&d->lio, accept_cb, d->lfd, EV_READ);
					d->lio.data = d;
					ev_io_start(loop, &d->lio);
				}
			}
			ev_init(&d->next, next_cb);
			d->next.data = d;
		}
	}
	*out = s;
	return ERR_OK;
fail:
	dialer_set_free(s);
	return e;
}

void dialer_set_start(struct dialer_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		schedule(&s->d[i], s->c->dialers_spread * (double)i / (double)s->n);
}

json_t *dialer_set_truth(const struct dialer_set *s)
{
	json_t *arr = json_array();
	if (!arr)
		return NULL;
	for (size_t i = 0; i < s->n; i++) {
		const struct dialer *d = &s->d[i];
		json_t *o = json_object();
		char b58[P2P_PEER_ID_B58_LEN + 1], t[POINT_FMT_CAP];
		p2p_peer_id_b58(b58, d->id.peer_id);
		struct point ext = point_v4(d->ext, 0);
		point_format_addr(&ext, t, sizeof t);
		json_object_set_new(o, "peer_id", json_string(b58));
		json_object_set_new(o, "kind", json_string(dialer_kind_str(d->kind)));
		json_object_set_new(o, "external_addr", json_string(t));
		json_object_set_new(o, "announced_port", json_integer(d->port));
		json_object_set_new(o, "expected_class", json_string(d->expected));
		json_t *adv = json_array();
		for (size_t a = 0; a < d->adv_n; a++) {
			point_format(&d->adv[a], t, sizeof t);
			json_array_append_new(adv, json_string(t));
		}
		json_object_set_new(o, "advertises", adv);
		json_object_set_new(o, "head_level", json_integer(s->c->head_level));
		json_object_set_new(o, "big_frame", json_boolean(d->big_frame));
		json_array_append_new(arr, o);
	}
	return arr;
}

const struct dialer_stats *dialer_set_stats(const struct dialer_set *s)
{
	return &s->st;
}

void dialer_set_free(struct dialer_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct dialer *d = &s->d[i];
		if (!d->set)
			continue;
		if (d->out)
			sess_close(d->out);
		ev_timer_stop(s->loop, &d->next);
		if (d->lfd >= 0) {
			ev_io_stop(s->loop, &d->lio);
			close(d->lfd);
		}
		p2p_identity_cleanup(&d->id);
	}
	while (s->live)
		sess_close(s->live);
	reaper_cb(s->loop, &s->reaper, 0);
	free(s->big_hist);
	free(s->d);
	free(s);
}
