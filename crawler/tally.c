/*
 * tally — per-point classes and the set of public peer ids.
 *
 * Why per point and not per final attempt: a point is public if any attempt
 * got a connection message of our chain (an Already_connected Nack followed
 * by a retry that times out is still a public point), so the class is the
 * maximum over attempts, as in crawl_summary and the analyzer.
 */
#include "crawler/tally.h"
#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

#define PEER_SEEN 0x80u /* in cls[]: a public attempt of this point had a peer id */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

static bool grow_peers(struct tally *t)
{
	size_t cap = grow_cap(t->peers_cap, t->peers_cap + 1, 256, SIZE_MAX); /* doubles */
	char **n = calloc(cap, sizeof *n);
	if (!n)
		return false;
	for (size_t i = 0; i < t->peers_cap; i++) {
		if (!t->peers[i])
			continue;
		size_t j = hash_str(t->peers[i]) & (cap - 1);
		while (n[j])
			j = (j + 1) & (cap - 1);
		n[j] = t->peers[i];
	}
	free(t->peers);
	t->peers = n;
	t->peers_cap = cap;
	return true;
}

/* Adds a peer id to the set; counts it once. */
static void add_peer(struct tally *t, const char *id)
{
	if ((t->peers_n + 1) * 2 > t->peers_cap && !grow_peers(t)) {
		t->nomem = true;
		return;
	}
	size_t j = hash_str(id) & (t->peers_cap - 1);
	for (; t->peers[j]; j = (j + 1) & (t->peers_cap - 1))
		if (!strcmp(t->peers[j], id))
			return;
	if (!(t->peers[j] = strdup(id))) {
		t->nomem = true;
		return;
	}
	t->peers_n++;
	t->public_nodes++;
}

void tally_attempt(struct tally *t, uint32_t point_id, const struct visit_rec *v, bool final)
{
	enum point_class k = census_visit_class(v->outcome, v->peer_id != NULL);
	if (point_id >= t->cls_cap) {
		size_t cap = grow_cap(t->cls_cap, (size_t)point_id + 1, 1024, SIZE_MAX);
		uint8_t *n = realloc(t->cls, cap);
		if (!n) {
			t->nomem = true;
			return;
		}
		memset(n + t->cls_cap, PC_UNDIALED, cap - t->cls_cap);
		t->cls = n;
		t->cls_cap = cap;
	}
	uint8_t had_peer = t->cls[point_id] & PEER_SEEN;
	k = point_class_max((enum point_class)(t->cls[point_id] & ~PEER_SEEN), k);
	if (k == PC_PUBLIC && v->peer_id) {
		add_peer(t, v->peer_id);
		had_peer = PEER_SEEN;
	}
	t->cls[point_id] = (uint8_t)(k | had_peer);
	if (!final)
		return;
	t->points[k]++;
	if (k == PC_PUBLIC && !had_peer)
		t->public_nodes++; /* public without a peer id: a node of its own point */
}

uint64_t tally_dialed(const struct tally *t)
{
	return t->points[PC_PUBLIC] + t->points[PC_FOREIGN] + t->points[PC_UNVERIFIED] +
	       t->points[PC_UNREACHABLE];
}

void tally_cleanup(struct tally *t)
{
	for (size_t i = 0; t->peers && i < t->peers_cap; i++)
		free(t->peers[i]);
	free(t->peers);
	free(t->cls);
	memset(t, 0, sizeof *t);
}
