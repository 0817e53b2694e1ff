/*
 * Unit tests for crawler/conn.c, conn_events.c + crawl.c on a real libev loop: the crawler
 * visits a small responder built on lib/p2p's handshake (HS_RESPONDER) that
 * listens on a random 127.x.y.z address, in the same process. Covers what
 * simnet has no behaviour for: `self` (the node has our key), `protocol_error`
 * (garbage instead of metadata), and a control visit that ends `ok` with its
 * Advertise recorded (a documentation-range point becomes `policy`); and a
 * node slow to Ack, to time the second Bootstrap from its Ack; and nodes that
 * close as Octez <= v21 (a reset, and no Nack, when our bytes lie unread).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crawler/config.h"
#include "crawler/crawl.h"
#include "net/sockaddr.h"
#include "p2p/frame.h"
#include "p2p/handshake.h"
#include "p2p/identity.h"

enum mode { M_OK, M_SELF, M_GARBAGE, M_SLOW_ACK, M_OLD_NACK, M_OLD_PRIVATE, M_RESET_ONCE };

#define SLOW_ACK_S 0.3 /* M_SLOW_ACK: the node decides this long after our metadata */

struct resp {
	int lfd;
	ev_io lio;
	enum mode mode;
	const struct p2p_identity *id;
	struct rconn *conns;
	uint8_t addr[4];
	uint16_t port;
	double ack_at;     /* M_SLOW_ACK: when the node wrote its Ack */
	double boot_at[4]; /* when the node handled each Bootstrap */
	int boots;
	int decisions; /* M_OLD_*: handshakes the node decided */
};
struct rconn {
	struct resp *r;
	int fd;
	ev_io io;
	ev_timer slow;
	struct hs *hs;
	struct rconn *next;
};



static void r_flush(struct rconn *c)
{
	size_t len;
	const uint8_t *p;
	while ((p = hs_out(c->hs, &len)) && len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		hs_out_consume(c->hs, (size_t)n);
	}
}

static void r_close(struct ev_loop *loop, struct rconn *c)
{
	if (c->fd < 0)
		return;
	ev_io_stop(loop, &c->io);
	ev_timer_stop(loop, &c->slow);
	close(c->fd);
	c->fd = -1;
}

/* Octez <= v21: with our bytes unread the held Nack is lost and close() resets. */
static void r_old_close(struct ev_loop *loop, struct rconn *c)
{
	c->r->decisions++;
	if (hs_in_pending(c->hs) > 0) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		assert_int_equal(setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
		r_close(loop, c);
		return;
	}
	if (c->r->mode == M_OLD_NACK)
		assert_int_equal(hs_nack(c->hs, P2P_MOTIVE_TOO_MANY_CONNECTIONS, NULL, 0), ERR_OK);
	else
		assert_int_equal(hs_refuse(c->hs), ERR_OK);
	r_flush(c);
	r_close(loop, c);
}

static void r_events(struct ev_loop *loop, struct rconn *c)
{
	struct hs_event ev;
	while (hs_next_event(c->hs, &ev)) {
		if (ev.type == HS_EV_METADATA && hs_state(c->hs) == HS_ST_DECIDE) {
			if (c->r->mode == M_SLOW_ACK) {
				ev_timer_start(loop, &c->slow);
				break; /* what follows waits in the session until we decide */
			}
			if (c->r->mode == M_OLD_NACK || c->r->mode == M_OLD_PRIVATE ||
			    (c->r->mode == M_RESET_ONCE && c->r->decisions == 0)) {
				r_old_close(loop, c);
				return;
			}
			if (c->r->mode == M_RESET_ONCE)
				c->r->decisions++;
			assert_int_equal(hs_accept(c->hs), ERR_OK);
		}
		if (ev.type == HS_EV_MSG && ev.msg.tag == P2P_TAG_BOOTSTRAP) {
			if (c->r->boots < 4)
				c->r->boot_at[c->r->boots++] = ev_time();
			static struct p2p_msg m;
			p2p_msg_init(&m, P2P_TAG_ADVERTISE);
			m.points_n = 2;
			m.points[0] = point_v4(0xcb007101u, 9732); /* 203.0.113.1: never dialed */
			/* our own random address, port 1: nothing listens there */
			const uint8_t *a = c->r->addr;
			m.points[1] = point_v4((uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
						       (uint32_t)a[2] << 8 | a[3],
					       1);
			assert_int_equal(hs_send(c->hs, &m), ERR_OK);
		}
	}
	r_flush(c);
	if (hs_state(c->hs) >= HS_ST_CLOSED)
		r_close(loop, c);
}

static void r_slow_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	struct rconn *c = w->data;
	assert_int_equal(hs_accept(c->hs), ERR_OK);
	r_flush(c); /* the Ack leaves now */
	c->r->ack_at = ev_time();
	r_events(loop, c);
}

static void r_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct rconn *c = w->data;
	uint8_t buf[4096];
	ssize_t n = recv(c->fd, buf, sizeof buf, 0);
	if (n <= 0) {
		r_close(loop, c);
		return;
	}
	if (hs_feed(c->hs, buf, (size_t)n) != ERR_OK) {
		r_close(loop, c);
		return;
	}
	r_events(loop, c);
}

static void r_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct resp *r = w->data;
	int fd = accept4(r->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct rconn *c = calloc(1, sizeof *c);
	assert_non_null(c);
	c->fd = fd;
	c->r = r;
	c->next = r->conns;
	r->conns = c;
	struct hs_params p;
	memset(&p, 0, sizeof p);
	p.role = HS_RESPONDER;
	p.id = r->id;
	p.chain_name = "TEZOS_MAINNET";
	p.port = r->port;
	p.ddb_version = 2;
	p.p2p_version = 1;
	p.expected_pow = 0;
	randombytes_buf(p.msg_nonce, sizeof p.msg_nonce);
	c->hs = hs_new(&p);
	assert_non_null(c->hs);
	r_flush(c); /* our connection message */
	if (r->mode == M_GARBAGE) {
		/* a "chunk" of 18 bytes that cannot be opened: instead of metadata */
		uint8_t junk[20] = {0x00, 0x12};
		randombytes_buf(junk + 2, 18);
		assert_int_equal(send(fd, junk, sizeof junk, MSG_NOSIGNAL), (ssize_t)sizeof junk);
	}
	ev_io_init(&c->io, r_read_cb, fd, EV_READ);
	c->io.data = c;
	ev_timer_init(&c->slow, r_slow_cb, SLOW_ACK_S, 0.);
	c->slow.data = c;
	ev_io_start(loop, &c->io);
}

static void resp_start(struct ev_loop *loop, struct resp *r)
{
	for (int attempt = 0; attempt < 20; attempt++) {
		r->addr[0] = 127;
		r->addr[1] = (uint8_t)(64 + rand() % 180);
		r->addr[2] = (uint8_t)(rand() % 250);
		r->addr[3] = (uint8_t)(1 + rand() % 250);
		r->port = (uint16_t)(20000 + rand() % 20000);
		r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		assert_true(r->lfd >= 0);
		struct point p = point_v4((uint32_t)r->addr[0] << 24 | (uint32_t)r->addr[1] << 16 |
					      (uint32_t)r->addr[2] << 8 | r->addr[3],
					  r->port);
		struct sockaddr_storage ss;
		socklen_t sl = point_to_sockaddr(&p, &ss);
		if (bind(r->lfd, (struct sockaddr *)&ss, sl) == 0 && listen(r->lfd, 16) == 0)
			break;
		close(r->lfd);
		r->lfd = -1;
	}
	assert_true(r->lfd >= 0);
	ev_io_init(&r->lio, r_accept_cb, r->lfd, EV_READ);
	r->lio.data = r;
	ev_io_start(loop, &r->lio);
}

static void resp_stop(struct ev_loop *loop, struct resp *r)
{
	ev_io_stop(loop, &r->lio);
	close(r->lfd);
	while (r->conns) {
		struct rconn *c = r->conns;
		r->conns = c->next;
		r_close(loop, c);
		hs_free(c->hs);
		free(c);
	}
}

/* Crawls the responder once (from a seed) and returns the crawl's counters (*out: the node). */
static struct crawl_stats crawl_once(enum mode mode, struct resp *out)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct p2p_identity *me = p2p_identity_new(), *other = p2p_identity_new();
	assert_non_null(me);
	assert_non_null(other);
	uint64_t att;
	assert_int_equal(p2p_identity_generate(me, 0, 1, p2p_random_system, NULL, &att, NULL), ERR_OK);
	assert_int_equal(p2p_identity_generate(other, 0, 1, p2p_random_system, NULL, &att, NULL), ERR_OK);

	struct resp r;
	memset(&r, 0, sizeof r);
	r.mode = mode;
	r.id = mode == M_SELF ? me : other;
	resp_start(loop, &r);

	struct crawl_config cfg;
	assert_int_equal(crawl_config_init(&cfg), ERR_OK);
	assert_int_equal(conf_strlist_add(&cfg.allow, "127.0.0.0/8"), ERR_OK);
	char seed[64];
	snprintf(seed, sizeof seed, "%u.%u.%u.%u:%u", r.addr[0], r.addr[1], r.addr[2], r.addr[3],
		 r.port);
	assert_int_equal(conf_strlist_add(&cfg.seeds, seed), ERR_OK);
	cfg.handshake_timeout = 2;
	cfg.bootstrap_rounds = mode == M_SLOW_ACK || mode == M_RESET_ONCE ? 2 : 1;
	cfg.no_head = true;
	cfg.connect_retries = 0;
	cfg.expected_pow = 0;

	struct crawl *cr = calloc(1, sizeof *cr);
	assert_non_null(cr);
	char err[256];
	assert_int_equal(crawl_init(cr, loop, &cfg, me, err, sizeof err), ERR_OK);
	assert_int_equal(crawl_seed(cr), 1);
	crawl_run(cr);
	struct crawl_stats st = cr->st;
	crawl_cleanup(cr);
	free(cr);
	resp_stop(loop, &r);
	if (out)
		*out = r;
	crawl_config_free(&cfg);
	p2p_identity_free(me);
	p2p_identity_free(other);
	return st;
}

static void test_ok_with_advertise(void **state)
{
	(void)state;
	struct crawl_stats st = crawl_once(M_OK, NULL);
	assert_int_equal(st.outcomes[VISIT_OK], 1);
	assert_int_equal(st.outcomes[VISIT_POLICY], 1);  /* 203.0.113.1 */
	assert_int_equal(st.outcomes[VISIT_REFUSED], 1); /* port 1: nothing listens */
	assert_int_equal(st.edges, 2);
	assert_int_equal(st.public_n, 1);
	assert_int_equal(st.dials, 2);
}

/* Connection-message nonces come from a pool refilled every 170 dials: all distinct. */
static void test_nonce_pool(void **state)
{
	(void)state;
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct p2p_identity *me = p2p_identity_new();
	uint64_t att;
	assert_non_null(me);
	assert_int_equal(p2p_identity_generate(me, 0, 1, p2p_random_system, NULL, &att, NULL), ERR_OK);
	struct crawl_config cfg;
	assert_int_equal(crawl_config_init(&cfg), ERR_OK);
	cfg.expected_pow = 0;
	struct crawl *cr = calloc(1, sizeof *cr);
	char err[256];
	assert_int_equal(crawl_init(cr, loop, &cfg, me, err, sizeof err), ERR_OK);
	enum { N = 500 }; /* three refills */
	uint8_t(*n)[24] = calloc(N, 24);
	static const uint8_t zero[24];
	for (size_t i = 0; i < N; i++) {
		conn_nonce(&cr->conns, n[i]);
		assert_memory_not_equal(n[i], zero, 24);
		for (size_t j = 0; j < i; j++)
			assert_memory_not_equal(n[i], n[j], 24);
	}
	free(n);
	crawl_cleanup(cr);
	free(cr);
	crawl_config_free(&cfg);
	p2p_identity_free(me);
	ev_loop_destroy(loop);
}

static void test_self(void **state)
{
	(void)state;
	struct crawl_stats st = crawl_once(M_SELF, NULL);
	assert_int_equal(st.outcomes[VISIT_SELF], 1);
	assert_int_equal(st.visits, 1);
	assert_int_equal(st.edges, 0);
}

static void test_garbage_is_protocol_error(void **state)
{
	(void)state;
	struct crawl_stats st = crawl_once(M_GARBAGE, NULL);
	assert_int_equal(st.outcomes[VISIT_PROTOCOL_ERROR], 1);
	assert_int_equal(st.visits, 1);
	assert_int_equal(st.public_n, 1); /* its connection message was read first */
}

/*
 * The node's 100 ms Bootstrap throttle starts when it handles our first
 * Bootstrap, after its Ack (Octez: p2p_socket.ml `accept`, then
 * p2p_protocol.ml's throttle): however late the Ack, the second Bootstrap
 * reaches the node at least bootstrap_interval (100 ms) after it. A lower
 * bound: load only makes it later.
 */
static void test_second_bootstrap_after_ack(void **state)
{
	(void)state;
	struct resp r;
	struct crawl_stats st = crawl_once(M_SLOW_ACK, &r);
	assert_int_equal(st.outcomes[VISIT_OK], 1);
	assert_int_equal(r.boots, 2);
	printf("CHECKED: Ack written at +0, Bootstraps handled at %+.0f and %+.0f ms\n",
	       (r.boot_at[0] - r.ack_at) * 1e3, (r.boot_at[1] - r.ack_at) * 1e3);
	assert_true(r.boot_at[1] - r.ack_at >= 0.099);
}

/*
 * Nodes that close the old way: the pipelined visit is reset before any Nack,
 * the visit dials again in lock step (our Ack held) and records what the
 * node really said. One visit row, one finished dial, two decisions.
 */
static void test_old_close(void **state)
{
	(void)state;
	struct resp r;
	struct crawl_stats st = crawl_once(M_OLD_NACK, &r);
	assert_int_equal(st.outcomes[VISIT_NACK], 1);
	assert_int_equal(st.visits, 1);
	assert_int_equal(st.dials, 1);
	assert_int_equal(r.decisions, 2);
	st = crawl_once(M_OLD_PRIVATE, &r);
	assert_int_equal(st.outcomes[VISIT_CLOSED], 1);
	assert_int_equal(st.visits, 1);
	assert_int_equal(r.decisions, 2);
	/* A reset for another reason, then an Ack: the lock-step connection asks
	 * only after the node's Ack, and gets both rounds. */
	st = crawl_once(M_RESET_ONCE, &r);
	assert_int_equal(st.outcomes[VISIT_OK], 1);
	assert_int_equal(r.decisions, 2);
	assert_int_equal(r.boots, 2);
	assert_int_equal(st.edges, 4); /* two Advertises of two points */
}

int main(void)
{
	srand((unsigned)getpid());
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_with_advertise),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_nonce_pool),
		cmocka_unit_test(test_garbage_is_protocol_error),
		cmocka_unit_test(test_second_bootstrap_after_ack),
		cmocka_unit_test(test_old_close),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
