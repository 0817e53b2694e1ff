/*
 * Frontier internals. Points and IPs live in growable arrays indexed by id;
 * two open-addressing hash tables (linear probing, ids + 1, 0 = empty) map
 * keys to ids. Queues are intrusive singly linked lists through
 * fpoint.next, because a point waits in at most one place at a time: the main
 * queue, the park list of its IP, or the retry ring (a FIFO, since every retry
 * waits the same delay).
 */
#include "crawler/frontier.h"
#include "core/buf.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

struct fpoint {
	uint8_t addr[16];
	uint16_t port;
	uint8_t state;   /* enum fr_state */
	uint8_t attempt; /* attempts made so far */
	uint8_t local;   /* local failures retried (frontier_retry_local) */
	uint32_t ip;     /* index into ips; NIL for refused points */
	uint32_t next;   /* queue link */
	uint32_t depth;
};

struct fip {
	uint8_t addr[16];
	uint16_t inflight;
	uint16_t ports; /* distinct dialable ports accepted */
	uint32_t park_head, park_tail;
};

struct retry {
	uint32_t id;
	double due_s;
};

struct frontier {
	struct frontier_limits lim;
	const struct policy *policy;
	uint8_t key[crypto_shorthash_KEYBYTES];

	struct fpoint *pts;
	size_t pts_n, pts_cap;
	struct fip *ips;
	size_t ips_n, ips_cap;
	uint32_t *ptab; /* point id + 1 */
	size_t ptab_cap;
	uint32_t *itab; /* ip index + 1 */
	size_t itab_cap;

	uint32_t q_head, q_tail;

	struct retry *rq;
	size_t rq_head, rq_n, rq_cap;

	struct frontier_stats st;
};

static uint64_t hash_bytes(const struct frontier *f, const uint8_t *in, size_t len)
{
	uint8_t h[crypto_shorthash_BYTES];
	crypto_shorthash(h, in, len, f->key);
	uint64_t v;
	memcpy(&v, h, sizeof v);
	return v;
}

static uint64_t point_hash(const struct frontier *f, const uint8_t addr[16], uint16_t port)
{
	uint8_t k[18];
	memcpy(k, addr, 16);
	k[16] = (uint8_t)(port >> 8);
	k[17] = (uint8_t)port;
	return hash_bytes(f, k, sizeof k);
}

struct frontier *frontier_new(const struct frontier_limits *l, const struct policy *p)
{
	if (sodium_init() < 0)
		return NULL;
	struct frontier *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->lim = *l;
	if (f->lim.max_points == 0)
		f->lim.max_points = 1;
	if (f->lim.max_points > NIL - 1)
		f->lim.max_points = NIL - 1;
	if (f->lim.per_ip_inflight == 0)
		f->lim.per_ip_inflight = 1;
	if (f->lim.per_ip_inflight > UINT16_MAX)
		f->lim.per_ip_inflight = UINT16_MAX;
	if (f->lim.per_ip_ports == 0)
		f->lim.per_ip_ports = 1;
	if (f->lim.per_ip_ports > UINT16_MAX)
		f->lim.per_ip_ports = UINT16_MAX;
	if (f->lim.per_message == 0)
		f->lim.per_message = 1;
	if (f->lim.connect_retries > 200)
		f->lim.connect_retries = 200; /* attempt counts fit a byte */
	f->policy = p;
	crypto_shorthash_keygen(f->key);
	f->q_head = f->q_tail = NIL;
	f->ptab_cap = 1024;
	f->itab_cap = 1024;
	f->ptab = calloc(f->ptab_cap, sizeof *f->ptab);
	f->itab = calloc(f->itab_cap, sizeof *f->itab);
	if (!f->ptab || !f->itab) {
		frontier_free(f);
		return NULL;
	}
	return f;
}

void frontier_free(struct frontier *f)
{
	if (!f)
		return;
	free(f->pts);
	free(f->ips);
	free(f->ptab);
	free(f->itab);
	free(f->rq);
	free(f);
}

/* ---- hash tables -------------------------------------------------------- */

static uint32_t *ptab_slot(const struct frontier *f, uint32_t *tab, size_t cap,
			   const uint8_t addr[16], uint16_t port)
{
	size_t mask = cap - 1;
	for (size_t i = point_hash(f, addr, port) & mask;; i = (i + 1) & mask) {
		uint32_t v = tab[i];
		if (v == 0)
			return &tab[i];
		const struct fpoint *pt = &f->pts[v - 1];
		if (pt->port == port && memcmp(pt->addr, addr, 16) == 0)
			return &tab[i];
	}
}

static uint32_t *itab_slot(const struct frontier *f, uint32_t *tab, size_t cap,
			   const uint8_t addr[16])
{
	size_t mask = cap - 1;
	for (size_t i = hash_bytes(f, addr, 16) & mask;; i = (i + 1) & mask) {
		uint32_t v = tab[i];
		if (v == 0 || memcmp(f->ips[v - 1].addr, addr, 16) == 0)
			return &tab[i];
	}
}

/* Doubles a table when it would pass half full. false on allocation failure. */
static bool grow_ptab(struct frontier *f)
{
	if ((f->pts_n + 1) * 2 <= f->ptab_cap)
		return true;
	size_t cap = grow_cap(f->ptab_cap, (f->pts_n + 1) * 2, 1024, SIZE_MAX);
	uint32_t *t = calloc(cap, sizeof *t);
	if (!t)
		return false;
	for (size_t i = 0; i < f->pts_n; i++)
		*ptab_slot(f, t, cap, f->pts[i].addr, f->pts[i].port) = (uint32_t)i + 1;
	free(f->ptab);
	f->ptab = t;
	f->ptab_cap = cap;
	return true;
}

static bool grow_itab(struct frontier *f)
{
	if ((f->ips_n + 1) * 2 <= f->itab_cap)
		return true;
	size_t cap = grow_cap(f->itab_cap, (f->ips_n + 1) * 2, 1024, SIZE_MAX);
	uint32_t *t = calloc(cap, sizeof *t);
	if (!t)
		return false;
	for (size_t i = 0; i < f->ips_n; i++)
		*itab_slot(f, t, cap, f->ips[i].addr) = (uint32_t)i + 1;
	free(f->itab);
	f->itab = t;
	f->itab_cap = cap;
	return true;
}

static bool grow_array(void **arr, size_t *cap, size_t n, size_t elem)
{
	return array_reserve(arr, cap, n + 1, elem, 256) == ERR_OK;
}

/* ---- queues ------------------------------------------------------------- */

static void q_push_back(struct frontier *f, uint32_t id)
{
	f->pts[id].next = NIL;
	if (f->q_tail == NIL)
		f->q_head = id;
	else
		f->pts[f->q_tail].next = id;
	f->q_tail = id;
}

static void q_push_front(struct frontier *f, uint32_t id)
{
	f->pts[id].next = f->q_head;
	f->q_head = id;
	if (f->q_tail == NIL)
		f->q_tail = id;
}

static uint32_t q_pop(struct frontier *f)
{
	uint32_t id = f->q_head;
	if (id == NIL)
		return NIL;
	f->q_head = f->pts[id].next;
	if (f->q_head == NIL)
		f->q_tail = NIL;
	f->pts[id].next = NIL;
	return id;
}

static void park(struct frontier *f, struct fip *ip, uint32_t id)
{
	f->pts[id].next = NIL;
	if (ip->park_tail == NIL)
		ip->park_head = id;
	else
		f->pts[ip->park_tail].next = id;
	ip->park_tail = id;
}

static uint32_t unpark(struct frontier *f, struct fip *ip)
{
	uint32_t id = ip->park_head;
	if (id == NIL)
		return NIL;
	ip->park_head = f->pts[id].next;
	if (ip->park_head == NIL)
		ip->park_tail = NIL;
	f->pts[id].next = NIL;
	return id;
}

/* ---- offers ------------------------------------------------------------- */

enum fr_add frontier_add(struct frontier *f, const uint8_t addr[16], uint16_t port,
			 uint32_t depth, uint32_t *id, const char **why)
{
	uint32_t *slot = ptab_slot(f, f->ptab, f->ptab_cap, addr, port);
	if (*slot) {
		if (id)
			*id = *slot - 1;
		return FR_DUP;
	}
	if (f->pts_n >= f->lim.max_points || !grow_ptab(f) ||
	    !grow_array((void **)&f->pts, &f->pts_cap, f->pts_n, sizeof *f->pts)) {
		f->st.dropped_full++;
		return FR_FULL;
	}
	/* The table may have been rebuilt: find the slot again. */
	slot = ptab_slot(f, f->ptab, f->ptab_cap, addr, port);
	uint32_t pid = (uint32_t)f->pts_n;
	struct fpoint *pt = &f->pts[pid];
	memset(pt, 0, sizeof *pt);
	memcpy(pt->addr, addr, 16);
	pt->port = port;
	pt->depth = depth;
	pt->ip = NIL;
	pt->next = NIL;
	pt->state = FRS_REFUSED;

	enum fr_add res = FR_NEW;
	const char *reason = NULL;
	struct policy_verdict v = policy_check(f->policy, addr);
	if (port == 0) {
		res = FR_BAD_PORT;
		reason = "port 0";
	} else if (v.kind != POLICY_ALLOW) {
		res = FR_POLICY;
		reason = v.why;
	} else {
		uint32_t *islot = itab_slot(f, f->itab, f->itab_cap, addr);
		uint32_t ipx;
		if (*islot) {
			ipx = *islot - 1;
		} else {
			if (!grow_itab(f) || !grow_array((void **)&f->ips, &f->ips_cap, f->ips_n,
							 sizeof *f->ips)) {
				f->st.dropped_full++;
				return FR_FULL;
			}
			islot = itab_slot(f, f->itab, f->itab_cap, addr);
			ipx = (uint32_t)f->ips_n++;
			struct fip *ip = &f->ips[ipx];
			memset(ip, 0, sizeof *ip);
			memcpy(ip->addr, addr, 16);
			ip->park_head = ip->park_tail = NIL;
			*islot = ipx + 1;
		}
		struct fip *ip = &f->ips[ipx];
		if (ip->ports >= f->lim.per_ip_ports) {
			res = FR_PORT_CAP;
			reason = "port cap";
		} else {
			ip->ports++;
			pt->ip = ipx;
			pt->state = FRS_QUEUED;
		}
	}
	*slot = pid + 1;
	f->pts_n++;
	f->st.points++;
	if (res == FR_NEW) {
		f->st.queued++;
		q_push_back(f, pid);
	} else {
		f->st.refused++;
	}
	if (id)
		*id = pid;
	if (why)
		*why = reason;
	return res;
}

size_t frontier_message_cap(struct frontier *f, size_t n)
{
	if (n <= f->lim.per_message)
		return n;
	f->st.dropped_msg += n - f->lim.per_message;
	return f->lim.per_message;
}

/* ---- leases ------------------------------------------------------------- */

static void retries_due(struct frontier *f, double now_s)
{
	while (f->rq_n > 0 && f->rq[f->rq_head].due_s <= now_s) {
		uint32_t id = f->rq[f->rq_head].id;
		f->rq_head = (f->rq_head + 1) % f->rq_cap;
		f->rq_n--;
		q_push_back(f, id);
	}
}

bool frontier_next(struct frontier *f, double now_s, struct fr_lease *out)
{
	retries_due(f, now_s);
	for (;;) {
		uint32_t id = q_pop(f);
		if (id == NIL)
			return false;
		struct fpoint *pt = &f->pts[id];
		struct fip *ip = &f->ips[pt->ip];
		if (ip->inflight >= f->lim.per_ip_inflight) {
			park(f, ip, id);
			continue;
		}
		ip->inflight++;
		pt->state = FRS_INFLIGHT;
		pt->attempt++;
		f->st.queued--;
		f->st.inflight++;
		f->st.leases++;
		out->id = id;
		memcpy(out->addr, pt->addr, 16);
		out->port = pt->port;
		out->attempt = pt->attempt;
		out->depth = pt->depth;
		return true;
	}
}

static bool rq_push(struct frontier *f, uint32_t id, double due_s)
{
	if (f->rq_n == f->rq_cap) {
		size_t nc = grow_cap(f->rq_cap, f->rq_n + 1, 64, SIZE_MAX);
		struct retry *n = malloc(nc * sizeof *n);
		if (!n)
			return false;
		for (size_t i = 0; i < f->rq_n; i++)
			n[i] = f->rq[(f->rq_head + i) % f->rq_cap];
		free(f->rq);
		f->rq = n;
		f->rq_cap = nc;
		f->rq_head = 0;
	}
	f->rq[(f->rq_head + f->rq_n) % f->rq_cap] = (struct retry){id, due_s};
	f->rq_n++;
	return true;
}

bool frontier_done(struct frontier *f, uint32_t id, bool retry, double now_s)
{
	if (id >= f->pts_n || f->pts[id].state != FRS_INFLIGHT)
		return false;
	struct fpoint *pt = &f->pts[id];
	struct fip *ip = &f->ips[pt->ip];
	ip->inflight--;
	f->st.inflight--;
	uint32_t wake = unpark(f, ip);
	if (wake != NIL)
		q_push_front(f, wake);
	if (retry && pt->attempt <= f->lim.connect_retries &&
	    rq_push(f, id, now_s + f->lim.retry_delay_s)) {
		pt->state = FRS_QUEUED;
		f->st.queued++;
		return true;
	}
	pt->state = FRS_DONE;
	f->st.done++;
	return false;
}

bool frontier_retry_local(struct frontier *f, uint32_t id, double now_s)
{
	if (id >= f->pts_n || f->pts[id].state != FRS_INFLIGHT)
		return false;
	struct fpoint *pt = &f->pts[id];
	if (pt->local < FRONTIER_LOCAL_RETRIES) {
		/* The dial never reached the network: give the attempt back. */
		pt->attempt--;
		if (frontier_done(f, id, true, now_s)) {
			pt->local++;
			return true;
		}
		pt->attempt++; /* no room in the retry ring: done after all */
		return false;
	}
	return frontier_done(f, id, false, now_s);
}

double frontier_next_due(const struct frontier *f)
{
	if (f->rq_n == 0)
		return -1.0;
	return f->rq[f->rq_head].due_s;
}

void frontier_drain(struct frontier *f)
{
	for (size_t i = 0; i < f->pts_n; i++) {
		if (f->pts[i].state == FRS_QUEUED) {
			f->pts[i].state = FRS_DONE;
			f->pts[i].next = NIL;
			f->st.done++;
		}
	}
	for (size_t i = 0; i < f->ips_n; i++)
		f->ips[i].park_head = f->ips[i].park_tail = NIL;
	f->q_head = f->q_tail = NIL;
	f->rq_n = 0;
	f->rq_head = 0;
	f->st.queued = 0;
}

enum err frontier_point(const struct frontier *f, uint32_t id, uint8_t addr[16], uint16_t *port)
{
	if (id >= f->pts_n)
		return ERR_INVAL;
	memcpy(addr, f->pts[id].addr, 16);
	*port = f->pts[id].port;
	return ERR_OK;
}

enum fr_state frontier_state(const struct frontier *f, uint32_t id)
{
	return id < f->pts_n ? (enum fr_state)f->pts[id].state : FRS_REFUSED;
}

uint32_t frontier_depth(const struct frontier *f, uint32_t id)
{
	return id < f->pts_n ? f->pts[id].depth : 0;
}

void frontier_stats(const struct frontier *f, struct frontier_stats *out)
{
	*out = f->st;
}

bool frontier_idle(const struct frontier *f)
{
	return f->st.queued == 0 && f->st.inflight == 0;
}
