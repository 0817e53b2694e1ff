#include "simnet/head.h"

#include <string.h>

#include <sodium.h>

#include "core/bytes.h"
#include "p2p/frame.h"

/* A stand-in hash for anything of a level we do not simulate (predecessor,
 * operations, context): Blake2b-256 over a label and the level. */
static void label_hash(uint8_t out[32], const char *label, int32_t level)
{
	uint8_t in[32];
	size_t n = strlen(label);
	if (n > 27)
		n = 27;
	memcpy(in, label, n);
	be32_put(in + n, (uint32_t)level);
	crypto_generichash(out, 32, in, n + 4, NULL, 0);
}

enum err sim_head_encode(int32_t level, int64_t ts, uint8_t *out, size_t cap, size_t *len)
{
	/* Tenderbake fitness: version 02, level, locked round (empty),
	 * predecessor round, round — each element u32 len || bytes. */
	uint8_t fitness[64];
	struct wr f = wr_make(fitness, sizeof fitness);
	uint8_t ver = 2;
	if (wr_u32(&f, 1) || wr_bytes(&f, &ver, 1) || wr_u32(&f, 4) ||
	    wr_u32(&f, (uint32_t)level) || wr_u32(&f, 0) || wr_u32(&f, 4) ||
	    wr_u32(&f, 0xffffffffu) || wr_u32(&f, 4) || wr_u32(&f, 0))
		return ERR_NOMEM;
	uint8_t pred[32], ops[32], ctx[32], proto_data[40];
	label_hash(pred, "simnet-block", level - 1);
	label_hash(ops, "simnet-ops", level);
	label_hash(ctx, "simnet-context", level);
	label_hash(proto_data, "simnet-payload", level);
	memset(proto_data + 32, 0, 8); /* payload round, nonce hash absent, ... */
	struct p2p_block_header h = {
	    .level = level,
	    .proto = 22,
	    .predecessor = pred,
	    .timestamp = ts,
	    .validation_passes = 4,
	    .operations_hash = ops,
	    .fitness = fitness,
	    .fitness_len = f.len,
	    .context = ctx,
	    .protocol_data = proto_data,
	    .protocol_data_len = sizeof proto_data,
	};
	return p2p_block_header_encode(&h, out, cap, len);
}

enum err sim_head_hash(int32_t level, int64_t ts, uint8_t hash[32])
{
	uint8_t buf[SIM_HEAD_MAX];
	size_t len;
	enum err e = sim_head_encode(level, ts, buf, sizeof buf, &len);
	if (e == ERR_OK)
		crypto_generichash(hash, 32, buf, len, NULL, 0);
	return e;
}

void sim_head_history(int32_t level, uint8_t out[SIM_HISTORY_N * 32])
{
	/* Octez's locator steps back exponentially; the exact levels do not matter here. */
	for (int i = 0; i < SIM_HISTORY_N; i++)
		label_hash(out + 32 * i, "simnet-block", level - (1 << i));
}
