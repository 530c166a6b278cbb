/*  act_log - actor-run's log: every line a run prints, in one format
    SPDX-License-Identifier: MPL-2.0

    actor-run's own events and the lines relayed from the groups (see
    act_relay) all go through act_log_line, the one place that knows the
    format (actor-run(1), LOGS): text,
    "2026-12-01T17:04:32.452+00:00 info actor-run: ready b pid 4242 in 2 ms"
    "2026-12-01T17:04:32.460+00:00 error b[4242]: text the group wrote"
    or one JSON object per line. Each line is formatted into one static
    buffer and written with one write(2): lines never interleave, and
    logging needs no heap. Lines go to stderr (a group's stdout to
    stdout), or all to the log file once act_log_open made one.
*/
#ifndef ACT_LOG_H_INCLUDED
#define ACT_LOG_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

//  Longest event text, bytes; longer ones are cut.
#define ACT_LOG_LINE_MAX    1024

//  Longest text act_log_line takes, bytes; longer ones are cut.
#define ACT_LOG_TEXT_MAX    4096

//  How lines are printed (the run key log_format)
typedef enum {
    ACT_LOG_FORMAT_TEXT,        //  "TIME LEVEL SOURCE: TEXT"
    ACT_LOG_FORMAT_JSON         //  one JSON object per line
} act_log_format_t;

typedef enum {
    ACT_LOG_DEBUG,              //  --verbose details
    ACT_LOG_INFO,               //  events; a group's stdout
    ACT_LOG_WARNING,            //  something went wrong and was handled
    ACT_LOG_ERROR               //  failures; a group's stderr
} act_log_level_t;

//  Whether act_log_debug lines are written (--verbose).
void
    act_log_set_verbose (bool verbose);

//  The format of every line from now on.
void
    act_log_set_format (act_log_format_t format);

//  Send every line to the file at path from now on: appended, created
//  with mode 0600 if missing. 0, or -1 with errno from open(2).
int
    act_log_open (const char *path);

//  Open the log file's path again (after logrotate moved it) and log
//  there from now on; on failure keep the old file and say so in it.
//  false, doing nothing, without a log file.
bool
    act_log_reopen (void);

//  Close the log file; lines go to stderr again.
void
    act_log_close (void);

//  One line of size bytes of text (no newline) from source: "actor-run"
//  (pid 0) or a group's name and the pid of its process. stream is where
//  it goes without a log file: STDOUT_FILENO or STDERR_FILENO.
void
    act_log_line (int stream, const char *source, pid_t pid, act_log_level_t level,
                  const char *text, size_t size);

//  An event line, at level info.
void
    act_log (const char *format, ...)
    __attribute__ ((format (printf, 1, 2)));

//  An event line at a given level.
void
    act_log_at (act_log_level_t level, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  A detail line, written only with --verbose.
void
    act_log_debug (const char *format, ...)
    __attribute__ ((format (printf, 1, 2)));

//  An error line whose text is "fatal: unable to ..." (STYLE 13), for
//  failures before or instead of a run. With a log file it goes there
//  and to stderr, so whoever started actor-run sees it too.
void
    act_log_fatal (const char *format, ...)
    __attribute__ ((format (printf, 1, 2)));

#endif
