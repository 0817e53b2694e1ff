/*
 * migrate — applies the schema migrations compiled into the binary.
 *
 * The SQL files schema/migrations/NNN_name.sql are embedded at build time
 * (scripts/embed-sql.sh -> build/gen/migrations.c), so an installed program
 * needs no source tree. A schema_migrations table records what was applied;
 * each migration runs in its own transaction under an advisory lock, so two
 * programs migrating the same database at once do not collide and applying
 * twice is a no-op. Blocking: call at start-up, not from the event loop.
 */
#ifndef TZ_DB_MIGRATE_H
#define TZ_DB_MIGRATE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "core/err.h"

struct db_migration {
	int version;      /* NNN of the file name */
	const char *name; /* "NNN_name" */
	const char *sql;  /* the whole file, NUL-terminated */
	size_t sql_len;
};

/* The embedded migrations in version order (generated). */
extern const struct db_migration db_migrations[];
extern const size_t db_migrations_n;

/*
 * Applies every embedded migration not yet recorded in schema_migrations, in
 * order. *applied (may be NULL) gets how many ran now. On failure nothing of
 * the failing migration stays, earlier ones stay applied, and err says which
 * file failed and the server's message:
 *   "db: migration 002_views failed: ERROR:  relation ... does not exist"
 */
enum err db_migrate(PGconn *c, int *applied, char *err, size_t err_cap)
	__attribute__((warn_unused_result));

/* Highest version recorded in schema_migrations (0 when none); -1 on error. */
int db_schema_version(PGconn *c);

#endif
