/*
 * Identity: keys, peer id, display forms, generation and identity.json
 * (Octez src/lib_base/p2p_identity.ml, p2p_identity_file/identity_file.ml,
 * src/lib_crypto/crypto_box.ml).
 */
#include "p2p/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hex.h"
#include "p2p/base58.h"

static const uint8_t peer_id_prefix[2] = {0x99, 0x67};        /* "id" */
static const uint8_t chain_id_prefix[3] = {0x57, 0x52, 0x00}; /* "Net" */

__attribute__((format(printf, 4, 5))) static enum err fail(enum err e, char *err, size_t err_cap,
							   const char *fmt, ...)
{
	if (err && err_cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, err_cap, fmt, ap);
		va_end(ap);
	}
	return e;
}

struct p2p_identity *p2p_identity_new(void)
{
	if (sodium_init() < 0)
		return NULL;
	struct p2p_identity *id = sodium_malloc(sizeof *id);
	if (id)
		sodium_memzero(id, sizeof *id);
	return id;
}

void p2p_identity_free(struct p2p_identity *id)
{
	if (id)
		sodium_free(id); /* zeroes before unmapping */
}

void p2p_identity_cleanup(struct p2p_identity *id)
{
	if (id)
		sodium_memzero(id, sizeof *id);
}

void p2p_peer_id(uint8_t peer_id[P2P_PEER_ID_LEN], const uint8_t pk[P2P_PK_LEN])
{
	/* A 16-byte Blake2b digest, not a truncated 32-byte one: the output
	 * length is a parameter of the hash. */
	crypto_generichash(peer_id, P2P_PEER_ID_LEN, pk, P2P_PK_LEN, NULL, 0);
}

/* Base58Check of prefix || raw into out (cap bytes). */
static void b58_prefixed(char *out, size_t cap, const uint8_t *prefix, size_t prefix_len,
			 const uint8_t *raw, size_t raw_len)
{
	uint8_t buf[32];
	size_t n;
	memcpy(buf, prefix, prefix_len);
	memcpy(buf + prefix_len, raw, raw_len);
	enum err e = base58_check_encode(out, cap, &n, buf, prefix_len + raw_len);
	(void)e;
	(void)n;
	/* The sizes are fixed, so failing here is a programming error. */
	if (e != ERR_OK)
		abort();
}

static enum err b58_parse_prefixed(uint8_t *raw, size_t raw_len, const uint8_t *prefix,
				   size_t prefix_len, const char *text, size_t len)
{
	uint8_t buf[BASE58_MAX_BYTES];
	size_t n;
	enum err e = base58_check_decode(buf, sizeof buf, &n, text, len);
	if (e != ERR_OK)
		return ERR_PROTO;
	if (n != prefix_len + raw_len || memcmp(buf, prefix, prefix_len) != 0)
		return ERR_PROTO;
	memcpy(raw, buf + prefix_len, raw_len);
	return ERR_OK;
}

void p2p_peer_id_b58(char out[P2P_PEER_ID_B58_LEN + 1], const uint8_t peer_id[P2P_PEER_ID_LEN])
{
	b58_prefixed(out, P2P_PEER_ID_B58_LEN + 1, peer_id_prefix, sizeof peer_id_prefix, peer_id,
		     P2P_PEER_ID_LEN);
}

enum err p2p_peer_id_parse(uint8_t peer_id[P2P_PEER_ID_LEN], const char *text, size_t len)
{
	return b58_parse_prefixed(peer_id, P2P_PEER_ID_LEN, peer_id_prefix, sizeof peer_id_prefix,
				  text, len);
}

void p2p_chain_id_b58(char out[P2P_CHAIN_ID_B58_LEN + 1], const uint8_t chain_id[P2P_CHAIN_ID_LEN])
{
	b58_prefixed(out, P2P_CHAIN_ID_B58_LEN + 1, chain_id_prefix, sizeof chain_id_prefix,
		     chain_id, P2P_CHAIN_ID_LEN);
}

enum err p2p_chain_id_parse(uint8_t chain_id[P2P_CHAIN_ID_LEN], const char *text, size_t len)
{
	return b58_parse_prefixed(chain_id, P2P_CHAIN_ID_LEN, chain_id_prefix,
				  sizeof chain_id_prefix, text, len);
}

unsigned p2p_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > 256 ? 256 : (unsigned)n;
}

/* ---- stamp search ------------------------------------------------------ */

/*
 * Each worker hashes pk || stamp in a private 56-byte buffer, stepping its
 * stamp by +1 (big-endian) from its own random start, so workers never
 * overlap in practice. The first to succeed publishes its stamp under the
 * mutex and raises `stop`; the others see it within one batch.
 */
struct search {
	const uint8_t *pk;
	const uint8_t *target;
	uint64_t max_attempts; /* per worker, 0 = unbounded */
	atomic_bool stop;
	pthread_mutex_t lock;
	bool found;
	uint8_t stamp[P2P_STAMP_LEN];
};

struct worker {
	struct search *s;
	uint8_t start[P2P_STAMP_LEN];
	uint64_t attempts;
	pthread_t tid;
	bool started;
};

#define SEARCH_BATCH 256 /* hashes between looks at the stop flag */

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct search *s = w->s;
	uint8_t buf[P2P_PK_LEN + P2P_STAMP_LEN], h[32];
	uint8_t *stamp = buf + P2P_PK_LEN;
	memcpy(buf, s->pk, P2P_PK_LEN);
	memcpy(stamp, w->start, P2P_STAMP_LEN);
	/* Counted in a local: the workers' structs share cache lines, and a
	 * store per hash there would bounce the line between cores. */
	uint64_t n = 0;
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		for (unsigned k = 0; k < SEARCH_BATCH; k++) {
			if (s->max_attempts && n >= s->max_attempts)
				goto done;
			crypto_generichash(h, sizeof h, buf, sizeof buf, NULL, 0);
			n++;
			if (p2p_pow_hash_meets(h, s->target)) {
				pthread_mutex_lock(&s->lock);
				if (!s->found) {
					s->found = true;
					memcpy(s->stamp, stamp, P2P_STAMP_LEN);
				}
				pthread_mutex_unlock(&s->lock);
				atomic_store(&s->stop, true);
				goto done;
			}
			p2p_stamp_incr(stamp);
		}
	}
done:
	w->attempts = n;
	return NULL;
}

enum err p2p_pow_search(uint8_t stamp[P2P_STAMP_LEN], const uint8_t pk[P2P_PK_LEN],
			const uint8_t target[32], unsigned threads, uint64_t max_attempts,
			p2p_random_fn *rnd, void *rnd_ctx, uint64_t *attempts, unsigned *threads_used)
{
	if (!rnd)
		return ERR_INVAL;
	if (sodium_init() < 0)
		return ERR_CRYPTO;
	if (threads == 0)
		threads = p2p_cpu_count();
	if (threads > 256)
		threads = 256;
	struct worker *ws = calloc(threads, sizeof *ws);
	if (!ws)
		return ERR_NOMEM;
	struct search s = {.pk = pk, .target = target, .max_attempts = max_attempts};
	atomic_init(&s.stop, false);
	pthread_mutex_init(&s.lock, NULL);
	/* All random starts are drawn here, so the callback needs no locking. */
	for (unsigned i = 0; i < threads; i++) {
		ws[i].s = &s;
		rnd(rnd_ctx, ws[i].start, P2P_STAMP_LEN);
	}
	/* Worker 0 runs on the calling thread; a failed pthread_create only
	 * means fewer workers. */
	unsigned used = 1;
	for (unsigned i = 1; i < threads; i++) {
		if (pthread_create(&ws[i].tid, NULL, worker_run, &ws[i]) == 0) {
			ws[i].started = true;
			used++;
		}
	}
	worker_run(&ws[0]);
	uint64_t total = ws[0].attempts;
	for (unsigned i = 1; i < threads; i++) {
		if (ws[i].started) {
			pthread_join(ws[i].tid, NULL);
			total += ws[i].attempts;
		}
	}
	pthread_mutex_destroy(&s.lock);
	free(ws);
	if (attempts)
		*attempts = total;
	if (threads_used)
		*threads_used = used;
	if (!s.found)
		return ERR_AGAIN;
	memcpy(stamp, s.stamp, P2P_STAMP_LEN);
	return ERR_OK;
}

enum err p2p_identity_generate(struct p2p_identity *id, double pow, unsigned threads,
			       p2p_random_fn *rnd, void *rnd_ctx, uint64_t *attempts,
			       unsigned *threads_used)
{
	uint8_t target[32];
	if (!rnd || p2p_pow_target(target, pow) != ERR_OK)
		return ERR_INVAL;
	if (sodium_init() < 0)
		return ERR_CRYPTO;
	/* A random unclamped scalar, as crypto_box_keypair / Octez store it.
	 * scalarmult_base fails only on an all-zero result: draw again. */
	do
		rnd(rnd_ctx, id->sk, P2P_SK_LEN);
	while (crypto_scalarmult_base(id->pk, id->sk) != 0);
	p2p_peer_id(id->peer_id, id->pk);
	enum err e = p2p_pow_search(id->stamp, id->pk, target, threads, 0, rnd, rnd_ctx, attempts,
				    threads_used);
	if (e != ERR_OK)
		p2p_identity_cleanup(id);
	return e;
}

/* ---- checks and identity.json ------------------------------------------ */

enum err p2p_identity_check(const struct p2p_identity *id, double expected_pow, char *err,
			    size_t err_cap)
{
	if (sodium_init() < 0)
		return fail(ERR_CRYPTO, err, err_cap, "libsodium failed to initialise");
	uint8_t want[P2P_PEER_ID_LEN], pk[P2P_PK_LEN];
	p2p_peer_id(want, id->pk);
	if (sodium_memcmp(want, id->peer_id, sizeof want) != 0) {
		char have_b58[P2P_PEER_ID_B58_LEN + 1], want_b58[P2P_PEER_ID_B58_LEN + 1];
		p2p_peer_id_b58(have_b58, id->peer_id);
		p2p_peer_id_b58(want_b58, want);
		return fail(ERR_CRYPTO, err, err_cap,
			    "identity mismatch: peer_id %s is not the hash of public_key (%s)",
			    have_b58, want_b58);
	}
	if (crypto_scalarmult_base(pk, id->sk) != 0 || sodium_memcmp(pk, id->pk, sizeof pk) != 0)
		return fail(ERR_CRYPTO, err, err_cap,
			    "keys mismatch: public_key is not derived from secret_key");
	if (expected_pow >= 0) {
		uint8_t target[32];
		if (p2p_pow_target(target, expected_pow) != ERR_OK)
			return fail(ERR_INVAL, err, err_cap,
				    "invalid proof-of-work target %g (want 0 to 256)", expected_pow);
		if (!p2p_pow_check(id->pk, id->stamp, target))
			return fail(ERR_POW, err, err_cap,
				    "insufficient proof of work: stamp has %u bits, %g required",
				    p2p_pow_bits(id->pk, id->stamp), expected_pow);
	}
	return ERR_OK;
}

/* Member `name` of obj as exactly n bytes of hex. */
static enum err get_hex(uint8_t *out, size_t n, json_t *obj, const char *name, char *err,
			size_t err_cap)
{
	json_t *v = json_object_get(obj, name);
	if (!v)
		return fail(ERR_PROTO, err, err_cap, "missing member \"%s\"", name);
	if (!json_is_string(v))
		return fail(ERR_PROTO, err, err_cap, "member \"%s\" is not a string", name);
	size_t got = 0;
	if (json_string_length(v) != 2 * n ||
	    hex_decode(out, n, &got, json_string_value(v), json_string_length(v)) != ERR_OK ||
	    got != n)
		return fail(ERR_PROTO, err, err_cap, "member \"%s\" is not %zu bytes of hex", name,
			    n);
	return ERR_OK;
}

enum err p2p_identity_parse(struct p2p_identity *id, const char *text, size_t len,
			    double expected_pow, char *err, size_t err_cap)
{
	static const char *const members[] = {"peer_id", "public_key", "secret_key",
					      "proof_of_work_stamp"};
	enum err e = ERR_OK;
	json_error_t je;
	sodium_memzero(id, sizeof *id);
	/* Objects only (jansson's default), duplicate keys refused. */
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return fail(ERR_PROTO, err, err_cap, "not valid JSON: line %d column %d: %s",
			    je.line, je.column, je.text);
	if (!json_is_object(root)) {
		e = fail(ERR_PROTO, err, err_cap, "not a JSON object");
		goto out;
	}
	const char *key;
	json_t *val;
	json_object_foreach(root, key, val) {
		bool known = false;
		for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
			known = known || strcmp(key, members[i]) == 0;
		if (!known) {
			/* Octez refuses unknown members (ignore_extra_fields = false). */
			e = fail(ERR_PROTO, err, err_cap, "unknown member \"%.64s\"", key);
			goto out;
		}
	}
	if ((e = get_hex(id->pk, P2P_PK_LEN, root, "public_key", err, err_cap)) != ERR_OK ||
	    (e = get_hex(id->sk, P2P_SK_LEN, root, "secret_key", err, err_cap)) != ERR_OK ||
	    (e = get_hex(id->stamp, P2P_STAMP_LEN, root, "proof_of_work_stamp", err, err_cap)) !=
		    ERR_OK)
		goto out;
	json_t *pid = json_object_get(root, "peer_id");
	if (!pid) {
		p2p_peer_id(id->peer_id, id->pk); /* absent: recomputed, as Octez does */
	} else if (!json_is_string(pid) ||
		   p2p_peer_id_parse(id->peer_id, json_string_value(pid),
				     json_string_length(pid)) != ERR_OK) {
		e = fail(ERR_PROTO, err, err_cap, "member \"peer_id\" is not an id... peer id");
		goto out;
	}
	e = p2p_identity_check(id, expected_pow, err, err_cap);
out:
	json_decref(root);
	if (e != ERR_OK)
		sodium_memzero(id, sizeof *id);
	return e;
}

enum err p2p_identity_load(const char *path, struct p2p_identity *id, double expected_pow,
			   char *err, size_t err_cap)
{
	char *buf = NULL;
	size_t len = 0;
	enum err e = ERR_OK;
	sodium_memzero(id, sizeof *id);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(ERR_IO, err, err_cap, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		e = fail(ERR_IO, err, err_cap, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		e = fail(ERR_IO, err, err_cap, "%s: not a regular file", path);
		goto out;
	}
	/* The secret key is in there: refuse what others could read or alter. */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		e = fail(ERR_CONFIG, err, err_cap,
			 "%s: mode %04o gives access to group or others; the file holds a "
			 "secret key: run chmod 600 %s",
			 path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (st.st_size > P2P_IDENTITY_FILE_MAX) {
		e = fail(ERR_TOOBIG, err, err_cap, "%s: larger than %d bytes", path,
			 P2P_IDENTITY_FILE_MAX);
		goto out;
	}
	buf = sodium_malloc(P2P_IDENTITY_FILE_MAX + 1);
	if (!buf) {
		e = fail(ERR_NOMEM, err, err_cap, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, P2P_IDENTITY_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = fail(ERR_IO, err, err_cap, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > P2P_IDENTITY_FILE_MAX) {
			e = fail(ERR_TOOBIG, err, err_cap, "%s: larger than %d bytes", path,
				 P2P_IDENTITY_FILE_MAX);
			goto out;
		}
	}
	char why[256];
	e = p2p_identity_parse(id, buf, len, expected_pow, why, sizeof why);
	if (e != ERR_OK)
		fail(e, err, err_cap, "%s: %s", path, why);
out:
	if (buf)
		sodium_free(buf);
	close(fd);
	return e;
}

/*
 * Octez's own layout (see identity_ocaml.json in the vectors):
 *   { "peer_id": "id...",
 *     "public_key":
 *       "<64 hex>",
 *     "secret_key":
 *       "<64 hex>",
 *     "proof_of_work_stamp": "<48 hex>" }
 * with no newline after the closing brace.
 */
enum err p2p_identity_format(char *out, size_t cap, size_t *out_len, const struct p2p_identity *id)
{
	char pid[P2P_PEER_ID_B58_LEN + 1], pk[2 * P2P_PK_LEN + 1], sk[2 * P2P_SK_LEN + 1],
		stamp[2 * P2P_STAMP_LEN + 1];
	p2p_peer_id_b58(pid, id->peer_id);
	hex_encode(pk, id->pk, P2P_PK_LEN);
	hex_encode(sk, id->sk, P2P_SK_LEN);
	hex_encode(stamp, id->stamp, P2P_STAMP_LEN);
	int n = snprintf(out, cap,
			 "{ \"peer_id\": \"%s\",\n  \"public_key\":\n    \"%s\",\n"
			 "  \"secret_key\":\n    \"%s\",\n  \"proof_of_work_stamp\": \"%s\" }",
			 pid, pk, sk, stamp);
	sodium_memzero(sk, sizeof sk);
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			sodium_memzero(out, cap);
		return ERR_FULL;
	}
	*out_len = (size_t)n;
	return ERR_OK;
}

static enum err write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ERR_IO;
		p += n;
		len -= (size_t)n;
	}
	return ERR_OK;
}

enum err p2p_identity_save(const char *path, const struct p2p_identity *id, bool overwrite,
			   char *err, size_t err_cap)
{
	char text[512], tmp[4096];
	size_t len;
	enum err e = p2p_identity_format(text, sizeof text, &len, id);
	if (e != ERR_OK)
		return fail(e, err, err_cap, "%s: identity text too long", path);
	int n = snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		sodium_memzero(text, sizeof text);
		return fail(ERR_INVAL, err, err_cap, "%s: path too long", path);
	}
	/* mkstemp creates the file 0600 (O_EXCL) in the target's directory, so
	 * the final rename/link stays on one file system. */
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		sodium_memzero(text, sizeof text);
		return fail(ERR_IO, err, err_cap, "%s: cannot create a temporary file: %s", path,
			    strerror(errno));
	}
	if (fchmod(fd, 0600) != 0 || write_all(fd, text, len) != ERR_OK || fsync(fd) != 0) {
		e = fail(ERR_IO, err, err_cap, "%s: %s", tmp, strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd) != 0) {
		e = fail(ERR_IO, err, err_cap, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (overwrite) {
		if (rename(tmp, path) != 0) {
			e = fail(ERR_IO, err, err_cap, "%s: %s", path, strerror(errno));
			goto fail;
		}
	} else {
		/* link() fails with EEXIST instead of replacing: no race with
		 * another writer, and an existing identity is never lost. */
		if (link(tmp, path) != 0) {
			e = fail(ERR_IO, err, err_cap, "%s: %s", path,
				 errno == EEXIST ? "exists; refusing to overwrite it"
						 : strerror(errno));
			goto fail;
		}
		unlink(tmp);
	}
	sodium_memzero(text, sizeof text);
	return ERR_OK;
fail:
	unlink(tmp);
	sodium_memzero(text, sizeof text);
	return e;
}

void p2p_random_system(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
}
