/*  act_trace - stamps of a group's (re)start, for bench_restart
    SPDX-License-Identifier: MPL-2.0

    With ACTORIO_TRACE_RESTART=1 in actor-run's environment, the supervisor
    and each group host write one line to stderr per phase of a start:
    "restart-trace PHASE USEC", USEC on CLOCK_MONOTONIC. A group's lines
    reach the supervisor's stderr through its relay. Off by default; then
    a phase costs a load and a branch. Called from one thread per process
    (the supervisor's, the host's; the loop thread only once the host has
    called it first, so the flag is settled before that thread starts).
*/
#ifndef ACT_TRACE_H_INCLUDED
#define ACT_TRACE_H_INCLUDED

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline void
act_trace_restart (const char *phase)
{
    static int on = -1;         //  -1 until the environment is read
    if (on < 0) {
        const char *value = getenv ("ACTORIO_TRACE_RESTART");
        on = value && strcmp (value, "1") == 0;
    }
    if (!on) {
        return;
    }
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    char line [96];
    int size = snprintf (line, sizeof line, "restart-trace %s %lld\n", phase,
                         (long long) now.tv_sec * 1000000 + now.tv_nsec / 1000);
    //  One write per line, so the relay never sees half of one
    ssize_t written = write (STDERR_FILENO, line, (size_t) size);
    (void) written;
}

#endif
