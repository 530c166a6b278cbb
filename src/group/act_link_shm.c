/*  act_link_shm - the shared-memory link: batches through rings in the
    run's region, large payloads through blocks passed by descriptor
    SPDX-License-Identifier: MPL-2.0

    A sender encodes its batch for a peer straight into the reserved end
    of the ring toward it, and commits it before the loop polls: one copy
    from the message into the ring, none by a kernel. A payload over the
    inline limit is copied once into a block of the sender's area, and
    the ring carries its descriptor; the receiver's message points into
    the block, and destroying it hands the block back (one store); see
    act_shm_blocks.c. The sender reclaims blocks in order, so one block
    held long holds back the area behind it; then sends of large
    payloads wait (EAGAIN).

    Wake-ups: a receiver with nothing to do spins for a while (not when
    it has one CPU to share), then says it is parked, looks at its rings
    once more, and polls its doorbell. A sender rings the doorbell only
    when the receiver is parked, and only once per park. Both the commit
    and the park are sequentially consistent, and each side looks at the
    other's word after writing its own: either the sender sees the park,
    or the receiver sees the record. The same pair of writes guards "the
    ring has room again" with want_room.

    Everything read from the region is checked before use (see act_ring.c
    for the rings); a bad record is counted, its ring reset, and logged.
*/
#include "act_link.h"
#include "act_shm.h"
#include "act_shm_blocks.h"
#include "act_region.h"
#include <sched.h>
#include <time.h>

#define S_SPIN_NS       50000   //  how long an idle receiver spins, ns
#define S_SPIN_PURE_NS  5000    //  of which without giving the CPU away
#define S_RECV_BUDGET   1024    //  messages taken per round, as many as
                                //  one actor turn handles
#define S_BATCH_CAP     (ACT_WIRE_BATCH_BYTES + ACT_WIRE_INLINE_MAX + 512)
#define S_SCRATCH       (S_BATCH_CAP + sizeof (act_shm_desc_t) + 64)

typedef struct {
    size_t index;               //  the peer's index in the region
    act_ring_t ring;            //  ours toward it
    act_wire_batch_t batch;     //  filling in the ring's reservation
    bool open;                  //  batch holds a reservation
    size_t need;                //  bytes of a refused block, to wait for
    bool waiting;               //  refused for room, not writable since
} s_state_t;

typedef struct {
    act_peers_t *peers;         //  the peer layer above
    act_loop_t *loop;           //  for the io watch
    act_link_stats_t *stats;    //  our counters, in the peer layer
    act_region_t *region;       //  the run's region
    const act_shm_layout_t *layout; //  its offsets
    size_t me;                  //  our index
    uint32_t epoch;             //  our life's epoch
    act_shm_group_t *entry;     //  our entry in the group table
    act_ring_t *in;             //  rings toward us, by sender index
    size_t next_in;             //  where the next round starts reading
    act_shm_blocks_t blocks;    //  our block area
    size_t inline_max;          //  larger payloads go in blocks
    size_t record_max;          //  longest ring record, header included:
                                //  a quarter ring
    int64_t max_size;           //  payload limit, bytes
    bool spin;                  //  spin before parking
    bool parked;                //  we said parked in the group table
    int watch;                  //  io watch on our doorbell
    unsigned char *scratch;     //  S_SCRATCH bytes for act_ring_read
    s_state_t **outs;           //  our states toward each peer, by index
    size_t waiting;             //  of which refused for room
} s_link_t;

static void
s_ring_doorbell (s_link_t *self, size_t index)
{
    uint64_t one = 1;
    ssize_t rc = write (self->region->doorbells [index], &one, sizeof one);
    (void) rc;
}

//  After a commit toward index: wake it if it sleeps.
static void
s_notify (s_link_t *self, size_t index)
{
    act_shm_group_t *peer = act_shm_group (self->region->base, index);
    if (atomic_load (&peer->parked) && atomic_exchange (&peer->parked, 0))
        s_ring_doorbell (self, index);
}

//  --------------------------------------------------------------------
//  Sending

static bool
s_reaches (void *arg, const char *peer)
{
    s_link_t *self = (s_link_t *) arg;
    int index = act_shm_index (self->region, peer);
    return index >= 0 && (size_t) index != self->me;
}

static void *
s_attach (void *arg, const char *peer)
{
    s_link_t *self = (s_link_t *) arg;
    s_state_t *state = (s_state_t *) calloc (1, sizeof (s_state_t));
    if (!state)
        abort ();
    state->index = (size_t) act_shm_index (self->region, peer);
    act_ring_attach (&state->ring, act_shm_ring (self->region->base, self->layout,
                                                 self->me, state->index),
                     self->layout->ring_size);
    self->outs [state->index] = state;
    return state;
}

static void
s_commit (s_link_t *self, s_state_t *state)
{
    if (!state->open)
        return;
    state->open = false;
    if (state->batch.count) {
        act_ring_commit (&state->ring, ACT_RING_BATCH, act_wire_batch_finish (&state->batch));
        s_notify (self, state->index);
    }
}

static void
s_wait_for_room (s_link_t *self, s_state_t *state, bool waiting)
{
    if (state->waiting != waiting) {
        state->waiting = waiting;
        if (waiting)
            self->waiting++;
        else
            self->waiting--;
    }
}

static void
s_detach (void *arg, void *state_arg)
{
    s_link_t *self = (s_link_t *) arg;
    s_state_t *state = (s_state_t *) state_arg;
    s_commit (self, state);
    s_wait_for_room (self, state, false);
    self->outs [state->index] = NULL;
    free (state);
}

static int
s_send_inline (s_link_t *self, s_state_t *state, const act_wire_record_t *record)
{
    size_t size = record->size;
    if (state->open && act_wire_batch_full (&state->batch, size))
        s_commit (self, state);
    if (!state->open) {
        size_t cap;
        unsigned char *buf = act_ring_reserve (&state->ring, ACT_WIRE_BATCH_HEAD + size,
                                               S_BATCH_CAP, &cap);
        if (!buf) {
            errno = EAGAIN;
            return -1;
        }
        act_wire_batch_attach (&state->batch, buf, cap);
        state->open = true;
    }
    act_wire_batch_put (&state->batch, record);
    return 0;
}

//  Bytes act_wire_encode_record writes for the record: all but its payload.
static size_t
s_alone_size (const act_wire_record_t *record)
{
    return ACT_WIRE_BATCH_HEAD + record->size - record->msg->size;
}

static int
s_send_block (s_link_t *self, s_state_t *state, const act_wire_record_t *record)
{
    const act_msg_t *msg = record->msg;
    //  After what is batched for the same peer: FIFO per pair.
    s_commit (self, state);
    size_t cap;
    unsigned char *buf = act_ring_reserve (&state->ring, sizeof (act_shm_desc_t)
                                           + s_alone_size (record), S_BATCH_CAP, &cap);
    //  The reservation starts the record the descriptor goes in.
    int64_t offset = buf ? act_shm_blocks_alloc (&self->blocks, state->index, msg->size,
                                                 state->ring.head)
                         : -1;
    if (offset < 0 && buf && errno == EHOSTUNREACH)
        return -1;              //  refused for good: the peer is down
    if (offset < 0) {
        state->need = buf ? act_shm_blocks_len (msg->size) : 0;
        errno = EAGAIN;
        return -1;
    }
    act_shm_block_t *block = (act_shm_block_t *) (self->blocks.blocks + offset);
    memcpy ((unsigned char *) block + ACT_SHM_BLOCK_HEAD, act_msg_data (msg), msg->size);
    act_shm_desc_t desc = { (uint64_t) offset, msg->size, block->epoch, 0 };
    memcpy (buf, &desc, sizeof desc);
    size_t size = sizeof desc + act_wire_encode_record (buf + sizeof desc, record);
    act_ring_commit (&state->ring, ACT_RING_BLOCK, size);
    s_notify (self, state->index);
    return 0;
}

static int
s_send (void *arg, void *state_arg, const act_wire_record_t *record, act_msg_t **msg_p)
{
    s_link_t *self = (s_link_t *) arg;
    s_state_t *state = (s_state_t *) state_arg;
    const act_msg_t *msg = *msg_p;
    bool inline_ok = msg->size <= self->inline_max;
    //  References lengthen a record past what inline_max allows for: one
    //  that does not fit a quarter ring would never find room.
    if (record->ref_count
    &&  ACT_RING_REC_HEAD + (inline_ok ? ACT_WIRE_BATCH_HEAD + record->size
                                       : sizeof (act_shm_desc_t) + s_alone_size (record))
        > self->record_max) {
        errno = EMSGSIZE;
        return -1;
    }
    if (inline_ok)
        return s_send_inline (self, state, record);
    if (act_shm_blocks_len (msg->size) > self->layout->area_size) {
        //  It would never find room: refuse it for good, not for now.
        errno = EMSGSIZE;
        return -1;
    }
    return s_send_block (self, state, record);
}

//  The region says: down from the supervisor's act_region_group_down (or
//  _leaving) to the next life's join, which clears it before that life
//  sends anything.
static bool
s_rejoined (void *arg, void *state_arg)
{
    s_link_t *self = (s_link_t *) arg;
    s_state_t *state = (s_state_t *) state_arg;
    return !atomic_load (&act_shm_group (self->region->base, state->index)->down);
}

static int
s_flush (void *arg, void *state_arg)
{
    s_commit ((s_link_t *) arg, (s_state_t *) state_arg);
    return 0;
}

static bool
s_has_room (s_link_t *self, s_state_t *state)
{
    if (act_ring_free (&state->ring) < state->ring.size / 4)
        return false;
    if (state->need) {
        act_shm_blocks_reclaim (&self->blocks);
        if (!act_shm_blocks_room (&self->blocks, state->need))
            return false;
    }
    return true;
}

static bool
s_writable (void *arg, void *state_arg)
{
    s_link_t *self = (s_link_t *) arg;
    s_state_t *state = (s_state_t *) state_arg;
    if (s_has_room (self, state)) {
        state->need = 0;
        s_wait_for_room (self, state, false);
        return true;
    }
    //  Ask the receiver to ring when it has drained, then look again: it
    //  may have drained between the look and the ask.
    atomic_store (&state->ring.ctl->want_room, 1);
    if (s_has_room (self, state)) {
        state->need = 0;
        s_wait_for_room (self, state, false);
        return true;
    }
    s_wait_for_room (self, state, true);
    return false;
}

//  True if a ring we wait on for room has a good part of it back. A
//  spinning sender looks for itself: the doorbell is read only by the
//  poll that ends the spin, so a stream refused for room lost the whole
//  spin (50 us) each time, while its receiver ran dry. Blocks are left
//  to the doorbell: taking them back writes to the area.
static bool
s_room_back (s_link_t *self)
{
    for (size_t i = 0; i < self->layout->count; i++) {
        s_state_t *state = self->outs [i];
        if (state && state->waiting && !state->need
        &&  act_ring_free (&state->ring) >= state->ring.size / 4)
            return true;
    }
    return false;
}

//  --------------------------------------------------------------------
//  Receiving

typedef struct {
    s_link_t *link;             //  us
    size_t from;                //  the sending group's index
    act_peers_rx_t rx;          //  the peer layer's decoding context
    act_shm_block_t *block;     //  the block of a BLOCK record, or NULL
    bool taken;                 //  a message now owns block
} s_rx_t;

static act_msg_t *
s_external (void *arg, const act_wire_head_t *head)
{
    s_rx_t *ctx = (s_rx_t *) arg;
    if (!ctx->block || ctx->taken)
        return NULL;
    ctx->taken = true;
    return act_msg_new_extern (head->type, head->payload, head->size,
                               act_shm_blocks_release, ctx->block, ctx->link->region);
}

static bool
s_record (void *arg, unsigned kind, const unsigned char *body, size_t size)
{
    s_rx_t *ctx = (s_rx_t *) arg;
    s_link_t *self = ctx->link;
    act_wire_frame_t frames [2];
    size_t count = 1;
    ctx->block = NULL;
    ctx->taken = false;
    if (kind == ACT_RING_BLOCK) {
        act_shm_desc_t desc;
        if (size < sizeof desc) {
            act_peers_malformed (self->peers, self->stats, "ring record", "descriptor");
            return false;
        }
        memcpy (&desc, body, sizeof desc);
        const char *why = NULL;
        ctx->block = act_shm_blocks_take (self->region, self->me, self->epoch, ctx->from,
                                          &desc, self->max_size, &why);
        if (!ctx->block) {
            if (why) {
                atomic_fetch_add (&act_shm_area (self->region->base, self->layout,
                                                 ctx->from)->refused, 1);
                act_peers_malformed (self->peers, self->stats, "ring record", why);
                return false;
            }
            atomic_fetch_add (&self->entry->stale, 1);
            return true;
        }
        frames [1] = (act_wire_frame_t) {
            (unsigned char *) ctx->block + ACT_SHM_BLOCK_HEAD, (size_t) desc.size };
        body += sizeof desc;
        size -= sizeof desc;
        count = 2;
    }
    frames [0] = (act_wire_frame_t) { body, size };
    act_wire_reason_t reason = act_wire_decode (frames, count, (size_t) self->max_size,
                                                act_peers_rx_record, &ctx->rx);
    if (ctx->block && !ctx->taken)
        act_shm_blocks_release (ctx->block, self->region);  //  refused, or for no actor
    if (reason != ACT_WIRE_OK) {
        act_peers_malformed (self->peers, self->stats, "ring record",
                             act_wire_reason_name (reason));
        return false;
    }
    return true;
}

static bool
s_receive (void *arg)
{
    s_link_t *self = (s_link_t *) arg;
    size_t count = self->layout->count;
    bool more = false;
    //  Not zeroed whole: rx holds names it uses only when the peer layer
    //  lends none, and begin sets those then (zeroing was 46 instructions
    //  a receive).
    s_rx_t ctx;
    ctx.link = self;
    act_peers_rx_begin (self->peers, self->stats, &ctx.rx);
    ctx.rx.external = s_external;
    ctx.rx.external_arg = &ctx;
    //  Start where the last round stopped, so a busy sender cannot keep
    //  the budget from the others.
    for (size_t n = 0; n < count; n++) {
        size_t from = (self->next_in + n) % count;
        act_ring_t *ring = &self->in [from];
        if (from == self->me || !act_ring_pending (ring))
            continue;
        //  The peer layer said yes before it called us: only what we
        //  delivered since can change its answer.
        if (ctx.rx.records >= S_RECV_BUDGET
        ||  (ctx.rx.records && !act_peers_accepting (self->peers))) {
            self->next_in = from;
            more = true;
            break;
        }
        ctx.from = from;
        act_ring_reason_t why = ACT_RING_OK;
        if (act_ring_read (ring, 16, self->scratch, S_SCRATCH, s_record, &ctx, &why) < 0) {
            if (why != ACT_RING_BAD_BODY)
                act_peers_malformed (self->peers, self->stats, "ring",
                                     act_ring_reason_name (why));
            act_ring_reset (ring);
            uint64_t resets = atomic_fetch_add (&self->stats->resets, 1) + 1;
            //  A log line per power of two, as for malformed input.
            if ((resets & (resets - 1)) == 0)
                zsys_warning ("actorio: %s: ring from group %s reset after bad input "
                              "(%s), %" PRIu64 " resets so far",
                              act_peers_group (self->peers), self->region->names [from],
                              act_ring_reason_name (why), resets);
        }
        more |= act_ring_pending (ring);
        //  Its sender waits for room: ring once it has a good part back.
        if (atomic_load (&ring->ctl->want_room)
        &&  ring->size - (atomic_load (&ring->ctl->head) - ring->tail) >= ring->size / 4
        &&  atomic_exchange (&ring->ctl->want_room, 0))
            s_ring_doorbell (self, from);
    }
    act_peers_rx_end (&ctx.rx);
    return more;
}

static bool
s_pending (s_link_t *self)
{
    for (size_t from = 0; from < self->layout->count; from++)
        if (from != self->me && act_ring_pending (&self->in [from]))
            return true;
    return false;
}

static int64_t
s_now_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool
s_idle (void *arg)
{
    s_link_t *self = (s_link_t *) arg;
    if (self->spin) {
        //  The clock starts at the first look at it, 64 rounds in: an
        //  answer usually comes before, and then the spin cost no clock
        //  read (a quarter of the floor's round trip here). The bound
        //  is later by those rounds, a microsecond or two.
        int64_t start = 0;
        for (unsigned i = 1; ; i++) {
            if (s_pending (self) || (self->waiting && s_room_back (self)))
                return true;
            //  Give the CPU away now and then: the sender may be waiting
            //  for this very CPU (the scheduler put both groups on one,
            //  other load on the rest), and then nothing comes until we
            //  stop. Not in the first microseconds, where an answer
            //  usually comes: a system call then is a delay of its own.
            if ((i & 63) == 0) {
                int64_t now = s_now_ns ();
                if (!start)
                    start = now;
                if (now > start + S_SPIN_NS)
                    break;
                if (now > start + S_SPIN_PURE_NS)
                    sched_yield ();
            }
#if defined (__x86_64__) || defined (__i386__)
            __builtin_ia32_pause ();
#endif
        }
    }
    atomic_store (&self->entry->parked, 1);
    self->parked = true;
    if (s_pending (self)) {
        atomic_store (&self->entry->parked, 0);
        self->parked = false;
        return true;
    }
    //  After the park, as the rings: a block given back before it was
    //  seen by the receiver's look at parked is seen here.
    if (act_shm_blocks_out (&self->blocks)) {
        atomic_thread_fence (memory_order_seq_cst);
        act_shm_blocks_reclaim (&self->blocks);
    }
    return false;
}

static void
s_wake (void *arg)
{
    s_link_t *self = (s_link_t *) arg;
    //  Only if we parked: the word sits on a line every sender reads at
    //  each commit, and a store for nothing would take it from them.
    if (self->parked) {
        atomic_store_explicit (&self->entry->parked, 0, memory_order_relaxed);
        self->parked = false;
    }
}

//  The doorbell rang: empty it; the rings are read every round anyway.
static bool
s_doorbell (void *arg)
{
    s_link_t *self = (s_link_t *) arg;
    uint64_t value;
    ssize_t rc = read (self->region->doorbells [self->me], &value, sizeof value);
    (void) rc;
    return false;
}

static void
s_close (void *arg)
{
    s_link_t *self = (s_link_t *) arg;
    atomic_store (&self->entry->parked, 0);
    if (self->watch)
        act_loop_io_remove (self->loop, self->watch);
    free (self->in);
    free (self->outs);
    free (self->scratch);
    free (self);
}

static void
s_touch (const void *at)
{
    (void) *(const volatile unsigned char *) at;
}

void
act_link_shm_prefault (const act_region_t *region, const char *group)
{
    int index = region ? act_shm_index (region, group) : -1;
    if (index < 0)
        return;
    size_t me = (size_t) index;
    s_touch (act_shm_group (region->base, me));
    for (size_t other = 0; other < region->layout.count; other++) {
        if (other != me) {
            s_touch (act_shm_ring (region->base, &region->layout, other, me));
            s_touch (act_shm_ring (region->base, &region->layout, me, other));
        }
    }
    s_touch (act_shm_area (region->base, &region->layout, me));
}

void *
act_link_shm_open (act_peers_t *peers, act_link_stats_t *stats, act_region_t *region,
                   int64_t max_size)
{
    int index = act_shm_index (region, act_peers_group (peers));
    if (index < 0) {
        errno = EINVAL;
        return NULL;
    }
    s_link_t *self = (s_link_t *) calloc (1, sizeof (s_link_t));
    if (!self)
        abort ();
    self->peers = peers;
    self->loop = act_peers_loop (peers);
    self->stats = stats;
    self->region = region;
    self->layout = &region->layout;
    self->me = (size_t) index;
    self->max_size = max_size;
    self->entry = act_shm_group (region->base, self->me);
    self->epoch = atomic_load (&self->entry->epoch);
    //  Up again: its senders hand out blocks for it again
    atomic_store (&self->entry->down, 0);
    size_t count = self->layout->count;
    self->in = (act_ring_t *) calloc (count, sizeof (act_ring_t));
    self->outs = (s_state_t **) calloc (count, sizeof (s_state_t *));
    self->scratch = (unsigned char *) malloc (S_SCRATCH);
    if (!self->in || !self->outs || !self->scratch)
        abort ();
    //  The rings are read from where they stand: what a past life of ours
    //  was sent went when it died (act_region_group_down), and what was
    //  sent to us before we joined is ours.
    for (size_t from = 0; from < count; from++)
        if (from != self->me)
            act_ring_attach (&self->in [from], act_shm_ring (region->base, self->layout,
                                                             from, self->me),
                             self->layout->ring_size);
    act_shm_blocks_init (&self->blocks, region, self->me, peers, stats);
    //  A record must fit a quarter ring, or it would never find room.
    //  The bound is for a record without references, the usual kind; one
    //  with references is checked as it is sent.
    size_t quarter = self->layout->ring_size / 4;
    size_t head_max = ACT_WIRE_ALONE_MAX - ACT_WIRE_REFS_BYTES;
    self->record_max = quarter;
    self->inline_max = ACT_WIRE_INLINE_MAX;
    if (quarter < ACT_WIRE_INLINE_MAX + head_max + ACT_RING_REC_HEAD)
        self->inline_max = quarter - head_max - ACT_RING_REC_HEAD;
    //  Spinning helps only when the sender runs on another CPU meanwhile.
    cpu_set_t cpus;
    self->spin = sched_getaffinity (0, sizeof cpus, &cpus) == 0 && CPU_COUNT (&cpus) > 1;
    self->watch = act_loop_io_add (self->loop, region->doorbells [self->me],
                                   s_doorbell, self);
    return self;
}

const act_link_ops_t act_link_shm = {
    .kind = "shm",
    .reaches = s_reaches,
    .attach = s_attach,
    .detach = s_detach,
    .send = s_send,
    .flush = s_flush,
    .writable = s_writable,
    .rejoined = s_rejoined,
    .receive = s_receive,
    .idle = s_idle,
    .wake = s_wake,
    .close = s_close
};
