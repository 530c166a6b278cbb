/*  act_link_zmq - the ipc link: batches over ZeroMQ ROUTER sockets
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
*/
#include "act_link.h"
#include <sys/stat.h>

#define S_RECV_BUDGET 1024      //  records taken per poll round, as many
                                //  as one actor turn handles

typedef struct {
    char *name;                 //  the peer's group name = routing id
    act_wire_batch_t batch;     //  messages not yet handed to ZeroMQ
} s_state_t;

typedef struct {
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
} s_link_t;

static bool
s_reaches (void *arg, const char *peer)
{
    (void) arg;
    (void) peer;
    return true;
}

static void *
s_attach (void *arg, const char *peer)
{
    s_link_t *self = (s_link_t *) arg;
    char endpoint [PATH_MAX + 8];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/%s", self->rundir, peer);
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

static void
s_detach (void *arg, void *state_arg)
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

static int
s_flush (void *arg, void *state_arg)
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

static bool
s_writable (void *arg, void *state_arg)
{
    (void) arg;
    //  Flushed: the queue took the batch, so it has room.
    return ((s_state_t *) state_arg)->batch.count == 0;
}

static int
s_send (void *arg, void *state_arg, const act_wire_record_t *record, act_msg_t **msg_p)
{
    s_link_t *self = (s_link_t *) arg;
    s_state_t *state = (s_state_t *) state_arg;
    act_msg_t *msg = *msg_p;
    if (act_wire_inline (msg)) {
        if (act_wire_batch_full (&state->batch, record->size) && s_flush (self, state)) {
            errno = EAGAIN;
            return -1;
        }
        act_wire_batch_put (&state->batch, record);
        return 0;
    }
    //  Alone, after what is queued for the same peer: FIFO per pair.
    //  libzmq's I/O thread frees it: its sender must be counted.
    act_msg_unbias (msg);
    if (s_flush (self, state) || s_send_alone (self, state, record, msg_p)) {
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

static void
s_close (void *arg)
{
    s_link_t *self = (s_link_t *) arg;
    if (self->in_watch)
        act_loop_io_remove (self->loop, self->in_watch);
    if (self->out_watch)
        act_loop_io_remove (self->loop, self->out_watch);
    if (self->in)
        zmq_close (self->in);
    if (self->out)
        zmq_close (self->out);
    free (self->rundir);
    free (self);
}

void *
act_link_zmq_open (act_peers_t *peers, act_link_stats_t *stats, const char *rundir,
                   int64_t max_size, int hwm)
{
    s_link_t *self = (s_link_t *) calloc (1, sizeof (s_link_t));
    if (!self)
        abort ();
    self->peers = peers;
    self->loop = act_peers_loop (peers);
    self->stats = stats;
    self->rundir = strdup (rundir);
    self->max_size = max_size;
    const char *group = act_peers_group (peers);

    void *context = zsys_init ();
    self->in = zmq_socket (context, ZMQ_ROUTER);
    self->out = zmq_socket (context, ZMQ_ROUTER);
    int one = 1, linger = 200, uid = (int) getuid ();
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
    //  Only processes of our own user may connect (SO_PEERCRED).
    zmq_setsockopt (self->in, ZMQ_IPC_FILTER_UID, &uid, sizeof uid);
    zmq_setsockopt (self->out, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt (self->out, ZMQ_SNDHWM, &batches, sizeof batches);
    zmq_setsockopt (self->out, ZMQ_LINGER, &linger, sizeof linger);

    char endpoint [PATH_MAX + 8];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/%s", rundir, group);
    //  A socket file left by a group that crashed would make bind fail;
    //  the supervisor holds the run's lock, so no live group owns it.
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/%s", rundir, group);
    unlink (path);
    if (zmq_bind (self->in, endpoint)) {
        int err = errno;
        s_close (self);
        errno = err;
        return NULL;
    }
    chmod (path, 0600);
    int fd = -1;
    size_t size = sizeof fd;
    zmq_getsockopt (self->in, ZMQ_FD, &fd, &size);
    self->in_watch = act_loop_io_add (self->loop, fd, s_recv, self);
    zmq_getsockopt (self->out, ZMQ_FD, &fd, &size);
    self->out_watch = act_loop_io_add (self->loop, fd, s_out_ready, self);
    act_loop_io_enable (self->loop, self->out_watch, false);
    return self;
}

const act_link_ops_t act_link_zmq = {
    .kind = "ipc",
    .reaches = s_reaches,
    .attach = s_attach,
    .detach = s_detach,
    .send = s_send,
    .flush = s_flush,
    .writable = s_writable,
    .close = s_close
};
