/*
 * releases — report.json "releases": which Octez release the public nodes
 * run, from the crawler's optional RPC probe (GET /version; the handshake
 * does not tell it). The release is known only for nodes whose RPC server
 * answered the crawler, so the figure comes with its coverage:
 *
 *   "releases": {"coverage": known / public nodes (null without public nodes),
 *                "public_nodes": n, "known": k, "probed": true|false,
 *                "top": [{"release": "v22.1", "nodes": n, "share": n / k}, ...]}
 *
 * A node (model vertex) with several points takes the smallest release text
 * any of its points answered, so the result does not depend on load order.
 * top is sorted by nodes (descending), then release text; at most
 * RELEASES_TOP entries. Pure: reads the analysis and its crawl.
 */
#ifndef TZ_ANALYZER_RELEASES_H
#define TZ_ANALYZER_RELEASES_H

#include <jansson.h>
#include <stdbool.h>

#include "analyzer/analyze.h"

#define RELEASES_TOP 50

/* The "releases" object; *ok turns false on allocation failure. */
json_t *releases_json(const struct analysis *an, bool *ok);

#endif
