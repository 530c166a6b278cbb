/*  act_link_zmq - the ipc link: batches over ZeroMQ ROUTER sockets, and
    the ZeroMQ part it shares with the tcp link (act_link_tcp.c)
    SPDX-License-Identifier: MPL-2.0

    Two ROUTER sockets per group. "in" binds ipc://RUNDIR/GROUP and takes
    batches from any peer; "out" connects to each peer on first use with
    the peer's name as routing id and ROUTER_MANDATORY, so a batch is
    either queued toward a known peer or refused with an error we count:
    never dropped in silence. A peer's batch goes out when it is full or
    when the loop is about to poll. A full queue (the high-water mark)
    keeps the batch; when the batch is full too, a send is refused with
    EAGAIN. Replies go out on "out" too, so "in" never needs to know who
    is connected to it. A payload over ACT_WIRE_INLINE_MAX travels alone,
    zero-copy, in a second frame.

    Two things libzmq does out of our sight are made visible. A connection
    is opened by its I/O thread after zmq_connect returned, and with no fd
    left it retries in silence while batches wait: a peer is attached only
    if fds are free then (EMFILE). And it refuses or drops connections to
    "in" on bad input without telling the socket's owner: a monitor on
    "in" counts them as refused connections.

    What differs between ipc and tcp is a medium (act_link.h): how "in"
    binds and "out" connects, where a connection comes from, and what
    "out"'s connections going up and down mean; the rest is here, once.
*/
#include "act_link.h"
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define S_RECV_BUDGET 1024      //  records taken per poll round, as many
                                //  as one actor turn handles
#define S_RECONNECT_MS      2   //  first wait to connect again to a peer
#define S_RECONNECT_MAX_MS  100 //  the longest, backing off (tcp: its own)
#define S_FDS_SPARE     2       //  fds free to attach a peer: the
                                //  connection, and the one the peer
                                //  opens back to us for replies
#define S_CLOSE_WARN_MS 2000    //  a leaving group still waiting for "in"
                                //  and its connections to be gone says so
#define S_IN_EVENTS     (ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_ACCEPT_FAILED          \
                       | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL \
                       | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL                   \
                       | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_MONITOR_STOPPED)
#define S_OUT_EVENTS    (ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED \
                       | ZMQ_EVENT_CONNECT_RETRIED)

//  Where a connection to "in" comes from, by its fd
typedef enum {
    S_FROM_UNKNOWN,             //  not seen accepted, or no longer open
    S_FROM_RUN,                 //  this process, or a sibling group
    S_FROM_OUTSIDE,             //  any other process
    S_FROM_REFUSED              //  its handshake failed
} s_from_t;

typedef struct {
    char *name;                 //  the peer's group name = routing id
    act_wire_batch_t batch;     //  messages not yet handed to ZeroMQ
} s_state_t;

typedef struct {
    act_link_zmq_medium_t medium;   //  ipc or tcp
    act_peers_t *peers;         //  the peer layer above
    act_loop_t *loop;           //  for io watches
    act_link_stats_t *stats;    //  our counters, in the peer layer
    char *rundir;               //  where the endpoints live
    void *in;                   //  ROUTER bound at our endpoint
    void *out;                  //  ROUTER connected to the peers
    int in_watch;               //  io watch on in's ZMQ_FD
    int out_watch;              //  io watch on out's ZMQ_FD, on while
                                //  a batch waits for room
    size_t waiting;             //  peers whose batch waits for room
    int64_t max_size;           //  payload limit, bytes
    void *monitor;              //  PAIR reading in's monitor events
    int monitor_watch;          //  io watch on monitor's ZMQ_FD
    void *out_monitor;          //  PAIR reading out's, if the medium wants them
    int out_monitor_watch;      //  io watch on out_monitor's ZMQ_FD
    unsigned char *from;        //  s_from_t of in's connections, by fd
    size_t from_size;           //  entries in from
    bool handshake_failed;      //  the next disconnection is its end
    uint64_t unnamed;           //  batches dropped from unnamed connections
} s_link_t;

static bool
s_reaches (void *arg, const char *peer)
{
    (void) arg;
    (void) peer;
    return true;
}

//  True if count fds can be opened now. A probe, not a reservation:
//  what it rules out is the usual case, a process that ran out of fds
//  before it first talks to a peer.
static bool
s_fds_free (int any_fd, int count)
{
    int fds [S_FDS_SPARE];
    int got = 0;
    while (got < count && (fds [got] = fcntl (any_fd, F_DUPFD_CLOEXEC, 0)) >= 0)
        got++;
    int err = errno;
    for (int i = 0; i < got; i++)
        close (fds [i]);
    errno = err;
    return got == count;
}

void *
act_link_zmq_attach (void *arg, const char *peer)
{
    s_link_t *self = (s_link_t *) arg;
    //  zmq_connect succeeds without an fd; libzmq's I/O thread would then
    //  fail to connect, retry forever, and keep what we queue for the peer
    //  until the hwm, all in silence. Refused here, the tell fails, is
    //  counted, and the next one tries again.
    int fd = -1;
    size_t size = sizeof fd;
    zmq_getsockopt (self->out, ZMQ_FD, &fd, &size);
    if (!s_fds_free (fd, S_FDS_SPARE)) {
        if (errno == EMFILE || errno == ENFILE)
            zsys_warning ("actorio: %s: cannot reach group %s: %s",
                          act_peers_group (self->peers), peer, strerror (errno));
        return NULL;
    }
    char endpoint [PATH_MAX + 8];
    if (self->medium.connect (self->medium.arg, self->out, peer, endpoint, sizeof endpoint))
        return NULL;
    zmq_setsockopt (self->out, ZMQ_CONNECT_ROUTING_ID, peer, strlen (peer));
    if (zmq_connect (self->out, endpoint))
        return NULL;
    s_state_t *state = (s_state_t *) calloc (1, sizeof (s_state_t));
    if (!state)
        abort ();
    state->name = strdup (peer);
    act_wire_batch_reset (&state->batch);
    return state;
}

void
act_link_zmq_detach (void *arg, void *state_arg)
{
    (void) arg;
    s_state_t *state = (s_state_t *) state_arg;
    act_wire_batch_free (&state->batch);
    free (state->name);
    free (state);
}

//  Send the batch to the peer without waiting. 0 and the batch is empty;
//  -1 with libzmq's errno (EAGAIN: the queue is full) and it is kept.
static int
s_send_batch (s_link_t *self, s_state_t *state)
{
    if (!state->batch.count)
        return 0;
    size_t size = act_wire_batch_finish (&state->batch);
    //  Refusals (full queue, unknown peer) come on the first frame, and
    //  then nothing was sent; once it is in, libzmq takes the rest.
    if (zmq_send (self->out, state->name, strlen (state->name),
                  ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    zmq_send (self->out, state->batch.data, size, 0);
    act_wire_batch_reset (&state->batch);
    return 0;
}

static void
s_free_msg (void *data, void *hint)
{
    (void) data;
    act_msg_t *msg = (act_msg_t *) hint;
    act_msg_destroy (&msg);
}

//  One message alone, its payload zero-copy in a second frame. Takes
//  *msg_p on success; -1 with libzmq's errno and *msg_p stays.
static int
s_send_alone (s_link_t *self, s_state_t *state, const act_wire_record_t *record,
              act_msg_t **msg_p)
{
    act_msg_t *msg = *msg_p;
    unsigned char frame [ACT_WIRE_ALONE_MAX];
    size_t size = act_wire_encode_record (frame, record);
    if (zmq_send (self->out, state->name, strlen (state->name),
                  ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    zmq_send (self->out, frame, size, ZMQ_SNDMORE);
    *msg_p = NULL;
    zmq_msg_t payload;
    if (msg->size)
        //  libzmq's I/O thread frees the whole message when done with it.
        zmq_msg_init_data (&payload, (void *) act_msg_data (msg), msg->size,
                           s_free_msg, msg);
    else {
        zmq_msg_init (&payload);
        act_msg_destroy (&msg);
    }
    if (zmq_msg_send (&payload, self->out, 0) < 0)
        zmq_msg_close (&payload);
    return 0;
}

int
act_link_zmq_flush (void *arg, void *state_arg)
{
    s_link_t *self = (s_link_t *) arg;
    s_state_t *state = (s_state_t *) state_arg;
    if (s_send_batch (self, state) == 0)
        return 0;
    if (errno == EAGAIN) {
        //  libzmq signals out's fd when a queue drains.
        act_loop_io_enable (self->loop, self->out_watch, true);
        return -1;
    }
    //  Unroutable or worse: those messages cannot go, say so in the counts.
    zsys_warning ("actorio: %s: cannot send to group %s: %s",
                  act_peers_group (self->peers), state->name, zmq_strerror (errno));
    act_link_count (&self->stats->sent, -(uint64_t) state->batch.count);
    act_link_count (&self->stats->dropped, state->batch.count);
    act_wire_batch_reset (&state->batch);
    return 0;
}

bool
act_link_zmq_writable (void *arg, void *state_arg)
{
    (void) arg;
    //  Flushed: the queue took the batch, so it has room.
    return ((s_state_t *) state_arg)->batch.count == 0;
}

int
act_link_zmq_send (void *arg, void *state_arg, const act_wire_record_t *record,
                   act_msg_t **msg_p)
{
    s_link_t *self = (s_link_t *) arg;
    s_state_t *state = (s_state_t *) state_arg;
    act_msg_t *msg = *msg_p;
    if (act_wire_inline (msg)) {
        if (act_wire_batch_full (&state->batch, record->size) && act_link_zmq_flush (self, state)) {
            errno = EAGAIN;
            return -1;
        }
        act_wire_batch_put (&state->batch, record);
        return 0;
    }
    //  Alone, after what is queued for the same peer: FIFO per pair.
    //  libzmq's I/O thread frees it: its sender must be counted.
    act_msg_unbias (msg);
    if (act_link_zmq_flush (self, state) || s_send_alone (self, state, record, msg_p)) {
        if (errno != EHOSTUNREACH)
            errno = EAGAIN;
        return -1;
    }
    return 0;
}

//  --------------------------------------------------------------------
//  Receiving

static bool
s_recv (void *arg)
{
    s_link_t *self = (s_link_t *) arg;
    act_peers_rx_t rx;
    act_peers_rx_begin (self->peers, self->stats, &rx);
    //  The routing id, up to two frames, and one more to see too many.
    zmq_msg_t parts [4];
    bool more_input = true;
    //  Paused, the input stays in ZeroMQ's queue, which then fills up to
    //  the peers; we look again next round, as the fd will not say so.
    while (rx.records < S_RECV_BUDGET && act_peers_accepting (self->peers)) {
        zmq_msg_init (&parts [0]);
        if (zmq_msg_recv (&parts [0], self->in, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&parts [0]);
            more_input = false;
            break;
        }
        size_t count = 1;
        bool more = zmq_msg_more (&parts [0]);
        bool overflow = false;
        while (more) {
            zmq_msg_t *part = &parts [count < 3 ? count : 3];
            zmq_msg_init (part);
            if (zmq_msg_recv (part, self->in, 0) < 0) {
                zmq_msg_close (part);
                break;
            }
            more = zmq_msg_more (part);
            if (count < 3)
                count++;
            else {
                overflow = true;
                zmq_msg_close (part);
            }
        }
        //  A name libzmq made up (its first byte 0; a group's name never
        //  has one): a connection a newer one of its group replaced, or a
        //  client that is no group. What it sends is not read.
        if (!zmq_msg_size (&parts [0]) || !*(unsigned char *) zmq_msg_data (&parts [0])) {
            //  Counted as lost, by the count its header says (untrusted,
            //  so bounded); a line per power of two of such batches.
            const unsigned char *head = count > 1 && zmq_msg_size (&parts [1]) >= 4
                                      ? (const unsigned char *) zmq_msg_data (&parts [1]) : NULL;
            unsigned records = head ? (unsigned) head [2] << 8 | head [3] : 1;
            act_link_count (&self->stats->dropped,
                            records >= 1 && records <= ACT_WIRE_BATCH_MAX ? records : 1);
            self->unnamed++;
            if ((self->unnamed & (self->unnamed - 1)) == 0)
                zsys_warning ("actorio: %s: dropped a batch from a connection that names "
                              "no group (one a newer connection of its group replaced, or "
                              "no group's), %" PRIu64 " so far", act_peers_group (self->peers),
                              self->unnamed);
            for (size_t i = 0; i < count; i++)
                zmq_msg_close (&parts [i]);
            continue;
        }
        act_wire_frame_t frames [2];
        size_t frame_count = count - 1;
        for (size_t i = 0; i < frame_count; i++)
            frames [i] = (act_wire_frame_t) { zmq_msg_data (&parts [i + 1]),
                                              zmq_msg_size (&parts [i + 1]) };
        act_wire_reason_t reason = overflow ? ACT_WIRE_BAD_FRAMES
            : act_wire_decode (frames, frame_count, (size_t) self->max_size,
                               act_peers_rx_record, &rx);
        if (reason != ACT_WIRE_OK)
            act_peers_malformed (self->peers, self->stats, "message",
                                 act_wire_reason_name (reason));
        for (size_t i = 0; i < count; i++)
            zmq_msg_close (&parts [i]);
    }
    act_peers_rx_end (&rx);
    return more_input;
}

//  out's fd fired: a queue may have drained. Reading its events resets
//  the fd; the flush before the next poll does the rest.
static bool
s_out_ready (void *arg)
{
    s_link_t *self = (s_link_t *) arg;
    int events;
    size_t size = sizeof events;
    zmq_getsockopt (self->out, ZMQ_EVENTS, &events, &size);
    act_loop_io_enable (self->loop, self->out_watch, false);
    return false;
}

//  --------------------------------------------------------------------
//  Connections refused

//  The parent of process pid, from /proc, or -1.
static pid_t
s_parent_of (pid_t pid)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *file = fopen (path, "r");
    if (!file)
        return -1;
    char line [512];
    size_t size = fread (line, 1, sizeof line - 1, file);
    fclose (file);
    line [size] = 0;
    //  The name, in parentheses, may hold anything: read after the last ')'.
    const char *end = strrchr (line, ')');
    int parent = -1;
    if (!end || sscanf (end + 1, " %*c %d", &parent) != 1)
        return -1;
    return (pid_t) parent;
}

//  Whether the ipc connection on fd comes from the run: the groups of a
//  run are this process or children of the one supervisor, and never
//  send what libzmq drops (the peer layer refuses a message over the
//  limit beforehand). A test that started the supervisor joins as a
//  group too (act_testkit(3)): to it the groups are its grandchildren.
//  Not the other way round: to a group, the process that started its
//  supervisor is no group (a shell, or a test playing a rogue).
static bool
s_ipc_from_run (int fd)
{
    struct ucred cred;
    socklen_t size = sizeof cred;
    if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &size))
        return false;           //  closed already: it did not last
    pid_t parent = s_parent_of (cred.pid);
    return cred.pid == getpid () || parent == getppid ()
        || (parent > 1 && s_parent_of (parent) == getpid ());
}

static void
s_from_set (s_link_t *self, int fd, s_from_t from)
{
    if (fd < 0)
        return;
    if ((size_t) fd >= self->from_size) {
        size_t size = (size_t) fd * 2 + 16;
        self->from = (unsigned char *) realloc (self->from, size);
        if (!self->from)
            abort ();
        memset (self->from + self->from_size, S_FROM_UNKNOWN, size - self->from_size);
        self->from_size = size;
    }
    self->from [fd] = (unsigned char) from;
}

static void
s_refused (s_link_t *self, const char *reason, int err)
{
    uint64_t refused = atomic_fetch_add (&self->stats->refused, 1) + 1;
    //  A log line per power of two, as for malformed input.
    if ((refused & (refused - 1)) == 0)
        zsys_warning ("actorio: %s: refused a connection (%s%s%s), %" PRIu64 " so far",
                      act_peers_group (self->peers), reason, err ? ": " : "",
                      err ? strerror (err) : "", refused);
}

//  One event of in's monitor: 6 bytes (event, value), then the endpoint.
static void
s_monitor_event (s_link_t *self, const zmq_msg_t *frame)
{
    if (zmq_msg_size (frame) < 6)
        return;
    uint16_t event;
    uint32_t value;
    memcpy (&event, zmq_msg_data ((zmq_msg_t *) frame), 2);
    memcpy (&value, (char *) zmq_msg_data ((zmq_msg_t *) frame) + 2, 4);
    int fd = (int) value;
    if (event == ZMQ_EVENT_ACCEPTED)
        s_from_set (self, fd, !self->medium.from_run || self->medium.from_run (fd)
                              ? S_FROM_RUN : S_FROM_OUTSIDE);
    else
    if (event == ZMQ_EVENT_ACCEPT_FAILED)
        //  Another user's process (ZMQ_IPC_FILTER_UID), or no fd left.
        s_refused (self, "at accept", (int) value);
    else
    if ((event & (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)) && !self->medium.from_run)
        //  Every connection that passes a handshake is the run's: the
        //  failures are the refusals, however they interleave.
        s_refused (self, "bad handshake", 0);
    else
    if (event & (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
               | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH))
        //  The disconnection of the same connection follows at once: it is
        //  counted there, once.
        self->handshake_failed = true;
    else
    if (event == ZMQ_EVENT_DISCONNECTED) {
        s_from_t from = fd >= 0 && (size_t) fd < self->from_size
                      ? (s_from_t) self->from [fd] : S_FROM_UNKNOWN;
        s_from_set (self, fd, S_FROM_UNKNOWN);
        //  libzmq does not say why it ended a connection: a group's ends
        //  when it stops (the supervisor says so), anyone else's was
        //  dropped for a frame over max_msg_size or bad framing, or ended
        //  on its own: refused either way, as it had no business here.
        if (self->handshake_failed)
            s_refused (self, "bad handshake", 0);
        else
        if (from != S_FROM_RUN)
            s_refused (self, "dropped, from outside the run", 0);
        self->handshake_failed = false;
    }
}

static bool
s_monitor_ready (void *arg)
{
    s_link_t *self = (s_link_t *) arg;
    zmq_msg_t frame;
    zmq_msg_init (&frame);
    while (zmq_msg_recv (&frame, self->monitor, ZMQ_DONTWAIT) >= 0) {
        s_monitor_event (self, &frame);
        //  The endpoint frame, and any other part, is of no use here.
        while (zmq_msg_more (&frame) && zmq_msg_recv (&frame, self->monitor, 0) >= 0)
            ;
    }
    zmq_msg_close (&frame);
    return false;
}

//  out's connections went up or down: the medium hears which, by the
//  endpoint in the second frame.
static bool
s_out_monitor_ready (void *arg)
{
    s_link_t *self = (s_link_t *) arg;
    zmq_msg_t frame;
    zmq_msg_init (&frame);
    while (zmq_msg_recv (&frame, self->out_monitor, ZMQ_DONTWAIT) >= 0) {
        uint16_t event = 0;
        if (zmq_msg_size (&frame) >= 6)
            memcpy (&event, zmq_msg_data (&frame), 2);
        char endpoint [PATH_MAX + 8] = "";
        while (zmq_msg_more (&frame) && zmq_msg_recv (&frame, self->out_monitor, 0) >= 0)
            if (!endpoint [0] && zmq_msg_size (&frame) < sizeof endpoint) {
                memcpy (endpoint, zmq_msg_data (&frame), zmq_msg_size (&frame));
                endpoint [zmq_msg_size (&frame)] = 0;
            }
        self->medium.out_event (self->medium.arg, event, endpoint);
    }
    zmq_msg_close (&frame);
    return false;
}

//  A PAIR reading the monitor events of socket, watched by the loop.
static void *
s_monitor (s_link_t *self, void *context, void *socket, const char *name, int events,
           act_loop_io_fn *handler, int *watch)
{
    //  Named by a serial, not by our address: a link made after one was
    //  closed may get the same address while ZeroMQ's reaper still holds
    //  the old monitor's endpoint, and the bind would fail (EADDRINUSE).
    static atomic_uint serial;
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "inproc://actorio-%s-%u", name,
              atomic_fetch_add (&serial, 1));
    if (zmq_socket_monitor (socket, endpoint, events))
        return NULL;
    void *monitor = zmq_socket (context, ZMQ_PAIR);
    if (!monitor || zmq_connect (monitor, endpoint)) {
        int err = errno;
        //  Not left sending to nobody (act_link_zmq_close says why)
        zmq_socket_monitor (socket, NULL, 0);
        if (monitor)
            zmq_close (monitor);
        errno = err;
        return NULL;
    }
    int fd = -1;
    size_t size = sizeof fd;
    zmq_getsockopt (monitor, ZMQ_FD, &fd, &size);
    *watch = act_loop_io_add (self->loop, fd, handler, self);
    return monitor;
}

//  Watch in's connections: a monitor is the only place libzmq tells of
//  those it refused or dropped; and out's, if the medium asks.
static int
s_monitor_open (s_link_t *self, void *context)
{
    self->monitor = s_monitor (self, context, self->in, "in", S_IN_EVENTS,
                               s_monitor_ready, &self->monitor_watch);
    if (self->monitor && self->medium.out_event)
        self->out_monitor = s_monitor (self, context, self->out, "out", S_OUT_EVENTS,
                                       s_out_monitor_ready, &self->out_monitor_watch);
    return self->monitor && (self->out_monitor || !self->medium.out_event) ? 0 : -1;
}

//  Close "in" and wait until it is gone: its monitor's last word,
//  MONITOR_STOPPED, comes once every connection it accepted is closed.
//  zmq_close alone returns at once and leaves that to ZeroMQ's threads;
//  a peer in this process then kept writing to its connection to us
//  after our next life had bound the same address and said hello: 1
//  time in ~1000, that connection outlived us for good, and what the
//  peer sent our next life was read by nobody (test_transport's
//  a_hello_outlives_the_late_word_of_an_earlier_death hung). A group in
//  its own process has this from the kernel at exit. "in" never sends,
//  so its linger does not apply: this takes the I/O thread's next turn.
//  No bound: closed early, the reader could stop every socket of the
//  process (above), and an I/O thread that never gets to it would hang
//  the process's exit all the same (zmq_ctx_term); a slow one is told.
static void
s_close_in (s_link_t *self)
{
    zmq_close (self->in);
    self->in = NULL;
    if (!self->monitor)
        return;
    int64_t start = zclock_mono ();
    bool told = false;
    zmq_msg_t frame;
    zmq_msg_init (&frame);
    for (;;) {
        zmq_pollitem_t item = { self->monitor, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, S_CLOSE_WARN_MS) < 0 && errno != EINTR)
            break;              //  the context is ending: nothing more comes
        while (zmq_msg_recv (&frame, self->monitor, ZMQ_DONTWAIT) >= 0) {
            uint16_t event = 0;
            if (zmq_msg_size (&frame) >= 6)
                memcpy (&event, zmq_msg_data (&frame), 2);
            while (zmq_msg_more (&frame) && zmq_msg_recv (&frame, self->monitor, 0) >= 0)
                ;
            if (event == ZMQ_EVENT_MONITOR_STOPPED) {
                zmq_msg_close (&frame);
                return;
            }
        }
        if (!told && zclock_mono () - start >= S_CLOSE_WARN_MS) {
            zsys_warning ("actorio: %s: its endpoint is still closing after %d ms "
                          "(ZeroMQ's I/O thread busy?); waiting",
                          act_peers_group (self->peers), S_CLOSE_WARN_MS);
            told = true;
        }
    }
    zmq_msg_close (&frame);
}

void
act_link_zmq_close (void *arg)
{
    s_link_t *self = (s_link_t *) arg;
    if (self->out_monitor_watch)
        act_loop_io_remove (self->loop, self->out_monitor_watch);
    if (self->in_watch)
        act_loop_io_remove (self->loop, self->in_watch);
    if (self->out_watch)
        act_loop_io_remove (self->loop, self->out_watch);
    if (self->monitor_watch)
        act_loop_io_remove (self->loop, self->monitor_watch);
    //  A monitor is done before its reader goes (out's stopped, in's
    //  heard to its last word, s_close_in), and closing a socket
    //  does not stop its monitor: ZeroMQ's reaper still reports on its
    //  connections until it is gone (a peer that hangs up meanwhile is a
    //  DISCONNECTED), and libzmq sends an event without a timeout, so one
    //  for a reader already closed blocked the I/O thread that sent it for
    //  good, and with it every socket of the process (a testkit's second
    //  run never reached its groups, 1 time in 50-125 under ASan).
    if (self->out)
        zmq_socket_monitor (self->out, NULL, 0);
    if (self->in)
        s_close_in (self);
    if (self->monitor)
        zmq_close (self->monitor);
    if (self->out)
        zmq_close (self->out);
    if (self->out_monitor)
        zmq_close (self->out_monitor);
    if (self->medium.close)
        self->medium.close (self->medium.arg);
    free (self->from);
    free (self->rundir);
    free (self);
}

//  ipc://RUNDIR/GROUP: only processes of our own user may connect
//  (SO_PEERCRED), and the socket file is private too.
static int
s_ipc_bind (void *arg, void *in, void *out)
{
    (void) out;
    s_link_t *self = (s_link_t *) arg;
    const char *group = act_peers_group (self->peers);
    int uid = (int) getuid ();
    zmq_setsockopt (in, ZMQ_IPC_FILTER_UID, &uid, sizeof uid);
    char endpoint [PATH_MAX + 8];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/%s", self->rundir, group);
    //  A socket file left by a group that crashed would make bind fail;
    //  the supervisor holds the run's lock, so no live group owns it.
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/%s", self->rundir, group);
    unlink (path);
    if (zmq_bind (in, endpoint))
        return -1;
    chmod (path, 0600);
    return 0;
}

static int
s_ipc_connect (void *arg, void *out, const char *peer, char *endpoint, size_t size)
{
    (void) out;
    snprintf (endpoint, size, "ipc://%s/%s", ((s_link_t *) arg)->rundir, peer);
    return 0;
}

void *
act_link_zmq_make (act_peers_t *peers, act_link_stats_t *stats, const char *rundir,
                   int64_t max_size, int hwm)
{
    act_link_zmq_medium_t medium = {
        .bind = s_ipc_bind, .connect = s_ipc_connect, .from_run = s_ipc_from_run
    };
    return act_link_zmq_make_medium (peers, stats, &medium, rundir, max_size, hwm);
}

void *
act_link_zmq_arg (void *link)
{
    return ((s_link_t *) link)->medium.arg;
}

void *
act_link_zmq_make_medium (act_peers_t *peers, act_link_stats_t *stats,
                          const act_link_zmq_medium_t *medium, const char *rundir,
                          int64_t max_size, int hwm)
{
    s_link_t *self = (s_link_t *) calloc (1, sizeof (s_link_t));
    if (!self)
        abort ();
    self->medium = *medium;
    if (!self->medium.arg)
        self->medium.arg = self;
    self->peers = peers;
    self->loop = act_peers_loop (peers);
    self->stats = stats;
    self->rundir = strdup (rundir);
    self->max_size = max_size;

    void *context = zsys_init ();
    self->in = zmq_socket (context, ZMQ_ROUTER);
    self->out = zmq_socket (context, ZMQ_ROUTER);
    int one = 1, linger = 200;
    //  Limits in ZeroMQ's units: a frame holds a batch, or one payload.
    int64_t frame_max = max_size > ACT_WIRE_BATCH_BYTES + ACT_WIRE_INLINE_MAX
                      ? max_size : ACT_WIRE_BATCH_BYTES + ACT_WIRE_INLINE_MAX;
    frame_max += ACT_WIRE_ALONE_MAX;
    //  The mark counts ZeroMQ messages, each a batch of 1 to 256 of ours:
    //  hwm / 16 batches hold at least hwm messages once batches are a
    //  sixteenth full, as they are under load; bounded either way.
    int batches = hwm / 16 > 2 ? hwm / 16 : 2;
    zmq_setsockopt (self->in, ZMQ_MAXMSGSIZE, &frame_max, sizeof frame_max);
    zmq_setsockopt (self->in, ZMQ_RCVHWM, &batches, sizeof batches);
    zmq_setsockopt (self->in, ZMQ_LINGER, &linger, sizeof linger);
    //  One connection per peer group is read: each "out" names itself
    //  (below), and a new connection of a group takes its name from the
    //  old one, whose last batches then come under a name libzmq makes up
    //  and are dropped (s_recv). Read beside the new one, as they were
    //  with a made-up name each, a connection made again (tcp after a
    //  silence, or the group's next life) could bring a stream out of
    //  order.
    zmq_setsockopt (self->in, ZMQ_ROUTER_HANDOVER, &one, sizeof one);
    const char *group = act_peers_group (peers);
    zmq_setsockopt (self->out, ZMQ_ROUTING_ID, group, strlen (group));
    zmq_setsockopt (self->out, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt (self->out, ZMQ_SNDHWM, &batches, sizeof batches);
    zmq_setsockopt (self->out, ZMQ_LINGER, &linger, sizeof linger);
    //  A peer's next life binds where its last one was within a few ms of
    //  its death: libzmq's default first wait, 100-200 ms, held back
    //  everything sent to a restarted group (its peers' answers to what
    //  its setups said) for that long. Then back off, to a try every
    //  100 ms for a peer that stays away, as the default did.
    int reconnect = S_RECONNECT_MS, reconnect_max = S_RECONNECT_MAX_MS;
    zmq_setsockopt (self->out, ZMQ_RECONNECT_IVL, &reconnect, sizeof reconnect);
    zmq_setsockopt (self->out, ZMQ_RECONNECT_IVL_MAX, &reconnect_max, sizeof reconnect_max);
    if (s_monitor_open (self, context)) {
        int err = errno;
        //  What the medium holds is the caller's until we are made
        self->medium.close = NULL;
        act_link_zmq_close (self);
        errno = err;
        return NULL;
    }
    return self;
}

int
act_link_zmq_bind (void *link)
{
    s_link_t *self = (s_link_t *) link;
    if (self->medium.bind (self->medium.arg, self->in, self->out))
        return -1;
    int fd = -1;
    size_t size = sizeof fd;
    zmq_getsockopt (self->in, ZMQ_FD, &fd, &size);
    self->in_watch = act_loop_io_add (self->loop, fd, s_recv, self);
    zmq_getsockopt (self->out, ZMQ_FD, &fd, &size);
    self->out_watch = act_loop_io_add (self->loop, fd, s_out_ready, self);
    act_loop_io_enable (self->loop, self->out_watch, false);
    return 0;
}

void *
act_link_zmq_open_medium (act_peers_t *peers, act_link_stats_t *stats,
                          const act_link_zmq_medium_t *medium, const char *rundir,
                          int64_t max_size, int hwm)
{
    s_link_t *self = (s_link_t *) act_link_zmq_make_medium (peers, stats, medium, rundir,
                                                            max_size, hwm);
    if (self && act_link_zmq_bind (self)) {
        int err = errno;
        self->medium.close = NULL;
        act_link_zmq_close (self);
        errno = err;
        return NULL;
    }
    return self;
}

const act_link_ops_t act_link_zmq = ACT_LINK_ZMQ_OPS ("ipc", s_reaches);
