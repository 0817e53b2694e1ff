/*
 * err — the project's one error enum.
 *
 * Every fallible function in lib/ returns an enum err (or reports one through
 * an out-parameter). ERR_OK is 0; ERR_AGAIN means "need more bytes, nothing
 * consumed" for incremental decoders. One code never means two things: add a
 * new one rather than reuse a near miss. Values are never renumbered (they may
 * be logged and compared across versions). Stateless and re-entrant.
 */
#ifndef TZ_CORE_ERR_H
#define TZ_CORE_ERR_H

enum err {
	ERR_OK = 0,
	ERR_AGAIN = 1,   /* incomplete input: feed more bytes */
	ERR_TOOBIG = 2,  /* a declared length or count above a named limit */
	ERR_PROTO = 3,   /* malformed input: bad tag, bad text, trailing bytes */
	ERR_CRYPTO = 4,  /* bad MAC, weak key, failed key exchange */
	ERR_TIMEOUT = 5, /* a deadline passed */
	ERR_IO = 6,      /* a system call failed (see errno) */
	ERR_DB = 7,      /* the database refused or went away */
	ERR_CONFIG = 8,  /* bad configuration or command line */
	ERR_NOMEM = 9,   /* an allocation failed (and nothing else) */
	ERR_POW = 10,    /* proof of work below the required target */
	ERR_STATE = 11,  /* call not allowed in the current state */
	ERR_CLOSED = 12, /* the peer closed the session */
	ERR_INVAL = 13,  /* bad argument from our own caller (not a peer) */
	ERR_FULL = 14,   /* a fixed capacity is full: the caller's buffer, a queue, a table */
};

/* Stable lowercase name of an error ("ok", "again", "toobig", ...). */
const char *err_str(enum err e);

#endif
