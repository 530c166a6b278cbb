/*  act_log - actor-run's log: one timestamped line per event, on stderr
    SPDX-License-Identifier: MPL-2.0
*/
#include "act_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool s_verbose;

void
act_log_set_verbose (bool verbose)
{
    s_verbose = verbose;
}

//  Writes the whole line, retrying short writes; a log that cannot be
//  written is not worth failing the run for.
static void
s_write (const char *line, size_t size)
{
    while (size > 0) {
        ssize_t done = write (STDERR_FILENO, line, size);
        if (done <= 0) {
            return;
        }
        line += done;
        size -= (size_t) done;
    }
}

static void
s_vlog (bool stamp, const char *tag, const char *format, va_list args)
{
    char line [ACT_LOG_LINE_MAX];
    size_t used = 0;
    if (stamp) {
        //  Wall-clock time for people reading the log; every deadline the
        //  supervisor keeps uses the monotonic clock instead.
        struct timespec now;
        struct tm tm;
        clock_gettime (CLOCK_REALTIME, &now);
        localtime_r (&now.tv_sec, &tm);
        used = strftime (line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
        used += (size_t) snprintf (line + used, sizeof line - used, ".%03ld ",
                                   now.tv_nsec / 1000000);
    }
    used += (size_t) snprintf (line + used, sizeof line - used, "actor-run: %s", tag);
    int size = vsnprintf (line + used, sizeof line - used, format, args);
    if (size < 0) {
        size = 0;
    }
    used += (size_t) size;
    if (used > sizeof line - 1) {
        used = sizeof line - 1;
    }
    line [used++] = '\n';
    s_write (line, used);
}

void
act_log (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    s_vlog (true, "", format, args);
    va_end (args);
}

void
act_log_debug (const char *format, ...)
{
    if (!s_verbose) {
        return;
    }
    va_list args;
    va_start (args, format);
    s_vlog (true, "", format, args);
    va_end (args);
}

void
act_log_fatal (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    s_vlog (false, "fatal: ", format, args);
    va_end (args);
}
