/*  act_topology - a run's topology, loaded from a ZPL file and checked
    SPDX-License-Identifier: MPL-2.0

    Reads a topology file (actorio-topology(5)), checks all of it, and
    returns the run's settings and its groups in start order. Nothing is
    returned when anything is wrong: every problem becomes one
    "FILE:LINE: message" string in the caller's list, sorted by line, so a
    user fixes a file in one pass. The loader opens each group's plugin
    (dlopen, then dlsym of every class) so that a missing class is found
    by --check, not by a group failing at 3 a.m.; it closes it again.
    The file is read by act_zpl, which keeps the line numbers that zconfig
    would lose; this file checks the tree it builds.
*/
#include "act_topology.h"
#include "act_zpl.h"
#include "actorio.h"
#include "act_host.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdarg.h>
#include <sys/resource.h>

#define S_NAME_MAX       64             //  longest group, actor, run name
#define S_DAY_MS         86400000       //  cap of every duration
#define S_MSG_SIZE_MIN   64             //  smallest max_msg_size, bytes
#define S_MSG_SIZE_MAX   1073741824     //  largest max_msg_size (1G)
#define S_HWM_MAX        10000000       //  largest hwm, messages
#define S_INTENSITY_MAX  10000          //  largest intensity
#define S_NODE_UNKNOWN   (-2)           //  a group's node, named but unknown

//  Defaults, as documented in actorio-topology(5)
#define S_DEF_INTENSITY      3
#define S_DEF_PERIOD         5000
#define S_DEF_SHUTDOWN       5000
#define S_DEF_START_TIMEOUT  5000
#define S_DEF_BACKOFF_MIN    10
#define S_DEF_BACKOFF_MAX    5000
#define S_DEF_MAX_MSG_SIZE   1048576
#define S_DEF_HWM            1000
#define S_DEF_HEARTBEAT      250
#define S_DEF_HEARTBEAT_MISSES  4
#define S_HEARTBEAT_MIN      10     //  ms; a beat costs the loop a wake-up
#define S_HEARTBEAT_MISSES_MAX  1000
#define S_RING_MIN           4096           //  smallest ring_size, bytes
#define S_RING_MAX           (1 << 30)      //  largest ring_size
#define S_AREA_MIN           65536          //  smallest area_size, bytes
#define S_AREA_MAX           (16LL << 30)   //  largest area_size
#define S_REGION_MIN         (1 << 20)      //  smallest region_size, bytes
#define S_REGION_MAX         (64LL << 30)   //  largest region_size
#define S_INBOUND_MAX        100000000      //  largest inbound_max, messages
#define S_INBOUND_BYTES_MIN  65536          //  smallest inbound_bytes
#define S_INBOUND_BYTES_MAX  (64LL << 30)   //  largest inbound_bytes
#define S_FDS_GROUP          32             //  fds of a group process beside
                                            //  its links: stdio, control,
                                            //  ZeroMQ's threads and sockets,
                                            //  the loop, some for its actors
#define S_FDS_SUP            32             //  the same for the supervisor
#define S_FDS_SUP_PER_GROUP  5              //  control, 2 pipes of output
#define S_FDS_SUP_PER_STANDBY 1             //  its control socket

typedef struct {
    int line;                   //  where, for sorting
    int seq;                    //  order found, keeps the sort stable
    char *text;                 //  "FILE:LINE: message"
} s_problem_t;

typedef struct {
    const char *file;           //  path as given, prefixes every message
    char *dir;                  //  absolute directory of the file
    s_problem_t problems [ACT_TOPOLOGY_ERRORS_MAX];
                                //  the first found by line, sorted
    size_t count;               //  entries in problems
    int seq;                    //  problems found, kept or not
    size_t dropped;             //  problems found past the first ones
    zhashx_t *seen;             //  keys of the section being read: line
    int *parent_lines;          //  per group: line of its parent key
    int region_line;            //  last line sizing the shared region
    size_t parent_max;          //  allocated entries in parent_lines
    bool control;               //  for a control command: what only a
                                //  start needs is not checked
} s_loader_t;

static const char *s_run_keys [] = {
    "name", "strategy", "intensity", "period", "shutdown", "start_timeout",
    "backoff_min", "backoff_max", "max_msg_size", "hwm", "link", "inbound_max",
    "inbound_bytes", "ring_size",
    "area_size", "region_size", "heartbeat", "heartbeat_misses", "standby", "log_format",
    "log_file", NULL };
static const char *s_group_keys [] = {
    "plugin", "restart", "parent", "start_timeout", "shutdown", "link", "inbound_max",
    "inbound_bytes", "heartbeat", "heartbeat_misses", "standby", "node", "actor",
    NULL };
static const char *s_actor_keys [] = { "class", "args", NULL };
static const char *s_top_keys [] = { "run", "node", "group", NULL };
static const char *s_node_keys [] = { "endpoint", "public_key", NULL };
static const char *s_strategies [] = {
    "one_for_one", "one_for_all", "rest_for_one", NULL };
static const char *s_log_formats [] = { "text", "json", NULL };
static const char *s_restarts [] = {
    "permanent", "transient", "temporary", NULL };

static void *
s_grow (void *array, size_t *max, size_t need, size_t size)
{
    //  OOM aborts, as in czmq: the caller is the supervisor at start-up
    if (need > *max) {
        *max = need < 8 ? 8 : need * 2;
        array = realloc (array, *max * size);
        assert (array);
    }
    return array;
}

//  Keeps the first ACT_TOPOLOGY_ERRORS_MAX problems by line, in order:
//  one that would come after all of them is only counted, never
//  formatted, so a file of a million mistakes costs a million counts.
static void
s_problem (s_loader_t *self, int line, const char *format, ...)
{
    int seq = self->seq++;
    if (self->count == ACT_TOPOLOGY_ERRORS_MAX) {
        s_problem_t *last = &self->problems [self->count - 1];
        self->dropped++;
        //  An equal line comes later too: seq only grows
        if (line >= last->line) {
            return;
        }
        free (last->text);
        self->count--;
    }
    va_list args;
    va_start (args, format);
    char *message = zsys_vprintf (format, args);
    va_end (args);
    assert (message);
    size_t at = self->count++;
    while (at > 0 && self->problems [at - 1].line > line) {
        self->problems [at] = self->problems [at - 1];
        at--;
    }
    s_problem_t *problem = &self->problems [at];
    problem->line = line;
    problem->seq = seq;
    problem->text = zsys_sprintf ("%s:%d: %s", self->file, line, message);
    assert (problem->text);
    free (message);
}

//  Syntax errors join the loader's problems, to be sorted with them
static void
s_syntax_error (void *arg, int line, const char *message)
{
    s_problem ((s_loader_t *) arg, line, "%s", message);
}

//  ---------------------------------------------------------------------
//  Values

static size_t
s_distance (const char *a, const char *b)
{
    size_t la = strlen (a), lb = strlen (b);
    if (la > 64 || lb > 64) {
        return SIZE_MAX;
    }
    size_t row [65];
    for (size_t j = 0; j <= lb; j++) {
        row [j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row [0];
        row [0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row [j];
            size_t best = diag + (a [i - 1] != b [j - 1]);
            if (row [j] + 1 < best) {
                best = row [j] + 1;
            }
            if (row [j - 1] + 1 < best) {
                best = row [j - 1] + 1;
            }
            row [j] = best;
            diag = up;
        }
    }
    return row [lb];
}

//  The known word closest to word, or NULL if none is close enough to be
//  a likely typo (two edits, or word being part of a longer key).
static const char *
s_closest (const char *word, const char **known)
{
    const char *best = NULL;
    size_t best_distance = 3;
    for (size_t i = 0; known [i]; i++) {
        size_t distance = s_distance (word, known [i]);
        if (distance < best_distance) {
            best = known [i];
            best_distance = distance;
        }
    }
    for (size_t i = 0; !best && known [i]; i++) {
        if (strlen (word) >= 4 && strstr (known [i], word)) {
            best = known [i];
        }
    }
    return best;
}

static bool
s_known (const char *word, const char **known)
{
    for (size_t i = 0; known [i]; i++) {
        if (streq (word, known [i])) {
            return true;
        }
    }
    return false;
}

//  Reports an unknown key in where ("run", "group 'g'", "actor 'g/a'",
//  or NULL at the top level), with the likeliest fix.
static void
s_unknown_key (s_loader_t *self, act_zpl_t *kv, const char *where,
               const char **known)
{
    const char *home = s_known (kv->name, s_group_keys) ? "a group section"
                     : s_known (kv->name, s_run_keys)   ? "the run section"
                     : s_known (kv->name, s_actor_keys) ? "an actor section"
                     : s_known (kv->name, s_node_keys)  ? "a node section"
                     : s_known (kv->name, s_top_keys)   ? "the top level"
                     : NULL;
    const char *hint = s_closest (kv->name, known);
    char *in = where ? zsys_sprintf ("in %s", where) : strdup ("at the top level");
    if (streq (kv->name, "name") && where && known != s_run_keys) {
        s_problem (self, kv->line, "unknown key 'name' %s: the name goes on "
                   "the section line, as '%s = NAME'", in, kv->parent->name);
    }
    else
    if (home) {
        s_problem (self, kv->line, "key '%s' belongs in %s, not %s", kv->name,
                   home, in);
    }
    else
    if (hint) {
        s_problem (self, kv->line, "unknown key '%s' %s (did you mean '%s'?)",
                   kv->name, in, hint);
    }
    else {
        s_problem (self, kv->line, "unknown key '%s' %s", kv->name, in);
    }
    free (in);
}

//  Starts a section: no key of it seen yet.
static void
s_section (s_loader_t *self)
{
    zhashx_purge (self->seen);
}

//  True if kv repeats a key seen since s_section (sections may repeat).
static bool
s_duplicate (s_loader_t *self, act_zpl_t *kv, const char *where)
{
    //  A hash, not a walk of the siblings: a section of 100k distinct
    //  keys would take seconds
    if (zhashx_insert (self->seen, kv->name, (void *) (intptr_t) kv->line) == 0) {
        return false;
    }
    s_problem (self, kv->line, "duplicate key '%s' in %s (first at line %d)",
               kv->name, where, (int) (intptr_t) zhashx_lookup (self->seen, kv->name));
    return true;
}

//  The value of a key that takes one, or NULL after reporting.
static const char *
s_leaf (s_loader_t *self, act_zpl_t *kv, const char *where, bool may_be_empty)
{
    if (kv->child) {
        s_problem (self, kv->child->line, "'%s' in %s takes a value, not "
                   "indented keys", kv->name, where);
        return NULL;
    }
    if (!kv->value || (!*kv->value && !may_be_empty)) {
        s_problem (self, kv->line, "missing value for '%s' in %s", kv->name,
                   where);
        return NULL;
    }
    return kv->value;
}

//  Digits then a unit; false unless text starts with a digit and the
//  number fits in 15 digits (far above any range we accept).
static bool
s_number (const char *text, int64_t *number, const char **unit)
{
    size_t digits = strspn (text, "0123456789");
    if (digits == 0 || digits > 15) {
        return false;
    }
    *number = strtoll (text, NULL, 10);
    *unit = text + digits;
    return true;
}

static char *
s_duration_text (int64_t ms)
{
    return ms && ms % 1000 == 0 ? zsys_sprintf ("%llds", (long long) ms / 1000)
                                : zsys_sprintf ("%lldms", (long long) ms);
}

//  Parses a duration into *ms; false after reporting. With infinity,
//  "infinity" is one too (ACT_TOPOLOGY_INFINITY), as in OTP's shutdown.
static bool
s_duration (s_loader_t *self, act_zpl_t *kv, const char *where, int min,
            bool infinity, int *ms)
{
    const char *text = s_leaf (self, kv, where, false);
    int64_t number;
    const char *unit;
    if (!text) {
        return false;
    }
    if (infinity && streq (text, "infinity")) {
        *ms = ACT_TOPOLOGY_INFINITY;
        return true;
    }
    if (!s_number (text, &number, &unit)
    || (*unit && !streq (unit, "ms") && !streq (unit, "s"))) {
        s_problem (self, kv->line, "bad duration '%s' for '%s': expected a "
                   "whole number with unit ms or s%s", text, kv->name,
                   infinity ? ", or infinity" : "");
        return false;
    }
    if (streq (unit, "s")) {
        number *= 1000;
    }
    if (number < min || number > S_DAY_MS) {
        char *low = s_duration_text (min);
        s_problem (self, kv->line, "%s out of range for '%s': expected %s to "
                   "86400s", text, kv->name, low);
        free (low);
        return false;
    }
    *ms = (int) number;
    return true;
}

//  "heartbeat": a duration, or "off" (0) for a group that must be free
//  to block its loop.
static void
s_heartbeat (s_loader_t *self, act_zpl_t *kv, const char *where, int *ms)
{
    const char *text = s_leaf (self, kv, where, false);
    if (text && streq (text, "off")) {
        *ms = 0;
    }
    else
    if (text && !isdigit ((unsigned char) *text)) {
        s_problem (self, kv->line, "bad heartbeat '%s' for %s: expected a duration "
                   "(a whole number with unit ms or s) or off", text, where);
    }
    else
    if (text) {
        s_duration (self, kv, where, S_HEARTBEAT_MIN, false, ms);
    }
}

//  Parses a whole number in [min, max] into *value; false after reporting.
static bool
s_integer (s_loader_t *self, act_zpl_t *kv, const char *where, int64_t min,
           int64_t max, bool size, int64_t *value)
{
    const char *text = s_leaf (self, kv, where, false);
    int64_t number = 0;
    const char *unit;
    if (!text) {
        return false;
    }
    if (!s_number (text, &number, &unit)) {
        unit = "?";
    }
    if (size && *unit && unit [1] == 0 && strchr ("kKMG", *unit)) {
        //  Past max already: shifting could only overflow
        if (number <= max) {
            number <<= *unit == 'G' ? 30 : *unit == 'M' ? 20 : 10;
        }
        unit = "";
    }
    if (*unit) {
        s_problem (self, kv->line, size ? "bad size '%s' for '%s': expected "
                   "a whole number of bytes, with unit k, M or G"
                   : "bad number '%s' for '%s': expected a whole number",
                   text, kv->name);
        return false;
    }
    if (number < min || number > max) {
        s_problem (self, kv->line, "%s out of range for '%s': expected %lld "
                   "to %lld", text, kv->name, (long long) min, (long long) max);
        return false;
    }
    *value = number;
    return true;
}

//  Index of the value among names, or -1 after reporting.
static int
s_enum (s_loader_t *self, act_zpl_t *kv, const char *where, const char **names)
{
    const char *text = s_leaf (self, kv, where, false);
    if (!text) {
        return -1;
    }
    for (int i = 0; names [i]; i++) {
        if (streq (text, names [i])) {
            return i;
        }
    }
    //  "expected a, b or c", for as many names as there are
    char expected [128] = "";
    size_t used = 0;
    for (int i = 0; names [i] && used < sizeof expected; i++) {
        used += (size_t) snprintf (expected + used, sizeof expected - used, "%s%s",
                                   i == 0 ? "" : names [i + 1] ? ", " : " or ", names [i]);
    }
    s_problem (self, kv->line, "bad value '%s' for '%s': expected %s", text, kv->name,
               expected);
    return -1;
}

//  A link kind into *kind; false after reporting.
static bool
s_link (s_loader_t *self, act_zpl_t *kv, const char *where, act_link_kind_t *kind)
{
    const char *text = s_leaf (self, kv, where, false);
    if (!text) {
        return false;
    }
    if (streq (text, "shm") || streq (text, "ipc")) {
        *kind = streq (text, "shm") ? ACT_LINK_SHM : ACT_LINK_IPC;
        return true;
    }
    s_problem (self, kv->line, "bad value '%s' for 'link': expected shm (shared "
               "memory, between groups of one host) or ipc (ZeroMQ)", text);
    return false;
}

static bool
s_boolean (s_loader_t *self, act_zpl_t *kv, const char *where, bool *value)
{
    const char *text = s_leaf (self, kv, where, false);
    if (!text) {
        return false;
    }
    if (streq (text, "true") || streq (text, "false")) {
        *value = streq (text, "true");
        return true;
    }
    s_problem (self, kv->line, "bad value '%s' for '%s': expected true or false",
               text, kv->name);
    return false;
}

//  Names end up in addresses (group/actor) and file names in the run
//  directory, which keeps names starting with '.' for its own files.
static bool
s_name_ok (const char *name)
{
    return act_name_valid (name) && name [0] != '.';
}

//  Class names become C symbols (actorio_class_NAME)
static bool
s_class_ok (const char *name)
{
    size_t len = strlen (name);
    return len >= 1 && len <= S_NAME_MAX && !isdigit ((unsigned char) name [0])
        && strspn (name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789_") == len;
}

static bool
s_check_name (s_loader_t *self, int line, const char *what, const char *name)
{
    //  A group's endpoint is RUNDIR/GROUP, beside the run's lock file
    if (streq (what, "group") && streq (name, "lock")) {
        s_problem (self, line, "group name 'lock' is reserved: RUNDIR/lock is "
                   "the run's lock file");
        return false;
    }
    //  Actor names starting with '_' are the runtime's: it names anonymous
    //  actors that talk to other groups so.
    if (s_name_ok (name) && !(streq (what, "actor") && name [0] == '_')) {
        return true;
    }
    s_problem (self, line, "bad %s name '%s': use 1 to 64 of A-Z a-z 0-9 _ . -, "
               "not starting with '.'%s", what, name,
               streq (what, "actor") ? " or '_'" : "");
    return false;
}

//  ---------------------------------------------------------------------
//  Sections

static void
s_load_run (s_loader_t *self, act_zpl_t *section, act_topology_t *topo)
{
    int backoff_line = section->line;
    if (section->value && *section->value) {
        s_problem (self, section->line, "run takes no value: write its name "
                   "as 'name = %s' below it", section->value);
    }
    s_section (self);
    for (act_zpl_t *kv = section->child; kv; kv = kv->next) {
        int64_t number;
        int index;
        if (s_duplicate (self, kv, "run")) {
            continue;
        }
        if (streq (kv->name, "name")) {
            const char *name = s_leaf (self, kv, "run", false);
            if (name && s_check_name (self, kv->line, "run", name)) {
                topo->name = strdup (name);
            }
        }
        else
        if (streq (kv->name, "strategy")) {
            if ((index = s_enum (self, kv, "run", s_strategies)) >= 0) {
                topo->strategy = (act_strategy_t) index;
            }
        }
        else
        if (streq (kv->name, "intensity")) {
            if (s_integer (self, kv, "run", 0, S_INTENSITY_MAX, false, &number)) {
                topo->intensity = (int) number;
            }
        }
        else
        if (streq (kv->name, "period")) {
            s_duration (self, kv, "run", 1, false, &topo->period);
        }
        else
        if (streq (kv->name, "shutdown")) {
            s_duration (self, kv, "run", 0, true, &topo->shutdown);
        }
        else
        if (streq (kv->name, "start_timeout")) {
            s_duration (self, kv, "run", 1, false, &topo->start_timeout);
        }
        else
        if (streq (kv->name, "heartbeat")) {
            s_heartbeat (self, kv, "run", &topo->heartbeat);
        }
        else
        if (streq (kv->name, "heartbeat_misses")) {
            if (s_integer (self, kv, "run", 1, S_HEARTBEAT_MISSES_MAX, false, &number)) {
                topo->heartbeat_misses = (int) number;
            }
        }
        else
        if (streq (kv->name, "backoff_min") || streq (kv->name, "backoff_max")) {
            bool min = streq (kv->name, "backoff_min");
            if (s_duration (self, kv, "run", 0, false, min ? &topo->backoff_min
                                                           : &topo->backoff_max)) {
                backoff_line = kv->line > backoff_line ? kv->line : backoff_line;
            }
        }
        else
        if (streq (kv->name, "max_msg_size")) {
            s_integer (self, kv, "run", S_MSG_SIZE_MIN, S_MSG_SIZE_MAX, true,
                       &topo->max_msg_size);
        }
        else
        if (streq (kv->name, "hwm")) {
            if (s_integer (self, kv, "run", 1, S_HWM_MAX, false, &number)) {
                topo->hwm = (int) number;
            }
        }
        else
        if (streq (kv->name, "link")) {
            s_link (self, kv, "run", &topo->link);
        }
        else
        if (streq (kv->name, "standby")) {
            s_boolean (self, kv, "run", &topo->standby);
        }
        else
        if (streq (kv->name, "inbound_max")) {
            s_integer (self, kv, "run", 1, S_INBOUND_MAX, false, &topo->inbound_max);
        }
        else
        if (streq (kv->name, "inbound_bytes")) {
            s_integer (self, kv, "run", S_INBOUND_BYTES_MIN, S_INBOUND_BYTES_MAX, true,
                       &topo->inbound_bytes);
        }
        else
        if (streq (kv->name, "ring_size")) {
            if (s_integer (self, kv, "run", S_RING_MIN, S_RING_MAX, true, &number)) {
                if (number & (number - 1)) {
                    s_problem (self, kv->line, "bad ring_size %lld: expected a "
                               "power of two, like 64k or 128k", (long long) number);
                }
                else {
                    topo->ring_size = number;
                }
            }
            self->region_line = kv->line;
        }
        else
        if (streq (kv->name, "area_size")) {
            if (s_integer (self, kv, "run", S_AREA_MIN, S_AREA_MAX, true, &number)) {
                topo->area_size = (number + 63) & ~63LL;
            }
            self->region_line = kv->line > self->region_line ? kv->line : self->region_line;
        }
        else
        if (streq (kv->name, "region_size")) {
            s_integer (self, kv, "run", S_REGION_MIN, S_REGION_MAX, true,
                       &topo->region_size);
            self->region_line = kv->line > self->region_line ? kv->line : self->region_line;
        }
        else
        if (streq (kv->name, "log_format")) {
            if ((index = s_enum (self, kv, "run", s_log_formats)) >= 0) {
                topo->log_format = (act_log_format_t) index;
            }
        }
        else
        if (streq (kv->name, "log_file")) {
            //  Relative to the topology, as plugins are: the run must not
            //  log somewhere else when started from another directory.
            const char *path = s_leaf (self, kv, "run", false);
            if (path) {
                topo->log_file = path [0] == '/' ? strdup (path)
                                                 : zsys_sprintf ("%s/%s", self->dir, path);
            }
        }
        else {
            s_unknown_key (self, kv, "run", s_run_keys);
        }
    }
    bool named = false;
    for (act_zpl_t *kv = section->child; kv; kv = kv->next) {
        named |= streq (kv->name, "name");
    }
    if (!named) {
        s_problem (self, section->line, "missing required key 'name' in run");
    }
    if (topo->backoff_min > topo->backoff_max) {
        s_problem (self, backoff_line, "backoff_min (%dms) is greater than "
                   "backoff_max (%dms)", topo->backoff_min, topo->backoff_max);
    }
}

//  Looks up the class of an actor: plugin first, then the built-ins.
static void
s_check_class (s_loader_t *self, act_zpl_t *kv, act_topo_group_t *group,
               act_topo_actor_t *actor, void *plugin)
{
    if (plugin) {
        const char *why;
        if (act_plugin_class (plugin, actor->cls, &why)) {
            return;
        }
        if (*why) {
            s_problem (self, kv->line, "class '%s' of actor '%s/%s': the symbol %s%s "
                       "of %s is not an actor class: %s", actor->cls, group->name,
                       actor->name, ACT_PLUGIN_CLASS_PREFIX, actor->cls, group->plugin,
                       why);
            return;
        }
        if (act_builtin_find (actor->cls)) {
            return;
        }
        s_problem (self, kv->line, "class '%s' of actor '%s/%s' not found: "
                   "%s has no symbol %s%s and no built-in class has that name",
                   actor->cls, group->name, actor->name, group->plugin,
                   ACT_PLUGIN_CLASS_PREFIX, actor->cls);
    }
    else
    if (!act_builtin_find (actor->cls)) {
        s_problem (self, kv->line, "class '%s' of actor '%s/%s' is not a "
                   "built-in class, and group '%s' has no plugin",
                   actor->cls, group->name, actor->name, group->name);
    }
}

static void
s_load_actor (s_loader_t *self, act_zpl_t *section, act_topo_group_t *group,
              void *plugin, bool check_classes)
{
    if (!section->value || !*section->value) {
        s_problem (self, section->line, "actor needs a name: write 'actor = NAME'");
        return;
    }
    for (size_t i = 0; i < group->actor_count; i++) {
        if (streq (group->actors [i].name, section->value)) {
            s_problem (self, section->line, "duplicate actor name '%s' in group "
                       "'%s' (first at line %d)", section->value, group->name,
                       group->actors [i].line);
            return;
        }
    }
    if (!s_check_name (self, section->line, "actor", section->value)) {
        return;
    }
    group->actors = realloc (group->actors, (group->actor_count + 1)
                                            * sizeof (act_topo_actor_t));
    assert (group->actors);
    act_topo_actor_t *actor = &group->actors [group->actor_count++];
    memset (actor, 0, sizeof *actor);
    actor->name = strdup (section->value);
    actor->line = section->line;

    char *where = zsys_sprintf ("actor '%s/%s'", group->name, actor->name);
    act_zpl_t *class_kv = NULL;
    s_section (self);
    for (act_zpl_t *kv = section->child; kv; kv = kv->next) {
        if (s_duplicate (self, kv, where)) {
            continue;
        }
        if (streq (kv->name, "class")) {
            const char *cls = s_leaf (self, kv, where, false);
            class_kv = kv;
            if (cls && s_class_ok (cls)) {
                actor->cls = strdup (cls);
            }
            else
            if (cls) {
                s_problem (self, kv->line, "bad class name '%s': use 1 to 64 of "
                           "A-Z a-z 0-9 _, not starting with a digit", cls);
            }
        }
        else
        if (streq (kv->name, "args")) {
            const char *args = s_leaf (self, kv, where, true);
            if (args) {
                actor->args = strdup (args);
            }
        }
        else {
            s_unknown_key (self, kv, where, s_actor_keys);
        }
    }
    if (!class_kv) {
        s_problem (self, section->line, "missing required key 'class' in %s",
                   where);
    }
    else
    if (actor->cls && check_classes) {
        s_check_class (self, class_kv, group, actor, plugin);
    }
    free (where);
}

static int
s_find_runtime (struct dl_phdr_info *info, size_t size, void *found)
{
    (void) size;
    const char *base = strrchr (info->dlpi_name, '/');
    base = base ? base + 1 : info->dlpi_name;
    if (strncmp (base, "libactorio.so", strlen ("libactorio.so")) == 0) {
        *(const char **) found = info->dlpi_name;
        return 1;
    }
    return 0;
}

//  The path of the shared actorio library if the process has it loaded,
//  else NULL. actor-run holds the runtime and exports it to its plugins:
//  one that brings a second copy into the group would split its state
//  (message cache, counters) and its calls between the two.
static const char *
s_runtime_copy (void)
{
    const char *found = NULL;
    dl_iterate_phdr (s_find_runtime, &found);
    return found;
}

//  Resolves the plugin path and opens it; NULL after reporting.
static void *
s_open_plugin (s_loader_t *self, act_zpl_t *kv, act_topo_group_t *group,
               const char *where)
{
    const char *path = s_leaf (self, kv, where, false);
    if (!path) {
        return NULL;
    }
    char *joined = path [0] == '/' ? strdup (path)
                                   : zsys_sprintf ("%s/%s", self->dir, path);
    //  A control command talks to the run and loads no group: a plugin
    //  file missing or half-copied during a deploy must not keep it from
    //  the run, nor its constructors run in it. The fuzzer must not
    //  dlopen whatever path it makes up. Either way the path is kept as
    //  written, and the group's classes go unchecked.
    bool unopened = self->control;
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    unopened = true;
#endif
    if (unopened) {
        group->plugin = joined;
        return NULL;
    }
    char *resolved = realpath (joined, NULL);
    if (!resolved || access (resolved, R_OK) != 0) {
        s_problem (self, kv->line, "unable to read plugin '%s' (%s): %s", path,
                   joined, strerror (errno));
        free (resolved);
        free (joined);
        return NULL;
    }
    free (joined);
    group->plugin = resolved;
    //  A host that links the shared library itself (not actor-run) has
    //  it loaded already: only a copy the plugin brings is its fault.
    bool hosted = s_runtime_copy () != NULL;
    dlerror ();
    void *handle = dlopen (resolved, RTLD_NOW | RTLD_LOCAL);
    const char *copy = handle && !hosted ? s_runtime_copy () : NULL;
    if (!handle) {
        const char *reason = dlerror ();
        s_problem (self, kv->line, "unable to load plugin '%s': %s", path,
                   reason ? reason : "unknown dlopen error");
    }
    else
    if (copy) {
        s_problem (self, kv->line, "plugin '%s' links %s: a plugin must not "
                   "link the actorio library, actor-run provides it (build it "
                   "with actorio_add_plugin, see actor-run(1))", path, copy);
        dlclose (handle);
        handle = NULL;
    }
    return handle;
}

//  ---------------------------------------------------------------------
//  Nodes: the hosts of a run across hosts

//  "tcp://HOST:PORT" into node; false after reporting. HOST is a name
//  or an address others can reach, never a wildcard: it is where they
//  connect.
static bool
s_endpoint (s_loader_t *self, act_zpl_t *kv, act_topo_node_t *node)
{
    const char *text = s_leaf (self, kv, "a node section", false);
    if (!text) {
        return false;
    }
    const char *colon = strrchr (text, ':');
    int64_t port = 0;
    const char *unit = NULL;
    size_t host_len = colon ? (size_t) (colon - text) - 6 : 0;
    if (strncmp (text, "tcp://", 6) != 0 || !colon || colon < text + 7
    ||  !s_number (colon + 1, &port, &unit) || *unit || port < 1 || port > 65535
    ||  memchr (text + 6, '*', host_len) || memchr (text + 6, ';', host_len)) {
        s_problem (self, kv->line, "bad endpoint '%s' for node '%s': expected "
                   "tcp://HOST:PORT, HOST a name or address the other nodes reach "
                   "(not *), PORT 1 to 65535", text, node->name);
        return false;
    }
    node->endpoint = strdup (text);
    node->host = strndup (text + 6, host_len);
    node->port = (int) port;
    return true;
}

//  The public key file, relative to the topology file, into node.
static void
s_public_key (s_loader_t *self, act_zpl_t *kv, act_topo_node_t *node)
{
    const char *text = s_leaf (self, kv, "a node section", false);
    if (!text) {
        return;
    }
    char *path = text [0] == '/' ? strdup (text) : zsys_sprintf ("%s/%s", self->dir, text);
    int readable = access (path, R_OK);
    int error = errno;
    zcert_t *cert = readable == 0 ? zcert_load (path) : NULL;
    if (!cert) {
        s_problem (self, kv->line, "public key '%s' of node '%s': %s", text,
                   node->name, readable == 0 ? "not a public key file (write one "
                   "with actor-run keygen)" : error == ENOENT ? "no such file "
                   "(write one with actor-run keygen)" : strerror (error));
        free (path);
        return;
    }
    node->public_key = path;
    snprintf (node->key, sizeof node->key, "%s", zcert_public_txt (cert));
    zcert_destroy (&cert);
}

static void
s_load_node (s_loader_t *self, act_zpl_t *section, act_topology_t *topo)
{
    if (!section->value || !*section->value) {
        s_problem (self, section->line, "node needs a name: write 'node = NAME'");
        return;
    }
    int existing = act_topology_node_index (topo, section->value);
    if (existing >= 0) {
        s_problem (self, section->line, "duplicate node name '%s' (first at "
                   "line %d)", section->value, topo->nodes [existing].line);
        return;
    }
    if (!s_check_name (self, section->line, "node", section->value)) {
        return;
    }
    topo->nodes = realloc (topo->nodes, (topo->node_count + 1) * sizeof (act_topo_node_t));
    assert (topo->nodes);
    act_topo_node_t *node = &topo->nodes [topo->node_count++];
    memset (node, 0, sizeof *node);
    node->name = strdup (section->value);
    node->line = section->line;
    char *where = zsys_sprintf ("node '%s'", node->name);
    s_section (self);
    for (act_zpl_t *kv = section->child; kv; kv = kv->next) {
        if (s_duplicate (self, kv, where)) {
            continue;
        }
        if (streq (kv->name, "endpoint")) {
            s_endpoint (self, kv, node);
        }
        else
        if (streq (kv->name, "public_key")) {
            s_public_key (self, kv, node);
        }
        else {
            s_unknown_key (self, kv, where, s_node_keys);
        }
    }
    if (!zhashx_lookup (self->seen, "endpoint")) {
        s_problem (self, section->line, "node '%s' has no endpoint: add "
                   "'endpoint = tcp://HOST:PORT'", node->name);
    }
    if (!zhashx_lookup (self->seen, "public_key")) {
        s_problem (self, section->line, "node '%s' has no public_key: add "
                   "'public_key = FILE' (actor-run keygen writes one)", node->name);
    }
    free (where);
}

static void
s_group_node (s_loader_t *self, act_zpl_t *kv, act_topology_t *topo,
              act_topo_group_t *group)
{
    const char *name = s_leaf (self, kv, "a group section", false);
    if (!name) {
        return;
    }
    group->node = act_topology_node_index (topo, name);
    if (group->node < 0) {
        //  Reported here: s_check_nodes says nothing more of it
        group->node = S_NODE_UNKNOWN;
        s_problem (self, kv->line, "unknown node '%s' for group '%s'%s", name,
                   group->name, topo->node_count ? "" : ": the run has no "
                   "'node = NAME' section");
    }
}

//  With nodes, every group names one, and gets the next port of its
//  node; no two nodes may share a port of one host.
static void
s_check_nodes (s_loader_t *self, act_topology_t *topo)
{
    if (!topo->node_count) {
        return;
    }
    for (size_t i = 0; i < topo->group_count; i++) {
        act_topo_group_t *group = &topo->groups [i];
        if (group->node == S_NODE_UNKNOWN) {
            continue;
        }
        if (group->node < 0) {
            s_problem (self, group->line, "group '%s' has no node: in a run with "
                       "nodes every group names one ('node = NAME')", group->name);
            continue;
        }
        act_topo_node_t *node = &topo->nodes [group->node];
        if (node->endpoint && node->port + (int) node->groups <= 65535) {
            group->endpoint = zsys_sprintf ("tcp://%s:%d", node->host,
                                            node->port + (int) node->groups);
        }
        node->groups++;
    }
    for (size_t i = 0; i < topo->node_count; i++) {
        act_topo_node_t *node = &topo->nodes [i];
        int last = node->port + (int) (node->groups ? node->groups : 1) - 1;
        if (!node->endpoint) {
            continue;
        }
        if (last > 65535) {
            s_problem (self, node->line, "node '%s' has %zu groups: ports %d to %d "
                       "pass 65535", node->name, node->groups, node->port, last);
        }
        for (size_t j = 0; j < i; j++) {
            act_topo_node_t *other = &topo->nodes [j];
            int other_last = other->port + (int) (other->groups ? other->groups : 1) - 1;
            if (other->endpoint && streq (other->host, node->host)
            &&  node->port <= other_last && other->port <= last) {
                s_problem (self, node->line, "duplicate endpoint: node '%s' binds "
                           "%s ports %d to %d, node '%s' (line %d) %d to %d (one port "
                           "per group)", node->name, node->host, node->port, last,
                           other->name, other->line, other->port, other_last);
                break;
            }
        }
    }
}

static void
s_load_group (s_loader_t *self, act_zpl_t *section, act_topology_t *topo)
{
    if (!section->value || !*section->value) {
        s_problem (self, section->line, "group needs a name: write 'group = NAME'");
        return;
    }
    int existing = act_topology_group_index (topo, section->value);
    if (existing >= 0) {
        s_problem (self, section->line, "duplicate group name '%s' (first at "
                   "line %d)", section->value, topo->groups [existing].line);
        return;
    }
    if (!s_check_name (self, section->line, "group", section->value)) {
        return;
    }
    topo->groups = realloc (topo->groups, (topo->group_count + 1)
                                          * sizeof (act_topo_group_t));
    assert (topo->groups);
    self->parent_lines = s_grow (self->parent_lines, &self->parent_max,
                                 topo->group_count + 1, sizeof (int));
    self->parent_lines [topo->group_count] = 0;
    act_topo_group_t *group = &topo->groups [topo->group_count++];
    memset (group, 0, sizeof *group);
    group->name = strdup (section->value);
    group->line = section->line;
    group->restart = ACT_RESTART_PERMANENT;
    group->start_timeout = topo->start_timeout;
    group->shutdown = topo->shutdown;
    group->link = topo->link;
    group->inbound_max = topo->inbound_max;
    group->inbound_bytes = topo->inbound_bytes;
    group->heartbeat = topo->heartbeat;
    group->heartbeat_misses = topo->heartbeat_misses;
    group->standby = topo->standby;
    group->node = -1;

    //  Settings first, wherever they stand, so the actors' classes are
    //  looked up in the plugin even when it is named after them.
    char *where = zsys_sprintf ("group '%s'", group->name);
    void *plugin = NULL;
    bool plugin_ok = true;
    s_section (self);
    for (act_zpl_t *kv = section->child; kv; kv = kv->next) {
        int index;
        if (streq (kv->name, "actor") || s_duplicate (self, kv, where)) {
            continue;
        }
        if (streq (kv->name, "plugin")) {
            plugin = s_open_plugin (self, kv, group, where);
            plugin_ok = plugin != NULL;
        }
        else
        if (streq (kv->name, "restart")) {
            if ((index = s_enum (self, kv, where, s_restarts)) >= 0) {
                group->restart = (act_restart_t) index;
            }
        }
        else
        if (streq (kv->name, "parent")) {
            const char *parent = s_leaf (self, kv, where, false);
            if (parent) {
                group->parent = strdup (parent);
                self->parent_lines [topo->group_count - 1] = kv->line;
            }
        }
        else
        if (streq (kv->name, "start_timeout")) {
            s_duration (self, kv, where, 1, false, &group->start_timeout);
        }
        else
        if (streq (kv->name, "shutdown")) {
            s_duration (self, kv, where, 0, true, &group->shutdown);
        }
        else
        if (streq (kv->name, "heartbeat")) {
            s_heartbeat (self, kv, where, &group->heartbeat);
        }
        else
        if (streq (kv->name, "heartbeat_misses")) {
            int64_t number;
            if (s_integer (self, kv, where, 1, S_HEARTBEAT_MISSES_MAX, false, &number)) {
                group->heartbeat_misses = (int) number;
            }
        }
        else
        if (streq (kv->name, "link")) {
            s_link (self, kv, where, &group->link);
        }
        else
        if (streq (kv->name, "standby")) {
            s_boolean (self, kv, where, &group->standby);
        }
        else
        if (streq (kv->name, "node")) {
            s_group_node (self, kv, topo, group);
        }
        else
        if (streq (kv->name, "inbound_max")) {
            s_integer (self, kv, where, 1, S_INBOUND_MAX, false, &group->inbound_max);
        }
        else
        if (streq (kv->name, "inbound_bytes")) {
            s_integer (self, kv, where, S_INBOUND_BYTES_MIN, S_INBOUND_BYTES_MAX, true,
                       &group->inbound_bytes);
        }
        else {
            s_unknown_key (self, kv, where, s_group_keys);
        }
    }
    size_t actors = 0;
    for (act_zpl_t *kv = section->child; kv; kv = kv->next) {
        if (streq (kv->name, "actor") && ++actors > ACT_TOPOLOGY_ACTORS_MAX) {
            s_problem (self, kv->line, "group '%s' has more than %d actors, the "
                       "limit of a group: split it", group->name,
                       ACT_TOPOLOGY_ACTORS_MAX);
            break;
        }
        if (streq (kv->name, "actor")) {
            //  A plugin that failed to load would make every class a miss
            s_load_actor (self, kv, group, plugin, plugin_ok);
        }
    }
    bool any_actor = false;
    for (act_zpl_t *kv = section->child; kv; kv = kv->next) {
        any_actor |= streq (kv->name, "actor");
    }
    if (!any_actor) {
        s_problem (self, section->line, "group '%s' has no actors: add an "
                   "'actor = NAME' section", group->name);
    }
    if (plugin) {
        dlclose (plugin);
    }
    free (where);
}

//  Each parent is an existing "group/actor" of another group, and the
//  groups' parent links form a forest: child-stopped messages climb it.
static void
s_check_parents (s_loader_t *self, act_topology_t *topo)
{
    size_t count = topo->group_count;
    int *up = (int *) zmalloc ((count + 1) * sizeof (int));
    for (size_t i = 0; i < count; i++) {
        act_topo_group_t *group = &topo->groups [i];
        int line = self->parent_lines [i];
        up [i] = -1;
        if (!group->parent) {
            continue;
        }
        size_t group_len;
        if (!act_address_valid (group->parent, &group_len)) {
            s_problem (self, line, "bad parent '%s' for group '%s': expected "
                       "GROUP/ACTOR", group->parent, group->name);
            continue;
        }
        const char *slash = group->parent + group_len;
        char *name = strndup (group->parent, group_len);
        int index = act_topology_group_index (topo, name);
        if (index < 0) {
            s_problem (self, line, "parent '%s' of group '%s': no group named "
                       "'%s'", group->parent, group->name, name);
        }
        else
        if ((size_t) index == i) {
            s_problem (self, line, "group '%s' cannot be its own parent "
                       "('%s')", group->name, group->parent);
        }
        else {
            act_topo_group_t *target = &topo->groups [index];
            size_t a = 0;
            while (a < target->actor_count
               &&  !streq (target->actors [a].name, slash + 1)) {
                a++;
            }
            if (a == target->actor_count) {
                s_problem (self, line, "parent '%s' of group '%s': group '%s' "
                           "has no actor '%s'", group->parent, group->name,
                           name, slash + 1);
            }
            else {
                up [i] = index;
            }
        }
        free (name);
    }
    //  A cycle is reported once, at its member that comes first in the file
    for (size_t i = 0; i < count; i++) {
        int at = up [i];
        size_t steps = 0;
        bool lowest = true;
        while (at >= 0 && (size_t) at != i && steps++ < count) {
            lowest &= (size_t) at > i;
            at = up [at];
        }
        if (at < 0 || (size_t) at != i || !lowest) {
            continue;
        }
        char *path = strdup (topo->groups [i].name);
        at = (int) i;
        do {
            at = up [at];
            char *longer = zsys_sprintf ("%s -> %s", path, topo->groups [at].name);
            free (path);
            path = longer;
        } while ((size_t) at != i);
        s_problem (self, self->parent_lines [i], "parent cycle between groups: %s",
                   path);
        free (path);
    }
    free (up);
}

//  ---------------------------------------------------------------------
//  Public API

//  Reads at most ACT_TOPOLOGY_FILE_MAX + 1 bytes, whatever path is (a
//  device, a pipe): /dev/zero must cost a megabyte, not all memory.
//  NULL with errno set; EFBIG when the file is larger than the limit.
static char *
s_read_file (const char *path, size_t *size)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        return NULL;
    }
    char *text = (char *) malloc (ACT_TOPOLOGY_FILE_MAX + 2);
    assert (text);
    *size = 0;
    int error = 0;
    while (*size <= ACT_TOPOLOGY_FILE_MAX) {
        ssize_t got = read (fd, text + *size, ACT_TOPOLOGY_FILE_MAX + 1 - *size);
        if (got == -1 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            error = got == -1 ? errno : 0;
            break;
        }
        *size += (size_t) got;
    }
    close (fd);
    if (!error && *size > ACT_TOPOLOGY_FILE_MAX) {
        error = EFBIG;
    }
    if (error) {
        free (text);
        errno = error;
        return NULL;
    }
    text [*size] = 0;
    return text;
}

//  The limits the ZPL reader does not see: a NUL byte would end the text
//  early, silently; a line past ACT_TOPOLOGY_LINE_MAX is no topology.
//  Lines are counted as act_zpl does (LF, CR, CRLF). False after
//  reporting the first such problem.
static bool
s_check_text (s_loader_t *self, const char *text, size_t size)
{
    int line = 1;
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        char c = i < size ? text [i] : '\n';
        if (c == 0) {
            s_problem (self, line, "NUL byte at column %zu: a topology is text",
                       i - start + 1);
            return false;
        }
        if (c != '\n' && c != '\r') {
            continue;
        }
        if (i - start > ACT_TOPOLOGY_LINE_MAX) {
            s_problem (self, line, "line of %zu bytes, longer than the limit of %d",
                       i - start, ACT_TOPOLOGY_LINE_MAX);
            return false;
        }
        if (c == '\r' && i + 1 < size && text [i + 1] == '\n') {
            i++;
        }
        line++;
        start = i + 1;
    }
    return true;
}

static char *
s_absolute_dir (const char *path)
{
    const char *slash = strrchr (path, '/');
    char *dir = slash ? strndup (path, slash == path ? 1 : (size_t) (slash - path))
                      : strdup (".");
    char *absolute = realpath (dir, NULL);
    free (dir);
    return absolute ? absolute : strdup ("/");
}

//  The groups on the shm link share one region: it must fit region_size.
static void
s_check_region (s_loader_t *self, act_topology_t *topo, int run_line)
{
    size_t count = 0;
    for (size_t i = 0; i < topo->group_count; i++) {
        count += topo->groups [i].link == ACT_LINK_SHM;
    }
    //  One group alone has nobody to share memory with.
    topo->shm_groups = count >= 2 ? count : 0;
    if (!topo->shm_groups) {
        return;
    }
    if (topo->max_msg_size + 64 > topo->area_size) {
        s_problem (self, self->region_line ? self->region_line : run_line,
                   "area_size %lld cannot hold a message of max_msg_size %lld bytes: "
                   "raise area_size or lower max_msg_size",
                   (long long) topo->area_size, (long long) topo->max_msg_size);
    }
    size_t size = act_region_size (count, (size_t) topo->ring_size,
                                   (size_t) topo->area_size);
    if (size == 0 || (int64_t) size > topo->region_size) {
        s_problem (self, self->region_line ? self->region_line : run_line,
                   "the shared region for %zu groups on link shm needs %zu MiB "
                   "(ring_size %lld x %zu rings, area_size %lld x %zu groups), over "
                   "region_size %lld MiB: raise region_size, lower ring_size or "
                   "area_size, or put groups on 'link = ipc'", count,
                   (size + (1 << 20) - 1) >> 20, (long long) topo->ring_size,
                   count * (count - 1), (long long) topo->area_size, count,
                   (long long) (topo->region_size >> 20));
    }
}

//  Groups and the supervisor inherit the soft RLIMIT_NOFILE of actor-run.
//  A group that runs out of fds cannot connect to its peers (a tell then
//  fails with EMFILE), so a run that needs more than the limit is refused
//  here. What a group holds: on ipc, per peer group it reaches over ipc,
//  the connection it opens and the one the peer opens to it; on shm, the
//  region and every shm group's doorbell. (libzmq's own limit,
//  ZMQ_MAX_SOCKETS of 1023 per process, is not at stake: a group uses six
//  sockets however many peers it has; connections are not sockets.)
static void
s_check_fds (s_loader_t *self, act_topology_t *topo, int run_line)
{
    struct rlimit limit;
    if (getrlimit (RLIMIT_NOFILE, &limit) || limit.rlim_cur == RLIM_INFINITY) {
        return;
    }
    size_t region = topo->shm_groups ? topo->shm_groups + 1 : 0;
    size_t ipc_groups = topo->group_count - topo->shm_groups;
    size_t worst = 0, worst_need = 0, worst_peers = 0;
    for (size_t i = 0; i < topo->group_count; i++) {
        bool shm = topo->shm_groups && topo->groups [i].link == ACT_LINK_SHM;
        size_t peers = shm ? ipc_groups : topo->group_count - 1;
        size_t need = S_FDS_GROUP + 2 * peers + (shm ? region : 0);
        if (need > worst_need) {
            worst = i;
            worst_need = need;
            worst_peers = peers;
        }
    }
    const act_topo_group_t *group = &topo->groups [worst];
    bool shm = topo->shm_groups && group->link == ACT_LINK_SHM;
    if (worst_need > limit.rlim_cur) {
        s_problem (self, group->line,
                   "group '%s' needs about %zu file descriptors (2 per group it reaches "
                   "over ipc: %zu groups, %zu for the shared region, %d for the process), "
                   "over the soft limit RLIMIT_NOFILE of %llu: raise it (ulimit -n), "
                   "run fewer groups, or put groups on 'link = shm' (one doorbell per "
                   "group instead of two connections)", group->name, worst_need,
                   worst_peers, shm ? region : 0, S_FDS_GROUP,
                   (unsigned long long) limit.rlim_cur);
    }
    //  A standby holds one more in actor-run for the whole run: left
    //  out, the standbys took what the control socket's clients and the
    //  starts that fork need, in a run this check let through
    size_t standbys = 0;
    for (size_t i = 0; i < topo->group_count; i++) {
        standbys += topo->groups [i].standby;
    }
    size_t need = S_FDS_SUP + S_FDS_SUP_PER_GROUP * topo->group_count
                + S_FDS_SUP_PER_STANDBY * standbys + region;
    if (need > limit.rlim_cur) {
        s_problem (self, run_line,
                   "actor-run needs about %zu file descriptors for %zu groups (%d per "
                   "group, %d per standby: %zu, %zu for the shared region, %d for "
                   "itself), over the soft limit RLIMIT_NOFILE of %llu: raise it "
                   "(ulimit -n), run fewer groups or set 'standby = false'", need,
                   topo->group_count, S_FDS_SUP_PER_GROUP, S_FDS_SUP_PER_STANDBY,
                   standbys, region, S_FDS_SUP, (unsigned long long) limit.rlim_cur);
    }
}

//  Builds the topology from a tree without syntax errors.
static act_topology_t *
s_load (s_loader_t *self, act_zpl_t *root)
{
    act_topology_t *topo = (act_topology_t *) zmalloc (sizeof (act_topology_t));
    topo->file = strdup (self->file);
    topo->strategy = ACT_STRATEGY_ONE_FOR_ONE;
    topo->intensity = S_DEF_INTENSITY;
    topo->period = S_DEF_PERIOD;
    topo->shutdown = S_DEF_SHUTDOWN;
    topo->start_timeout = S_DEF_START_TIMEOUT;
    topo->backoff_min = S_DEF_BACKOFF_MIN;
    topo->backoff_max = S_DEF_BACKOFF_MAX;
    topo->max_msg_size = S_DEF_MAX_MSG_SIZE;
    topo->hwm = S_DEF_HWM;
    topo->heartbeat = S_DEF_HEARTBEAT;
    topo->heartbeat_misses = S_DEF_HEARTBEAT_MISSES;
    topo->standby = true;
    topo->link = ACT_LINK_SHM;
    topo->inbound_max = ACT_TRANSPORT_INBOUND_MAX_DEFAULT;
    topo->inbound_bytes = ACT_TRANSPORT_INBOUND_BYTES_DEFAULT;
    topo->ring_size = ACT_REGION_RING_DEFAULT;
    topo->area_size = ACT_REGION_AREA_DEFAULT;
    topo->region_size = ACT_REGION_SIZE_DEFAULT;

    act_zpl_t *run = NULL;
    for (act_zpl_t *kv = root->child; kv; kv = kv->next) {
        if (streq (kv->name, "run")) {
            if (run) {
                s_problem (self, kv->line, "duplicate run section (first at "
                           "line %d)", run->line);
            }
            else {
                run = kv;
                s_load_run (self, kv, topo);
            }
        }
        else
        if (!streq (kv->name, "group") && !streq (kv->name, "node")) {
            s_unknown_key (self, kv, NULL, s_top_keys);
        }
    }
    if (!run) {
        s_problem (self, 0, "missing required section 'run'");
    }
    //  Nodes before groups, wherever they stand: groups name them
    for (act_zpl_t *kv = root->child; kv; kv = kv->next) {
        if (streq (kv->name, "node")) {
            s_load_node (self, kv, topo);
        }
    }
    //  Groups after run, wherever it stands: they inherit its defaults
    size_t groups = 0;
    for (act_zpl_t *kv = root->child; kv; kv = kv->next) {
        if (streq (kv->name, "group") && ++groups > ACT_TOPOLOGY_GROUPS_MAX) {
            s_problem (self, kv->line, "more than %d groups, the limit of a run",
                       ACT_TOPOLOGY_GROUPS_MAX);
            break;
        }
        if (streq (kv->name, "group")) {
            s_load_group (self, kv, topo);
        }
    }
    bool any_group = groups > 0;
    if (!any_group) {
        s_problem (self, 0, "no groups: a run needs at least one "
                   "'group = NAME' section");
    }
    s_check_parents (self, topo);
    s_check_nodes (self, topo);
    s_check_region (self, topo, run ? run->line : 0);
    //  The limit of the shell a command runs in is not the run's
    if (topo->group_count && !self->control) {
        s_check_fds (self, topo, run ? run->line : 0);
    }
    return topo;
}

//  Loads from text, which holds size bytes and a NUL after them, or
//  reports why the file could not be read (text NULL, errno set); then
//  hands the problems over to errors.
static act_topology_t *
s_load_all (const char *path, char *text, size_t size, zlist_t *errors, bool control)
{
    s_loader_t loader = { .file = path, .seen = zhashx_new (), .control = control };
    act_topology_t *topo = NULL;
    int error = text ? EINVAL : errno;
    if (text && s_check_text (&loader, text, size)) {
        loader.dir = s_absolute_dir (path);
        act_zpl_t *root = act_zpl_parse (text, s_syntax_error, &loader);
        //  A tree with syntax errors has lost lines: checking it would
        //  only report their echoes.
        if (loader.seq == 0) {
            topo = s_load (&loader, root);
        }
        act_zpl_destroy (&root);
    }
    else
    if (!text && error == EFBIG) {
        s_problem (&loader, 0, "unable to read topology: larger than %d bytes "
                   "(1 MiB), the limit of a topology", ACT_TOPOLOGY_FILE_MAX);
    }
    else
    if (!text) {
        s_problem (&loader, 0, "unable to read topology: %s", strerror (error));
    }
    if (loader.seq) {
        act_topology_destroy (&topo);
    }
    for (size_t i = 0; i < loader.count; i++) {
        if (errors) {
            zlist_append (errors, loader.problems [i].text);
        }
        free (loader.problems [i].text);
    }
    if (errors && loader.dropped) {
        char *more = zsys_sprintf ("... and %zu more error%s", loader.dropped,
                                   loader.dropped == 1 ? "" : "s");
        zlist_append (errors, more);
        free (more);
    }
    zhashx_destroy (&loader.seen);
    free (loader.dir);
    free (loader.parent_lines);
    if (!topo) {
        errno = error;
    }
    return topo;
}

static act_topology_t *
s_load_path (const char *path, zlist_t *errors, bool control)
{
    if (!path) {
        errno = EINVAL;
        return NULL;
    }
    size_t size = 0;
    char *text = s_read_file (path, &size);
    act_topology_t *topo = s_load_all (path, text, size, errors, control);
    int error = errno;
    free (text);
    errno = error;
    return topo;
}

act_topology_t *
act_topology_load (const char *path, zlist_t *errors)
{
    return s_load_path (path, errors, false);
}

act_topology_t *
act_topology_load_control (const char *path, zlist_t *errors)
{
    return s_load_path (path, errors, true);
}

act_topology_t *
act_topology_load_text (const char *file, const char *text, size_t size,
                        zlist_t *errors)
{
    if (!file || (!text && size)) {
        errno = EINVAL;
        return NULL;
    }
    char *copy = NULL;
    if (size > ACT_TOPOLOGY_FILE_MAX) {
        errno = EFBIG;
    }
    else {
        //  The ZPL reader cuts lines in place and wants a NUL at the end
        copy = (char *) malloc (size + 1);
        assert (copy);
        if (size) {
            memcpy (copy, text, size);
        }
        copy [size] = 0;
    }
    act_topology_t *topo = s_load_all (file, copy, size, errors, false);
    int error = errno;
    free (copy);
    errno = error;
    return topo;
}

//  ---------------------------------------------------------------------
//  Printing

//  A value as ZPL reads it back: bare when it can be, else in the quotes
//  it does not hold. Every value the reader gave has one of these forms.
static void
s_print_value (FILE *stream, const char *key, const char *value, int depth)
{
    size_t len = strlen (value);
    bool bare = len > 0 && !strchr (value, '#') && value [0] != '"' && value [0] != '\''
             && !isspace ((unsigned char) value [0])
             && !isspace ((unsigned char) value [len - 1]);
    const char *quote = bare ? "" : strchr (value, '"') ? "'" : "\"";
    fprintf (stream, "%*s%s = %s%s%s\n", depth * 4, "", key, quote, value, quote);
}

static void
s_print_duration (FILE *stream, const char *key, int ms, int depth)
{
    if (ms == ACT_TOPOLOGY_INFINITY) {
        fprintf (stream, "%*s%s = infinity\n", depth * 4, "", key);
    }
    else {
        fprintf (stream, "%*s%s = %dms\n", depth * 4, "", key, ms);
    }
}

static void
s_print_heartbeat (FILE *stream, int ms, int misses)
{
    if (ms) {
        s_print_duration (stream, "heartbeat", ms, 1);
    }
    else {
        fprintf (stream, "    heartbeat = off\n");
    }
    fprintf (stream, "    heartbeat_misses = %d\n", misses);
}

int
act_topology_print (const act_topology_t *self, FILE *stream)
{
    if (!self || !stream) {
        errno = EINVAL;
        return -1;
    }
    fprintf (stream, "run\n");
    s_print_value (stream, "name", self->name, 1);
    s_print_value (stream, "strategy", s_strategies [self->strategy], 1);
    fprintf (stream, "    intensity = %d\n", self->intensity);
    s_print_duration (stream, "period", self->period, 1);
    s_print_duration (stream, "shutdown", self->shutdown, 1);
    s_print_duration (stream, "start_timeout", self->start_timeout, 1);
    s_print_duration (stream, "backoff_min", self->backoff_min, 1);
    s_print_duration (stream, "backoff_max", self->backoff_max, 1);
    fprintf (stream, "    max_msg_size = %lld\n", (long long) self->max_msg_size);
    fprintf (stream, "    hwm = %d\n", self->hwm);
    s_print_value (stream, "link", self->link == ACT_LINK_SHM ? "shm" : "ipc", 1);
    fprintf (stream, "    inbound_max = %lld\n", (long long) self->inbound_max);
    fprintf (stream, "    inbound_bytes = %lld\n", (long long) self->inbound_bytes);
    s_print_heartbeat (stream, self->heartbeat, self->heartbeat_misses);
    s_print_value (stream, "standby", self->standby ? "true" : "false", 1);
    fprintf (stream, "    ring_size = %lld\n", (long long) self->ring_size);
    fprintf (stream, "    area_size = %lld\n", (long long) self->area_size);
    fprintf (stream, "    region_size = %lld\n", (long long) self->region_size);
    s_print_value (stream, "log_format", s_log_formats [self->log_format], 1);
    if (self->log_file) {
        s_print_value (stream, "log_file", self->log_file, 1);
    }
    for (size_t i = 0; i < self->node_count; i++) {
        const act_topo_node_t *node = &self->nodes [i];
        s_print_value (stream, "node", node->name, 0);
        s_print_value (stream, "endpoint", node->endpoint, 1);
        s_print_value (stream, "public_key", node->public_key, 1);
    }
    for (size_t i = 0; i < self->group_count; i++) {
        const act_topo_group_t *group = &self->groups [i];
        s_print_value (stream, "group", group->name, 0);
        if (group->node >= 0) {
            s_print_value (stream, "node", self->nodes [group->node].name, 1);
        }
        if (group->plugin) {
            s_print_value (stream, "plugin", group->plugin, 1);
        }
        s_print_value (stream, "restart", s_restarts [group->restart], 1);
        if (group->parent) {
            s_print_value (stream, "parent", group->parent, 1);
        }
        s_print_duration (stream, "start_timeout", group->start_timeout, 1);
        s_print_duration (stream, "shutdown", group->shutdown, 1);
        s_print_value (stream, "link", group->link == ACT_LINK_SHM ? "shm" : "ipc", 1);
        fprintf (stream, "    inbound_max = %lld\n", (long long) group->inbound_max);
        fprintf (stream, "    inbound_bytes = %lld\n", (long long) group->inbound_bytes);
        s_print_heartbeat (stream, group->heartbeat, group->heartbeat_misses);
        s_print_value (stream, "standby", group->standby ? "true" : "false", 1);
        for (size_t a = 0; a < group->actor_count; a++) {
            const act_topo_actor_t *actor = &group->actors [a];
            s_print_value (stream, "actor", actor->name, 1);
            s_print_value (stream, "class", actor->cls, 2);
            if (actor->args) {
                s_print_value (stream, "args", actor->args, 2);
            }
        }
    }
    return ferror (stream) ? -1 : 0;
}

static void
s_free_groups (act_topo_group_t *groups, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        act_topo_group_t *group = &groups [i];
        for (size_t a = 0; a < group->actor_count; a++) {
            free (group->actors [a].name);
            free (group->actors [a].cls);
            free (group->actors [a].args);
        }
        free (group->actors);
        free (group->name);
        free (group->plugin);
        free (group->parent);
        free (group->endpoint);
    }
    free (groups);
}

void
act_topology_destroy (act_topology_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    act_topology_t *self = *self_p;
    s_free_groups (self->groups, self->group_count);
    s_free_groups (self->others, self->other_count);
    for (size_t i = 0; i < self->node_count; i++) {
        free (self->nodes [i].name);
        free (self->nodes [i].endpoint);
        free (self->nodes [i].host);
        free (self->nodes [i].public_key);
    }
    free (self->nodes);
    free (self->file);
    free (self->name);
    free (self->log_file);
    free (self);
    *self_p = NULL;
}

int
act_topology_group_index (const act_topology_t *self, const char *name)
{
    if (!self || !name) {
        return -1;
    }
    for (size_t i = 0; i < self->group_count; i++) {
        if (streq (self->groups [i].name, name)) {
            return (int) i;
        }
    }
    return -1;
}

int
act_topology_node_index (const act_topology_t *self, const char *name)
{
    for (size_t i = 0; self && name && i < self->node_count; i++) {
        if (streq (self->nodes [i].name, name)) {
            return (int) i;
        }
    }
    return -1;
}

int
act_topology_keep_node (act_topology_t *self, const char *name)
{
    int node = act_topology_node_index (self, name);
    if (node < 0 || self->others) {
        errno = ENOENT;
        return -1;
    }
    self->others = (act_topo_group_t *) calloc (self->group_count + 1,
                                                 sizeof (act_topo_group_t));
    assert (self->others);
    size_t kept = 0, shm = 0;
    for (size_t i = 0; i < self->group_count; i++) {
        if (self->groups [i].node == node) {
            self->groups [kept++] = self->groups [i];
            shm += self->groups [kept - 1].link == ACT_LINK_SHM;
        }
        else {
            self->others [self->other_count++] = self->groups [i];
        }
    }
    self->group_count = kept;
    //  The region holds this host's shm groups only
    self->shm_groups = shm >= 2 ? shm : 0;
    return node;
}
