/*  test_system - act_system: the loop thread, spawning, names, counters,
    waiting, embedding, scheduling fairness, and start/stop at scale
    SPDX-License-Identifier: MPL-2.0
*/
#include "act_test.h"
#include "act_loop_priv.h"
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>

enum {
    MSG_PING = 1,           //  reply with the payload
    MSG_STOP,               //  return ACT_STOP
    MSG_NOOP,               //  nothing
    MSG_GO                  //  do your thing
};

//  --------------------------------------------------------------------------
//  echo

static atomic_int s_teardowns;

static int
s_echo_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) == MSG_STOP) {
        return ACT_STOP;
    }
    if (act_msg_type (msg) == MSG_PING) {
        act_msg_t *reply = act_msg_new_data (MSG_PING, act_msg_data (msg),
                                             act_msg_size (msg));
        act_reply (msg, &reply);
    }
    return ACT_OK;
}

static void
s_count_teardown (act_t *self)
{
    (void) self;
    atomic_fetch_add (&s_teardowns, 1);
}

static const act_class_t s_echo = {
    .name = "echo", .handle = s_echo_handle, .teardown = s_count_teardown
};

static void
s_tell (act_ref_t *to, uint32_t type)
{
    act_msg_t *msg = act_msg_new (type);
    cr_assert_eq (act_tell (to, &msg), 0, "tell: %s", strerror (errno));
}

//  The first test is the example: start a system, run an actor in it, ask
//  it by name, stop everything and wait for the end.
Test (system, lifecycle_example, .timeout = 60)
{
    act_system_t *system = act_system_new ("example");
    cr_assert_not_null (system);
    cr_assert_str_eq (act_system_name (system), "example");
    cr_assert_eq (act_system_actors (system), 0);

    act_ref_t *greeter = act_spawn_named (system, "greeter", &s_echo, NULL);
    cr_assert_not_null (greeter);
    cr_assert_eq (act_system_actors (system), 1);

    act_msg_t *msg = act_msg_new_str (MSG_PING, "Hello World!");
    act_msg_t *reply = act_ask_name (system, "greeter", &msg, 2000);
    cr_assert_not_null (reply, "ask_name: %s", strerror (errno));
    cr_assert_str_eq (act_msg_str (reply), "Hello World!");
    act_msg_destroy (&reply);
    //  Counted once the loop finishes its batch: soon after the reply
    ACT_ASSERT_EVENTUALLY (act_system_delivered (system) >= 1, 2000);

    //  Stop every actor, and wait until none is left
    cr_assert_eq (act_system_stop (system), 0);
    cr_assert_eq (act_system_wait (system, 5000), 0);
    cr_assert_eq (act_system_actors (system), 0);
    act_exit_t why;
    cr_assert_eq (act_ref_wait (greeter, 0, &why), 0);
    cr_assert_eq (why.kind, ACT_EXIT_SHUTDOWN);
    cr_assert_eq (atomic_load (&s_teardowns), 1);

    act_ref_destroy (&greeter);
    act_system_destroy (&system);
    cr_assert_null (system);
}

Test (system, unnamed_system_has_a_name, .timeout = 60)
{
    act_system_t *system = act_system_new (NULL);
    cr_assert_not_null (system);
    cr_assert_not_null (act_system_name (system));
    act_system_destroy (&system);
}

Test (system, counters, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    act_ref_t *a = act_spawn (system, &s_echo, NULL);
    act_ref_t *b = act_spawn (system, &s_echo, NULL);
    cr_assert_eq (act_system_actors (system), 2);
    for (int i = 0; i < 10; i++) {
        s_tell (a, MSG_NOOP);
    }
    ACT_ASSERT_EVENTUALLY (act_system_delivered (system) >= 10, 5000);
    cr_assert_eq (act_system_dead_letters (system), 0);

    s_tell (b, MSG_STOP);
    cr_assert_eq (act_ref_wait (b, 5000, NULL), 0);
    ACT_ASSERT_EVENTUALLY (act_system_actors (system) == 1, 2000);
    act_msg_t *msg = act_msg_new (MSG_NOOP);
    cr_assert_eq (act_tell (b, &msg), -1);
    cr_assert_eq (act_system_dead_letters (system), 1);

    act_ref_destroy (&a);
    act_ref_destroy (&b);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  names

Test (system, named_actors_and_lookup, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    act_ref_t *first = act_spawn_named (system, "unique", &s_echo, NULL);
    cr_assert_not_null (first);

    //  The name is taken while the actor lives
    errno = 0;
    cr_assert_null (act_spawn_named (system, "unique", &s_echo, NULL));
    cr_assert_eq (errno, EEXIST);
    cr_assert_eq (act_system_actors (system), 1);

    act_ref_t *found = act_lookup (system, "unique");
    cr_assert_not_null (found);
    cr_assert_str_eq (act_ref_name (found), "unique");
    s_tell (found, MSG_STOP);
    act_ref_destroy (&found);
    cr_assert_eq (act_ref_wait (first, 5000, NULL), 0);

    //  Once it is seen stopped, the name is free again: at once
    errno = 0;
    cr_assert_null (act_lookup (system, "unique"));
    cr_assert_eq (errno, ENOENT);
    act_ref_t *second = act_spawn_named (system, "unique", &s_echo, NULL);
    cr_assert_not_null (second, "name not freed: %s", strerror (errno));
    cr_assert (act_ref_alive (second));
    cr_assert_not (act_ref_alive (first));

    act_ref_destroy (&second);
    act_ref_destroy (&first);
    act_system_destroy (&system);
}

//  The name is free from the moment the actor is seen stopped, even while
//  its stop still drains a long mailbox into dead letters: whoever polls
//  act_ref_wait and restarts a named service at once gets the name.
Test (system, a_name_is_free_once_its_actor_is_seen_stopped, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    for (int round = 0; round < 20; round++) {
        act_ref_t *svc = act_spawn_named (system, "svc", &s_echo, NULL);
        cr_assert_not_null (svc, "round %d: %s", round, strerror (errno));
        s_tell (svc, MSG_STOP);
        for (int i = 0; i < 20000; i++) {
            act_msg_t *noop = act_msg_new (MSG_NOOP);
            act_tell (svc, &noop);      //  ESRCH once it stopped: fine
        }
        while (act_ref_wait (svc, 0, NULL) != 0)
            ;
        act_ref_t *found = act_lookup (system, "svc");
        cr_assert_null (found, "round %d: the stopped actor is still found by name", round);
        act_ref_t *again = act_spawn_named (system, "svc", &s_echo, NULL);
        cr_assert_not_null (again, "round %d: the name is still taken: %s", round,
                            strerror (errno));
        s_tell (again, MSG_STOP);
        cr_assert_eq (act_ref_wait (again, 5000, NULL), 0);
        act_ref_destroy (&again);
        act_ref_destroy (&svc);
    }
    act_system_destroy (&system);
}

Test (system, ask_name_unknown_fails_at_once, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    //  Without a limit: the errno says it failed at once, and a wait that
    //  never ends fails the test at its timeout, with no clock read here
    act_msg_t *msg = act_msg_new (MSG_PING);
    errno = 0;
    cr_assert_null (act_ask_name (system, "nobody", &msg, -1));
    cr_assert_eq (errno, ENOENT, "errno %d (%s)", errno, strerror (errno));
    cr_assert_null (msg, "act_ask_name takes the message");

    //  A stopped named actor is unknown too
    act_ref_t *gone = act_spawn_named (system, "gone", &s_echo, NULL);
    s_tell (gone, MSG_STOP);
    cr_assert_eq (act_ref_wait (gone, 5000, NULL), 0);
    msg = act_msg_new (MSG_PING);
    errno = 0;
    cr_assert_null (act_ask_name (system, "gone", &msg, -1));
    cr_assert (errno == ENOENT || errno == ESRCH, "errno %d (%s)", errno, strerror (errno));

    act_ref_destroy (&gone);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  waiting

static atomic_int s_wait_errno;
static atomic_int s_wait_done;

static int
s_waiter_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) != MSG_GO) {
        return ACT_STOP;
    }
    act_system_t *system = *(act_system_t **) act_msg_data (msg);
    errno = 0;
    int rc = act_system_wait (system, -1);
    atomic_store (&s_wait_errno, rc == 0 ? 0 : errno);
    atomic_store (&s_wait_done, 1);
    return ACT_OK;
}

static const act_class_t s_waiter = { .name = "waiter", .handle = s_waiter_handle };

Test (system, wait_with_timeout, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    //  No actor: nothing to wait for
    cr_assert_eq (act_system_wait (system, 0), 0);
    cr_assert_eq (act_system_wait (system, 1000), 0);

    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    int64_t start = act_test_now_us ();
    errno = 0;
    cr_assert_eq (act_system_wait (system, 200), -1);
    int64_t elapsed = act_test_now_us () - start;
    cr_assert_eq (errno, ETIMEDOUT);
    cr_assert_geq (elapsed, 199 * 1000);
    cr_assert_leq (elapsed, 2200 * 1000);
    errno = 0;
    cr_assert_eq (act_system_wait (system, 0), -1);
    cr_assert_eq (errno, ETIMEDOUT);

    //  From the loop, the wait would never end: it fails at once, even
    //  without a limit (one that waited would never let the handler end)
    act_ref_t *waiter = act_spawn (system, &s_waiter, NULL);
    act_msg_t *msg = act_msg_new_data (MSG_GO, &system, sizeof system);
    cr_assert_eq (act_tell (waiter, &msg), 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_wait_done), 5000);
    cr_assert_eq (atomic_load (&s_wait_errno), EDEADLK);

    s_tell (echo, MSG_STOP);
    s_tell (waiter, MSG_STOP);
    cr_assert_eq (act_system_wait (system, 5000), 0);
    cr_assert_eq (act_system_wait (system, -1), 0);
    act_ref_destroy (&waiter);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  stopping the system

typedef struct {
    int children;
} family_t;

static act_system_t *s_late_system;
static atomic_int s_setups;

static int
s_family_setup (act_t *self, void *args)
{
    int children = (int) (intptr_t) args;
    atomic_fetch_add (&s_setups, 1);
    for (int i = 0; i < children; i++) {
        if (!act_spawn_child (self, &s_echo, NULL)) {
            return -1;
        }
    }
    return ACT_OK;
}

static const act_class_t s_family = {
    .name = "family", .setup = s_family_setup, .handle = s_echo_handle,
    .teardown = s_count_teardown
};

Test (system, stop_shuts_down_every_actor, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    act_ref_t *refs [5];
    for (int i = 0; i < 5; i++) {
        refs [i] = act_spawn (system, &s_family, (void *) (intptr_t) 3);
    }
    ACT_ASSERT_EVENTUALLY (act_system_actors (system) == 20, 5000);
    cr_assert_eq (act_system_stop (system), 0);
    cr_assert_eq (act_system_wait (system, 5000), 0);
    cr_assert_eq (atomic_load (&s_teardowns), 20);
    for (int i = 0; i < 5; i++) {
        act_exit_t why;
        cr_assert_eq (act_ref_wait (refs [i], 0, &why), 0);
        cr_assert_eq (why.kind, ACT_EXIT_SHUTDOWN);
        act_ref_destroy (&refs [i]);
    }
    act_system_destroy (&system);
}

//  A teardown run by act_system_destroy tries to spawn: the system is
//  stopping and refuses
static atomic_int s_late_spawn_errno = -1;

static void
s_late_teardown (act_t *self)
{
    (void) self;
    act_system_t *system = s_late_system;
    errno = 0;
    act_ref_t *late = act_spawn (system, &s_echo, NULL);
    atomic_store (&s_late_spawn_errno, late ? 0 : errno);
    act_ref_destroy (&late);
}

static const act_class_t s_late = {
    .name = "late", .handle = s_echo_handle, .teardown = s_late_teardown
};

Test (system, spawn_while_destroying_is_refused, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    s_late_system = system;
    act_ref_t *late = act_spawn (system, &s_late, NULL);
    act_msg_t *msg = act_msg_new_str (MSG_PING, "started?");
    act_msg_t *reply = act_ask (late, &msg, 2000);
    cr_assert_not_null (reply);
    act_msg_destroy (&reply);
    act_system_destroy (&system);
    cr_assert_eq (atomic_load (&s_late_spawn_errno), ECANCELED,
                  "spawn during destroy: errno %d", atomic_load (&s_late_spawn_errno));
    act_ref_destroy (&late);
}

Test (system, destroy_with_live_actors, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    act_ref_t *refs [10];
    for (int i = 0; i < 10; i++) {
        refs [i] = act_spawn (system, &s_family, (void *) (intptr_t) 2);
        //  Started (its setup ran)...
        act_msg_t *msg = act_msg_new (MSG_PING);
        act_msg_t *reply = act_ask (refs [i], &msg, 2000);
        cr_assert_not_null (reply);
        act_msg_destroy (&reply);
    }
    for (int i = 0; i < 10; i++) {
        //  ...with messages still waiting
        for (int j = 0; j < 100; j++) {
            s_tell (refs [i], MSG_NOOP);
        }
    }
    act_system_destroy (&system);
    cr_assert_null (system);
    cr_assert_eq (atomic_load (&s_teardowns), 30);
    for (int i = 0; i < 10; i++) {
        cr_assert_not (act_ref_alive (refs [i]));
        act_ref_destroy (&refs [i]);
    }
}

Test (system, thousand_start_destroy_cycles, .timeout = 60)
{
    int spawned = 0;
    for (int i = 0; i < 1000; i++) {
        act_system_t *system = act_system_new ("cycle");
        cr_assert_not_null (system, "cycle %d: %s", i, strerror (errno));
        if (i % 10 == 0) {
            //  Every tenth one dies with a family alive and mail waiting
            act_ref_t *ref = act_spawn (system, &s_family, (void *) (intptr_t) 2);
            cr_assert_not_null (ref);
            act_msg_t *msg = act_msg_new (MSG_PING);
            act_msg_t *reply = act_ask (ref, &msg, 2000);
            cr_assert_not_null (reply);
            act_msg_destroy (&reply);
            s_tell (ref, MSG_NOOP);
            act_ref_destroy (&ref);
            spawned += 3;
        }
        else
        if (i % 10 == 5) {
            //  And some before their setup even had its chance
            act_ref_t *ref = act_spawn (system, &s_family, (void *) (intptr_t) 2);
            cr_assert_not_null (ref);
            s_tell (ref, MSG_NOOP);
            act_ref_destroy (&ref);
        }
        act_system_destroy (&system);
        cr_assert_null (system);
    }
    //  Every family act_spawn returned started and was torn down, those
    //  destroyed at once too: their setup owns their args
    (void) spawned;
    int setups = atomic_load (&s_setups);
    cr_assert_eq (setups, 200, "family setups %d of 200", setups);
    cr_assert_eq (atomic_load (&s_teardowns), 3 * setups, "teardowns %d, family setups %d",
                  atomic_load (&s_teardowns), setups);
}

//  --------------------------------------------------------------------------
//  embedding: the system's zactor in the host's poller

Test (system, actor_pollable_and_says_stopped, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    zactor_t *actor = act_system_actor (system);
    cr_assert_not_null (actor);
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    zpoller_t *poller = zpoller_new (actor, NULL);
    cr_assert_not_null (poller);

    //  Nothing to read while an actor lives
    cr_assert_null (zpoller_wait (poller, 100));
    cr_assert (zpoller_expired (poller));

    //  The last actor stops: "STOPPED" arrives
    s_tell (echo, MSG_STOP);
    void *which = zpoller_wait (poller, 5000);
    cr_assert_eq (which, (void *) actor, "STOPPED did not arrive");
    zmsg_t *msg = zmsg_recv (actor);
    cr_assert_not_null (msg);
    char *first = zmsg_popstr (msg);
    cr_assert_str_eq (first, "STOPPED");
    zstr_free (&first);
    zmsg_destroy (&msg);
    cr_assert_eq (act_system_actors (system), 0);

    zpoller_destroy (&poller);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

static int
s_on_stopped (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    char *text = zstr_recv (reader);
    *(bool *) arg = text && streq (text, "STOPPED");
    zstr_free (&text);
    return -1;                  //  end the host's loop
}

Test (system, embeds_in_a_zloop, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    zloop_t *loop = zloop_new ();
    bool stopped = false;
    cr_assert_eq (zloop_reader (loop, (zsock_t *) act_system_actor (system),
                                s_on_stopped, &stopped), 0);
    s_tell (echo, MSG_STOP);
    zloop_start (loop);
    cr_assert (stopped);
    zloop_destroy (&loop);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  spawning from anywhere

static atomic_int s_spawned_from_loop;

static int
s_spawner_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    act_system_t *system = *(act_system_t **) act_msg_data (msg);
    //  A top-level spawn from the loop thread
    act_ref_t *ref = act_spawn_named (system, "from-loop", &s_echo, NULL);
    atomic_store (&s_spawned_from_loop, ref != NULL);
    act_ref_destroy (&ref);
    return ACT_OK;
}

static const act_class_t s_spawner = { .name = "spawner", .handle = s_spawner_handle };

Test (system, spawn_from_a_callback, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    act_ref_t *spawner = act_spawn (system, &s_spawner, NULL);
    act_msg_t *msg = act_msg_new_data (MSG_GO, &system, sizeof system);
    cr_assert_eq (act_tell (spawner, &msg), 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_spawned_from_loop), 5000);
    msg = act_msg_new_str (MSG_PING, "there?");
    act_msg_t *reply = act_ask_name (system, "from-loop", &msg, 2000);
    cr_assert_not_null (reply, "%s", strerror (errno));
    act_msg_destroy (&reply);
    act_ref_destroy (&spawner);
    act_system_destroy (&system);
}

typedef struct {
    act_system_t *system;
    int index;
    int failed;
} spawner_thread_t;

static void *
s_spawn_thread (void *arg)
{
    spawner_thread_t *job = arg;
    for (int i = 0; i < 250; i++) {
        char name [32];
        snprintf (name, sizeof name, "t%d-%d", job->index, i);
        act_ref_t *ref = act_spawn_named (job->system, name, &s_echo, NULL);
        if (!ref) {
            job->failed++;
        }
        act_ref_destroy (&ref);
    }
    return NULL;
}

Test (system, spawn_from_many_threads, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    pthread_t threads [4];
    spawner_thread_t jobs [4];
    for (int i = 0; i < 4; i++) {
        jobs [i] = (spawner_thread_t) { system, i, 0 };
        cr_assert_eq (pthread_create (&threads [i], NULL, s_spawn_thread, &jobs [i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join (threads [i], NULL);
        cr_assert_eq (jobs [i].failed, 0);
    }
    cr_assert_eq (act_system_actors (system), 1000);
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 250; j += 50) {
            char name [32];
            snprintf (name, sizeof name, "t%d-%d", i, j);
            act_ref_t *ref = act_lookup (system, name);
            cr_assert_not_null (ref, "%s not found", name);
            act_ref_destroy (&ref);
        }
    }
    cr_assert_eq (act_system_stop (system), 0);
    cr_assert_eq (act_system_wait (system, 10000), 0);
    cr_assert_eq (atomic_load (&s_teardowns), 1000);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  100,000 actors: children of one actor, in batches, and top-level ones

#define BATCH   1000
#define CHILDREN 100000

static atomic_int s_children_stopped;
static atomic_int s_spawn_failures;

static int
s_quick_setup (act_t *self, void *args)
{
    (void) self;
    //  Half of them stop at once, the other half when told
    return args ? ACT_STOP : ACT_OK;
}

static const act_class_t s_quick = {
    .name = "quick", .setup = s_quick_setup, .handle = s_echo_handle,
    .teardown = s_count_teardown
};

typedef struct {
    int spawned;
    int stopped;
} mass_t;

static int
s_mass_handle (act_t *self, act_msg_t *msg)
{
    mass_t *state = act_state (self);
    if (act_msg_type (msg) != MSG_GO) {
        return ACT_OK;
    }
    for (int i = 0; i < BATCH; i++) {
        bool quick = state->spawned++ % 2;
        act_ref_t *child = act_spawn_child (self, &s_quick, quick ? (void *) 1 : NULL);
        if (!child) {
            atomic_fetch_add (&s_spawn_failures, 1);
            continue;
        }
        if (!quick) {
            act_msg_t *stop = act_msg_new (MSG_STOP);
            if (act_tell (child, &stop)) {
                atomic_fetch_add (&s_spawn_failures, 1);
            }
        }
    }
    return ACT_OK;
}

static void
s_mass_child_stopped (act_t *self, act_ref_t *child, const act_exit_t *why)
{
    (void) child;
    mass_t *state = act_state (self);
    if (why->kind != ACT_EXIT_NORMAL) {
        atomic_fetch_add (&s_spawn_failures, 1);
    }
    state->stopped++;
    atomic_fetch_add (&s_children_stopped, 1);
    if (state->stopped == CHILDREN) {
        act_stop (self, 0);
    }
    else
    if (state->stopped == state->spawned) {
        act_msg_t *next = act_msg_new (MSG_GO);
        act_tell (act_self (self), &next);
    }
}

static const act_class_t s_mass = {
    .name = "mass", .state_size = sizeof (mass_t), .handle = s_mass_handle,
    .child_stopped = s_mass_child_stopped, .teardown = s_count_teardown
};

Test (system, hundred_thousand_actors, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    act_ref_t *mass = act_spawn (system, &s_mass, NULL);
    s_tell (mass, MSG_GO);

    //  Top-level ones from this thread meanwhile
    for (int i = 0; i < 10000; i++) {
        act_ref_t *ref = act_spawn (system, &s_quick, (i % 2) ? (void *) 1 : NULL);
        cr_assert_not_null (ref);
        if (!(i % 2)) {
            s_tell (ref, MSG_STOP);
        }
        act_ref_destroy (&ref);
    }
    act_exit_t why;
    cr_assert_eq (act_ref_wait (mass, 50000, &why), 0, "%d children stopped",
                  atomic_load (&s_children_stopped));
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    cr_assert_eq (atomic_load (&s_children_stopped), CHILDREN);
    cr_assert_eq (atomic_load (&s_spawn_failures), 0);
    cr_assert_eq (act_system_wait (system, 10000), 0);
    cr_assert_eq (act_system_actors (system), 0);
    cr_assert_eq (atomic_load (&s_teardowns), CHILDREN + 10000 + 1);

    act_ref_destroy (&mass);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  round-robin: a flooded actor does not starve another

#define FLOOD 100000

static atomic_int s_flood_handled;
static atomic_int s_flood_seen_at = -1;

static int
s_flooded_handle (act_t *self, act_msg_t *msg)
{
    (void) self; (void) msg;
    atomic_fetch_add (&s_flood_handled, 1);
    return ACT_OK;
}

static const act_class_t s_flooded = { .name = "flooded", .handle = s_flooded_handle };

static int
s_bystander_handle (act_t *self, act_msg_t *msg)
{
    (void) self; (void) msg;
    atomic_store (&s_flood_seen_at, atomic_load (&s_flood_handled));
    return ACT_OK;
}

static const act_class_t s_bystander = { .name = "bystander", .handle = s_bystander_handle };

static int
s_producer_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    act_ref_t *const *refs = act_msg_data (msg);
    //  In one handler, so the whole flood is queued before anyone runs,
    //  and the bystander's message after it
    for (int i = 0; i < FLOOD; i++) {
        act_msg_t *noop = act_msg_new (MSG_NOOP);
        act_tell (refs [0], &noop);
    }
    act_msg_t *one = act_msg_new (MSG_NOOP);
    act_tell (refs [1], &one);
    return ACT_OK;
}

static const act_class_t s_producer = { .name = "producer", .handle = s_producer_handle };

Test (system, flooded_actor_does_not_starve_others, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    act_ref_t *refs [2];
    refs [0] = act_spawn (system, &s_flooded, NULL);
    refs [1] = act_spawn (system, &s_bystander, NULL);
    act_ref_t *producer = act_spawn (system, &s_producer, NULL);
    act_msg_t *msg = act_msg_new_data (MSG_GO, refs, sizeof refs);
    cr_assert_eq (act_tell (producer, &msg), 0);

    ACT_ASSERT_EVENTUALLY (atomic_load (&s_flood_handled) == FLOOD, 20000);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_flood_seen_at) >= 0, 2000);
    cr_assert_lt (atomic_load (&s_flood_seen_at), FLOOD,
                  "the bystander waited for the whole flood");

    act_ref_destroy (&producer);
    act_ref_destroy (&refs [0]);
    act_ref_destroy (&refs [1]);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------

Test (system, bad_input, .timeout = 60)
{
    act_system_t *system = act_test_system ();

    errno = 0;
    cr_assert_null (act_spawn (NULL, &s_echo, NULL));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_spawn (system, NULL, NULL));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_spawn_named (NULL, "x", &s_echo, NULL));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_spawn_named (system, NULL, &s_echo, NULL));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_spawn_named (system, "x", NULL, NULL));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_lookup (NULL, "x"));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_lookup (system, NULL));
    cr_assert_eq (errno, EINVAL);

    act_msg_t *msg = act_msg_new (MSG_PING);
    errno = 0;
    cr_assert_null (act_ask_name (NULL, "x", &msg, 100));
    cr_assert_eq (errno, EINVAL);
    cr_assert_null (msg, "act_ask_name takes the message");
    msg = act_msg_new (MSG_PING);
    errno = 0;
    cr_assert_null (act_ask_name (system, NULL, &msg, 100));
    cr_assert_eq (errno, EINVAL);
    cr_assert_null (msg, "act_ask_name takes the message");

    errno = 0;
    cr_assert_eq (act_system_stop (NULL), -1);
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_eq (act_system_wait (NULL, 10), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_null (act_system_actor (NULL));
    cr_assert_null (act_system_name (NULL));
    cr_assert_eq (act_system_actors (NULL), 0);
    cr_assert_eq (act_system_dead_letters (NULL), 0);
    cr_assert_eq (act_system_delivered (NULL), 0);

    errno = 0;
    cr_assert_eq (act_system_set_workers (NULL, 2), -1);
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_eq (act_system_set_workers (system, 0), -1);
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_eq (act_system_set_workers (system, -3), -1);
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_eq (act_system_set_workers (system, 65), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (act_system_set_workers (system, 64), 0);
    cr_assert_eq (act_system_set_workers (system, 1), 0);

    act_system_destroy (NULL);
    act_system_t *none = NULL;
    act_system_destroy (&none);

    //  None of it hurt the loop
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    msg = act_msg_new_str (MSG_PING, "ok");
    act_msg_t *reply = act_ask (echo, &msg, 2000);
    cr_assert_not_null (reply);
    act_msg_destroy (&reply);
    act_ref_destroy (&echo);
    act_system_destroy (&system);

    //  A destroyed system is NULL
    errno = 0;
    cr_assert_null (act_spawn (system, &s_echo, NULL));
    cr_assert_eq (errno, EINVAL);
}

Test (system, ask_name_without_a_message_is_einval, .timeout = 60)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn_named (system, "x", &s_echo, NULL);
    //  A NULL message is a bad argument whether or not the name is known
    const char *names [] = { "x", "unknown" };
    for (int i = 0; i < 2; i++) {
        errno = 0;
        act_msg_t *none = NULL;
        act_msg_t *reply = act_ask_name (system, names [i], NULL, 100);
        int err = errno;
        cr_expect_null (reply);
        cr_expect_eq (err, EINVAL, "%s, NULL: errno %d (%s)", names [i], err, strerror (err));
        errno = 0;
        reply = act_ask_name (system, names [i], &none, 100);
        err = errno;
        cr_expect_null (reply);
        cr_expect_eq (err, EINVAL, "%s, &NULL: errno %d (%s)", names [i], err, strerror (err));
    }
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  Destroy races callers: two threads tell an actor and an inbox, two ask
//  the actor, while the main thread destroys the inbox and the system.
//  Destroy must stay within its bound, and a call that starts after a
//  destroy returned must fail with an errno (the references outlive both).

#define RACE_ROUNDS     40
#define RACE_CALLS      20      //  calls each thread makes before destroy
#define RACE_LATE       20      //  calls each thread makes after both

typedef struct {
    act_ref_t *actor;           //  the echo actor (owned)
    act_ref_t *inbox;           //  the inbox's reference (owned)
    atomic_bool system_gone;    //  act_system_destroy has returned
    atomic_bool inbox_gone;     //  act_inbox_destroy has returned
    atomic_int calls;           //  calls made by all threads
} race_t;

typedef struct {
    race_t *race;
    bool asks;                  //  ask the actor, or tell both
    int late;                   //  calls started after both destroys
    int late_ok;                //  of them, calls that succeeded: bugs
    int bad_errno;              //  failures with an unexpected errno
    int slow_asks;              //  asks that outlived the destroy by > 2 s
} race_caller_t;

static bool
s_race_failed (int rc, int err, bool late, race_caller_t *self)
{
    //  ESRCH: target gone. ETIMEDOUT cannot happen within the asks' 10 s.
    if (rc != 0 && err != ESRCH)
        self->bad_errno++;
    if (late && rc == 0)
        self->late_ok++;
    return rc != 0;
}

static void *
s_race_caller (void *arg)
{
    race_caller_t *self = (race_caller_t *) arg;
    race_t *race = self->race;
    int after = 0;
    for (int i = 0; after < RACE_LATE; i++) {
        //  Read before the call starts: true means destroy had returned
        bool system_gone = atomic_load (&race->system_gone);
        bool inbox_gone = atomic_load (&race->inbox_gone);
        if (self->asks) {
            act_msg_t *msg = act_msg_new (MSG_PING);
            int64_t start = act_test_now_ms ();
            errno = 0;
            act_msg_t *reply = act_ask (race->actor, &msg, 10000);
            int err = errno;
            if (act_test_now_ms () - start > 2000)
                self->slow_asks++;
            s_race_failed (reply ? 0 : -1, err, system_gone, self);
            act_msg_destroy (&reply);
        }
        else {
            //  The actor replies into the inbox: the loop races it too
            act_msg_t *msg = act_msg_new (MSG_PING);
            act_msg_set_sender (msg, race->inbox);
            errno = 0;
            int rc = act_tell (race->actor, &msg);
            s_race_failed (rc, errno, system_gone, self);
            msg = act_msg_new (MSG_NOOP);
            errno = 0;
            rc = act_tell (race->inbox, &msg);
            s_race_failed (rc, errno, inbox_gone, self);
        }
        atomic_fetch_add (&race->calls, 1);
        if (system_gone && inbox_gone) {
            self->late++;
            after++;
        }
    }
    return NULL;
}

Test (system, destroy_races_tellers_and_askers, .timeout = 60)
{
    int64_t slowest = 0;
    for (int round = 0; round < RACE_ROUNDS; round++) {
        act_system_t *system = act_test_system ();
        act_inbox_t *inbox = act_inbox_new (system);
        cr_assert_not_null (inbox);
        race_t race = { .actor = act_spawn (system, &s_echo, NULL),
                        .inbox = act_ref_dup (act_inbox_ref (inbox)) };
        cr_assert_not_null (race.actor);
        pthread_t threads [4];
        race_caller_t callers [4];
        for (int i = 0; i < 4; i++) {
            callers [i] = (race_caller_t) { .race = &race, .asks = i >= 2 };
            cr_assert_eq (pthread_create (&threads [i], NULL, s_race_caller,
                                          &callers [i]), 0);
        }
        ACT_ASSERT_EVENTUALLY (atomic_load (&race.calls) >= 4 * RACE_CALLS, 10000);

        //  Half the rounds lose the inbox first, half the system
        int64_t start = act_test_now_ms ();
        if (round % 2) {
            act_inbox_destroy (&inbox);
            atomic_store (&race.inbox_gone, true);
        }
        act_system_destroy (&system);
        atomic_store (&race.system_gone, true);
        int64_t took = act_test_now_ms () - start;
        if (inbox) {
            act_inbox_destroy (&inbox);
            atomic_store (&race.inbox_gone, true);
        }
        cr_assert_null (system);
        cr_assert_lt (took, ACT_SYSTEM_DESTROY_TIMEOUT,
                      "round %d: destroy took %lld ms", round, (long long) took);
        slowest = took > slowest ? took : slowest;

        for (int i = 0; i < 4; i++) {
            pthread_join (threads [i], NULL);
            race_caller_t *caller = &callers [i];
            cr_assert_geq (caller->late, RACE_LATE);
            cr_assert_eq (caller->late_ok, 0, "round %d, thread %d: %d of %d "
                          "calls after destroy succeeded", round, i,
                          caller->late_ok, caller->late);
            cr_assert_eq (caller->bad_errno, 0, "round %d, thread %d: %d "
                          "failures with an unexpected errno", round, i,
                          caller->bad_errno);
            cr_assert_eq (caller->slow_asks, 0, "round %d, thread %d: %d asks "
                          "outlived the destroy", round, i, caller->slow_asks);
        }
        cr_assert_not (act_ref_alive (race.actor));
        cr_assert_not (act_ref_alive (race.inbox));
        act_ref_destroy (&race.actor);
        act_ref_destroy (&race.inbox);
    }
    cr_log_info ("slowest destroy: %lld ms", (long long) slowest);
}

//  A program that leaves with its system alive: the library's exit
//  handler destroys it before czmq's own tears the sockets down, so the
//  process ends with its code, not SIGABRT, and a started actor's
//  teardown runs. In a child, since it exits.
static int s_exit_fd = -1;

static int
s_exit_setup (act_t *self, void *args)
{
    (void) self;
    (void) args;
    return write (s_exit_fd, "s", 1) == 1 ? 0 : -1;
}

static void
s_exit_teardown (act_t *self)
{
    (void) self;
    ssize_t rc = write (s_exit_fd, "t", 1);
    (void) rc;
}

static int
s_exit_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    act_msg_t *reply = act_msg_new (1);
    return act_reply (msg, &reply);
}

static const act_class_t s_exit_class = {
    .name = "leaver", .setup = s_exit_setup, .handle = s_exit_handle,
    .teardown = s_exit_teardown
};

Test (system, exit_with_a_live_system_destroys_it, .timeout = 60)
{
#if defined (ACT_TEST_TSAN)
    //  The child starts a system, and so threads, after a fork of a
    //  process with threads (Criterion's): ThreadSanitizer refuses that.
    cr_skip_test ("a fork of a threaded process starts threads: not under ThreadSanitizer");
#endif
    for (int round = 0; round < 20; round++) {
        int report [2];
        cr_assert_eq (pipe (report), 0);
        fflush (NULL);
        pid_t pid = fork ();
        cr_assert_geq (pid, 0);
        if (pid == 0) {
            close (report [0]);
            s_exit_fd = report [1];
            act_system_t *system = act_system_new ("leaving");
            act_ref_t *ref = act_spawn (system, &s_exit_class, NULL);
            //  Started once it answers; then leave, destroying nothing.
            act_msg_t *ping = act_msg_new (1);
            act_msg_t *reply = act_ask (ref, &ping, 10000);
            act_msg_destroy (&reply);
            act_ref_destroy (&ref);
            exit (3);
        }
        close (report [1]);
        int status = 0;
        cr_assert_eq (waitpid (pid, &status, 0), pid);
        cr_assert (WIFEXITED (status), "round %d: ended by signal %d", round,
                   WIFSIGNALED (status) ? WTERMSIG (status) : 0);
        cr_assert_eq (WEXITSTATUS (status), 3);
        char said [4] = "";
        ssize_t got = read (report [0], said, sizeof said - 1);
        close (report [0]);
        cr_assert_eq (got, 2, "round %d: %zd bytes: %s", round, got, said);
        cr_assert_str_eq (said, "st", "setup, then teardown at exit");
    }
}

//  A child forked from a process with a live system, which exits: the
//  exit handler leaves the parent's system alone (its loop thread is not
//  in the child), and the parent's system runs on.
Test (system, a_forked_child_exits_without_the_parents_system, .timeout = 60)
{
#if defined (ACT_TEST_ASAN)
    //  The child's leak check would find the parent's system in its copy
    //  of the heap, and decide its exit code.
    cr_skip_test ("a forked child's leak report: not under AddressSanitizer");
#endif
    int sink [2];
    cr_assert_eq (pipe (sink), 0);
    s_exit_fd = sink [1];
    act_system_t *system = act_system_new ("parent");
    act_ref_t *ref = act_spawn (system, &s_exit_class, NULL);
    fflush (NULL);
    pid_t pid = fork ();
    cr_assert_geq (pid, 0);
    if (pid == 0)
        exit (5);
    int status = 0;
    cr_assert_eq (waitpid (pid, &status, 0), pid);
    cr_assert (WIFEXITED (status), "ended by signal %d",
               WIFSIGNALED (status) ? WTERMSIG (status) : 0);
    cr_assert_eq (WEXITSTATUS (status), 5);
    act_msg_t *ping = act_msg_new (1);
    act_msg_t *reply = act_ask (ref, &ping, 10000);
    cr_assert_not_null (reply, "the parent's system: %s", strerror (errno));
    act_msg_destroy (&reply);
    act_ref_destroy (&ref);
    act_system_destroy (&system);
    close (sink [0]);
    close (sink [1]);
}

//  A signal handled on the thread that starts a system ends zactor_new's
//  wait for the loop's handshake with EINTR, and zactor_new returns all
//  the same. act_system_start went on as if the loop's init had run: it
//  returned the init's result before there was one (a system whose join
//  failed looked joined), and the init wrote it to a stack frame that was
//  gone. A group's standby, which waits in its init for "go", met it on
//  every SIGTERM. The loop thread keeps the starter's signal mask.
//  Atomic, not only volatile: the loop thread reads it
static atomic_int s_usr1;

static void
s_on_usr1 (int signo)
{
    (void) signo;
    atomic_store (&s_usr1, 1);
}

typedef struct {
    pthread_t caller;           //  the thread in act_system_start
    bool usr2_blocked;          //  in the loop thread's mask
    bool term_blocked;
} s_interrupt_t;

static int
s_init_after_a_signal (act_loop_t *loop, void *arg)
{
    (void) loop;
    s_interrupt_t *args = (s_interrupt_t *) arg;
    sigset_t mask;
    pthread_sigmask (SIG_BLOCK, NULL, &mask);
    args->usr2_blocked = sigismember (&mask, SIGUSR2);
    args->term_blocked = sigismember (&mask, SIGTERM);
    pthread_kill (args->caller, SIGUSR1);
    //  Long enough for a caller whose wait the signal ended to have
    //  read a result
    usleep (50000);
    errno = EPERM;
    return -1;
}

Test (system, a_signal_does_not_cut_the_wait_for_init_short, .timeout = 60)
{
    struct sigaction action = { .sa_handler = s_on_usr1 };   //  no SA_RESTART
    sigaction (SIGUSR1, &action, NULL);
    sigset_t usr2;
    sigemptyset (&usr2);
    sigaddset (&usr2, SIGUSR2);
    pthread_sigmask (SIG_BLOCK, &usr2, NULL);
    s_interrupt_t args = { .caller = pthread_self () };
    errno = 0;
    act_system_t *system = act_system_start ("interrupted", false,
                                             s_init_after_a_signal, &args);
    int err = errno;
    cr_assert_null (system, "returned before its init had run");
    cr_assert_eq (err, EPERM, "not the init's errno: %s", strerror (err));
    cr_assert (atomic_load (&s_usr1), "the signal was not handled once the start was over");
    cr_assert (args.usr2_blocked, "the loop thread lost the starter's mask");
    cr_assert_not (args.term_blocked, "the loop thread blocks what the starter did not");
    pthread_sigmask (SIG_UNBLOCK, &usr2, NULL);
}

typedef struct {
    pid_t caller;               //  the thread in act_system_start
    unsigned long long blocked; //  its SigBlk, read by the init
} s_starter_t;

//  The SigBlk of thread tid, from /proc, as a thread can read no other
//  thread's mask itself; 0 if unreadable.
static unsigned long long
s_sigblk (pid_t tid)
{
    char path [64], line [256];
    snprintf (path, sizeof path, "/proc/self/task/%d/status", (int) tid);
    unsigned long long blocked = 0;
    FILE *file = fopen (path, "r");
    if (!file)
        return 0;
    while (fgets (line, sizeof line, file))
        if (sscanf (line, "SigBlk: %llx", &blocked) == 1)
            break;
    fclose (file);
    return blocked;
}

//  Reads the starter's mask while the start waits for this init. Until
//  it, while glibc's pthread_create returns, the starter has every signal
//  blocked for a moment: read again until SIGALRM is open, for a while.
static int
s_init_reads_the_starter (act_loop_t *loop, void *arg)
{
    (void) loop;
    s_starter_t *starter = (s_starter_t *) arg;
    unsigned long long alrm = 1ULL << (SIGALRM - 1);
    int64_t deadline = zclock_mono () + 2000;
    for (;;) {
        starter->blocked = s_sigblk (starter->caller);
        if (!(starter->blocked & alrm) || zclock_mono () >= deadline)
            return 0;
        zclock_sleep (1);
    }
}

//  A start whose init never ends must still die of a signal that kills:
//  a watchdog's (SIGALRM; SIGPROF is Criterion's), a SIGHUP. Only the
//  signals with a handler wait for the start to be over.
Test (system, a_start_stays_open_to_a_signal_that_kills, .timeout = 60)
{
    struct sigaction action = { .sa_handler = s_on_usr1 };
    sigaction (SIGUSR1, &action, NULL);
    s_starter_t starter = { .caller = (pid_t) syscall (SYS_gettid), .blocked = 0 };
    act_system_t *system = act_system_start ("read", false, s_init_reads_the_starter,
                                             &starter);
    cr_assert_not_null (system, "%s", strerror (errno));
    act_system_destroy (&system);
    unsigned long long bit = 1;
    cr_assert (starter.blocked & bit << (SIGUSR1 - 1), "a handled signal was not held back");
    cr_assert_not (starter.blocked & bit << (SIGALRM - 1), "the start held SIGALRM back");
    cr_assert_not (starter.blocked & bit << (SIGPROF - 1), "the start held SIGPROF back");
    cr_assert_not (starter.blocked & bit << (SIGHUP - 1), "the start held SIGHUP back");
}
