/*  act_log - actor-run's log: every line a run prints, in one format
    SPDX-License-Identifier: MPL-2.0

    The supervisor is one thread, so one static buffer holds the line
    being formatted: big enough for the longest relayed text once JSON
    escaping has grown it six-fold, and never on the heap.
*/
#include "act_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

//  Time, level, source (64 bytes at most, cut) and pid take at most
//  this many bytes, JSON keys included
#define S_HEAD_MAX      512

static bool s_verbose;
static act_log_format_t s_format;
static int s_file = -1;                 //  the log file, or -1
static char *s_path;                    //  its path, for act_log_reopen
static char s_line [S_HEAD_MAX + 6 * ACT_LOG_TEXT_MAX + 8];

static const char *s_level_names [] = { "debug", "info", "warning", "error" };

void
act_log_set_verbose (bool verbose)
{
    s_verbose = verbose;
}

void
act_log_set_format (act_log_format_t format)
{
    s_format = format;
}

static int
s_open (const char *path)
{
    return open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
}

int
act_log_open (const char *path)
{
    int fd = s_open (path);
    if (fd == -1) {
        return -1;
    }
    act_log_close ();
    s_file = fd;
    s_path = strdup (path);
    return 0;
}

bool
act_log_reopen (void)
{
    if (s_file == -1) {
        return false;
    }
    //  The new file first: if it cannot be had, the old one (renamed or
    //  not) still takes every line, and says why.
    int fd = s_open (s_path);
    if (fd == -1) {
        act_log_at (ACT_LOG_ERROR, "unable to reopen log file %s: %s", s_path,
                    strerror (errno));
        return true;
    }
    close (s_file);
    s_file = fd;
    act_log ("log file %s reopened", s_path);
    return true;
}

void
act_log_close (void)
{
    if (s_file >= 0) {
        close (s_file);
    }
    s_file = -1;
    free (s_path);
    s_path = NULL;
}

//  Writes the whole line, retrying short writes; a log that cannot be
//  written is not worth failing the run for.
static void
s_write (int fd, const char *line, size_t size)
{
    while (size > 0) {
        ssize_t done = write (fd, line, size);
        if (done == -1 && errno == EINTR) {
            continue;
        }
        if (done <= 0) {
            return;
        }
        line += done;
        size -= (size_t) done;
    }
}

//  RFC 3339 local time with milliseconds and the zone's offset. Wall
//  clock for people reading the log; every deadline the supervisor keeps
//  uses the monotonic clock instead.
static size_t
s_time (char *out, size_t size)
{
    struct timespec now;
    struct tm tm;
    clock_gettime (CLOCK_REALTIME, &now);
    localtime_r (&now.tv_sec, &tm);
    size_t used = strftime (out, size, "%Y-%m-%dT%H:%M:%S", &tm);
    long offset = tm.tm_gmtoff / 60;
    used += (size_t) snprintf (out + used, size - used, ".%03ld%c%02ld:%02ld",
                               now.tv_nsec / 1000000, offset < 0 ? '-' : '+',
                               labs (offset) / 60, labs (offset) % 60);
    return used;
}

//  Length of the valid UTF-8 sequence at text, or 0 if it is not one
//  (overlong forms, surrogates and cut sequences included).
static size_t
s_utf8 (const unsigned char *text, size_t size)
{
    unsigned char c = text [0];
    size_t need = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (!need || need > size) {
        return 0;
    }
    for (size_t i = 1; i < need; i++) {
        if ((text [i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    if ((c == 0xe0 && text [1] < 0xa0) || (c == 0xed && text [1] >= 0xa0)
    ||  (c == 0xf0 && text [1] < 0x90) || (c == 0xf4 && text [1] >= 0x90)) {
        return 0;
    }
    return need;
}

//  text as a JSON string, quotes included. A group may write any bytes:
//  what is not UTF-8 becomes U+FFFD, so every line stays valid JSON.
static size_t
s_json_string (char *out, const char *text, size_t size)
{
    const unsigned char *in = (const unsigned char *) text;
    size_t used = 0;
    out [used++] = '"';
    for (size_t i = 0; i < size;) {
        unsigned char c = in [i];
        if (c == '"' || c == '\\') {
            out [used++] = '\\';
            out [used++] = (char) c;
            i++;
        }
        else
        if (c < 0x20 || c == 0x7f) {
            const char *named = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
            used += named ? (size_t) sprintf (out + used, "%s", named)
                          : (size_t) sprintf (out + used, "\\u%04x", c);
            i++;
        }
        else
        if (c < 0x80) {
            out [used++] = (char) c;
            i++;
        }
        else {
            size_t length = s_utf8 (in + i, size - i);
            if (length) {
                memcpy (out + used, in + i, length);
                used += length;
                i += length;
            }
            else {
                used += (size_t) sprintf (out + used, "\\ufffd");
                i++;
            }
        }
    }
    out [used++] = '"';
    return used;
}

static size_t
s_format_line (const char *source, pid_t pid, act_log_level_t level,
               const char *text, size_t size)
{
    char stamp [64];
    s_time (stamp, sizeof stamp);
    size_t used;
    if (s_format == ACT_LOG_FORMAT_JSON) {
        //  actor-run's own lines carry its pid too: every object has
        //  the same keys
        used = (size_t) snprintf (s_line, S_HEAD_MAX, "{\"time\":\"%s\",\"source\":", stamp);
        used += s_json_string (s_line + used, source, strnlen (source, 64));
        used += (size_t) snprintf (s_line + used, sizeof s_line - used,
                                   ",\"pid\":%d,\"level\":\"%s\",\"text\":",
                                   (int) (pid ? pid : getpid ()), s_level_names [level]);
        used += s_json_string (s_line + used, text, size);
        s_line [used++] = '}';
    }
    else {
        if (pid) {
            used = (size_t) snprintf (s_line, S_HEAD_MAX, "%s %s %.64s[%d]: ", stamp,
                                      s_level_names [level], source, (int) pid);
        }
        else {
            used = (size_t) snprintf (s_line, S_HEAD_MAX, "%s %s %.64s: ", stamp,
                                      s_level_names [level], source);
        }
        memcpy (s_line + used, text, size);
        used += size;
    }
    s_line [used++] = '\n';
    return used;
}

void
act_log_line (int stream, const char *source, pid_t pid, act_log_level_t level,
              const char *text, size_t size)
{
    if (size > ACT_LOG_TEXT_MAX) {
        size = ACT_LOG_TEXT_MAX;
    }
    size_t used = s_format_line (source, pid, level, text, size);
    s_write (s_file >= 0 ? s_file : stream, s_line, used);
}

static void
s_vlog (int stream, act_log_level_t level, const char *format, va_list args)
{
    char text [ACT_LOG_LINE_MAX];
    int size = vsnprintf (text, sizeof text, format, args);
    if (size < 0) {
        size = 0;
    }
    if (size > (int) sizeof text - 1) {
        size = (int) sizeof text - 1;
    }
    act_log_line (stream, "actor-run", 0, level, text, (size_t) size);
}

void
act_log (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    s_vlog (STDERR_FILENO, ACT_LOG_INFO, format, args);
    va_end (args);
}

void
act_log_at (act_log_level_t level, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    s_vlog (STDERR_FILENO, level, format, args);
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
    s_vlog (STDERR_FILENO, ACT_LOG_DEBUG, format, args);
    va_end (args);
}

void
act_log_fatal (const char *format, ...)
{
    char text [ACT_LOG_LINE_MAX];
    va_list args;
    va_start (args, format);
    int size = vsnprintf (text, sizeof text, format, args);
    va_end (args);
    size = size < 0 ? 0 : size > (int) sizeof text - 1 ? (int) sizeof text - 1 : size;
    char fatal [ACT_LOG_LINE_MAX + 8];
    int length = snprintf (fatal, sizeof fatal, "fatal: %.*s", size, text);
    act_log_line (STDERR_FILENO, "actor-run", 0, ACT_LOG_ERROR, fatal, (size_t) length);
    if (s_file >= 0) {
        size_t used = s_format_line ("actor-run", 0, ACT_LOG_ERROR, fatal, (size_t) length);
        s_write (STDERR_FILENO, s_line, used);
    }
}
