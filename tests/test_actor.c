/*  test_actor - act_actor: callbacks, state, stopping, children, failure
    escalation, watched fds and sockets, timers, the worker pool
    SPDX-License-Identifier: MPL-2.0

    Callbacks run on the loop thread, where a Criterion assertion must not
    run: they record what they see in atomics (or in a failure log that the
    test reads after the actor has stopped) and the test thread asserts.
*/
#include "act_test.h"
#include <act_testkit_criterion.h>
#include <pthread.h>
#include <poll.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <inttypes.h>

enum {
    MSG_ADD = 1,            //  counter: add the int payload
    MSG_GET,                //  counter: reply with the count
    MSG_STOP,               //  return ACT_STOP
    MSG_CHAIN,              //  reentry: tell yourself n - 1
    MSG_BOUNCE,             //  peer: reply MSG_NOOP
    MSG_NOOP,               //  nothing
    MSG_GO,                 //  do your thing
    MSG_BUSY,               //  stay busy until the test says
    MSG_CANCEL,             //  cancel your timer
    MSG_RESULT,             //  a worker's result
    MSG_UNWATCH             //  unwatch your socket
};

//  A log of checks that failed on the loop thread
static char s_fail_log [4096];
static atomic_int s_fails;

#define LOOP_CHECK(cond) do {                                               \
    if (!(cond)) {                                                          \
        atomic_fetch_add (&s_fails, 1);                                     \
        size_t used_ = strlen (s_fail_log);                                 \
        snprintf (s_fail_log + used_, sizeof s_fail_log - used_,            \
                  "line %d: %s (errno %d); ", __LINE__, #cond, errno);      \
    }                                                                       \
} while (0)

//  rc must be -1 (or NULL) with errno err
#define LOOP_CHECK_FAILS(expr, err) do {                                    \
    errno = 0;                                                              \
    bool failed_ = (expr);                                                  \
    int errno_ = errno;                                                     \
    LOOP_CHECK (failed_ && errno_ == (err));                                \
} while (0)

#define ASSERT_NO_LOOP_FAILS() \
    cr_assert_eq (atomic_load (&s_fails), 0, "checks failed on the loop: %s", s_fail_log)

static int
s_int_of (act_msg_t *msg)
{
    int value = 0;
    if (act_msg_size (msg) == sizeof value) {
        memcpy (&value, act_msg_data (msg), sizeof value);
    }
    return value;
}

static act_msg_t *
s_int_msg (uint32_t type, int value)
{
    return act_msg_new_data (type, &value, sizeof value);
}

static void
s_tell_int (act_ref_t *to, uint32_t type, int value)
{
    act_msg_t *msg = s_int_msg (type, value);
    cr_assert_eq (act_tell (to, &msg), 0, "tell: %s", strerror (errno));
}

//  --------------------------------------------------------------------------
//  counter: the example

typedef struct {
    int count;                  //  sum of MSG_ADD payloads
} counter_t;

static int
s_counter_setup (act_t *self, void *args)
{
    counter_t *state = act_state (self);
    state->count = args ? *(int *) args : 0;
    return ACT_OK;
}

static int
s_counter_handle (act_t *self, act_msg_t *msg)
{
    counter_t *state = act_state (self);
    switch (act_msg_type (msg)) {
        case MSG_ADD:
            state->count += s_int_of (msg);
            return ACT_OK;
        case MSG_GET: {
            act_msg_t *reply = s_int_msg (MSG_GET, state->count);
            return act_reply (msg, &reply);
        }
        case MSG_STOP:
            return ACT_STOP;
        default:
            return ACT_UNHANDLED;
    }
}

static const act_class_t s_counter = {
    .name = "counter", .state_size = sizeof (counter_t),
    .setup = s_counter_setup, .handle = s_counter_handle
};

//  The first test is the example: an actor with private state, told three
//  times and asked once, then stopped.
Test (actor, counter_example, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    int start = 100;
    act_ref_t *counter = act_spawn (system, &s_counter, &start);
    cr_assert_not_null (counter);

    s_tell_int (counter, MSG_ADD, 1);
    s_tell_int (counter, MSG_ADD, 2);
    s_tell_int (counter, MSG_ADD, 3);
    act_msg_t *msg = act_msg_new (MSG_GET);
    act_msg_t *reply = act_ask (counter, &msg, 2000);
    cr_assert_not_null (reply);
    cr_assert_eq (s_int_of (reply), 106);
    act_msg_destroy (&reply);

    msg = act_msg_new (MSG_STOP);
    cr_assert_eq (act_tell (counter, &msg), 0);
    act_exit_t why;
    cr_assert_eq (act_ref_wait (counter, 5000, &why), 0);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    ACT_ASSERT_EVENTUALLY (act_system_actors (system) == 0, 2000);

    act_ref_destroy (&counter);
    act_system_destroy (&system);
}

//  A handler may destroy the message it was handed, or forward it to be
//  destroyed by another actor: the loop frees it exactly once either way
//  (a double free is an ASan failure; the slab cache would hand the
//  block out twice). consumer keeps the odd numbers and forwards the even
//  ones to the counter it was given.
typedef struct {
    int count;                  //  sum of the odd MSG_ADD payloads
    act_ref_t *sink;            //  where the even ones go (borrowed)
} consumer_t;

static int
s_consumer_setup (act_t *self, void *args)
{
    ((consumer_t *) act_state (self))->sink = args;
    return ACT_OK;
}

static int
s_consumer_handle (act_t *self, act_msg_t *msg)
{
    consumer_t *state = act_state (self);
    if (act_msg_type (msg) != MSG_ADD) {
        act_msg_t *reply = s_int_msg (MSG_GET, state->count);
        return act_reply (msg, &reply);
    }
    int value = s_int_of (msg);
    if (value % 2 == 0) {
        return act_tell (state->sink, &msg);
    }
    state->count += value;
    act_msg_destroy (&msg);
    return ACT_OK;
}

static const act_class_t s_consumer = {
    .name = "consumer", .state_size = sizeof (consumer_t),
    .setup = s_consumer_setup, .handle = s_consumer_handle
};

static int
s_ask_int (act_ref_t *to)
{
    act_msg_t *msg = act_msg_new (MSG_GET);
    act_msg_t *reply = act_ask (to, &msg, 2000);
    cr_assert_not_null (reply);
    int value = s_int_of (reply);
    act_msg_destroy (&reply);
    return value;
}

Test (actor, handler_destroys_its_message, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    act_ref_t *sink = act_spawn (system, &s_counter, NULL);
    act_ref_t *consumer = act_spawn (system, &s_consumer, sink);
    cr_assert (sink && consumer);
    for (int i = 1; i <= 100; i++) {
        s_tell_int (consumer, MSG_ADD, i);
    }
    cr_assert_eq (s_ask_int (consumer), 2500);
    cr_assert_eq (s_ask_int (sink), 2550);
    act_ref_destroy (&consumer);
    act_ref_destroy (&sink);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  state, self and parent

static atomic_int s_state_zeroed;
static atomic_int s_state_null;
static atomic_int s_top_parent_null;
static atomic_int s_self_alive;

static int
s_big_setup (act_t *self, void *args)
{
    (void) args;
    unsigned char *state = act_state (self);
    int zeroed = state != NULL;
    for (int i = 0; zeroed && i < 65536; i++) {
        zeroed = state [i] == 0;
    }
    memset (state, 0xFF, 65536);    //  ASan sees a short allocation
    atomic_store (&s_state_zeroed, zeroed);
    atomic_store (&s_top_parent_null, act_parent (self) == NULL);
    atomic_store (&s_self_alive, act_ref_alive (act_self (self)));
    return ACT_STOP;
}

static const act_class_t s_big = {
    .name = "big", .state_size = 65536, .setup = s_big_setup
};

static int
s_stateless_setup (act_t *self, void *args)
{
    (void) args;
    atomic_store (&s_state_null, act_state (self) == NULL);
    return ACT_STOP;
}

static const act_class_t s_stateless = {
    .name = "stateless", .setup = s_stateless_setup
};

Test (actor, state_is_zeroed_and_self_is_alive, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    act_ref_t *big = act_spawn (system, &s_big, NULL);
    act_ref_t *stateless = act_spawn (system, &s_stateless, NULL);
    cr_assert_eq (act_ref_wait (big, 5000, NULL), 0);
    cr_assert_eq (act_ref_wait (stateless, 5000, NULL), 0);
    cr_assert (atomic_load (&s_state_zeroed));
    cr_assert (atomic_load (&s_state_null));
    cr_assert (atomic_load (&s_top_parent_null));
    cr_assert (atomic_load (&s_self_alive));
    act_ref_destroy (&big);
    act_ref_destroy (&stateless);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  no re-entry: every callback of one actor counts its depth

typedef struct {
    int depth;                  //  callbacks of this actor now running
    act_ref_t *peer;            //  owned
    bool started;               //  timer and child started
} reentry_t;

static atomic_int s_max_depth;
static atomic_int s_handled;
static atomic_int s_ticks;
static atomic_int s_nudger_stopped;

static void
s_enter (reentry_t *state)
{
    state->depth++;
    if (state->depth > atomic_load (&s_max_depth)) {
        atomic_store (&s_max_depth, state->depth);
    }
}

static int
s_nudger_setup (act_t *self, void *args)
{
    (void) args;
    //  Runs inside the parent's handler: the parent must not run now
    act_msg_t *msg = act_msg_new (MSG_NOOP);
    act_tell (act_parent (self), &msg);
    return ACT_STOP;
}

static const act_class_t s_nudger = { .name = "nudger", .setup = s_nudger_setup };

static int
s_reentry_tick (act_t *self, int timer_id, void *arg)
{
    (void) timer_id; (void) arg;
    reentry_t *state = act_state (self);
    s_enter (state);
    act_msg_t *msg = act_msg_new (MSG_NOOP);
    act_tell (state->peer, &msg);
    atomic_fetch_add (&s_ticks, 1);
    state->depth--;
    return ACT_OK;
}

static int
s_reentry_setup (act_t *self, void *args)
{
    reentry_t *state = act_state (self);
    state->peer = act_ref_dup ((act_ref_t *) args);
    return ACT_OK;
}

static int
s_reentry_handle (act_t *self, act_msg_t *msg)
{
    reentry_t *state = act_state (self);
    int rc = ACT_OK;
    s_enter (state);
    if (act_msg_type (msg) == MSG_CHAIN) {
        int n = s_int_of (msg);
        if (!state->started) {
            state->started = true;
            act_every (self, 1, s_reentry_tick, NULL);
            act_spawn_child (self, &s_nudger, NULL);
        }
        if (n > 0) {
            act_msg_t *next = s_int_msg (MSG_CHAIN, n - 1);
            act_tell (act_self (self), &next);
            act_msg_t *bounce = act_msg_new (MSG_BOUNCE);
            act_tell (state->peer, &bounce);
        }
    }
    else
    if (act_msg_type (msg) == MSG_STOP) {
        rc = ACT_STOP;
    }
    atomic_fetch_add (&s_handled, 1);
    state->depth--;
    return rc;
}

static void
s_reentry_child_stopped (act_t *self, act_ref_t *child, const act_exit_t *why)
{
    (void) child; (void) why;
    reentry_t *state = act_state (self);
    s_enter (state);
    atomic_fetch_add (&s_nudger_stopped, 1);
    state->depth--;
}

static void
s_reentry_teardown (act_t *self)
{
    reentry_t *state = act_state (self);
    s_enter (state);
    act_ref_destroy (&state->peer);
    state->depth--;
}

static const act_class_t s_reentry = {
    .name = "reentry", .state_size = sizeof (reentry_t),
    .setup = s_reentry_setup, .handle = s_reentry_handle,
    .child_stopped = s_reentry_child_stopped, .teardown = s_reentry_teardown
};

static int
s_peer_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) == MSG_BOUNCE) {
        act_msg_t *reply = act_msg_new (MSG_NOOP);
        act_reply (msg, &reply);
    }
    return ACT_OK;
}

static const act_class_t s_peer = { .name = "peer", .handle = s_peer_handle };

Test (actor, never_reentered, .timeout = 20)
{
    act_system_t *system = act_test_system ();
    act_ref_t *peer = act_spawn (system, &s_peer, NULL);
    act_ref_t *actor = act_spawn (system, &s_reentry, peer);

    //  A chain of 1,000 tells to itself, each bouncing off a peer, a child
    //  that tells it from inside its handler, a 1 ms timer, and 1,000 tells
    //  from this thread at the same time
    s_tell_int (actor, MSG_CHAIN, 1000);
    for (int i = 0; i < 1000; i++) {
        s_tell_int (actor, MSG_NOOP, 0);
    }
    //  1,001 chain + 1,000 bounced back + 1 from the child + 1,000 from here
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_handled) == 3002, 10000);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_ticks) >= 3, 5000);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_nudger_stopped) == 1, 5000);
    s_tell_int (actor, MSG_STOP, 0);
    cr_assert_eq (act_ref_wait (actor, 5000, NULL), 0);
    cr_assert_eq (atomic_load (&s_max_depth), 1, "a callback ran inside another");

    act_ref_destroy (&actor);
    act_ref_destroy (&peer);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  node: one class family for stopping, teardown and children tests. What
//  node id does is in s_plan [id]; the test fills the plan, then spawns.

typedef enum {
    HOW_NEVER = 0,              //  lives until told MSG_STOP or stopped
    HOW_SETUP_STOP,             //  setup returns ACT_STOP
    HOW_SETUP_FAIL,             //  setup returns -1
    HOW_SETUP_ACT_STOP,         //  setup calls act_stop (self, 7), returns ACT_OK
    HOW_HANDLE_STOP,            //  MSG_GO: return ACT_STOP
    HOW_HANDLE_FAIL,            //  MSG_GO: return -1
    HOW_HANDLE_NEGATIVE,        //  MSG_GO: return -5
    HOW_HANDLE_UNHANDLED,       //  MSG_GO: return ACT_UNHANDLED
    HOW_HANDLE_ACT_STOP,        //  MSG_GO: act_stop (self, 42) twice, return ACT_STOP
    HOW_HANDLE_ACT_STOP_0       //  MSG_GO: act_stop (self, 0), return ACT_OK
} how_t;

#define MAX_IDS 32
#define MAX_STOPS 32

typedef struct {
    const act_class_t *cls;     //  the class to spawn this node with
    how_t how;                  //  what it does
    int kids [4];               //  ids of its children, spawned in setup
    int nkids;
} plan_t;

static plan_t s_plan [MAX_IDS];
static atomic_int s_handles [MAX_IDS];          //  messages handled
static atomic_int s_teardowns [MAX_IDS];        //  teardowns run
static atomic_int s_teardown_seq [MAX_IDS];     //  when, in s_seq order
static atomic_int s_setup_ran [MAX_IDS];
static atomic_int s_setup_before_return;        //  children whose setup ran in spawn
static act_ref_t *s_refs [MAX_IDS];             //  dups of children's refs
static atomic_int s_seq;
static atomic_int s_stops;                      //  child_stopped calls
static act_exit_t s_stop_why [MAX_STOPS];       //  what each saw
static atomic_int s_stop_seq [MAX_STOPS];       //  when, in s_seq order
static atomic_int s_stop_by [MAX_STOPS];        //  which parent

typedef struct {
    int id;
} node_t;

static int
s_node_setup (act_t *self, void *args)
{
    node_t *state = act_state (self);
    state->id = (int) (intptr_t) args;
    plan_t *plan = &s_plan [state->id];
    atomic_store (&s_setup_ran [state->id], 1);
    for (int i = 0; i < plan->nkids; i++) {
        int kid = plan->kids [i];
        act_ref_t *child = act_spawn_child (self, s_plan [kid].cls, (void *) (intptr_t) kid);
        LOOP_CHECK (child != NULL);
        //  Stored before the counter the test waits on, which publishes it
        s_refs [kid] = act_ref_dup (child);
        if (atomic_load (&s_setup_ran [kid])) {
            atomic_fetch_add (&s_setup_before_return, 1);
        }
    }
    if (act_parent (self)) {
        //  Children greet their parent through act_parent
        act_msg_t *hello = act_msg_new (MSG_NOOP);
        LOOP_CHECK (act_tell (act_parent (self), &hello) == 0);
    }
    switch (plan->how) {
        case HOW_SETUP_STOP:
            return ACT_STOP;
        case HOW_SETUP_FAIL:
            return -1;
        case HOW_SETUP_ACT_STOP:
            act_stop (self, 7);
            return ACT_OK;
        default:
            return ACT_OK;
    }
}

static int
s_node_handle (act_t *self, act_msg_t *msg)
{
    node_t *state = act_state (self);
    atomic_fetch_add (&s_handles [state->id], 1);
    if (act_msg_type (msg) == MSG_STOP) {
        return ACT_STOP;
    }
    if (act_msg_type (msg) == MSG_GET) {
        act_msg_t *reply = s_int_msg (MSG_GET, state->id);
        return act_reply (msg, &reply);
    }
    if (act_msg_type (msg) != MSG_GO) {
        return ACT_OK;
    }
    switch (s_plan [state->id].how) {
        case HOW_HANDLE_STOP:
            return ACT_STOP;
        case HOW_HANDLE_FAIL:
            return -1;
        case HOW_HANDLE_NEGATIVE:
            return -5;
        case HOW_HANDLE_UNHANDLED:
            return ACT_UNHANDLED;
        case HOW_HANDLE_ACT_STOP:
            act_stop (self, 42);
            act_stop (self, 42);
            return ACT_STOP;
        case HOW_HANDLE_ACT_STOP_0:
            act_stop (self, 0);
            return ACT_OK;
        default:
            return ACT_OK;
    }
}

static void
s_node_child_stopped (act_t *self, act_ref_t *child, const act_exit_t *why)
{
    node_t *state = act_state (self);
    LOOP_CHECK (child != NULL);
    LOOP_CHECK (why != NULL);
    int index = atomic_load (&s_stops);
    if (index < MAX_STOPS && why) {
        s_stop_why [index] = *why;
        s_stop_by [index] = state->id;
        s_stop_seq [index] = atomic_fetch_add (&s_seq, 1) + 1;
    }
    atomic_fetch_add (&s_stops, 1);
}

static void
s_node_teardown (act_t *self)
{
    node_t *state = act_state (self);
    //  A stopping actor cannot have children
    LOOP_CHECK_FAILS (act_spawn_child (self, s_plan [state->id].cls,
                                       (void *) (intptr_t) (MAX_IDS - 1)) == NULL, ECANCELED);
    atomic_fetch_add (&s_teardowns [state->id], 1);
    atomic_store (&s_teardown_seq [state->id], atomic_fetch_add (&s_seq, 1) + 1);
}

//  keeper handles child_stopped; boss does not, so its failed children
//  escalate to it
static const act_class_t s_keeper = {
    .name = "keeper", .state_size = sizeof (node_t), .setup = s_node_setup,
    .handle = s_node_handle, .child_stopped = s_node_child_stopped,
    .teardown = s_node_teardown
};
static const act_class_t s_boss = {
    .name = "boss", .state_size = sizeof (node_t), .setup = s_node_setup,
    .handle = s_node_handle, .teardown = s_node_teardown
};

static void
s_plan_node (int id, const act_class_t *cls, how_t how, int nkids, ...)
{
    s_plan [id].cls = cls;
    s_plan [id].how = how;
    s_plan [id].nkids = nkids;
    va_list ap;
    va_start (ap, nkids);
    for (int i = 0; i < nkids; i++) {
        s_plan [id].kids [i] = va_arg (ap, int);
    }
    va_end (ap);
}

static act_ref_t *
s_spawn_node (act_system_t *system, int id)
{
    act_ref_t *ref = act_spawn (system, s_plan [id].cls, (void *) (intptr_t) id);
    cr_assert_not_null (ref);
    return ref;
}

static act_exit_t
s_wait (act_ref_t *ref)
{
    act_exit_t why = { ACT_EXIT_NORMAL, -12345 };
    cr_assert_eq (act_ref_wait (ref, 5000, &why), 0, "act_ref_wait: %s", strerror (errno));
    return why;
}

static void
s_drop_refs (void)
{
    for (int i = 0; i < MAX_IDS; i++) {
        act_ref_destroy (&s_refs [i]);
    }
}

//  Did some child_stopped of parent see (kind, code)? code -1: any.
static bool
s_stop_seen (int parent, act_exit_kind_t kind, int code)
{
    int count = atomic_load (&s_stops);
    for (int i = 0; i < count && i < MAX_STOPS; i++) {
        if (s_stop_by [i] == parent && s_stop_why [i].kind == kind
        && (code == -1 || s_stop_why [i].code == code)) {
            return true;
        }
    }
    return false;
}

//  --------------------------------------------------------------------------
//  stopping: from setup, from handle, with act_stop; teardown exactly once

Test (actor, stop_from_setup, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    s_plan_node (0, &s_boss, HOW_SETUP_STOP, 0);
    s_plan_node (1, &s_boss, HOW_SETUP_FAIL, 0);
    s_plan_node (2, &s_boss, HOW_SETUP_ACT_STOP, 0);
    act_ref_t *refs [3];
    for (int i = 0; i < 3; i++) {
        refs [i] = s_spawn_node (system, i);
        //  Told before setup ran: it waits, then goes to dead letters
        act_msg_t *msg = act_msg_new (MSG_NOOP);
        int rc = act_tell (refs [i], &msg);
        cr_assert (rc == 0 || errno == ESRCH);
    }
    act_exit_t why = s_wait (refs [0]);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    cr_assert_eq (why.code, 0);
    why = s_wait (refs [1]);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    why = s_wait (refs [2]);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    cr_assert_eq (why.code, 7);

    ACT_ASSERT_EVENTUALLY (act_system_dead_letters (system) == 3, 2000);
    ACT_ASSERT_EVENTUALLY (act_system_actors (system) == 0, 2000);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq (atomic_load (&s_handles [i]), 0, "actor %d handled a message", i);
        cr_assert_eq (atomic_load (&s_teardowns [i]), 1, "actor %d teardowns", i);
        act_msg_t *msg = act_msg_new (MSG_NOOP);
        errno = 0;
        cr_assert_eq (act_tell (refs [i], &msg), -1);
        cr_assert_eq (errno, ESRCH);
        act_ref_destroy (&refs [i]);
    }
    act_system_destroy (&system);
    ASSERT_NO_LOOP_FAILS ();
}

Test (actor, stop_from_handle_reasons, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    struct {
        how_t how;
        act_exit_kind_t kind;
        int code;               //  -1: any
    } cases [] = {
        { HOW_HANDLE_STOP,       ACT_EXIT_NORMAL,    0 },
        { HOW_HANDLE_FAIL,       ACT_EXIT_ERROR,    -1 },
        { HOW_HANDLE_NEGATIVE,   ACT_EXIT_ERROR,    -1 },
        { HOW_HANDLE_UNHANDLED,  ACT_EXIT_UNHANDLED, MSG_GO },
        { HOW_HANDLE_ACT_STOP,   ACT_EXIT_ERROR,    42 },
        { HOW_HANDLE_ACT_STOP_0, ACT_EXIT_NORMAL,    0 },
    };
    int count = sizeof cases / sizeof cases [0];
    act_ref_t *refs [8];
    for (int i = 0; i < count; i++) {
        s_plan_node (i, &s_boss, cases [i].how, 0);
        refs [i] = s_spawn_node (system, i);
        //  The second message is never handled: the first one stops the actor
        act_msg_t *msg = act_msg_new (MSG_GO);
        cr_assert_eq (act_tell (refs [i], &msg), 0);
        msg = act_msg_new (MSG_GO);
        int rc = act_tell (refs [i], &msg);
        cr_assert (rc == 0 || errno == ESRCH);
    }
    for (int i = 0; i < count; i++) {
        act_exit_t why = s_wait (refs [i]);
        cr_assert_eq (why.kind, cases [i].kind, "case %d: kind %s", i,
                      act_exit_kind_name (why.kind));
        if (cases [i].code != -1) {
            cr_assert_eq (why.code, cases [i].code, "case %d: code %d", i, why.code);
        }
        cr_assert_eq (act_exit_failed (&why), cases [i].kind != ACT_EXIT_NORMAL);
        cr_assert_eq (atomic_load (&s_handles [i]), 1, "case %d: handled", i);
        cr_assert_eq (atomic_load (&s_teardowns [i]), 1, "case %d: teardowns", i);
        act_ref_destroy (&refs [i]);
    }
    act_system_destroy (&system);
    ASSERT_NO_LOOP_FAILS ();
}

//  A failing handle's code is the errno it set, or else what it returned:
//  never an errno left over from an earlier callback. MSG_GO fails with
//  EPIPE, MSG_NOOP leaves EIO behind and goes on, MSG_STOP returns -7.
static int
s_errno_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) == MSG_GO) {
        errno = EPIPE;
        return -1;
    }
    if (act_msg_type (msg) == MSG_NOOP) {
        errno = EIO;
        return ACT_OK;
    }
    return -7;
}

static const act_class_t s_errno_class = { .name = "errno", .handle = s_errno_handle };

Test (actor, error_code_is_the_callbacks_errno_or_its_return, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    act_ref_t *by_errno = act_spawn (system, &s_errno_class, NULL);
    act_ref_t *by_value = act_spawn (system, &s_errno_class, NULL);
    s_tell_int (by_errno, MSG_GO, 0);
    s_tell_int (by_value, MSG_NOOP, 0);
    s_tell_int (by_value, MSG_STOP, 0);
    act_exit_t why = s_wait (by_errno);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    cr_assert_eq (why.code, EPIPE, "code %d, not EPIPE", why.code);
    why = s_wait (by_value);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    cr_assert_eq (why.code, -7, "code %d, not the -7 returned", why.code);
    act_ref_destroy (&by_errno);
    act_ref_destroy (&by_value);
    act_system_destroy (&system);
}

static const act_class_t s_no_handle = { .name = "no-handle" };

Test (actor, null_handle_is_unhandled, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    act_ref_t *actor = act_spawn (system, &s_no_handle, NULL);
    act_msg_t *msg = act_msg_new (1234);
    cr_assert_eq (act_tell (actor, &msg), 0);
    act_exit_t why = s_wait (actor);
    cr_assert_eq (why.kind, ACT_EXIT_UNHANDLED);
    cr_assert_eq (why.code, 1234);
    act_ref_destroy (&actor);
    act_system_destroy (&system);
}

//  Tells a victim a stop and then 50 more in one handler: the victim cannot
//  run in between, so the 50 are in its mailbox when it stops
static int
s_flooder_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    act_ref_t *victim = *(act_ref_t **) act_msg_data (msg);
    act_msg_t *stop = act_msg_new (MSG_STOP);
    act_tell (victim, &stop);
    for (int i = 0; i < 50; i++) {
        act_msg_t *more = act_msg_new (MSG_NOOP);
        act_tell (victim, &more);
    }
    return ACT_OK;
}

static const act_class_t s_flooder = { .name = "flooder", .handle = s_flooder_handle };

Test (actor, mailbox_left_at_stop_is_dead_letters, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    s_plan_node (0, &s_boss, HOW_NEVER, 0);
    act_ref_t *victim = s_spawn_node (system, 0);
    act_ref_t *flooder = act_spawn (system, &s_flooder, NULL);
    act_msg_t *msg = act_msg_new_data (MSG_GO, &victim, sizeof victim);
    cr_assert_eq (act_tell (flooder, &msg), 0);

    act_exit_t why = s_wait (victim);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    ACT_ASSERT_EVENTUALLY (act_system_dead_letters (system) == 50, 2000);
    cr_assert_eq (atomic_load (&s_handles [0]), 1);
    cr_assert_eq (atomic_load (&s_teardowns [0]), 1);

    act_ref_destroy (&flooder);
    act_ref_destroy (&victim);
    act_system_destroy (&system);
}

Test (actor, teardown_once_on_system_destroy, .timeout = 15)
{
    act_system_t *system = act_test_system ();
    act_ref_t *refs [10];
    for (int i = 0; i < 10; i++) {
        s_plan_node (i, &s_boss, HOW_NEVER, 0);
        refs [i] = s_spawn_node (system, i);
        s_tell_int (refs [i], MSG_NOOP, 0);
    }
    ACT_ASSERT_EVENTUALLY (act_system_delivered (system) >= 10, 5000);
    act_system_destroy (&system);
    for (int i = 0; i < 10; i++) {
        cr_assert_eq (atomic_load (&s_teardowns [i]), 1, "actor %d", i);
        act_exit_t why;
        cr_assert_eq (act_ref_wait (refs [i], 0, &why), 0);
        cr_assert_eq (why.kind, ACT_EXIT_SHUTDOWN);
        act_ref_destroy (&refs [i]);
    }
    ASSERT_NO_LOOP_FAILS ();
}

//  --------------------------------------------------------------------------
//  children

//  0 has children 1 and 2; 1 has child 3
static void
s_plan_family (void)
{
    s_plan_node (0, &s_keeper, HOW_NEVER, 2, 1, 2);
    s_plan_node (1, &s_keeper, HOW_NEVER, 1, 3);
    s_plan_node (2, &s_boss, HOW_NEVER, 0);
    s_plan_node (3, &s_boss, HOW_NEVER, 0);
}

static void
s_assert_family_order (void)
{
    for (int i = 0; i < 4; i++) {
        cr_assert_eq (atomic_load (&s_teardowns [i]), 1, "node %d teardowns", i);
    }
    //  Children first, then the parent
    cr_assert_lt (atomic_load (&s_teardown_seq [3]), atomic_load (&s_teardown_seq [1]));
    cr_assert_lt (atomic_load (&s_teardown_seq [1]), atomic_load (&s_teardown_seq [0]));
    cr_assert_lt (atomic_load (&s_teardown_seq [2]), atomic_load (&s_teardown_seq [0]));
    for (int i = 1; i < 4; i++) {
        act_exit_t why = s_wait (s_refs [i]);
        cr_assert_eq (why.kind, ACT_EXIT_SHUTDOWN, "node %d: %s", i,
                      act_exit_kind_name (why.kind));
    }
}

Test (actor, children_stop_before_parent, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    s_plan_family ();
    act_ref_t *root = s_spawn_node (system, 0);
    //  Each child's setup ran inside act_spawn_child, and greeted its parent
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_handles [0]) == 2
                        && atomic_load (&s_handles [1]) == 1, 5000);
    cr_assert_eq (atomic_load (&s_setup_before_return), 3);
    cr_assert_eq (act_system_actors (system), 4);
    for (int i = 1; i < 4; i++) {
        cr_assert (act_ref_alive (s_refs [i]));
    }

    s_tell_int (root, MSG_STOP, 0);
    act_exit_t why = s_wait (root);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    s_assert_family_order ();

    //  The stopping parents heard their children stop, with the reason
    //  "parent stopping", before their own teardown
    cr_assert (s_stop_seen (0, ACT_EXIT_SHUTDOWN, -1));
    cr_assert (s_stop_seen (1, ACT_EXIT_SHUTDOWN, -1));
    int stops = atomic_load (&s_stops);
    cr_assert_eq (stops, 3);
    for (int i = 0; i < stops; i++) {
        cr_assert_lt (s_stop_seq [i], atomic_load (&s_teardown_seq [s_stop_by [i]]));
    }
    ACT_ASSERT_EVENTUALLY (act_system_actors (system) == 0, 2000);

    act_ref_destroy (&root);
    s_drop_refs ();
    act_system_destroy (&system);
    ASSERT_NO_LOOP_FAILS ();
}

Test (actor, children_stop_before_parent_on_system_destroy, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    s_plan_family ();
    act_ref_t *root = s_spawn_node (system, 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_handles [0]) == 2
                        && atomic_load (&s_handles [1]) == 1, 5000);
    act_system_destroy (&system);
    act_exit_t why = s_wait (root);
    cr_assert_eq (why.kind, ACT_EXIT_SHUTDOWN);
    s_assert_family_order ();
    act_ref_destroy (&root);
    s_drop_refs ();
    ASSERT_NO_LOOP_FAILS ();
}

Test (actor, child_stopped_reasons, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    s_plan_node (0, &s_keeper, HOW_NEVER, 4, 1, 2, 3, 4);
    s_plan_node (1, &s_boss, HOW_HANDLE_STOP, 0);
    s_plan_node (2, &s_boss, HOW_HANDLE_ACT_STOP, 0);
    s_plan_node (3, &s_boss, HOW_HANDLE_UNHANDLED, 0);
    s_plan_node (4, &s_boss, HOW_NEVER, 0);
    act_ref_t *root = s_spawn_node (system, 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_setup_before_return) == 4, 5000);

    for (int i = 1; i <= 3; i++) {
        s_tell_int (s_refs [i], MSG_GO, 0);
    }
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_stops) == 3, 5000);
    cr_assert (s_stop_seen (0, ACT_EXIT_NORMAL, 0), "normal stop not seen");
    cr_assert (s_stop_seen (0, ACT_EXIT_ERROR, 42), "error 42 not seen");
    cr_assert (s_stop_seen (0, ACT_EXIT_UNHANDLED, MSG_GO), "unhandled not seen");
    //  A parent that handles child_stopped lives on
    act_msg_t *msg = act_msg_new (MSG_GET);
    act_msg_t *reply = act_ask (root, &msg, 2000);
    cr_assert_not_null (reply);
    act_msg_destroy (&reply);
    cr_assert (act_ref_alive (s_refs [4]));

    //  When the parent stops, the last child stops with "shutdown"
    s_tell_int (root, MSG_STOP, 0);
    act_exit_t why = s_wait (root);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    cr_assert_eq (atomic_load (&s_stops), 4);
    cr_assert (s_stop_seen (0, ACT_EXIT_SHUTDOWN, -1));
    why = s_wait (s_refs [4]);
    cr_assert_eq (why.kind, ACT_EXIT_SHUTDOWN);

    act_ref_destroy (&root);
    s_drop_refs ();
    act_system_destroy (&system);
    ASSERT_NO_LOOP_FAILS ();
}

Test (actor, failed_child_escalates_by_default, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    //  0 (no child_stopped) has children 1 (fails with 42) and 2 (idle)
    s_plan_node (0, &s_boss, HOW_NEVER, 2, 1, 2);
    s_plan_node (1, &s_boss, HOW_HANDLE_ACT_STOP, 0);
    s_plan_node (2, &s_boss, HOW_NEVER, 0);
    act_ref_t *root = s_spawn_node (system, 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_setup_before_return) == 2, 5000);

    s_tell_int (s_refs [1], MSG_GO, 0);
    act_exit_t why = s_wait (root);
    cr_assert_eq (why.kind, ACT_EXIT_ESCALATED, "root: %s", act_exit_kind_name (why.kind));
    cr_assert_eq (why.code, 42);
    cr_assert (act_exit_failed (&why));
    why = s_wait (s_refs [1]);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    cr_assert_eq (why.code, 42);
    //  The sibling went down with the parent
    why = s_wait (s_refs [2]);
    cr_assert_eq (why.kind, ACT_EXIT_SHUTDOWN);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq (atomic_load (&s_teardowns [i]), 1, "node %d", i);
    }
    cr_assert_lt (atomic_load (&s_teardown_seq [2]), atomic_load (&s_teardown_seq [0]));
    ACT_ASSERT_EVENTUALLY (act_system_actors (system) == 0, 2000);

    act_ref_destroy (&root);
    s_drop_refs ();
    act_system_destroy (&system);
    ASSERT_NO_LOOP_FAILS ();
}

Test (actor, escalation_climbs_the_tree, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    //  0 -> 1 -> {2 unhandled, 3 idle}; neither 0 nor 1 handles child_stopped
    s_plan_node (0, &s_boss, HOW_NEVER, 1, 1);
    s_plan_node (1, &s_boss, HOW_NEVER, 2, 2, 3);
    s_plan_node (2, &s_boss, HOW_HANDLE_UNHANDLED, 0);
    s_plan_node (3, &s_boss, HOW_NEVER, 0);
    act_ref_t *root = s_spawn_node (system, 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_setup_before_return) == 3, 5000);

    s_tell_int (s_refs [2], MSG_GO, 0);
    act_exit_t why = s_wait (root);
    cr_assert_eq (why.kind, ACT_EXIT_ESCALATED, "root: %s", act_exit_kind_name (why.kind));
    why = s_wait (s_refs [1]);
    cr_assert_eq (why.kind, ACT_EXIT_ESCALATED);
    cr_assert_eq (why.code, MSG_GO);
    why = s_wait (s_refs [3]);
    cr_assert_eq (why.kind, ACT_EXIT_SHUTDOWN);
    ACT_ASSERT_EVENTUALLY (act_system_actors (system) == 0, 2000);

    act_ref_destroy (&root);
    s_drop_refs ();
    act_system_destroy (&system);
    ASSERT_NO_LOOP_FAILS ();
}

Test (actor, parent_with_child_stopped_survives_failure, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    s_plan_node (0, &s_keeper, HOW_NEVER, 2, 1, 2);
    s_plan_node (1, &s_boss, HOW_HANDLE_FAIL, 0);
    s_plan_node (2, &s_boss, HOW_NEVER, 0);
    act_ref_t *root = s_spawn_node (system, 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_setup_before_return) == 2, 5000);

    s_tell_int (s_refs [1], MSG_GO, 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_stops) == 1, 5000);
    cr_assert (s_stop_seen (0, ACT_EXIT_ERROR, -1));
    act_msg_t *msg = act_msg_new (MSG_GET);
    act_msg_t *reply = act_ask (root, &msg, 2000);
    cr_assert_not_null (reply, "parent gone: %s", strerror (errno));
    act_msg_destroy (&reply);
    cr_assert (act_ref_alive (s_refs [2]));
    cr_assert_eq (act_system_actors (system), 2);

    act_ref_destroy (&root);
    s_drop_refs ();
    act_system_destroy (&system);
    ASSERT_NO_LOOP_FAILS ();
}

Test (actor, normal_child_stop_does_not_escalate, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    s_plan_node (0, &s_boss, HOW_NEVER, 1, 1);
    s_plan_node (1, &s_boss, HOW_HANDLE_STOP, 0);
    act_ref_t *root = s_spawn_node (system, 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_setup_before_return) == 1, 5000);
    s_tell_int (s_refs [1], MSG_GO, 0);
    act_exit_t why = s_wait (s_refs [1]);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    act_msg_t *msg = act_msg_new (MSG_GET);
    act_msg_t *reply = act_ask (root, &msg, 2000);
    cr_assert_not_null (reply, "parent gone: %s", strerror (errno));
    act_msg_destroy (&reply);
    cr_assert_eq (act_system_actors (system), 1);

    act_ref_destroy (&root);
    s_drop_refs ();
    act_system_destroy (&system);
    ASSERT_NO_LOOP_FAILS ();
}

//  --------------------------------------------------------------------------
//  bad input from inside a callback

static int
s_dummy_fd (act_t *self, int fd, void *arg)
{
    (void) self; (void) fd; (void) arg;
    return ACT_OK;
}

static int
s_dummy_sock (act_t *self, zsock_t *sock, void *arg)
{
    (void) self; (void) sock; (void) arg;
    return ACT_OK;
}

static int
s_dummy_timer (act_t *self, int timer_id, void *arg)
{
    (void) self; (void) timer_id; (void) arg;
    return ACT_OK;
}

static act_msg_t *
s_dummy_work (void *arg)
{
    (void) arg;
    return NULL;
}

static atomic_int s_bad_input_done;

static int
s_bad_setup (act_t *self, void *args)
{
    (void) args;
    int fds [2];
    LOOP_CHECK (pipe (fds) == 0);
    zsock_t *sock = zsock_new (ZMQ_PULL);
    LOOP_CHECK (sock != NULL);

    LOOP_CHECK (act_state (NULL) == NULL);
    LOOP_CHECK (act_self (NULL) == NULL);
    LOOP_CHECK (act_parent (NULL) == NULL);
    LOOP_CHECK_FAILS (act_spawn_child (NULL, &s_counter, NULL) == NULL, EINVAL);
    LOOP_CHECK_FAILS (act_spawn_child (self, NULL, NULL) == NULL, EINVAL);
    LOOP_CHECK_FAILS (act_stop (NULL, 0) == -1, EINVAL);

    LOOP_CHECK_FAILS (act_watch_fd (NULL, fds [0], s_dummy_fd, NULL) == -1, EINVAL);
    LOOP_CHECK_FAILS (act_watch_fd (self, -1, s_dummy_fd, NULL) == -1, EINVAL);
    LOOP_CHECK_FAILS (act_watch_fd (self, fds [0], NULL, NULL) == -1, EINVAL);
    LOOP_CHECK (act_watch_fd (self, fds [0], s_dummy_fd, NULL) == 0);
    LOOP_CHECK_FAILS (act_watch_fd (self, fds [0], s_dummy_fd, NULL) == -1, EEXIST);
    LOOP_CHECK (act_unwatch_fd (self, fds [0]) == 0);
    LOOP_CHECK (act_unwatch_fd (self, fds [0]) == -1);
    LOOP_CHECK (act_unwatch_fd (self, fds [1]) == -1);
    LOOP_CHECK_FAILS (act_unwatch_fd (NULL, fds [0]) == -1, EINVAL);
    LOOP_CHECK_FAILS (act_unwatch_fd (self, -1) == -1, EINVAL);
    //  Unwatched, it can be watched again
    LOOP_CHECK (act_watch_fd (self, fds [0], s_dummy_fd, NULL) == 0);

    LOOP_CHECK_FAILS (act_watch_sock (NULL, sock, s_dummy_sock, NULL) == -1, EINVAL);
    LOOP_CHECK_FAILS (act_watch_sock (self, NULL, s_dummy_sock, NULL) == -1, EINVAL);
    LOOP_CHECK_FAILS (act_watch_sock (self, sock, NULL, NULL) == -1, EINVAL);
    LOOP_CHECK (act_watch_sock (self, sock, s_dummy_sock, NULL) == 0);
    LOOP_CHECK_FAILS (act_watch_sock (self, sock, s_dummy_sock, NULL) == -1, EEXIST);
    LOOP_CHECK (act_unwatch_sock (self, sock) == 0);
    LOOP_CHECK (act_unwatch_sock (self, sock) == -1);
    LOOP_CHECK_FAILS (act_unwatch_sock (self, NULL) == -1, EINVAL);
    LOOP_CHECK_FAILS (act_unwatch_sock (NULL, sock) == -1, EINVAL);

    LOOP_CHECK_FAILS (act_after (NULL, 10, s_dummy_timer, NULL) == -1, EINVAL);
    LOOP_CHECK_FAILS (act_after (self, -1, s_dummy_timer, NULL) == -1, EINVAL);
    LOOP_CHECK_FAILS (act_after (self, 10, NULL, NULL) == -1, EINVAL);
    LOOP_CHECK_FAILS (act_every (NULL, 10, s_dummy_timer, NULL) == -1, EINVAL);
    LOOP_CHECK_FAILS (act_every (self, -1, s_dummy_timer, NULL) == -1, EINVAL);
    LOOP_CHECK_FAILS (act_every (self, 10, NULL, NULL) == -1, EINVAL);
    LOOP_CHECK_FAILS (act_cancel (self, 12345) == -1, ENOENT);
    LOOP_CHECK_FAILS (act_cancel (self, 0) == -1, ENOENT);
    LOOP_CHECK_FAILS (act_cancel (self, -1) == -1, ENOENT);
    LOOP_CHECK_FAILS (act_cancel (NULL, 1) == -1, EINVAL);
    int timer = act_after (self, 100000, s_dummy_timer, NULL);
    LOOP_CHECK (timer > 0);
    LOOP_CHECK (act_cancel (self, timer) == 0);
    LOOP_CHECK_FAILS (act_cancel (self, timer) == -1, ENOENT);

    LOOP_CHECK_FAILS (act_offload (NULL, s_dummy_work, NULL) == -1, EINVAL);
    LOOP_CHECK_FAILS (act_offload (self, NULL, NULL) == -1, EINVAL);

    //  The fd watch is left in place: stopping removes it
    zsock_destroy (&sock);
    close (fds [1]);
    atomic_store (&s_bad_input_done, 1);
    return ACT_STOP;
}

static const act_class_t s_bad = { .name = "bad", .setup = s_bad_setup };

Test (actor, bad_input, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    act_ref_t *bad = act_spawn (system, &s_bad, NULL);
    act_exit_t why = s_wait (bad);
    cr_assert (atomic_load (&s_bad_input_done));
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    //  The loop is fine
    int start = 1;
    act_ref_t *counter = act_spawn (system, &s_counter, &start);
    act_msg_t *msg = act_msg_new (MSG_GET);
    act_msg_t *reply = act_ask (counter, &msg, 2000);
    cr_assert_not_null (reply);
    act_msg_destroy (&reply);
    act_ref_destroy (&counter);
    act_ref_destroy (&bad);
    act_system_destroy (&system);
    ASSERT_NO_LOOP_FAILS ();
}

//  --------------------------------------------------------------------------
//  watched fds: never during a message handler; fair; silent fds harmless

static atomic_int s_in_handle;          //  a message handler is running
static atomic_int s_violations;         //  fd handler ran during one
static atomic_int s_fd_calls;
static atomic_int s_written;            //  rounds the test has written
static int s_pipe [2];

static int
s_watcher_fd (act_t *self, int fd, void *arg)
{
    (void) self; (void) arg;
    if (atomic_load (&s_in_handle)) {
        atomic_fetch_add (&s_violations, 1);
    }
    char byte;
    if (read (fd, &byte, 1) == 1) {
        atomic_fetch_add (&s_fd_calls, 1);
    }
    return ACT_OK;
}

static int
s_watcher_setup (act_t *self, void *args)
{
    (void) args;
    return act_watch_fd (self, s_pipe [0], s_watcher_fd, NULL) == 0 ? ACT_OK : -1;
}

static int
s_watcher_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) == MSG_STOP) {
        return ACT_STOP;
    }
    if (act_msg_type (msg) != MSG_BUSY) {
        if (atomic_load (&s_in_handle)) {
            atomic_fetch_add (&s_violations, 1);
        }
        return ACT_OK;
    }
    int round = s_int_of (msg);
    atomic_store (&s_in_handle, 1);
    //  Stay busy until the test has written this round's byte, and 10 ms
    //  more so a wrongly timed fd handler would have its chance
    int64_t deadline = act_test_now_ms () + 3000;
    while (atomic_load (&s_written) < round && act_test_now_ms () < deadline) {
        act_test_nap (0);
    }
    int64_t until = act_test_now_ms () + 10;
    while (act_test_now_ms () < until) {
        act_test_nap (0);
    }
    //  Tells made during the handler do not run the fd handler either
    act_msg_t *noop = act_msg_new (MSG_NOOP);
    act_tell (act_self (self), &noop);
    atomic_store (&s_in_handle, 0);
    return ACT_OK;
}

static const act_class_t s_watcher = {
    .name = "watcher", .setup = s_watcher_setup, .handle = s_watcher_handle
};

Test (actor, fd_handler_never_runs_during_a_message, .timeout = 20)
{
    cr_assert_eq (pipe (s_pipe), 0);
    act_system_t *system = act_test_system ();
    act_ref_t *watcher = act_spawn (system, &s_watcher, NULL);

    for (int round = 1; round <= 10; round++) {
        s_tell_int (watcher, MSG_BUSY, round);
        ACT_ASSERT_EVENTUALLY (atomic_load (&s_in_handle), 3000);
        //  The fd turns readable while the handler is busy
        cr_assert_eq (write (s_pipe [1], "x", 1), 1);
        atomic_store (&s_written, round);
        //  Its handler runs, after the message handler is done
        cr_assert (ACT_WAIT_UNTIL (atomic_load (&s_fd_calls) == round, 3000),
                   "round %d: fd handler did not run", round);
        cr_assert_eq (atomic_load (&s_violations), 0, "round %d", round);
    }
    s_tell_int (watcher, MSG_STOP, 0);
    act_exit_t why = s_wait (watcher);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);

    act_ref_destroy (&watcher);
    act_system_destroy (&system);
    close (s_pipe [0]);
    close (s_pipe [1]);
}

//  Two pipes kept readable (each read puts a byte back), a silent third
static int s_pipes [3][2];
static atomic_int s_hits [3];

static int
s_busy_fd (act_t *self, int fd, void *arg)
{
    (void) self;
    int index = (int) (intptr_t) arg;
    char byte;
    if (read (fd, &byte, 1) != 1 || write (s_pipes [index][1], &byte, 1) != 1) {
        return -1;
    }
    atomic_fetch_add (&s_hits [index], 1);
    return ACT_OK;
}

static int
s_fair_setup (act_t *self, void *args)
{
    (void) args;
    for (int i = 0; i < 3; i++) {
        if (act_watch_fd (self, s_pipes [i][0], s_busy_fd, (void *) (intptr_t) i)) {
            return -1;
        }
    }
    return ACT_OK;
}

static int
s_fair_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) == MSG_STOP) {
        return ACT_STOP;
    }
    int hits [3] = { atomic_load (&s_hits [0]), atomic_load (&s_hits [1]),
                     atomic_load (&s_hits [2]) };
    act_msg_t *reply = act_msg_new_data (MSG_GET, hits, sizeof hits);
    return act_reply (msg, &reply);
}

static const act_class_t s_fair = {
    .name = "fair", .setup = s_fair_setup, .handle = s_fair_handle
};

static void
s_ask_hits (act_ref_t *actor, int *hits)
{
    act_msg_t *msg = act_msg_new (MSG_GET);
    act_msg_t *reply = act_ask (actor, &msg, 3000);
    cr_assert_not_null (reply, "the busy actor did not answer: %s", strerror (errno));
    memcpy (hits, act_msg_data (reply), 3 * sizeof (int));
    act_msg_destroy (&reply);
}

Test (actor, busy_fds_served_fairly, .timeout = 20)
{
    for (int i = 0; i < 3; i++) {
        cr_assert_eq (pipe (s_pipes [i]), 0);
    }
    cr_assert_eq (write (s_pipes [0][1], "a", 1), 1);
    cr_assert_eq (write (s_pipes [1][1], "b", 1), 1);
    act_system_t *system = act_test_system ();
    act_ref_t *other = act_spawn (system, &s_counter, NULL);
    act_ref_t *fair = act_spawn (system, &s_fair, NULL);

    ACT_ASSERT_EVENTUALLY (atomic_load (&s_hits [0]) + atomic_load (&s_hits [1]) >= 2000, 10000);
    //  The actor still handles messages, and so does another one
    int hits [3];
    s_ask_hits (fair, hits);
    cr_assert_gt (hits [0], 0);
    cr_assert_gt (hits [1], 0);
    cr_assert_leq (hits [0], 2 * hits [1] + 10, "unfair: %d vs %d", hits [0], hits [1]);
    cr_assert_leq (hits [1], 2 * hits [0] + 10, "unfair: %d vs %d", hits [0], hits [1]);
    cr_assert_eq (hits [2], 0);
    act_msg_t *msg = act_msg_new (MSG_GET);
    act_msg_t *reply = act_ask (other, &msg, 3000);
    cr_assert_not_null (reply, "another actor starved: %s", strerror (errno));
    act_msg_destroy (&reply);

    //  Both keep going
    int later [3];
    ACT_ASSERT_EVENTUALLY ((s_ask_hits (fair, later), later [0] > hits [0] && later [1] > hits [1]), 5000);

    s_tell_int (fair, MSG_STOP, 0);
    act_exit_t why = s_wait (fair);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    act_ref_destroy (&fair);
    act_ref_destroy (&other);
    act_system_destroy (&system);
    for (int i = 0; i < 3; i++) {
        close (s_pipes [i][0]);
        close (s_pipes [i][1]);
    }
}

//  An fd handler that unwatches itself: level-triggered, the unread pipe
//  would call it again at once if the watch stayed
static atomic_int s_unwatch_calls;
static atomic_int s_unwatch_calls_at_end;

static int
s_unwatch_fd (act_t *self, int fd, void *arg)
{
    (void) arg;
    atomic_fetch_add (&s_unwatch_calls, 1);
    LOOP_CHECK (act_unwatch_fd (self, fd) == 0);
    return ACT_OK;
}

static int
s_unwatch_done (act_t *self, int timer_id, void *arg)
{
    (void) self; (void) timer_id; (void) arg;
    atomic_store (&s_unwatch_calls_at_end, atomic_load (&s_unwatch_calls));
    return ACT_STOP;
}

static int
s_unwatcher_setup (act_t *self, void *args)
{
    (void) args;
    LOOP_CHECK (act_watch_fd (self, s_pipe [0], s_unwatch_fd, NULL) == 0);
    LOOP_CHECK (act_after (self, 100, s_unwatch_done, NULL) > 0);
    return ACT_OK;
}

static const act_class_t s_unwatcher = { .name = "unwatcher", .setup = s_unwatcher_setup };

Test (actor, unwatched_fd_is_not_called, .timeout = 10)
{
    cr_assert_eq (pipe (s_pipe), 0);
    cr_assert_eq (write (s_pipe [1], "x", 1), 1);
    act_system_t *system = act_test_system ();
    act_ref_t *actor = act_spawn (system, &s_unwatcher, NULL);
    act_exit_t why = s_wait (actor);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    ASSERT_NO_LOOP_FAILS ();
    cr_assert_eq (atomic_load (&s_unwatch_calls_at_end), 1);
    act_ref_destroy (&actor);
    act_system_destroy (&system);
    close (s_pipe [0]);
    close (s_pipe [1]);
}

//  An fd handler's return value stops the actor like a message handler's
static int
s_failing_fd (act_t *self, int fd, void *arg)
{
    (void) self; (void) fd; (void) arg;
    return -1;
}

static int
s_failing_fd_setup (act_t *self, void *args)
{
    (void) args;
    return act_watch_fd (self, s_pipe [0], s_failing_fd, NULL) == 0 ? ACT_OK : -1;
}

static const act_class_t s_failing_fd_class = {
    .name = "failing-fd", .setup = s_failing_fd_setup
};

Test (actor, fd_handler_failure_stops_actor, .timeout = 10)
{
    cr_assert_eq (pipe (s_pipe), 0);
    act_system_t *system = act_test_system ();
    act_ref_t *actor = act_spawn (system, &s_failing_fd_class, NULL);
    cr_assert (act_ref_alive (actor));
    cr_assert_eq (write (s_pipe [1], "x", 1), 1);
    act_exit_t why = s_wait (actor);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    act_ref_destroy (&actor);
    act_system_destroy (&system);
    close (s_pipe [0]);
    close (s_pipe [1]);
}

//  --------------------------------------------------------------------------
//  timers, on a manual system: they fire when the test advances its
//  clock, and report to the test's probe

enum {
    MSG_ONCE = 200,             //  the one-shot fired: 1 if with its id and arg
    MSG_TICK                    //  the repeating timer fired: ticks so far
};

typedef struct {
    act_ref_t *probe;           //  where the timers report (the test's)
    bool self_cancel;           //  the repeating timer cancels itself at 5
    int once_id;
    int every_id;
    int ticks;
} timed_t;

static int
s_report (act_t *self, uint32_t type, int value)
{
    act_msg_t *msg = act_msg_new_data (type, &value, sizeof value);
    return act_tell (((timed_t *) act_state (self))->probe, &msg) == 0 ? ACT_OK : -1;
}

static int
s_once (act_t *self, int timer_id, void *arg)
{
    timed_t *state = act_state (self);
    return s_report (self, MSG_ONCE, timer_id == state->once_id && arg == state);
}

static int
s_once_setup (act_t *self, void *args)
{
    timed_t *state = act_state (self);
    state->probe = (act_ref_t *) args;
    state->once_id = act_after (self, 20, s_once, state);
    return state->once_id > 0 ? ACT_OK : -1;
}

//  Cancels the actor's timer; reports 0, or the errno of the cancel, or
//  -1 if a cancelled timer could be cancelled again.
static int
s_cancel (act_t *self, int timer_id)
{
    if (act_cancel (self, timer_id) == -1)
        return s_report (self, MSG_CANCEL, errno);
    bool gone = act_cancel (self, timer_id) == -1 && errno == ENOENT;
    return s_report (self, MSG_CANCEL, gone ? 0 : -1);
}

static int
s_tick (act_t *self, int timer_id, void *arg)
{
    (void) arg;
    timed_t *state = act_state (self);
    if (timer_id != state->every_id)
        return -1;
    state->ticks++;
    if (s_report (self, MSG_TICK, state->ticks) != ACT_OK)
        return -1;
    //  The self-cancelling variant: cancel from inside the timer's handler
    return state->ticks == 5 && state->self_cancel ? s_cancel (self, timer_id) : ACT_OK;
}

static int
s_every_setup (act_t *self, void *args)
{
    timed_t *state = act_state (self);
    state->probe = (act_ref_t *) args;
    state->every_id = act_every (self, 10, s_tick, NULL);
    return state->every_id > 0 ? ACT_OK : -1;
}

static int
s_every_self_cancel_setup (act_t *self, void *args)
{
    ((timed_t *) act_state (self))->self_cancel = true;
    return s_every_setup (self, args);
}

static int
s_timed_handle (act_t *self, act_msg_t *msg)
{
    timed_t *state = act_state (self);
    if (act_msg_type (msg) == MSG_CANCEL)
        return s_cancel (self, state->every_id ? state->every_id : state->once_id);
    return ACT_OK;
}

static const act_class_t s_once_class = {
    .name = "once", .state_size = sizeof (timed_t),
    .setup = s_once_setup, .handle = s_timed_handle
};

static const act_class_t s_every_class = {
    .name = "every", .state_size = sizeof (timed_t),
    .setup = s_every_setup, .handle = s_timed_handle
};

static const act_class_t s_every_self_cancel_class = {
    .name = "every", .state_size = sizeof (timed_t),
    .setup = s_every_self_cancel_setup, .handle = s_timed_handle
};

#define EXPECT_INT(probe, type, value) \
    act_expect_data ((probe), (type), &(int) { (value) }, sizeof (int), 0)

//  A timed actor on a manual system, reporting to a probe.
typedef struct {
    act_system_t *system;
    act_probe_t *probe;
    act_ref_t *actor;
} timed_run_t;

static timed_run_t
s_timed_start (const act_class_t *cls)
{
    timed_run_t run;
    run.system = act_system_new_manual (NULL);
    run.probe = act_probe_new (run.system);
    run.actor = act_spawn (run.system, cls, act_probe_ref (run.probe));
    cr_assert_not_null (run.actor);
    return run;
}

static void
s_timed_end (timed_run_t *run)
{
    act_ref_destroy (&run->actor);
    act_probe_destroy (&run->probe);
    act_system_destroy (&run->system);
}

Test (actor, one_shot_timer_fires_once, .timeout = 10)
{
    timed_run_t run = s_timed_start (&s_once_class);
    act_system_advance (run.system, 19);
    act_expect_none (run.probe, 0);
    act_system_advance (run.system, 1);
    EXPECT_INT (run.probe, MSG_ONCE, 1);
    act_system_advance (run.system, 1000);
    act_expect_none (run.probe, 0);
    //  A fired one-shot timer is done
    s_tell_int (run.actor, MSG_CANCEL, 0);
    EXPECT_INT (run.probe, MSG_CANCEL, ENOENT);
    s_timed_end (&run);
}

Test (actor, repeating_timer_until_cancelled, .timeout = 10)
{
    timed_run_t run = s_timed_start (&s_every_class);
    act_system_advance (run.system, 30);
    for (int tick = 1; tick <= 3; tick++)
        EXPECT_INT (run.probe, MSG_TICK, tick);
    act_expect_none (run.probe, 0);
    s_tell_int (run.actor, MSG_CANCEL, 0);
    EXPECT_INT (run.probe, MSG_CANCEL, 0);
    //  Not one tick after the cancel
    act_system_advance (run.system, 1000);
    act_expect_none (run.probe, 0);
    s_timed_end (&run);
}

Test (actor, repeating_timer_cancels_itself, .timeout = 10)
{
    timed_run_t run = s_timed_start (&s_every_self_cancel_class);
    act_system_advance (run.system, 100);
    for (int tick = 1; tick <= 5; tick++)
        EXPECT_INT (run.probe, MSG_TICK, tick);
    EXPECT_INT (run.probe, MSG_CANCEL, 0);
    act_expect_none (run.probe, 0);
    s_timed_end (&run);
}

static int
s_stop_timer (act_t *self, int timer_id, void *arg)
{
    (void) self; (void) timer_id;
    return (int) (intptr_t) arg;
}

static int
s_stop_timer_setup (act_t *self, void *args)
{
    //  A repeating timer that keeps running until the actor stops, and a
    //  one-shot whose return value stops it
    LOOP_CHECK (act_every (self, 1, s_dummy_timer, NULL) > 0);
    LOOP_CHECK (act_after (self, 20, s_stop_timer, args) > 0);
    return ACT_OK;
}

static const act_class_t s_stop_timer_class = {
    .name = "stop-timer", .setup = s_stop_timer_setup
};

Test (actor, timer_return_value_stops_actor, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    act_ref_t *normal = act_spawn (system, &s_stop_timer_class, (void *) (intptr_t) ACT_STOP);
    act_ref_t *failed = act_spawn (system, &s_stop_timer_class, (void *) (intptr_t) -1);
    act_exit_t why = s_wait (normal);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    why = s_wait (failed);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    ASSERT_NO_LOOP_FAILS ();
    act_ref_destroy (&normal);
    act_ref_destroy (&failed);
    act_system_destroy (&system);
}

//  A child that stopped before its parent was stopped: its news still
//  waits in the parent's mailbox when the parent's stop comes, in the same
//  batch of posts. The parent hears of it anyway, before its teardown
//  (act_actor(3)). A gate actor holds the loop while the test posts both
//  stops, so they are taken together.

static atomic_int s_heard_children;     //  child_stopped calls
static atomic_int s_heard_before_teardown;  //  of them before the teardown
static atomic_bool s_torn_down;
static atomic_bool s_gate_inside;
static atomic_bool s_gate_open;
static _Atomic (act_ref_t *) s_only_child;

static const act_class_t s_quiet_child = { .name = "quiet-child" };

static int
s_hearing_parent_setup (act_t *self, void *args)
{
    (void) args;
    act_ref_t *child = act_spawn_child (self, &s_quiet_child, NULL);
    atomic_store (&s_only_child, act_ref_dup (child));
    return child ? ACT_OK : -1;
}

static void
s_hearing_parent_child_stopped (act_t *self, act_ref_t *child, const act_exit_t *why)
{
    (void) self;
    LOOP_CHECK (act_ref_eq (child, atomic_load (&s_only_child)));
    LOOP_CHECK (why->kind == ACT_EXIT_NORMAL);
    atomic_fetch_add (&s_heard_children, 1);
    if (!atomic_load (&s_torn_down))
        atomic_fetch_add (&s_heard_before_teardown, 1);
}

static void
s_hearing_parent_teardown (act_t *self)
{
    (void) self;
    atomic_store (&s_torn_down, true);
}

static const act_class_t s_hearing_parent = {
    .name = "hearing-parent", .setup = s_hearing_parent_setup,
    .child_stopped = s_hearing_parent_child_stopped,
    .teardown = s_hearing_parent_teardown
};

static int
s_loop_gate_handle (act_t *self, act_msg_t *msg)
{
    (void) self; (void) msg;
    atomic_store (&s_gate_inside, true);
    int64_t deadline = act_test_now_ms () + 5000;
    while (!atomic_load (&s_gate_open) && act_test_now_ms () < deadline)
        act_test_nap (0);
    return ACT_OK;
}

static const act_class_t s_loop_gate = { .name = "loop-gate", .handle = s_loop_gate_handle };

Test (actor, a_parent_hears_of_a_child_that_stopped_just_before_it, .timeout = 20)
{
    act_system_t *system = act_test_system ();
    act_ref_t *parent = act_spawn (system, &s_hearing_parent, NULL);
    act_ref_t *gate = act_spawn (system, &s_loop_gate, NULL);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_only_child) != NULL, 5000);
    act_ref_t *child = atomic_load (&s_only_child);
    act_msg_t *hold = act_msg_new (MSG_GO);
    cr_assert_eq (act_tell (gate, &hold), 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_gate_inside), 5000);
    cr_assert_eq (act_ref_stop (child, 0), 0);
    cr_assert_eq (act_ref_stop (parent, 0), 0);
    atomic_store (&s_gate_open, true);
    act_exit_t why = s_wait (parent);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    cr_assert_eq (act_ref_wait (child, 5000, NULL), 0);
    cr_assert_eq (atomic_load (&s_heard_children), 1, "child_stopped ran %d times",
                  atomic_load (&s_heard_children));
    cr_assert_eq (atomic_load (&s_heard_before_teardown), 1,
                  "child_stopped ran after the teardown");
    ASSERT_NO_LOOP_FAILS ();
    act_ref_destroy (&child);
    act_ref_destroy (&gate);
    act_ref_destroy (&parent);
    act_system_destroy (&system);
}

//  On the wall clock, a timer is never due before its time, however long
//  the round it is set in has run: the loop fires timers on a clock read
//  once a round, which a timer set from would make due early. The actor
//  busies itself S_BUSY_MS, sets a S_AFTER_MS timer, and reports how long
//  after the call it fired (microseconds, on the loop's own clock base).

#define S_BUSY_MS   30
#define S_AFTER_MS  20

typedef struct {
    act_ref_t *probe;
    int64_t set_us;             //  zclock_usecs () right before act_after
} s_late_t;

static int
s_late_fired (act_t *self, int timer_id, void *arg)
{
    (void) timer_id; (void) arg;
    s_late_t *state = act_state (self);
    int64_t waited = zclock_usecs () - state->set_us;
    act_msg_t *msg = act_msg_new_data (MSG_RESULT, &waited, sizeof waited);
    LOOP_CHECK (act_tell (state->probe, &msg) == 0);
    return ACT_OK;
}

static int
s_late_setup (act_t *self, void *args)
{
    s_late_t *state = act_state (self);
    state->probe = act_ref_dup ((act_ref_t *) args);
    act_msg_t *go = act_msg_new (MSG_GO);
    return act_tell (act_self (self), &go) == 0 ? ACT_OK : -1;
}

static int
s_late_handle (act_t *self, act_msg_t *msg)
{
    s_late_t *state = act_state (self);
    if (act_msg_type (msg) != MSG_GO)
        return ACT_UNHANDLED;
    int64_t until = zclock_usecs () + S_BUSY_MS * 1000;
    while (zclock_usecs () < until)
        ;
    state->set_us = zclock_usecs ();
    LOOP_CHECK (act_after (self, S_AFTER_MS, s_late_fired, NULL) > 0);
    return ACT_OK;
}

static void
s_late_teardown (act_t *self)
{
    s_late_t *state = act_state (self);
    act_ref_destroy (&state->probe);
}

static const act_class_t s_late_class = {
    .name = "late-timer", .state_size = sizeof (s_late_t), .setup = s_late_setup,
    .handle = s_late_handle, .teardown = s_late_teardown
};

Test (actor, a_timer_set_late_in_a_long_round_is_not_due_early, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    act_probe_t *probe = act_probe_new (system);
    for (int i = 0; i < 5; i++) {
        act_ref_t *actor = act_spawn (system, &s_late_class, act_probe_ref (probe));
        cr_assert_not_null (actor);
        act_msg_t *msg = act_expect (probe, MSG_RESULT, 5000);
        int64_t waited;
        cr_assert_eq (act_msg_size (msg), sizeof waited);
        memcpy (&waited, act_msg_data (msg), sizeof waited);
        //  Due at the ms the call was made in, plus S_AFTER_MS: at most
        //  1 ms of it may have passed before the call.
        cr_assert_geq (waited, (S_AFTER_MS - 1) * 1000,
                       "a %d ms timer fired %" PRId64 " us after it was set", S_AFTER_MS,
                       waited);
        act_ref_destroy (&actor);
    }
    ASSERT_NO_LOOP_FAILS ();
    act_probe_destroy (&probe);
    act_system_destroy (&system);
}

//  A periodic timer keeps its period on the wall clock when the round it
//  fires in runs long fd handlers before it: re-armed from a clock read
//  before them, it came due again at once (ticks a few us apart). Every
//  fifth tick, a 12 ms handler makes the tick due meanwhile and a 9 ms fd
//  handler run in the round that fires it.

#define S_PERIOD_MS 10
#define S_TICKS     60

typedef struct {
    int pipe [2];
    int64_t last;               //  last tick, zclock_usecs
    int64_t min_gap;            //  shortest time between two ticks, us
    int ticks;
    act_ref_t *report;          //  gets min_gap once S_TICKS ticked
} s_period_t;

static void
s_busy_ms (int ms)
{
    int64_t until = zclock_usecs () + ms * 1000;
    while (zclock_usecs () < until)
        ;
}

static int
s_period_tick (act_t *self, int timer_id, void *arg)
{
    (void) timer_id; (void) arg;
    s_period_t *state = act_state (self);
    int64_t now = zclock_usecs ();
    if (state->last && now - state->last < state->min_gap)
        state->min_gap = now - state->last;
    state->last = now;
    if (++state->ticks % 5 == 0) {
        act_msg_t *busy = act_msg_new (MSG_BUSY);
        LOOP_CHECK (act_tell (act_self (self), &busy) == 0);
    }
    if (state->ticks == S_TICKS) {
        act_msg_t *report = act_msg_new_data (MSG_RESULT, &state->min_gap,
                                              sizeof state->min_gap);
        LOOP_CHECK (act_tell (state->report, &report) == 0);
        return ACT_STOP;
    }
    return ACT_OK;
}

static int
s_period_fd (act_t *self, int fd, void *arg)
{
    (void) self; (void) arg;
    char byte;
    LOOP_CHECK (read (fd, &byte, 1) == 1);
    s_busy_ms (9);
    return ACT_OK;
}

static int
s_period_setup (act_t *self, void *args)
{
    s_period_t *state = act_state (self);
    state->min_gap = INT64_MAX;
    state->report = act_ref_dup ((act_ref_t *) args);
    if (pipe (state->pipe))
        return -1;
    if (act_watch_fd (self, state->pipe [0], s_period_fd, NULL))
        return -1;
    return act_every (self, S_PERIOD_MS, s_period_tick, NULL) > 0 ? ACT_OK : -1;
}

static int
s_period_handle (act_t *self, act_msg_t *msg)
{
    (void) msg;
    s_period_t *state = act_state (self);
    s_busy_ms (12);
    LOOP_CHECK (write (state->pipe [1], "x", 1) == 1);
    return ACT_OK;
}

static void
s_period_teardown (act_t *self)
{
    s_period_t *state = act_state (self);
    act_unwatch_fd (self, state->pipe [0]);
    close (state->pipe [0]);
    close (state->pipe [1]);
    act_ref_destroy (&state->report);
}

static const act_class_t s_period = {
    .name = "period", .state_size = sizeof (s_period_t), .setup = s_period_setup,
    .handle = s_period_handle, .teardown = s_period_teardown
};

Test (actor, a_periodic_timer_keeps_its_period_past_slow_handlers, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_probe_t *probe = act_probe_new (system);
    act_ref_t *actor = act_spawn (system, &s_period, act_probe_ref (probe));
    cr_assert_not_null (actor);
    act_msg_t *msg = act_expect (probe, MSG_RESULT, 20000);
    int64_t min_gap;
    memcpy (&min_gap, act_msg_data (msg), sizeof min_gap);
    //  Due a period after it fired, at the ms: never under a period less
    //  the 1 ms of the clock's grain (and the few us from its re-arm to
    //  the handler's clock read)
    cr_assert_geq (min_gap, (S_PERIOD_MS - 1) * 1000 - 100,
                   "two %d ms ticks %" PRId64 " us apart", S_PERIOD_MS, min_gap);
    ASSERT_NO_LOOP_FAILS ();
    act_ref_destroy (&actor);
    act_probe_destroy (&probe);
    act_system_destroy (&system);
}

//  An fd closed while watched: poll says POLLNVAL at once, every round.
//  The loop must not spin on it for ever with the actor never told: the
//  watch goes, and the handler hears once (EBADF). A timer wakes the loop,
//  as any busy actor would.

static int s_closed_fd = -1;

static int
s_closed_watch (act_t *self, int fd, void *arg)
{
    (void) arg;
    char byte;
    if (read (fd, &byte, 1) == -1 && errno == EBADF) {
        //  Gone already: unwatching finds nothing
        LOOP_CHECK_FAILS (act_unwatch_fd (self, fd) == -1, ENOENT);
        act_msg_t *told = act_msg_new (MSG_RESULT);
        LOOP_CHECK (act_tell (*(act_ref_t **) act_state (self), &told) == 0);
    }
    return ACT_OK;
}

static int
s_closed_tick (act_t *self, int timer_id, void *arg)
{
    (void) self; (void) timer_id; (void) arg;
    return ACT_OK;
}

static int
s_closed_setup (act_t *self, void *args)
{
    *(act_ref_t **) act_state (self) = act_ref_dup ((act_ref_t *) args);
    if (act_watch_fd (self, s_closed_fd, s_closed_watch, NULL))
        return -1;
    if (act_every (self, 20, s_closed_tick, NULL) <= 0)
        return -1;
    act_msg_t *ready = act_msg_new (MSG_GO);
    return act_tell (*(act_ref_t **) act_state (self), &ready);
}

static void
s_closed_teardown (act_t *self)
{
    act_ref_destroy ((act_ref_t **) act_state (self));
}

static const act_class_t s_closed_watcher = {
    .name = "closed-watcher", .state_size = sizeof (act_ref_t *),
    .setup = s_closed_setup, .teardown = s_closed_teardown
};

Test (actor, a_watched_fd_closed_under_the_loop_is_unwatched_and_told, .timeout = 20)
{
    int fds [2];
    cr_assert_eq (pipe (fds), 0);
    s_closed_fd = fds [0];
    act_system_t *system = act_test_system ();
    act_probe_t *probe = act_probe_new (system);
    act_ref_t *actor = act_spawn (system, &s_closed_watcher, act_probe_ref (probe));
    act_expect (probe, MSG_GO, 5000);
    close (fds [0]);
    act_expect (probe, MSG_RESULT, 5000);
    //  Once, not every round
    act_expect_none (probe, 200);
    ASSERT_NO_LOOP_FAILS ();
    close (fds [1]);
    act_ref_destroy (&actor);
    act_probe_destroy (&probe);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  watched ZeroMQ sockets

static atomic_int s_pulled;
static atomic_int s_pull_errors;

static int
s_pull (act_t *self, zsock_t *sock, void *arg)
{
    (void) self; (void) arg;
    char *text = zstr_recv (sock);
    char expected [32];
    snprintf (expected, sizeof expected, "msg %d", atomic_load (&s_pulled));
    if (!text || strcmp (text, expected)) {
        atomic_fetch_add (&s_pull_errors, 1);
    }
    zstr_free (&text);
    return atomic_fetch_add (&s_pulled, 1) + 1 == 100 ? ACT_STOP : ACT_OK;
}

static int
s_puller_setup (act_t *self, void *args)
{
    return act_watch_sock (self, (zsock_t *) args, s_pull, NULL) == 0 ? ACT_OK : -1;
}

static const act_class_t s_puller = { .name = "puller", .setup = s_puller_setup };

Test (actor, watch_pull_socket, .timeout = 10)
{
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "inproc://test-pull-%d", (int) getpid ());
    zsock_t *pull = zsock_new (ZMQ_PULL);
    cr_assert_eq (zsock_bind (pull, "%s", endpoint), 0);
    zsock_t *push = zsock_new (ZMQ_PUSH);
    cr_assert_eq (zsock_connect (push, "%s", endpoint), 0);

    act_system_t *system = act_test_system ();
    act_ref_t *puller = act_spawn (system, &s_puller, pull);
    for (int i = 0; i < 100; i++) {
        cr_assert_eq (zstr_sendf (push, "msg %d", i), 0);
    }
    act_exit_t why = s_wait (puller);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    cr_assert_eq (atomic_load (&s_pulled), 100);
    cr_assert_eq (atomic_load (&s_pull_errors), 0);

    //  The watch went with the actor: the socket is ours to destroy
    act_ref_destroy (&puller);
    act_system_destroy (&system);
    zsock_destroy (&push);
    zsock_destroy (&pull);
}

static int
s_pair_echo (act_t *self, zsock_t *sock, void *arg)
{
    (void) self; (void) arg;
    char *text = zstr_recv (sock);
    if (!text) {
        return -1;
    }
    int rc = zstr_send (sock, text);
    zstr_free (&text);
    return rc == 0 ? ACT_OK : -1;
}

typedef struct {
    zsock_t *sock;
} pair_t;

static int
s_pair_setup (act_t *self, void *args)
{
    pair_t *state = act_state (self);
    state->sock = args;
    return act_watch_sock (self, state->sock, s_pair_echo, NULL) == 0 ? ACT_OK : -1;
}

static int
s_pair_handle (act_t *self, act_msg_t *msg)
{
    pair_t *state = act_state (self);
    if (act_msg_type (msg) == MSG_UNWATCH) {
        int rc = act_unwatch_sock (self, state->sock);
        act_msg_t *reply = s_int_msg (MSG_UNWATCH, rc);
        act_reply (msg, &reply);
    }
    return ACT_OK;
}

static const act_class_t s_pair = {
    .name = "pair", .state_size = sizeof (pair_t),
    .setup = s_pair_setup, .handle = s_pair_handle
};

Test (actor, watch_pair_socket_and_unwatch, .timeout = 10)
{
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "inproc://test-pair-%d", (int) getpid ());
    zsock_t *theirs = zsock_new (ZMQ_PAIR);
    cr_assert_eq (zsock_bind (theirs, "%s", endpoint), 0);
    zsock_t *ours = zsock_new (ZMQ_PAIR);
    cr_assert_eq (zsock_connect (ours, "%s", endpoint), 0);
    zsock_set_rcvtimeo (ours, 3000);

    act_system_t *system = act_test_system ();
    act_ref_t *actor = act_spawn (system, &s_pair, theirs);
    for (int i = 0; i < 20; i++) {
        cr_assert_eq (zstr_sendf (ours, "ping %d", i), 0);
        char *echo = zstr_recv (ours);
        cr_assert_not_null (echo, "no echo %d", i);
        char expected [32];
        snprintf (expected, sizeof expected, "ping %d", i);
        cr_assert_str_eq (echo, expected);
        zstr_free (&echo);
    }
    //  Unwatched, the socket goes quiet; unwatching again fails
    act_msg_t *msg = act_msg_new (MSG_UNWATCH);
    act_msg_t *reply = act_ask (actor, &msg, 2000);
    cr_assert_not_null (reply);
    cr_assert_eq (s_int_of (reply), 0);
    act_msg_destroy (&reply);
    msg = act_msg_new (MSG_UNWATCH);
    reply = act_ask (actor, &msg, 2000);
    cr_assert_not_null (reply);
    cr_assert_eq (s_int_of (reply), -1);
    act_msg_destroy (&reply);
    cr_assert (act_ref_alive (actor));

    act_ref_destroy (&actor);
    act_system_destroy (&system);
    zsock_destroy (&ours);
    zsock_destroy (&theirs);
}

//  --------------------------------------------------------------------------
//  the worker pool

static atomic_int s_work_runs;
static atomic_int s_results;
static atomic_int s_results_off_loop;
static atomic_int s_results_no_sender;

static act_msg_t *
s_work (void *arg)
{
    atomic_fetch_add (&s_work_runs, 1);
    if (arg) {
        return NULL;            //  nothing to say
    }
    pthread_t me = pthread_self ();
    return act_msg_new_data (MSG_RESULT, &me, sizeof me);
}

static int
s_offloader_setup (act_t *self, void *args)
{
    (void) args;
    for (int i = 0; i < 10; i++) {
        LOOP_CHECK (act_offload (self, s_work, NULL) == 0);
    }
    LOOP_CHECK (act_offload (self, s_work, (void *) 1) == 0);
    return ACT_OK;
}

static int
s_offloader_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) != MSG_RESULT || act_msg_size (msg) != sizeof (pthread_t)) {
        return ACT_UNHANDLED;
    }
    pthread_t worker;
    memcpy (&worker, act_msg_data (msg), sizeof worker);
    if (!pthread_equal (worker, pthread_self ())) {
        atomic_fetch_add (&s_results_off_loop, 1);
    }
    if (act_msg_sender (msg) == NULL) {
        atomic_fetch_add (&s_results_no_sender, 1);
    }
    return atomic_fetch_add (&s_results, 1) + 1 == 10 ? ACT_STOP : ACT_OK;
}

static const act_class_t s_offloader = {
    .name = "offloader", .setup = s_offloader_setup, .handle = s_offloader_handle
};

Test (actor, offload_results_arrive_as_messages, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    act_ref_t *actor = act_spawn (system, &s_offloader, NULL);
    act_exit_t why = s_wait (actor);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL, "%s %d", act_exit_kind_name (why.kind), why.code);
    ASSERT_NO_LOOP_FAILS ();
    cr_assert_eq (atomic_load (&s_results), 10);
    cr_assert_eq (atomic_load (&s_results_off_loop), 10, "work ran on the loop thread");
    cr_assert_eq (atomic_load (&s_results_no_sender), 10);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_work_runs) == 11, 2000);
    act_ref_destroy (&actor);
    act_system_destroy (&system);
}

//  Two work items that each wait for the other: only a pool of two or more
//  threads finishes them, and the loop must go on meanwhile
static atomic_int s_arrived;
static atomic_int s_release;

static act_msg_t *
s_rendezvous (void *arg)
{
    (void) arg;
    atomic_fetch_add (&s_arrived, 1);
    int64_t deadline = act_test_now_ms () + 5000;
    while ((atomic_load (&s_arrived) < 2 || !atomic_load (&s_release))
        && act_test_now_ms () < deadline) {
        act_test_nap (20);
    }
    int met = atomic_load (&s_arrived) >= 2 && atomic_load (&s_release);
    return s_int_msg (MSG_RESULT, met);
}

static atomic_int s_met;

static int
s_pool_handle (act_t *self, act_msg_t *msg)
{
    if (act_msg_type (msg) == MSG_GO) {
        LOOP_CHECK (act_offload (self, s_rendezvous, NULL) == 0);
        LOOP_CHECK (act_offload (self, s_rendezvous, NULL) == 0);
    }
    else
    if (act_msg_type (msg) == MSG_RESULT) {
        atomic_fetch_add (&s_met, s_int_of (msg));
        atomic_fetch_add (&s_results, 1);
    }
    else
    if (act_msg_type (msg) == MSG_GET) {
        act_msg_t *reply = act_msg_new (MSG_GET);
        act_reply (msg, &reply);
    }
    return ACT_OK;
}

static const act_class_t s_pool = { .name = "pool", .handle = s_pool_handle };

Test (actor, offload_runs_in_parallel_without_blocking_the_loop, .timeout = 15)
{
    act_system_t *system = act_test_system ();
    cr_assert_eq (act_system_set_workers (system, 2), 0);
    act_ref_t *actor = act_spawn (system, &s_pool, NULL);
    s_tell_int (actor, MSG_GO, 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_arrived) == 2, 5000);
    //  Both workers are busy; the actor still answers
    act_msg_t *msg = act_msg_new (MSG_GET);
    act_msg_t *reply = act_ask (actor, &msg, 2000);
    cr_assert_not_null (reply, "loop blocked by the pool: %s", strerror (errno));
    act_msg_destroy (&reply);
    atomic_store (&s_release, 1);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_results) == 2, 5000);
    cr_assert_eq (atomic_load (&s_met), 2);
    ASSERT_NO_LOOP_FAILS ();
    act_ref_destroy (&actor);
    act_system_destroy (&system);
}

//  The pool's size raised once it runs: the next offload may start a
//  worker more. Before, the size was read once, when the first offload
//  made the pool, and act_system_set_workers then did nothing, though it
//  returned 0.
Test (actor, workers_raised_after_the_first_offload_start, .timeout = 15)
{
    act_system_t *system = act_test_system ();
    cr_assert_eq (act_system_set_workers (system, 1), 0);
    act_ref_t *actor = act_spawn (system, &s_pool, NULL);
    //  One worker: the first rendezvous waits, the second is queued
    s_tell_int (actor, MSG_GO, 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_arrived) == 1, 5000);
    cr_assert_eq (act_system_set_workers (system, 2), 0);
    //  Two more: their submit starts the second worker, which takes the
    //  queued one, and the first two meet
    s_tell_int (actor, MSG_GO, 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_arrived) >= 2, 2000);
    atomic_store (&s_release, 1);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_results) == 4, 5000);
    cr_assert_eq (atomic_load (&s_met), 4);
    ASSERT_NO_LOOP_FAILS ();
    act_ref_destroy (&actor);
    act_system_destroy (&system);
}

//  Work whose actor stopped meanwhile: its result is a dead letter
static int
s_early_setup (act_t *self, void *args)
{
    (void) args;
    LOOP_CHECK (act_offload (self, s_rendezvous, NULL) == 0);
    return ACT_STOP;
}

static const act_class_t s_early = { .name = "early", .setup = s_early_setup };

Test (actor, offload_result_after_stop_is_dead_letter, .timeout = 15)
{
    act_system_t *system = act_test_system ();
    act_ref_t *actor = act_spawn (system, &s_early, NULL);
    act_exit_t why = s_wait (actor);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_arrived) == 1, 5000);
    uint64_t before = act_system_dead_letters (system);
    atomic_store (&s_arrived, 2);
    atomic_store (&s_release, 1);
    ACT_ASSERT_EVENTUALLY (act_system_dead_letters (system) == before + 1, 5000);
    ASSERT_NO_LOOP_FAILS ();
    act_ref_destroy (&actor);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  more children

Test (actor, child_failing_in_setup, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    //  A keeper hears of it; a boss escalates
    s_plan_node (0, &s_keeper, HOW_NEVER, 1, 1);
    s_plan_node (1, &s_boss, HOW_SETUP_FAIL, 0);
    s_plan_node (2, &s_boss, HOW_NEVER, 1, 3);
    s_plan_node (3, &s_boss, HOW_SETUP_FAIL, 0);
    act_ref_t *keeper = s_spawn_node (system, 0);
    act_ref_t *boss = s_spawn_node (system, 2);

    ACT_ASSERT_EVENTUALLY (atomic_load (&s_stops) == 1, 5000);
    cr_assert (s_stop_seen (0, ACT_EXIT_ERROR, -1));
    act_exit_t why = s_wait (boss);
    cr_assert_eq (why.kind, ACT_EXIT_ESCALATED, "boss: %s", act_exit_kind_name (why.kind));
    cr_assert (act_ref_alive (keeper));
    cr_assert_eq (atomic_load (&s_teardowns [1]), 1);
    cr_assert_eq (atomic_load (&s_teardowns [3]), 1);
    cr_assert_eq (atomic_load (&s_teardowns [2]), 1);

    act_ref_destroy (&keeper);
    act_ref_destroy (&boss);
    s_drop_refs ();
    act_system_destroy (&system);
    ASSERT_NO_LOOP_FAILS ();
}

//  A chain 1,000 deep: each link's setup spawns the next
#define CHAIN_DEPTH 1000
static atomic_int s_chain_order [CHAIN_DEPTH + 1];   //  teardown seq per depth

typedef struct {
    int depth;
} link_t;

static int s_link_setup (act_t *self, void *args);

static void
s_link_teardown (act_t *self)
{
    link_t *state = act_state (self);
    atomic_store (&s_chain_order [state->depth], atomic_fetch_add (&s_seq, 1) + 1);
}

static const act_class_t s_link = {
    .name = "link", .state_size = sizeof (link_t), .setup = s_link_setup,
    .handle = s_node_handle, .teardown = s_link_teardown
};

static int
s_link_setup (act_t *self, void *args)
{
    link_t *state = act_state (self);
    state->depth = (int) (intptr_t) args;
    if (state->depth < CHAIN_DEPTH
    &&  !act_spawn_child (self, &s_link, (void *) (intptr_t) (state->depth + 1))) {
        return -1;
    }
    return ACT_OK;
}

Test (actor, deep_tree_stops_leaf_first, .timeout = 20)
{
    act_system_t *system = act_test_system ();
    act_ref_t *root = act_spawn (system, &s_link, (void *) 0);
    ACT_ASSERT_EVENTUALLY (act_system_actors (system) == CHAIN_DEPTH + 1, 5000);
    act_msg_t *msg = act_msg_new (MSG_STOP);
    cr_assert_eq (act_tell (root, &msg), 0);
    act_exit_t why = s_wait (root);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    for (int depth = 0; depth <= CHAIN_DEPTH; depth++) {
        cr_assert_gt (atomic_load (&s_chain_order [depth]), 0, "depth %d no teardown", depth);
        if (depth > 0) {
            cr_assert_lt (atomic_load (&s_chain_order [depth]),
                          atomic_load (&s_chain_order [depth - 1]), "depth %d", depth);
        }
    }
    ACT_ASSERT_EVENTUALLY (act_system_actors (system) == 0, 2000);
    act_ref_destroy (&root);
    act_system_destroy (&system);
}

//  A timer belongs to its actor: another cannot cancel it
static atomic_int s_owner_timer;
static atomic_int s_owner_fired;
static atomic_int s_thief_errno = -1;

static int
s_owner_fire (act_t *self, int timer_id, void *arg)
{
    (void) self; (void) timer_id; (void) arg;
    atomic_store (&s_owner_fired, 1);
    return ACT_STOP;
}

static int
s_owner_setup (act_t *self, void *args)
{
    (void) args;
    atomic_store (&s_owner_timer, act_after (self, 200, s_owner_fire, NULL));
    return ACT_OK;
}

static const act_class_t s_owner = { .name = "owner", .setup = s_owner_setup };

static int
s_thief_handle (act_t *self, act_msg_t *msg)
{
    errno = 0;
    int rc = act_cancel (self, s_int_of (msg));
    atomic_store (&s_thief_errno, rc == 0 ? 0 : errno);
    return ACT_OK;
}

static const act_class_t s_thief = { .name = "thief", .handle = s_thief_handle };

Test (actor, cancel_another_actors_timer_fails, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    act_ref_t *owner = act_spawn (system, &s_owner, NULL);
    act_ref_t *thief = act_spawn (system, &s_thief, NULL);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_owner_timer) > 0, 2000);
    s_tell_int (thief, MSG_CANCEL, atomic_load (&s_owner_timer));
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_thief_errno) != -1, 2000);
    cr_assert_eq (atomic_load (&s_thief_errno), ENOENT);
    act_exit_t why = s_wait (owner);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    cr_assert (atomic_load (&s_owner_fired));
    act_ref_destroy (&thief);
    act_ref_destroy (&owner);
    act_system_destroy (&system);
}

//  A parent that restarts its failing child from child_stopped
static atomic_int s_restarts;
static atomic_int s_failer_setups;

static int
s_failer_setup (act_t *self, void *args)
{
    (void) self; (void) args;
    atomic_fetch_add (&s_failer_setups, 1);
    return -1;
}

static const act_class_t s_failer = { .name = "failer", .setup = s_failer_setup };

static int
s_restarter_setup (act_t *self, void *args)
{
    (void) args;
    return act_spawn_child (self, &s_failer, NULL) ? ACT_OK : -1;
}

static void
s_restarter_child_stopped (act_t *self, act_ref_t *child, const act_exit_t *why)
{
    (void) child;
    LOOP_CHECK (why->kind == ACT_EXIT_ERROR);
    if (atomic_fetch_add (&s_restarts, 1) < 5) {
        LOOP_CHECK (act_spawn_child (self, &s_failer, NULL) != NULL);
    }
    else {
        act_stop (self, 0);
    }
}

static const act_class_t s_restarter = {
    .name = "restarter", .setup = s_restarter_setup,
    .child_stopped = s_restarter_child_stopped
};

Test (actor, restart_child_from_child_stopped, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    act_ref_t *restarter = act_spawn (system, &s_restarter, NULL);
    act_exit_t why = s_wait (restarter);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL, "%s", act_exit_kind_name (why.kind));
    cr_assert_eq (atomic_load (&s_failer_setups), 6);
    cr_assert_eq (atomic_load (&s_restarts), 6);
    ACT_ASSERT_EVENTUALLY (act_system_actors (system) == 0, 2000);
    act_ref_destroy (&restarter);
    act_system_destroy (&system);
    ASSERT_NO_LOOP_FAILS ();
}

//  Children that stop in their setup wait in the loop's reap list; their
//  parent, stopping in the same callback, goes first and finalizes them
//  on its way: each must leave the list then, not be met there freed.
static int
s_quitter_setup (act_t *self, void *args)
{
    (void) self;
    (void) args;
    return ACT_STOP;
}

static const act_class_t s_quitter = { .name = "quitter", .setup = s_quitter_setup };

static atomic_int s_quitters_heard;

static void
s_spawner_child_stopped (act_t *self, act_ref_t *child, const act_exit_t *why)
{
    (void) self;
    (void) child;
    (void) why;
    atomic_fetch_add (&s_quitters_heard, 1);
}

static int
s_spawner_handle (act_t *self, act_msg_t *msg)
{
    (void) msg;
    for (int i = 0; i < 8; i++) {
        LOOP_CHECK (act_spawn_child (self, &s_quitter, NULL) != NULL);
    }
    return ACT_STOP;
}

static const act_class_t s_spawner = {
    .name = "spawner", .handle = s_spawner_handle, .child_stopped = s_spawner_child_stopped
};

Test (actor, parent_stops_with_children_that_stopped_in_their_setup, .timeout = 20)
{
    act_system_t *system = act_test_system ();
    for (int round = 0; round < 100; round++) {
        act_ref_t *spawner = act_spawn (system, &s_spawner, NULL);
        act_msg_t *go = act_msg_new (1);
        cr_assert_eq (act_tell (spawner, &go), 0);
        act_exit_t why;
        cr_assert_eq (act_ref_wait (spawner, 5000, &why), 0, "round %d", round);
        cr_assert_eq (why.kind, ACT_EXIT_NORMAL, "round %d: %s", round,
                      act_exit_kind_name (why.kind));
        act_ref_destroy (&spawner);
    }
    ACT_ASSERT_EVENTUALLY (act_system_actors (system) == 0, 5000);
    //  Each child was heard of once, by its parent's child_stopped
    cr_assert_eq (atomic_load (&s_quitters_heard), 800);
    act_system_destroy (&system);
    ASSERT_NO_LOOP_FAILS ();
}

//  A failed top-level actor is logged; one without a name by its id's
//  serial, as actor-run status shows it, and by its class.
static int
s_logged_failer_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    (void) msg;
    errno = EIO;
    return -1;
}

static const act_class_t s_logged_failer = { .name = "failer", .handle = s_logged_failer_handle };

static bool
s_file_has (const char *path, const char *text)
{
    char buffer [4096] = "";
    FILE *file = fopen (path, "r");
    if (!file) {
        return false;
    }
    size_t size = fread (buffer, 1, sizeof buffer - 1, file);
    buffer [size] = 0;
    fclose (file);
    return strstr (buffer, text) != NULL;
}

Test (actor, a_failed_actor_is_logged_by_its_id_and_class, .timeout = 10)
{
    char *dir = act_test_tmpdir ();
    char *path = zsys_sprintf ("%s/log", dir);
    FILE *log = fopen (path, "w");
    cr_assert_not_null (log);
    zsys_set_logstream (log);
    act_system_t *system = act_test_system ();
    act_ref_t *actor = act_spawn (system, &s_logged_failer, NULL);
    const char *id = act_ref_id (actor);
    cr_assert (id && strchr (id, '#'), "%s", id ? id : "(null)");
    char *expected = zsys_sprintf ("actor %s (failer) stopped: error %d", strchr (id, '#'), EIO);
    act_msg_t *msg = act_msg_new (1);
    cr_assert_eq (act_tell (actor, &msg), 0);
    ACT_ASSERT_EVENTUALLY (s_file_has (path, expected), 5000);
    act_ref_destroy (&actor);
    act_system_destroy (&system);
    zsys_set_logstream (stdout);
    fclose (log);
    free (expected);
    free (path);
    act_test_tmpdir_remove (&dir);
}
