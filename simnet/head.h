/*
 * head — the block header a simulated node reports as its head in
 * Current_branch, derived only from (level, timestamp) so every node at one
 * level agrees on one block, and the truth file can give its hash.
 * Caller buffers, no allocation, re-entrant.
 */
#ifndef SIMNET_HEAD_H
#define SIMNET_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define SIM_HEAD_MAX  512 /* encoded header bytes, with room to spare */
#define SIM_HISTORY_N 8   /* locator history hashes simnet sends */

/* Encodes the shell header of the block at level (docs/protocol.md §12 item 1).
 * *len = bytes written. */
enum err sim_head_encode(int32_t level, int64_t ts, uint8_t *out, size_t cap, size_t *len)
    __attribute__((warn_unused_result));

/* Blake2b-256 of that header: the block hash a crawler computes. */
enum err sim_head_hash(int32_t level, int64_t ts, uint8_t hash[32])
    __attribute__((warn_unused_result));

/* The locator history: SIM_HISTORY_N hashes of the levels below (32 bytes each). */
void sim_head_history(int32_t level, uint8_t out[SIM_HISTORY_N * 32]);

#endif
