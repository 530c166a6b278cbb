/*  act_log - actor-run's log: every line a run prints, in one format
    SPDX-License-Identifier: MPL-2.0

    The supervisor is one thread, so one static buffer holds the line
    being formatted: big enough for the longest relayed text once JSON
    escaping has grown it six-fold, and never on the heap.

    A log file that refuses a line (a full disk, RLIMIT_FSIZE, an I/O
    error) loses nothing without a word: the line goes where it would go
    without the file, the first refusal says why on stderr, and once the
    file takes lines again it is told how many it missed.
*/
#include "act_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

//  Time, level, source (64 bytes at most, cut) and pid take at most
//  this many bytes, JSON keys included
#define S_HEAD_MAX      512

static bool s_verbose;
static act_log_format_t s_format;
static int s_file = -1;                 //  the log file, or -1
static char *s_path;                    //  its path, for act_log_reopen;
                                        //  set while the run has a log file
static char s_line [S_HEAD_MAX + 6 * ACT_LOG_TEXT_MAX + 8];
static char s_note [S_HEAD_MAX + 6 * ACT_LOG_LINE_MAX + 8];    //  our own lines
                                        //  about the log file, formatted
                                        //  while s_line holds another
static unsigned long s_missed;          //  lines the file refused since it
                                        //  last took one
static bool s_cut;                      //  the file ends inside a line

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

static void
    s_say (act_log_level_t level, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

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
    if (!s_path) {
        return false;
    }
    //  The new file first: if it cannot be had, the old one (renamed or
    //  not) still takes every line, and says why. Unless it was removed,
    //  its directory too maybe: then nobody can read what goes there,
    //  and the lines go where they would without a file, until a SIGHUP
    //  finds the path again.
    int fd = s_open (s_path);
    if (fd == -1) {
        int error = errno;
        struct stat info;
        if (s_file >= 0 && fstat (s_file, &info) == 0 && info.st_nlink == 0) {
            close (s_file);
            s_file = -1;
            s_missed = 0;
            s_cut = false;
        }
        const char *where = s_file >= 0 ? "the old file" : "standard output and error";
        //  On stderr too: whoever reads the old file may not look there
        //  any more
        s_say (ACT_LOG_ERROR, "unable to reopen log file %s: %s; logging to %s",
               s_path, strerror (error), where);
        if (s_file >= 0) {
            act_log_at (ACT_LOG_ERROR, "unable to reopen log file %s: %s; logging to %s",
                        s_path, strerror (error), where);
        }
        return true;
    }
    //  A new file starts with a new line; the same one, still inside a
    //  line cut short, does not
    if (lseek (fd, 0, SEEK_END) == 0) {
        s_cut = false;
    }
    if (s_file >= 0) {
        close (s_file);
    }
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
    s_missed = 0;
    s_cut = false;
}

//  Writes the whole line, retrying short writes; returns the bytes
//  written, fewer than size if a write failed (errno set). A log that
//  cannot be written is not worth failing the run for.
static size_t
s_write (int fd, const char *line, size_t size)
{
    size_t written = 0;
    while (written < size) {
        ssize_t done = write (fd, line + written, size - written);
        if (done == -1 && errno == EINTR) {
            continue;
        }
        if (done <= 0) {
            if (done == 0) {
                errno = EIO;
            }
            break;
        }
        written += (size_t) done;
    }
    return written;
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

//  The line into out, of out_size bytes: s_line, or s_note for our own
//  shorter texts about the log file while s_line holds a line.
static size_t
s_format_line (char *out, size_t out_size, const char *source, pid_t pid,
               act_log_level_t level, const char *text, size_t size)
{
    char stamp [64];
    s_time (stamp, sizeof stamp);
    size_t used;
    if (s_format == ACT_LOG_FORMAT_JSON) {
        //  actor-run's own lines carry its pid too: every object has
        //  the same keys
        used = (size_t) snprintf (out, S_HEAD_MAX, "{\"time\":\"%s\",\"source\":", stamp);
        used += s_json_string (out + used, source, strnlen (source, 64));
        used += (size_t) snprintf (out + used, out_size - used,
                                   ",\"pid\":%d,\"level\":\"%s\",\"text\":",
                                   (int) (pid ? pid : getpid ()), s_level_names [level]);
        used += s_json_string (out + used, text, size);
        out [used++] = '}';
    }
    else {
        if (pid) {
            used = (size_t) snprintf (out, S_HEAD_MAX, "%s %s %.64s[%d]: ", stamp,
                                      s_level_names [level], source, (int) pid);
        }
        else {
            used = (size_t) snprintf (out, S_HEAD_MAX, "%s %s %.64s: ", stamp,
                                      s_level_names [level], source);
        }
        memcpy (out + used, text, size);
        used += size;
    }
    out [used++] = '\n';
    return used;
}

//  format's text in text: its length, cut to what text holds.
static size_t
s_text (char *text, size_t cap, const char *format, va_list args)
{
    int size = vsnprintf (text, cap, format, args);
    return size < 0 ? 0 : (size_t) size >= cap ? cap - 1 : (size_t) size;
}

//  Our own line about the log file, on stderr, whatever the file does.
static void
s_say (act_log_level_t level, const char *format, ...)
{
    char text [ACT_LOG_LINE_MAX];
    va_list args;
    va_start (args, format);
    size_t size = s_text (text, sizeof text, format, args);
    va_end (args);
    size_t used = s_format_line (s_note, sizeof s_note, "actor-run", 0, level, text, size);
    s_write (STDERR_FILENO, s_note, used);
}

//  True if the log file took the whole line. A line it took in part
//  leaves the file inside a line, which the next write ends first, so
//  the lines after it are whole lines again.
static bool
s_file_write (const char *line, size_t size)
{
    //  Unless the file was emptied meanwhile (logrotate's copytruncate)
    if (s_cut && lseek (s_file, 0, SEEK_END) > 0) {
        if (s_write (s_file, "\n", 1) != 1) {
            return false;
        }
    }
    s_cut = false;
    size_t done = s_write (s_file, line, size);
    s_cut = done > 0 && done < size;
    return done == size;
}

//  A line to the log file, or where it would go without one if the file
//  refuses it. Returns true if the file took it.
static bool
s_to_file (int stream, const char *line, size_t size)
{
    if (s_missed) {
        //  Back from a refusal: the file first hears what it missed
        char text [ACT_LOG_LINE_MAX];
        int length = snprintf (text, sizeof text, "log file %s missed %lu line%s, "
                               "written to standard output and error instead",
                               s_path, s_missed, s_missed == 1 ? "" : "s");
        length = length > (int) sizeof text - 1 ? (int) sizeof text - 1 : length;
        size_t used = s_format_line (s_note, sizeof s_note, "actor-run", 0,
                                     ACT_LOG_WARNING, text, (size_t) length);
        if (s_file_write (s_note, used)) {
            s_missed = 0;
        }
    }
    if (!s_missed && s_file_write (line, size)) {
        return true;
    }
    if (!s_missed++) {
        s_say (ACT_LOG_ERROR, "unable to write log file %s: %s; its lines go to "
               "standard output and error until it takes them again", s_path,
               strerror (errno));
    }
    s_write (stream, line, size);
    return false;
}

void
act_log_line (int stream, const char *source, pid_t pid, act_log_level_t level,
              const char *text, size_t size)
{
    if (size > ACT_LOG_TEXT_MAX) {
        size = ACT_LOG_TEXT_MAX;
    }
    size_t used = s_format_line (s_line, sizeof s_line, source, pid, level, text, size);
    if (s_file >= 0) {
        s_to_file (stream, s_line, used);
    }
    else {
        s_write (stream, s_line, used);
    }
}

static void
s_vlog (int stream, act_log_level_t level, const char *format, va_list args)
{
    char text [ACT_LOG_LINE_MAX];
    size_t size = s_text (text, sizeof text, format, args);
    act_log_line (stream, "actor-run", 0, level, text, size);
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
    size_t size = s_text (text, sizeof text, format, args);
    va_end (args);
    char fatal [ACT_LOG_LINE_MAX + 8];
    int length = snprintf (fatal, sizeof fatal, "fatal: %.*s", (int) size, text);
    size_t used = s_format_line (s_line, sizeof s_line, "actor-run", 0, ACT_LOG_ERROR,
                                 fatal, (size_t) length);
    //  Into the log file and on stderr, so whoever started actor-run sees
    //  it too; a line the file refused went to stderr already
    if (s_file < 0 || s_to_file (STDERR_FILENO, s_line, used)) {
        s_write (STDERR_FILENO, s_line, used);
    }
}
