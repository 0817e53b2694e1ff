/*
 * inbound — report.json `nat.inbound`: what tzcensus-listen saw at the
 * crawl's vantage in the window_hours before the crawl ended
 * (docs/analyzer.md, docs/listener.md): inbound peers, their latest
 * dial-back class, and the share no crawl of the window found public.
 *
 * Blocking queries on the analyzer's connection; the section is added only
 * when a listener run of the vantage overlaps the window.
 */
#ifndef TZ_ANALYZER_INBOUND_H
#define TZ_ANALYZER_INBOUND_H

#include <jansson.h>
#include <libpq-fe.h>

#include "analyzer/crawl.h"
#include "core/err.h"

#define INBOUND_WINDOW_HOURS 24

/*
 * Sets report["nat"]["inbound"] (creating "nat" when missing) from the
 * listener tables, or leaves the report alone when no listener data exists
 * for the crawl's vantage in the window. ERR_DB / ERR_NOMEM with err text.
 */
enum err inbound_attach(PGconn *pg, const struct acrawl *c, json_t *report, char *err,
                        size_t err_cap) __attribute__((warn_unused_result));

#endif
