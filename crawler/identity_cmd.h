/*
 * identity_cmd — the crawler's identity commands (--gen-identity,
 * --check-identity): thin program glue over lib/p2p/identity that prints
 * results for a person and returns a process exit status.
 *
 * Both print to stdout on success and to stderr on failure; neither keeps
 * state. Not re-entrant with itself (it prints), safe to call once from main.
 */
#ifndef TZ_CRAWLER_IDENTITY_CMD_H
#define TZ_CRAWLER_IDENTITY_CMD_H

/*
 * Generates a new identity with proof of work `pow` on every core and writes
 * it to path (mode 0600, never overwriting an existing file). Prints the
 * peer id, PoW bits, attempts, hashes per second overall and per core, and
 * the elapsed time. Returns 0 on success, 1 on failure (message on stderr).
 */
int identity_cmd_gen(const char *path, double pow);

/*
 * Loads and validates path: mode 0600-like, the four members, peer id,
 * key pair and proof of work >= pow. Returns 0 when valid (one line on
 * stdout), 1 when invalid or unreadable (the reason on stderr).
 */
int identity_cmd_check(const char *path, double pow);

#endif
