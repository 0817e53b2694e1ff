/* Unit tests for crawler/config: defaults, the documented example, shipped configs, seeds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crawler/config.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Every key of the table is documented in the example (as "key:" or "# key:"). */
static void test_example_documents_every_key(void **state)
{
	(void)state;
	const char *text = slurp("config/crawler.example.yaml");
	for (size_t i = 0; i < crawl_config_keys_n; i++) {
		char pat[128];
		snprintf(pat, sizeof pat, "\n%s:", crawl_config_keys[i].name);
		char pat2[128];
		snprintf(pat2, sizeof pat2, "\n# %s:", crawl_config_keys[i].name);
		if (!strstr(text, pat) && !strstr(text, pat2))
			fail_msg("key %s is not documented in crawler.example.yaml",
				 crawl_config_keys[i].name);
	}
}

/*
 * One table, three readers agree: for every key, the man page's SETTINGS
 * entry is the line --help prints (crawl_config_help), that line carries the
 * table's default, the loader's default (crawl_config_init) is that value
 * parsed, and the example file sets it ("key: default").
 */
static void test_defaults_agree(void **state)
{
	(void)state;
	char *help = NULL;
	size_t help_len = 0;
	FILE *mf = open_memstream(&help, &help_len);
	assert_non_null(mf);
	crawl_config_help(mf);
	assert_int_equal(fclose(mf), 0);
	static char man[1 << 17], example[1 << 16];
	snprintf(man, sizeof man, "%s", slurp("man/tzcensus-crawl.1"));
	snprintf(example, sizeof example, "%s", slurp("config/crawler.example.yaml"));
	struct crawl_config d;
	assert_int_equal(crawl_config_init(&d), ERR_OK);
	char *dj = crawl_config_json(&d);
	assert_non_null(dj);
	const char *line = help;
	for (size_t i = 0; i < crawl_config_keys_n; i++) {
		const struct conf_key *k = &crawl_config_keys[i];
		/* --help: "  name   help (default D...)" */
		const char *eol = strchr(line, '\n');
		assert_non_null(eol);
		char hl[512];
		snprintf(hl, sizeof hl, "%.*s", (int)(eol - line), line);
		line = eol + 1;
		const char *rest = hl + 2 + strlen(k->name);
		if (strncmp(hl + 2, k->name, strlen(k->name)) != 0 || *rest != ' ')
			fail_msg("--help line %zu is not %s: %s", i, k->name, hl);
		while (*rest == ' ')
			rest++;
		char want[128];
		snprintf(want, sizeof want, "(default %s", k->def ? k->def : "");
		if (k->def ? !strstr(rest, want) : strstr(rest, "(default") != NULL)
			fail_msg("--help for %s does not give the default %s: %s", k->name,
				 k->def ? k->def : "(none)", rest);
		/* man page: ".TP\n.B name\n<the same text, '-' as '\-'>.\n" */
		char man_want[1024];
		size_t n = (size_t)snprintf(man_want, sizeof man_want, ".TP\n.B %s\n", k->name);
		for (const char *p = rest; *p && n + 4 < sizeof man_want; p++) {
			if (*p == '-' || *p == '\\')
				man_want[n++] = '\\';
			man_want[n++] = *p;
		}
		snprintf(man_want + n, sizeof man_want - n, ".\n");
		if (!strstr(man, man_want))
			fail_msg("man/tzcensus-crawl.1 SETTINGS lacks, for %s:\n%s", k->name, man_want);
		if (!k->def)
			continue;
		/* the loader: setting the default over the defaults changes nothing (a list's
		 * --set appends: empty it first) */
		struct crawl_config c;
		assert_int_equal(crawl_config_init(&c), ERR_OK);
		if (k->type == CONF_STRLIST)
			conf_strlist_clear((struct conf_strlist *)(void *)((char *)&c + k->offset));
		char err[256] = "";
		if (conf_set(crawl_config_keys, crawl_config_keys_n, &c, k->name, k->def, err,
			     sizeof err) != ERR_OK)
			fail_msg("%s", err);
		char *cj = crawl_config_json(&c);
		assert_non_null(cj);
		assert_string_equal(cj, dj);
		free(cj);
		crawl_config_free(&c);
		/* "name: D", or under "section:" for "section.leaf" ("[D]" for a list) */
		char ex[160], sec[64];
		const char *dot = strchr(k->name, '.'), *in = example;
		if (dot) {
			snprintf(sec, sizeof sec, "\n%.*s:\n", (int)(dot - k->name), k->name);
			in = strstr(example, sec);
			if (!in)
				fail_msg("crawler.example.yaml has no section for %s", k->name);
			snprintf(ex, sizeof ex, k->type == CONF_STRLIST ? "\n  %s: [%s]\n" : "\n  %s: %s\n",
				 dot + 1, k->def);
		} else {
			snprintf(ex, sizeof ex, "\n%s: %s\n", k->name, k->def);
		}
		if (!strstr(in, ex))
			fail_msg("crawler.example.yaml does not set %s: %s", k->name, k->def);
	}
	assert_int_equal(*line, '\0');
	free(dj);
	crawl_config_free(&d);
	free(help);
}

/* The example's values are the defaults: loading it changes nothing. */
static void test_example_is_defaults(void **state)
{
	(void)state;
	struct crawl_config d, c;
	assert_int_equal(crawl_config_init(&d), ERR_OK);
	assert_int_equal(crawl_config_init(&c), ERR_OK);
	char err[256] = "";
	enum err e = conf_load_file("config/crawler.example.yaml", crawl_config_keys,
				    crawl_config_keys_n, &c, err, sizeof err);
	if (e != ERR_OK)
		fail_msg("%s", err);
	char *jd = crawl_config_json(&d), *jc = crawl_config_json(&c);
	assert_non_null(jd);
	assert_non_null(jc);
	assert_string_equal(jd, jc);
	free(jd);
	free(jc);
	assert_int_equal(crawl_config_validate(&c, err, sizeof err), ERR_OK);
	crawl_config_free(&c);
	crawl_config_free(&d);
}

static void test_shipped_configs(void **state)
{
	(void)state;
	char err[256] = "";
	struct crawl_config c;
	assert_int_equal(crawl_config_init(&c), ERR_OK);
	if (conf_load_file("config/mainnet.yaml", crawl_config_keys, crawl_config_keys_n, &c, err,
			   sizeof err) != ERR_OK)
		fail_msg("%s", err);
	assert_int_equal(crawl_config_validate(&c, err, sizeof err), ERR_OK);
	assert_int_equal(c.seeds.n, 3);
	assert_string_equal(c.seeds.v[0], "boot.tzinit.org:9732");
	assert_string_equal(c.seeds.v[1], "boot.tzboot.net:9732");
	assert_string_equal(c.seeds.v[2], "boot.tzbeta.net:9732");
	assert_string_equal(c.chain, "TEZOS_MAINNET");
	assert_true(c.expected_pow == 26.0);
	assert_int_equal(c.allow.n, 0);
	crawl_config_free(&c);

	assert_int_equal(crawl_config_init(&c), ERR_OK);
	if (conf_load_file("config/demo.yaml", crawl_config_keys, crawl_config_keys_n, &c, err,
			   sizeof err) != ERR_OK)
		fail_msg("%s", err);
	assert_int_equal(crawl_config_validate(&c, err, sizeof err), ERR_OK);
	assert_int_equal(c.allow.n, 2);
	assert_string_equal(c.allow.v[0], "127.0.0.0/8");
	assert_string_equal(c.allow.v[1], "::1");
	struct policy p;
	assert_int_equal(crawl_config_policy(&c, &p, err, sizeof err), ERR_OK);
	uint8_t lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 9, 8, 7};
	uint8_t pub[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 8, 8, 8, 8};
	uint8_t v6lo[16] = {[15] = 1};
	assert_true(policy_allows(&p, lo));
	assert_true(policy_allows(&p, v6lo));
	assert_false(policy_allows(&p, pub));
	crawl_config_free(&c);
}

/* rpc_probe: off by default, [8732] and 3 s; ports replaced by the file; bad ports refused. */
static void test_rpc_probe(void **state)
{
	(void)state;
	char err[256] = "";
	struct crawl_config c;
	assert_int_equal(crawl_config_init(&c), ERR_OK);
	assert_false(c.rpc_enabled);
	assert_int_equal(c.rpc_ports.n, 1);
	assert_int_equal(crawl_config_rpc_port(&c, 0), 8732);
	assert_true(c.rpc_timeout == 3.0);
	const char *t = "rpc_probe:\n  enabled: true\n  ports: [8732, 18732]\n  timeout: 1.5\n";
	assert_int_equal(conf_load_buf("r.yaml", t, strlen(t), crawl_config_keys,
				       crawl_config_keys_n, &c, err, sizeof err),
			 ERR_OK);
	assert_true(c.rpc_enabled);
	assert_int_equal(c.rpc_ports.n, 2);
	assert_int_equal(crawl_config_rpc_port(&c, 1), 18732);
	assert_int_equal(crawl_config_rpc_port(&c, 2), 0);
	assert_true(c.rpc_timeout == 1.5);
	assert_int_equal(crawl_config_validate(&c, err, sizeof err), ERR_OK);
	crawl_config_free(&c);
	static const char *const bad[] = {
		"rpc_probe:\n  ports: [0]\n",
		"rpc_probe:\n  ports: [65536]\n",
		"rpc_probe:\n  ports: [\"87x2\"]\n",
		"rpc_probe:\n  ports: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n",
		"rpc_probe:\n  enabled: true\n  ports: []\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(crawl_config_init(&c), ERR_OK);
		assert_int_equal(conf_load_buf("b.yaml", bad[i], strlen(bad[i]), crawl_config_keys,
					       crawl_config_keys_n, &c, err, sizeof err),
				 ERR_OK);
		assert_int_equal(crawl_config_validate(&c, err, sizeof err), ERR_CONFIG);
		assert_non_null(strstr(err, "rpc_probe.ports"));
		crawl_config_free(&c);
	}
	assert_int_equal(crawl_config_init(&c), ERR_OK);
	const char *tt = "rpc_probe:\n  timeout: 0.01\n";
	assert_int_equal(conf_load_buf("t.yaml", tt, strlen(tt), crawl_config_keys,
				       crawl_config_keys_n, &c, err, sizeof err),
			 ERR_CONFIG);
	crawl_config_free(&c);
}

static void test_bad_files(void **state)
{
	(void)state;
	char err[256] = "";
	struct crawl_config c;
	assert_int_equal(crawl_config_init(&c), ERR_OK);
	const char *t1 = "concurrency: 10\nbogus: 1\n";
	assert_int_equal(conf_load_buf("x.yaml", t1, strlen(t1), crawl_config_keys,
				       crawl_config_keys_n, &c, err, sizeof err),
			 ERR_CONFIG);
	assert_non_null(strstr(err, "x.yaml:2:1"));
	const char *t2 = "bootstrap_rounds: 11\n";
	assert_int_equal(conf_load_buf("y.yaml", t2, strlen(t2), crawl_config_keys,
				       crawl_config_keys_n, &c, err, sizeof err),
			 ERR_CONFIG);
	assert_non_null(strstr(err, "y.yaml:1:"));
	const char *t3 = "bootstrap_interval: 0.05\n"; /* Octez throttles at 100 ms */
	assert_int_equal(conf_load_buf("z.yaml", t3, strlen(t3), crawl_config_keys,
				       crawl_config_keys_n, &c, err, sizeof err),
			 ERR_CONFIG);
	crawl_config_free(&c);

	assert_int_equal(crawl_config_init(&c), ERR_OK);
	const char *t4 = "seeds: [\"host name:1\"]\n";
	assert_int_equal(conf_load_buf("s.yaml", t4, strlen(t4), crawl_config_keys,
				       crawl_config_keys_n, &c, err, sizeof err),
			 ERR_OK);
	assert_int_equal(crawl_config_validate(&c, err, sizeof err), ERR_CONFIG);
	assert_non_null(strstr(err, "seeds:"));
	crawl_config_free(&c);

	assert_int_equal(crawl_config_init(&c), ERR_OK);
	const char *t5 = "allow: [10.0.0.1/8]\n";
	assert_int_equal(conf_load_buf("a.yaml", t5, strlen(t5), crawl_config_keys,
				       crawl_config_keys_n, &c, err, sizeof err),
			 ERR_OK);
	assert_int_equal(crawl_config_validate(&c, err, sizeof err), ERR_CONFIG);
	assert_non_null(strstr(err, "allow:"));
	crawl_config_free(&c);

	assert_int_equal(crawl_config_init(&c), ERR_OK);
	const char *t6 = "deny: [nope]\n";
	assert_int_equal(conf_load_buf("d.yaml", t6, strlen(t6), crawl_config_keys,
				       crawl_config_keys_n, &c, err, sizeof err),
			 ERR_OK);
	assert_int_equal(crawl_config_validate(&c, err, sizeof err), ERR_CONFIG);
	assert_non_null(strstr(err, "deny:"));
	crawl_config_free(&c);

	/* p2p_version 0 would earn Nack_v_0, which lists no point: refused */
	assert_int_equal(crawl_config_init(&c), ERR_OK);
	const char *t7 = "p2p_version: 0\n";
	assert_int_equal(conf_load_buf("v.yaml", t7, strlen(t7), crawl_config_keys,
				       crawl_config_keys_n, &c, err, sizeof err),
			 ERR_OK);
	assert_int_equal(crawl_config_validate(&c, err, sizeof err), ERR_CONFIG);
	assert_non_null(strstr(err, "p2p_version"));
	assert_non_null(strstr(err, "Nack_v_0"));
	crawl_config_free(&c);
}

static void test_override(void **state)
{
	(void)state;
	char err[256] = "";
	struct crawl_config c;
	assert_int_equal(crawl_config_init(&c), ERR_OK);
	assert_int_equal(conf_set(crawl_config_keys, crawl_config_keys_n, &c, "concurrency", "7",
				  err, sizeof err),
			 ERR_OK);
	assert_int_equal(c.concurrency, 7);
	assert_int_equal(conf_set(crawl_config_keys, crawl_config_keys_n, &c, "concurrency", "0",
				  err, sizeof err),
			 ERR_CONFIG);
	assert_int_equal(conf_set(crawl_config_keys, crawl_config_keys_n, &c, "no_head", "true",
				  err, sizeof err),
			 ERR_OK);
	assert_true(c.no_head);
	crawl_config_free(&c);
	crawl_config_free(&c); /* twice is fine */
}

static void test_seed_parse(void **state)
{
	(void)state;
	struct seed_spec s;
	assert_int_equal(seed_parse("boot.tzinit.org:9732", &s), ERR_OK);
	assert_string_equal(s.host, "boot.tzinit.org");
	assert_int_equal(s.port, 9732);
	assert_false(s.numeric);
	assert_int_equal(seed_parse("boot.tzinit.org", &s), ERR_OK);
	assert_int_equal(s.port, 9732);
	assert_int_equal(seed_parse("127.0.0.1:19732", &s), ERR_OK);
	assert_true(s.numeric);
	assert_int_equal(s.port, 19732);
	assert_int_equal(seed_parse("[::1]:9733", &s), ERR_OK);
	assert_string_equal(s.host, "::1");
	assert_true(s.numeric);
	assert_int_equal(s.port, 9733);
	assert_int_equal(seed_parse("[::1]", &s), ERR_OK);
	assert_int_equal(s.port, 9732);
	assert_int_equal(seed_parse("2001:db8::1", &s), ERR_OK);
	assert_true(s.numeric);
	assert_int_equal(seed_parse("", &s), ERR_CONFIG);
	assert_int_equal(seed_parse("host:0", &s), ERR_CONFIG);
	assert_int_equal(seed_parse("host:65536", &s), ERR_CONFIG);
	assert_int_equal(seed_parse("host:", &s), ERR_CONFIG);
	assert_int_equal(seed_parse("host:12a", &s), ERR_CONFIG);
	assert_int_equal(seed_parse("-host:1", &s), ERR_CONFIG);
	assert_int_equal(seed_parse("ho_st:1", &s), ERR_CONFIG);
	assert_int_equal(seed_parse("a..b:1", &s), ERR_CONFIG);
	assert_int_equal(seed_parse("[::1", &s), ERR_CONFIG);
	assert_int_equal(seed_parse("[]:1", &s), ERR_CONFIG);
	assert_int_equal(seed_parse("[::1]x", &s), ERR_CONFIG);
	assert_int_equal(seed_parse("[nothost]:1", &s), ERR_CONFIG);
	assert_int_equal(seed_parse("1:2:3", &s), ERR_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_documents_every_key),
		cmocka_unit_test(test_defaults_agree),
		cmocka_unit_test(test_example_is_defaults),
		cmocka_unit_test(test_shipped_configs),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_rpc_probe),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_seed_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
