/*
 * rpc_version — one JSON document, checked field by field. Why so strict:
 * a node's answer is untrusted text that ends up in the database and the
 * report; anything that is not exactly Octez's shape is recorded as an
 * error (bad_version) rather than guessed at.
 */
#include "crawler/rpc_version.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define INT31_MAX 1073741823 /* Data_encoding's int31 */

static bool int31(const json_t *v, int *out)
{
	if (!json_is_integer(v))
		return false;
	json_int_t n = json_integer_value(v);
	if (n < 0 || n > INT31_MAX)
		return false;
	*out = (int)n;
	return true;
}

/* A string of 1..REC_RPC_TEXT_MAX printable ASCII bytes, copied into out. */
static bool short_text(const json_t *v, char out[REC_RPC_TEXT_MAX + 1])
{
	if (!json_is_string(v))
		return false;
	size_t n = json_string_length(v);
	const char *s = json_string_value(v);
	if (n == 0 || n > REC_RPC_TEXT_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* additional_info: "dev", "release", or one of four one-key objects with an int31. */
static bool additional_info(const json_t *v, char out[REC_RPC_TEXT_MAX + 1])
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (json_string_length(v) == strlen(s) &&
		    (strcmp(s, "dev") == 0 || strcmp(s, "release") == 0)) {
			snprintf(out, REC_RPC_TEXT_MAX + 1, "%s", s);
			return true;
		}
		return false;
	}
	if (!json_is_object(v) || json_object_size(v) != 1)
		return false;
	static const char *const kinds[] = {"rc", "rc_dev", "beta", "beta_dev"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		int n;
		if (int31(json_object_get(v, kinds[i]), &n)) {
			snprintf(out, REC_RPC_TEXT_MAX + 1, "%s%d", kinds[i], n);
			return true;
		}
	}
	return false;
}

enum err rpc_version_parse(const char *body, size_t len, struct rpc_version *out, char *why,
			   size_t why_cap)
{
	memset(out, 0, sizeof *out);
	if (why_cap)
		why[0] = '\0';
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(why, why_cap, "line %d: %.60s", jerr.line, jerr.text);
		return ERR_PROTO;
	}
	enum err e = ERR_INVAL;
	const char *what = "not an object";
	if (!json_is_object(root))
		goto out;
	const json_t *ver = json_object_get(root, "version");
	what = "version";
	if (!json_is_object(ver))
		goto out;
	what = "version.major";
	if (!int31(json_object_get(ver, "major"), &out->major))
		goto out;
	what = "version.minor";
	if (!int31(json_object_get(ver, "minor"), &out->minor))
		goto out;
	what = "version.additional_info";
	if (!additional_info(json_object_get(ver, "additional_info"), out->additional_info))
		goto out;
	const json_t *net = json_object_get(root, "network_version");
	what = "network_version";
	if (!json_is_object(net))
		goto out;
	(void)short_text(json_object_get(net, "chain_name"), out->chain_name);
	const json_t *ci = json_object_get(root, "commit_info");
	what = "commit_info";
	if (json_is_object(ci)) {
		what = "commit_info.commit_hash";
		if (!short_text(json_object_get(ci, "commit_hash"), out->commit_hash))
			goto out;
		what = "commit_info.commit_date";
		if (!short_text(json_object_get(ci, "commit_date"), out->commit_date))
			goto out;
		out->has_commit = true;
	} else if (!json_is_null(ci)) {
		goto out; /* absent or of another type */
	}
	e = ERR_OK;
	what = "";
out:
	if (e != ERR_OK)
		snprintf(why, why_cap, "%s", what);
	json_decref(root);
	return e;
}
