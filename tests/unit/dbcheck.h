/*
 * dbcheck — reads stored rows back and compares them with the recfix
 * fixtures (cmocka assertions), for the storage tests.
 */
#ifndef TZ_TESTS_DBCHECK_H
#define TZ_TESTS_DBCHECK_H

#include <stdint.h>

#include <libpq-fe.h>

/* One value of a one-row, one-column query, as a long long (fails the test otherwise). */
long long dbcheck_ll(PGconn *c, const char *sql);
/* Visits 0..nv-1 and advertisements 0..na-1 of the crawl equal the fixtures exactly. */
void dbcheck_crawl(PGconn *c, int64_t crawl_id, unsigned nv, unsigned na);
/* A migrated database's connection string in out (fresh database per program). */
PGconn *dbcheck_fresh(char *conninfo, size_t cap);

#endif
