/*
 * record — names of the stored enums and the checks every record passes
 * before the writer or the journal accepts it.
 *
 * The name tables are what reaches the database and the journal; the _str()
 * switches have no default so -Wswitch flags a value without a name.
 */
#include "db/record.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static const char *const outcome_names[VISIT_OUTCOME_N] = {
	[VISIT_OK] = "ok",
	[VISIT_NACK] = "nack",
	[VISIT_REFUSED] = "refused",
	[VISIT_TIMEOUT] = "timeout",
	[VISIT_UNREACHABLE] = "unreachable",
	[VISIT_SILENT_CLOSE] = "silent_close",
	[VISIT_CLOSED] = "closed",
	[VISIT_HANDSHAKE_TIMEOUT] = "handshake_timeout",
	[VISIT_PROTOCOL_ERROR] = "protocol_error",
	[VISIT_INCOMPATIBLE] = "incompatible",
	[VISIT_SELF] = "self",
	[VISIT_POLICY] = "policy",
	[VISIT_LOCAL_ERROR] = "local_error",
	[VISIT_FOREIGN] = "foreign",
};

const char *visit_outcome_str(enum visit_outcome o)
{
	switch (o) {
	case VISIT_OK:
	case VISIT_NACK:
	case VISIT_REFUSED:
	case VISIT_TIMEOUT:
	case VISIT_UNREACHABLE:
	case VISIT_SILENT_CLOSE:
	case VISIT_CLOSED:
	case VISIT_HANDSHAKE_TIMEOUT:
	case VISIT_PROTOCOL_ERROR:
	case VISIT_INCOMPATIBLE:
	case VISIT_SELF:
	case VISIT_POLICY:
	case VISIT_LOCAL_ERROR:
	case VISIT_FOREIGN:
		return outcome_names[o];
	}
	return "?";
}

static const char *const status_names[CRAWL_STATUS_N] = {
	[CRAWL_RUNNING] = "running",
	[CRAWL_FINISHED] = "finished",
	[CRAWL_ABORTED] = "aborted",
	[CRAWL_FAILED] = "failed",
};

const char *crawl_status_str(enum crawl_status s)
{
	switch (s) {
	case CRAWL_RUNNING:
	case CRAWL_FINISHED:
	case CRAWL_ABORTED:
	case CRAWL_FAILED:
		return status_names[s];
	}
	return "?";
}

static const char *const source_names[ADV_SOURCE_N] = {
	[ADV_ADVERTISE] = "advertise",
	[ADV_NACK] = "nack",
	[ADV_FOREIGN_NACK] = "foreign_nack",
};

const char *adv_source_str(enum adv_source s)
{
	switch (s) {
	case ADV_ADVERTISE:
	case ADV_NACK:
	case ADV_FOREIGN_NACK:
		return source_names[s];
	}
	return "?";
}

/* Index of the name equal to exactly s[0..len), or -1. */
static int find_name(const char *const *names, int n, const char *s, size_t len)
{
	if (!s)
		return -1;
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	return -1;
}

enum err visit_outcome_parse(const char *s, size_t len, enum visit_outcome *out)
{
	int i = find_name(outcome_names, VISIT_OUTCOME_N, s, len);
	if (i < 0)
		return ERR_INVAL;
	*out = (enum visit_outcome)i;
	return ERR_OK;
}

enum err crawl_status_parse(const char *s, size_t len, enum crawl_status *out)
{
	int i = find_name(status_names, CRAWL_STATUS_N, s, len);
	if (i < 0)
		return ERR_INVAL;
	*out = (enum crawl_status)i;
	return ERR_OK;
}

enum err adv_source_parse(const char *s, size_t len, enum adv_source *out)
{
	int i = find_name(source_names, ADV_SOURCE_N, s, len);
	if (i < 0)
		return ERR_INVAL;
	*out = (enum adv_source)i;
	return ERR_OK;
}

void visit_rec_init(struct visit_rec *v)
{
	memset(v, 0, sizeof *v);
	v->attempt = 1;
	v->connect_ms = REC_ABSENT_I32;
	v->handshake_ms = REC_ABSENT_I32;
	v->advertised_port = REC_ABSENT_I32;
	v->pow_bits = REC_ABSENT_I32;
	v->ddb_version = REC_ABSENT_I32;
	v->p2p_version = REC_ABSENT_I32;
	v->disable_mempool = REC_BOOL_ABSENT;
	v->private_node = REC_BOOL_ABSENT;
	v->nack_motive = REC_NACK_MOTIVE_ABSENT;
	v->has_head = false;
}

/* Decimal port 0..65535, no sign, no leading junk, at most 5 digits. */
static enum err parse_port(const char *s, uint16_t *port)
{
	size_t n = strlen(s);
	if (n == 0 || n > 5)
		return ERR_INVAL;
	unsigned long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ERR_INVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return ERR_INVAL;
	*port = (uint16_t)v;
	return ERR_OK;
}

enum err rec_point_split(const char *text, uint8_t addr[16], uint16_t *port, bool *is_v4)
{
	if (!text)
		return ERR_INVAL;
	size_t n = strnlen(text, REC_POINT_TEXT_MAX);
	if (n == 0 || n >= REC_POINT_TEXT_MAX)
		return ERR_INVAL;
	char host[REC_POINT_TEXT_MAX];
	const char *port_text;
	if (text[0] == '[') {
		const char *close = memchr(text, ']', n);
		if (!close || close[1] != ':')
			return ERR_INVAL;
		size_t hl = (size_t)(close - text - 1);
		memcpy(host, text + 1, hl);
		host[hl] = '\0';
		port_text = close + 2;
		if (inet_pton(AF_INET6, host, addr) != 1)
			return ERR_INVAL;
		*is_v4 = false;
		/* A v4-mapped address written in brackets is still IPv6 text; keep
		 * it as given (the codec never formats it that way). */
	} else {
		const char *colon = strrchr(text, ':');
		if (!colon)
			return ERR_INVAL;
		size_t hl = (size_t)(colon - text);
		memcpy(host, text, hl);
		host[hl] = '\0';
		port_text = colon + 1;
		uint8_t v4[4];
		if (inet_pton(AF_INET, host, v4) != 1)
			return ERR_INVAL;
		memset(addr, 0, 10);
		addr[10] = 0xff;
		addr[11] = 0xff;
		memcpy(addr + 12, v4, 4);
		*is_v4 = true;
	}
	return parse_port(port_text, port);
}

static bool tri_ok(int8_t b)
{
	return b == REC_BOOL_ABSENT || b == 0 || b == 1;
}

static bool opt_range(int32_t v, int32_t max)
{
	return v == REC_ABSENT_I32 || (v >= 0 && v <= max);
}

enum err visit_rec_check(const struct visit_rec *v)
{
	uint8_t addr[16];
	uint16_t port;
	bool v4;
	if (!v || rec_point_split(v->point, addr, &port, &v4) != ERR_OK)
		return ERR_INVAL;
	if ((unsigned)v->outcome >= VISIT_OUTCOME_N)
		return ERR_INVAL;
	if (!opt_range(v->connect_ms, INT32_MAX) || !opt_range(v->handshake_ms, INT32_MAX) ||
	    !opt_range(v->advertised_port, 65535) || !opt_range(v->pow_bits, 256) ||
	    !opt_range(v->ddb_version, 65535) || !opt_range(v->p2p_version, 65535))
		return ERR_INVAL;
	if (!tri_ok(v->disable_mempool) || !tri_ok(v->private_node))
		return ERR_INVAL;
	if (v->nack_motive != REC_NACK_MOTIVE_ABSENT &&
	    (v->nack_motive < INT16_MIN || v->nack_motive > INT16_MAX))
		return ERR_INVAL;
	if (v->chain_name == NULL && v->chain_name_len != 0)
		return ERR_INVAL;
	if (v->peer_id && (v->peer_id[0] == '\0' || strlen(v->peer_id) > 64))
		return ERR_INVAL;
	if (v->seq > (uint64_t)INT64_MAX)
		return ERR_INVAL;
	return ERR_OK;
}

enum err adv_rec_check(const struct adv_rec *a)
{
	if (!a)
		return ERR_INVAL;
	if ((unsigned)a->source >= ADV_SOURCE_N)
		return ERR_INVAL;
	if (a->list_len == 0 || a->rank >= a->list_len || a->round > INT32_MAX ||
	    a->list_len > INT32_MAX)
		return ERR_INVAL;
	if (a->seq > (uint64_t)INT64_MAX)
		return ERR_INVAL;
	return ERR_OK;
}

void rpc_rec_init(struct rpc_rec *r)
{
	memset(r, 0, sizeof *r);
	r->http_status = REC_ABSENT_I32;
	r->major = REC_ABSENT_I32;
	r->minor = REC_ABSENT_I32;
}

/* Short printable ASCII: what the prober lets through from a node's answer. */
static bool rpc_text_ok(const char *s)
{
	if (!s)
		return true;
	size_t n = strnlen(s, REC_RPC_TEXT_MAX + 1);
	if (n == 0 || n > REC_RPC_TEXT_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

enum err rpc_rec_check(const struct rpc_rec *r)
{
	uint8_t addr[16];
	uint16_t port;
	bool v4;
	if (!r || rec_point_split(r->point, addr, &port, &v4) != ERR_OK || r->port == 0)
		return ERR_INVAL;
	if (r->http_status != REC_ABSENT_I32 && (r->http_status < 100 || r->http_status > 599))
		return ERR_INVAL;
	if (!opt_range(r->major, INT32_MAX - 1) || !opt_range(r->minor, INT32_MAX - 1))
		return ERR_INVAL;
	if (r->peer_id && (r->peer_id[0] == '\0' || strlen(r->peer_id) > 64))
		return ERR_INVAL;
	if (!rpc_text_ok(r->additional_info) || !rpc_text_ok(r->commit_hash) ||
	    !rpc_text_ok(r->commit_date))
		return ERR_INVAL;
	/* a release is all of major, minor, additional_info, and no error */
	bool release = r->major != REC_ABSENT_I32 && r->minor != REC_ABSENT_I32 &&
		       r->additional_info != NULL;
	if (r->error ? (r->major != REC_ABSENT_I32 || r->minor != REC_ABSENT_I32 ||
			r->additional_info)
		     : !release)
		return ERR_INVAL;
	return ERR_OK;
}

/*
 * Octez's own text of a version (src/lib_version/version.ml, to_string):
 * major.minor, then nothing for a release, "+dev", "~rcN", "~rcN+dev",
 * "~betaN", "~betaN+dev".
 */
void rpc_release_text(const struct rpc_rec *r, char *out, size_t cap)
{
	if (cap == 0)
		return;
	out[0] = '\0';
	if (r->error || r->major == REC_ABSENT_I32 || r->minor == REC_ABSENT_I32 ||
	    !r->additional_info)
		return;
	const char *ai = r->additional_info;
	const char *kind = "", *num = "", *dev = "";
	if (strcmp(ai, "release") == 0) {
	} else if (strcmp(ai, "dev") == 0) {
		dev = "+dev";
	} else if (strncmp(ai, "rc_dev", 6) == 0) {
		kind = "~rc", num = ai + 6, dev = "+dev";
	} else if (strncmp(ai, "beta_dev", 8) == 0) {
		kind = "~beta", num = ai + 8, dev = "+dev";
	} else if (strncmp(ai, "rc", 2) == 0) {
		kind = "~rc", num = ai + 2;
	} else if (strncmp(ai, "beta", 4) == 0) {
		kind = "~beta", num = ai + 4;
	} else {
		kind = "~", num = ai; /* not a name Octez uses: shown as given */
	}
	snprintf(out, cap, "v%d.%d%s%s%s", (int)r->major, (int)r->minor, kind, num, dev);
}
