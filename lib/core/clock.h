/*
 * clock — the clocks programs here time things with: two in seconds, and
 * the wall clock that timestamps rows.
 */
#ifndef TZ_CORE_CLOCK_H
#define TZ_CORE_CLOCK_H

#include <stdint.h>

/* Monotonic wall time (CLOCK_MONOTONIC): deadlines and elapsed time. */
double clock_mono_s(void);

/* CPU time of this process, all threads (CLOCK_PROCESS_CPUTIME_ID): rates
 * per CPU-second that do not depend on what else runs on the machine. */
double clock_cpu_s(void);

/* Wall clock (CLOCK_REALTIME), microseconds since the epoch: when something happened. */
int64_t clock_wall_us(void);

#endif
