/*
 * pgtest — a fresh PostgreSQL database per test program.
 *
 * pgtest_create() connects to the suite's throwaway server (DATABASE_URL, or
 * the PG* variables when it is unset), creates t_<random>, and returns a
 * libpq connection string for it. pgtest_drop() drops it (at exit of the
 * test program). Aborts the test program when the server is not there:
 * these tests need the real thing.
 */
#ifndef TZ_TESTS_PGTEST_H
#define TZ_TESTS_PGTEST_H

#include <stddef.h>

/* Creates a database and writes its connection string into conninfo. */
void pgtest_create(char *conninfo, size_t cap);
/* Drops the database made by pgtest_create (terminating leftover sessions). */
void pgtest_drop(void);
/* Connection string of the server's default database (for admin commands). */
const char *pgtest_admin_conninfo(void);

#endif
