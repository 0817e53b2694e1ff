/*
 * tools — the crawler's top-level commands as functions returning a process
 * exit status: a whole crawl, --migrate, --replay, --prune-days. main.c only parses the
 * command line and calls one of these.
 */
#ifndef TZ_CRAWLER_TOOLS_H
#define TZ_CRAWLER_TOOLS_H

#include <stdbool.h>

struct crawl_config;
struct p2p_identity;

/* One crawl: 0 finished, 1 failed, 3 aborted by a signal. Summary on stdout. */
int tools_crawl(const struct crawl_config *cfg, const struct p2p_identity *id);

/* --migrate: applies pending migrations; 0 on success, 1 on failure. */
int tools_migrate(const char *conninfo);

/* --replay FILE: loads a journal into the database; 0 when everything loaded. */
int tools_replay(const char *path, const char *conninfo, bool no_migrate);

/* --prune-days N: removes visits and advertisements of crawls older than N
 * days (lib/db/prune.h); prints what it removed; 0 on success, 1 on failure. */
int tools_prune(const char *conninfo, unsigned days, bool no_migrate);

#endif
