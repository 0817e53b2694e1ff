/*
 * recfix — record fixtures shared by the storage tests: a fully populated
 * visit, a minimal one, hostile text, and comparison helpers.
 */
#ifndef TZ_TESTS_RECFIX_H
#define TZ_TESTS_RECFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "db/record.h"

/* Hostile chain names: invalid UTF-8, NUL, quotes, backslashes, tabs, 10 KB. */
#define RECFIX_HOSTILE_N 8
extern const uint8_t *recfix_hostile[RECFIX_HOSTILE_N];
extern size_t recfix_hostile_len[RECFIX_HOSTILE_N];
void recfix_init(void);

/* Visit number i (seq = i + 1): fields vary with i; i % 3 == 2 gives a minimal visit. */
void recfix_visit(struct visit_rec *v, unsigned i, char *point_buf, size_t cap);
/* Advertisement number i (seq = i + 1) from point of visit i/4 to some point. */
void recfix_adv(struct adv_rec *a, unsigned i, char *from_buf, char *to_buf, size_t cap);

/* Field-by-field equality (pointers compared by content); prints the first difference. */
bool recfix_visit_eq(const struct visit_rec *a, const struct visit_rec *b);
bool recfix_adv_eq(const struct adv_rec *a, const struct adv_rec *b);

#endif
