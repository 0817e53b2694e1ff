#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *log_prog = "tzcensus";
static enum log_level log_min = LOG_INFO;

void log_init(const char *prog, enum log_level min)
{
	log_prog = prog;
	log_min = min;
}

static const char *level_str(enum log_level lvl)
{
	switch (lvl) {
	case LOG_DEBUG: return "debug";
	case LOG_INFO: return "info";
	case LOG_WARN: return "warning";
	case LOG_ERROR: return "error";
	}
	return "?";
}

static void vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s: ", log_prog, level_str(lvl));
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	if (lvl < log_min)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(lvl, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}
