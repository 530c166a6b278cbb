/*  test_transport_refs - references carried in messages between two
    groups of this process, over each link: what the receiver gets for
    each kind of reference, and what comes back to the group it names
    SPDX-License-Identifier: MPL-2.0

    Two systems join one run, as in test_transport.c, either over ipc or
    over a shared region this process made. Each group has a "keeper"
    that passes every message it gets, as it is, to an inbox of the test.
*/
#include "act_test.h"
#include "act_host.h"
#include "act_ref_priv.h"
#include "act_wire.h"
#include <stdatomic.h>

typedef struct {
    char *rundir;
    act_region_t *region;       //  shm only
    act_system_t *a;
    act_system_t *b;
    act_inbox_t *at_a;          //  what a/keeper gets
    act_inbox_t *at_b;          //  what b/keeper gets
    act_ref_t *keeper_a;
    act_ref_t *keeper_b;
} s_pair_t;

//  Forwards each message to the inbox of its args, references and all.
static int
s_keeper_handle (act_t *self, act_msg_t *msg)
{
    act_msg_t *same = msg;
    act_tell (*(act_ref_t **) act_state (self), &same);
    return ACT_OK;
}

static int
s_keeper_setup (act_t *self, void *args)
{
    *(act_ref_t **) act_state (self) = (act_ref_t *) args;
    return ACT_OK;
}

static const act_class_t s_keeper = {
    .name = "keeper", .state_size = sizeof (act_ref_t *),
    .setup = s_keeper_setup, .handle = s_keeper_handle
};

//  Stops at its first message.
static int
s_quitter_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    (void) msg;
    return ACT_STOP;
}

static const act_class_t s_quitter = { .name = "quitter", .handle = s_quitter_handle };

//  Groups a and b over link "shm" (rings of ring_size bytes) or "ipc".
static s_pair_t
s_pair_new (const char *link, size_t ring_size)
{
    s_pair_t pair = { .rundir = act_test_tmpdir (), .a = act_system_new ("a"),
                      .b = act_system_new ("b") };
    if (streq (link, "shm")) {
        const char *groups [] = { "a", "b" };
        pair.region = act_region_new (groups, 2, ring_size, 65536);
        cr_assert_not_null (pair.region);
    }
    act_system_t *systems [2] = { pair.a, pair.b };
    const char *names [2] = { "a", "b" };
    for (int i = 0; i < 2; i++)
        cr_assert_eq (pair.region
                      ? act_transport_join_region (systems [i], names [i], pair.rundir,
                                                   pair.region, 0, 0)
                      : act_transport_join (systems [i], names [i], pair.rundir, 0, 0), 0);
    pair.at_a = act_inbox_new (pair.a);
    pair.at_b = act_inbox_new (pair.b);
    pair.keeper_a = act_spawn_named (pair.a, "keeper", &s_keeper, act_inbox_ref (pair.at_a));
    pair.keeper_b = act_spawn_named (pair.b, "keeper", &s_keeper, act_inbox_ref (pair.at_b));
    cr_assert (pair.keeper_a && pair.keeper_b);
    return pair;
}

static void
s_pair_destroy (s_pair_t *pair)
{
    act_ref_destroy (&pair->keeper_a);
    act_ref_destroy (&pair->keeper_b);
    act_system_destroy (&pair->a);
    act_system_destroy (&pair->b);
    act_inbox_destroy (&pair->at_a);
    act_inbox_destroy (&pair->at_b);
    act_region_destroy (&pair->region);
    act_test_tmpdir_remove (&pair->rundir);
}

//  Tells msg from system from (not an actor) to address, and takes what
//  the keeper there passes on.
static act_msg_t *
s_carry (act_system_t *from, const char *address, act_msg_t *msg, act_inbox_t *at)
{
    act_ref_t *to = act_lookup (from, address);
    cr_assert_not_null (to);
    cr_assert_eq (act_tell (to, &msg), 0);
    act_ref_destroy (&to);
    act_msg_t *got = act_inbox_recv (at, 5000);
    cr_assert_not_null (got, "nothing reached %s", address);
    return got;
}

static bool
s_is_remote (act_ref_t *ref, const char *address)
{
    return ref->kind == ACT_REF_REMOTE && streq (act_ref_name (ref), address);
}

//  References of b go to a as remote references, and come back to b as
//  the very references b has: an anonymous actor, an inbox, a named one.
static void
s_round_trip (const char *link)
{
    s_pair_t pair = s_pair_new (link, 65536);
    act_ref_t *anon = act_spawn (pair.b, act_builtin_find ("echo"), NULL);
    act_inbox_t *inbox = act_inbox_new (pair.b);
    act_msg_t *msg = act_msg_new_str (1, "three references");
    cr_assert_eq (act_msg_add_ref (msg, anon), 0);
    cr_assert_eq (act_msg_add_ref (msg, act_inbox_ref (inbox)), 0);
    cr_assert_eq (act_msg_add_ref (msg, pair.keeper_b), 0);
    act_msg_t *got = s_carry (pair.b, "a/keeper", msg, pair.at_a);
    cr_assert_str_eq (act_msg_str (got), "three references");
    cr_assert_eq (act_msg_refs (got), 3);
    const char *first = act_ref_name (act_msg_ref (got, 0));
    cr_assert (first && strncmp (first, "b/_", 3) == 0, "the anonymous actor is '%s'", first);
    cr_assert (s_is_remote (act_msg_ref (got, 0), first));
    cr_assert (s_is_remote (act_msg_ref (got, 2), "b/keeper"));
    cr_assert_str_neq (act_ref_name (act_msg_ref (got, 1)), first);

    //  a asks b's anonymous echo through what it got.
    act_msg_t *ask = act_msg_new_str (2, "through a carried reference");
    act_msg_t *reply = act_ask (act_msg_ref (got, 0), &ask, 5000);
    cr_assert_not_null (reply, "ask: %s", strerror (errno));
    cr_assert_str_eq (act_msg_str (reply), "through a carried reference");
    act_msg_destroy (&reply);
    //  And tells b's inbox.
    act_msg_t *note = act_msg_new_str (3, "to the inbox");
    cr_assert_eq (act_tell (act_msg_ref (got, 1), &note), 0);
    act_msg_t *noted = act_inbox_recv (inbox, 5000);
    cr_assert_not_null (noted);
    cr_assert_str_eq (act_msg_str (noted), "to the inbox");
    act_msg_destroy (&noted);

    //  Back in b, each is b's own.
    act_msg_t *back = s_carry (pair.a, "b/keeper", got, pair.at_b);
    cr_assert_eq (act_msg_refs (back), 3);
    cr_assert_eq (act_msg_ref (back, 0), anon);
    cr_assert_eq (act_msg_ref (back, 1), act_inbox_ref (inbox));
    cr_assert_eq (act_msg_ref (back, 2), pair.keeper_b);
    act_msg_destroy (&back);
    act_inbox_destroy (&inbox);
    act_ref_destroy (&anon);
    s_pair_destroy (&pair);
}

Test (transport_refs, references_come_back_as_their_own_over_shm, .timeout = 30)
{
    s_round_trip ("shm");
}

Test (transport_refs, references_come_back_as_their_own_over_ipc, .timeout = 30)
{
    s_round_trip ("ipc");
}

//  A reference to an actor that stopped before the message left, and an
//  address of the receiver's that names nothing there: both arrive, as
//  references that cannot reach anything.
Test (transport_refs, references_to_what_is_gone_arrive_stopped, .timeout = 30)
{
    s_pair_t pair = s_pair_new ("ipc", 0);
    act_ref_t *quitter = act_spawn (pair.a, &s_quitter, NULL);
    act_msg_t *quit = act_msg_new (1);
    cr_assert_eq (act_tell (quitter, &quit), 0);
    cr_assert_eq (act_ref_wait (quitter, 5000, NULL), 0);
    act_ref_t *gone = act_lookup (pair.a, "b/gone");
    act_msg_t *msg = act_msg_new (1);
    cr_assert_eq (act_msg_add_ref (msg, quitter), 0);
    cr_assert_eq (act_msg_add_ref (msg, gone), 0);
    act_msg_t *got = s_carry (pair.a, "b/keeper", msg, pair.at_b);
    cr_assert_eq (act_msg_refs (got), 2);
    cr_assert (s_is_remote (act_msg_ref (got, 0), "a/_"),
               "a stopped actor travels as a/_, not '%s'", act_ref_name (act_msg_ref (got, 0)));
    act_ref_t *stopped = act_msg_ref (got, 1);
    cr_assert_not (act_ref_alive (stopped), "b has no actor 'gone'");
    act_msg_t *note = act_msg_new (2);
    cr_assert_eq (act_tell (stopped, &note), -1);
    cr_assert_eq (errno, ESRCH);

    //  A tell through a/_ is lost in a, where it is counted.
    note = act_msg_new (2);
    cr_assert_eq (act_tell (act_msg_ref (got, 0), &note), 0);
    act_transport_stats_t stats = { 0 };
    ACT_ASSERT_EVENTUALLY (act_transport_stats (pair.a, &stats) == 0 && stats.unknown == 1,
                           5000);
    act_msg_destroy (&got);
    act_ref_destroy (&gone);
    act_ref_destroy (&quitter);
    s_pair_destroy (&pair);
}

//  An actor of a that tells b/keeper a message with refs references to
//  the longest address and a payload of size bytes, and says what
//  act_tell said: 0, or the errno.
typedef struct {
    act_system_t *system;
    size_t refs;
    size_t size;
    atomic_int said;
} s_tell_t;

static int
s_teller_setup (act_t *self, void *args)
{
    (void) self;
    s_tell_t *tell = (s_tell_t *) args;
    char longest [ACT_WIRE_ADDR_MAX + 1];
    memset (longest, 'g', ACT_WIRE_ADDR_MAX);
    longest [ACT_WIRE_NAME_MAX] = '/';
    longest [ACT_WIRE_ADDR_MAX] = 0;
    act_ref_t *far = act_lookup (tell->system, longest);
    act_ref_t *to = act_lookup (tell->system, "b/keeper");
    char *payload = (char *) calloc (1, tell->size + 1);
    act_msg_t *msg = act_msg_new_data (1, payload, tell->size);
    for (size_t i = 0; i < tell->refs; i++)
        act_msg_add_ref (msg, far);
    atomic_store (&tell->said, act_tell (to, &msg) ? errno : 0);
    free (payload);
    act_ref_destroy (&far);
    act_ref_destroy (&to);
    return ACT_STOP;
}

static const act_class_t s_teller = { .name = "teller", .setup = s_teller_setup };

static int
s_tell (s_pair_t *pair, size_t refs, size_t size)
{
    s_tell_t tell = { pair->a, refs, size, -1 };
    act_ref_t *teller = act_spawn (pair->a, &s_teller, &tell);
    ACT_ASSERT_EVENTUALLY (atomic_load (&tell.said) != -1, 5000);
    act_ref_destroy (&teller);
    int said = atomic_load (&tell.said);
    if (said == 0) {
        act_msg_t *got = act_inbox_recv (pair->at_b, 5000);
        cr_assert_not_null (got, "accepted but never came");
        cr_assert_eq (act_msg_refs (got), refs);
        cr_assert_eq (act_msg_size (got), size);
        act_msg_destroy (&got);
    }
    return said;
}

//  A quarter of a 16 KiB ring holds a largest references section, but
//  not with the largest inline payload too: refused for good, not for
//  now. The ipc link, and a larger ring, carry it.
Test (transport_refs, references_too_long_for_a_small_ring_are_refused, .timeout = 30)
{
    s_pair_t pair = s_pair_new ("shm", 16384);
    cr_assert_eq (s_tell (&pair, ACT_MSG_REFS_MAX, 0), 0);
    cr_assert_eq (s_tell (&pair, ACT_MSG_REFS_MAX, 3800), EMSGSIZE);
    cr_assert_eq (s_tell (&pair, 1, 3800), 0);
    cr_assert_eq (s_tell (&pair, ACT_MSG_REFS_MAX, 20000), 0, "a payload in a block");
    s_pair_destroy (&pair);
    pair = s_pair_new ("shm", 65536);
    cr_assert_eq (s_tell (&pair, ACT_MSG_REFS_MAX, ACT_WIRE_INLINE_MAX), 0);
    s_pair_destroy (&pair);
    pair = s_pair_new ("ipc", 0);
    cr_assert_eq (s_tell (&pair, ACT_MSG_REFS_MAX, ACT_WIRE_INLINE_MAX), 0);
    s_pair_destroy (&pair);
}

//  A socket that speaks to group b of an ipc pair as a peer would.
static zsock_t *
s_rogue (s_pair_t *pair)
{
    char endpoint [300];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/b", pair->rundir);
    zsock_t *rogue = act_test_dealer_named (endpoint, "rogue");
    return rogue;
}

//  A peer's bad references sections, on the ipc link: each batch is
//  dropped whole and counted as malformed, none of it delivered; a good
//  one from the same peer is delivered with its references.
Test (transport_refs, bad_references_from_a_peer_are_dropped_and_counted, .timeout = 30)
{
    s_pair_t pair = s_pair_new ("ipc", 0);
    zsock_t *rogue = s_rogue (&pair);
    //  A batch of two asks to b/keeper from "a/x", the second carrying
    //  "a/x": its references count at refs, the length at refs + 1, the
    //  address from refs + 2 to the end.
    act_msg_t *msg = act_msg_new (1);
    act_wire_batch_t batch = { 0 };
    act_wire_batch_reset (&batch);
    act_wire_batch_add (&batch, "keeper", "a/x", ACT_WIRE_F_ASK, msg);
    act_wire_record_t record;
    act_wire_record_init (&record, "keeper", 6, "a/x", 3, ACT_WIRE_F_ASK, msg);
    act_wire_record_add_ref (&record, "a/x", 3);
    act_wire_batch_put (&batch, &record);
    //  The second record ends with its references (no payload): count,
    //  length, "a/x".
    size_t refs = batch.size - (1 + 1 + 3);
    size_t size = act_wire_batch_finish (&batch);
    act_msg_destroy (&msg);
    struct { size_t at; int value; size_t cut; } spoil [] = {
        { refs, 0, 0 },                         //  count 0
        { refs, ACT_MSG_REFS_MAX + 1, 0 },      //  count over the max
        { refs + 3, 'x', 0 },                   //  "axx": no slash
        { refs + 1, 4, 0 },                     //  length past the frame
        { 0, 0, 1 },                            //  address cut
    };
    for (size_t i = 0; i < sizeof spoil / sizeof spoil [0]; i++) {
        unsigned char bytes [256];
        cr_assert_leq (size, sizeof bytes);
        memcpy (bytes, batch.data, size);
        if (spoil [i].at)
            bytes [spoil [i].at] = (unsigned char) spoil [i].value;
        zframe_t *frame = zframe_new (bytes, size - spoil [i].cut);
        cr_assert_eq (zframe_send (&frame, rogue, 0), 0);
    }
    zframe_t *good = zframe_new (batch.data, size);
    cr_assert_eq (zframe_send (&good, rogue, 0), 0);
    act_transport_stats_t stats = { 0 };
    ACT_ASSERT_EVENTUALLY (act_transport_stats (pair.b, &stats) == 0 && stats.received == 2,
                           5000);
    cr_assert_eq (stats.malformed, 5, "%" PRIu64 " batches counted malformed",
                  stats.malformed);
    act_msg_t *got = act_inbox_recv (pair.at_b, 5000);
    cr_assert_not_null (got);
    cr_assert_eq (act_msg_refs (got), 0, "the good batch's first message");
    act_msg_destroy (&got);
    got = act_inbox_recv (pair.at_b, 5000);
    cr_assert_not_null (got);
    cr_assert_eq (act_msg_refs (got), 1);
    cr_assert (s_is_remote (act_msg_ref (got, 0), "a/x"));
    act_msg_destroy (&got);
    cr_assert_eq (act_inbox_size (pair.at_b), 0, "nothing of the bad batches came");
    act_wire_batch_free (&batch);
    zsock_destroy (&rogue);
    s_pair_destroy (&pair);
}

//  Records that name their target and sender once for a run of them
//  (AGAIN, from the second on), sent by a peer, reach the actor they
//  name: a run to b/keeper arrives whole, in order, from its sender; a
//  record that repeats the names of a runtime request (a stop for an
//  actor b does not have) goes where those name, nowhere, and is counted
//  unknown, not to the keeper that the record before the request named.
Test (transport_refs, records_naming_their_names_once_reach_their_target, .timeout = 30)
{
    s_pair_t pair = s_pair_new ("ipc", 0);
    zsock_t *rogue = s_rogue (&pair);
    act_wire_batch_t batch = { 0 };
    act_wire_batch_reset (&batch);
    const char *targets [] = { "keeper", "keeper", "nobody", "nobody", "keeper" };
    for (uint64_t i = 0; i < 5; i++) {
        uint32_t code = 0;
        act_msg_t *msg = i == 2 ? act_msg_new_internal (ACT_MSG_STOP, &code, sizeof code)
                                : act_msg_new_data (3, &i, sizeof i);
        act_msg_set_corr (msg, i);
        act_wire_batch_add (&batch, targets [i], "a/x", 0, msg);
        act_msg_destroy (&msg);
    }
    size_t size = act_wire_batch_finish (&batch);
    //  The encoder did flag them: the second record starts right after
    //  the first's 20 + 6 + 3 + 8 bytes, with AGAIN and no names; so
    //  does the fourth, after the stop's 20 + 6 + 3 + 4.
    size_t second = ACT_WIRE_BATCH_HEAD + ACT_WIRE_RECORD + 6 + 3 + 8;
    size_t fourth = second + ACT_WIRE_RECORD + 8 + ACT_WIRE_RECORD + 6 + 3 + 4;
    cr_assert_eq (batch.data [second], ACT_WIRE_F_AGAIN);
    cr_assert_eq (batch.data [second + 1] + batch.data [second + 2], 0);
    cr_assert_eq (batch.data [fourth], ACT_WIRE_F_AGAIN);
    zframe_t *frame = zframe_new (batch.data, size);
    cr_assert_eq (zframe_send (&frame, rogue, 0), 0);
    act_transport_stats_t stats = { 0 };
    ACT_ASSERT_EVENTUALLY (act_transport_stats (pair.b, &stats) == 0 && stats.received == 4,
                           5000);
    cr_assert_eq (stats.unknown, 2, "the stop and the record after it");
    cr_assert_eq (stats.malformed, 0);
    uint64_t expect [] = { 0, 1, 4 };
    for (size_t i = 0; i < 3; i++) {
        act_msg_t *got = act_inbox_recv (pair.at_b, 5000);
        cr_assert_not_null (got);
        cr_assert_eq (act_msg_corr (got), expect [i]);
        cr_assert (s_is_remote (act_msg_sender (got), "a/x"));
        act_msg_destroy (&got);
    }
    cr_assert_eq (act_inbox_size (pair.at_b), 0);
    act_wire_batch_free (&batch);
    zsock_destroy (&rogue);
    s_pair_destroy (&pair);
}

//  A group reads one connection per peer group, the one that names it:
//  batches from a connection that names no group (a client that is no
//  group's link, or an old connection of a group that a newer one of the
//  same name replaced) are dropped and counted, never read beside the
//  named one, where they could bring a stream out of order. A newer
//  connection of a name takes over from the older (test_nodes shows the
//  order kept across a reconnect).
Test (transport_refs, only_a_connection_that_names_its_group_is_read, .timeout = 30)
{
    s_pair_t pair = s_pair_new ("ipc", 0);
    char endpoint [300];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/b", pair.rundir);
    act_msg_t *msg = act_msg_new (3);
    act_wire_batch_t batch = { 0 };
    act_wire_batch_reset (&batch);
    for (int i = 0; i < 3; i++)
        act_wire_batch_add (&batch, "keeper", "a/x", 0, msg);
    size_t size = act_wire_batch_finish (&batch);
    act_msg_destroy (&msg);
    zsock_t *unnamed = zsock_new_dealer (endpoint);
    cr_assert_not_null (unnamed);
    zframe_t *frame = zframe_new (batch.data, size);
    cr_assert_eq (zframe_send (&frame, unnamed, 0), 0);
    act_transport_stats_t stats = { 0 };
    ACT_ASSERT_EVENTUALLY (act_transport_stats (pair.b, &stats) == 0 && stats.dropped == 3,
                           5000);
    cr_assert_eq (stats.received, 0);
    cr_assert_eq (stats.malformed, 0);
    //  Named, as a group's link is: read; then a second connection of
    //  the same name takes over, and is read too.
    zsock_t *first = act_test_dealer_named (endpoint, "x");
    frame = zframe_new (batch.data, size);
    cr_assert_eq (zframe_send (&frame, first, 0), 0);
    ACT_ASSERT_EVENTUALLY (act_transport_stats (pair.b, &stats) == 0 && stats.received == 3,
                           5000);
    zsock_t *second = act_test_dealer_named (endpoint, "x");
    frame = zframe_new (batch.data, size);
    cr_assert_eq (zframe_send (&frame, second, 0), 0);
    ACT_ASSERT_EVENTUALLY (act_transport_stats (pair.b, &stats) == 0 && stats.received == 6,
                           5000);
    for (int i = 0; i < 6; i++) {
        act_msg_t *got = act_inbox_recv (pair.at_b, 5000);
        cr_assert_not_null (got);
        act_msg_destroy (&got);
    }
    cr_assert_eq (act_inbox_size (pair.at_b), 0, "nothing of the unnamed connection came");
    cr_assert_eq (act_transport_stats (pair.b, &stats), 0);
    cr_assert_eq (stats.dropped, 3);
    act_wire_batch_free (&batch);
    zsock_destroy (&second);
    zsock_destroy (&first);
    zsock_destroy (&unnamed);
    s_pair_destroy (&pair);
}
