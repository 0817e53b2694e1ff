/*
 * Handshake messages (docs/protocol.md §4, §7, §8). Decoders are strict because Octez
 * is: any length that does not match, any trailing byte, any bad point text
 * is a decoding error there, so we treat it as one here (simnet must refuse
 * what a node refuses; the crawler must not accept what a node would not
 * send).
 */
#include "p2p/msg.h"

#include <string.h>

#include "core/bytes.h"

static enum err fail(const char **why, const char *reason, enum err e)
{
	if (why)
		*why = reason;
	return e;
}

/*
 * Connection message:
 *   0   2   L (u16), body length
 *   2   2   port (u16)
 *   4   32  public key
 *   36  24  proof-of-work stamp
 *   60  24  message nonce
 *   84  4   n = chain name length (u32)
 *   88  n   chain name
 *   88+n 2  distributed_db_version (u16)
 *   90+n 2  p2p_version (u16)
 */
enum err p2p_conn_msg_encode(const struct p2p_conn_msg *m, uint8_t *out, size_t cap,
                             size_t *out_len)
{
	if (m->chain_name_len > P2P_CHAIN_NAME_MAX)
		return ERR_TOOBIG;
	size_t body = P2P_CONN_BODY_FIXED + m->chain_name_len;
	struct wr w = wr_make(out, cap);
	enum err e = ERR_OK;
	if (cap < 2 + body)
		return ERR_FULL;
	e = wr_u16(&w, (uint16_t)body);
	if (!e)
		e = wr_u16(&w, m->port);
	if (!e)
		e = wr_bytes(&w, m->public_key, 32);
	if (!e)
		e = wr_bytes(&w, m->pow_stamp, 24);
	if (!e)
		e = wr_bytes(&w, m->message_nonce, 24);
	if (!e)
		e = wr_u32(&w, (uint32_t)m->chain_name_len);
	if (!e)
		e = wr_bytes(&w, m->chain_name, m->chain_name_len);
	if (!e)
		e = wr_u16(&w, m->ddb_version);
	if (!e)
		e = wr_u16(&w, m->p2p_version);
	if (e)
		return e;
	*out_len = w.len;
	return ERR_OK;
}

enum err p2p_conn_msg_decode_body(const uint8_t *body, size_t body_len, struct p2p_conn_msg *m,
                                  const char **why)
{
	if (body_len < P2P_CONN_BODY_FIXED)
		return fail(why, "conn msg: body shorter than its fixed fields", ERR_PROTO);
	/* The fixed fields are there (checked above): read them at their offsets. */
	m->port = be16_get(body);
	memcpy(m->public_key, body + 2, 32);
	memcpy(m->pow_stamp, body + 34, 24);
	memcpy(m->message_nonce, body + 58, 24);
	uint32_t n = be32_get(body + 82);
	size_t room = body_len - P2P_CONN_BODY_FIXED; /* bytes left for the name */
	if (n >= P2P_LEN_LIMIT)
		return fail(why, "conn msg: chain name length >= 2^30", ERR_TOOBIG);
	if (n > room)
		return fail(why, "conn msg: chain name runs past the body", ERR_PROTO);
	if (n < room)
		return fail(why, "conn msg: trailing bytes after the versions", ERR_PROTO);
	m->chain_name = body + 86;
	m->chain_name_len = n;
	m->ddb_version = be16_get(body + 86 + n);
	m->p2p_version = be16_get(body + 88 + n);
	return ERR_OK;
}

enum err p2p_conn_msg_decode(const uint8_t *in, size_t len, size_t *used, struct p2p_conn_msg *m,
                             const char **why)
{
	if (len < 2)
		return fail(why, "conn msg: incomplete", ERR_AGAIN);
	size_t body = be16_get(in);
	if (len < 2 + body)
		return fail(why, "conn msg: incomplete", ERR_AGAIN);
	enum err e = p2p_conn_msg_decode_body(in + 2, body, m, why);
	if (e == ERR_OK)
		*used = 2 + body;
	return e;
}

void p2p_metadata_encode(const struct p2p_metadata *m, uint8_t out[P2P_METADATA_LEN])
{
	out[0] = m->disable_mempool ? 0xff : 0x00;
	out[1] = m->private_node ? 0xff : 0x00;
}

enum err p2p_metadata_decode(const uint8_t *in, size_t len, struct p2p_metadata *m,
                             const char **why)
{
	if (len < P2P_METADATA_LEN)
		return fail(why, "metadata: shorter than 2 bytes", ERR_PROTO);
	if (len > P2P_METADATA_LEN)
		return fail(why, "metadata: trailing bytes", ERR_PROTO);
	m->disable_mempool = in[0] != 0;
	m->private_node = in[1] != 0;
	return ERR_OK;
}

static const char *const motive_names[] = {
    [P2P_MOTIVE_NO_MOTIVE] = "No_motive",
    [P2P_MOTIVE_TOO_MANY_CONNECTIONS] = "Too_many_connections",
    [P2P_MOTIVE_UNKNOWN_CHAIN_NAME] = "Unknown_chain_name",
    [P2P_MOTIVE_DEPRECATED_P2P_VERSION] = "Deprecated_p2p_version",
    [P2P_MOTIVE_DEPRECATED_DDB_VERSION] = "Deprecated_distributed_db_version",
    [P2P_MOTIVE_ALREADY_CONNECTED] = "Already_connected",
};

const char *p2p_motive_str(int motive)
{
	if (motive < 0 || (size_t)motive >= sizeof motive_names / sizeof motive_names[0])
		return "unknown";
	return motive_names[motive];
}

/* Point field: u32 n (< 2^30, <= 47) || n bytes of point text. */
enum err p2p_point_field_decode(const uint8_t **p, size_t *len, struct point *pt, const char **why)
{
	if (*len < 4)
		return fail(why, "point field: truncated length", ERR_PROTO);
	uint32_t n = be32_get(*p);
	if (n >= P2P_LEN_LIMIT)
		return fail(why, "point field: length >= 2^30", ERR_TOOBIG);
	if (n > POINT_TEXT_MAX)
		return fail(why, "point field: text longer than 47 bytes", ERR_TOOBIG);
	if (n > *len - 4)
		return fail(why, "point field: text runs past the list", ERR_PROTO);
	enum err e = point_parse((const char *)*p + 4, n, pt, why);
	if (e)
		return e;
	*p += 4 + n;
	*len -= 4 + n;
	return ERR_OK;
}

size_t p2p_point_field_encode(const struct point *pt, uint8_t *out, size_t cap)
{
	char text[POINT_FMT_CAP];
	size_t n = point_format(pt, text, sizeof text);
	if (n == 0 || cap < 4 + n)
		return 0;
	be32_put(out, (uint32_t)n);
	memcpy(out + 4, text, n);
	return 4 + n;
}

/*
 * Ack / Nack plaintext:
 *   0x00                 Ack
 *   0xff                 Nack_v_0
 *   0x01 motive(i16) L(u32) L bytes of point fields   Nack
 */
enum err p2p_ack_encode(const struct p2p_ack *a, uint8_t *out, size_t cap, size_t *out_len)
{
	if (cap < 1)
		return ERR_FULL;
	switch (a->kind) {
	case P2P_ACK:
		out[0] = 0x00;
		*out_len = 1;
		return ERR_OK;
	case P2P_NACK_V0:
		out[0] = 0xff;
		*out_len = 1;
		return ERR_OK;
	case P2P_NACK: break;
	}
	if (a->points_n > P2P_POINTS_MAX)
		return ERR_TOOBIG;
	if (cap < 7)
		return ERR_FULL;
	out[0] = 0x01;
	be16_put(out + 1, (uint16_t)a->motive);
	size_t off = 7;
	for (size_t k = 0; k < a->points_n; k++) {
		size_t n = p2p_point_field_encode(&a->points[k], out + off, cap - off);
		if (n == 0)
			return ERR_FULL;
		off += n;
	}
	be32_put(out + 3, (uint32_t)(off - 7));
	*out_len = off;
	return ERR_OK;
}

enum err p2p_ack_decode(const uint8_t *in, size_t len, struct p2p_ack *a, const char **why)
{
	if (len == 0)
		return fail(why, "ack: empty", ERR_PROTO);
	a->motive = 0;
	a->points_n = 0;
	switch (in[0]) {
	case 0x00:
	case 0xff:
		if (len != 1)
			return fail(why, "ack: trailing bytes after Ack/Nack_v_0", ERR_PROTO);
		a->kind = in[0] == 0 ? P2P_ACK : P2P_NACK_V0;
		return ERR_OK;
	case 0x01: break;
	default: return fail(why, "ack: unknown tag", ERR_PROTO);
	}
	a->kind = P2P_NACK;
	if (len < 3)
		return fail(why, "nack: truncated motive", ERR_PROTO);
	a->motive = (int16_t)be16_get(in + 1);
	if (len < 7)
		return fail(why, "nack: truncated list length", ERR_PROTO);
	uint32_t n = be32_get(in + 3);
	if (n >= P2P_LEN_LIMIT)
		return fail(why, "nack: list length >= 2^30", ERR_TOOBIG);
	if (n > len - 7)
		return fail(why, "nack: list runs past the message", ERR_PROTO);
	if (n < len - 7)
		return fail(why, "nack: trailing bytes after the list", ERR_PROTO);
	const uint8_t *p = in + 7;
	size_t left = n;
	while (left > 0) {
		if (a->points_n == P2P_POINTS_MAX)
			return fail(why, "nack: more than 100 points", ERR_TOOBIG);
		enum err e = p2p_point_field_decode(&p, &left, &a->points[a->points_n], why);
		if (e)
			return e;
		a->points_n++;
	}
	return ERR_OK;
}
