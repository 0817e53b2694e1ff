/*
 * tally: the crawler's census figures. A point's class is the strongest of
 * its attempts (an Already_connected Nack then a connect timeout is still
 * public), public nodes are distinct peer ids, and a point is counted once,
 * when its last attempt ends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "crawler/tally.h"

static void attempt(struct tally *t, uint32_t id, enum visit_outcome o, const char *peer,
                    bool final)
{
	struct visit_rec v;
	visit_rec_init(&v);
	v.point = "10.0.0.1:9732";
	v.outcome = o;
	v.peer_id = peer;
	tally_attempt(t, id, &v, final);
}

static void test_classes_and_nodes(void **state)
{
	(void)state;
	struct tally t = {0};
	attempt(&t, 0, VISIT_OK, "idA", true);
	attempt(&t, 1, VISIT_OK, "idA", true); /* second point of idA: one node */
	attempt(&t, 2, VISIT_NACK, "idB", false); /* Already_connected, retried */
	attempt(&t, 2, VISIT_TIMEOUT, NULL, true);
	attempt(&t, 3, VISIT_TIMEOUT, NULL, false);
	attempt(&t, 3, VISIT_SILENT_CLOSE, NULL, true);
	attempt(&t, 4, VISIT_REFUSED, NULL, true);
	attempt(&t, 5, VISIT_FOREIGN, "idF", true);
	attempt(&t, 6, VISIT_CLOSED, "idC", true); /* metadata, then a close */
	attempt(&t, 5000, VISIT_SELF, "idSelf", true); /* far id: the table grows */
	attempt(&t, 7, VISIT_LOCAL_ERROR, NULL, true);
	assert_false(t.nomem);
	assert_int_equal(t.public_nodes, 3); /* idA, idB, idC */
	assert_int_equal(t.points[PC_PUBLIC], 4);
	assert_int_equal(t.points[PC_UNVERIFIED], 1);
	assert_int_equal(t.points[PC_UNREACHABLE], 1);
	assert_int_equal(t.points[PC_FOREIGN], 1);
	assert_int_equal(t.points[PC_UNDIALED], 2);
	assert_int_equal(tally_dialed(&t), 7);
	tally_cleanup(&t);
	tally_cleanup(&t); /* idempotent */
}

/* Many distinct peer ids: the set grows and still counts each once. */
static void test_many_peers(void **state)
{
	(void)state;
	struct tally t = {0};
	char id[32];
	for (uint32_t i = 0; i < 3000; i++) {
		snprintf(id, sizeof id, "id%u", i % 1000);
		attempt(&t, i, VISIT_OK, id, true);
	}
	assert_int_equal(t.public_nodes, 1000);
	assert_int_equal(t.points[PC_PUBLIC], 3000);
	tally_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classes_and_nodes),
	    cmocka_unit_test(test_many_peers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
