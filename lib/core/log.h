/*
 * log — leveled messages on stderr, for programs (never in lib/p2p, which
 * reports through return values and events).
 *
 * log_init() sets the program name and minimum level once at start-up; the
 * functions are then safe to call from one thread (the event loop). Lines are
 * "prog: level: message". fatal() is for start-up failures only: it logs and
 * exits with status 1.
 */
#ifndef TZ_CORE_LOG_H
#define TZ_CORE_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

void log_init(const char *prog, enum log_level min);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
