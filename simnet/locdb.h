/*
 * locdb — where the simulated nodes are: each node's AS and country, drawn
 * from the config's `locations` section, and a libloc database of the world
 * that tzcensus-analyze --location-db reads like IPFire's.
 *
 * locdb_assign() is the one rule (the truth file and the database both use
 * it): nodes draw an AS by weight, or none with weight locations.unlocated,
 * from a stream forked off the world seed, in node order; nodes linked by
 * shared addresses (shared_ip groups, every [::1] node, a multihomed node
 * with a point on one of those) all take the draw of the lowest-numbered of
 * them, since one address can only be in one network.
 * locdb_write() writes one network per address (a /32, or ::1/128) with its
 * AS and country code, and the ASes with their names; unlocated
 * nodes' addresses get no network. Deterministic for a world, except the
 * database's creation time. No global state.
 */
#ifndef SIMNET_LOCDB_H
#define SIMNET_LOCDB_H

#include <stdint.h>

#include "core/err.h"
#include "simnet/config.h"
#include "simnet/world.h"

/*
 * as_of[i] = index into c->as of node i's AS, or -1 when unlocated (all -1
 * when the config has no locations). as_of has w->node_n entries. ERR_NOMEM.
 */
enum err locdb_assign(const struct world *w, const struct sim_config *c, int32_t *as_of)
    __attribute__((warn_unused_result));

/*
 * Writes the world's location database to path (path.tmp, then rename).
 * ERR_CONFIG when the config has no locations, ERR_IO with err text.
 */
enum err locdb_write(const struct world *w, const struct sim_config *c, const char *path,
                     char *err, size_t err_cap) __attribute__((warn_unused_result));

#endif
