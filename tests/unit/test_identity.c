/*
 * Unit tests for lib/p2p/identity: every identity.json of identities.json
 * (parsed in its own layout and member order, checked against the
 * researcher's derived checks, re-formatted byte for byte in Octez's
 * layout), the Carthagenet capture identity, and each error path of parse,
 * load and save: bad JSON, missing / extra / ill-typed members, wrong peer
 * id, mismatched keys, low PoW, mode 0644, existing files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/hex.h"
#include "p2p/identity.h"
#include "vecfile.h"

/* A known-good identity (identity_ocaml.json, 26 bits) to mutate. */
#define PID "idrRoknJh9zwEePNswF3MPGFzmKaVp"
#define PK "5fd7ba1d15650abc9a510c37a8bee566b708fe6577f0d832b903e8f13d71c94a"
#define SK "213d61d6e41b443bec6bf0d00f17f59dfb4bdca409c9c03887cc5196be12502e"
#define STAMP "4b1354dcfc087e52c8fb510317b9464c297b8a55b79bfc95"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tzcensus-test-identity.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	DIR *d = opendir(tmpdir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char p[512];
			snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(tmpdir);
	return 0;
}

static void test_identities_json(void **state)
{
	(void)state;
	unsigned n = 0, layouts = 0;
	json_t *root = vecfile_load("identities.json");
	size_t i;
	json_t *v;
	json_array_foreach(root, i, v) {
		const char *text = vecfile_str(v, "file_text");
		struct p2p_identity id;
		char err[256] = "";
		enum err e = p2p_identity_parse(&id, text, strlen(text), P2P_POW_NOCHECK, err,
						sizeof err);
		assert_int_equal(e, ERR_OK);
		uint8_t pk[32], sk[32], stamp[24], pid[16];
		vecfile_hex_fixed(v, "public_key", pk, 32);
		vecfile_hex_fixed(v, "secret_key", sk, 32);
		vecfile_hex_fixed(v, "proof_of_work_stamp", stamp, 24);
		assert_int_equal(p2p_peer_id_parse(pid, vecfile_str(v, "peer_id"),
						   strlen(vecfile_str(v, "peer_id"))),
				 ERR_OK);
		assert_memory_equal(id.pk, pk, 32);
		assert_memory_equal(id.sk, sk, 32);
		assert_memory_equal(id.stamp, stamp, 24);
		assert_memory_equal(id.peer_id, pid, 16);
		/* The researcher's derived checks. */
		const json_t *dc = json_object_get(v, "derived_checks");
		assert_non_null(dc);
		uint8_t raw[16];
		vecfile_hex_fixed(dc, "peer_id_raw_blake2b128_of_public_key", raw, 16);
		assert_memory_equal(id.peer_id, raw, 16);
		assert_int_equal(p2p_pow_bits(id.pk, id.stamp),
				 json_integer_value(json_object_get(dc, "pow_leading_zero_bits_little_endian")));
		bool p24 = json_is_true(json_object_get(dc, "passes_target_24"));
		bool p26 = json_is_true(json_object_get(dc, "passes_target_26"));
		struct p2p_identity tmp;
		assert_int_equal(p2p_identity_parse(&tmp, text, strlen(text), 24.0, err, sizeof err),
				 p24 ? ERR_OK : ERR_POW);
		assert_int_equal(p2p_identity_parse(&tmp, text, strlen(text), 26.0, err, sizeof err),
				 p26 ? ERR_OK : ERR_POW);
		if (!p26)
			assert_non_null(strstr(err, "insufficient proof of work"));
		/* Files in Octez's own layout come out byte for byte the same. */
		char out[512];
		size_t out_len;
		assert_int_equal(p2p_identity_format(out, sizeof out, &out_len, &id), ERR_OK);
		if (strncmp(text, "{ \"peer_id\": ", 13) == 0) {
			assert_int_equal(out_len, strlen(text));
			assert_string_equal(out, text);
			layouts++;
		}
		/* And whatever the layout, the formatted text parses back. */
		assert_int_equal(p2p_identity_parse(&tmp, out, out_len, P2P_POW_NOCHECK, err,
						    sizeof err),
				 ERR_OK);
		assert_memory_equal(&tmp, &id, sizeof id);
		p2p_identity_cleanup(&id);
		n++;
	}
	assert_int_equal(n, 16);
	assert_int_equal(layouts, 10);
	json_decref(root);
	printf("VECTORS: %u checked (identities.json; %u in Octez's layout byte for byte)\n", n,
	       layouts);
}

static void test_capture_identity(void **state)
{
	(void)state;
	size_t len;
	char *text = vecfile_read("tests/data/vectors/captures/"
				  "tezedge_communication_carthagenet.identity.json",
				  &len);
	struct p2p_identity id;
	char err[256];
	assert_int_equal(p2p_identity_parse(&id, text, len, 26.0, err, sizeof err), ERR_OK);
	char b58[31];
	p2p_peer_id_b58(b58, id.peer_id);
	assert_string_equal(b58, "idqjq34sB6uHWdFzJDB97zwXAdHASb");
	free(text);
	printf("VECTORS: 1 checked (captures/tezedge_communication_carthagenet.identity.json)\n");
}

/* Parses text expecting error e and a message containing what. */
static void expect_parse(const char *text, enum err e, const char *what)
{
	struct p2p_identity id;
	char err[256] = "";
	memset(&id, 0x77, sizeof id);
	enum err got = p2p_identity_parse(&id, text, strlen(text), 26.0, err, sizeof err);
	if (got != e || !strstr(err, what))
		fail_msg("parse of %.60s...: got %s \"%s\", want %s \"%s\"", text, err_str(got),
			 err, err_str(e), what);
	if (e != ERR_OK) {
		/* Nothing of a refused identity stays behind, secret included. */
		static const struct p2p_identity zero;
		assert_memory_equal(&id, &zero, sizeof id);
	}
}

#define J(pid, pk, sk, st) \
	"{\"peer_id\":\"" pid "\",\"public_key\":\"" pk "\",\"secret_key\":\"" sk \
	"\",\"proof_of_work_stamp\":\"" st "\"}"

static void test_parse_errors(void **state)
{
	(void)state;
	expect_parse(J(PID, PK, SK, STAMP), ERR_OK, "");
	/* peer_id may be absent: recomputed. */
	expect_parse("{\"public_key\":\"" PK "\",\"secret_key\":\"" SK
		     "\",\"proof_of_work_stamp\":\"" STAMP "\"}",
		     ERR_OK, "");
	/* Upper-case hex is read as well. */
	expect_parse(J(PID, "5FD7BA1D15650ABC9A510C37A8BEE566B708FE6577F0D832B903E8F13D71C94A", SK,
		       STAMP),
		     ERR_OK, "");
	/* Not JSON, not an object, truncated, empty. */
	expect_parse("", ERR_PROTO, "not valid JSON");
	expect_parse("{", ERR_PROTO, "not valid JSON");
	expect_parse("peer_id", ERR_PROTO, "not valid JSON");
	expect_parse("[]", ERR_PROTO, "not a JSON object");
	expect_parse(J(PID, PK, SK, STAMP) "x", ERR_PROTO, "not valid JSON");
	/* Missing members. */
	expect_parse("{\"peer_id\":\"" PID "\",\"secret_key\":\"" SK
		     "\",\"proof_of_work_stamp\":\"" STAMP "\"}",
		     ERR_PROTO, "missing member \"public_key\"");
	expect_parse("{\"peer_id\":\"" PID "\",\"public_key\":\"" PK
		     "\",\"proof_of_work_stamp\":\"" STAMP "\"}",
		     ERR_PROTO, "missing member \"secret_key\"");
	expect_parse("{\"peer_id\":\"" PID "\",\"public_key\":\"" PK "\",\"secret_key\":\"" SK
		     "\"}",
		     ERR_PROTO, "missing member \"proof_of_work_stamp\"");
	expect_parse("{}", ERR_PROTO, "missing member");
	/* Extra and duplicate members. */
	expect_parse("{\"peer_id\":\"" PID "\",\"public_key\":\"" PK "\",\"secret_key\":\"" SK
		     "\",\"proof_of_work_stamp\":\"" STAMP "\",\"comment\":\"x\"}",
		     ERR_PROTO, "unknown member \"comment\"");
	expect_parse("{\"public_key\":\"" PK "\",\"public_key\":\"" PK "\",\"secret_key\":\"" SK
		     "\",\"proof_of_work_stamp\":\"" STAMP "\"}",
		     ERR_PROTO, "not valid JSON");
	/* Wrong types, hex and lengths. */
	expect_parse("{\"peer_id\":\"" PID "\",\"public_key\":1,\"secret_key\":\"" SK
		     "\",\"proof_of_work_stamp\":\"" STAMP "\"}",
		     ERR_PROTO, "\"public_key\" is not a string");
	expect_parse(J(PID, PK, SK, "4b1354dcfc087e52c8fb510317b9464c297b8a55b79bfc"), ERR_PROTO,
		     "\"proof_of_work_stamp\" is not 24 bytes of hex");
	expect_parse(J(PID, PK "00", SK, STAMP), ERR_PROTO, "\"public_key\" is not 32 bytes");
	expect_parse(J(PID, PK, "zz3d61d6e41b443bec6bf0d00f17f59dfb4bdca409c9c03887cc5196be12502e",
		       STAMP),
		     ERR_PROTO, "\"secret_key\" is not 32 bytes of hex");
	expect_parse("{\"peer_id\":7,\"public_key\":\"" PK "\",\"secret_key\":\"" SK
		     "\",\"proof_of_work_stamp\":\"" STAMP "\"}",
		     ERR_PROTO, "\"peer_id\"");
	expect_parse(J("idrRoknJh9zwEePNswF3MPGFzmKaVq", PK, SK, STAMP), ERR_PROTO, "\"peer_id\"");
	expect_parse(J("NetXdQprcVkpaWU", PK, SK, STAMP), ERR_PROTO, "\"peer_id\"");
	/* Another key's peer id (identity_tezedge's). */
	expect_parse(J("idsyBpzU3VspRyD3GEDWkgUBRqQNti", PK, SK, STAMP), ERR_CRYPTO,
		     "identity mismatch");
	/* identity_tezedge's secret key with identity_ocaml's public key. */
	expect_parse(J(PID, PK, "46d55abdea246d1d3a3cd9ee746e5d17341e5bbf6765bbcd500ebf08fff46dba",
		       STAMP),
		     ERR_CRYPTO, "keys mismatch");
	/* Another stamp: 0 bits. */
	expect_parse(J(PID, PK, SK, "000000000000000000000000000000000000000000000000"), ERR_POW,
		     "insufficient proof of work");
	/* An embedded NUL ends nothing: the text is refused as JSON. */
	struct p2p_identity id;
	char err[200];
	const char nul[] = "{\"peer_id\":\0\"x\"}";
	assert_int_equal(p2p_identity_parse(&id, nul, sizeof nul - 1, 26.0, err, sizeof err),
			 ERR_PROTO);
	/* PoW threshold exactly at the stamp's strength (26 bits) passes, 26.5 fails. */
	const char *good = J(PID, PK, SK, STAMP);
	assert_int_equal(p2p_identity_parse(&id, good, strlen(good), 26.0, err, sizeof err), ERR_OK);
	assert_int_equal(p2p_identity_parse(&id, good, strlen(good), 26.5, err, sizeof err),
			 ERR_POW);
	assert_int_equal(p2p_identity_parse(&id, good, strlen(good), 300.0, err, sizeof err),
			 ERR_INVAL);
	/* A tiny error buffer is fine. */
	assert_int_equal(p2p_identity_parse(&id, "[", 1, 26.0, err, 1), ERR_PROTO);
	assert_int_equal(err[0], '\0');
	assert_int_equal(p2p_identity_parse(&id, "[", 1, 26.0, NULL, 0), ERR_PROTO);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_load(void **state)
{
	(void)state;
	char path[512], err[512];
	struct p2p_identity id;
	snprintf(path, sizeof path, "%s/identity.json", tmpdir);
	write_file(path, J(PID, PK, SK, STAMP), 0600);
	assert_int_equal(p2p_identity_load(path, &id, 26.0, err, sizeof err), ERR_OK);
	char b58[31];
	p2p_peer_id_b58(b58, id.peer_id);
	assert_string_equal(b58, PID);
	/* 0400 is fine too. */
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(p2p_identity_load(path, &id, 26.0, err, sizeof err), ERR_OK);
	/* Any group/other bit: refused before reading, with a way out. */
	static const mode_t bad_modes[] = {0644, 0640, 0604, 0620, 0602, 0610, 0601, 0666};
	for (size_t i = 0; i < sizeof bad_modes / sizeof bad_modes[0]; i++) {
		assert_int_equal(chmod(path, bad_modes[i]), 0);
		assert_int_equal(p2p_identity_load(path, &id, 26.0, err, sizeof err), ERR_CONFIG);
		assert_non_null(strstr(err, "chmod 600"));
		assert_non_null(strstr(err, path));
	}
	/* Errors of the content carry the path. */
	write_file(path, J(PID, PK, SK, "000000000000000000000000000000000000000000000000"), 0600);
	assert_int_equal(p2p_identity_load(path, &id, 26.0, err, sizeof err), ERR_POW);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "insufficient proof of work"));
	assert_int_equal(p2p_identity_load(path, &id, P2P_POW_NOCHECK, err, sizeof err), ERR_OK);
	write_file(path, "{not json", 0600);
	assert_int_equal(p2p_identity_load(path, &id, 26.0, err, sizeof err), ERR_PROTO);
	/* Missing file, directory, oversized file. */
	char missing[512];
	snprintf(missing, sizeof missing, "%s/none.json", tmpdir);
	assert_int_equal(p2p_identity_load(missing, &id, 26.0, err, sizeof err), ERR_IO);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(chmod(tmpdir, 0700), 0);
	assert_int_equal(p2p_identity_load(tmpdir, &id, 26.0, err, sizeof err), ERR_IO);
	char *big = malloc(P2P_IDENTITY_FILE_MAX + 2);
	assert_non_null(big);
	memset(big, ' ', P2P_IDENTITY_FILE_MAX + 1);
	big[P2P_IDENTITY_FILE_MAX + 1] = '\0';
	write_file(path, big, 0600);
	free(big);
	assert_int_equal(p2p_identity_load(path, &id, 26.0, err, sizeof err), ERR_TOOBIG);
	unlink(path);
}

static unsigned count_entries(void)
{
	unsigned n = 0;
	DIR *d = opendir(tmpdir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_save(void **state)
{
	(void)state;
	char path[512], err[512];
	snprintf(path, sizeof path, "%s/saved.json", tmpdir);
	unlink(path);
	struct p2p_identity *id = p2p_identity_new(), *back = p2p_identity_new();
	assert_non_null(id);
	assert_non_null(back);
	assert_int_equal(p2p_identity_generate(id, 8.0, 2, p2p_random_system, NULL, NULL, NULL), ERR_OK);
	mode_t old = umask(0); /* the file must be 0600 whatever the umask */
	assert_int_equal(p2p_identity_save(path, id, false, err, sizeof err), ERR_OK);
	umask(old);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_entries(), 1); /* no temporary file left */
	assert_int_equal(p2p_identity_load(path, back, 8.0, err, sizeof err), ERR_OK);
	assert_memory_equal(back, id, sizeof *id);
	/* The members come in Octez's order. */
	size_t len;
	char *text = vecfile_read(path, &len);
	char *a = strstr(text, "\"peer_id\""), *b = strstr(text, "\"public_key\""),
	     *c = strstr(text, "\"secret_key\""), *d = strstr(text, "\"proof_of_work_stamp\"");
	assert_true(a && b && c && d && a < b && b < c && c < d);
	sodium_memzero(text, len);
	free(text);
	/* No overwrite: refused, the old file intact, no temporary left. */
	struct p2p_identity *other = p2p_identity_new();
	assert_non_null(other);
	assert_int_equal(p2p_identity_generate(other, 8.0, 1, p2p_random_system, NULL, NULL, NULL), ERR_OK);
	assert_int_equal(p2p_identity_save(path, other, false, err, sizeof err), ERR_IO);
	assert_non_null(strstr(err, "refusing to overwrite"));
	assert_int_equal(count_entries(), 1);
	assert_int_equal(p2p_identity_load(path, back, 8.0, err, sizeof err), ERR_OK);
	assert_memory_equal(back, id, sizeof *id);
	/* Overwrite: replaced atomically. */
	assert_int_equal(p2p_identity_save(path, other, true, err, sizeof err), ERR_OK);
	assert_int_equal(p2p_identity_load(path, back, 8.0, err, sizeof err), ERR_OK);
	assert_memory_equal(back, other, sizeof *other);
	assert_int_equal(count_entries(), 1);
	/* Unwritable directory. */
	char bad[512];
	snprintf(bad, sizeof bad, "%s/no/such/dir/id.json", tmpdir);
	assert_int_equal(p2p_identity_save(bad, id, false, err, sizeof err), ERR_IO);
	unlink(path);
	p2p_identity_free(id);
	p2p_identity_free(back);
	p2p_identity_free(other);
}

static void test_cleanup_zeroes(void **state)
{
	(void)state;
	struct p2p_identity id;
	memset(&id, 0xab, sizeof id);
	p2p_identity_cleanup(&id);
	static const struct p2p_identity zero;
	assert_memory_equal(&id, &zero, sizeof id);
	p2p_identity_cleanup(NULL);
	/* A NUL-free formatted identity never exceeds 512 bytes; smaller fails. */
	char out[64];
	size_t len;
	memset(&id, 1, sizeof id);
	assert_int_equal(p2p_identity_format(out, sizeof out, &len, &id), ERR_FULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identities_json), cmocka_unit_test(test_capture_identity),
		cmocka_unit_test(test_parse_errors),	cmocka_unit_test(test_load),
		cmocka_unit_test(test_save),		cmocka_unit_test(test_cleanup_zeroes),
	};
	return cmocka_run_group_tests_name("p2p/identity", tests, setup, teardown);
}
