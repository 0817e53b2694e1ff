#include "core/clock.h"

#include <time.h>

static double read_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double clock_mono_s(void)
{
	return read_s(CLOCK_MONOTONIC);
}

double clock_cpu_s(void)
{
	return read_s(CLOCK_PROCESS_CPUTIME_ID);
}

int64_t clock_wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
