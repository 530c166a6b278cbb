/*  act_transport - messages between the groups of a run
    SPDX-License-Identifier: MPL-2.0

    Two ROUTER sockets per group, both used only on the loop thread. "in"
    binds ipc://RUNDIR/GROUP and takes messages from any peer; "out"
    connects to each peer on first use with the peer's name as routing
    id and ROUTER_MANDATORY, so a message is either queued toward a known
    peer or refused with an error we count: never dropped in silence.
    Messages to a peer are gathered into a batch that goes out when it is
    full or when the loop is about to poll (see act_wire.h for why). A
    full queue (the high-water mark) keeps the batch; when the batch is
    full too, a tell is refused with EAGAIN, which a tell from the loop
    returns to its caller. Replies go out on "out" too, so "in" never
    needs to know who is connected to it.

    Local actors get addresses on demand: a named actor is GROUP/NAME, an
    anonymous actor or inbox that sends to another group is given a name
    "_N" the first time, registered until it stops.
*/
#include "act_loop_priv.h"
#include "act_wire.h"
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/un.h>

#define ACT_RECV_BUDGET 1024    //  records taken per poll round, as many
                                //  as one actor turn handles

typedef struct s_peer {
    char *name;                 //  group name
    bool down;                  //  stopped, says the supervisor
    bool connected;             //  "out" connected to its endpoint
    bool dirty;                 //  in the dirty list: its batch waits
    struct s_peer *next_dirty;  //  dirty list link
    act_wire_batch_t batch;     //  messages not yet handed to ZeroMQ
    act_waiters_t asks;         //  waiters of asks sent to it
    zlistx_t *blocked;          //  actors refused with EAGAIN, to tell
                                //  when the queue has room (counted refs)
} s_peer_t;

typedef struct {
    act_loop_t *loop;           //  our loop
    act_core_t *core;           //  its core (counters, names)
    char *group;                //  our group name
    char *rundir;               //  where the endpoints live
    void *in;                   //  ROUTER bound at our endpoint
    void *out;                  //  ROUTER connected to the peers
    zhashx_t *peers;            //  name -> s_peer_t
    s_peer_t *dirty;            //  peers whose batch waits to be sent
    int64_t max_size;           //  payload limit, bytes
    int hwm;                    //  queue limit per peer, messages
} s_transport_t;

static void
s_peer_destroy (void **item)
{
    s_peer_t *peer = (s_peer_t *) *item;
    *item = NULL;
    act_waiters_free (&peer->asks);
    act_ref_t *ref;
    while ((ref = (act_ref_t *) zlistx_detach (peer->blocked, NULL)))
        act_ref_destroy (&ref);
    zlistx_destroy (&peer->blocked);
    act_wire_batch_free (&peer->batch);
    free (peer->name);
    free (peer);
}

static s_peer_t *
s_peer (s_transport_t *self, const char *name)
{
    s_peer_t *peer = (s_peer_t *) zhashx_lookup (self->peers, name);
    if (!peer) {
        peer = (s_peer_t *) calloc (1, sizeof (s_peer_t));
        if (!peer)
            abort ();
        peer->name = strdup (name);
        act_wire_batch_reset (&peer->batch);
        peer->blocked = zlistx_new ();
        zhashx_insert (self->peers, name, peer);
    }
    return peer;
}

static int
s_peer_connect (s_transport_t *self, s_peer_t *peer)
{
    char endpoint [PATH_MAX + 8];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/%s", self->rundir, peer->name);
    zmq_setsockopt (self->out, ZMQ_CONNECT_ROUTING_ID, peer->name, strlen (peer->name));
    if (zmq_connect (self->out, endpoint))
        return -1;
    peer->connected = true;
    return 0;
}

//  --------------------------------------------------------------------
//  Addresses

static bool
s_give_name (s_transport_t *self, act_ref_t *ref)
{
    //  Under the lock with the dead check: an inbox destroyed meanwhile
    //  (by its own thread) must not leave its name behind.
    bool ok = false;
    pthread_mutex_lock (&self->core->lock);
    if (!atomic_load (&ref->dead)
    && (ref->kind == ACT_REF_INBOX || ref->actor)) {
        char name [32];
        snprintf (name, sizeof name, "_%" PRIu64,
                  (uint64_t) atomic_fetch_add (&self->core->next_anon, 1));
        ref->name = strdup (name);
        zhashx_insert (self->core->names, name, ref);
        ok = true;
    }
    pthread_mutex_unlock (&self->core->lock);
    return ok;
}

static const char *
s_address (s_transport_t *self, act_ref_t *ref)
{
    if (!ref)
        return NULL;
    if (ref->kind == ACT_REF_REMOTE)
        return ref->name;       //  forwarded: the first sender stays
    if (!ref->address) {
        if (!ref->name && !s_give_name (self, ref))
            return NULL;
        //  Kept in the reference: a stream from one actor formats it once.
        char address [ACT_WIRE_ADDR_MAX + 1];
        snprintf (address, sizeof address, "%s/%s", self->group, ref->name);
        ref->address = strdup (address);
    }
    return ref->address;
}

static act_ref_t *
s_ref_for (s_transport_t *self, const char *address)
{
    const char *slash = strchr (address, '/');
    size_t len = (size_t) (slash - address);
    if (strlen (self->group) == len && memcmp (self->group, address, len) == 0) {
        pthread_mutex_lock (&self->core->lock);
        act_ref_t *ref = (act_ref_t *) zhashx_lookup (self->core->names, slash + 1);
        if (ref)
            ref = act_ref_dup (ref);
        pthread_mutex_unlock (&self->core->lock);
        return ref;
    }
    act_ref_t *ref = act_ref_new (ACT_REF_REMOTE, self->core);
    ref->name = strdup (address);
    return ref;
}

//  --------------------------------------------------------------------
//  Sending

static void
s_put_down (unsigned char *p, const act_down_t *down)
{
    uint32_t fields [3] = { htonl ((uint32_t) down->exit.kind),
                            htonl ((uint32_t) down->exit.code),
                            htonl ((uint32_t) down->err) };
    memcpy (p, fields, sizeof fields);
}

static void
s_drop_batch (s_transport_t *self, s_peer_t *peer)
{
    //  Counted as sent when they joined the batch; they never were.
    if (peer->batch.count) {
        atomic_fetch_sub (&self->core->sent, peer->batch.count);
        atomic_fetch_add (&self->core->dropped, peer->batch.count);
    }
    act_wire_batch_reset (&peer->batch);
}

//  The queue toward peer has room again: whoever was refused hears it.
static void
s_tell_writable (s_peer_t *peer)
{
    act_ref_t *ref;
    while ((ref = (act_ref_t *) zlistx_detach (peer->blocked, NULL))) {
        act_msg_t *msg = act_msg_new_internal (ACT_MSG_WRITABLE, peer->name,
                                               strlen (peer->name) + 1);
        act_tell (ref, &msg);
        act_ref_destroy (&ref);
    }
}

//  Hand a peer's batch to ZeroMQ. 0 when it went (or was empty); -1 with
//  EAGAIN when the peer's queue is full and the batch stays.
static int
s_flush_peer (s_transport_t *self, s_peer_t *peer)
{
    if (act_wire_batch_send (self->out, peer->name, &peer->batch) == 0) {
        if (zlistx_size (peer->blocked))
            s_tell_writable (peer);
        return 0;
    }
    if (errno == EAGAIN)
        return -1;
    //  Unroutable or worse: those messages cannot go, say so in the counts.
    zsys_warning ("actorio: %s: cannot send to group %s: %s", self->group,
                  peer->name, zmq_strerror (errno));
    s_drop_batch (self, peer);
    return 0;
}

static void
s_mark_dirty (s_transport_t *self, s_peer_t *peer)
{
    if (!peer->dirty) {
        peer->dirty = true;
        peer->next_dirty = self->dirty;
        self->dirty = peer;
    }
}

static bool
s_flush (void *arg)
{
    s_transport_t *self = (s_transport_t *) arg;
    s_peer_t *peer = self->dirty;
    self->dirty = NULL;
    while (peer) {
        s_peer_t *next = peer->next_dirty;
        peer->dirty = false;
        if (s_flush_peer (self, peer))
            s_mark_dirty (self, peer);
        peer = next;
    }
    return self->dirty != NULL;
}

static s_peer_t *
s_route (s_transport_t *self, act_ref_t *to)
{
    if (to->route)
        return (s_peer_t *) to->route;
    const char *slash = strchr (to->name, '/');
    char group [ACT_WIRE_NAME_MAX + 1];
    size_t len = (size_t) (slash - to->name);
    if (len > ACT_WIRE_NAME_MAX)
        len = ACT_WIRE_NAME_MAX;
    memcpy (group, to->name, len);
    group [len] = 0;
    //  Peers live as long as the transport, and a remote reference is only
    //  used by its own system's loop: the pointer can be kept.
    to->route = s_peer (self, group);
    return (s_peer_t *) to->route;
}

//  An actor's tell was refused for a full queue: it hears when there is
//  room (once, however often it was refused meanwhile).
static void
s_block (s_peer_t *peer, act_ref_t *actor)
{
    if (!actor)
        return;
    for (act_ref_t *ref = (act_ref_t *) zlistx_first (peer->blocked); ref;
         ref = (act_ref_t *) zlistx_next (peer->blocked))
        if (ref == actor)
            return;
    zlistx_add_end (peer->blocked, act_ref_dup (actor));
}

static void
s_refuse (s_transport_t *self, act_msg_t *msg, int err)
{
    atomic_fetch_add (&self->core->dropped, 1);
    if ((msg->flags & ACT_MSG_F_ASK) && msg->sender) {
        act_exit_t why = { ACT_EXIT_SHUTDOWN, 0 };
        act_msg_t *down = act_down_new (NULL, &why, err == EAGAIN ? EAGAIN : ESRCH);
        act_tell (msg->sender, &down);
    }
    act_msg_destroy (&msg);
    errno = err;
}

static int
s_send (void *arg, act_ref_t *to, act_msg_t *msg)
{
    s_transport_t *self = (s_transport_t *) arg;
    s_peer_t *peer = s_route (self, to);
    if (peer->down) {
        s_refuse (self, msg, EHOSTUNREACH);
        return -1;
    }
    //  Every group of a run has the same limit: refuse here what the peer
    //  would refuse, taking the rest of its batch with it.
    if (self->max_size && msg->size > (size_t) self->max_size) {
        s_refuse (self, msg, EMSGSIZE);
        return -1;
    }
    if (!peer->connected && s_peer_connect (self, peer)) {
        s_refuse (self, msg, errno);
        return -1;
    }
    uint32_t flags = (msg->flags & ACT_MSG_F_ASK) ? ACT_WIRE_F_ASK : 0;
    if (msg->type == ACT_MSG_DOWN) {
        //  A failure notice for an asker over there: the codec carries it
        //  as an error reply, type 0, fields in network order.
        act_down_t down = { { ACT_EXIT_NORMAL, 0 }, ESRCH };
        if (msg->size == sizeof down)
            memcpy (&down, msg->data, sizeof down);
        act_msg_t *notice = act_msg_new_internal (0, NULL, 12);
        s_put_down (notice->data, &down);
        notice->corr = msg->corr;
        act_msg_destroy (&msg);
        msg = notice;
        flags = ACT_WIRE_F_ERROR;
    }
    const char *target = to->name + strlen (peer->name) + 1;
    const char *sender = s_address (self, msg->sender);
    act_ref_t *waiter = (flags & ACT_WIRE_F_ASK) ? act_ref_dup (msg->sender) : NULL;
    if (act_wire_inline (msg)) {
        size_t size = act_wire_record_size (target, sender, msg);
        if (act_wire_batch_full (&peer->batch, size) && s_flush_peer (self, peer)) {
            act_ref_destroy (&waiter);
            s_block (peer, act_loop_current_ref (self->loop));
            s_refuse (self, msg, EAGAIN);
            return -1;
        }
        act_wire_batch_add (&peer->batch, target, sender, flags, msg);
        s_mark_dirty (self, peer);
    }
    else {
        //  Alone, after what is queued for the same peer: FIFO per pair.
        //  libzmq's I/O thread frees it: its sender must be counted.
        act_msg_unbias (msg);
        if (s_flush_peer (self, peer)
        ||  act_wire_send_alone (self->out, peer->name, target, sender, flags, &msg)) {
            act_ref_destroy (&waiter);
            if (errno == EAGAIN)
                s_block (peer, act_loop_current_ref (self->loop));
            s_refuse (self, msg, errno == EHOSTUNREACH ? EHOSTUNREACH : EAGAIN);
            return -1;
        }
    }
    atomic_fetch_add_explicit (&self->core->sent, 1, memory_order_relaxed);
    if (waiter) {
        act_waiters_add (&peer->asks, waiter);
        act_ref_destroy (&waiter);
    }
    act_msg_destroy (&msg);
    return 0;
}

static void
s_send_error (s_transport_t *self, const act_wire_head_t *head, int err)
{
    //  Only to a well-formed sender in another group: never answer
    //  garbage, and never loop error replies.
    if (!head->sender [0] || (head->flags & ACT_WIRE_F_ERROR))
        return;
    act_ref_t *to = s_ref_for (self, head->sender);
    if (!to)
        return;
    act_exit_t why = { ACT_EXIT_ERROR, err };
    act_msg_t *down = act_down_new (NULL, &why, err);
    down->corr = head->corr;
    act_loop_deliver (self->loop, to, down);
    act_ref_destroy (&to);
}

//  --------------------------------------------------------------------
//  Receiving

//  What one batch's records share: consecutive records from the same
//  sender or to the same target (a stream) look them up once.
typedef struct {
    s_transport_t *transport;   //  where we are
    char sender [ACT_WIRE_ADDR_MAX + 1];    //  last sender address
    act_ref_t *sender_ref;      //  its reference (counted), or NULL
    char target [ACT_WIRE_NAME_MAX + 1];    //  last target name
    act_ref_t *target_ref;      //  its reference (counted), or NULL
    size_t records;             //  records delivered
} s_batch_ctx_t;

static act_ref_t *
s_target (s_batch_ctx_t *ctx, const char *name)
{
    if (ctx->target_ref && streq (ctx->target, name))
        return ctx->target_ref;
    act_ref_destroy (&ctx->target_ref);
    act_core_t *core = ctx->transport->core;
    pthread_mutex_lock (&core->lock);
    act_ref_t *ref = (act_ref_t *) zhashx_lookup (core->names, name);
    if (ref)
        ref = act_ref_dup (ref);
    pthread_mutex_unlock (&core->lock);
    if (ref) {
        strcpy (ctx->target, name);
        ctx->target_ref = ref;
    }
    return ref;
}

static act_ref_t *
s_sender (s_batch_ctx_t *ctx, const char *address)
{
    if (!address [0])
        return NULL;
    if (!ctx->sender_ref || !streq (ctx->sender, address)) {
        act_ref_destroy (&ctx->sender_ref);
        ctx->sender_ref = s_ref_for (ctx->transport, address);
        strcpy (ctx->sender, address);
    }
    return ctx->sender_ref ? act_ref_dup (ctx->sender_ref) : NULL;
}

static void
s_deliver (void *arg, const act_wire_head_t *head)
{
    s_batch_ctx_t *ctx = (s_batch_ctx_t *) arg;
    s_transport_t *self = ctx->transport;
    ctx->records++;
    act_ref_t *target = s_target (ctx, head->target);
    if (!target) {
        uint64_t unknown = atomic_fetch_add (&self->core->unknown, 1) + 1;
        atomic_fetch_add (&self->core->dead_letters, 1);
        //  A log line per power of two, as for malformed messages.
        if ((unknown & (unknown - 1)) == 0)
            zsys_warning ("actorio: %s: message for unknown actor %s from %s, %" PRIu64
                          " so far", self->group, head->target,
                          head->sender [0] ? head->sender : "-", unknown);
        if (head->flags & ACT_WIRE_F_ASK)
            s_send_error (self, head, ENOENT);
        return;
    }
    act_msg_t *msg;
    if (head->flags & ACT_WIRE_F_ERROR) {
        act_down_t down = { { ACT_EXIT_ERROR, 0 }, ESRCH };
        if (head->size == 12) {
            uint32_t fields [3];
            memcpy (fields, head->payload, sizeof fields);
            down.exit.kind = (act_exit_kind_t) ntohl (fields [0]);
            down.exit.code = (int) ntohl (fields [1]);
            down.err = (int) ntohl (fields [2]);
            if ((unsigned) down.exit.kind > ACT_EXIT_SHUTDOWN)
                down.exit.kind = ACT_EXIT_ERROR;
        }
        msg = act_msg_new_internal (ACT_MSG_DOWN, &down, sizeof down);
    }
    else {
        msg = act_msg_new_internal (head->type, head->payload, head->size);
        if (head->flags & ACT_WIRE_F_ASK)
            msg->flags |= ACT_MSG_F_ASK;
    }
    msg->corr = head->corr;
    msg->sender = s_sender (ctx, head->sender);
    atomic_fetch_add_explicit (&self->core->received, 1, memory_order_relaxed);
    act_loop_deliver (self->loop, target, msg);
}

static bool
s_recv (void *arg)
{
    s_transport_t *self = (s_transport_t *) arg;
    s_batch_ctx_t ctx = { .transport = self };
    //  The routing id, up to two frames, and one more to see too many.
    zmq_msg_t parts [4];
    bool more_input = true;
    while (ctx.records < ACT_RECV_BUDGET) {
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
                               s_deliver, &ctx);
        if (reason != ACT_WIRE_OK) {
            uint64_t bad = atomic_fetch_add (&self->core->malformed, 1) + 1;
            //  A log line per power of two: a flood cannot flood the log.
            if ((bad & (bad - 1)) == 0)
                zsys_warning ("actorio: %s: dropped malformed message (%s), %" PRIu64
                              " so far", self->group, act_wire_reason_name (reason), bad);
        }
        for (size_t i = 0; i < count; i++)
            zmq_msg_close (&parts [i]);
    }
    act_ref_destroy (&ctx.sender_ref);
    act_ref_destroy (&ctx.target_ref);
    return more_input;
}

//  --------------------------------------------------------------------
//  Life cycle

static void
s_destroy (void *arg)
{
    s_transport_t *self = (s_transport_t *) arg;
    //  A group stopping gracefully still sends what its actors said last.
    s_flush (self);
    zmq_close (self->in);
    zmq_close (self->out);
    zhashx_destroy (&self->peers);
    free (self->group);
    free (self->rundir);
    free (self);
}

typedef struct {
    const char *group;
    const char *rundir;
    int64_t max_size;
    int hwm;
} s_join_args_t;

static int
s_join (act_loop_t *loop, void *arg)
{
    s_join_args_t *args = (s_join_args_t *) arg;
    act_core_t *core = act_loop_core (loop);
    if (core->group) {
        errno = EALREADY;
        return -1;
    }
    s_transport_t *self = (s_transport_t *) calloc (1, sizeof (s_transport_t));
    if (!self)
        abort ();
    self->loop = loop;
    self->core = core;
    self->group = strdup (args->group);
    self->rundir = strdup (args->rundir);
    self->max_size = args->max_size;
    self->hwm = args->hwm;
    self->peers = zhashx_new ();
    zhashx_set_destructor (self->peers, s_peer_destroy);

    void *context = zsys_init ();
    self->in = zmq_socket (context, ZMQ_ROUTER);
    self->out = zmq_socket (context, ZMQ_ROUTER);
    int one = 1, linger = 200, uid = (int) getuid ();
    //  Limits in ZeroMQ's units: a frame holds a batch, or one payload.
    int64_t frame_max = self->max_size > ACT_WIRE_BATCH_BYTES + ACT_WIRE_INLINE_MAX
                      ? self->max_size : ACT_WIRE_BATCH_BYTES + ACT_WIRE_INLINE_MAX;
    frame_max += ACT_WIRE_BATCH_HEAD + ACT_WIRE_RECORD + ACT_WIRE_ADDR_MAX
               + ACT_WIRE_NAME_MAX;
    //  The mark counts ZeroMQ messages, each a batch of 1 to 256 of ours:
    //  hwm / 16 batches hold at least hwm messages once batches are a
    //  sixteenth full, as they are under load; bounded either way.
    int batches = self->hwm / 16 > 2 ? self->hwm / 16 : 2;
    zmq_setsockopt (self->in, ZMQ_MAXMSGSIZE, &frame_max, sizeof frame_max);
    zmq_setsockopt (self->in, ZMQ_RCVHWM, &batches, sizeof batches);
    zmq_setsockopt (self->in, ZMQ_LINGER, &linger, sizeof linger);
    //  Only processes of our own user may connect (SO_PEERCRED).
    zmq_setsockopt (self->in, ZMQ_IPC_FILTER_UID, &uid, sizeof uid);
    zmq_setsockopt (self->out, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt (self->out, ZMQ_SNDHWM, &batches, sizeof batches);
    zmq_setsockopt (self->out, ZMQ_LINGER, &linger, sizeof linger);

    char endpoint [PATH_MAX + 8];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/%s", args->rundir, args->group);
    //  A socket file left by a group that crashed would make bind fail;
    //  the supervisor holds the run's lock, so no live group owns it.
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/%s", args->rundir, args->group);
    unlink (path);
    if (zmq_bind (self->in, endpoint)) {
        int err = errno;
        s_destroy (self);
        errno = err;
        return -1;
    }
    chmod (path, 0600);
    pthread_mutex_lock (&core->lock);
    core->group = strdup (args->group);
    pthread_mutex_unlock (&core->lock);
    act_link_t link = { self, self->in, self->out, s_send, s_recv, s_flush, s_destroy };
    act_loop_set_link (loop, &link);
    return 0;
}

int
act_transport_join (act_system_t *system, const char *group, const char *rundir,
                    int64_t max_msg_size, int hwm)
{
    if (!system || !group || !rundir || max_msg_size < 0 || hwm < 0
    ||  !act_wire_name_valid (group, strlen (group))
    ||  strlen (rundir) + strlen (group) + 2 > sizeof (((struct sockaddr_un *) 0)->sun_path)) {
        errno = EINVAL;
        return -1;
    }
    s_join_args_t args = { group, rundir,
                           max_msg_size ? max_msg_size : ACT_TRANSPORT_MAXMSG_DEFAULT,
                           hwm ? hwm : ACT_TRANSPORT_HWM_DEFAULT };
    return act_loop_call (system, s_join, &args);
}

typedef struct {
    const char *peer;
    bool down;
} s_peer_args_t;

static int
s_peer_state (act_loop_t *loop, void *arg)
{
    s_peer_args_t *args = (s_peer_args_t *) arg;
    act_core_t *core = act_loop_core (loop);
    if (!core->group) {
        errno = EINVAL;
        return -1;
    }
    //  The link's self is our transport: the loop gives it back.
    s_transport_t *self = (s_transport_t *) act_loop_link_self (loop);
    s_peer_t *peer = s_peer (self, args->peer);
    //  The batch being filled stays: what it holds was accepted before
    //  the peer went down and goes out after what ZeroMQ already queued
    //  toward it, so a restarted peer sees one stream with its gap at the
    //  restart, never inside its new life.
    peer->down = args->down;
    if (args->down) {
        act_exit_t why = { ACT_EXIT_SHUTDOWN, 0 };
        act_waiters_down (&peer->asks, NULL, &why, ESRCH);
    }
    return 0;
}

static int
s_peer_call (act_system_t *system, const char *peer, bool down)
{
    if (!system || !peer || !act_wire_name_valid (peer, strlen (peer))) {
        errno = EINVAL;
        return -1;
    }
    s_peer_args_t args = { peer, down };
    return act_loop_call (system, s_peer_state, &args);
}

int
act_transport_peer_down (act_system_t *system, const char *peer)
{
    return s_peer_call (system, peer, true);
}

int
act_transport_peer_up (act_system_t *system, const char *peer)
{
    return s_peer_call (system, peer, false);
}

static int
s_stats (act_core_t *core, act_transport_stats_t *stats)
{
    if (!core || !stats) {
        errno = EINVAL;
        return -1;
    }
    stats->sent = atomic_load (&core->sent);
    stats->received = atomic_load (&core->received);
    stats->dropped = atomic_load (&core->dropped);
    stats->malformed = atomic_load (&core->malformed);
    stats->unknown = atomic_load (&core->unknown);
    return 0;
}

int
act_transport_stats (act_system_t *system, act_transport_stats_t *stats)
{
    return s_stats (act_system_core (system), stats);
}

int
act_transport_actor_stats (act_t *self, act_transport_stats_t *stats)
{
    act_ref_t *ref = act_self (self);
    return s_stats (ref ? ref->core : NULL, stats);
}

const char *
act_transport_group (act_system_t *system)
{
    act_core_t *core = act_system_core (system);
    return core ? core->group : NULL;
}
