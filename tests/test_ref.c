/*  test_ref - act_ref: tell, ask, reply, waiting, and references that
    outlive their actors
    SPDX-License-Identifier: MPL-2.0
*/
#include "act_test.h"
#include <pthread.h>
#include <stdatomic.h>

enum {
    MSG_PING = 1,           //  echo: reply with the same payload
    MSG_STOP,               //  echo: return ACT_STOP
    MSG_IGNORE,             //  echo: handle, never reply
    MSG_HOLD,               //  echo: never reply, stop 200 ms later
    MSG_FAIL,               //  echo: act_stop (self, 42)
    MSG_SEQ,                //  recorder: {sender, seq}
    MSG_REPORT,             //  recorder: reply {count, errors}
    MSG_KICK                //  various: do your thing
};

//  --------------------------------------------------------------------------
//  echo: replies to MSG_PING with its payload

static int
s_echo_stop_timer (act_t *self, int timer_id, void *arg)
{
    (void) self; (void) timer_id; (void) arg;
    return ACT_STOP;
}

static int
s_echo_handle (act_t *self, act_msg_t *msg)
{
    switch (act_msg_type (msg)) {
        case MSG_PING: {
            act_msg_t *reply = act_msg_new_data (MSG_PING, act_msg_data (msg),
                                                 act_msg_size (msg));
            act_reply (msg, &reply);
            return ACT_OK;
        }
        case MSG_STOP:
            return ACT_STOP;
        case MSG_HOLD:
            act_after (self, 200, s_echo_stop_timer, NULL);
            return ACT_OK;
        case MSG_FAIL:
            act_stop (self, 42);
            return ACT_OK;
        default:
            return ACT_OK;
    }
}

static const act_class_t s_echo = {
    .name = "echo", .handle = s_echo_handle
};

//  The first test is the example: spawn an actor, ask it, read the reply.
Test (ref, ask_round_trip, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    cr_assert_not_null (echo);
    cr_assert (act_ref_alive (echo));

    act_msg_t *request = act_msg_new_str (MSG_PING, "Hello World!");
    act_msg_t *reply = act_ask (echo, &request, 2000);
    cr_assert_null (request, "act_ask takes the message");
    cr_assert_not_null (reply, "ask failed: %s", strerror (errno));
    cr_assert_str_eq (act_msg_str (reply), "Hello World!");
    cr_assert_neq (act_msg_corr (reply), 0, "a reply carries the ask's id");
    act_msg_destroy (&reply);

    act_ref_destroy (&echo);
    cr_assert_null (echo);
    act_system_destroy (&system);
    cr_assert_null (system);
}

//  --------------------------------------------------------------------------
//  recorder: checks that each sender's sequence numbers arrive in order

typedef struct {
    int sender;
    int seq;
} seq_t;

#define MAX_SENDERS 8

typedef struct {
    int next [MAX_SENDERS];     //  next expected seq per sender
    int count;                  //  MSG_SEQ handled
    int errors;                 //  out-of-order arrivals
} recorder_t;

static int
s_recorder_handle (act_t *self, act_msg_t *msg)
{
    recorder_t *state = act_state (self);
    if (act_msg_type (msg) == MSG_SEQ) {
        seq_t seq;
        if (act_msg_size (msg) != sizeof seq) {
            state->errors++;
            return ACT_OK;
        }
        memcpy (&seq, act_msg_data (msg), sizeof seq);
        if (seq.sender < 0 || seq.sender >= MAX_SENDERS
        ||  seq.seq != state->next [seq.sender]) {
            state->errors++;
        }
        else {
            state->next [seq.sender]++;
        }
        state->count++;
    }
    else
    if (act_msg_type (msg) == MSG_REPORT) {
        int report [2] = { state->count, state->errors };
        act_msg_t *reply = act_msg_new_data (MSG_REPORT, report, sizeof report);
        act_reply (msg, &reply);
    }
    else
    if (act_msg_type (msg) == MSG_STOP) {
        return ACT_STOP;
    }
    return ACT_OK;
}

static const act_class_t s_recorder = {
    .name = "recorder", .state_size = sizeof (recorder_t),
    .handle = s_recorder_handle
};

static void
s_report (act_ref_t *recorder, int *count, int *errors)
{
    act_msg_t *msg = act_msg_new (MSG_REPORT);
    act_msg_t *reply = act_ask (recorder, &msg, 5000);
    cr_assert_not_null (reply, "report: %s", strerror (errno));
    cr_assert_eq (act_msg_size (reply), 2 * sizeof (int));
    const int *report = act_msg_data (reply);
    *count = report [0];
    *errors = report [1];
    act_msg_destroy (&reply);
}

typedef struct {
    act_ref_t *to;
    int sender;
    int count;
    int failed;
} teller_t;

static void *
s_teller (void *arg)
{
    teller_t *teller = arg;
    for (int i = 0; i < teller->count; i++) {
        seq_t seq = { teller->sender, i };
        act_msg_t *msg = act_msg_new_data (MSG_SEQ, &seq, sizeof seq);
        if (act_tell (teller->to, &msg) != 0 || msg) {
            teller->failed++;
        }
    }
    return NULL;
}

Test (ref, fifo_per_sender_across_threads, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *recorder = act_spawn (system, &s_recorder, NULL);
    cr_assert_not_null (recorder);

    //  Four threads tell at once: each one's messages arrive in its order
    pthread_t threads [4];
    teller_t tellers [4];
    for (int i = 0; i < 4; i++) {
        tellers [i] = (teller_t) { recorder, i, 10000, 0 };
        cr_assert_eq (pthread_create (&threads [i], NULL, s_teller, &tellers [i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join (threads [i], NULL);
        cr_assert_eq (tellers [i].failed, 0);
    }
    int count, errors;
    s_report (recorder, &count, &errors);
    cr_assert_eq (count, 40000);
    cr_assert_eq (errors, 0);

    act_ref_destroy (&recorder);
    act_system_destroy (&system);
}

//  An actor that tells the recorder 10,000 numbered messages in one handler
static int
s_burst_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) == MSG_KICK) {
        act_ref_t *to = *(act_ref_t **) act_msg_data (msg);
        for (int i = 0; i < 10000; i++) {
            seq_t seq = { 5, i };
            act_msg_t *out = act_msg_new_data (MSG_SEQ, &seq, sizeof seq);
            if (act_tell (to, &out) != 0) {
                return -1;
            }
        }
    }
    return ACT_OK;
}

static const act_class_t s_burst = { .name = "burst", .handle = s_burst_handle };

Test (ref, fifo_from_an_actor, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *recorder = act_spawn (system, &s_recorder, NULL);
    act_ref_t *burst = act_spawn (system, &s_burst, NULL);
    act_msg_t *kick = act_msg_new_data (MSG_KICK, &recorder, sizeof recorder);
    cr_assert_eq (act_tell (burst, &kick), 0);

    int count = 0, errors = 0;
    cr_assert (ACT_WAIT_UNTIL ((s_report (recorder, &count, &errors), count == 10000), 10000),
               "recorder got %d of 10000", count);
    cr_assert_eq (errors, 0);
    cr_assert (act_ref_alive (burst));

    act_ref_destroy (&burst);
    act_ref_destroy (&recorder);
    act_system_destroy (&system);
}

typedef struct {
    act_ref_t *to;
    int index;
    int failed;
} asker_t;

static void *
s_asker (void *arg)
{
    asker_t *asker = arg;
    for (int i = 0; i < 200; i++) {
        char text [64];
        snprintf (text, sizeof text, "thread %d ask %d", asker->index, i);
        act_msg_t *msg = act_msg_new_str (MSG_PING, text);
        act_msg_t *reply = act_ask (asker->to, &msg, 5000);
        if (!reply || !act_msg_str (reply) || strcmp (act_msg_str (reply), text)) {
            asker->failed++;
        }
        act_msg_destroy (&reply);
    }
    return NULL;
}

Test (ref, concurrent_asks_get_their_own_replies, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    pthread_t threads [4];
    asker_t askers [4];
    for (int i = 0; i < 4; i++) {
        askers [i] = (asker_t) { echo, i, 0 };
        cr_assert_eq (pthread_create (&threads [i], NULL, s_asker, &askers [i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join (threads [i], NULL);
        cr_assert_eq (askers [i].failed, 0, "thread %d: %d bad replies", i, askers [i].failed);
    }
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

Test (ref, ask_timeout_honoured, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);

    //  The actor takes the message and never replies
    act_msg_t *msg = act_msg_new (MSG_IGNORE);
    int64_t start = act_test_now_us ();
    errno = 0;
    act_msg_t *reply = act_ask (echo, &msg, 300);
    int64_t elapsed = act_test_now_us () - start;
    cr_assert_null (reply);
    cr_assert_eq (errno, ETIMEDOUT, "errno %d (%s)", errno, strerror (errno));
    cr_assert_null (msg);
    //  No earlier than the timeout (1 ms slack for ms clocks), and not much later
    cr_assert_geq (elapsed, 299 * 1000, "timed out after %lld us", (long long) elapsed);
    cr_assert_leq (elapsed, 2300 * 1000, "timed out after %lld us", (long long) elapsed);

    //  The actor is fine and answers the next ask
    msg = act_msg_new_str (MSG_PING, "still here");
    reply = act_ask (echo, &msg, 2000);
    cr_assert_not_null (reply);
    cr_assert_str_eq (act_msg_str (reply), "still here");
    act_msg_destroy (&reply);

    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

Test (ref, ask_stopped_actor_fails_fast, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    act_msg_t *msg = act_msg_new (MSG_STOP);
    cr_assert_eq (act_tell (echo, &msg), 0);
    cr_assert_eq (act_ref_wait (echo, 5000, NULL), 0);
    cr_assert_not (act_ref_alive (echo));

    //  Without a limit: ESRCH says it failed at once, and a wait that
    //  never ends fails the test at its timeout, with no clock read here
    msg = act_msg_new_str (MSG_PING, "anyone?");
    errno = 0;
    act_msg_t *reply = act_ask (echo, &msg, -1);
    cr_assert_null (reply);
    cr_assert_eq (errno, ESRCH, "errno %d (%s)", errno, strerror (errno));
    cr_assert_null (msg);

    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

Test (ref, ask_pending_while_target_stops, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);

    //  The actor takes the ask, does not reply, and stops 200 ms later
    act_msg_t *msg = act_msg_new (MSG_HOLD);
    errno = 0;
    act_msg_t *reply = act_ask (echo, &msg, -1);
    cr_assert_null (reply);
    cr_assert_eq (errno, ESRCH, "errno %d (%s)", errno, strerror (errno));
    cr_assert_not (act_ref_alive (echo));

    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

Test (ref, ask_queued_behind_a_stop, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);

    //  The ask waits in the mailbox behind a stop: it goes to dead letters
    //  and its waiter hears at once
    act_msg_t *msg = act_msg_new (MSG_STOP);
    cr_assert_eq (act_tell (echo, &msg), 0);
    msg = act_msg_new_str (MSG_PING, "too late");
    errno = 0;
    act_msg_t *reply = act_ask (echo, &msg, -1);
    cr_assert_null (reply);
    cr_assert_eq (errno, ESRCH, "errno %d (%s)", errno, strerror (errno));
    ACT_ASSERT_EVENTUALLY (act_system_dead_letters (system) >= 1, 2000);

    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  asking from inside a callback: the loop would wait on itself

static atomic_int s_self_ask_errno;
static atomic_int s_other_ask_errno;
static atomic_int s_self_wait_errno;
static atomic_int s_ask_took_msg;
static atomic_int s_kick_done;

static int
s_deadlock_handle (act_t *self, act_msg_t *msg)
{
    if (act_msg_type (msg) != MSG_KICK) {
        return ACT_OK;
    }
    act_ref_t *other = *(act_ref_t **) act_msg_data (msg);
    int took = 1;

    act_msg_t *ask = act_msg_new (MSG_PING);
    errno = 0;
    act_msg_t *reply = act_ask (act_self (self), &ask, -1);
    atomic_store (&s_self_ask_errno, reply ? 0 : errno);
    took &= ask == NULL;
    act_msg_destroy (&reply);
    act_msg_destroy (&ask);

    ask = act_msg_new (MSG_PING);
    errno = 0;
    reply = act_ask (other, &ask, -1);
    atomic_store (&s_other_ask_errno, reply ? 0 : errno);
    took &= ask == NULL;
    act_msg_destroy (&reply);
    act_msg_destroy (&ask);

    errno = 0;
    int rc = act_ref_wait (act_self (self), -1, NULL);
    atomic_store (&s_self_wait_errno, rc == 0 ? 0 : errno);

    atomic_store (&s_ask_took_msg, took);
    atomic_store (&s_kick_done, 1);
    return ACT_OK;
}

static const act_class_t s_deadlock = {
    .name = "deadlock", .handle = s_deadlock_handle
};

Test (ref, ask_from_a_callback_fails_edeadlk, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    act_ref_t *asker = act_spawn (system, &s_deadlock, NULL);
    act_msg_t *kick = act_msg_new_data (MSG_KICK, &echo, sizeof echo);
    cr_assert_eq (act_tell (asker, &kick), 0);
    //  All three fail at once: they wait without a limit, so one that
    //  waited would never let the handler end
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_kick_done), 5000);
    cr_assert_eq (atomic_load (&s_self_ask_errno), EDEADLK);
    cr_assert_eq (atomic_load (&s_other_ask_errno), EDEADLK);
    cr_assert_eq (atomic_load (&s_self_wait_errno), EDEADLK);
    cr_assert (atomic_load (&s_ask_took_msg), "act_ask takes the message");
    cr_assert (act_ref_alive (asker));

    act_ref_destroy (&asker);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  forwarding keeps the original sender

typedef struct {
    act_ref_t *back;            //  owned
} front_t;

static int
s_front_setup (act_t *self, void *args)
{
    front_t *state = act_state (self);
    state->back = act_ref_dup ((act_ref_t *) args);
    return state->back ? ACT_OK : -1;
}

static int
s_front_handle (act_t *self, act_msg_t *msg)
{
    front_t *state = act_state (self);
    //  msg is borrowed; telling it on takes it over
    return act_tell (state->back, &msg) == 0 ? ACT_OK : -1;
}

static void
s_front_teardown (act_t *self)
{
    front_t *state = act_state (self);
    act_ref_destroy (&state->back);
}

static const act_class_t s_front = {
    .name = "front", .state_size = sizeof (front_t), .setup = s_front_setup,
    .handle = s_front_handle, .teardown = s_front_teardown
};

static atomic_int s_back_saw_front;

static int
s_back_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    const char *sender = act_ref_name (act_msg_sender (msg));
    if (sender && streq (sender, "front")) {
        atomic_store (&s_back_saw_front, 1);
    }
    act_msg_t *reply = act_msg_new_str (MSG_PING, "from the back");
    act_reply (msg, &reply);
    return ACT_OK;
}

static const act_class_t s_back = { .name = "back", .handle = s_back_handle };

Test (ref, forward_keeps_original_sender, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *back = act_spawn_named (system, "back", &s_back, NULL);
    act_ref_t *front = act_spawn_named (system, "front", &s_front, back);
    cr_assert_not_null (back);
    cr_assert_not_null (front);

    act_msg_t *msg = act_msg_new (MSG_PING);
    act_msg_t *reply = act_ask (front, &msg, 3000);
    cr_assert_not_null (reply, "ask through front failed: %s", strerror (errno));
    cr_assert_str_eq (act_msg_str (reply), "from the back");
    //  The reply comes straight from the back, which never saw the front as sender
    cr_assert_not_null (act_msg_sender (reply));
    cr_assert_str_eq (act_ref_name (act_msg_sender (reply)), "back");
    cr_assert_not (atomic_load (&s_back_saw_front));
    act_msg_destroy (&reply);

    act_ref_destroy (&front);
    act_ref_destroy (&back);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  a message told from a callback gets the actor as its sender

static atomic_int s_replies_seen;

static int
s_caller_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) == MSG_KICK) {
        act_ref_t *echo = *(act_ref_t **) act_msg_data (msg);
        act_msg_t *ping = act_msg_new_str (MSG_PING, "ping");
        return act_tell (echo, &ping) == 0 ? ACT_OK : -1;
    }
    if (act_msg_type (msg) == MSG_PING) {
        //  The echo's reply, which could only come back here
        atomic_fetch_add (&s_replies_seen, 1);
    }
    return ACT_OK;
}

static const act_class_t s_caller = { .name = "caller", .handle = s_caller_handle };

Test (ref, tell_from_a_callback_sets_sender, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    act_ref_t *caller = act_spawn (system, &s_caller, NULL);
    act_msg_t *kick = act_msg_new_data (MSG_KICK, &echo, sizeof echo);
    cr_assert_eq (act_tell (caller, &kick), 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_replies_seen) == 1, 3000);
    act_ref_destroy (&caller);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------

Test (ref, tell_to_stopped_actor_is_dead_letter, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    act_msg_t *msg = act_msg_new (MSG_STOP);
    cr_assert_eq (act_tell (echo, &msg), 0);
    cr_assert_eq (act_ref_wait (echo, 5000, NULL), 0);
    uint64_t before = act_system_dead_letters (system);

    for (int i = 0; i < 3; i++) {
        msg = act_msg_new_str (MSG_PING, "lost");
        errno = 0;
        cr_assert_eq (act_tell (echo, &msg), -1);
        cr_assert_eq (errno, ESRCH);
        cr_assert_null (msg, "act_tell always takes the message");
    }
    cr_assert_eq (act_system_dead_letters (system), before + 3);

    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

Test (ref, wait_with_timeout_and_reason, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);

    //  A live actor: the wait times out, no earlier than asked
    act_exit_t why = { ACT_EXIT_SHUTDOWN, -7 };
    int64_t start = act_test_now_us ();
    errno = 0;
    cr_assert_eq (act_ref_wait (echo, 200, &why), -1);
    int64_t elapsed = act_test_now_us () - start;
    cr_assert_eq (errno, ETIMEDOUT);
    cr_assert_geq (elapsed, 199 * 1000);
    cr_assert_leq (elapsed, 2200 * 1000);
    errno = 0;
    cr_assert_eq (act_ref_wait (echo, 0, NULL), -1);
    cr_assert_eq (errno, ETIMEDOUT);

    //  Once it stops, the wait returns why
    act_msg_t *msg = act_msg_new (MSG_STOP);
    cr_assert_eq (act_tell (echo, &msg), 0);
    cr_assert_eq (act_ref_wait (echo, 5000, &why), 0);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    cr_assert_eq (why.code, 0);
    //  And again, at once, as often as asked
    cr_assert_eq (act_ref_wait (echo, 0, &why), 0);
    cr_assert_eq (act_ref_wait (echo, -1, NULL), 0);

    //  A stop with an error code
    act_ref_t *failing = act_spawn (system, &s_echo, NULL);
    msg = act_msg_new (MSG_FAIL);
    cr_assert_eq (act_tell (failing, &msg), 0);
    cr_assert_eq (act_ref_wait (failing, 5000, &why), 0);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    cr_assert_eq (why.code, 42);
    cr_assert (act_exit_failed (&why));

    act_ref_destroy (&failing);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

Test (ref, wait_with_no_limit_from_another_thread, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    act_msg_t *msg = act_msg_new (MSG_HOLD);
    cr_assert_eq (act_tell (echo, &msg), 0);
    //  MSG_HOLD stops the actor 200 ms later; -1 waits as long as it takes
    act_exit_t why;
    cr_assert_eq (act_ref_wait (echo, -1, &why), 0);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

Test (ref, names_and_duplicates, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *alice = act_spawn_named (system, "alice", &s_echo, NULL);
    act_ref_t *anon = act_spawn (system, &s_echo, NULL);
    cr_assert_str_eq (act_ref_name (alice), "alice");
    cr_assert_null (act_ref_name (anon));

    act_ref_t *copy = act_ref_dup (alice);
    cr_assert_not_null (copy);
    cr_assert_str_eq (act_ref_name (copy), "alice");
    //  A dup names the same actor
    act_msg_t *msg = act_msg_new (MSG_STOP);
    cr_assert_eq (act_tell (copy, &msg), 0);
    cr_assert_eq (act_ref_wait (alice, 5000, NULL), 0);
    cr_assert_not (act_ref_alive (copy));
    act_ref_destroy (&copy);
    cr_assert_null (copy);
    //  The original is still usable, and still named
    cr_assert_str_eq (act_ref_name (alice), "alice");

    act_ref_destroy (&anon);
    act_ref_destroy (&alice);
    act_system_destroy (&system);
}

Test (ref, outlives_its_system, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    act_ref_t *named = act_spawn_named (system, "named", &s_echo, NULL);
    act_system_destroy (&system);

    //  Every use of the reference stays safe and says "stopped"
    cr_assert_not (act_ref_alive (echo));
    act_msg_t *msg = act_msg_new (MSG_PING);
    errno = 0;
    cr_assert_eq (act_tell (echo, &msg), -1);
    cr_assert_eq (errno, ESRCH);
    cr_assert_null (msg);

    msg = act_msg_new (MSG_PING);
    errno = 0;
    cr_assert_null (act_ask (echo, &msg, -1));
    cr_assert_eq (errno, ESRCH);

    act_exit_t why;
    cr_assert_eq (act_ref_wait (echo, 1000, &why), 0);
    cr_assert_eq (why.kind, ACT_EXIT_SHUTDOWN);
    cr_assert_str_eq (act_ref_name (named), "named");

    act_ref_t *copy = act_ref_dup (echo);
    cr_assert_not_null (copy);
    act_ref_destroy (&copy);
    act_ref_destroy (&named);
    act_ref_destroy (&echo);
}

Test (ref, bad_input, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);

    //  act_tell always takes the message, even when it refuses it
    act_msg_t *msg = act_msg_new (MSG_PING);
    errno = 0;
    cr_assert_eq (act_tell (NULL, &msg), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_null (msg);
    errno = 0;
    cr_assert_eq (act_tell (echo, NULL), -1);
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_eq (act_tell (echo, &msg), -1);
    cr_assert_eq (errno, EINVAL);

    //  act_reply needs a request with a sender
    act_msg_t *request = act_msg_new (MSG_PING);
    act_msg_t *reply = act_msg_new (MSG_PING);
    errno = 0;
    cr_assert_eq (act_reply (request, &reply), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_null (reply, "act_reply takes the reply");
    reply = act_msg_new (MSG_PING);
    errno = 0;
    cr_assert_eq (act_reply (NULL, &reply), -1);
    cr_assert_eq (errno, EINVAL);
    act_msg_destroy (&reply);
    errno = 0;
    cr_assert_eq (act_reply (request, NULL), -1);
    cr_assert_eq (errno, EINVAL);
    act_msg_destroy (&request);

    //  act_ask
    msg = act_msg_new (MSG_PING);
    errno = 0;
    cr_assert_null (act_ask (NULL, &msg, 100));
    cr_assert_eq (errno, EINVAL);
    cr_assert_null (msg, "act_ask takes the message");
    errno = 0;
    cr_assert_null (act_ask (echo, NULL, 100));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_ask (echo, &msg, 100));
    cr_assert_eq (errno, EINVAL);

    //  References
    errno = 0;
    cr_assert_null (act_ref_dup (NULL));
    cr_assert_eq (errno, EINVAL);
    act_ref_destroy (NULL);
    act_ref_t *none = NULL;
    act_ref_destroy (&none);
    cr_assert_not (act_ref_alive (NULL));
    cr_assert_null (act_ref_name (NULL));
    errno = 0;
    cr_assert_eq (act_ref_wait (NULL, 10, NULL), -1);
    cr_assert_eq (errno, EINVAL);

    //  An inbox cannot be waited for
    act_inbox_t *inbox = act_inbox_new (system);
    errno = 0;
    cr_assert_eq (act_ref_wait (act_inbox_ref (inbox), 10, NULL), -1);
    cr_assert_eq (errno, EINVAL);
    act_inbox_destroy (&inbox);

    //  None of it hurt the loop
    msg = act_msg_new_str (MSG_PING, "ok");
    reply = act_ask (echo, &msg, 2000);
    cr_assert_not_null (reply);
    act_msg_destroy (&reply);

    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  a reply that comes after its ask gave up is not taken for the next one

static int
s_late_reply (act_t *self, int timer_id, void *arg)
{
    (void) self; (void) timer_id;
    act_msg_t *request = arg;
    act_msg_t *reply = act_msg_new_str (MSG_PING, act_msg_str (request));
    act_reply (request, &reply);
    act_msg_destroy (&request);
    return ACT_OK;
}

static int
s_slow_handle (act_t *self, act_msg_t *msg)
{
    //  Keep a copy (same sender and correlation id), answer in 300 ms
    act_msg_t *copy = act_msg_dup (msg);
    return act_after (self, 300, s_late_reply, copy) > 0 ? ACT_OK : -1;
}

static const act_class_t s_slow = { .name = "slow", .handle = s_slow_handle };

Test (ref, late_reply_is_not_taken_for_the_next_ask, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *slow = act_spawn (system, &s_slow, NULL);

    act_msg_t *msg = act_msg_new_str (MSG_PING, "first");
    errno = 0;
    cr_assert_null (act_ask (slow, &msg, 100));
    cr_assert_eq (errno, ETIMEDOUT);
    //  "first" is answered while this ask waits: it must get "second"
    msg = act_msg_new_str (MSG_PING, "second");
    act_msg_t *reply = act_ask (slow, &msg, 3000);
    cr_assert_not_null (reply, "%s", strerror (errno));
    cr_assert_str_eq (act_msg_str (reply), "second");
    act_msg_destroy (&reply);

    act_ref_destroy (&slow);
    act_system_destroy (&system);
}

//  One timeout rule for every waiting call: ACT_FOREVER waits, 0 polls.
Test (ref, timeout_rule_forever_and_poll, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *slow = act_spawn (system, &s_slow, NULL);
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);

    //  -1 waits for a reply that comes 300 ms later
    act_msg_t *msg = act_msg_new_str (MSG_PING, "later");
    act_msg_t *reply = act_ask (slow, &msg, ACT_FOREVER);
    cr_assert_not_null (reply, "%s", strerror (errno));
    cr_assert_str_eq (act_msg_str (reply), "later");
    act_msg_destroy (&reply);

    //  0 does not wait (for a reply that never comes, here)
    msg = act_msg_new (MSG_IGNORE);
    errno = 0;
    cr_assert_null (act_ask (echo, &msg, 0));
    cr_assert_eq (errno, ETIMEDOUT);
    act_inbox_t *inbox = act_inbox_new (system);
    errno = 0;
    cr_assert_null (act_inbox_recv (inbox, 0));
    cr_assert_eq (errno, ETIMEDOUT);
    errno = 0;
    cr_assert_eq (act_ref_wait (echo, 0, NULL), -1);
    cr_assert_eq (errno, ETIMEDOUT);
    errno = 0;
    cr_assert_eq (act_system_wait (system, 0), -1);
    cr_assert_eq (errno, ETIMEDOUT);

    //  ... and once the thing is there, 0 finds it at once
    msg = act_msg_new (MSG_STOP);
    act_tell (echo, &msg);
    act_exit_t why;
    cr_assert_eq (act_ref_wait (echo, ACT_FOREVER, &why), 0);
    cr_assert_eq (act_ref_wait (echo, 0, &why), 0);
    msg = act_msg_new (MSG_PING);
    act_tell (act_inbox_ref (inbox), &msg);
    reply = act_inbox_recv (inbox, 0);
    cr_assert_not_null (reply);
    act_msg_destroy (&reply);

    act_inbox_destroy (&inbox);
    act_ref_destroy (&echo);
    act_ref_destroy (&slow);
    act_system_destroy (&system);
}

typedef struct {
    act_ref_t *ref;
    int rc;
    act_exit_t why;
} waiter_t;

static void *
s_waiter (void *arg)
{
    waiter_t *waiter = arg;
    waiter->rc = act_ref_wait (waiter->ref, 5000, &waiter->why);
    return NULL;
}

Test (ref, many_threads_wait_for_one_actor, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    pthread_t threads [4];
    waiter_t waiters [4];
    for (int i = 0; i < 4; i++) {
        waiters [i] = (waiter_t) { echo, -2, { ACT_EXIT_SHUTDOWN, -1 } };
        cr_assert_eq (pthread_create (&threads [i], NULL, s_waiter, &waiters [i]), 0);
    }
    act_msg_t *msg = act_msg_new (MSG_FAIL);
    cr_assert_eq (act_tell (echo, &msg), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join (threads [i], NULL);
        cr_assert_eq (waiters [i].rc, 0, "waiter %d", i);
        cr_assert_eq (waiters [i].why.kind, ACT_EXIT_ERROR);
        cr_assert_eq (waiters [i].why.code, 42);
    }
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  actors of two systems talk through their references

static atomic_int s_volleys;

static int
s_player_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) != MSG_PING) {
        return ACT_OK;
    }
    int count = 0;
    memcpy (&count, act_msg_data (msg), sizeof count);
    atomic_fetch_add (&s_volleys, 1);
    if (count >= 2000) {
        return ACT_OK;
    }
    count++;
    //  The sender is the player in the other system
    act_msg_t *back = act_msg_new_data (MSG_PING, &count, sizeof count);
    return act_reply (msg, &back) == 0 ? ACT_OK : -1;
}

static const act_class_t s_player = { .name = "player", .handle = s_player_handle };

static int
s_serve_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    act_ref_t *other = *(act_ref_t **) act_msg_data (msg);
    int count = 0;
    act_msg_t *ball = act_msg_new_data (MSG_PING, &count, sizeof count);
    return act_tell (other, &ball) == 0 ? ACT_OK : -1;
}

static int
s_server_handle (act_t *self, act_msg_t *msg)
{
    return act_msg_type (msg) == MSG_KICK ? s_serve_handle (self, msg)
                                          : s_player_handle (self, msg);
}

static const act_class_t s_server = { .name = "server", .handle = s_server_handle };

Test (ref, ping_pong_across_two_systems, .timeout = 30)
{
    act_system_t *east = act_test_system ();
    act_system_t *west = act_test_system ();
    act_ref_t *server = act_spawn (east, &s_server, NULL);
    act_ref_t *player = act_spawn (west, &s_player, NULL);
    act_msg_t *kick = act_msg_new_data (MSG_KICK, &player, sizeof player);
    cr_assert_eq (act_tell (server, &kick), 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_volleys) == 2001, 10000);
    cr_assert (act_ref_alive (server));
    cr_assert (act_ref_alive (player));
    cr_assert_eq (act_system_dead_letters (east) + act_system_dead_letters (west), 0);

    act_ref_destroy (&player);
    act_ref_destroy (&server);
    act_system_destroy (&west);
    act_system_destroy (&east);
}

//  --------------------------------------------------------------------------
//  act_ref_stop: a parent whose child is stopped from outside

static atomic_int s_teardowns;

static void
s_child_teardown (act_t *self)
{
    (void) self;
    atomic_fetch_add (&s_teardowns, 1);
}

static const act_class_t s_child = {
    .name = "child", .handle = s_echo_handle, .teardown = s_child_teardown
};

//  The parent spawns one child and tells the inbox in args about it (a
//  message whose sender is the child), then each child_stopped's reason.
static int
s_parent_setup (act_t *self, void *args)
{
    *(act_ref_t **) act_state (self) = (act_ref_t *) args;
    act_ref_t *child = act_spawn_child (self, &s_child, NULL);
    act_msg_t *msg = act_msg_new (MSG_KICK);
    act_msg_set_sender (msg, child);
    return act_tell ((act_ref_t *) args, &msg);
}

static void
s_parent_child_stopped (act_t *self, act_ref_t *child, const act_exit_t *why)
{
    act_msg_t *msg = act_msg_new_data (MSG_REPORT, why, sizeof *why);
    act_msg_set_sender (msg, child);
    act_tell (*(act_ref_t **) act_state (self), &msg);
}

static const act_class_t s_parent = {
    .name = "parent", .state_size = sizeof (act_ref_t *), .setup = s_parent_setup,
    .child_stopped = s_parent_child_stopped
};

//  Spawn a parent reporting to inbox; returns its child (owned).
static act_ref_t *
s_spawn_family (act_system_t *system, act_inbox_t *inbox, act_ref_t **parent_p)
{
    *parent_p = act_spawn (system, &s_parent, act_inbox_ref (inbox));
    act_msg_t *msg = act_inbox_recv (inbox, 5000);
    cr_assert_not_null (msg);
    cr_assert_eq (act_msg_type (msg), MSG_KICK);
    act_ref_t *child = act_ref_dup (act_msg_sender (msg));
    act_msg_destroy (&msg);
    return child;
}

static act_exit_t
s_expect_child_stopped (act_inbox_t *inbox, act_ref_t *child)
{
    act_msg_t *msg = act_inbox_recv (inbox, 5000);
    cr_assert_not_null (msg, "no child_stopped");
    cr_assert_eq (act_msg_type (msg), MSG_REPORT);
    cr_assert (act_ref_eq (act_msg_sender (msg), child));
    act_exit_t why;
    memcpy (&why, act_msg_data (msg), sizeof why);
    act_msg_destroy (&msg);
    return why;
}

Test (ref, stop_from_another_thread, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_inbox_t *inbox = act_inbox_new (system);
    act_ref_t *parent;
    act_ref_t *child = s_spawn_family (system, inbox, &parent);

    cr_assert_eq (act_ref_stop (child, 17), 0, "%s", strerror (errno));
    act_exit_t why = s_expect_child_stopped (inbox, child);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    cr_assert_eq (why.code, 17);
    cr_assert_eq (atomic_load (&s_teardowns), 1);
    //  Stopped already
    errno = 0;
    cr_assert_eq (act_ref_stop (child, 1), -1);
    cr_assert_eq (errno, ESRCH);
    cr_assert (act_ref_alive (parent), "the parent handled it");

    //  0 is a normal stop
    cr_assert_eq (act_ref_stop (parent, 0), 0);
    cr_assert_eq (act_ref_wait (parent, ACT_FOREVER, &why), 0);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    cr_assert_eq (atomic_load (&s_teardowns), 1, "teardown once");

    act_ref_destroy (&child);
    act_ref_destroy (&parent);
    act_inbox_destroy (&inbox);
    act_system_destroy (&system);
}

//  stopper: stops the sender of each message it gets, twice, with the
//  code in the payload and then another
static int
s_stopper_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    int code;
    memcpy (&code, act_msg_data (msg), sizeof code);
    int first = act_ref_stop (act_msg_sender (msg), code);
    int second = act_ref_stop (act_msg_sender (msg), code + 1);
    return first == 0 && second == 0 ? ACT_OK : -1;
}

static const act_class_t s_stopper = { .name = "stopper", .handle = s_stopper_handle };

Test (ref, stop_from_another_actor, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_inbox_t *inbox = act_inbox_new (system);
    act_ref_t *parent;
    act_ref_t *child = s_spawn_family (system, inbox, &parent);
    act_ref_t *stopper = act_spawn (system, &s_stopper, NULL);

    int code = 23;
    act_msg_t *msg = act_msg_new_data (MSG_KICK, &code, sizeof code);
    act_msg_set_sender (msg, child);
    act_tell (stopper, &msg);
    act_exit_t why = s_expect_child_stopped (inbox, child);
    cr_assert_eq (why.kind, ACT_EXIT_ERROR);
    cr_assert_eq (why.code, 23, "the first reason stands");
    cr_assert_eq (atomic_load (&s_teardowns), 1, "teardown once");
    cr_assert (act_ref_alive (stopper), "both stops were accepted");
    cr_assert_eq (act_inbox_size (inbox), 0, "one child_stopped");

    cr_assert_eq (act_ref_stop (act_inbox_ref (inbox), 0), -1);
    cr_assert_eq (errno, EINVAL, "an inbox is not stopped so");
    cr_assert_eq (act_ref_stop (NULL, 0), -1);
    cr_assert_eq (errno, EINVAL);

    act_ref_destroy (&stopper);
    act_ref_destroy (&child);
    act_ref_destroy (&parent);
    act_inbox_destroy (&inbox);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  Identity

typedef struct {
    size_t counted;         //  act_children (self, NULL, 0)
    size_t cut;             //  act_children with room for 2
    bool cut_oldest;        //  ... filled the two oldest
    bool in_order;          //  room for 4: all three, oldest first
    size_t count;           //  act_children's return, written last
    act_ref_t *refs [4];    //  what it filled (dup'd)
} s_kids_t;

//  Asserts stay on the test's thread: this records what it saw.
static int
s_kids_setup (act_t *self, void *args)
{
    s_kids_t *kids = args;
    act_ref_t *made [3];
    for (int i = 0; i < 3; i++)
        made [i] = act_spawn_child (self, &s_echo, NULL);
    act_ref_t *out [4] = { NULL };
    kids->counted = act_children (self, NULL, 0);
    kids->cut = act_children (self, out, 2);
    kids->cut_oldest = out [0] == made [0] && out [1] == made [1] && !out [2];
    size_t count = act_children (self, out, 4);
    kids->in_order = out [0] == made [0] && out [1] == made [1] && out [2] == made [2]
                  && !out [3];
    for (int i = 0; i < 4; i++)
        kids->refs [i] = out [i] ? act_ref_dup (out [i]) : NULL;
    __atomic_store_n (&kids->count, count, __ATOMIC_RELEASE);
    return ACT_OK;
}

static const act_class_t s_kids = { .name = "kids", .setup = s_kids_setup };

Test (ref, identity_and_children, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *named = act_spawn_named (system, "alice", &s_echo, NULL);
    act_ref_t *anon = act_spawn (system, &s_echo, NULL);
    act_ref_t *same = act_ref_dup (anon);
    act_inbox_t *inbox = act_inbox_new (system);

    cr_assert (act_ref_eq (anon, same));
    cr_assert_not (act_ref_eq (anon, named));
    cr_assert_not (act_ref_eq (anon, NULL));
    cr_assert_not (act_ref_eq (NULL, NULL));

    cr_assert_str_eq (act_ref_id (named), "test!alice");
    const char *id = act_ref_id (anon);
    cr_assert_not_null (id);
    cr_assert_eq (strncmp (id, "test!#", 6), 0, "id %s", id);
    cr_assert_eq (act_ref_id (same), id, "stable");
    cr_assert_str_neq (act_ref_id (act_inbox_ref (inbox)), id, "unique");
    cr_assert_null (act_ref_id (NULL));
    cr_assert_eq (errno, EINVAL);

    s_kids_t kids = { 0 };
    act_ref_t *parent = act_spawn (system, &s_kids, &kids);
    ACT_ASSERT_EVENTUALLY (__atomic_load_n (&kids.count, __ATOMIC_ACQUIRE) == 3, 5000);
    cr_assert_eq (kids.counted, 3, "counts only");
    cr_assert_eq (kids.cut, 3, "more than fit");
    cr_assert (kids.cut_oldest);
    cr_assert (kids.in_order, "oldest first");
    for (int i = 0; i < 3; i++) {
        cr_assert (act_ref_alive (kids.refs [i]));
        act_ref_destroy (&kids.refs [i]);
    }
    cr_assert_null (kids.refs [3]);
    errno = 0;
    cr_assert_eq (act_children (NULL, NULL, 0), 0);
    cr_assert_eq (errno, EINVAL, "off the loop");

    act_ref_destroy (&parent);
    act_inbox_destroy (&inbox);
    act_ref_destroy (&same);
    act_ref_destroy (&anon);
    act_ref_destroy (&named);
    act_system_destroy (&system);
}
