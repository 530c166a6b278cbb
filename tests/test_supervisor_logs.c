/*  test_supervisor_logs - actor-run's log: one line format for its events
    and every group's output, text or JSON, to stderr or a log file
    SPDX-License-Identifier: MPL-2.0

    Every test parses each line actor-run printed with a parser of its own
    (below), so a line that is torn, glued to another or badly escaped
    fails the test wherever it is. The probe's chatter=N option writes
    numbered lines of known text, which tells a whole line from a cut or
    mixed one, and a lost line from a late one.
*/
#include "test_supervisor.h"
#include <limits.h>
#include <ctype.h>
#include <sys/stat.h>

//  One timeout for every test here: runs with a few restarts
#define S_TIMEOUT   60

//  One parsed log line
typedef struct {
    char source [80];           //  "actor-run" or the group's name
    int pid;                    //  the group's pid; in text, 0 for actor-run
    char level [16];            //  debug, info, warning, error
    char text [8192];           //  the text, unescaped
} s_entry_t;

static bool
s_is_level (const char *level)
{
    return streq (level, "debug") || streq (level, "info")
        || streq (level, "warning") || streq (level, "error");
}

//  RFC 3339 with milliseconds and an offset: 2026-12-01T17:04:32.452+00:00
static bool
s_is_time (const char *text, size_t size)
{
    static const char pattern [] = "9999-99-99T99:99:99.999+99:99";
    if (size != sizeof pattern - 1) {
        return false;
    }
    for (size_t i = 0; i < size; i++) {
        bool ok = pattern [i] == '9' ? isdigit ((unsigned char) text [i])
                : pattern [i] == '+' ? text [i] == '+' || text [i] == '-'
                : text [i] == pattern [i];
        if (!ok) {
            return false;
        }
    }
    return true;
}

//  "TIME LEVEL actor-run: TEXT" or "TIME LEVEL GROUP[PID]: TEXT"
static bool
s_parse_text (const char *line, size_t size, s_entry_t *entry)
{
    const char *end = line + size;
    const char *space = memchr (line, ' ', size);
    if (!space || !s_is_time (line, (size_t) (space - line))) {
        return false;
    }
    const char *level = space + 1;
    space = memchr (level, ' ', (size_t) (end - level));
    if (!space || space - level >= (ptrdiff_t) sizeof entry->level) {
        return false;
    }
    snprintf (entry->level, sizeof entry->level, "%.*s", (int) (space - level), level);
    const char *source = space + 1;
    size_t name = strspn (source, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");
    if (!s_is_level (entry->level) || name == 0 || name >= sizeof entry->source
    ||  source + name >= end) {
        return false;
    }
    snprintf (entry->source, sizeof entry->source, "%.*s", (int) name, source);
    const char *p = source + name;
    entry->pid = 0;
    if (*p == '[') {
        char *after;
        entry->pid = (int) strtol (p + 1, &after, 10);
        if (entry->pid <= 0 || *after != ']' || streq (entry->source, "actor-run")) {
            return false;
        }
        p = after + 1;
    }
    else
    if (!streq (entry->source, "actor-run")) {
        return false;
    }
    if (end - p < 2 || p [0] != ':' || p [1] != ' ') {
        return false;
    }
    p += 2;
    if ((size_t) (end - p) >= sizeof entry->text || memchr (p, '\n', (size_t) (end - p))) {
        return false;
    }
    memcpy (entry->text, p, (size_t) (end - p));
    entry->text [end - p] = 0;
    return true;
}

//  A JSON string at *p, unescaped into out; moves *p past it.
static bool
s_json_string (const char **p, const char *end, char *out, size_t max)
{
    const char *s = *p;
    size_t used = 0;
    if (s >= end || *s++ != '"') {
        return false;
    }
    while (s < end && *s != '"') {
        unsigned char c = (unsigned char) *s++;
        if (c < 0x20 || used + 4 >= max) {
            return false;
        }
        if (c != '\\') {
            out [used++] = (char) c;
            continue;
        }
        if (s >= end) {
            return false;
        }
        char e = *s++;
        const char *plain = strchr ("\"\\/bfnrt", e);
        if (plain && e) {
            out [used++] = "\"\\/\b\f\n\r\t" [plain - "\"\\/bfnrt"];
            continue;
        }
        unsigned code;
        if (e != 'u' || end - s < 4 || sscanf (s, "%4x", &code) != 1
        ||  (code >= 0xd800 && code < 0xe000)) {
            return false;
        }
        s += 4;
        if (code < 0x80) {
            out [used++] = (char) code;
        }
        else
        if (code < 0x800) {
            out [used++] = (char) (0xc0 | code >> 6);
            out [used++] = (char) (0x80 | (code & 0x3f));
        }
        else {
            out [used++] = (char) (0xe0 | code >> 12);
            out [used++] = (char) (0x80 | ((code >> 6) & 0x3f));
            out [used++] = (char) (0x80 | (code & 0x3f));
        }
    }
    if (s >= end) {
        return false;
    }
    out [used] = 0;
    *p = s + 1;
    return true;
}

//  {"time":"...","source":"...","pid":N,"level":"...","text":"..."}, each
//  key once, nothing else, no space (actor-run writes none).
static bool
s_parse_json (const char *line, size_t size, s_entry_t *entry)
{
    const char *p = line, *end = line + size;
    if (p >= end || *p++ != '{') {
        return false;
    }
    int seen = 0;
    while (true) {
        char key [16], time [64];
        if (!s_json_string (&p, end, key, sizeof key) || p >= end || *p++ != ':') {
            return false;
        }
        int bit = streq (key, "time") ? 1 : streq (key, "source") ? 2 : streq (key, "pid") ? 4
                : streq (key, "level") ? 8 : streq (key, "text") ? 16 : 0;
        if (!bit || (seen & bit)) {
            return false;
        }
        seen |= bit;
        bool ok;
        if (bit == 4) {
            char *after;
            entry->pid = (int) strtol (p, &after, 10);
            ok = after > p && entry->pid > 0;
            p = after;
        }
        else {
            ok = bit == 1 ? s_json_string (&p, end, time, sizeof time)
                            && s_is_time (time, strlen (time))
               : bit == 2 ? s_json_string (&p, end, entry->source, sizeof entry->source)
               : bit == 8 ? s_json_string (&p, end, entry->level, sizeof entry->level)
                            && s_is_level (entry->level)
               : s_json_string (&p, end, entry->text, sizeof entry->text);
        }
        if (!ok || p >= end) {
            return false;
        }
        if (*p == '}') {
            return seen == 31 && p + 1 == end;
        }
        if (*p++ != ',') {
            return false;
        }
    }
}

//  Per life of the chatter group and stream: the next number expected
typedef struct {
    int pid;
    unsigned next [2];          //  out, err
} s_life_t;

typedef struct {
    s_life_t lives [16];        //  in order of first line
    size_t count;
    size_t chatter;             //  chatter lines seen
    size_t events;              //  actor-run's lines seen
} s_tally_t;

//  A chatter line must be whole and in order: "chatter PID STREAM SEQ"
//  then exactly the text the probe writes for SEQ, from that pid, on the
//  right stream at the right level, its SEQ the next of its life.
static void
s_check_chatter (const s_entry_t *entry, int stream, s_tally_t *tally, const char *line)
{
    int pid;
    char name [8];
    unsigned seq;
    cr_assert_eq (sscanf (entry->text, "chatter %d %3s %u ", &pid, name, &seq), 3, "%s", line);
    cr_assert_eq (pid, entry->pid, "line from %d relayed as %d's: %s", pid, entry->pid, line);
    int kind = streq (name, "err");
    cr_assert_eq (kind, stream, "a %s line on the other stream: %s", name, line);
    cr_assert_str_eq (entry->level, kind ? "error" : "info", "%s", line);
    char expected [512];
    snprintf (expected, sizeof expected, "chatter %d %s %u \"caf\xc3\xa9\" a\\b\tc %.*s end",
              pid, name, seq, (int) (seq % 200),
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    cr_assert_str_eq (entry->text, expected, "a cut or mixed line: %s", line);
    s_life_t *life = NULL;
    for (size_t i = 0; i < tally->count; i++) {
        if (tally->lives [i].pid == pid) {
            life = &tally->lives [i];
        }
    }
    if (!life) {
        cr_assert_lt (tally->count, sizeof tally->lives / sizeof tally->lives [0]);
        life = &tally->lives [tally->count++];
        life->pid = pid;
    }
    cr_assert_eq (seq, life->next [kind], "pid %d %s: line %u after %u: lost lines",
                  pid, name, seq, life->next [kind]);
    life->next [kind]++;
    tally->chatter++;
}

//  Parses every line of what actor-run wrote on one stream (0 stdout, 1
//  stderr, 2 a log file, where both go); every one must parse.
static void
s_check_all (const char *log, bool json, int stream, s_tally_t *tally)
{
    for (const char *line = log; *line;) {
        const char *end = strchr (line, '\n');
        cr_assert_not_null (end, "an unfinished last line: %s", line);
        s_entry_t *entry = (s_entry_t *) malloc (sizeof *entry);
        char *copy = strndup (line, (size_t) (end - line));
        bool ok = json ? s_parse_json (line, (size_t) (end - line), entry)
                       : s_parse_text (line, (size_t) (end - line), entry);
        cr_assert (ok, "a malformed line: '%s'", copy);
        if (strncmp (entry->text, "chatter ", 8) == 0) {
            s_check_chatter (entry, stream == 2 ? streq (entry->level, "error") : stream,
                             tally, copy);
        }
        else
        if (streq (entry->source, "actor-run")) {
            tally->events++;
        }
        free (copy);
        free (entry);
        line = end + 1;
    }
}

//  The topology of a run with one chatty group and its format line
static void
s_write_run (run_t *run, const char *name, const char *extra, int chatter)
{
    char *text = zsys_sprintf (
        "run\n"
        "    name = %s\n"
        "    backoff_min = 0\n"
        "    intensity = 100\n"
        "%s"
        "group = chat\n"
        "    plugin = @PROBE@\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@ chatter=%d\"\n", name, extra, chatter);
    run_write (run, text);
    free (text);
}

//  The pid in the next "hello" of chat/p
static pid_t
s_hello (run_t *run)
{
    zmsg_t *msg = probe_take (run, "chat/p", "hello", 10000);
    cr_assert_not_null (msg, "no hello from chat/p; log:\n%s", run->err);
    zmsg_first (msg);
    zmsg_next (msg);
    zmsg_next (msg);
    char *pid = zframe_strdup (zmsg_next (msg));
    pid_t value = (pid_t) atoi (pid);
    free (pid);
    zmsg_destroy (&msg);
    return value;
}

static size_t
s_count (const char *text, const char *needle)
{
    size_t count = 0;
    for (const char *p = text; (p = strstr (p, needle)); p += strlen (needle)) {
        count++;
    }
    return count;
}

static size_t
s_lines (const char *text)
{
    return s_count (text, "\n");
}

Test (supervisor_logs, every_line_has_time_level_source_and_text, .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    s_write_run (run, "plain", "", 1000);
    run_go (run);
    pid_t pid = s_hello (run);
    //  "2026-12-01T17:04:32.452+00:00 info actor-run: ready chat pid 42 in 3 ms"
    run_expectf (run, 5000, " info actor-run: ready chat pid %d in ", (int) pid);
    //  What the group writes: stdout as info, stderr as error
    cr_assert (RUN_UNTIL (run, strstr (run->err, " error chat[") && strstr (run->out, " info chat["),
                          5000), "%s", run->err);
    //  czmq's own lines keep their level, and lose czmq's stamp
    probe_send (run, "chat/p", "warn", "careful");
    char *needle = zsys_sprintf (" warning chat[%d]: chat/p: careful\n", (int) pid);
    cr_assert (RUN_UNTIL (run, strstr (run->out, needle), 5000), "%s", run->out);
    free (needle);
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 10000), 0, "%s", run->err);
    s_tally_t tally = { .count = 0 };
    s_check_all (run->out, false, 0, &tally);
    s_check_all (run->err, false, 1, &tally);
    cr_assert_gt (tally.chatter, 0);
    cr_assert_geq (tally.events, 5);
    run_destroy (&run);
}

//  10,000 lines a second while the group is killed with SIGKILL three
//  times: every line comes out whole, none mixed with another, none of
//  what a life wrote before it died is lost, each with its life's pid.
static void
s_flood (bool json)
{
    run_t *run = run_new ();
    //  No heartbeat: a group that writes faster than a slow actor-run
    //  (a sanitizer's, on a loaded machine) relays blocks on its own
    //  output, and is rightly declared hung: a fifth life the test does
    //  not count on.
    s_write_run (run, json ? "floodjson" : "flood",
                 json ? "    heartbeat = off\n    log_format = json\n"
                      : "    heartbeat = off\n", 10000);
    run_go (run);
    pid_t pid = s_hello (run);
    //  Kills at uneven points, so some land in the middle of what the
    //  relay has read
    static const size_t apart [] = { 1000, 1337, 777 };
    for (int kill_count = 0; kill_count < 3; kill_count++) {
        size_t target = s_lines (run->out) + apart [kill_count];
        cr_assert (RUN_UNTIL (run, s_lines (run->out) >= target, 10000), "%s", run->err);
        cr_assert_eq (kill (pid, SIGKILL), 0);
        pid = s_hello (run);
    }
    size_t target = s_lines (run->out) + 1000;
    cr_assert (RUN_UNTIL (run, s_lines (run->out) >= target, 10000), "%s", run->err);
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 10000), 0, "%s", run->err);
    s_tally_t tally = { .count = 0 };
    s_check_all (run->out, json, 0, &tally);
    s_check_all (run->err, json, 1, &tally);
    cr_assert_eq (tally.count, 4, "lives seen: %zu", tally.count);
    cr_assert_geq (tally.chatter, 8000, "%zu lines", tally.chatter);
    cr_log_info ("supervisor_logs: %s: %zu chatter lines over %zu lives, %zu events",
                 json ? "json" : "text", tally.chatter, tally.count, tally.events);
    run_destroy (&run);
}

Test (supervisor_logs, flood_and_kills_leave_every_text_line_whole, .timeout = S_TIMEOUT)
{
    s_flood (false);
}

Test (supervisor_logs, flood_and_kills_leave_every_json_line_whole, .timeout = S_TIMEOUT)
{
    s_flood (true);
}

//  JSON escaping of what a group writes, and czmq's levels in JSON.
Test (supervisor_logs, json_escapes_the_text, .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    s_write_run (run, "escapes", "    log_format = json\n", 0);
    run_go (run);
    pid_t pid = s_hello (run);
    probe_send (run, "chat/p", "warn", "say \"hi\" \\ \x01 \xff now");
    cr_assert (RUN_UNTIL (run, strstr (run->out, "now\"}\n"), 5000), "%s", run->out);
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 10000), 0, "%s", run->err);
    s_tally_t tally = { .count = 0 };
    s_check_all (run->err, true, 1, &tally);
    cr_assert_geq (tally.events, 5);
    const char *line = strstr (run->out, "{\"time\"");
    cr_assert_not_null (line);
    s_entry_t *entry = (s_entry_t *) malloc (sizeof *entry);
    cr_assert (s_parse_json (line, (size_t) (strchr (line, '\n') - line), entry), "%s", line);
    cr_assert_str_eq (entry->source, "chat");
    cr_assert_eq (entry->pid, pid);
    cr_assert_str_eq (entry->level, "warning");
    //  Bytes that are not UTF-8 become U+FFFD
    cr_assert_str_eq (entry->text, "chat/p: say \"hi\" \\ \x01 \xef\xbf\xbd now");
    free (entry);
    run_destroy (&run);
}

//  True if size bytes of text are well-formed UTF-8
static bool
s_utf8_valid (const char *text, size_t size)
{
    const unsigned char *p = (const unsigned char *) text, *end = p + size;
    while (p < end) {
        size_t length = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
                      : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (!length || (size_t) (end - p) < length) {
            return false;
        }
        for (size_t i = 1; i < length; i++) {
            if ((p [i] & 0xC0) != 0x80) {
                return false;
            }
        }
        p += length;
    }
    return true;
}

//  A group's line longer than a log line can hold goes out in pieces: cut
//  between characters, never inside one, so valid UTF-8 stays valid and
//  no character is lost (3000 euro signs, 9000 bytes, in 3 pieces)
Test (supervisor_logs, long_lines_are_cut_between_characters, .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    s_write_run (run, "wide", "", 0);
    run_go (run);
    s_hello (run);
    char *text = (char *) malloc (3000 * 3 + 16);
    for (int i = 0; i < 3000; i++)
        memcpy (text + 3 * i, "\xe2\x82\xac", 3);
    strcpy (text + 9000, " end");
    probe_send (run, "chat/p", "say", text);
    free (text);
    cr_assert (RUN_UNTIL (run, strstr (run->out, " end\n") || strstr (run->err, " end\n"),
                          5000), "out:\n%.300s\nerr:\n%.2000s", run->out, run->err);
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 10000), 0, "%s", run->err);
    size_t euros = s_count (run->out, "\xe2\x82\xac") + s_count (run->err, "\xe2\x82\xac");
    cr_assert_eq (euros, 3000, "%zu of 3000 characters came through", euros);
    cr_assert (s_utf8_valid (run->out, strlen (run->out)), "stdout is not UTF-8");
    cr_assert (s_utf8_valid (run->err, strlen (run->err)), "stderr is not UTF-8");
    run_destroy (&run);
}

//  A line of exactly the relay's buffer, or twice that, fills it with no
//  newline yet: it goes out whole (or as two pieces), and the newline
//  that follows ends it, not an empty line of its own.
Test (supervisor_logs, a_line_the_size_of_the_buffer_adds_no_empty_line, .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    s_write_run (run, "full", "", 0);
    run_go (run);
    s_hello (run);
    char *text = (char *) malloc (8192 + 1);
    memset (text, 'x', 8192);
    text [4096] = 0;
    probe_send (run, "chat/p", "say", text);
    text [4096] = 'x';
    text [8192] = 0;
    probe_send (run, "chat/p", "say", text);
    free (text);
    probe_send (run, "chat/p", "say", "last");
    cr_assert (RUN_UNTIL (run, run_relayed (run->out, "chat", "last\n"), 5000),
               "out:\n%.300s", run->out);
    cr_assert_not (run_relayed (run->out, "chat", "\n"), "an empty line was relayed");
    cr_assert_eq (s_count (run->out, "x"), 4096 + 8192);
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 10000), 0, "%s", run->err);
    run_destroy (&run);
}

//  A group that floods its stdout with empty lines, as fast as the
//  supervisor writes them out, must not keep the supervisor from the rest
//  of the run: a status is answered meanwhile, and a stop ends the run
//  (killing the flooder, stuck in its handler, past its grace). The log
//  goes to a file, which never makes the supervisor wait (a reader of
//  its output that stops reading would: actor-run(1)).
Test (supervisor_logs, a_group_flooding_short_lines_leaves_the_run_served, .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    char *path = zsys_sprintf ("%s/flood.log", run->dir);
    char *extra = zsys_sprintf ("    heartbeat = off\n    shutdown = 200ms\n    log_file = %s\n",
                                path);
    s_write_run (run, "flood", extra, 0);
    free (extra);
    run_go (run);
    s_hello (run);
    probe_send (run, "chat/p", "flood", NULL);
    //  Flooding: megabytes of lines out already
    struct stat info;
    cr_assert (RUN_UNTIL (run, stat (path, &info) == 0 && info.st_size > 4 * 1024 * 1024,
                          10000), "no flood came");
    free (path);
    run_cmd_t cmd = run_command (run, 10000, "status");
    cr_assert_eq (cmd.code, 0, "status during the flood: %d %s", cmd.code, cmd.err);
    run_cmd_free (&cmd);
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 10000), EXIT_KILLED);
    run_destroy (&run);
}

//  The whole file, or NULL if it cannot be read (yet). Caller frees.
static char *
s_file_text (const char *path)
{
    char *text = NULL;
    size_t size = 0;
    FILE *file = fopen (path, "r");
    if (!file) {
        return NULL;
    }
    if (getdelim (&text, &size, 0, file) <= 0) {
        free (text);
        text = strdup ("");
    }
    fclose (file);
    return text;
}

static bool
s_file_has (const char *path, const char *needle)
{
    char *text = s_file_text (path);
    bool found = text && strstr (text, needle);
    free (text);
    return found;
}

//  --log-file overrides the topology's log_file: a path (relative to
//  the current directory) takes every line, and "-" brings them back to
//  standard error; the topology's file is never written. Not with a
//  subcommand.
Test (supervisor_logs, log_file_option_overrides_the_topology, .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    char *filed = zsys_sprintf ("%s/run.log", run->dir);
    char *other = zsys_sprintf ("%s/other.log", run->dir);
    s_write_run (run, "filed", "    log_file = run.log\n", 1000);
    char cwd [PATH_MAX];
    cr_assert_not_null (getcwd (cwd, sizeof cwd));
    cr_assert_eq (chdir (run->dir), 0);
    run_start (run, "--log-file", "other.log", "--rundir", run->rundir, run->topology);
    cr_assert_eq (chdir (cwd), 0);
    pid_t pid = s_hello (run);
    char *ready = zsys_sprintf ("actor-run: ready chat pid %d", (int) pid);
    cr_assert (RUN_UNTIL (run, s_file_has (other, ready), 5000));
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 10000), 0, "%s", run->err);
    cr_assert_str_eq (run->err, "");
    cr_assert (s_file_has (other, "run filed stopped, exit code 0"));
    cr_assert (access (filed, F_OK) == -1 && errno == ENOENT, "%s was written", filed);

    run_start (run, "--log-file", "-", "--rundir", run->rundir, run->topology);
    pid = s_hello (run);
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 10000), 0, "%s", run->err);
    cr_assert (strstr (run->err, "run filed stopped, exit code 0"), "%s", run->err);
    cr_assert (access (filed, F_OK) == -1 && errno == ENOENT, "%s was written", filed);

    run_start (run, "status", "--log-file", "-", run->topology);
    cr_assert_eq (run_wait (run, 10000), 100, "%s", run->err);
    free (ready);
    free (filed);
    free (other);
    run_destroy (&run);
}

//  log_file: everything goes there, the file is 0600, appended to, and
//  opened again on SIGHUP (which no longer stops the run).
Test (supervisor_logs, log_file_takes_every_line_and_reopens_on_sighup, .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    char *path = zsys_sprintf ("%s/run.log", run->dir);
    char *moved = zsys_sprintf ("%s/run.log.1", run->dir);
    FILE *before = fopen (path, "w");
    cr_assert_not_null (before);
    fclose (before);
    chmod (path, 0600);
    //  Relative to the topology's directory
    s_write_run (run, "filed", "    log_file = run.log\n", 1000);
    run_go (run);
    pid_t pid = s_hello (run);
    char *ready = zsys_sprintf ("actor-run: ready chat pid %d", (int) pid);
    cr_assert (RUN_UNTIL (run, s_file_has (path, ready), 5000));
    cr_assert (RUN_UNTIL (run, s_file_has (path, " error chat[") && s_file_has (path, " info chat["),
                          5000));
    cr_assert_eq (rename (path, moved), 0);
    run_signal (run, SIGHUP);
    cr_assert (RUN_UNTIL (run, s_file_has (path, "log file ") && s_file_has (path, " reopened"), 5000),
               "no reopen");
    cr_assert (RUN_UNTIL (run, s_file_has (path, " info chat["), 5000));
    struct stat info;
    cr_assert_eq (stat (path, &info), 0);
    cr_assert_eq (info.st_mode & 0777, 0600, "mode %o", info.st_mode & 0777);
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 10000), 0, "%s", run->err);
    cr_assert_str_eq (run->err, "");
    cr_assert_str_eq (run->out, "");
    s_tally_t tally = { .count = 0 };
    char *old = s_file_text (moved);
    char *now = s_file_text (path);
    cr_assert (old && now);
    s_check_all (old, false, 2, &tally);
    s_check_all (now, false, 2, &tally);
    cr_assert (strstr (now, "run filed stopped, exit code 0"), "%s", now);
    cr_assert_null (strstr (old, "stopped, exit code"), "%s", old);
    free (old);
    free (now);
    free (ready);
    free (path);
    free (moved);
    run_destroy (&run);
}

//  A log file that refuses lines (here RLIMIT_FSIZE; a full disk is the
//  same): they were lost without a word. Now the first refusal is said
//  on stderr, the lines go to stdout and stderr meanwhile, and once the
//  file takes lines again (emptied, as logrotate's copytruncate does) it
//  is told how many it missed.
Test (supervisor_logs, a_log_file_that_refuses_lines_loses_none_silently, .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    char *path = zsys_sprintf ("%s/run.log", run->dir);
    s_write_run (run, "filed", "    log_file = run.log\n", 1000);
    //  Soft only, and after our last write: the test's process is its own
    struct rlimit limit;
    cr_assert_eq (getrlimit (RLIMIT_FSIZE, &limit), 0);
    limit.rlim_cur = 16384;
    cr_assert_eq (setrlimit (RLIMIT_FSIZE, &limit), 0);
    run_go (run);
    char *refused = zsys_sprintf ("error actor-run: unable to write log file %s: File too "
                                  "large; its lines go to standard output and error until "
                                  "it takes them again", path);
    run_expect (run, 10000, refused);
    //  What the file refuses is written where it would go without it
    cr_assert (RUN_UNTIL (run, strstr (run->out, " info chat[") != NULL, 5000),
               "no line on stdout: %s", run->out);
    cr_assert_eq (truncate (path, 0), 0);
    cr_assert (RUN_UNTIL (run, s_file_has (path, "warning actor-run: log file ")
                               && s_file_has (path, ", written to standard output "
                                                    "and error instead"), 5000),
               "the file was not told what it missed");
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 10000), 0, "%s", run->err);
    char *text = s_file_text (path);
    cr_assert (strstr (text, "run filed stopped, exit code 0")
            || strstr (run->err, "run filed stopped, exit code 0"), "the last line is lost");
    free (text);
    free (refused);
    free (path);
    run_destroy (&run);
}

//  A SIGHUP that cannot open the log file's path again (its directory was
//  removed): the error went only into the old file, removed with it, and
//  every line after it was lost. Now it is said on stderr, and the lines
//  go to stdout and stderr until a SIGHUP opens the path again.
Test (supervisor_logs, a_removed_log_file_is_said_and_its_lines_kept, .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    char *dir = zsys_sprintf ("%s/logs", run->dir);
    char *path = zsys_sprintf ("%s/run.log", dir);
    cr_assert_eq (mkdir (dir, 0700), 0);
    s_write_run (run, "filed", "    log_file = logs/run.log\n", 1000);
    run_go (run);
    pid_t pid = s_hello (run);
    cr_assert (RUN_UNTIL (run, s_file_has (path, " info chat["), 5000));
    cr_assert_eq (unlink (path), 0);
    cr_assert_eq (rmdir (dir), 0);
    run_signal (run, SIGHUP);
    char *refused = zsys_sprintf ("error actor-run: unable to reopen log file %s: No such "
                                  "file or directory; logging to standard output and error",
                                  path);
    run_expect (run, 5000, refused);
    cr_assert (RUN_UNTIL (run, strstr (run->out, " info chat[") != NULL, 5000),
               "no line on stdout: %s", run->out);
    cr_assert_eq (mkdir (dir, 0700), 0);
    run_signal (run, SIGHUP);
    cr_assert (RUN_UNTIL (run, s_file_has (path, " reopened")
                               && s_file_has (path, " info chat["), 5000), "no reopen");
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 10000), 0, "%s", run->err);
    cr_assert (s_file_has (path, "run filed stopped, exit code 0"));
    cr_assert_eq (kill (pid, 0), -1, "the group is left");
    free (refused);
    free (path);
    free (dir);
    run_destroy (&run);
}

//  What a group writes before it speaks on its control socket comes out
//  before what actor-run logs of its words: the group's last line before
//  "finished it", though the supervisor may find both in one round, its
//  control socket first.
Test (supervisor_logs, a_groups_last_words_come_before_the_stop_they_explain,
      .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    char *path = zsys_sprintf ("%s/run.log", run->dir);
    run_write (run,
        "run\n"
        "    name = words\n"
        "    log_file = run.log\n"
        "group = g\n"
        "    plugin = @PROBE@\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@\"\n");
    run_go (run);
    probe_expect (run, "g/p", "hello", 5000);
    for (int i = 0; i < 20; i++) {
        char line [32];
        snprintf (line, sizeof line, "last words %d", i);
        probe_send (run, "g/p", "say", line);
    }
    probe_send (run, "g/p", "finish", "0");
    cr_assert_eq (run_wait (run, 10000), 0, "%s", run->err);
    char *text = s_file_text (path);
    cr_assert_not_null (text);
    const char *last = strstr (text, "last words 19");
    const char *stop = strstr (text, "finished it");
    cr_assert (last && stop && last < stop, "%s", text);
    free (text);
    free (path);
    run_destroy (&run);
}
