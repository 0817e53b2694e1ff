/*
 * crawler/rpc_version: Octez's /version answers (the shape of
 * src/lib_version/octez_node_version.ml), each additional_info case, and one
 * test per refusal: not JSON, each required field missing or of another
 * type, numbers out of int31, text too long or not printable, duplicate keys.
 * Every vector whole, and every proper prefix of the good ones (a torn body
 * is never a release).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crawler/rpc_version.h"

#define NET "\"network_version\":{\"chain_name\":\"TEZOS_MAINNET\",\"distributed_db_version\":2," \
            "\"p2p_version\":1}"
#define COMMIT "\"commit_info\":{\"commit_hash\":\"0b8ed5d5b8b19ed0e1c0e1b1b6c2b4e5cf0d9f7a\"," \
               "\"commit_date\":\"2025-03-10 14:38:34 +0000\"}"

static enum err parse(const char *body, struct rpc_version *v, char *why)
{
	return rpc_version_parse(body, strlen(body), v, why, 96);
}

static void test_release(void **state)
{
	(void)state;
	const char *body = "{\"version\":{\"major\":22,\"minor\":1,\"additional_info\":\"release\"},"
	                   NET "," COMMIT "}";
	struct rpc_version v;
	char why[96];
	assert_int_equal(parse(body, &v, why), ERR_OK);
	assert_string_equal(why, "");
	assert_int_equal(v.major, 22);
	assert_int_equal(v.minor, 1);
	assert_string_equal(v.additional_info, "release");
	assert_true(v.has_commit);
	assert_string_equal(v.commit_hash, "0b8ed5d5b8b19ed0e1c0e1b1b6c2b4e5cf0d9f7a");
	assert_string_equal(v.commit_date, "2025-03-10 14:38:34 +0000");
	assert_string_equal(v.chain_name, "TEZOS_MAINNET");
	/* a torn body is never a release */
	for (size_t n = 0; n < strlen(body); n++)
		assert_int_not_equal(rpc_version_parse(body, n, &v, why, sizeof why), ERR_OK);
}

static void test_additional_info_cases(void **state)
{
	(void)state;
	static const struct {
		const char *json, *want;
	} cases[] = {
		{"\"dev\"", "dev"},          {"\"release\"", "release"},
		{"{\"rc\":3}", "rc3"},       {"{\"rc_dev\":1}", "rc_dev1"},
		{"{\"beta\":2}", "beta2"},   {"{\"beta_dev\":0}", "beta_dev0"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char body[512];
		snprintf(body, sizeof body,
		         "{\"version\":{\"major\":21,\"minor\":0,\"additional_info\":%s}," NET
		         ",\"commit_info\":null}",
		         cases[i].json);
		struct rpc_version v;
		char why[96];
		assert_int_equal(parse(body, &v, why), ERR_OK);
		assert_string_equal(v.additional_info, cases[i].want);
		assert_false(v.has_commit);
	}
}

static void test_not_json(void **state)
{
	(void)state;
	static const char *const bodies[] = {
		"", "<html><body>Octez?</body></html>", "{\"version\":", "{'version': 1}",
		"{\"version\":{\"major\":1}}}", "{\"a\":\"\\u0000\"}",
		/* duplicate keys are refused by the parser itself */
		"{\"version\":{},\"version\":{}}",
	};
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		struct rpc_version v;
		char why[96];
		assert_int_equal(parse(bodies[i], &v, why), ERR_PROTO);
		assert_true(why[0] != '\0');
	}
	struct rpc_version v;
	char why[96];
	/* a NUL inside the body */
	assert_int_equal(rpc_version_parse("{}\0{}", 5, &v, why, sizeof why), ERR_PROTO);
}

static void test_bad_shape(void **state)
{
	(void)state;
	static const struct {
		const char *body, *why;
	} cases[] = {
		{"[]", "not an object"},
		{"{" NET "," COMMIT "}", "version"},
		{"{\"version\":3," NET "," COMMIT "}", "version"},
		{"{\"version\":{\"minor\":1,\"additional_info\":\"dev\"}," NET "," COMMIT "}",
		 "version.major"},
		{"{\"version\":{\"major\":-1,\"minor\":1,\"additional_info\":\"dev\"}," NET "," COMMIT
		 "}", "version.major"},
		{"{\"version\":{\"major\":1073741824,\"minor\":1,\"additional_info\":\"dev\"}," NET
		 "," COMMIT "}", "version.major"},
		{"{\"version\":{\"major\":\"22\",\"minor\":1,\"additional_info\":\"dev\"}," NET
		 "," COMMIT "}", "version.major"},
		{"{\"version\":{\"major\":22.5,\"minor\":1,\"additional_info\":\"dev\"}," NET
		 "," COMMIT "}", "version.major"},
		{"{\"version\":{\"major\":22,\"additional_info\":\"dev\"}," NET "," COMMIT "}",
		 "version.minor"},
		{"{\"version\":{\"major\":22,\"minor\":1}," NET "," COMMIT "}",
		 "version.additional_info"},
		{"{\"version\":{\"major\":22,\"minor\":1,\"additional_info\":\"alpha\"}," NET
		 "," COMMIT "}", "version.additional_info"},
		{"{\"version\":{\"major\":22,\"minor\":1,\"additional_info\":{\"rc\":1,\"beta\":1}},"
		 NET "," COMMIT "}", "version.additional_info"},
		{"{\"version\":{\"major\":22,\"minor\":1,\"additional_info\":{\"gamma\":1}}," NET
		 "," COMMIT "}", "version.additional_info"},
		{"{\"version\":{\"major\":22,\"minor\":1,\"additional_info\":{\"rc\":-2}}," NET
		 "," COMMIT "}", "version.additional_info"},
		{"{\"version\":{\"major\":22,\"minor\":1,\"additional_info\":\"release\"}," COMMIT
		 "}", "network_version"},
		{"{\"version\":{\"major\":22,\"minor\":1,\"additional_info\":\"release\"}," NET "}",
		 "commit_info"},
		{"{\"version\":{\"major\":22,\"minor\":1,\"additional_info\":\"release\"}," NET
		 ",\"commit_info\":\"abc\"}", "commit_info"},
		{"{\"version\":{\"major\":22,\"minor\":1,\"additional_info\":\"release\"}," NET
		 ",\"commit_info\":{\"commit_date\":\"x\"}}", "commit_info.commit_hash"},
		{"{\"version\":{\"major\":22,\"minor\":1,\"additional_info\":\"release\"}," NET
		 ",\"commit_info\":{\"commit_hash\":\"\",\"commit_date\":\"x\"}}",
		 "commit_info.commit_hash"},
		{"{\"version\":{\"major\":22,\"minor\":1,\"additional_info\":\"release\"}," NET
		 ",\"commit_info\":{\"commit_hash\":\"a\\u0001b\",\"commit_date\":\"x\"}}",
		 "commit_info.commit_hash"},
		{"{\"version\":{\"major\":22,\"minor\":1,\"additional_info\":\"release\"}," NET
		 ",\"commit_info\":{\"commit_hash\":\"ab\"}}", "commit_info.commit_date"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rpc_version v;
		char why[96];
		assert_int_equal(parse(cases[i].body, &v, why), ERR_INVAL);
		assert_string_equal(why, cases[i].why);
	}
}

/* Text fields: 64 bytes kept, 65 refused. */
static void test_text_limits(void **state)
{
	(void)state;
	char hash[REC_RPC_TEXT_MAX + 2], body[1024];
	for (int len = REC_RPC_TEXT_MAX; len <= REC_RPC_TEXT_MAX + 1; len++) {
		memset(hash, 'a', (size_t)len);
		hash[len] = '\0';
		snprintf(body, sizeof body,
		         "{\"version\":{\"major\":1,\"minor\":2,\"additional_info\":\"dev\"}," NET
		         ",\"commit_info\":{\"commit_hash\":\"%s\",\"commit_date\":\"d\"}}",
		         hash);
		struct rpc_version v;
		char why[96];
		enum err e = parse(body, &v, why);
		if (len == REC_RPC_TEXT_MAX) {
			assert_int_equal(e, ERR_OK);
			assert_int_equal(strlen(v.commit_hash), REC_RPC_TEXT_MAX);
		} else {
			assert_int_equal(e, ERR_INVAL);
		}
	}
	/* int31 bounds */
	snprintf(body, sizeof body,
	         "{\"version\":{\"major\":1073741823,\"minor\":0,\"additional_info\":"
	         "{\"rc\":1073741823}}," NET ",\"commit_info\":null}");
	struct rpc_version v;
	char why[96];
	assert_int_equal(parse(body, &v, why), ERR_OK);
	assert_int_equal(v.major, 1073741823);
	assert_string_equal(v.additional_info, "rc1073741823");
}

/* The release text (lib/db/record.c) as Octez prints it. */
static void test_release_text(void **state)
{
	(void)state;
	static const struct {
		const char *ai, *want;
	} cases[] = {
		{"release", "v22.1"},        {"dev", "v22.1+dev"},
		{"rc3", "v22.1~rc3"},        {"rc_dev2", "v22.1~rc2+dev"},
		{"beta1", "v22.1~beta1"},    {"beta_dev4", "v22.1~beta4+dev"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rpc_rec r;
		rpc_rec_init(&r);
		r.point = "127.0.0.1:9732";
		r.port = 8732;
		r.major = 22;
		r.minor = 1;
		r.additional_info = cases[i].ai;
		assert_int_equal(rpc_rec_check(&r), ERR_OK);
		char t[64];
		rpc_release_text(&r, t, sizeof t);
		assert_string_equal(t, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release),         cmocka_unit_test(test_additional_info_cases),
		cmocka_unit_test(test_not_json),        cmocka_unit_test(test_bad_shape),
		cmocka_unit_test(test_text_limits),     cmocka_unit_test(test_release_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
