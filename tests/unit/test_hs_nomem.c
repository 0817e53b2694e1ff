/*
 * Out of memory inside the handshake: every allocation lib/p2p makes in a
 * full session (both roles, lock step, early_ack and late_ack, Bootstrap answered by
 * an Advertise of 50 points) is made to fail in turn, and the session must
 * say so: hs_new returns NULL, or hs_feed / hs_send / hs_accept returns
 * ERR_NOMEM, or an HS_EV_ERROR event carries ERR_NOMEM. No crash, and under
 * `make check SANITIZE=1` no leak.
 *
 * The allocator is wrapped at link time (-Wl,--wrap=malloc,calloc,realloc
 * for this program only, see the Makefile); the driver itself allocates
 * nothing while a session runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "p2p/handshake.h"
#include "p2p/identity.h"
#include "p2p/msg.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static long alloc_n; /* allocations since the count was reset */
static long fail_at; /* the one that fails (1-based); 0 = none */
static bool injected;

static bool fail_now(void)
{
	alloc_n++;
	if (fail_at != 0 && alloc_n == fail_at) {
		injected = true;
		return true;
	}
	return false;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

static struct p2p_identity id_a, id_b;
static struct p2p_msg adv; /* what the node answers to Bootstrap */

struct run {
	struct hs *i, *r;
	bool early;
	bool nomem;    /* some call or event reported ERR_NOMEM */
	bool new_null; /* hs_new returned NULL */
	size_t adv_seen;
};

static void note(struct run *ru, enum err e)
{
	if (e == ERR_NOMEM)
		ru->nomem = true;
}

static void ask(struct run *ru)
{
	static struct p2p_msg m;
	p2p_msg_init(&m, P2P_TAG_BOOTSTRAP);
	note(ru, hs_send(ru->i, &m));
}

static void drain(struct run *ru, struct hs *h)
{
	static struct hs_event ev;
	while (hs_next_event(h, &ev)) {
		switch (ev.type) {
		case HS_EV_ERROR: note(ru, ev.error.code); break;
		case HS_EV_CONN_MSG:
			if (h == ru->i && ru->early && hs_state(h) == HS_ST_META)
				ask(ru);
			break;
		case HS_EV_METADATA:
			if (h == ru->r && hs_state(h) == HS_ST_DECIDE)
				note(ru, hs_accept(h));
			break;
		case HS_EV_ACK:
			if (h == ru->i && !ru->early)
				ask(ru);
			break;
		case HS_EV_MSG:
			if (h == ru->r && ev.msg.tag == P2P_TAG_BOOTSTRAP)
				note(ru, hs_send(h, &adv));
			else if (h == ru->i && ev.msg.tag == P2P_TAG_ADVERTISE)
				ru->adv_seen++;
			break;
		default: break;
		}
	}
}

static bool move(struct run *ru, struct hs *from, struct hs *to)
{
	size_t n;
	const uint8_t *o = hs_out(from, &n);
	if (n == 0)
		return false;
	enum hs_state st = hs_state(to);
	if (st != HS_ST_CLOSED && st != HS_ST_FAILED)
		note(ru, hs_feed(to, o, n));
	hs_out_consume(from, n);
	drain(ru, to);
	return true;
}

/* mode 0: lock step, 1: early_ack, 2: late_ack */
static struct run session(int mode)
{
	struct run ru = {.early = mode == 1};
	struct hs_params ip = {
	    .role = HS_INITIATOR,
	    .id = &id_a,
	    .chain_name = "TEZOS_MAINNET",
	    .ddb_version = 2,
	    .p2p_version = 1,
	    .disable_mempool = true,
	    .early_ack = mode == 1,
	    .late_ack = mode == 2,
	};
	struct hs_params rp = {
	    .role = HS_RESPONDER,
	    .id = &id_b,
	    .chain_name = "TEZOS_MAINNET",
	    .port = 9732,
	    .ddb_version = 2,
	    .p2p_version = 1,
	};
	memset(ip.msg_nonce, 0xa1, sizeof ip.msg_nonce);
	memset(rp.msg_nonce, 0xb2, sizeof rp.msg_nonce);
	ru.i = hs_new(&ip);
	ru.r = hs_new(&rp);
	if (ru.i && ru.r) {
		for (int k = 0; k < 100; k++) {
			bool a = move(&ru, ru.i, ru.r);
			bool b = move(&ru, ru.r, ru.i);
			if (!a && !b)
				break;
		}
	} else {
		ru.new_null = true;
	}
	hs_free(ru.i);
	hs_free(ru.r);
	return ru;
}

static int setup(void **state)
{
	(void)state;
	uint64_t att;
	if (p2p_identity_generate(&id_a, 0, 1, p2p_random_system, NULL, &att, NULL) != ERR_OK ||
	    p2p_identity_generate(&id_b, 0, 1, p2p_random_system, NULL, &att, NULL) != ERR_OK)
		return -1;
	p2p_msg_init(&adv, P2P_TAG_ADVERTISE);
	adv.points_n = 50;
	for (size_t k = 0; k < 50; k++)
		adv.points[k] = point_v4(0x7f000000u + 2 + (uint32_t)k, (uint16_t)(9732 + k));
	return 0;
}

static void test_every_allocation_fails(void **state)
{
	(void)state;
	for (int early = 0; early < 3; early++) {
		alloc_n = 0;
		fail_at = 0;
		struct run ok = session(early);
		long total = alloc_n;
		assert_false(ok.nomem);
		assert_int_equal(ok.adv_seen, 1);
		assert_true(total >= 10);
		for (long k = 1; k <= total; k++) {
			alloc_n = 0;
			fail_at = k;
			injected = false;
			struct run ru = session(early);
			fail_at = 0;
			if (!injected) /* a later failure can stop a session before its k-th allocation */
				continue;
			if (!ru.nomem && !ru.new_null)
				fail_msg("allocation %ld of %ld (mode %d) failed silently", k, total,
					 early);
		}
		print_message("mode %d (lock step, early_ack, late_ack): each of %ld allocations "
			      "failed in turn, all reported\n",
			      early, total);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_allocation_fails),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
