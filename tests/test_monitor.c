/*  test_monitor - act_monitor and act_demonitor: a watcher hears once
    that its target stopped, and why
    SPDX-License-Identifier: MPL-2.0
*/
#include "act_test.h"
#include "act_test_run.h"
#include <pthread.h>
#include <inttypes.h>
#include <poll.h>

enum {
    MSG_STOP = 1,           //  target: act_stop (self, code in payload)
    MSG_PING                //  target: reply
};

//  --------------------------------------------------------------------------
//  target: stops with the code it is told

static int
s_target_handle (act_t *self, act_msg_t *msg)
{
    if (act_msg_type (msg) == MSG_STOP) {
        int code = 0;
        if (act_msg_size (msg) == sizeof code)
            memcpy (&code, act_msg_data (msg), sizeof code);
        act_stop (self, code);
    }
    else
    if (act_msg_type (msg) == MSG_PING) {
        act_msg_t *reply = act_msg_new (MSG_PING);
        act_reply (msg, &reply);
    }
    return ACT_OK;
}

static const act_class_t s_target = { .name = "target", .handle = s_target_handle };

static void
s_stop (act_ref_t *target, int code)
{
    act_msg_t *msg = act_msg_new_data (MSG_STOP, &code, sizeof code);
    cr_assert_eq (act_tell (target, &msg), 0);
}

//  The next message of inbox, asserted to be the DOWN of monitor id from
//  target; returns its reason.
static act_exit_t
s_expect_down (act_inbox_t *inbox, act_ref_t *target, uint64_t id)
{
    act_msg_t *msg = act_inbox_recv (inbox, 5000);
    cr_assert_not_null (msg, "no DOWN: %s", strerror (errno));
    cr_assert_eq (act_msg_type (msg), ACT_MSG_DOWN);
    cr_assert_eq (act_msg_sender (msg), target, "the sender is the target");
    cr_assert_eq (act_msg_corr (msg), id, "corr %" PRIu64 ", monitor %" PRIu64,
                  act_msg_corr (msg), id);
    act_exit_t why = { ACT_EXIT_SHUTDOWN, -1 };
    cr_assert_eq (act_msg_down (msg, &why), 0);
    act_msg_destroy (&msg);
    return why;
}

//  The first test is the example: an inbox watches an actor, which stops
//  with an error; the inbox gets one DOWN with the reason.
Test (monitor, inbox_hears_why_an_actor_stopped, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *target = act_spawn (system, &s_target, NULL);
    act_inbox_t *inbox = act_inbox_new (system);

    uint64_t id = act_monitor (act_inbox_ref (inbox), target);
    cr_assert_gt (id, 0, "act_monitor: %s", strerror (errno));
    s_stop (target, 42);
    act_exit_t why = s_expect_down (inbox, target, id);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    cr_assert_eq (why.code, 42);
    //  Fired: it is gone, and there was only the one
    cr_assert_eq (act_demonitor (id), -1);
    cr_assert_eq (errno, ENOENT);
    cr_assert_eq (act_inbox_size (inbox), 0);

    act_inbox_destroy (&inbox);
    act_ref_destroy (&target);
    act_system_destroy (&system);
}

Test (monitor, fires_at_once_if_already_dead, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *target = act_spawn (system, &s_target, NULL);
    act_inbox_t *inbox = act_inbox_new (system);
    s_stop (target, 0);
    cr_assert_eq (act_ref_wait (target, ACT_FOREVER, NULL), 0);

    uint64_t id = act_monitor (act_inbox_ref (inbox), target);
    cr_assert_gt (id, 0);
    //  At once: it is in the inbox when act_monitor returns
    cr_assert_eq (act_inbox_size (inbox), 1);
    act_exit_t why = s_expect_down (inbox, target, id);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    cr_assert_eq (act_demonitor (id), -1);

    act_inbox_destroy (&inbox);
    act_ref_destroy (&target);
    act_system_destroy (&system);
}

Test (monitor, none_after_demonitor, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *target = act_spawn (system, &s_target, NULL);
    act_inbox_t *inbox = act_inbox_new (system);

    uint64_t removed = act_monitor (act_inbox_ref (inbox), target);
    uint64_t kept = act_monitor (act_inbox_ref (inbox), target);
    cr_assert (removed && kept && removed != kept);
    cr_assert_eq (act_demonitor (removed), 0);
    cr_assert_eq (act_demonitor (removed), -1, "removed once only");
    cr_assert_eq (errno, ENOENT);
    s_stop (target, 7);
    //  Both would fire in the order they were made: the kept one comes
    //  first and alone
    s_expect_down (inbox, target, kept);
    cr_assert_eq (act_inbox_size (inbox), 0);

    act_inbox_destroy (&inbox);
    act_ref_destroy (&target);
    act_system_destroy (&system);
}

//  The pattern of act_inbox(3): tell a request from an inbox and wait on
//  its fd; the target dies instead of replying, and the fd says so.
Test (monitor, an_inbox_request_learns_its_target_died, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *target = act_spawn (system, &s_target, NULL);
    act_inbox_t *inbox = act_inbox_new (system);
    uint64_t id = act_monitor (act_inbox_ref (inbox), target);

    int code = 11;
    act_msg_t *request = act_msg_new_data (MSG_STOP, &code, sizeof code);
    act_msg_set_sender (request, act_inbox_ref (inbox));
    act_tell (target, &request);
    struct pollfd item = { act_inbox_fd (inbox), POLLIN, 0 };
    cr_assert_eq (poll (&item, 1, 5000), 1, "the inbox's fd never turned readable");
    act_exit_t why = s_expect_down (inbox, target, id);
    cr_assert_eq (why.code, 11);

    act_inbox_destroy (&inbox);
    act_ref_destroy (&target);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  watcher: an actor that monitors its target in setup and forwards each
//  DOWN to an inbox

typedef struct {
    act_ref_t *target;      //  what to watch
    act_ref_t *report;      //  where DOWNs go
    uint64_t id;            //  the monitor, written in setup
} watch_args_t;

static int
s_watcher_setup (act_t *self, void *args)
{
    watch_args_t *watch = args;
    *(watch_args_t **) act_state (self) = watch;
    uint64_t id = act_monitor (act_self (self), watch->target);
    __atomic_store_n (&watch->id, id, __ATOMIC_RELEASE);
    return id ? ACT_OK : -1;
}

static int
s_watcher_handle (act_t *self, act_msg_t *msg)
{
    watch_args_t *watch = *(watch_args_t **) act_state (self);
    if (act_msg_type (msg) == ACT_MSG_DOWN) {
        act_msg_t *copy = act_msg_dup (msg);
        act_tell (watch->report, &copy);
        return ACT_OK;
    }
    return ACT_STOP;        //  anything else: stop
}

static const act_class_t s_watcher = {
    .name = "watcher", .state_size = sizeof (watch_args_t *),
    .setup = s_watcher_setup, .handle = s_watcher_handle
};

Test (monitor, actor_watches_actor, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_system_t *other = act_test_system ();
    act_inbox_t *inbox = act_inbox_new (system);
    //  The target in another system: a DOWN crosses loops
    act_ref_t *target = act_spawn (other, &s_target, NULL);
    watch_args_t watch = { target, act_inbox_ref (inbox), 0 };
    act_ref_t *watcher = act_spawn (system, &s_watcher, &watch);
    ACT_ASSERT_EVENTUALLY (__atomic_load_n (&watch.id, __ATOMIC_ACQUIRE) != 0, 5000);

    s_stop (target, 3);
    act_exit_t why = s_expect_down (inbox, target, watch.id);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    cr_assert_eq (why.code, 3);
    cr_assert (act_ref_alive (watcher), "a DOWN is news: handling it stops no one");

    act_ref_destroy (&watcher);
    act_ref_destroy (&target);
    act_inbox_destroy (&inbox);
    act_system_destroy (&other);
    act_system_destroy (&system);
}

Test (monitor, watcher_stops_first, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *target = act_spawn (system, &s_target, NULL);

    //  An inbox watcher destroyed with its monitor in place
    act_inbox_t *gone = act_inbox_new (system);
    uint64_t inbox_id = act_monitor (act_inbox_ref (gone), target);
    cr_assert_gt (inbox_id, 0);
    act_inbox_destroy (&gone);
    cr_assert_eq (act_demonitor (inbox_id), -1, "freed with its watcher");
    cr_assert_eq (errno, ENOENT);

    //  An actor watcher that stops
    act_inbox_t *inbox = act_inbox_new (system);
    watch_args_t watch = { target, act_inbox_ref (inbox), 0 };
    act_ref_t *watcher = act_spawn (system, &s_watcher, &watch);
    ACT_ASSERT_EVENTUALLY (__atomic_load_n (&watch.id, __ATOMIC_ACQUIRE) != 0, 5000);
    act_msg_t *msg = act_msg_new (MSG_PING);
    act_tell (watcher, &msg);
    cr_assert_eq (act_ref_wait (watcher, ACT_FOREVER, NULL), 0);
    ACT_ASSERT_EVENTUALLY (act_demonitor (watch.id) == -1 && errno == ENOENT, 5000);

    //  The target stops later: nobody to tell, nothing left behind
    //  (ASan's leak check sees the records)
    uint64_t last = act_monitor (act_inbox_ref (inbox), target);
    s_stop (target, 0);
    s_expect_down (inbox, target, last);
    cr_assert_eq (act_inbox_size (inbox), 0);

    act_ref_destroy (&watcher);
    act_inbox_destroy (&inbox);
    act_ref_destroy (&target);
    act_system_destroy (&system);
}

Test (monitor, an_inbox_as_target, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_inbox_t *watched = act_inbox_new (system);
    act_ref_t *target = act_ref_dup (act_inbox_ref (watched));
    act_inbox_t *inbox = act_inbox_new (system);
    uint64_t id = act_monitor (act_inbox_ref (inbox), target);
    cr_assert_gt (id, 0);
    act_inbox_destroy (&watched);
    act_exit_t why = s_expect_down (inbox, target, id);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);

    act_ref_destroy (&target);
    act_inbox_destroy (&inbox);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  A monitor made while its target stops fires exactly once, whichever
//  side wins

typedef struct {
    act_ref_t *target;
    act_ref_t *watcher;
    uint64_t id;
} race_t;

static void *
s_race_monitor (void *arg)
{
    race_t *race = arg;
    race->id = act_monitor (race->watcher, race->target);
    return NULL;
}

Test (monitor, exactly_once_against_a_stop, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    act_inbox_t *inbox = act_inbox_new (system);
    for (int round = 0; round < 200; round++) {
        act_ref_t *target = act_spawn (system, &s_target, NULL);
        race_t race = { target, act_inbox_ref (inbox), 0 };
        pthread_t thread;
        pthread_create (&thread, NULL, s_race_monitor, &race);
        s_stop (target, round + 1);
        pthread_join (thread, NULL);
        cr_assert_gt (race.id, 0);
        act_exit_t why = s_expect_down (inbox, target, race.id);
        cr_assert_eq (why.code, round + 1);
        //  A second one, made after the first fired, comes next: a late
        //  duplicate of the first would come before it
        uint64_t after = act_monitor (act_inbox_ref (inbox), target);
        cr_assert_eq (act_ref_wait (target, ACT_FOREVER, NULL), 0);
        s_expect_down (inbox, target, after);
        act_ref_destroy (&target);
    }
    cr_assert_eq (act_inbox_size (inbox), 0);
    act_inbox_destroy (&inbox);
    act_system_destroy (&system);
}

Test (monitor, bad_input, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *target = act_spawn (system, &s_target, NULL);
    act_inbox_t *inbox = act_inbox_new (system);

    errno = 0;
    cr_assert_eq (act_monitor (NULL, target), 0);
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_eq (act_monitor (act_inbox_ref (inbox), NULL), 0);
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (act_demonitor (0), -1);
    cr_assert_eq (errno, ENOENT);
    cr_assert_eq (act_demonitor (UINT64_MAX), -1);
    cr_assert_eq (errno, ENOENT);

    act_msg_t *msg = act_msg_new (MSG_PING);
    act_exit_t why;
    errno = 0;
    cr_assert_eq (act_msg_down (msg, &why), -1, "not a DOWN");
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_eq (act_msg_down (NULL, &why), -1);
    cr_assert_eq (errno, EINVAL);
    act_msg_destroy (&msg);

    //  A watcher that is gone cannot watch
    act_inbox_t *gone = act_inbox_new (system);
    act_ref_t *gone_ref = act_ref_dup (act_inbox_ref (gone));
    act_inbox_destroy (&gone);
    errno = 0;
    cr_assert_eq (act_monitor (gone_ref, target), 0);
    cr_assert_eq (errno, ESRCH);
    act_ref_destroy (&gone_ref);

    act_inbox_destroy (&inbox);
    act_ref_destroy (&target);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  Across groups: two systems of this process joined to one run directory
//  (see act_test_run.h)

//  An ask through the same link: what was sent there before it has
//  arrived (FIFO per pair of groups).
static void
s_sync (act_ref_t *remote)
{
    act_msg_t *msg = act_msg_new (MSG_PING);
    act_msg_t *reply = act_ask (remote, &msg, 5000);
    cr_assert_not_null (reply, "ask across: %s", strerror (errno));
    act_msg_destroy (&reply);
}

//  Groups a and b in this process, actor b/t, a's reference to it and
//  an inbox of a to watch it from.
typedef struct {
    s_run_t run;
    act_ref_t *target;          //  b/t, b's own reference
    act_ref_t *remote;          //  b/t as a sees it
    act_inbox_t *inbox;         //  of a
} s_remote_t;

static s_remote_t
s_remote_new (void)
{
    s_remote_t self = { s_run_new (), NULL, NULL, NULL };
    self.target = act_spawn_named (self.run.b, "t", &s_target, NULL);
    self.remote = act_lookup (self.run.a, "b/t");
    cr_assert (self.target && self.remote);
    self.inbox = act_inbox_new (self.run.a);
    return self;
}

static void
s_remote_destroy (s_remote_t *self)
{
    act_inbox_destroy (&self->inbox);
    act_ref_destroy (&self->remote);
    act_ref_destroy (&self->target);
    s_run_destroy (&self->run);
}

Test (monitor, remote_target_and_remote_stop, .timeout = 30)
{
    s_remote_t f = s_remote_new ();

    //  Identity across groups: two lookups, two objects, one actor
    act_ref_t *again = act_lookup (f.run.a, "b/t");
    cr_assert (again != f.remote && act_ref_eq (again, f.remote));
    cr_assert_str_eq (act_ref_id (again), "b/t");
    cr_assert_str_eq (act_ref_id (f.target), "b/t", "the address where there is one");
    act_ref_t *other = act_lookup (f.run.a, "b/u");
    cr_assert_not (act_ref_eq (other, f.remote));
    act_ref_destroy (&other);
    act_ref_destroy (&again);

    uint64_t id = act_monitor (act_inbox_ref (f.inbox), f.remote);
    cr_assert_gt (id, 0, "act_monitor: %s", strerror (errno));
    s_sync (f.remote);
    cr_assert_eq (act_ref_stop (f.remote, 9), 0, "%s", strerror (errno));
    act_exit_t why = s_expect_down (f.inbox, f.remote, id);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR, "%s", act_exit_kind_name (why.kind));
    cr_assert_eq (why.code, 9);
    cr_assert_eq (act_ref_wait (f.target, ACT_FOREVER, &why), 0);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    cr_assert_eq (why.code, 9, "stopped by the other group with its code");
    cr_assert_eq (act_demonitor (id), -1, "fired");

    s_remote_destroy (&f);
}

Test (monitor, remote_demonitor, .timeout = 30)
{
    s_remote_t f = s_remote_new ();

    uint64_t removed = act_monitor (act_inbox_ref (f.inbox), f.remote);
    uint64_t kept = act_monitor (act_inbox_ref (f.inbox), f.remote);
    cr_assert_eq (act_demonitor (removed), 0);
    s_sync (f.remote);
    s_stop (f.remote, 0);
    s_expect_down (f.inbox, f.remote, kept);
    //  The removed one's DOWN would have come first, on the same link
    cr_assert_eq (act_inbox_size (f.inbox), 0);

    s_remote_destroy (&f);
}

Test (monitor, remote_group_lost, .timeout = 30)
{
    s_remote_t f = s_remote_new ();

    uint64_t id = act_monitor (act_inbox_ref (f.inbox), f.remote);
    s_sync (f.remote);
    //  What actor-run tells a group when another one dies
    cr_assert_eq (act_transport_peer_down (f.run.a, "b"), 0);
    act_exit_t why = s_expect_down (f.inbox, f.remote, id);
    cr_assert_eq (why.kind, ACT_EXIT_LOST, "%s", act_exit_kind_name (why.kind));
    cr_assert_eq (why.code, EHOSTDOWN);
    cr_assert (act_exit_failed (&why));
    //  Once: the f.target's own end later is no news to a fired monitor
    cr_assert_eq (act_transport_peer_up (f.run.a, "b"), 0);
    uint64_t after = act_monitor (act_inbox_ref (f.inbox), f.remote);
    s_sync (f.remote);
    s_stop (f.remote, 0);
    s_expect_down (f.inbox, f.remote, after);
    cr_assert_eq (act_inbox_size (f.inbox), 0);

    s_remote_destroy (&f);
}

Test (monitor, remote_unknown_actor_fires_at_once, .timeout = 30)
{
    s_run_t run = s_run_new ();
    act_ref_t *remote = act_lookup (run.a, "b/nobody");
    act_inbox_t *inbox = act_inbox_new (run.a);
    uint64_t id = act_monitor (act_inbox_ref (inbox), remote);
    cr_assert_gt (id, 0);
    act_exit_t why = s_expect_down (inbox, remote, id);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    cr_assert_eq (why.code, ENOENT);
    //  A stop for nobody is sent, and counted there as for no actor
    cr_assert_eq (act_ref_stop (remote, 0), 0);
    act_transport_stats_t stats;
    ACT_ASSERT_EVENTUALLY (act_transport_stats (run.b, &stats) == 0 && stats.unknown == 1,
                           5000);
    act_inbox_destroy (&inbox);
    act_ref_destroy (&remote);
    s_run_destroy (&run);
}

//  A group keeps a bounded number of monitors for another group's
//  watchers: one more is refused with a DOWN (lost, EAGAIN) at once,
//  counted, and a place freed by a demonitor can be taken again.
Test (monitor, remote_monitors_per_group_are_bounded, .timeout = 120)
{
    s_remote_t f = s_remote_new ();
    size_t total = ACT_MONITOR_PEER_MAX;
    uint64_t *ids = (uint64_t *) calloc (total, sizeof *ids);
    cr_assert_not_null (ids);
    for (size_t i = 0; i < total; i++) {
        ids [i] = act_monitor (act_inbox_ref (f.inbox), f.remote);
        cr_assert_gt (ids [i], 0, "act_monitor: %s", strerror (errno));
        //  Never more in flight than the link holds
        if (i % 100 == 99)
            s_sync (f.remote);
    }
    s_sync (f.remote);
    cr_assert_eq (act_inbox_size (f.inbox), 0, "every one of them kept");
    act_transport_stats_t stats;
    cr_assert_eq (act_transport_stats (f.run.b, &stats), 0);
    uint64_t dropped = stats.dropped;

    uint64_t over = act_monitor (act_inbox_ref (f.inbox), f.remote);
    cr_assert_gt (over, 0);
    act_exit_t why = s_expect_down (f.inbox, f.remote, over);
    cr_assert_eq (why.kind, ACT_EXIT_LOST, "%s", act_exit_kind_name (why.kind));
    cr_assert_eq (why.code, EAGAIN);
    cr_assert_eq (act_transport_stats (f.run.b, &stats), 0);
    cr_assert_eq (stats.dropped, dropped + 1, "counted");

    //  A demonitor frees a place there, once it has arrived
    cr_assert_eq (act_demonitor (ids [0]), 0);
    s_sync (f.remote);
    ids [0] = act_monitor (act_inbox_ref (f.inbox), f.remote);
    cr_assert_gt (ids [0], 0);
    s_sync (f.remote);
    cr_assert_eq (act_inbox_size (f.inbox), 0, "the new one is kept");
    cr_assert_eq (act_transport_stats (f.run.b, &stats), 0);
    cr_assert_eq (stats.dropped, dropped + 1);

    //  And they all still fire: more DOWNs at once than the link holds,
    //  none lost
    s_stop (f.remote, 3);
    for (size_t i = 0; i < total; i++) {
        act_msg_t *msg = act_inbox_recv (f.inbox, 5000);
        cr_assert_not_null (msg, "DOWN %zu of %zu: %s", i, total, strerror (errno));
        cr_assert_eq (act_msg_down (msg, &why), 0);
        cr_assert_eq (why.kind, ACT_EXIT_ERROR);
        cr_assert_eq (why.code, 3);
        act_msg_destroy (&msg);
    }
    free (ids);
    s_remote_destroy (&f);
}

//  An actor of b watches an actor of a: the DOWN crosses back
Test (monitor, remote_actor_watcher, .timeout = 30)
{
    s_run_t run = s_run_new ();
    act_ref_t *target = act_spawn_named (run.a, "t", &s_target, NULL);
    act_ref_t *remote = act_lookup (run.b, "a/t");
    act_inbox_t *inbox = act_inbox_new (run.b);
    watch_args_t watch = { remote, act_inbox_ref (inbox), 0 };
    act_ref_t *watcher = act_spawn (run.b, &s_watcher, &watch);
    ACT_ASSERT_EVENTUALLY (__atomic_load_n (&watch.id, __ATOMIC_ACQUIRE) != 0, 5000);
    s_sync (remote);

    cr_assert_eq (act_ref_stop (target, 5), 0);
    act_msg_t *msg = act_inbox_recv (inbox, 5000);
    cr_assert_not_null (msg);
    cr_assert_eq (act_msg_type (msg), ACT_MSG_DOWN);
    cr_assert_eq (act_msg_corr (msg), watch.id);
    cr_assert (act_ref_eq (act_msg_sender (msg), remote), "from %s",
               act_ref_id (act_msg_sender (msg)));
    act_exit_t why;
    cr_assert_eq (act_msg_down (msg, &why), 0);
    cr_assert_eq (why.code, 5);
    act_msg_destroy (&msg);

    act_ref_destroy (&watcher);
    act_inbox_destroy (&inbox);
    act_ref_destroy (&remote);
    act_ref_destroy (&target);
    s_run_destroy (&run);
}
