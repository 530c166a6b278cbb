/*  bench_transport - messages between two groups in two processes, beside
    raw libzmq ipc between two processes
    SPDX-License-Identifier: MPL-2.0

    As issue 4 asks: cross-group ping-pong round trip and one-way
    throughput with 64-byte payloads, and in the same run raw libzmq ipc
    PAIR ping-pong and PUSH/PULL throughput between two processes; each
    both unpinned and with both processes pinned to CPU 0.

    The main process only coordinates: it never creates a ZeroMQ context
    or a system. For each measurement it forks two children ("a" and "b"),
    which pin themselves if asked, create their own context or system, and
    (for actorio) join a fresh run directory as groups a and b. Children
    send fixed-size reports back through a pipe; the main process bounds
    every measurement with a deadline, then tells both children to quit
    (or to print their transport counters first, when a measurement hung).

    Over the shm link too (issue 7): the same measurements between groups
    that share an act_region_t, then 1 MiB payloads with a ping-pong
    beside them; the shared-memory floors (../shared/peers/phys, named
    by --phys or BENCH_PHYS) run right before the shm round trips, and a
    second table sets the shm rows against them and the ipc link.

    Over the tcp link (issue 11): groups a and b as two nodes on
    127.0.0.1, round trip and throughput, CURVE on and off, beside raw
    libzmq tcp PAIR and PUSH/PULL with CURVE on and off as well; a third
    table gives the ratios (--only tcp runs these alone).

    Usage: bench_transport [--quick] [--only rtt|thr|big|tcp]
                           [--setting unpinned|pinned] [--phys PATH]
           bench_transport --table FILE...    medians of the RESULT lines in
                                              FILEs, as tables
    For experiments only: BENCH_HWM=N joins both groups with high-water
    mark N (said in the RESULT line); BENCH_FILTER=PREFIX runs only the
    measurements whose name starts with PREFIX.
*/
#define _GNU_SOURCE
#include <actorio.h>
#include <zmq.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "bench_util.h"
//  The tcp link is joined with the map that actor-run gives a group
#include "act_link.h"
#include "act_host.h"

#define PAYLOAD         64          //  bytes per message, as the peers send
#define RTT_N           20000       //  timed round trips
#define RTT_WARM        1000        //  untimed round trips first
#define THR_N           1000000     //  messages one way
#define THR_BATCH       1000        //  sends per sender callback at most
#define PAIR_MS         60000       //  longest one measurement may take
#define STALL_MS        10000       //  no progress this long: give up
#define QUIT_MS         15000       //  longest a child may take to exit
#define BIG             (1024 * 1024)   //  bytes per large payload
#define BIG_N           4096        //  large payloads one way (4 GiB)
#define STREAM_WARM     10          //  untimed round trips beside the stream
#define FLOOR_SPIN_N    100000      //  round trips of the busy-poll floor
#define FLOOR_FUTEX_N   50000       //  round trips of the futex floor

enum {
    BM_PING = 1,                    //  pinger -> ponger, corr = sequence
    BM_PONG,                        //  ponger -> pinger, corr copied
    BM_DATA,                        //  source -> sink, corr = sequence
    BM_MORE                         //  source -> itself: go on sending
};

//  What a child tells the main process; under PIPE_BUF, so one write.
typedef struct {
    char role;                      //  'a' or 'b'
    int ok;                         //  1 if measured, 0 if failed
    double value;                   //  median RTT in us, msgs/s or bytes/s
    double mean;                    //  mean RTT in us (round trips)
    double p99;                     //  99th percentile RTT in us (round trips)
    uint64_t count;                 //  round trips or messages seen
    uint64_t errors;                //  out of order, wrong size, bad sends
    uint64_t eagain;                //  source: tells refused with EAGAIN
    uint64_t sleeps;                //  source: waits for ACT_MSG_WRITABLE
    char what [200];                //  why it failed
} s_report_t;

//  What both children of one measurement share (set before the fork).
typedef struct {
    const char *rundir;             //  fresh directory for endpoints
    bool pinned;                    //  pin to CPU 0 before anything else
    long n;                         //  timed round trips or messages
    int results;                    //  write end: reports to the main process
    int ready_r;                    //  a reads: b is bound and listening
    int ready_w;                    //  b writes one byte when it is
    int control;                    //  this child's read end: 'q' or 'r'
} s_pair_t;

typedef int (s_role_fn) (s_pair_t *pair);

static char s_payload [PAYLOAD];
//  For experiments, from the environment: BENCH_HWM for both groups'
//  act_transport_join (0: the default).
static int s_hwm = 0;
//  The shared region of the measurement's two groups, when it measures
//  the shm link; made by the main process before it forks them.
static act_region_t *s_region = NULL;
//  Over tcp: the raw sockets and the groups use 127.0.0.1, with CURVE
//  when s_curve; the groups are nodes n1 (a) and n2 (b), with the map
//  in s_net (one per group: each holds its node's keys).
static bool s_tcp = false;
static bool s_curve = false;
static act_group_place_t s_places [2];
static act_group_net_t s_net [2];
static char s_public [2][41];
static char s_secret [2][41];
static char s_endpoints [2][64];


//  ---------------------------------------------------------------------
//  Helpers shared by the children

static void
s_send_report (int fd, s_report_t *report)
{
    if (write (fd, report, sizeof *report) != (ssize_t) sizeof *report) {
        fprintf (stderr, "bench_transport: %c: cannot report: %s\n",
                 report->role, strerror (errno));
    }
}

static void
s_report_fail (int fd, char role, const char *format, ...)
{
    s_report_t report = { .role = role };
    va_list args;
    va_start (args, format);
    vsnprintf (report.what, sizeof report.what, format, args);
    va_end (args);
    s_send_report (fd, &report);
}

//  Wait until fd is readable, at most ms; true if it is.
static bool
s_readable (int fd, int ms)
{
    struct pollfd item = { fd, POLLIN, 0 };
    int rc;
    do {
        rc = poll (&item, 1, ms);
    } while (rc < 0 && errno == EINTR);
    return rc > 0;
}

//  b: say it is bound. a: wait for that (false if b failed or is late).
static void
s_say_ready (s_pair_t *pair)
{
    if (write (pair->ready_w, "R", 1) != 1) {
        fprintf (stderr, "bench_transport: b: cannot say ready\n");
    }
}

static bool
s_wait_ready (s_pair_t *pair)
{
    char byte;
    return s_readable (pair->ready_r, STALL_MS) && read (pair->ready_r, &byte, 1) == 1;
}

//  Block until the main process says what to do: 'q' quit, 'r' report
//  counters then quit. EOF means quit.
static char
s_wait_command (s_pair_t *pair)
{
    char command = 'q';
    ssize_t rc;
    do {
        rc = read (pair->control, &command, 1);
    } while (rc < 0 && errno == EINTR);
    return rc == 1? command: 'q';
}

static int
s_compare_u32 (const void *left, const void *right)
{
    uint32_t a = * (const uint32_t *) left, b = * (const uint32_t *) right;
    return (a > b) - (a < b);
}

//  Median, 99th percentile and mean of n round trip times in ns, into
//  the report in us; NAN for none.
static void
s_rtt_stats (uint32_t *samples, long n, s_report_t *report)
{
    if (n < 1) {
        report->value = report->mean = report->p99 = NAN;
        return;
    }
    double sum = 0;
    for (long index = 0; index < n; index++) {
        sum += samples [index];
    }
    qsort (samples, (size_t) n, sizeof *samples, s_compare_u32);
    double median = n % 2? samples [n / 2]
                         : (samples [n / 2 - 1] + (double) samples [n / 2]) / 2;
    long p99 = n * 99 / 100 < n? n * 99 / 100: n - 1;
    report->value = median / 1e3;
    report->p99 = samples [p99] / 1e3;
    report->mean = sum / n / 1e3;
}

//  Print what the transport counted, to stderr, when a measurement hung.
static void
s_print_stats (act_system_t *system, char role)
{
    act_transport_stats_t stats;
    if (act_transport_stats (system, &stats) == 0) {
        fprintf (stderr, "bench_transport: %c: transport sent %" PRIu64 ", received %"
                 PRIu64 ", dropped %" PRIu64 ", malformed %" PRIu64 ", unknown %"
                 PRIu64 "; system delivered %" PRIu64 ", dead letters %" PRIu64 "\n",
                 role, stats.sent, stats.received, stats.dropped, stats.malformed,
                 stats.unknown, act_system_delivered (system),
                 act_system_dead_letters (system));
    }
}

//  A system joined to the pair's run directory as group (a or b).
static act_system_t *
s_group_new (s_pair_t *pair, const char *group)
{
    act_system_t *system = act_system_new (group);
    if (!system) {
        s_report_fail (pair->results, group [0], "act_system_new: %s", strerror (errno));
        return NULL;
    }
    act_peers_conf_t conf = { group, pair->rundir, s_region, 0, s_hwm,
                              s_tcp ? &s_net [group [0] == 'b'] : NULL, NULL };
    int rc = act_peers_join_system (system, conf);
    if (rc) {
        s_report_fail (pair->results, group [0], "act_transport_join: %s",
                       strerror (errno));
        act_system_destroy (&system);
    }
    return system;
}

//  Wait for the main process, then tear the group down.
static int
s_group_end (s_pair_t *pair, act_system_t **system_p, char role)
{
    if (s_wait_command (pair) == 'r') {
        s_print_stats (*system_p, role);
    }
    act_system_destroy (system_p);
    return 0;
}


//  ---------------------------------------------------------------------
//  (1) actorio ping-pong: a/ping tells b/pong a 64-byte message, b/pong
//  replies with a new one (act_tell / act_reply). The pinger times each
//  round trip after RTT_WARM untimed ones.

typedef struct {
    act_system_t *system;           //  for act_lookup and counters
    long n;                         //  timed round trips (at most, with until)
    int results;                    //  where the report goes
    long warm;                      //  untimed round trips first
    const bool *until;              //  NULL, or report once it is true (set
                                    //  by another actor of the same loop)
} s_ping_args_t;

typedef struct {
    s_ping_args_t *args;            //  the measurement's parameters
    act_ref_t *pong;                //  b/pong, owned
    uint32_t *samples;              //  one RTT per timed round trip, ns
    long done;                      //  round trips completed
    uint64_t sent_at;               //  when the outstanding ping left, ns
    uint64_t errors;                //  pongs out of order or wrong size
    bool reported;                  //  the report is written
} s_pinger_t;

static int
s_ping (s_pinger_t *state)
{
    act_msg_t *ping = act_msg_new_data (BM_PING, s_payload, PAYLOAD);
    act_msg_set_corr (ping, (uint64_t) state->done + 1);
    state->sent_at = bench_now_ns ();
    if (act_tell (state->pong, &ping)) {
        s_report_fail (state->args->results, 'a', "tell b/pong: %s", strerror (errno));
        state->reported = true;
        return -1;
    }
    return ACT_OK;
}

//  Once a second: a round trip that takes STALL_MS means a lost message.
static int
s_pinger_watch (act_t *self, int timer_id, void *arg)
{
    (void) timer_id;
    (void) arg;
    s_pinger_t *state = act_state (self);
    if (!state->reported
    &&  bench_now_ns () - state->sent_at > (uint64_t) STALL_MS * 1000000) {
        act_transport_stats_t stats = { 0 };
        act_transport_stats (state->args->system, &stats);
        s_report_fail (state->args->results, 'a',
                       "no pong for ping %ld within %d s (a sent %" PRIu64
                       ", received %" PRIu64 ", dropped %" PRIu64 ")",
                       state->done + 1, STALL_MS / 1000, stats.sent, stats.received,
                       stats.dropped);
        state->reported = true;
    }
    return ACT_OK;
}

static int
s_pinger_setup (act_t *self, void *args)
{
    s_pinger_t *state = act_state (self);
    state->args = args;
    state->samples = calloc ((size_t) state->args->n, sizeof *state->samples);
    state->pong = act_lookup (state->args->system, "b/pong");
    if (!state->samples || !state->pong) {
        s_report_fail (state->args->results, 'a', "cannot set up the pinger");
        state->reported = true;
        return -1;
    }
    act_every (self, 1000, s_pinger_watch, NULL);
    return s_ping (state);
}

static int
s_pinger_handle (act_t *self, act_msg_t *msg)
{
    s_pinger_t *state = act_state (self);
    if (act_msg_type (msg) != BM_PONG) {
        return ACT_UNHANDLED;
    }
    uint64_t now = bench_now_ns ();
    if (act_msg_corr (msg) != (uint64_t) state->done + 1
    ||  act_msg_size (msg) != PAYLOAD) {
        state->errors++;
    }
    long warm = state->args->warm;
    if (state->done >= warm) {
        state->samples [state->done - warm] = (uint32_t) (now - state->sent_at);
    }
    state->done++;
    bool over = state->args->until && *state->args->until;
    if (!over && state->done < warm + state->args->n) {
        return s_ping (state);
    }
    if (!state->reported) {
        long timed = state->done > warm? state->done - warm: 0;
        s_report_t report = { .role = 'a', .ok = 1, .count = (uint64_t) timed,
                              .errors = state->errors };
        s_rtt_stats (state->samples, timed, &report);
        s_send_report (state->args->results, &report);
        state->reported = true;
    }
    return ACT_OK;
}

static void
s_pinger_teardown (act_t *self)
{
    s_pinger_t *state = act_state (self);
    act_ref_destroy (&state->pong);
    free (state->samples);
}

static int
s_ponger_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) != BM_PING) {
        return ACT_UNHANDLED;
    }
    //  A new message back, as the peers' pongers send one.
    act_msg_t *pong = act_msg_new_data (BM_PONG, act_msg_data (msg), act_msg_size (msg));
    return act_reply (msg, &pong) == 0? ACT_OK: -1;
}

static const act_class_t s_pinger_class = {
    .name = "bench-pinger", .state_size = sizeof (s_pinger_t),
    .setup = s_pinger_setup, .handle = s_pinger_handle, .teardown = s_pinger_teardown
};
static const act_class_t s_ponger_class = {
    .name = "bench-ponger", .handle = s_ponger_handle
};

static int
s_actor_rtt_a (s_pair_t *pair)
{
    act_system_t *system = s_group_new (pair, "a");
    if (!system) {
        s_wait_command (pair);
        return 1;
    }
    s_ping_args_t args = { system, pair->n, pair->results, RTT_WARM, NULL };
    act_ref_t *pinger = NULL;
    if (!s_wait_ready (pair)) {
        s_report_fail (pair->results, 'a', "group b never said it was ready");
    }
    else {
        pinger = act_spawn_named (system, "ping", &s_pinger_class, &args);
        if (!pinger) {
            s_report_fail (pair->results, 'a', "cannot spawn the pinger: %s",
                           strerror (errno));
        }
    }
    //  The pinger reports; it stays alive until the system goes.
    act_ref_destroy (&pinger);
    return s_group_end (pair, &system, 'a');
}

static int
s_actor_rtt_b (s_pair_t *pair)
{
    act_system_t *system = s_group_new (pair, "b");
    if (!system) {
        s_wait_command (pair);
        return 1;
    }
    act_ref_t *ponger = act_spawn_named (system, "pong", &s_ponger_class, NULL);
    if (ponger) {
        s_say_ready (pair);
    }
    else {
        s_report_fail (pair->results, 'b', "cannot spawn the ponger: %s", strerror (errno));
    }
    //  The name keeps it reachable; the system stops it.
    act_ref_destroy (&ponger);
    return s_group_end (pair, &system, 'b');
}


//  ---------------------------------------------------------------------
//  (2) actorio one-way throughput: a/source tells b/sink n 64-byte
//  messages numbered in corr. A tell refused with EAGAIN (the peer's
//  queue is at the high-water mark; the message is gone) is counted, and
//  the same number is sent again when the runtime says the queue has room
//  (ACT_MSG_WRITABLE). No progress for STALL_MS ends it. The sink times
//  from its first receipt to its last and checks the order.

typedef struct {
    act_system_t *system;           //  for act_lookup and counters
    long n;                         //  messages to send
    int results;                    //  where the report goes
} s_flow_args_t;

typedef struct {
    s_flow_args_t *args;            //  the measurement's parameters
    act_ref_t *sink;                //  b/sink, owned (source only)
    long next;                      //  source: next number to send;
                                    //  sink: next number expected
    long stalls;                    //  source: refusals in a row;
                                    //  sink: next at the last watch
    uint64_t progress;              //  source: first refusal of a row, ns;
                                    //  sink: watches without progress
    uint64_t t0;                    //  sink: first receipt, ns
    bool reported;                  //  the report is written
    s_report_t report;              //  counters so far
} s_flow_t;

static int s_source_send (act_t *self);

//  STALL_MS after a refusal: if no ACT_MSG_WRITABLE brought progress, the
//  run is stuck; say so rather than hang.
static int
s_source_stalled (act_t *self, int timer_id, void *arg)
{
    (void) timer_id;
    s_flow_t *state = act_state (self);
    if (state->reported || state->next != (long) (intptr_t) arg)
        return ACT_OK;
    s_report_fail (state->args->results, 'a',
                   "b/sink refused #%ld for %d s (%" PRIu64 " EAGAIN)",
                   state->next, STALL_MS / 1000, state->report.eagain);
    state->reported = true;
    return ACT_STOP;
}

static int
s_source_send (act_t *self)
{
    s_flow_t *state = act_state (self);
    long end = state->next + THR_BATCH < state->args->n? state->next + THR_BATCH
                                                       : state->args->n;
    while (state->next < end) {
        act_msg_t *data = act_msg_new_data (BM_DATA, s_payload, PAYLOAD);
        act_msg_set_corr (data, (uint64_t) state->next);
        if (act_tell (state->sink, &data) == 0) {
            state->next++;
            state->stalls = 0;
            continue;
        }
        if (errno != EAGAIN) {
            s_report_fail (state->args->results, 'a', "tell b/sink #%ld: %s",
                           state->next, strerror (errno));
            state->reported = true;
            return ACT_STOP;
        }
        //  Refused at the high-water mark: the message is gone. The
        //  runtime tells us (ACT_MSG_WRITABLE) when b's queue has room;
        //  the same number goes again then.
        state->report.eagain++;
        state->report.sleeps++;
        act_after (self, STALL_MS, s_source_stalled, (void *) (intptr_t) state->next);
        return ACT_OK;
    }
    if (state->next < state->args->n) {
        act_msg_t *more = act_msg_new (BM_MORE);
        return act_tell (act_self (self), &more) == 0? ACT_OK: -1;
    }
    state->report.role = 'a';
    state->report.ok = 1;
    state->report.count = (uint64_t) state->next;
    s_send_report (state->args->results, &state->report);
    state->reported = true;
    return ACT_OK;
}

static int
s_source_setup (act_t *self, void *args)
{
    s_flow_t *state = act_state (self);
    state->args = args;
    state->sink = act_lookup (state->args->system, "b/sink");
    if (!state->sink) {
        s_report_fail (state->args->results, 'a', "act_lookup b/sink: %s", strerror (errno));
        state->reported = true;
        return -1;
    }
    act_msg_t *more = act_msg_new (BM_MORE);
    return act_tell (act_self (self), &more) == 0? ACT_OK: -1;
}

static int
s_source_handle (act_t *self, act_msg_t *msg)
{
    uint32_t type = act_msg_type (msg);
    return type == BM_MORE || type == ACT_MSG_WRITABLE? s_source_send (self): ACT_UNHANDLED;
}

static void
s_source_teardown (act_t *self)
{
    s_flow_t *state = act_state (self);
    act_ref_destroy (&state->sink);
}

//  Once a second: nothing received for STALL_MS means lost messages.
//  (Progress is read here, not per message: the sink times only its
//  first and last receipt, so the clock is no part of what it measures.)
static int
s_sink_watch (act_t *self, int timer_id, void *arg)
{
    (void) timer_id;
    (void) arg;
    s_flow_t *state = act_state (self);
    if (state->next != state->stalls || state->reported) {
        state->stalls = state->next;
        state->progress = 0;
    }
    else
    if (++state->progress >= STALL_MS / 1000) {
        act_transport_stats_t stats = { 0 };
        act_transport_stats (state->args->system, &stats);
        s_report_fail (state->args->results, 'b',
                       "sink got %ld of %ld, then nothing for %d s "
                       "(b received %" PRIu64 ", unknown %" PRIu64 ", malformed %"
                       PRIu64 ", %" PRIu64 " out of order)",
                       state->next, state->args->n, STALL_MS / 1000, stats.received,
                       stats.unknown, stats.malformed, state->report.errors);
        state->reported = true;
    }
    return ACT_OK;
}

static int
s_sink_setup (act_t *self, void *args)
{
    s_flow_t *state = act_state (self);
    state->args = args;
    return act_every (self, 1000, s_sink_watch, NULL) > 0? ACT_OK: -1;
}

static int
s_sink_handle (act_t *self, act_msg_t *msg)
{
    s_flow_t *state = act_state (self);
    if (act_msg_type (msg) != BM_DATA) {
        return ACT_UNHANDLED;
    }
    if (state->next == 0) {
        state->t0 = bench_now_ns ();
    }
    //  FIFO per pair and a resend of every refused number: 0, 1, 2, ...
    if (act_msg_corr (msg) != (uint64_t) state->next || act_msg_size (msg) != PAYLOAD) {
        state->report.errors++;
    }
    if (++state->next == state->args->n && !state->reported) {
        uint64_t now = bench_now_ns ();
        state->report.role = 'b';
        state->report.ok = 1;
        state->report.count = (uint64_t) state->next;
        state->report.value = (state->args->n - 1) / ((now - state->t0) / 1e9);
        s_send_report (state->args->results, &state->report);
        state->reported = true;
    }
    return ACT_OK;
}

static const act_class_t s_source_class = {
    .name = "bench-source", .state_size = sizeof (s_flow_t),
    .setup = s_source_setup, .handle = s_source_handle, .teardown = s_source_teardown
};
static const act_class_t s_sink_class = {
    .name = "bench-sink", .state_size = sizeof (s_flow_t),
    .setup = s_sink_setup, .handle = s_sink_handle
};

static int
s_actor_thr_a (s_pair_t *pair)
{
    act_system_t *system = s_group_new (pair, "a");
    if (!system) {
        s_wait_command (pair);
        return 1;
    }
    s_flow_args_t args = { system, pair->n, pair->results };
    act_ref_t *source = NULL;
    if (!s_wait_ready (pair)) {
        s_report_fail (pair->results, 'a', "group b never said it was ready");
    }
    else {
        source = act_spawn_named (system, "source", &s_source_class, &args);
        if (!source) {
            s_report_fail (pair->results, 'a', "cannot spawn the source: %s",
                           strerror (errno));
        }
    }
    act_ref_destroy (&source);
    return s_group_end (pair, &system, 'a');
}

static int
s_actor_thr_b (s_pair_t *pair)
{
    act_system_t *system = s_group_new (pair, "b");
    if (!system) {
        s_wait_command (pair);
        return 1;
    }
    s_flow_args_t args = { system, pair->n, pair->results };
    act_ref_t *sink = act_spawn_named (system, "sink", &s_sink_class, &args);
    if (sink) {
        s_say_ready (pair);
    }
    else {
        s_report_fail (pair->results, 'b', "cannot spawn the sink: %s", strerror (errno));
    }
    act_ref_destroy (&sink);
    return s_group_end (pair, &system, 'b');
}


//  ---------------------------------------------------------------------
//  (3) actorio 1 MiB payloads over the shm link, with a round trip
//  measured while they flow: a/source tells b/sink n payloads of BIG
//  bytes, one per callback (it tells itself to go on, so a/ping gets its
//  turns); each is the pattern made before the fork, its first word the
//  payload's number. b/sink reads every byte (sums every word) and checks
//  the sum against the pattern's. Meanwhile a/ping and b/pong do what (1)
//  does, until the source has sent its last payload. b reports the bytes
//  per second from the first receipt to the last; a (the pinger) the
//  round trips.

typedef struct {
    act_system_t *system;           //  for act_lookup and counters
    long n;                         //  payloads to send
    int results;                    //  where the report goes
    bool done;                      //  source: every payload is sent
} s_big_args_t;

typedef struct {
    s_big_args_t *args;             //  the measurement's parameters
    act_ref_t *sink;                //  b/sink, owned (source only)
    long next;                      //  source: next to send; sink: expected
    long seen;                      //  next at the last watch
    long idle;                      //  watches without progress
    uint64_t t0;                    //  sink: first receipt, ns
    uint64_t eagain;                //  source: tells refused with EAGAIN
    uint64_t errors;                //  sink: wrong number, size or sum
    bool reported;                  //  the report is written
} s_big_t;

//  The payload every source sends, made before the fork, and the sum of
//  its words with the first one 0.
static uint64_t *s_pattern;
static uint64_t s_pattern_sum;

static void
s_pattern_make (void)
{
    s_pattern = malloc (BIG);
    if (!s_pattern) {
        abort ();
    }
    uint64_t word = 0x9e3779b97f4a7c15ull, sum = 0;
    s_pattern [0] = 0;
    for (size_t index = 1; index < BIG / 8; index++) {
        word ^= word << 13;
        word ^= word >> 7;
        word ^= word << 17;
        s_pattern [index] = word;
        sum += word;
    }
    s_pattern_sum = sum;
}

//  Once a second, either side: no payload for STALL_MS is a failure.
static int
s_big_watch (act_t *self, int timer_id, void *arg)
{
    (void) timer_id;
    char role = (char) (intptr_t) arg;
    s_big_t *state = act_state (self);
    if (state->reported || state->args->done) {
        return ACT_OK;
    }
    if (state->next != state->seen) {
        state->seen = state->next;
        state->idle = 0;
    }
    else
    if (++state->idle >= STALL_MS / 1000) {
        s_report_fail (state->args->results, role, "%s at payload %ld of %ld for %d s"
                       " (%" PRIu64 " EAGAIN)", role == 'a'? "source stuck": "sink idle",
                       state->next, state->args->n, STALL_MS / 1000, state->eagain);
        state->reported = true;
    }
    return ACT_OK;
}

static int
s_big_send (act_t *self)
{
    s_big_t *state = act_state (self);
    if (state->reported || state->next >= state->args->n) {
        return ACT_OK;
    }
    s_pattern [0] = (uint64_t) state->next;
    act_msg_t *data = act_msg_new_data (BM_DATA, s_pattern, BIG);
    act_msg_set_corr (data, (uint64_t) state->next);
    if (act_tell (state->sink, &data)) {
        if (errno != EAGAIN) {
            s_report_fail (state->args->results, 'a', "tell b/sink payload %ld: %s",
                           state->next, strerror (errno));
            state->reported = true;
            return ACT_STOP;
        }
        //  The sender's area (or the ring) is full: ACT_MSG_WRITABLE
        //  says when to send the same number again.
        state->eagain++;
        return ACT_OK;
    }
    if (++state->next == state->args->n) {
        state->args->done = true;
        return ACT_OK;
    }
    act_msg_t *more = act_msg_new (BM_MORE);
    return act_tell (act_self (self), &more) == 0? ACT_OK: -1;
}

static int
s_big_source_setup (act_t *self, void *args)
{
    s_big_t *state = act_state (self);
    state->args = args;
    state->sink = act_lookup (state->args->system, "b/sink");
    if (!state->sink
    ||  act_every (self, 1000, s_big_watch, (void *) (intptr_t) 'a') <= 0) {
        s_report_fail (state->args->results, 'a', "cannot set up the source: %s",
                       strerror (errno));
        state->reported = true;
        return -1;
    }
    return s_big_send (self);
}

static int
s_big_source_handle (act_t *self, act_msg_t *msg)
{
    uint32_t type = act_msg_type (msg);
    return type == BM_MORE || type == ACT_MSG_WRITABLE? s_big_send (self): ACT_UNHANDLED;
}

static void
s_big_source_teardown (act_t *self)
{
    s_big_t *state = act_state (self);
    act_ref_destroy (&state->sink);
}

static int
s_big_sink_setup (act_t *self, void *args)
{
    s_big_t *state = act_state (self);
    state->args = args;
    return act_every (self, 1000, s_big_watch, (void *) (intptr_t) 'b') > 0? ACT_OK: -1;
}

static int
s_big_sink_handle (act_t *self, act_msg_t *msg)
{
    s_big_t *state = act_state (self);
    if (act_msg_type (msg) != BM_DATA) {
        return ACT_UNHANDLED;
    }
    if (state->next == 0) {
        state->t0 = bench_now_ns ();
    }
    //  Every byte read: four sums, so the loop is bound by memory, not
    //  by one chain of additions.
    const uint64_t *words = act_msg_data (msg);
    size_t count = act_msg_size (msg) / 8;
    uint64_t sums [4] = { 0 };
    for (size_t index = 0; index + 4 <= count; index += 4) {
        sums [0] += words [index];
        sums [1] += words [index + 1];
        sums [2] += words [index + 2];
        sums [3] += words [index + 3];
    }
    uint64_t sum = sums [0] + sums [1] + sums [2] + sums [3];
    if (act_msg_size (msg) != BIG || words [0] != (uint64_t) state->next
    ||  sum != s_pattern_sum + (uint64_t) state->next) {
        state->errors++;
    }
    if (++state->next == state->args->n && !state->reported) {
        uint64_t now = bench_now_ns ();
        s_report_t report = { .role = 'b', .ok = 1, .count = (uint64_t) state->next,
                              .errors = state->errors };
        report.value = (double) (state->args->n - 1) * BIG / ((now - state->t0) / 1e9);
        s_send_report (state->args->results, &report);
        state->reported = true;
    }
    return ACT_OK;
}

static const act_class_t s_big_source_class = {
    .name = "bench-big-source", .state_size = sizeof (s_big_t),
    .setup = s_big_source_setup, .handle = s_big_source_handle,
    .teardown = s_big_source_teardown
};
static const act_class_t s_big_sink_class = {
    .name = "bench-big-sink", .state_size = sizeof (s_big_t),
    .setup = s_big_sink_setup, .handle = s_big_sink_handle
};

static int
s_actor_big_a (s_pair_t *pair)
{
    act_system_t *system = s_group_new (pair, "a");
    if (!system) {
        s_wait_command (pair);
        return 1;
    }
    s_big_args_t big = { system, pair->n, pair->results, false };
    s_ping_args_t ping = { system, RTT_N, pair->results, STREAM_WARM, &big.done };
    act_ref_t *pinger = NULL, *source = NULL;
    if (!s_wait_ready (pair)) {
        s_report_fail (pair->results, 'a', "group b never said it was ready");
    }
    else {
        pinger = act_spawn_named (system, "ping", &s_pinger_class, &ping);
        source = pinger? act_spawn_named (system, "source", &s_big_source_class, &big): NULL;
        if (!source) {
            s_report_fail (pair->results, 'a', "cannot spawn the pinger or the source: %s",
                           strerror (errno));
        }
    }
    act_ref_destroy (&pinger);
    act_ref_destroy (&source);
    return s_group_end (pair, &system, 'a');
}

static int
s_actor_big_b (s_pair_t *pair)
{
    act_system_t *system = s_group_new (pair, "b");
    if (!system) {
        s_wait_command (pair);
        return 1;
    }
    s_big_args_t big = { system, pair->n, pair->results, false };
    act_ref_t *sink = act_spawn_named (system, "sink", &s_big_sink_class, &big);
    act_ref_t *ponger = sink? act_spawn_named (system, "pong", &s_ponger_class, NULL): NULL;
    if (ponger) {
        s_say_ready (pair);
    }
    else {
        s_report_fail (pair->results, 'b', "cannot spawn the sink or the ponger: %s",
                       strerror (errno));
    }
    act_ref_destroy (&sink);
    act_ref_destroy (&ponger);
    return s_group_end (pair, &system, 'b');
}


//  ---------------------------------------------------------------------
//  (4) raw libzmq ipc PAIR ping-pong and (5) PUSH/PULL throughput, each
//  side with its own context in its own process. b binds, a connects.
//  Every blocking call has a timeout, so a lost message is a failure,
//  not a hang.

static void *
s_zmq_socket (void *context, int type, s_pair_t *pair, bool bind, char role)
{
    char endpoint [300];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/zmq", pair->rundir);
    if (s_tcp)
        snprintf (endpoint, sizeof endpoint, "%s", s_endpoints [1]);
    void *socket = zmq_socket (context, type);
    int timeout = STALL_MS, linger = 0, one = 1;
    if (socket) {
        zmq_setsockopt (socket, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
        zmq_setsockopt (socket, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
        zmq_setsockopt (socket, ZMQ_LINGER, &linger, sizeof linger);
    }
    //  b is the server, as a group's "in" is
    if (socket && s_tcp && s_curve && bind) {
        zmq_setsockopt (socket, ZMQ_CURVE_SERVER, &one, sizeof one);
        zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, s_secret [1], 40);
    }
    if (socket && s_tcp && s_curve && !bind) {
        zmq_setsockopt (socket, ZMQ_CURVE_SERVERKEY, s_public [1], 40);
        zmq_setsockopt (socket, ZMQ_CURVE_PUBLICKEY, s_public [0], 40);
        zmq_setsockopt (socket, ZMQ_CURVE_SECRETKEY, s_secret [0], 40);
    }
    if (!socket || (bind? zmq_bind (socket, endpoint): zmq_connect (socket, endpoint))) {
        s_report_fail (pair->results, role, "%s %s: %s", bind? "bind": "connect",
                       endpoint, zmq_strerror (zmq_errno ()));
        if (socket) {
            zmq_close (socket);
        }
        return NULL;
    }
    return socket;
}

static int
s_zmq_end (s_pair_t *pair, void *context, void *socket)
{
    s_wait_command (pair);
    if (socket) {
        zmq_close (socket);
    }
    zmq_ctx_term (context);
    return 0;
}

static int
s_zmq_rtt_a (s_pair_t *pair)
{
    void *context = zmq_ctx_new ();
    void *socket = s_zmq_socket (context, ZMQ_PAIR, pair, false, 'a');
    uint32_t *samples = calloc ((size_t) pair->n, sizeof *samples);
    if (!socket || !samples) {
        free (samples);
        return s_zmq_end (pair, context, socket);
    }
    if (!s_wait_ready (pair)) {
        s_report_fail (pair->results, 'a', "the PAIR peer never said it was ready");
    }
    else {
        char buffer [PAYLOAD];
        memset (buffer, 'x', sizeof buffer);
        s_report_t report = { .role = 'a', .ok = 1, .count = (uint64_t) pair->n };
        for (long trip = 0; trip < RTT_WARM + pair->n && report.ok; trip++) {
            uint64_t start = bench_now_ns ();
            if (zmq_send (socket, buffer, PAYLOAD, 0) != PAYLOAD
            ||  zmq_recv (socket, buffer, PAYLOAD, 0) != PAYLOAD) {
                s_report_fail (pair->results, 'a', "round trip %ld: %s", trip,
                               zmq_strerror (zmq_errno ()));
                report.ok = 0;
            }
            else
            if (trip >= RTT_WARM) {
                samples [trip - RTT_WARM] = (uint32_t) (bench_now_ns () - start);
            }
        }
        if (report.ok) {
            s_rtt_stats (samples, pair->n, &report);
            s_send_report (pair->results, &report);
        }
    }
    free (samples);
    return s_zmq_end (pair, context, socket);
}

static int
s_zmq_rtt_b (s_pair_t *pair)
{
    void *context = zmq_ctx_new ();
    void *socket = s_zmq_socket (context, ZMQ_PAIR, pair, true, 'b');
    if (socket) {
        s_say_ready (pair);
        char buffer [PAYLOAD];
        for (long trip = 0; trip < RTT_WARM + pair->n; trip++) {
            if (zmq_recv (socket, buffer, PAYLOAD, 0) != PAYLOAD
            ||  zmq_send (socket, buffer, PAYLOAD, 0) != PAYLOAD) {
                s_report_fail (pair->results, 'b', "echo %ld: %s", trip,
                               zmq_strerror (zmq_errno ()));
                break;
            }
        }
    }
    return s_zmq_end (pair, context, socket);
}

static int
s_zmq_thr_a (s_pair_t *pair)
{
    void *context = zmq_ctx_new ();
    void *socket = s_zmq_socket (context, ZMQ_PUSH, pair, false, 'a');
    if (socket) {
        if (!s_wait_ready (pair)) {
            s_report_fail (pair->results, 'a', "the PULL peer never said it was ready");
        }
        else {
            for (long index = 0; index < pair->n; index++) {
                if (zmq_send (socket, s_payload, PAYLOAD, 0) != PAYLOAD) {
                    s_report_fail (pair->results, 'a', "send %ld: %s", index,
                                   zmq_strerror (zmq_errno ()));
                    break;
                }
            }
        }
    }
    return s_zmq_end (pair, context, socket);
}

static int
s_zmq_thr_b (s_pair_t *pair)
{
    void *context = zmq_ctx_new ();
    void *socket = s_zmq_socket (context, ZMQ_PULL, pair, true, 'b');
    if (socket) {
        s_say_ready (pair);
        char buffer [PAYLOAD];
        uint64_t t0 = 0;
        long index;
        for (index = 0; index < pair->n; index++) {
            if (zmq_recv (socket, buffer, PAYLOAD, 0) != PAYLOAD) {
                s_report_fail (pair->results, 'b', "receive %ld: %s", index,
                               zmq_strerror (zmq_errno ()));
                break;
            }
            if (index == 0) {
                t0 = bench_now_ns ();
            }
        }
        if (index == pair->n) {
            s_report_t report = { .role = 'b', .ok = 1, .count = (uint64_t) index };
            report.value = (pair->n - 1) / ((bench_now_ns () - t0) / 1e9);
            s_send_report (pair->results, &report);
        }
    }
    return s_zmq_end (pair, context, socket);
}


//  ---------------------------------------------------------------------
//  The main process: fork a pair, collect reports, end the pair

static int s_failed;                //  a measurement failed: exit non-zero
static bench_table_t s_table;       //  this run's results, or --table's files

//  Remove the run directory and the socket files in it.
static void
s_rmdir (const char *path)
{
    DIR *dir = opendir (path);
    if (dir) {
        struct dirent *entry;
        while ((entry = readdir (dir))) {
            if (strcmp (entry->d_name, ".") && strcmp (entry->d_name, "..")) {
                char file [600];
                snprintf (file, sizeof file, "%s/%s", path, entry->d_name);
                unlink (file);
            }
        }
        closedir (dir);
    }
    rmdir (path);
}

static pid_t
s_fork_child (s_pair_t *pair, s_role_fn *role, int results_r, int other_control)
{
    fflush (NULL);
    pid_t pid = fork ();
    if (pid == 0) {
        close (results_r);
        close (other_control);
        if (pair->pinned) {
            cpu_set_t cpus;
            CPU_ZERO (&cpus);
            CPU_SET (0, &cpus);
            if (sched_setaffinity (0, sizeof cpus, &cpus)) {
                perror ("bench_transport: sched_setaffinity");
            }
        }
        int rc = role (pair);
        fflush (NULL);
        //  No exit handlers: czmq's would wait on sockets a stuck
        //  system left behind.
        _exit (rc);
    }
    return pid;
}

//  Wait for a child to exit, at most until deadline (ns), then kill it.
//  Returns a description of an abnormal end, or NULL.
static const char *
s_reap (pid_t pid, uint64_t deadline, char *buffer, size_t size)
{
    int status = 0;
    pid_t rc;
    while ((rc = waitpid (pid, &status, WNOHANG)) == 0 && bench_now_ns () < deadline) {
        struct timespec nap = { 0, 5000000 };
        nanosleep (&nap, NULL);
    }
    if (rc == 0) {
        kill (pid, SIGKILL);
        waitpid (pid, &status, 0);
        snprintf (buffer, size, "did not exit within %d s, killed", QUIT_MS / 1000);
        return buffer;
    }
    if (rc < 0) {
        return NULL;
    }
    if (WIFSIGNALED (status)) {
        snprintf (buffer, size, "died of signal %d", WTERMSIG (status));
        return buffer;
    }
    if (WIFEXITED (status) && WEXITSTATUS (status)) {
        snprintf (buffer, size, "exited with status %d", WEXITSTATUS (status));
        return buffer;
    }
    return NULL;
}

//  Run one measurement: roles a and b in two processes, the reports of
//  the roles in expect ("a", "b" or "ab") into reports ['a' / 'b' slot
//  0 / 1]. 0 if every expected report came and says ok.
static int s_run_pair_on (const char *bench, bool pinned, long n, s_role_fn *role_a,
                          s_role_fn *role_b, const char *expect, s_report_t reports [2]);

//  A measurement; over the shm link when bench's name starts with "shm-".
static int
s_run_pair (const char *bench, bool pinned, long n, s_role_fn *role_a, s_role_fn *role_b,
            const char *expect, s_report_t reports [2])
{
    //  For experiments (profiling one measurement): BENCH_FILTER=PREFIX
    //  skips every measurement whose name does not start with it.
    const char *filter = getenv ("BENCH_FILTER");
    if (filter && strncmp (bench, filter, strlen (filter))) {
        errno = ENOENT;
        return -1;
    }
    if (strncmp (bench, "shm-", 4) == 0) {
        const char *groups [] = { "a", "b" };
        s_region = act_region_new (groups, 2, ACT_REGION_RING_DEFAULT,
                                   ACT_REGION_AREA_DEFAULT);
        if (!s_region) {
            fprintf (stderr, "bench_transport: %s: cannot make the region: %s\n",
                     bench, strerror (errno));
            s_failed = 1;
            return -1;
        }
    }
    int rc = s_run_pair_on (bench, pinned, n, role_a, role_b, expect, reports);
    act_region_destroy (&s_region);
    return rc;
}

static int
s_run_pair_on (const char *bench, bool pinned, long n, s_role_fn *role_a, s_role_fn *role_b,
               const char *expect, s_report_t reports [2])
{
    char rundir [] = "/tmp/actorio-bench-XXXXXX";
    int results [2], ready [2], control_a [2], control_b [2];
    if (!mkdtemp (rundir) || pipe (results) || pipe (ready) || pipe (control_a)
    ||  pipe (control_b)) {
        fprintf (stderr, "bench_transport: %s: cannot set up: %s\n", bench, strerror (errno));
        s_failed = 1;
        return -1;
    }
    s_pair_t pair = { rundir, pinned, n, results [1], ready [0], ready [1], -1 };
    pair.control = control_b [0];
    pid_t pid_b = s_fork_child (&pair, role_b, results [0], control_a [0]);
    pair.control = control_a [0];
    pid_t pid_a = s_fork_child (&pair, role_a, results [0], control_b [0]);
    close (results [1]);
    close (ready [0]);
    close (ready [1]);
    close (control_a [0]);
    close (control_b [0]);

    //  Collect the reports until every expected one came, a failure came,
    //  both children are gone, or the deadline passed.
    memset (reports, 0, 2 * sizeof (s_report_t));
    int wanted = (int) strlen (expect), got = 0, failures = 0;
    uint64_t deadline = bench_now_ns () + (uint64_t) PAIR_MS * 1000000;
    bool timed_out = false;
    while (got < wanted && !failures) {
        uint64_t now = bench_now_ns ();
        if (now >= deadline || !s_readable (results [0], (int) ((deadline - now) / 1000000) + 1)) {
            timed_out = bench_now_ns () >= deadline;
            if (timed_out) {
                break;
            }
            continue;
        }
        s_report_t report;
        ssize_t size = read (results [0], &report, sizeof report);
        if (size == 0) {
            break;                  //  both children closed: gone
        }
        if (size != (ssize_t) sizeof report || (report.role != 'a' && report.role != 'b')) {
            continue;
        }
        if (!report.ok) {
            fprintf (stderr, "bench_transport: %s%s: %c: %s\n", bench,
                     pinned? " (pinned)": "", report.role, report.what);
            failures++;
        }
        else
        if (strchr (expect, report.role)) {
            reports [report.role - 'a'] = report;
            got++;
        }
    }
    if (got < wanted && !failures) {
        fprintf (stderr, "bench_transport: %s%s: %s\n", bench, pinned? " (pinned)": "",
                 timed_out? "no result within the deadline": "children ended without a result");
    }
    bool ok = got == wanted && !failures;
    //  Hung or failed: have the children print their counters first.
    char command = ok? 'q': 'r';
    if (write (control_a [1], &command, 1) != 1 || write (control_b [1], &command, 1) != 1) {
        //  A child that is gone already is reaped below.
    }
    close (control_a [1]);
    close (control_b [1]);
    char why [120];
    const char *end;
    uint64_t quit_by = bench_now_ns () + (uint64_t) QUIT_MS * 1000000;
    if ((end = s_reap (pid_a, quit_by, why, sizeof why))) {
        fprintf (stderr, "bench_transport: %s: child a %s\n", bench, end);
        ok = false;
    }
    if ((end = s_reap (pid_b, quit_by, why, sizeof why))) {
        fprintf (stderr, "bench_transport: %s: child b %s\n", bench, end);
        ok = false;
    }
    close (results [0]);
    s_rmdir (rundir);
    for (int index = 0; index < 2 && ok; index++) {
        if (reports [index].errors) {
            fprintf (stderr, "bench_transport: %s: %c counted %" PRIu64
                     " errors (order or size)\n", bench, 'a' + index, reports [index].errors);
            ok = false;
        }
    }
    if (!ok) {
        s_failed = 1;
    }
    return ok? 0: -1;
}


//  ---------------------------------------------------------------------
//  The shared-memory floors, from ../shared/peers/phys (bench/run builds
//  it and names it in BENCH_PHYS): two processes ping-pong 64 B through
//  two bare SPSC rings, the waiting side busy-polling ("spin") or asleep
//  in futex at once ("futex"). Run right before the shm rows, so the
//  floor and the figure share the machine's mood. phys prints the mean
//  RTT in us on a RESULT line named shm-pingpong-proc-WAIT.

static const char *s_phys = NULL;   //  the phys program, or NULL: n/a

//  Run phys pingpong proc WAIT n (pinned: on CPU 0, as taskset -c 0
//  does); its RTT in us, or NAN if it is missing, failed or took longer
//  than PAIR_MS.
static double
s_floor (const char *wait, bool pinned, long n)
{
    if (!s_phys) {
        return NAN;
    }
    int out [2];
    if (pipe (out)) {
        return NAN;
    }
    char count [32];
    snprintf (count, sizeof count, "%ld", n);
    fflush (NULL);
    pid_t pid = fork ();
    if (pid == 0) {
        dup2 (out [1], STDOUT_FILENO);
        close (out [0]);
        close (out [1]);
        if (pinned) {
            cpu_set_t cpus;
            CPU_ZERO (&cpus);
            CPU_SET (0, &cpus);
            sched_setaffinity (0, sizeof cpus, &cpus);
        }
        execl (s_phys, s_phys, "pingpong", "proc", wait, count, (char *) NULL);
        _exit (127);
    }
    close (out [1]);
    char text [4096] = "";
    size_t size = 0;
    uint64_t deadline = bench_now_ns () + (uint64_t) PAIR_MS * 1000000;
    while (pid > 0 && size < sizeof text - 1) {
        uint64_t now = bench_now_ns ();
        if (now >= deadline || !s_readable (out [0], (int) ((deadline - now) / 1000000) + 1)) {
            if (bench_now_ns () >= deadline) {
                break;
            }
            continue;
        }
        ssize_t got = read (out [0], text + size, sizeof text - 1 - size);
        if (got <= 0) {
            break;
        }
        size += (size_t) got;
    }
    text [size] = 0;
    close (out [0]);
    char why [120];
    //  Past the deadline it is killed now; else it has closed its output
    //  and is exiting.
    uint64_t reap_by = bench_now_ns () + (bench_now_ns () < deadline? 1000000000ull: 0);
    const char *end = pid > 0? s_reap (pid, reap_by, why, sizeof why): "did not start";
    char name [64];
    snprintf (name, sizeof name, "RESULT\tshm-pingpong-proc-%s\t", wait);
    const char *line = strstr (text, name);
    //  RESULT, bench, system, figure, unit: the value follows the fifth tab.
    for (int tab = 0; line && tab < 5; tab++) {
        line = strchr (line, '\t');
        line = line? line + 1: NULL;
    }
    if (end || !line) {
        fprintf (stderr, "bench_transport: %s pingpong proc %s%s: %s\n", s_phys, wait,
                 pinned? " (pinned)": "", end? end: "no RESULT line");
        return NAN;
    }
    return strtod (line, NULL);
}


//  ---------------------------------------------------------------------
//  The table (medians of the RESULT lines of several runs)

//  Two decimals under 10: round trips of a few us.
static const char *
s_show (char *buffer, size_t size, double value, double scale, const char *unit)
{
    return bench_show (buffer, size, value, scale, unit, "%.2f %s");
}

static void
s_row (const char *figure, const char *actorio, const char *raw, const char *ratio,
       const char *target, const char *met)
{
    printf ("| %-30s | %-11s | %-11s | %-6s | %-28s | %-4s |\n",
            figure, actorio, raw, ratio, target, met);
}

//  One row of the table; round trips: lower is better, ratio actorio/raw
//  at most 1.2; throughput: ratio at least 0.6 and at least 2 M/s.
static void
s_table_row (const char *setting, bool rtt)
{
    char name [64], raw_name [64], figure [64];
    snprintf (name, sizeof name, "transport-%s%s", rtt? "rtt": "thr", setting);
    snprintf (raw_name, sizeof raw_name, "zmq-ipc-%s%s", rtt? "rtt": "thr", setting);
    snprintf (figure, sizeof figure, "%s, %s", rtt? "round trip (median)": "throughput",
              *setting? "pinned": "unpinned");
    double actorio = bench_median (&s_table, name, NULL);
    double raw = bench_median (&s_table, raw_name, NULL);
    double ratio = actorio / raw;
    bool known = !isnan (ratio);
    char a [32], r [32], q [32];
    snprintf (q, sizeof q, known? "%.2fx": "n/a", ratio);
    if (rtt) {
        s_row (figure, s_show (a, sizeof a, actorio, 1, "us"),
               s_show (r, sizeof r, raw, 1, "us"), q, "<= 1.2x raw",
               bench_met (known, ratio <= 1.2));
    }
    else {
        s_row (figure, s_show (a, sizeof a, actorio, 1e6, "M/s"),
               s_show (r, sizeof r, raw, 1e6, "M/s"), q, ">= 0.6x raw and >= 2 M/s",
               bench_met (known, ratio >= 0.6 && actorio >= 2e6));
    }
}

static void
s_print_table (void)
{
    int most = bench_most_runs (&s_table);
    printf ("\nactorio between two groups (2 processes) vs raw libzmq ipc (2 processes),"
            " 64 B payloads;\n%s of %d run%s; pinned: both processes on CPU 0\n\n",
            most > 1? "median": "result", most, most == 1? "": "s");
    s_row ("figure", "actorio", "raw libzmq", "ratio", "target (issue 4)", "met?");
    printf ("|--------------------------------|-------------|-------------|--------"
            "|------------------------------|------|\n");
    s_table_row ("", true);
    s_table_row ("-pinned", true);
    s_table_row ("", false);
    s_table_row ("-pinned", false);

    const char *settings [2] = { "", "-pinned" };
    for (int index = 0; index < 2; index++) {
        char name [64], raw_name [64], a [32], r [32], e [32];
        snprintf (name, sizeof name, "transport-rtt-mean%s", settings [index]);
        snprintf (raw_name, sizeof raw_name, "zmq-ipc-rtt-mean%s", settings [index]);
        snprintf (e, sizeof e, "transport-thr-eagain%s", settings [index]);
        double eagain = bench_median (&s_table, e, NULL);
        printf ("%s: mean round trip %s actorio, %s raw; tells refused with EAGAIN"
                " per throughput run: %s\n", index? "pinned  ": "unpinned",
                s_show (a, sizeof a, bench_median (&s_table, name, NULL), 1, "us"),
                s_show (r, sizeof r, bench_median (&s_table, raw_name, NULL), 1, "us"),
                isnan (eagain)? "n/a": (snprintf (e, sizeof e, "%.0f", eagain), e));
    }
    bench_print_missing (&s_table, most);
    fflush (stdout);
}

//  One row of the shm table: the figure, its reference (the floor or
//  the ipc link of the same run), value / reference, the target and
//  whether it is met; target NULL: no target, shown for context.
static void
s_shm_row (const char *figure, double value, const char *what, double reference,
           double scale, const char *unit, const char *target, bool met)
{
    char v [32], r [32], ref [48], q [32];
    s_show (v, sizeof v, value, scale, unit);
    s_show (r, sizeof r, reference, scale, unit);
    snprintf (ref, sizeof ref, isnan (reference)? "%s": "%s %s", r, what);
    double ratio = value / reference;
    bool known = !isnan (value) && (!isnan (ratio) || !what [0]);
    if (isnan (ratio)) {
        snprintf (q, sizeof q, "n/a");
    }
    else {
        snprintf (q, sizeof q, ratio >= 100? "%.0fx": "%.2fx", ratio);
    }
    printf ("| %-34s | %-11s | %-19s | %-6s | %-28s | %-4s |\n", figure, v, what [0]? ref: "-",
            what [0]? q: "-", target? target: "-", target? bench_met (known, met): "-");
}

//  The shm link against the shared-memory floors and the ipc link, with
//  the targets of issue 7 (section 4).
static void
s_print_shm_table (void)
{
    double spin = bench_median (&s_table, "floor-shm-spin", NULL);
    double futex = bench_median (&s_table, "floor-shm-futex-pinned", NULL);
    double rtt = bench_median (&s_table, "shm-rtt", NULL);
    double p99 = bench_median (&s_table, "shm-rtt-p99", NULL);
    double mean = bench_median (&s_table, "shm-rtt-mean", NULL);
    double rtt_pinned = bench_median (&s_table, "shm-rtt-pinned", NULL);
    double p99_pinned = bench_median (&s_table, "shm-rtt-p99-pinned", NULL);
    double thr = bench_median (&s_table, "shm-thr", NULL);
    double ipc = bench_median (&s_table, "transport-thr", NULL);
    double thr_pinned = bench_median (&s_table, "shm-thr-pinned", NULL);
    double ipc_pinned = bench_median (&s_table, "transport-thr-pinned", NULL);
    double big = bench_median (&s_table, "shm-big", NULL);
    double big_rtt = bench_median (&s_table, "shm-big-rtt", NULL);
    double big_p99 = bench_median (&s_table, "shm-big-rtt-p99", NULL);

    printf ("\nthe shm link vs the shared-memory floors (phys pingpong proc, mean RTT,"
            " measured\nright before the shm rows) and the ipc link of the same run;"
            " median of each\nfigure over the runs\n\n");
    printf ("| %-34s | %-11s | %-19s | %-6s | %-28s | %-4s |\n", "figure", "actorio shm",
            "floor or reference", "ratio", "target (issue 7)", "met?");
    printf ("|------------------------------------|-------------|---------------------"
            "|--------|------------------------------|------|\n");
    s_shm_row ("round trip p50, 64 B, unpinned", rtt, "spin", spin, 1, "us",
               "<= 3x spin floor", rtt / spin <= 3);
    s_shm_row ("round trip p99, 64 B, unpinned", p99, "spin", spin, 1, "us",
               "<= 10x spin floor", p99 / spin <= 10);
    //  phys gives a mean: the like-for-like figure, for context.
    s_shm_row ("round trip mean, 64 B, unpinned", mean, "spin", spin, 1, "us",
               NULL, false);
    s_shm_row ("round trip p50, 64 B, pinned", rtt_pinned, "futex", futex, 1, "us",
               "<= 2x futex floor (pinned)", rtt_pinned / futex <= 2);
    s_shm_row ("round trip p99, 64 B, pinned", p99_pinned, "futex", futex, 1, "us",
               NULL, false);
    s_shm_row ("throughput, 64 B, unpinned", thr, "ipc link", ipc, 1e6, "M/s",
               ">= 20 M/s and >= 5x ipc link", thr >= 20e6 && thr / ipc >= 5);
    s_shm_row ("throughput, 64 B, pinned", thr_pinned, "ipc link", ipc_pinned, 1e6, "M/s",
               NULL, false);
    s_shm_row ("1 MiB payloads, every byte read", big, "", NAN, 1e9, "GB/s",
               ">= 4 GB/s", big >= 4e9);
    s_shm_row ("round trip p50 beside 1 MiB flow", big_rtt, "quiet", rtt, 1, "us",
               "unchanged (<= 1.5x quiet)", big_rtt / rtt <= 1.5);
    s_shm_row ("round trip p99 beside 1 MiB flow", big_p99, "quiet", p99, 1, "us",
               NULL, false);
    if (isnan (spin) && isnan (futex)) {
        printf ("floors n/a: not measured (bench/run builds ../shared/peers/phys.c"
                " and passes it in BENCH_PHYS)\n");
    }
    fflush (stdout);
}


//  ---------------------------------------------------------------------
//  The tcp link

//  A port of 127.0.0.1 nobody listens on now (the kernel's pick).
static int
s_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET,
                                   .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    socklen_t size = sizeof address;
    int port = 0;
    if (fd >= 0 && bind (fd, (struct sockaddr *) &address, size) == 0
    &&  getsockname (fd, (struct sockaddr *) &address, &size) == 0)
        port = ntohs (address.sin_port);
    if (fd >= 0)
        close (fd);
    return port;
}

//  The run's map for groups a (node n1) and b (node n2), with fresh keys.
static void
s_tcp_setup (void)
{
    const char *groups [2] = { "a", "b" }, *nodes [2] = { "n1", "n2" };
    for (int i = 0; i < 2; i++) {
        zmq_curve_keypair (s_public [i], s_secret [i]);
        snprintf (s_endpoints [i], sizeof s_endpoints [i], "tcp://127.0.0.1:%d",
                  s_free_port ());
        s_places [i] = (act_group_place_t) { groups [i], nodes [i], s_endpoints [i],
                                             s_public [i] };
    }
    for (int i = 0; i < 2; i++)
        s_net [i] = (act_group_net_t) { nodes [i], s_public [i], s_secret [i], s_places,
                                        2, false };
}

//  The tcp measurements, each with CURVE off ("plain") and on ("curve")
typedef struct {
    const char *bench;          //  RESULT name, %s the mode
    s_role_fn *role_a;
    s_role_fn *role_b;
    const char *expect;         //  who reports
    bool rtt;                   //  a round trip (mean, us), else msgs/s
    const char *system;
    const char *figure;         //  %s the mode
} s_tcp_bench_t;

static const s_tcp_bench_t s_tcp_benches [] = {
    //  Raw first, then actorio, as for ipc
    { "zmq-tcp-%s-rtt", s_zmq_rtt_a, s_zmq_rtt_b, "a", true, "libzmq",
      "mean RTT, tcp PAIR, %s, 64 B" },
    { "tcp-%s-rtt", s_actor_rtt_a, s_actor_rtt_b, "a", true, "actorio 0.1.0",
      "mean RTT, nodes a -> b over tcp, %s, 64 B" },
    { "zmq-tcp-%s-thr", s_zmq_thr_a, s_zmq_thr_b, "b", false, "libzmq",
      "throughput, tcp PUSH->PULL, %s, 64 B" },
    { "tcp-%s-thr", s_actor_thr_a, s_actor_thr_b, "ab", false, "actorio 0.1.0",
      "throughput, nodes a -> b over tcp, %s, 64 B" }
};

static void
s_measure_tcp (long scale)
{
    char bench [64], figure [160];
    s_report_t reports [2];
    s_tcp = true;
    s_tcp_setup ();
    for (int curve = 0; curve < 2; curve++) {
        s_curve = curve;
        s_net [0].plain = s_net [1].plain = !curve;
        const char *mode = curve? "curve": "plain";
        for (size_t i = 0; i < sizeof s_tcp_benches / sizeof *s_tcp_benches; i++) {
            const s_tcp_bench_t *tcp = &s_tcp_benches [i];
            snprintf (bench, sizeof bench, tcp->bench, mode);
            if (s_run_pair (bench, false, (tcp->rtt? RTT_N: THR_N) / scale, tcp->role_a,
                            tcp->role_b, tcp->expect, reports) == 0) {
                snprintf (figure, sizeof figure, tcp->figure, mode);
                bench_result (&s_table, bench, tcp->system, figure, tcp->rtt? "us": "msgs/s",
                              tcp->rtt? reports [0].mean: reports [1].value);
            }
        }
    }
    s_tcp = s_curve = false;
}

//  The tcp rows as ratios, the only figures that mean something on a
//  busy machine: each against raw libzmq in the same run.
static void
s_print_tcp_table (void)
{
    if (isnan (bench_median (&s_table, "tcp-curve-rtt", NULL))
    &&  isnan (bench_median (&s_table, "tcp-plain-rtt", NULL)))
        return;
    printf ("\nactorio tcp link (2 nodes on 127.0.0.1) vs raw libzmq tcp, 64 B, "
            "unpinned\n\n");
    const char *modes [2] = { "plain", "curve" };
    double thr [2] = { NAN, NAN };
    for (int i = 0; i < 2; i++) {
        char name [64], raw [64];
        snprintf (name, sizeof name, "tcp-%s-rtt", modes [i]);
        snprintf (raw, sizeof raw, "zmq-tcp-%s-rtt", modes [i]);
        double rtt = bench_median (&s_table, name, NULL);
        double raw_rtt = bench_median (&s_table, raw, NULL);
        snprintf (name, sizeof name, "tcp-%s-thr", modes [i]);
        snprintf (raw, sizeof raw, "zmq-tcp-%s-thr", modes [i]);
        thr [i] = bench_median (&s_table, name, NULL);
        double raw_thr = bench_median (&s_table, raw, NULL);
        printf ("%s: round trip %.2fx raw (target <= 1.2x); throughput %.2fx raw "
                "(target >= 1x)\n", modes [i], rtt / raw_rtt, thr [i] / raw_thr);
    }
    printf ("throughput with CURVE: %.2fx of without (target >= 0.5x)\n", thr [1] / thr [0]);
    fflush (stdout);
}


//  ---------------------------------------------------------------------
//  The measurements of one setting

static void
s_measure (bool pinned, long scale, const char *only)
{
    const char *suffix = pinned? "-pinned": "";
    const char *who = pinned? "2 processes pinned to CPU 0": "2 processes";
    char bench [64], figure [160], zmq_system [64];
    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    snprintf (zmq_system, sizeof zmq_system, "libzmq %d.%d.%d", major, minor, patch);
    s_report_t reports [2];
    long rtt_n = RTT_N / scale, thr_n = THR_N / scale;
    char hwm [32] = "";
    if (s_hwm) {
        snprintf (hwm, sizeof hwm, ", hwm %d (not the default)", s_hwm);
    }

    if (!only || !strcmp (only, "rtt")) {
        //  Raw first, then actorio: a noisy neighbour hits both alike.
        snprintf (bench, sizeof bench, "zmq-ipc-rtt%s", suffix);
        if (s_run_pair (bench, pinned, rtt_n, s_zmq_rtt_a, s_zmq_rtt_b, "a", reports) == 0) {
            snprintf (figure, sizeof figure, "median RTT, ipc PAIR, 64 B, %s", who);
            bench_result (&s_table, bench, zmq_system, figure, "us", reports [0].value);
            snprintf (bench, sizeof bench, "zmq-ipc-rtt-mean%s", suffix);
            snprintf (figure, sizeof figure, "mean RTT, ipc PAIR, 64 B, %s", who);
            bench_result (&s_table, bench, zmq_system, figure, "us", reports [0].mean);
        }
        snprintf (bench, sizeof bench, "transport-rtt%s", suffix);
        if (s_run_pair (bench, pinned, rtt_n, s_actor_rtt_a, s_actor_rtt_b, "a", reports) == 0) {
            snprintf (figure, sizeof figure,
                      "median RTT, group a -> b, act_tell/act_reply, 64 B, %s", who);
            bench_result (&s_table, bench, "actorio 0.1.0", figure,
                          "us", reports [0].value);
            snprintf (bench, sizeof bench, "transport-rtt-mean%s", suffix);
            snprintf (figure, sizeof figure,
                      "mean RTT, group a -> b, act_tell/act_reply, 64 B, %s", who);
            bench_result (&s_table, bench, "actorio 0.1.0", figure, "us", reports [0].mean);
            snprintf (bench, sizeof bench, "transport-rtt-p99%s", suffix);
            snprintf (figure, sizeof figure,
                      "p99 RTT, group a -> b, act_tell/act_reply, 64 B, %s", who);
            bench_result (&s_table, bench, "actorio 0.1.0", figure, "us", reports [0].p99);
        }
        //  The floor of the shm rows, right before them: busy-poll
        //  unpinned, futex pinned (spinning on one CPU only waits for the
        //  scheduler).
        const char *wait = pinned? "futex": "spin";
        long floor_n = (pinned? FLOOR_FUTEX_N: FLOOR_SPIN_N) / scale;
        double floor = s_floor (wait, pinned, floor_n);
        if (!isnan (floor)) {
            snprintf (bench, sizeof bench, "floor-shm-%s%s", wait, suffix);
            snprintf (figure, sizeof figure, "mean RTT, phys pingpong proc %s %ld, 64 B, "
                      "2 bare SPSC rings, %s", wait, floor_n, who);
            bench_result (&s_table, bench, "C shm ring", figure, "us", floor);
        }
        snprintf (bench, sizeof bench, "shm-rtt%s", suffix);
        if (s_run_pair (bench, pinned, rtt_n, s_actor_rtt_a, s_actor_rtt_b, "a", reports) == 0) {
            snprintf (figure, sizeof figure,
                      "median RTT, group a -> b over shm, act_tell/act_reply, 64 B, %s", who);
            bench_result (&s_table, bench, "actorio 0.1.0", figure,
                          "us", reports [0].value);
            snprintf (bench, sizeof bench, "shm-rtt-mean%s", suffix);
            snprintf (figure, sizeof figure,
                      "mean RTT, group a -> b over shm, act_tell/act_reply, 64 B, %s", who);
            bench_result (&s_table, bench, "actorio 0.1.0", figure, "us", reports [0].mean);
            snprintf (bench, sizeof bench, "shm-rtt-p99%s", suffix);
            snprintf (figure, sizeof figure,
                      "p99 RTT, group a -> b over shm, act_tell/act_reply, 64 B, %s", who);
            bench_result (&s_table, bench, "actorio 0.1.0", figure, "us", reports [0].p99);
        }
    }
    if (!only || !strcmp (only, "thr")) {
        snprintf (bench, sizeof bench, "zmq-ipc-thr%s", suffix);
        if (s_run_pair (bench, pinned, thr_n, s_zmq_thr_a, s_zmq_thr_b, "b", reports) == 0) {
            snprintf (figure, sizeof figure, "throughput, ipc PUSH->PULL, 64 B, %s", who);
            bench_result (&s_table, bench, zmq_system, figure, "msgs/s", reports [1].value);
        }
        snprintf (bench, sizeof bench, "transport-thr%s", suffix);
        if (s_run_pair (bench, pinned, thr_n, s_actor_thr_a, s_actor_thr_b, "ab", reports) == 0) {
            snprintf (figure, sizeof figure,
                      "throughput, group a -> b, act_tell, 64 B, %s%s", who, hwm);
            bench_result (&s_table, bench, "actorio 0.1.0", figure,
                          "msgs/s", reports [1].value);
            snprintf (bench, sizeof bench, "transport-thr-eagain%s", suffix);
            snprintf (figure, sizeof figure,
                      "tells refused with EAGAIN per %ld sent (%" PRIu64
                      " waits for room)", thr_n, reports [0].sleeps);
            bench_result (&s_table, bench, "actorio 0.1.0", figure,
                          "count", (double) reports [0].eagain);
        }
        snprintf (bench, sizeof bench, "shm-thr%s", suffix);
        if (s_run_pair (bench, pinned, thr_n, s_actor_thr_a, s_actor_thr_b, "ab", reports) == 0) {
            snprintf (figure, sizeof figure,
                      "throughput, group a -> b over shm, act_tell, 64 B, %s", who);
            bench_result (&s_table, bench, "actorio 0.1.0", figure,
                          "msgs/s", reports [1].value);
            snprintf (bench, sizeof bench, "shm-thr-eagain%s", suffix);
            snprintf (figure, sizeof figure,
                      "shm: tells refused with EAGAIN per %ld sent (%" PRIu64
                      " waits for room)", thr_n, reports [0].sleeps);
            bench_result (&s_table, bench, "actorio 0.1.0", figure,
                          "count", (double) reports [0].eagain);
        }
    }
    //  Large payloads: unpinned only (on one CPU the copies just take
    //  turns).
    if (!pinned && (!only || !strcmp (only, "big"))) {
        long big_n = BIG_N / scale;
        if (s_run_pair ("shm-big", pinned, big_n, s_actor_big_a, s_actor_big_b, "ab",
                        reports) == 0) {
            snprintf (figure, sizeof figure, "%ld payloads of 1 MiB, group a -> b over shm,"
                      " every byte read, a ping-pong beside, %s", big_n, who);
            bench_result (&s_table, "shm-big", "actorio 0.1.0", figure, "bytes/s",
                          reports [1].value);
            snprintf (figure, sizeof figure, "median RTT of %" PRIu64 ", a/ping -> b/pong "
                      "over shm while the 1 MiB payloads flow, 64 B, %s", reports [0].count,
                      who);
            bench_result (&s_table, "shm-big-rtt", "actorio 0.1.0", figure, "us",
                          reports [0].value);
            snprintf (figure, sizeof figure, "p99 RTT of %" PRIu64 ", a/ping -> b/pong "
                      "over shm while the 1 MiB payloads flow, 64 B, %s", reports [0].count,
                      who);
            bench_result (&s_table, "shm-big-rtt-p99", "actorio 0.1.0", figure, "us",
                          reports [0].p99);
        }
    }
}

int
main (int argc, char *argv [])
{
    if (argc > 1 && !strcmp (argv [1], "--table")) {
        if (bench_load_args (&s_table, "bench_transport", argc, argv)) {
            return 1;
        }
        s_print_table ();
        s_print_shm_table ();
        s_print_tcp_table ();
        return 0;
    }
    long scale = 1;
    const char *only = NULL, *setting = NULL;
    for (int arg = 1; arg < argc; arg++) {
        if (!strcmp (argv [arg], "--quick")) {
            scale = 10;
        }
        else
        if (!strcmp (argv [arg], "--only") && arg + 1 < argc
        &&  (!strcmp (argv [arg + 1], "rtt") || !strcmp (argv [arg + 1], "thr")
        ||   !strcmp (argv [arg + 1], "big") || !strcmp (argv [arg + 1], "tcp"))) {
            only = argv [++arg];
        }
        else
        if (!strcmp (argv [arg], "--phys") && arg + 1 < argc) {
            s_phys = argv [++arg];
        }
        else
        if (!strcmp (argv [arg], "--setting") && arg + 1 < argc
        &&  (!strcmp (argv [arg + 1], "pinned") || !strcmp (argv [arg + 1], "unpinned"))) {
            setting = argv [++arg];
        }
        else {
            fprintf (stderr, "usage: bench_transport [--quick] [--only rtt|thr|big|tcp]"
                             " [--setting unpinned|pinned] [--phys PATH]\n"
                             "       bench_transport --table FILE...\n");
            return 2;
        }
    }
    //  A child that is gone must not kill us when we tell it to quit.
    signal (SIGPIPE, SIG_IGN);
    memset (s_payload, 'x', sizeof s_payload);
    if (getenv ("BENCH_HWM")) {
        s_hwm = atoi (getenv ("BENCH_HWM"));
    }
    if (!s_phys && getenv ("BENCH_PHYS") && *getenv ("BENCH_PHYS")) {
        s_phys = getenv ("BENCH_PHYS");
    }
    if (!s_phys) {
        fprintf (stderr, "bench_transport: no phys program (--phys or BENCH_PHYS):"
                         " the shm floors are n/a\n");
    }
    s_pattern_make ();
    bool tcp_only = only && !strcmp (only, "tcp");
    if (!tcp_only && (!setting || !strcmp (setting, "unpinned"))) {
        s_measure (false, scale, only);
    }
    if (!tcp_only && (!setting || !strcmp (setting, "pinned"))) {
        s_measure (true, scale, only);
    }
    //  Unpinned only: two nodes are two hosts
    if ((!only || tcp_only) && (!setting || !strcmp (setting, "unpinned"))) {
        s_measure_tcp (scale);
    }
    if (!tcp_only) {
        s_print_table ();
        s_print_shm_table ();
    }
    s_print_tcp_table ();
    return s_failed;
}
