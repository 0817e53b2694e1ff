/*
 * clock — the two clocks programs here time things with, in seconds.
 */
#ifndef TZ_CORE_CLOCK_H
#define TZ_CORE_CLOCK_H

/* Monotonic wall time (CLOCK_MONOTONIC): deadlines and elapsed time. */
double clock_mono_s(void);

/* CPU time of this process, all threads (CLOCK_PROCESS_CPUTIME_ID): rates
 * per CPU-second that do not depend on what else runs on the machine. */
double clock_cpu_s(void);

#endif
