/*
 * libFuzzer target: an RPC answer body -> rpc_version_parse (crawler/
 * rpc_version.c), capped like the prober caps it (RPC_BODY_MAX). On success
 * the record built from it must pass rpc_rec_check (what the writer and the
 * journal demand) and spell a release.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/rpc.h"
#include "crawler/rpc_version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > RPC_BODY_MAX)
		return 0;
	struct rpc_version v;
	char why[96];
	enum err e = rpc_version_parse((const char *)data, size, &v, why, sizeof why);
	if (e != ERR_OK) {
		if ((e != ERR_PROTO && e != ERR_INVAL) || why[0] == '\0')
			abort();
		return 0;
	}
	struct rpc_rec r;
	rpc_rec_init(&r);
	r.point = "127.0.0.1:9732";
	r.port = 8732;
	r.http_status = 200;
	r.major = v.major;
	r.minor = v.minor;
	r.additional_info = v.additional_info;
	if (v.has_commit) {
		r.commit_hash = v.commit_hash;
		r.commit_date = v.commit_date;
	}
	if (rpc_rec_check(&r) != ERR_OK)
		abort();
	char t[128];
	rpc_release_text(&r, t, sizeof t);
	if (t[0] != 'v')
		abort();
	return 0;
}
