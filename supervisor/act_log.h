/*  act_log - actor-run's log: one timestamped line per event, on stderr
    SPDX-License-Identifier: MPL-2.0

    Each line is formatted into a buffer on the stack and written with one
    write(2), so lines never interleave with the groups' relayed output and
    logging needs no heap. Lines look like
    "2026-11-25T08:49:29.123 actor-run: ready worker pid 4242 (1.2 ms)".
*/
#ifndef ACT_LOG_H_INCLUDED
#define ACT_LOG_H_INCLUDED

#include <stdbool.h>

//  Longest log line, bytes; longer ones are cut.
#define ACT_LOG_LINE_MAX    1024

//  Whether act_log_debug lines are written (--verbose).
void
    act_log_set_verbose (bool verbose);

//  An event line.
void
    act_log (const char *format, ...)
    __attribute__ ((format (printf, 1, 2)));

//  A detail line, written only with --verbose.
void
    act_log_debug (const char *format, ...)
    __attribute__ ((format (printf, 1, 2)));

//  "actor-run: fatal: unable to ..." with no timestamp, for failures
//  before or instead of a run (STYLE 13).
void
    act_log_fatal (const char *format, ...)
    __attribute__ ((format (printf, 1, 2)));

#endif
