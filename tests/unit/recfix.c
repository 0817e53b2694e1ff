/* recfix — see recfix.h. */
#include "recfix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint8_t *recfix_hostile[RECFIX_HOSTILE_N];
size_t recfix_hostile_len[RECFIX_HOSTILE_N];
static uint8_t big[10240];
static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 0xff};
static const uint8_t hash[32] = {0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x5c, 0x09};

void recfix_init(void)
{
#define S(x) {x, sizeof x - 1}
	static const struct {
		const char *p;
		size_t n;
	} s[RECFIX_HOSTILE_N - 1] = {
		S("TEZOS_MAINNET"),
		S("\xff\xfe\xc3\x28 invalid utf-8 \xe2\x82"),
		S("nul\0inside\0"),
		S("quotes ' \" and back\\slash \\N \\."),
		S("tab\tnewline\nreturn\r end"),
		S(""),
		S("caf\xc3\xa9 \xf0\x9f\x98\x80 ok utf-8"),
	};
#undef S
	for (int i = 0; i < RECFIX_HOSTILE_N - 1; i++) {
		recfix_hostile[i] = (const uint8_t *)s[i].p;
		recfix_hostile_len[i] = s[i].n;
	}
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 7 + 3); /* every byte value, NULs and backslashes included */
	recfix_hostile[RECFIX_HOSTILE_N - 1] = big;
	recfix_hostile_len[RECFIX_HOSTILE_N - 1] = sizeof big;
}

void recfix_visit(struct visit_rec *v, unsigned i, char *point_buf, size_t cap)
{
	visit_rec_init(v);
	if (i % 5 == 4)
		snprintf(point_buf, cap, "[2001:db8::%x]:%u", i, 9732 + i % 7);
	else
		snprintf(point_buf, cap, "10.%u.%u.%u:%u", (i >> 16) & 255, (i >> 8) & 255, i & 255,
			 9732 + i % 3);
	v->seq = i + 1;
	v->point = point_buf;
	v->started_at_us = 1764000000000000LL + (int64_t)i * 1001;
	v->outcome = (enum visit_outcome)(i % VISIT_OUTCOME_N);
	v->attempt = 1 + i % 2;
	if (i % 3 == 2)
		return; /* minimal: everything else absent */
	static const char *const peer_ids[4] = {"idtMr5jYMRuUT1dXz6cAvUbhqZWVWr",
						 "idqrHmdeVmC8Nnb6KZs8MmeBFF1Xyo",
						 "idsKdgAvA8JDqr2WZ1pKvMQuzwB8Zv",
						 "idt1Xb8i2mcx9P4Gqj8QVPzvrgoVGP"};
	v->error = (i % 4 == 0) ? "connect: Connection refused; peer said \"\\x\t\"" : NULL;
	v->connect_ms = (int32_t)(i % 1000);
	v->handshake_ms = (i % 2) ? (int32_t)(i % 5000) : REC_ABSENT_I32;
	v->peer_id = peer_ids[i % 4];
	v->public_key = key;
	v->advertised_port = (int32_t)(i % 65536);
	v->pow_bits = (int32_t)(i % 257);
	v->chain_name = recfix_hostile[i % RECFIX_HOSTILE_N];
	v->chain_name_len = recfix_hostile_len[i % RECFIX_HOSTILE_N];
	v->ddb_version = (int32_t)(i % 3);
	v->p2p_version = 1;
	v->disable_mempool = (int8_t)(i % 2);
	v->private_node = (i % 4 == 1) ? REC_BOOL_ABSENT : (int8_t)((i / 2) % 2);
	v->nack_motive = (i % 6 == 1) ? (int32_t)(-32768 + (int)i) : REC_NACK_MOTIVE_ABSENT;
	if (i % 4 != 3) {
		v->has_head = true;
		v->head_level = (int32_t)(5000000 + i);
		/* Every few: a timestamp no calendar can hold. */
		v->head_timestamp = (i % 8 == 0) ? INT64_MIN + (int64_t)i : 1764000000 + (int64_t)i;
		v->head_hash = (i % 8 == 5) ? NULL : hash;
	}
}

void recfix_adv(struct adv_rec *a, unsigned i, char *from_buf, char *to_buf, size_t cap)
{
	unsigned from = i / 4;
	snprintf(from_buf, cap, "10.%u.%u.%u:%u", (from >> 16) & 255, (from >> 8) & 255, from & 255,
		 9732 + from % 3);
	if (i % 7 == 3)
		snprintf(to_buf, cap, "[fe80::%x]:%u", i, 1 + i % 60000);
	else
		snprintf(to_buf, cap, "192.168.%u.%u:%u", (i >> 8) & 255, i & 255, 9732);
	memset(a, 0, sizeof *a);
	a->seq = i + 1;
	if (point_parse(from_buf, strlen(from_buf), &a->from, NULL) != ERR_OK ||
	    point_parse(to_buf, strlen(to_buf), &a->to, NULL) != ERR_OK)
		abort();
	a->source = (i % 5 == 0) ? ADV_NACK : ADV_ADVERTISE;
	a->round = a->source == ADV_NACK ? 0 : 1 + i % 2;
	a->list_len = 1 + i % 50;
	a->rank = (i * 13) % a->list_len;
	a->seen_at_us = 1764000000000000LL + (int64_t)i * 17;
}

static bool bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	if (!a || !b)
		return a == b;
	return memcmp(a, b, n) == 0;
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "recfix: seq %llu differs: %s\n",                  \
				(unsigned long long)a->seq, #cond);                        \
			return false;                                                      \
		}                                                                          \
	} while (0)

bool recfix_visit_eq(const struct visit_rec *a, const struct visit_rec *b)
{
	CHECK(a->seq == b->seq);
	CHECK(str_eq(a->point, b->point));
	CHECK(a->started_at_us == b->started_at_us);
	CHECK(a->outcome == b->outcome);
	CHECK(a->attempt == b->attempt);
	CHECK(str_eq(a->error, b->error));
	CHECK(a->connect_ms == b->connect_ms);
	CHECK(a->handshake_ms == b->handshake_ms);
	CHECK(str_eq(a->peer_id, b->peer_id));
	CHECK(bytes_eq(a->public_key, b->public_key, REC_PUBLIC_KEY_LEN));
	CHECK(a->advertised_port == b->advertised_port);
	CHECK(a->pow_bits == b->pow_bits);
	CHECK((a->chain_name == NULL) == (b->chain_name == NULL));
	CHECK(a->chain_name_len == b->chain_name_len);
	CHECK(!a->chain_name || a->chain_name_len == 0 ||
	      memcmp(a->chain_name, b->chain_name, a->chain_name_len) == 0);
	CHECK(a->ddb_version == b->ddb_version);
	CHECK(a->p2p_version == b->p2p_version);
	CHECK(a->disable_mempool == b->disable_mempool);
	CHECK(a->private_node == b->private_node);
	CHECK(a->nack_motive == b->nack_motive);
	CHECK(a->has_head == b->has_head);
	CHECK(!a->has_head || a->head_level == b->head_level);
	CHECK(!a->has_head || a->head_timestamp == b->head_timestamp);
	CHECK(bytes_eq(a->head_hash, b->head_hash, REC_BLOCK_HASH_LEN));
	return true;
}

static bool point_eq(const struct point *a, const struct point *b)
{
	return memcmp(a->addr, b->addr, sizeof a->addr) == 0 && a->port == b->port;
}

bool recfix_adv_eq(const struct adv_rec *a, const struct adv_rec *b)
{
	CHECK(a->seq == b->seq);
	CHECK(point_eq(&a->from, &b->from));
	CHECK(point_eq(&a->to, &b->to));
	CHECK(a->source == b->source);
	CHECK(a->round == b->round);
	CHECK(a->rank == b->rank);
	CHECK(a->list_len == b->list_len);
	CHECK(a->seen_at_us == b->seen_at_us);
	return true;
}
