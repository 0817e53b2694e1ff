#include "core/err.h"

const char *err_str(enum err e)
{
	/* A switch without default: -Wswitch names a missing code. */
	switch (e) {
	case ERR_OK: return "ok";
	case ERR_AGAIN: return "again";
	case ERR_TOOBIG: return "toobig";
	case ERR_PROTO: return "proto";
	case ERR_CRYPTO: return "crypto";
	case ERR_TIMEOUT: return "timeout";
	case ERR_IO: return "io";
	case ERR_DB: return "db";
	case ERR_CONFIG: return "config";
	case ERR_NOMEM: return "nomem";
	case ERR_FULL: return "full";
	case ERR_POW: return "pow";
	case ERR_STATE: return "state";
	case ERR_CLOSED: return "closed";
	case ERR_INVAL: return "inval";
	}
	return "unknown";
}
