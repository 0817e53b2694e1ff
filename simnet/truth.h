/*
 * truth — the ground-truth file: what a perfect crawl of the world finds.
 *
 * JSON (jansson), written once at start-up; docs/simnet.md is the format's
 * reference. Deterministic: the same world gives the same bytes. Not
 * thread-safe; no global state.
 */
#ifndef SIMNET_TRUTH_H
#define SIMNET_TRUTH_H

#include <jansson.h>

#include "core/err.h"
#include "simnet/config.h"
#include "simnet/world.h"

/* Chain id simnet nodes ask for in Get_current_branch (mainnet's, NetXdQprcVkpaWU). */
extern const uint8_t simnet_chain_id[4];

/* The truth as a new JSON object (caller owns; NULL on allocation failure). */
json_t *truth_json(const struct world *w, const struct sim_config *c);

/* Writes the truth to path (atomically: path.tmp then rename). ERR_IO with err text. */
enum err truth_write(const struct world *w, const struct sim_config *c, const char *path, char *err,
                     size_t err_cap) __attribute__((warn_unused_result));

/* "id..." Base58Check text of a 16-byte peer id into out (cap >= 31). */
void truth_peer_id_b58(const uint8_t peer_id[16], char *out, size_t cap);

#endif
