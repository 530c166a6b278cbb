/*  test_shm_blocks - large payloads over the shm link: a sender's block
    area gives every block back, whatever became of its receivers or of
    its own past life
    SPDX-License-Identifier: MPL-2.0

    Three groups a, b and c of one run in this process, on a region of
    64 KiB areas made here (as actor-run makes it before it forks): the
    rings, blocks and codec are the real ones, only the processes are
    shared. A dead group is a system destroyed, then declared down as
    actor-run declares a reaped one; a dead past life of a is written
    into a's area before a joins, as it would have left it. The same
    trio shows when a peer said down is up again: the region says so as
    soon as its next life joins, whenever the supervisor's word comes.
*/
#include "act_test.h"
#include "act_shm.h"
#include "act_shm_blocks.h"
#include <stdatomic.h>
#include <inttypes.h>

#define S_AREA      (64 * 1024)
#define S_PAYLOAD   30000       //  a block of 30080 bytes: two do not fit
#define S_COUNT     8           //  payloads sent: the area wraps four times

enum {
    MSG_GO = 1,                 //  bigsender: send what the payload says
    MSG_BIG,                    //  the large payload
    MSG_DONE,                   //  bigsender to the test: all through
    MSG_REFUSED,                //  bigsender to the test: errno (int)
    MSG_COUNT                   //  ask a sink its count
};

typedef struct {
    char *rundir;
    act_region_t *region;
    act_system_t *groups [3];   //  a, b, c
} s_trio_t;

static s_trio_t
s_trio_new (void)
{
    const char *names [] = { "a", "b", "c" };
    s_trio_t trio = { act_test_tmpdir (), act_region_new (names, 3, 4096, S_AREA), { 0 } };
    cr_assert_not_null (trio.region, "%s", strerror (errno));
    return trio;
}

static act_system_t *
s_trio_join (s_trio_t *trio, size_t index)
{
    const char *names [] = { "a", "b", "c" };
    act_system_t *system = act_system_new (names [index]);
    cr_assert_eq (act_transport_join_region (system, names [index], trio->rundir,
                                             trio->region, 0, 0), 0);
    trio->groups [index] = system;
    return system;
}

static void
s_trio_destroy (s_trio_t *trio)
{
    for (size_t i = 0; i < 3; i++)
        act_system_destroy (&trio->groups [i]);
    act_region_destroy (&trio->region);
    act_test_tmpdir_remove (&trio->rundir);
}

//  Counts the large payloads it gets (each destroyed, so its block goes
//  back at once); answers MSG_COUNT asks with the count.
static int
s_sink_handle (act_t *self, act_msg_t *msg)
{
    int *count = (int *) act_state (self);
    if (act_msg_type (msg) == MSG_COUNT) {
        act_msg_t *reply = act_msg_new_data (MSG_COUNT, count, sizeof *count);
        return act_reply (msg, &reply);
    }
    if (act_msg_type (msg) == MSG_BIG && act_msg_size (msg) >= S_PAYLOAD)
        (*count)++;
    return ACT_OK;
}

static const act_class_t s_sink = {
    .name = "sink", .state_size = sizeof (int), .handle = s_sink_handle
};

//  On MSG_GO ("GROUP/ACTOR SIZE COUNT"), tells COUNT payloads of SIZE
//  bytes to that actor, waiting for ACT_MSG_WRITABLE whenever the area
//  is full; tells the test inbox MSG_DONE, or MSG_REFUSED with the errno
//  of a refusal for good.
typedef struct {
    act_system_t *system;       //  its own, for act_lookup
    act_ref_t *report;          //  the test's inbox
} s_sender_args_t;

typedef struct {
    act_system_t *system;
    act_ref_t *report;
    act_ref_t *to;
    size_t size;
    int left;
} s_sender_t;

static int
s_sender_setup (act_t *self, void *args)
{
    s_sender_t *state = (s_sender_t *) act_state (self);
    s_sender_args_t *given = (s_sender_args_t *) args;
    state->system = given->system;
    state->report = act_ref_dup (given->report);
    free (given);
    return ACT_OK;
}

static int
s_sender_send (act_t *self)
{
    s_sender_t *state = (s_sender_t *) act_state (self);
    while (state->left > 0) {
        void *payload = calloc (1, state->size);
        act_msg_t *big = act_msg_new_data (MSG_BIG, payload, state->size);
        free (payload);
        if (act_tell (state->to, &big)) {
            if (errno == EAGAIN)
                return ACT_OK;          //  again on ACT_MSG_WRITABLE
            int err = errno;
            act_msg_t *refused = act_msg_new_data (MSG_REFUSED, &err, sizeof err);
            act_tell (state->report, &refused);
            state->left = 0;
            return ACT_OK;
        }
        state->left--;
    }
    act_msg_t *done = act_msg_new (MSG_DONE);
    act_tell (state->report, &done);
    return ACT_OK;
}

static int
s_sender_handle (act_t *self, act_msg_t *msg)
{
    s_sender_t *state = (s_sender_t *) act_state (self);
    if (act_msg_type (msg) == MSG_GO) {
        char target [80];
        size_t size;
        int count;
        if (sscanf (act_msg_str (msg), "%79s %zu %d", target, &size, &count) != 3)
            return -1;
        act_ref_destroy (&state->to);
        state->to = act_lookup (state->system, target);
        state->size = size;
        state->left = count;
        return state->to ? s_sender_send (self) : -1;
    }
    if (act_msg_type (msg) == ACT_MSG_WRITABLE)
        return s_sender_send (self);
    return ACT_OK;
}

static void
s_sender_teardown (act_t *self)
{
    s_sender_t *state = (s_sender_t *) act_state (self);
    act_ref_destroy (&state->report);
    act_ref_destroy (&state->to);
}

static const act_class_t s_sender = {
    .name = "bigsender", .state_size = sizeof (s_sender_t), .setup = s_sender_setup,
    .handle = s_sender_handle, .teardown = s_sender_teardown
};

//  A's sender, reporting to inbox
static act_ref_t *
s_sender_new (act_system_t *a, act_inbox_t *inbox)
{
    s_sender_args_t *args = (s_sender_args_t *) malloc (sizeof *args);
    *args = (s_sender_args_t) { a, act_inbox_ref (inbox) };
    act_ref_t *sender = act_spawn (a, &s_sender, args);
    cr_assert_not_null (sender);
    return sender;
}

//  Has a's sender send count payloads of size to target; the answer
//  (MSG_DONE, or MSG_REFUSED with its errno in *err), within 10 s.
static uint32_t
s_send (act_ref_t *sender, act_inbox_t *inbox, const char *target, size_t size, int count,
        int *err)
{
    char go [128];
    snprintf (go, sizeof go, "%s %zu %d", target, size, count);
    act_msg_t *msg = act_msg_new_str (MSG_GO, go);
    cr_assert_eq (act_tell (sender, &msg), 0);
    act_msg_t *answer = act_inbox_recv (inbox, 10000);
    cr_assert_not_null (answer, "%d payloads of %zu bytes to %s: stuck (no WRITABLE)",
                        count, size, target);
    uint32_t type = act_msg_type (answer);
    if (type == MSG_REFUSED && err)
        memcpy (err, act_msg_data (answer), sizeof *err);
    act_msg_destroy (&answer);
    return type;
}

//  A sink's count, asked from another group (so after every payload sent
//  to it before: FIFO per pair)
static int
s_count (act_system_t *from, const char *sink)
{
    act_ref_t *ref = act_lookup (from, sink);
    cr_assert_not_null (ref);
    act_msg_t *ask = act_msg_new (MSG_COUNT);
    act_msg_t *reply = act_ask (ref, &ask, 10000);
    act_ref_destroy (&ref);
    cr_assert_not_null (reply, "%s does not answer: %s", sink, strerror (errno));
    int count = 0;
    memcpy (&count, act_msg_data (reply), sizeof count);
    act_msg_destroy (&reply);
    return count;
}

//  An ask from a to b's sink: its reply's count, or -1 with errno. No
//  limit on the wait: one that must fail fails at once, and one that
//  hangs is the test's timeout.
static int
s_ask_count (act_system_t *from, const char *sink)
{
    act_ref_t *ref = act_lookup (from, sink);
    cr_assert_not_null (ref);
    act_msg_t *ask = act_msg_new (MSG_COUNT);
    act_msg_t *reply = act_ask (ref, &ask, ACT_FOREVER);
    act_ref_destroy (&ref);
    if (!reply)
        return -1;
    int count = 0;
    memcpy (&count, act_msg_data (reply), sizeof count);
    act_msg_destroy (&reply);
    return count;
}

//  a and b joined, b's sink (returned) answered a's first ask.
static act_ref_t *
s_pair_asked (s_trio_t *trio)
{
    act_system_t *a = s_trio_join (trio, 0);
    act_system_t *b = s_trio_join (trio, 1);
    act_ref_t *b_sink = act_spawn_named (b, "sink", &s_sink, NULL);
    cr_assert_not_null (b_sink);
    cr_assert_eq (s_ask_count (a, "b/sink"), 0);
    return b_sink;
}

//  b dies and is reaped; a is told, before b's next life joins or after,
//  as actor-run's word may come. b's next life joins, with its sink.
static void
s_next_life (s_trio_t *trio, act_ref_t **sink_p, bool told_before_join)
{
    act_ref_destroy (sink_p);
    act_system_destroy (&trio->groups [1]);
    cr_assert_eq (act_region_group_down (trio->region, "b"), 0);
    if (told_before_join) {
        cr_assert_eq (act_transport_peer_down (trio->groups [0], "b"), 0);
        errno = 0;
        cr_assert_eq (s_ask_count (trio->groups [0], "b/sink"), -1);
        cr_assert_eq (errno, ESRCH, "%s", strerror (errno));
    }
    act_system_t *b = s_trio_join (trio, 1);
    *sink_p = act_spawn_named (b, "sink", &s_sink, NULL);
    cr_assert_not_null (*sink_p);
    if (!told_before_join)
        cr_assert_eq (act_transport_peer_down (trio->groups [0], "b"), 0);
}

//  A restarted group is up for its peers once its next life joined the
//  region, not once the supervisor says so (peer_up comes when the group
//  is ready, after its setups may have spoken already); a word of its
//  death that comes after that join leaves it up.
Test (shm_blocks, a_peer_said_down_is_up_once_its_next_life_joins, .timeout = 60)
{
    for (int late = 0; late < 2; late++) {
        s_trio_t trio = s_trio_new ();
        act_ref_t *b_sink = s_pair_asked (&trio);
        s_next_life (&trio, &b_sink, !late);
        //  No act_transport_peer_up: the region's word is enough
        cr_assert_eq (s_ask_count (trio.groups [0], "b/sink"), 0, "late %d: %s", late,
                      strerror (errno));
        act_ref_destroy (&b_sink);
        s_trio_destroy (&trio);
    }
}

//  A group declared hung is down for its peers from the word on, though
//  its process still runs and is joined: actor-run marks it leaving in
//  the region before it tells them, so the dying life is not taken for
//  a next one.
Test (shm_blocks, a_group_leaving_is_down_for_its_peers_at_once, .timeout = 60)
{
    s_trio_t trio = s_trio_new ();
    act_ref_t *b_sink = s_pair_asked (&trio);
    cr_assert_eq (act_region_group_leaving (trio.region, "b"), 0);
    cr_assert_eq (act_transport_peer_down (trio.groups [0], "b"), 0);
    errno = 0;
    cr_assert_eq (s_ask_count (trio.groups [0], "b/sink"), -1,
                  "b still runs, but is said down");
    cr_assert_eq (errno, ESRCH, "%s", strerror (errno));
    cr_assert_eq (act_region_group_leaving (trio.region, "nobody"), -1);
    cr_assert_eq (errno, EINVAL);
    act_ref_destroy (&b_sink);
    s_trio_destroy (&trio);
}

//  Blocks never wrap: one that ended in the middle of the area left a
//  block over half the area no room before the end, nor after its start,
//  however empty the area; it waited for ever, without ACT_MSG_WRITABLE.
Test (shm_blocks, a_block_over_half_the_area_fits_once_the_area_is_empty, .timeout = 60)
{
    s_trio_t trio = s_trio_new ();
    act_system_t *a = s_trio_join (&trio, 0);
    act_system_t *b = s_trio_join (&trio, 1);
    act_ref_t *sink = act_spawn_named (b, "sink", &s_sink, NULL);
    act_inbox_t *inbox = act_inbox_new (a);
    act_ref_t *sender = s_sender_new (a, inbox);
    cr_assert_eq (s_send (sender, inbox, "b/sink", S_PAYLOAD, 1, NULL), MSG_DONE);
    cr_assert_eq (s_count (a, "b/sink"), 1);
    cr_assert_eq (s_send (sender, inbox, "b/sink", 40000, 1, NULL), MSG_DONE);
    cr_assert_eq (s_count (a, "b/sink"), 2);
    act_ref_destroy (&sender);
    act_ref_destroy (&sink);
    act_inbox_destroy (&inbox);
    s_trio_destroy (&trio);
}

//  A past life of a died between handing out a block for b and
//  committing its descriptor: nobody will ever read that descriptor. The
//  block comes back though nothing goes to b again, and a's large
//  payloads to c do not wait for it.
Test (shm_blocks, a_block_its_dead_life_never_committed_comes_back, .timeout = 60)
{
    s_trio_t trio = s_trio_new ();
    //  What a's past life left: a HELD block for b at the area's start,
    //  its descriptor to go at position 0 of the ring a -> b, never
    //  committed (that ring's head is still 0)
    act_region_t *region = trio.region;
    act_shm_area_t *area = act_shm_area (region->base, &region->layout, 0);
    act_shm_block_t *block = (act_shm_block_t *) ((unsigned char *) area + ACT_SHM_AREA_HEAD);
    block->magic = ACT_SHM_BLOCK_MAGIC;
    block->owner = 1;
    block->epoch = 0;
    block->len = (ACT_SHM_BLOCK_HEAD + S_PAYLOAD + 63) & ~(uint64_t) 63;
    block->size = S_PAYLOAD;
    block->ring_pos = 0;
    block->sender = 0;
    atomic_store (&block->state, ACT_SHM_HELD);
    atomic_store (&area->head, block->len);
    atomic_store (&area->tail, 0);

    act_system_t *a = s_trio_join (&trio, 0);
    s_trio_join (&trio, 1);
    act_system_t *c = s_trio_join (&trio, 2);
    act_ref_t *sink = act_spawn_named (c, "sink", &s_sink, NULL);
    act_inbox_t *inbox = act_inbox_new (a);
    act_ref_t *sender = s_sender_new (a, inbox);
    cr_assert_eq (s_send (sender, inbox, "c/sink", S_PAYLOAD, S_COUNT, NULL), MSG_DONE);
    cr_assert_eq (s_count (a, "c/sink"), S_COUNT);
    act_ref_destroy (&sender);
    act_ref_destroy (&sink);
    act_inbox_destroy (&inbox);
    s_trio_destroy (&trio);
}

//  b died and stays down (a temporary group, or one held by request), and
//  a does not know yet. A block handed out for b then would wait for a
//  life of b that never comes, and hold back every block of a's area
//  behind it: a's large payloads to c would stop too. None is handed out
//  for a group that is down: the send is refused (EHOSTUNREACH), and c's
//  stream goes on.
Test (shm_blocks, no_block_is_handed_out_for_a_group_that_is_down, .timeout = 60)
{
    s_trio_t trio = s_trio_new ();
    act_system_t *a = s_trio_join (&trio, 0);
    act_system_t *b = s_trio_join (&trio, 1);
    act_system_t *c = s_trio_join (&trio, 2);
    act_ref_t *b_sink = act_spawn_named (b, "sink", &s_sink, NULL);
    act_ref_t *c_sink = act_spawn_named (c, "sink", &s_sink, NULL);
    act_inbox_t *inbox = act_inbox_new (a);
    act_ref_t *sender = s_sender_new (a, inbox);
    cr_assert_eq (s_send (sender, inbox, "b/sink", S_PAYLOAD, 1, NULL), MSG_DONE);
    cr_assert_eq (s_count (a, "b/sink"), 1);

    //  b's process is gone, as actor-run sees it after the reap
    act_ref_destroy (&b_sink);
    act_system_destroy (&trio.groups [1]);
    cr_assert_eq (act_region_group_down (trio.region, "b"), 0);
    int err = 0;
    cr_assert_eq (s_send (sender, inbox, "b/sink", S_PAYLOAD, 1, &err), MSG_REFUSED);
    cr_assert_eq (err, EHOSTUNREACH, "%s", strerror (err));
    cr_assert_eq (s_send (sender, inbox, "c/sink", S_PAYLOAD, S_COUNT, NULL), MSG_DONE);
    cr_assert_eq (s_count (a, "c/sink"), S_COUNT);

    //  b's next life: blocks for it again
    b = s_trio_join (&trio, 1);
    b_sink = act_spawn_named (b, "sink", &s_sink, NULL);
    cr_assert_eq (s_send (sender, inbox, "b/sink", S_PAYLOAD, 2, NULL), MSG_DONE);
    cr_assert_eq (s_count (a, "b/sink"), 2);
    act_ref_destroy (&sender);
    act_ref_destroy (&b_sink);
    act_ref_destroy (&c_sink);
    act_inbox_destroy (&inbox);
    s_trio_destroy (&trio);
}

//  The walk's rules on their own, on a sender's area of a region made
//  here: a, the sender, hands out blocks for b and c by the API its link
//  uses, and plays their receivers' part on the blocks.
typedef struct {
    act_region_t *region;
    act_shm_blocks_t blocks;    //  a's
    act_ring_t to_b;            //  the ring a -> b, a's side
} s_area_t;

static void
s_area_new (s_area_t *self)
{
    const char *names [] = { "a", "b", "c" };
    memset (self, 0, sizeof *self);
    self->region = act_region_new (names, 3, 4096, S_AREA);
    cr_assert_not_null (self->region);
    act_shm_blocks_init (&self->blocks, self->region, 0, NULL, NULL);
    act_ring_attach (&self->to_b, act_shm_ring (self->region->base, &self->region->layout,
                                                0, 1), 4096);
}

//  a hands out a block for c, which c takes and frees at once; false if
//  it had no room
static bool
s_area_to_c (s_area_t *self)
{
    int64_t offset = act_shm_blocks_alloc (&self->blocks, 2, S_PAYLOAD, 0);
    if (offset < 0)
        return false;
    act_shm_block_t *block = (act_shm_block_t *) (self->blocks.blocks + offset);
    atomic_store (&block->state, ACT_SHM_FREE);
    return true;
}

//  b dies while a copies a payload into a block for it: a commits its
//  descriptor after actor-run emptied b's rings, and b, temporary, never
//  comes back. The block was handed out for a life that has ended: it
//  comes back, and a's blocks for c go on.
Test (shm_blocks, a_block_for_a_life_that_ended_comes_back, .timeout = 30)
{
    s_area_t area;
    s_area_new (&area);
    size_t cap;
    unsigned char *record = act_ring_reserve (&area.to_b, 64, 64, &cap);
    cr_assert_not_null (record);
    cr_assert_geq (act_shm_blocks_alloc (&area.blocks, 1, S_PAYLOAD, area.to_b.head), 0);
    cr_assert_eq (act_region_group_down (area.region, "b"), 0);
    memset (record, 0, 64);
    act_ring_commit (&area.to_b, ACT_RING_BLOCK, 64);
    for (int i = 0; i < S_COUNT; i++)
        cr_assert (s_area_to_c (&area), "block %d for c: no room (tail %" PRIu64
                   ", head %" PRIu64 ")", i, area.blocks.tail, area.blocks.head);
    act_region_destroy (&area.region);
}

//  Whatever a rogue writes into a block while its receiver holds it, the
//  receiver's release stays inside the region: here the sender's index.
Test (shm_blocks, a_rogue_sender_index_in_a_taken_block_is_harmless, .timeout = 30)
{
    s_area_t area;
    s_area_new (&area);
    int64_t offset = act_shm_blocks_alloc (&area.blocks, 1, 1000, 0);
    cr_assert_geq (offset, 0);
    act_shm_block_t *block = (act_shm_block_t *) (area.blocks.blocks + offset);
    atomic_store (&block->state, ACT_SHM_TAKEN);
    block->sender = 0x7fffffff;
    act_shm_blocks_release (block, area.region);
    cr_assert_eq (atomic_load (&block->state), ACT_SHM_FREE);
    act_region_destroy (&area.region);
}
