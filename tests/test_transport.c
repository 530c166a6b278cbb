/*  test_transport - messages between groups over ipc://
    SPDX-License-Identifier: MPL-2.0

    Most cases join two systems of this process to one run directory: the
    sockets, frames and codec are the real ones, only the processes are
    shared. The stream test forks a second process.
*/
#include "act_test.h"
#include <stdatomic.h>
#include "act_host.h"
#include "act_link.h"
#include "act_msg_priv.h"
#include "act_test_run.h"
#include <fcntl.h>
#include <pthread.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

Test (transport, ask_an_actor_of_another_group, .timeout = 20)
{
    s_run_t run = s_run_new ();
    act_ref_t *echo = act_spawn_named (run.b, "echo", act_builtin_find ("echo"), NULL);
    act_ref_t *remote = act_lookup (run.a, "b/echo");
    cr_assert_not_null (remote);

    act_msg_t *msg = act_msg_new_str (7, "across");
    act_msg_t *reply = act_ask (remote, &msg, 5000);
    cr_assert_not_null (reply, "ask failed: %s", strerror (errno));
    cr_assert_eq (act_msg_type (reply), 7);
    cr_assert_str_eq (act_msg_str (reply), "across");
    act_msg_destroy (&reply);

    act_transport_stats_t stats;
    act_transport_stats (run.b, &stats);
    cr_assert_eq (stats.received, 1);
    cr_assert_eq (stats.sent, 1);
    act_ref_destroy (&remote);
    act_ref_destroy (&echo);
    s_run_destroy (&run);
}

Test (transport, own_group_address_is_local, .timeout = 20)
{
    s_run_t run = s_run_new ();
    act_ref_t *echo = act_spawn_named (run.b, "echo", act_builtin_find ("echo"), NULL);
    act_ref_t *local = act_lookup (run.b, "b/echo");
    cr_assert_eq (local, echo, "b/echo in b is the actor itself");
    act_ref_destroy (&local);
    act_ref_destroy (&echo);
    s_run_destroy (&run);
}

//  An actor of group a that tells b/echo and reports the reply.
static int
s_caller_setup (act_t *self, void *args)
{
    act_system_t *system = (act_system_t *) ((void **) args) [0];
    act_ref_t *echo = act_lookup (system, "b/echo");
    act_msg_t *msg = act_msg_new_str (1, "from an actor");
    int rc = act_tell (echo, &msg);
    act_ref_destroy (&echo);
    *(act_ref_t **) act_state (self) = act_ref_dup (((act_ref_t **) args) [1]);
    return rc;
}

static int
s_caller_handle (act_t *self, act_msg_t *msg)
{
    act_ref_t *inbox = *(act_ref_t **) act_state (self);
    act_msg_t *copy = act_msg_dup (msg);
    act_tell (inbox, &copy);
    act_ref_destroy (&inbox);
    return ACT_STOP;
}

static const act_class_t s_caller = { .name = "caller", .state_size = sizeof (void *),
                                      .setup = s_caller_setup, .handle = s_caller_handle };

Test (transport, reply_finds_an_anonymous_actor, .timeout = 20)
{
    s_run_t run = s_run_new ();
    act_ref_t *echo = act_spawn_named (run.b, "echo", act_builtin_find ("echo"), NULL);
    act_inbox_t *inbox = act_inbox_new (run.a);
    void *args [2] = { run.a, act_inbox_ref (inbox) };
    act_ref_t *caller = act_spawn (run.a, &s_caller, args);

    act_msg_t *got = act_inbox_recv (inbox, 5000);
    cr_assert_not_null (got, "the echo's reply never reached the caller");
    cr_assert_str_eq (act_msg_str (got), "from an actor");
    cr_assert_str_eq (act_ref_name (act_msg_sender (got)), "b/echo",
                      "the reply's sender is the remote echo's address");
    act_msg_destroy (&got);
    cr_assert_eq (act_ref_wait (caller, 5000, NULL), 0);
    act_ref_destroy (&caller);
    act_ref_destroy (&echo);
    act_inbox_destroy (&inbox);
    s_run_destroy (&run);
}

Test (transport, unknown_target_fails_the_ask_at_once, .timeout = 20)
{
    s_run_t run = s_run_new ();
    act_ref_t *nobody = act_lookup (run.a, "b/nobody");
    act_msg_t *msg = act_msg_new (1);
    int64_t start = act_test_now_ms ();
    act_msg_t *reply = act_ask (nobody, &msg, 10000);
    cr_assert_null (reply);
    cr_assert_eq (errno, ENOENT, "errno %d (%s)", errno, strerror (errno));
    cr_assert_lt (act_test_now_ms () - start, 5000, "failed at once, not at the timeout");
    act_transport_stats_t stats;
    act_transport_stats (run.b, &stats);
    cr_assert_eq (stats.unknown, 1);
    act_ref_destroy (&nobody);
    s_run_destroy (&run);
}

typedef struct {
    act_ref_t *to;
    int err;
    act_msg_t *reply;
} s_asker_t;

static void *
s_asker (void *arg)
{
    s_asker_t *asker = (s_asker_t *) arg;
    act_msg_t *msg = act_msg_new (1);
    asker->reply = act_ask (asker->to, &msg, 20000);
    asker->err = errno;
    return NULL;
}

Test (transport, peer_down_fails_pending_and_new_asks, .timeout = 30)
{
    s_run_t run = s_run_new ();
    //  A sink never replies: the ask waits until the peer is said down.
    act_ref_t *sink = act_spawn_named (run.b, "sink", act_builtin_find ("sink"), NULL);
    s_asker_t asker = { act_lookup (run.a, "b/sink"), 0, NULL };
    pthread_t thread;
    pthread_create (&thread, NULL, s_asker, &asker);
    ACT_ASSERT_EVENTUALLY (act_system_delivered (run.b) == 1, 5000);

    int64_t start = act_test_now_ms ();
    cr_assert_eq (act_transport_peer_down (run.a, "b"), 0);
    pthread_join (thread, NULL);
    cr_assert_null (asker.reply);
    cr_assert_eq (asker.err, ESRCH);
    cr_assert_lt (act_test_now_ms () - start, 5000);

    //  While down: asks fail at once, tells count as dropped.
    act_msg_t *msg = act_msg_new (2);
    cr_assert_null (act_ask (asker.to, &msg, 10000));
    cr_assert_eq (errno, ESRCH);
    act_transport_stats_t stats;
    act_transport_stats (run.a, &stats);
    cr_assert_geq (stats.dropped, 1);

    //  Back up: messages flow again.
    cr_assert_eq (act_transport_peer_up (run.a, "b"), 0);
    act_ref_t *echo = act_spawn_named (run.b, "echo", act_builtin_find ("echo"), NULL);
    act_ref_t *remote = act_lookup (run.a, "b/echo");
    msg = act_msg_new (3);
    act_msg_t *reply = act_ask (remote, &msg, 5000);
    cr_assert_not_null (reply);
    act_msg_destroy (&reply);
    act_ref_destroy (&remote);
    act_ref_destroy (&echo);
    act_ref_destroy (&asker.to);
    act_ref_destroy (&sink);
    s_run_destroy (&run);
}

Test (transport, garbage_is_dropped_and_counted, .timeout = 30)
{
    s_run_t run = s_run_new ();
    act_ref_t *echo = act_spawn_named (run.b, "echo", act_builtin_find ("echo"), NULL);
    char endpoint [300];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/b", run.rundir);
    zsock_t *rogue = act_test_dealer_named (endpoint, "rogue");
    cr_assert_not_null (rogue);
    //  Not a batch; a bad magic; a truncated record; too many frames;
    //  a record for a reserved type; then one over the size limit.
    zstr_send (rogue, "garbage");
    zsock_send (rogue, "s", "not a batch header");
    unsigned char cut [] = { 0xAC, 1, 0, 1, 0, 4, 0, 0 };
    zmsg_t *truncated = zmsg_new ();
    zmsg_addmem (truncated, cut, sizeof cut);
    zmsg_send (&truncated, rogue);
    zsock_send (rogue, "ssss", "a", "b", "c", "d");
    unsigned char reserved [] = { 0xAC, 1, 0, 1,  0, 4, 0, 0,  0xFF, 0xFF, 0, 1,
                                  0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0,  'e', 'c', 'h', 'o' };
    zmsg_t *system_type = zmsg_new ();
    zmsg_addmem (system_type, reserved, sizeof reserved);
    zmsg_send (&system_type, rogue);
    zframe_t *big = zframe_new (NULL, (4 << 20));
    zmsg_t *oversized = zmsg_new ();
    zmsg_append (oversized, &big);
    zmsg_send (&oversized, rogue);

    act_transport_stats_t stats;
    ACT_ASSERT_EVENTUALLY ((act_transport_stats (run.b, &stats), stats.malformed >= 5), 5000);
    //  The oversized one is refused by libzmq itself (ZMQ_MAXMSGSIZE drops the
    //  connection), so it is not in the codec's count; the group lives on.
    act_ref_t *remote = act_lookup (run.a, "b/echo");
    act_msg_t *msg = act_msg_new_str (5, "still here");
    act_msg_t *reply = act_ask (remote, &msg, 5000);
    cr_assert_not_null (reply, "a good peer's round trip after the garbage");
    act_msg_destroy (&reply);
    act_ref_destroy (&remote);
    act_ref_destroy (&echo);
    zsock_destroy (&rogue);
    s_run_destroy (&run);
}

//  An actor that answers its asks, and stops on type 99.
static int
s_answer_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) == 99)
        return ACT_STOP;
    act_msg_t *reply = act_msg_dup (msg);
    return act_reply (msg, &reply);
}

static const act_class_t s_answer = { .name = "answer", .handle = s_answer_handle };

//  Asks b/name from a; the reply's type, or -errno.
static int
s_ask_type (act_system_t *from, const char *address)
{
    act_ref_t *remote = act_lookup (from, address);
    cr_assert_not_null (remote);
    act_msg_t *msg = act_msg_new_str (7, "who");
    act_msg_t *reply = act_ask (remote, &msg, 5000);
    int result = reply ? (int) act_msg_type (reply) : -errno;
    act_msg_destroy (&reply);
    act_ref_destroy (&remote);
    return result;
}

//  The receiving side remembers the target of the last message between
//  receives: once that actor stops and its name goes to another one,
//  messages for the name reach the new one.
static void
s_name_moves_on (s_run_t *run)
{
    act_ref_t *first = act_spawn_named (run->b, "who", &s_answer, NULL);
    cr_assert_eq (s_ask_type (run->a, "b/who"), 7);
    act_msg_t *stop = act_msg_new (99);
    act_tell (first, &stop);
    act_exit_t why;
    cr_assert_eq (act_ref_wait (first, 5000, &why), 0);
    cr_assert_eq (s_ask_type (run->a, "b/who"), -ENOENT, "a stopped name answers");
    act_ref_t *second = act_spawn_named (run->b, "who", &s_answer, NULL);
    cr_assert_not_null (second);
    cr_assert_eq (s_ask_type (run->a, "b/who"), 7, "the new actor is not reached");
    act_ref_destroy (&first);
    act_ref_destroy (&second);
}

Test (transport, a_name_reaches_its_new_actor_after_the_old_one_stopped, .timeout = 20)
{
    s_run_t run = s_run_new ();
    s_name_moves_on (&run);
    s_run_destroy (&run);
}

//  A message forwarded keeps its first sender: b/x's ping goes to a/fwd,
//  which tells it on to b/echo, which answers its sender, b/x. Then x
//  stops and another actor takes its name: the answer to the next ping
//  must reach the new x, not go to the dead letters of the old one that
//  b's receive still remembered for the address "b/x".
enum { S_GO = 1, S_PING, S_PONG };

typedef struct {
    act_ref_t *inbox;           //  the test's: each pong's x says its id
    act_ref_t *fwd;             //  a/fwd, as b knows it
    int id;                     //  which x
} s_x_args_t;

typedef struct {
    s_x_args_t *args;
} s_x_t;

static int
s_x_setup (act_t *self, void *args)
{
    ((s_x_t *) act_state (self))->args = (s_x_args_t *) args;
    return ACT_OK;
}

static int
s_x_handle (act_t *self, act_msg_t *msg)
{
    s_x_t *state = (s_x_t *) act_state (self);
    if (act_msg_type (msg) == S_GO) {
        act_msg_t *ping = act_msg_new (S_PING);
        return act_tell (state->args->fwd, &ping) == 0 ? ACT_OK : -1;
    }
    if (act_msg_type (msg) == S_PONG) {
        act_msg_t *said = act_msg_new (S_PONG);
        act_msg_set_corr (said, (uint64_t) state->args->id);
        act_tell (state->args->inbox, &said);
        return ACT_OK;
    }
    return act_msg_type (msg) == 99 ? ACT_STOP : ACT_UNHANDLED;
}

static const act_class_t s_x = {
    .name = "x", .state_size = sizeof (s_x_t), .setup = s_x_setup, .handle = s_x_handle
};

//  a/fwd: tells what it gets on to b/echo (its args), its sender kept
typedef struct {
    act_ref_t *echo;
} s_fwd_t;

static int
s_fwd_setup (act_t *self, void *args)
{
    ((s_fwd_t *) act_state (self))->echo = (act_ref_t *) args;
    return ACT_OK;
}

static int
s_fwd_handle (act_t *self, act_msg_t *msg)
{
    act_msg_t *same = msg;
    return act_tell (((s_fwd_t *) act_state (self))->echo, &same) == 0 ? ACT_OK : -1;
}

static const act_class_t s_fwd = {
    .name = "fwd", .state_size = sizeof (s_fwd_t), .setup = s_fwd_setup,
    .handle = s_fwd_handle
};

//  b/echo: a pong to whoever sent it the ping
static int
s_pong_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    act_msg_t *pong = act_msg_new (S_PONG);
    return act_tell (act_msg_sender (msg), &pong) == 0 ? ACT_OK : -1;
}

static const act_class_t s_pong = { .name = "pong", .handle = s_pong_handle };

//  The next pong said to inbox: the id of the x that got it, or -1
static int
s_pong_id (act_inbox_t *inbox)
{
    act_msg_t *said = act_inbox_recv (inbox, 5000);
    int id = said && act_msg_type (said) == S_PONG ? (int) act_msg_corr (said) : -1;
    act_msg_destroy (&said);
    return id;
}

Test (transport, a_forwarded_sender_reaches_the_new_actor_of_its_name, .timeout = 30)
{
    s_run_t run = s_run_new ();
    act_inbox_t *inbox = act_inbox_new (run.b);
    act_ref_t *to_echo = act_lookup (run.a, "b/echo");
    act_ref_t *to_fwd = act_lookup (run.b, "a/fwd");
    act_ref_t *fwd = act_spawn_named (run.a, "fwd", &s_fwd, to_echo);
    act_ref_t *echo = act_spawn_named (run.b, "echo", &s_pong, NULL);
    s_x_args_t first_args = { act_inbox_ref (inbox), to_fwd, 1 };
    act_ref_t *first = act_spawn_named (run.b, "x", &s_x, &first_args);
    cr_assert (fwd && echo && first);
    act_msg_t *go = act_msg_new (S_GO);
    cr_assert_eq (act_tell (first, &go), 0);
    cr_assert_eq (s_pong_id (inbox), 1);

    act_msg_t *stop = act_msg_new (99);
    act_tell (first, &stop);
    act_exit_t why;
    cr_assert_eq (act_ref_wait (first, 5000, &why), 0);
    s_x_args_t second_args = { act_inbox_ref (inbox), to_fwd, 2 };
    act_ref_t *second = act_spawn_named (run.b, "x", &s_x, &second_args);
    cr_assert_not_null (second);
    go = act_msg_new (S_GO);
    cr_assert_eq (act_tell (second, &go), 0);
    cr_assert_eq (s_pong_id (inbox), 2, "the pong went to the stopped x");

    act_ref_destroy (&first);
    act_ref_destroy (&second);
    act_ref_destroy (&echo);
    act_ref_destroy (&fwd);
    s_run_destroy (&run);
    act_ref_destroy (&to_echo);
    act_ref_destroy (&to_fwd);
    act_inbox_destroy (&inbox);
}

//  Groups a and b of one run in this process, on the shared-memory link:
//  a region of 16 KiB rings they share, which this process made (as
//  actor-run does before it forks); *region_p to destroy after the run.
static s_run_t
s_run_shm (act_region_t **region_p)
{
    const char *groups [] = { "a", "b" };
    *region_p = act_region_new (groups, 2, 4096 * 4, 65536);
    cr_assert_not_null (*region_p);
    s_run_t run = { act_test_tmpdir (), act_system_new ("a"), act_system_new ("b") };
    cr_assert_eq (act_transport_join_region (run.a, "a", run.rundir, *region_p, 0, 0), 0);
    cr_assert_eq (act_transport_join_region (run.b, "b", run.rundir, *region_p, 0, 0), 0);
    return run;
}

//  The same over the shared-memory link.
Test (transport, a_name_reaches_its_new_actor_over_shm, .timeout = 20)
{
    act_region_t *region = NULL;
    s_run_t run = s_run_shm (&region);
    s_name_moves_on (&run);
    act_transport_stats_t stats;
    cr_assert_eq (act_transport_link_stats (run.b, "shm", &stats), 0);
    cr_assert_eq (stats.received, 2, "the asks did not cross over shm");
    cr_assert_eq (stats.unknown, 1, "the ask to the stopped name");
    cr_assert_eq (act_transport_link_stats (run.b, "ipc", &stats), 0);
    cr_assert_eq (stats.received, 0);
    s_run_destroy (&run);
    act_region_destroy (&region);
}

//  An actor of group a that tells b/echo in its setup and reports what
//  act_tell said ("rc errno") to the inbox it is given.
static int
s_teller_setup (act_t *self, void *args)
{
    (void) self;
    void **argv = (void **) args;
    act_ref_t *echo = act_lookup ((act_system_t *) argv [0], "b/echo");
    act_msg_t *msg = act_msg_new_str (1, "anyone there?");
    int rc = act_tell (echo, &msg);
    char text [32];
    snprintf (text, sizeof text, "%d %d", rc, rc ? errno : 0);
    act_ref_destroy (&echo);
    act_msg_t *report = act_msg_new_str (2, text);
    act_tell ((act_ref_t *) argv [1], &report);
    return ACT_STOP;
}

static const act_class_t s_teller = { .name = "teller", .setup = s_teller_setup };

//  Asks remote a message holding text, and asserts that it answers.
static void
s_assert_answers (act_ref_t *remote, const char *text)
{
    act_msg_t *msg = act_msg_new_str (4, text);
    act_msg_t *reply = act_ask (remote, &msg, 5000);
    cr_assert_not_null (reply, "no answer to \"%s\": %s", text, strerror (errno));
    act_msg_destroy (&reply);
}

//  An actor that blocks its loop in a handler until the pipe it is
//  given says go: the test holds the group still meanwhile.
typedef struct {
    int fd;                     //  read end of the test's pipe
    atomic_bool inside;         //  the handler blocks now
} s_gate_t;

static int
s_gate_handle (act_t *self, act_msg_t *msg)
{
    s_gate_t *gate = *(s_gate_t **) act_state (self);
    if (act_msg_type (msg) == 1) {
        atomic_store (&gate->inside, true);
        char byte;
        while (read (gate->fd, &byte, 1) < 0 && errno == EINTR) {
        }
    }
    return ACT_OK;
}

static int
s_gate_setup (act_t *self, void *args)
{
    *(s_gate_t **) act_state (self) = (s_gate_t *) args;
    return 0;
}

static const act_class_t s_gate = {
    .name = "gate", .state_size = sizeof (s_gate_t *), .setup = s_gate_setup,
    .handle = s_gate_handle
};

//  Counts what it gets; answers an ask with the count so far.
static int
s_counter_handle (act_t *self, act_msg_t *msg)
{
    long *count = (long *) act_state (self);
    if (act_msg_corr (msg) && act_msg_type (msg) == 7) {
        act_msg_t *reply = act_msg_new_data (7, count, sizeof *count);
        return act_reply (msg, &reply);
    }
    (*count)++;
    return ACT_OK;
}

static const act_class_t s_counter = {
    .name = "counter", .state_size = sizeof (long), .handle = s_counter_handle
};

//  Tells b/counter its count of messages, as fast as the link takes
//  them: refused for room, it goes on when ACT_MSG_WRITABLE comes.
typedef struct {
    act_ref_t *to;
    int left;
} s_pusher_t;

static int
s_pusher_setup (act_t *self, void *args)
{
    s_pusher_t *state = (s_pusher_t *) act_state (self);
    void **argv = (void **) args;
    state->to = act_lookup ((act_system_t *) argv [0], "b/counter");
    state->left = *(int *) argv [1];
    act_msg_t *go = act_msg_new (1);
    return act_tell (act_self (self), &go);
}

static int
s_pusher_handle (act_t *self, act_msg_t *msg)
{
    s_pusher_t *state = (s_pusher_t *) act_state (self);
    (void) msg;
    while (state->left > 0) {
        act_msg_t *one = act_msg_new_str (2, "pushed");
        if (act_tell (state->to, &one))
            return errno == EAGAIN ? ACT_OK : -1;
        state->left--;
    }
    return ACT_STOP;
}

static void
s_pusher_teardown (act_t *self)
{
    act_ref_destroy (&((s_pusher_t *) act_state (self))->to);
}

static const act_class_t s_pusher = {
    .name = "pusher", .state_size = sizeof (s_pusher_t), .setup = s_pusher_setup,
    .handle = s_pusher_handle, .teardown = s_pusher_teardown
};

//  Group b's input is paused (its actors hold as much as it takes) by
//  messages for an actor whose spawn b has not taken yet, so no actor of
//  b can run: b must still take what other threads post, the spawn
//  first. It used to spin on the ring it would not read, never looking
//  at its posts again.
Test (transport, paused_input_still_takes_posts, .timeout = 60)
{
    act_region_t *region = NULL;
    s_run_t run = s_run_shm (&region);
    cr_assert_eq (act_transport_set_inbound (run.b, 50, 0), 0);
    int gate [2];
    cr_assert_eq (pipe (gate), 0);
    s_gate_t state = { gate [0], false };
    act_ref_t *held = act_spawn (run.b, &s_gate, &state);
    act_msg_t *hold = act_msg_new (1);
    cr_assert_eq (act_tell (held, &hold), 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&state.inside), 10000);
    //  b's loop is in the gate's handler: the spawn waits in its posts,
    //  its name is taken at once
    act_ref_t *counter = act_spawn_named (run.b, "counter", &s_counter, NULL);
    cr_assert_not_null (counter);
    act_ref_t *remote = act_lookup (run.a, "b/counter");
    //  More than the ring holds: after b's first read, which pauses it,
    //  the ring fills again
    int sent = 5000;
    void *args [] = { run.a, &sent };
    act_ref_t *pusher = act_spawn (run.a, &s_pusher, args);
    cr_assert_not_null (pusher);
    act_transport_stats_t stats;
    ACT_ASSERT_EVENTUALLY (act_transport_stats (run.a, &stats) == 0 && stats.dropped > 0,
                           10000);
    cr_assert_eq (write (gate [1], "g", 1), 1);
    act_exit_t why;
    cr_assert_eq (act_ref_wait (pusher, 20000, &why), 0, "the pusher is stuck");
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    act_ref_destroy (&pusher);
    act_msg_t *ask = act_msg_new (7);
    act_msg_t *reply = act_ask (remote, &ask, 10000);
    cr_assert_not_null (reply, "b is stuck: %s", strerror (errno));
    long count = 0;
    memcpy (&count, act_msg_data (reply), sizeof count);
    cr_assert_eq (count, sent, "%ld of %d", count, sent);
    act_msg_destroy (&reply);
    close (gate [0]);
    close (gate [1]);
    act_ref_destroy (&remote);
    act_ref_destroy (&counter);
    act_ref_destroy (&held);
    s_run_destroy (&run);
    act_region_destroy (&region);
}

//  Opens /dev/null until the process has one fd left (for an asker's own
//  inbox), under a soft limit lowered to max; returns the fds opened.
static int *
s_use_up_fds (rlim_t max, size_t *count)
{
    struct rlimit limit;
    cr_assert_eq (getrlimit (RLIMIT_NOFILE, &limit), 0);
    limit.rlim_cur = max;
    cr_assert_eq (setrlimit (RLIMIT_NOFILE, &limit), 0);
    int *fds = (int *) calloc (max, sizeof (int));
    *count = 0;
    int fd;
    while ((fd = open ("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
        fds [(*count)++] = fd;
    cr_assert_eq (errno, EMFILE);
    cr_assert_gt (*count, 0, "the process had more than %d fds open", (int) max);
    close (fds [--*count]);
    return fds;
}

Test (transport, out_of_fds_a_tell_fails_and_is_counted, .timeout = 30)
{
    s_run_t run = s_run_new ();
    act_ref_t *echo = act_spawn_named (run.b, "echo", act_builtin_find ("echo"), NULL);
    act_ref_t *remote = act_lookup (run.a, "b/echo");
    act_inbox_t *inbox = act_inbox_new (run.a);
    size_t count;
    int *fds = s_use_up_fds (512, &count);

    //  The first tell to b needs a connection: with no fd for it, the
    //  tell fails (it used to return 0 and the message never came).
    void *args [2] = { run.a, act_inbox_ref (inbox) };
    act_ref_t *teller = act_spawn (run.a, &s_teller, args);
    act_msg_t *got = act_inbox_recv (inbox, 5000);
    cr_assert_not_null (got, "the teller never reported");
    cr_assert_str_eq (act_msg_str (got), "-1 24", "act_tell said %s, not -1 EMFILE (%d)",
                      act_msg_str (got), EMFILE);
    act_msg_destroy (&got);
    //  An ask fails at once, and says why.
    act_msg_t *msg = act_msg_new (3);
    int64_t start = act_test_now_ms ();
    cr_assert_null (act_ask (remote, &msg, 10000));
    cr_assert_eq (errno, EMFILE, "errno %d (%s)", errno, strerror (errno));
    cr_assert_lt (act_test_now_ms () - start, 5000, "failed at once, not at the timeout");
    act_transport_stats_t stats;
    cr_assert_eq (act_transport_link_stats (run.a, "ipc", &stats), 0);
    cr_assert_eq (stats.dropped, 2, "both counted as dropped: %" PRIu64, stats.dropped);
    cr_assert_eq (stats.sent, 0);

    //  With fds again, the next tell connects.
    while (count)
        close (fds [--count]);
    free (fds);
    s_assert_answers (remote, "back");
    act_ref_destroy (&teller);
    act_inbox_destroy (&inbox);
    act_ref_destroy (&remote);
    act_ref_destroy (&echo);
    s_run_destroy (&run);
}

//  A payload over the run's limit is refused at the sender, as act_ref(3)
//  says: a tell from an actor with EMSGSIZE, an ask at once with ESRCH
//  (the peer could never take it); both counted as dropped.
Test (transport, a_payload_over_the_limit_is_refused_at_the_sender, .timeout = 30)
{
    s_run_t run = s_run_limited (8);
    act_ref_t *echo = act_spawn_named (run.b, "echo", act_builtin_find ("echo"), NULL);
    act_ref_t *remote = act_lookup (run.a, "b/echo");
    act_inbox_t *inbox = act_inbox_new (run.a);
    void *args [2] = { run.a, act_inbox_ref (inbox) };
    act_ref_t *teller = act_spawn (run.a, &s_teller, args);
    act_msg_t *got = act_inbox_recv (inbox, 5000);
    cr_assert_not_null (got, "the teller never reported");
    char *expected = zsys_sprintf ("-1 %d", EMSGSIZE);
    cr_assert_str_eq (act_msg_str (got), expected, "act_tell said %s, not -1 EMSGSIZE",
                      act_msg_str (got));
    free (expected);
    act_msg_destroy (&got);

    act_msg_t *msg = act_msg_new_str (3, "nine byte");
    int64_t start = act_test_now_ms ();
    cr_assert_null (act_ask (remote, &msg, 10000));
    cr_assert_eq (errno, EMSGSIZE, "errno %d (%s)", errno, strerror (errno));
    cr_assert_lt (act_test_now_ms () - start, 5000, "failed at once, not at the timeout");
    act_transport_stats_t stats;
    act_transport_stats (run.a, &stats);
    cr_assert_eq (stats.dropped, 2, "both counted as dropped: %" PRIu64, stats.dropped);

    //  At the limit, it goes
    s_assert_answers (remote, "8 bytes");
    act_ref_destroy (&teller);
    act_inbox_destroy (&inbox);
    act_ref_destroy (&remote);
    act_ref_destroy (&echo);
    s_run_destroy (&run);
}

//  A process outside the run connects to endpoint with a plain socket and
//  writes size bytes of data; the child never touches our ZeroMQ context.
static pid_t
s_stranger (const char *endpoint, const void *data, size_t size)
{
    pid_t pid = fork ();
    cr_assert_neq (pid, -1);
    if (pid == 0) {
        //  However the test ends, the child does not outlive it for long.
        alarm (20);
        struct sockaddr_un address = { .sun_family = AF_UNIX };
        snprintf (address.sun_path, sizeof address.sun_path, "%s", endpoint);
        int fd = socket (AF_UNIX, SOCK_STREAM, 0);
        if (fd == -1 || connect (fd, (struct sockaddr *) &address, sizeof address) == -1
        ||  write (fd, data, size) != (ssize_t) size)
            _exit (1);
        //  Read until libzmq hangs up on us, or we are killed.
        char buffer [256];
        while (read (fd, buffer, sizeof buffer) > 0)
            ;
        _exit (0);
    }
    return pid;
}

Test (transport, refused_connections_are_counted, .timeout = 30)
{
    s_run_t run = s_run_new ();
    char endpoint [300];
    snprintf (endpoint, sizeof endpoint, "%s/b", run.rundir);
    //  A greeting for another security mechanism: the handshake fails.
    unsigned char curve [64] = { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F,
                                 3, 0, 'C', 'U', 'R', 'V', 'E' };
    pid_t first = s_stranger (endpoint, curve, sizeof curve);
    act_transport_stats_t stats;
    ACT_ASSERT_EVENTUALLY ((act_transport_link_stats (run.b, "ipc", &stats),
                            stats.refused_connections == 1), 5000);

    //  A good ZMTP 3.0 NULL handshake as a DEALER, then a frame over
    //  max_msg_size: libzmq drops the connection at its header.
    unsigned char zmtp [64 + 2 + 6 + 1 + 11 + 4 + 6 + 9] = { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F,
                                                          3, 0, 'N', 'U', 'L', 'L' };
    unsigned char *p = zmtp + 64;
    *p++ = 0x04;                                //  a short command
    *p++ = 6 + 1 + 11 + 4 + 6;
    memcpy (p, "\5READY", 6);
    p += 6;
    *p++ = 11;
    memcpy (p, "Socket-Type", 11);
    p += 11;
    memcpy (p, "\0\0\0\6DEALER", 10);
    p += 10;
    *p++ = 0x02;                                //  a long frame ...
    uint64_t size = (uint64_t) 64 << 20;        //  ... of 64 MiB
    for (int i = 7; i >= 0; i--)
        *p++ = (unsigned char) (size >> (i * 8));
    cr_assert_eq ((size_t) (p - zmtp), sizeof zmtp);
    pid_t second = s_stranger (endpoint, zmtp, sizeof zmtp);
    ACT_ASSERT_EVENTUALLY ((act_transport_link_stats (run.b, "ipc", &stats),
                            stats.refused_connections == 2), 5000);
    cr_assert_eq (stats.malformed, 0, "libzmq's refusals are not the codec's");

    //  A group's own connections end without being counted.
    act_ref_t *echo = act_spawn_named (run.b, "echo", act_builtin_find ("echo"), NULL);
    act_ref_t *remote = act_lookup (run.a, "b/echo");
    act_msg_t *msg = act_msg_new (1);
    act_msg_t *reply = act_ask (remote, &msg, 5000);
    cr_assert_not_null (reply);
    act_msg_destroy (&reply);
    act_ref_destroy (&remote);
    act_system_destroy (&run.a);
    int status;
    cr_assert_eq (waitpid (first, &status, 0), first);
    cr_assert_eq (waitpid (second, &status, 0), second);
    act_transport_link_stats (run.b, "ipc", &stats);
    cr_assert_eq (stats.refused_connections, 2);
    act_ref_destroy (&echo);
    s_run_destroy (&run);
}


//  A group host's system is joined by its own loop thread before it is
//  handed out (act_peers_system_new): once it returns, the group is
//  reachable; if the join fails, nothing of it is left and the caller
//  gets the join's errno.
Test (transport, a_system_joined_at_its_start, .timeout = 20)
{
    char *rundir = act_test_tmpdir ();
    act_peers_conf_t conf = { "b", rundir, NULL, 0, 0, NULL, NULL };
    act_system_t *b = act_peers_system_new (conf, 7, 0, NULL, NULL, NULL, NULL);
    cr_assert_not_null (b, "%s", strerror (errno));
    act_ref_t *echo = act_spawn_named (b, "echo", act_builtin_find ("echo"), NULL);
    act_system_t *a = act_system_new ("a");
    cr_assert_eq (act_transport_join (a, "a", rundir, 0, 0), 0);
    act_ref_t *remote = act_lookup (a, "b/echo");
    act_msg_t *msg = act_msg_new_str (7, "joined");
    act_msg_t *reply = act_ask (remote, &msg, 5000);
    cr_assert_not_null (reply, "ask failed: %s", strerror (errno));
    act_msg_destroy (&reply);
    act_ref_destroy (&remote);
    act_ref_destroy (&echo);
    act_system_destroy (&a);
    act_system_destroy (&b);

    //  Its ipc endpoint cannot be made: no system, the bind's errno
    char *missing = zsys_sprintf ("%s/not-there", rundir);
    conf.rundir = missing;
    errno = 0;
    cr_assert_null (act_peers_system_new (conf, 0, 0, NULL, NULL, NULL, NULL));
    cr_assert_eq (errno, ENOENT, "%s", strerror (errno));
    //  A bad conf is refused before any thread starts
    conf.rundir = rundir;
    conf.group = "no/slash";
    cr_assert_null (act_peers_system_new (conf, 0, 0, NULL, NULL, NULL, NULL));
    cr_assert_eq (errno, EINVAL);
    free (missing);
    act_test_tmpdir_remove (&rundir);
}

//  Messages a took from its peers
static uint64_t
s_received (act_system_t *a)
{
    act_transport_stats_t stats = { 0 };
    act_transport_stats (a, &stats);
    return stats.received;
}

//  b's life tells a/sink something: its hello goes first. Returns when a
//  has taken both, b's life being life.
static act_system_t *
s_life_speaks (const char *rundir, uint32_t *life, act_system_t *a, uint64_t *received)
{
    act_peers_conf_t conf = { "b", rundir, NULL, 0, 0, NULL, life };
    act_system_t *b = act_peers_system_new (conf, 0, 0, NULL, NULL, NULL, NULL);
    cr_assert_not_null (b, "%s", strerror (errno));
    act_ref_t *echo = act_spawn_named (b, "echo", act_builtin_find ("echo"), NULL);
    act_ref_t *sink = act_lookup (b, "a/sink");
    act_msg_t *msg = act_msg_new (1);
    cr_assert_eq (act_tell (sink, &msg), 0);
    *received += 2;
    ACT_ASSERT_EVENTUALLY (s_received (a) >= *received, 5000);
    act_ref_destroy (&sink);
    act_ref_destroy (&echo);
    return b;
}

//  Long enough for any answer, on any machine: one that must fail fails
//  at once. A bound of our own, not only the test's timeout: Criterion's
//  misses now and then (its watchdog can lose a test's deadline), and
//  then a lost message hung the whole suite with no line to blame.
#define S_ASK_WAIT_MS 10000

//  An ask from a to b/echo: 0 if answered, else errno (ETIMEDOUT: lost).
static int
s_ask_b (act_system_t *a)
{
    act_ref_t *remote = act_lookup (a, "b/echo");
    act_msg_t *msg = act_msg_new (7);
    act_msg_t *reply = act_ask (remote, &msg, S_ASK_WAIT_MS);
    int err = reply ? 0 : errno;
    act_msg_destroy (&reply);
    act_ref_destroy (&remote);
    return err;
}

//  Lives (act_host.h): each life of a group says hello, with its number,
//  before anything it sends. The word that an earlier life stopped, come
//  late, leaves the group up, even for a peer that never talked to it
//  before the hello; the word that this life stopped takes it down; a
//  hello of a life said down changes nothing.
Test (transport, a_hello_outlives_the_late_word_of_an_earlier_death, .timeout = 30)
{
    char *rundir = act_test_tmpdir ();
    uint32_t life_a = 1, life_b = 2;
    act_peers_conf_t conf = { "a", rundir, NULL, 0, 0, NULL, &life_a };
    act_system_t *a = act_peers_system_new (conf, 0, 0, NULL, NULL, NULL, NULL);
    cr_assert_not_null (a, "%s", strerror (errno));
    act_ref_t *sink = act_spawn_named (a, "sink", act_builtin_find ("sink"), NULL);
    uint64_t received = 0;
    act_system_t *b = s_life_speaks (rundir, &life_b, a, &received);
    //  Life 1 of b stopped, says the supervisor, late
    cr_assert_eq (act_transport_peer_life (a, "b", true, 1), 0);
    cr_assert_eq (s_ask_b (a), 0, "life 2 taken for down: %s", strerror (s_ask_b (a)));
    //  Life 2 stopped: down, though its process still runs here
    cr_assert_eq (act_transport_peer_life (a, "b", true, 2), 0);
    cr_assert_eq (s_ask_b (a), ESRCH);
    //  Life 2's hello again (as one queued before its death): still down
    act_system_destroy (&b);
    b = s_life_speaks (rundir, &life_b, a, &received);
    cr_assert_eq (s_ask_b (a), ESRCH);
    //  Life 3 speaks: up
    act_system_destroy (&b);
    life_b = 3;
    b = s_life_speaks (rundir, &life_b, a, &received);
    int err = s_ask_b (a);
    cr_assert_eq (err, 0, "life 3's answer: %s", strerror (err));
    act_ref_destroy (&sink);
    act_system_destroy (&b);
    act_system_destroy (&a);
    act_test_tmpdir_remove (&rundir);
}

//  b/keeper holds the first ask it gets until told (type 8) to answer.
typedef struct {
    atomic_bool *held;          //  set once it holds one
    act_ref_t *asker;           //  the held ask's sender
    uint64_t corr;              //  and its correlation id
} s_keeper_t;

static int
s_keeper_setup (act_t *self, void *args)
{
    ((s_keeper_t *) act_state (self))->held = (atomic_bool *) args;
    return ACT_OK;
}

static int
s_keeper_handle (act_t *self, act_msg_t *msg)
{
    s_keeper_t *state = (s_keeper_t *) act_state (self);
    if (act_msg_type (msg) == 7 && !state->asker) {
        state->asker = act_ref_dup (act_msg_sender (msg));
        state->corr = act_msg_corr (msg);
        atomic_store (state->held, true);
        return ACT_OK;
    }
    if (act_msg_type (msg) == 8 && state->asker) {
        act_msg_t *reply = act_msg_new (9);
        act_msg_set_corr (reply, state->corr);
        int rc = act_tell (state->asker, &reply);
        act_ref_destroy (&state->asker);
        return rc == 0 ? ACT_OK : -1;
    }
    return ACT_UNHANDLED;
}

static void
s_keeper_teardown (act_t *self)
{
    act_ref_destroy (&((s_keeper_t *) act_state (self))->asker);
}

static const act_class_t s_keeper = {
    .name = "keeper", .state_size = sizeof (s_keeper_t), .setup = s_keeper_setup,
    .handle = s_keeper_handle, .teardown = s_keeper_teardown
};

static void *
s_ask_keeper (void *arg)
{
    act_ref_t *remote = act_lookup ((act_system_t *) arg, "b/keeper");
    act_msg_t *msg = act_msg_new (7);
    act_msg_t *reply = act_ask (remote, &msg, S_ASK_WAIT_MS);
    intptr_t err = reply ? 0 : errno;
    act_msg_destroy (&reply);
    act_ref_destroy (&remote);
    return (void *) err;
}

//  The late word that life 1 stopped fails only what went to life 1: an
//  ask to life 2 waiting for its answer gets it, and the monitors made
//  with life 2 (a's of b/keeper, b's of a/sink) fire when their targets
//  stop, not as lost, and are not dropped.
Test (transport, a_late_word_of_an_earlier_death_fails_nothing_of_the_next_life,
      .timeout = 30)
{
    char *rundir = act_test_tmpdir ();
    uint32_t life_a = 1, life_b = 2;
    act_peers_conf_t conf = { "a", rundir, NULL, 0, 0, NULL, &life_a };
    act_system_t *a = act_peers_system_new (conf, 0, 0, NULL, NULL, NULL, NULL);
    cr_assert_not_null (a, "%s", strerror (errno));
    act_ref_t *sink = act_spawn_named (a, "sink", act_builtin_find ("sink"), NULL);
    uint64_t received = 0;
    act_system_t *b = s_life_speaks (rundir, &life_b, a, &received);
    atomic_bool held = false;
    act_ref_t *keeper = act_spawn_named (b, "keeper", &s_keeper, &held);
    cr_assert_not_null (keeper);
    act_inbox_t *watcher = act_inbox_new (a);
    act_ref_t *target = act_lookup (a, "b/keeper");
    cr_assert_gt (act_monitor (act_inbox_ref (watcher), target), 0);
    //  And life 2 watches a/sink: answered means a holds that monitor
    act_ref_t *echo = act_spawn_named (a, "echo", act_builtin_find ("echo"), NULL);
    act_inbox_t *b_watcher = act_inbox_new (b);
    act_ref_t *b_target = act_lookup (b, "a/sink");
    cr_assert_gt (act_monitor (act_inbox_ref (b_watcher), b_target), 0);
    act_ref_t *b_echo = act_lookup (b, "a/echo");
    act_msg_t *ping = act_msg_new (7);
    act_msg_t *pong = act_ask (b_echo, &ping, 10000);
    cr_assert_not_null (pong, "%s", strerror (errno));
    act_msg_destroy (&pong);
    //  The ask goes after the monitor's request, on the same link: held
    //  means b holds the monitor too
    pthread_t asker;
    cr_assert_eq (pthread_create (&asker, NULL, s_ask_keeper, a), 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&held), 5000);
    cr_assert_eq (act_transport_peer_life (a, "b", true, 1), 0);
    act_msg_t *answer = act_msg_new (8);
    cr_assert_eq (act_tell (keeper, &answer), 0);
    void *err = NULL;
    pthread_join (asker, &err);
    cr_assert_eq ((intptr_t) err, 0, "the ask to life 2 failed: %s",
                  strerror ((int) (intptr_t) err));
    cr_assert_eq (act_ref_stop (keeper, 0), 0);
    act_msg_t *down = act_inbox_recv (watcher, 10000);
    cr_assert_not_null (down, "no DOWN when b/keeper stopped");
    act_exit_t why = { ACT_EXIT_LOST, 0 };
    cr_assert_eq (act_msg_down (down, &why), 0);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL, "the monitor fired with kind %d, code %d",
                  (int) why.kind, why.code);
    act_msg_destroy (&down);
    cr_assert_eq (act_ref_stop (sink, 0), 0);
    down = act_inbox_recv (b_watcher, 10000);
    cr_assert_not_null (down, "life 2 of b never heard that a/sink stopped");
    cr_assert_eq (act_msg_down (down, &why), 0);
    cr_assert_eq (why.kind, ACT_EXIT_NORMAL);
    act_msg_destroy (&down);
    act_ref_destroy (&b_echo);
    act_ref_destroy (&b_target);
    act_inbox_destroy (&b_watcher);
    act_ref_destroy (&echo);
    act_ref_destroy (&target);
    act_inbox_destroy (&watcher);
    act_ref_destroy (&keeper);
    act_ref_destroy (&sink);
    act_system_destroy (&b);
    act_system_destroy (&a);
    act_test_tmpdir_remove (&rundir);
}

//  A process may join a run, leave it and join again: the link's inproc
//  names must not collide with the last one's, which ZeroMQ's reaper may
//  still hold (they were named by the link's address, which malloc gives
//  again).
Test (transport, a_group_joins_again_and_again_in_one_process, .timeout = 60)
{
    char *rundir = act_test_tmpdir ();
    for (int round = 0; round < 50; round++) {
        act_system_t *b = act_system_new ("b");
        cr_assert_eq (act_transport_join (b, "b", rundir, 0, 0), 0, "round %d: %s", round,
                      strerror (errno));
        act_system_destroy (&b);
    }
    act_test_tmpdir_remove (&rundir);
}

//  Sockets of this network namespace bound or accepted at path, from
//  /proc/net/unix (the path is the line's last field).
static int
s_unix_sockets_at (const char *path)
{
    FILE *file = fopen ("/proc/net/unix", "r");
    cr_assert_not_null (file);
    char line [PATH_MAX + 128];
    int count = 0;
    size_t len = strlen (path);
    while (fgets (line, sizeof line, file)) {
        size_t size = strcspn (line, "\n");
        if (size > len && line [size - len - 1] == ' '
        &&  memcmp (line + size - len, path, len) == 0)
            count++;
    }
    fclose (file);
    return count;
}

//  A group that leaves has closed its endpoint and every connection to it
//  when act_system_destroy returns. ZeroMQ closes them later, on its own
//  threads: a peer of the same process then went on writing to the old
//  connection after the group's next life had bound the same address and
//  said hello, and now and then that connection outlived the group for
//  good, what the peer sent the next life read by nobody. Each life of b
//  speaks first, as a next life does (its hello): from then on, what a
//  sends it must arrive.
Test (transport, a_group_that_leaves_has_closed_its_connections, .timeout = 60)
{
    char *rundir = act_test_tmpdir ();
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/b", rundir);
    act_system_t *a = act_system_new ("a");
    cr_assert_eq (act_transport_join (a, "a", rundir, 0, 0), 0, "%s", strerror (errno));
    act_ref_t *sink = act_spawn_named (a, "sink", act_builtin_find ("sink"), NULL);
    for (int round = 0; round < 20; round++) {
        act_system_t *b = act_system_new ("b");
        cr_assert_eq (act_transport_join (b, "b", rundir, 0, 0), 0, "%s", strerror (errno));
        act_ref_t *echo = act_spawn_named (b, "echo", act_builtin_find ("echo"), NULL);
        act_ref_t *to_a = act_lookup (b, "a/sink");
        act_msg_t *word = act_msg_new (1);
        uint64_t received = s_received (a);
        cr_assert_eq (act_tell (to_a, &word), 0);
        act_ref_destroy (&to_a);
        ACT_ASSERT_EVENTUALLY (s_received (a) > received, 5000);
        act_ref_t *remote = act_lookup (a, "b/echo");
        act_msg_t *msg = act_msg_new (7);
        act_msg_t *reply = act_ask (remote, &msg, 10000);
        cr_assert_not_null (reply, "round %d: %s", round, strerror (errno));
        act_msg_destroy (&reply);
        act_ref_destroy (&remote);
        act_ref_destroy (&echo);
        //  b's endpoint, and the connection from a it accepted
        cr_assert_geq (s_unix_sockets_at (path), 2);
        act_system_destroy (&b);
        cr_assert_eq (s_unix_sockets_at (path), 0,
                      "round %d: b left, %d of its sockets still open", round,
                      s_unix_sockets_at (path));
    }
    act_ref_destroy (&sink);
    act_system_destroy (&a);
    act_test_tmpdir_remove (&rundir);
}

//  Two groups of one process leave a run at once, one's connection to the
//  other ending as the other closes: ZeroMQ may still report that
//  connection's end (DISCONNECTED) on a socket that is closed but not yet
//  gone, and such a report to a monitor whose reader was closed used to
//  block ZeroMQ's I/O thread for good, and every socket of the process
//  with it. Round after round; each waits for its message, so a stuck
//  I/O thread fails the round it happens in.
static void *
s_leave (void *arg)
{
    act_system_destroy ((act_system_t **) arg);
    return NULL;
}

Test (transport, groups_leaving_at_once_never_stall_the_process, .timeout = 120)
{
    char *rundir = act_test_tmpdir ();
    for (int round = 0; round < 150; round++) {
        //  New names each round: the last round's sockets may still linger
        //  and reconnect, and this checks the I/O thread, not that
        char name_a [16], name_b [16], address [32];
        snprintf (name_a, sizeof name_a, "a%d", round);
        snprintf (name_b, sizeof name_b, "b%d", round);
        snprintf (address, sizeof address, "%s/sink", name_a);
        act_system_t *a = act_system_new (name_a);
        act_system_t *b = act_system_new (name_b);
        cr_assert_eq (act_transport_join (a, name_a, rundir, 0, 0), 0, "%s", strerror (errno));
        cr_assert_eq (act_transport_join (b, name_b, rundir, 0, 0), 0, "%s", strerror (errno));
        act_ref_t *sink = act_spawn_named (a, "sink", act_builtin_find ("sink"), NULL);
        act_ref_t *to = act_lookup (b, address);
        act_msg_t *msg = act_msg_new (1);
        cr_assert_eq (act_tell (to, &msg), 0);
        bool arrived = false;
        for (int64_t end = zclock_mono () + 10000; !arrived && zclock_mono () < end;) {
            arrived = s_received (a) >= 1;
            if (!arrived)
                zclock_sleep (1);
        }
        cr_assert (arrived, "round %d: a message between two groups of this process never "
                   "arrived (ZeroMQ's I/O thread stuck?)", round);
        act_ref_destroy (&to);
        act_ref_destroy (&sink);
        //  b's leaving ends its connection to a while a closes
        pthread_t leaver;
        cr_assert_eq (pthread_create (&leaver, NULL, s_leave, &b), 0);
        act_system_destroy (&a);
        pthread_join (leaver, NULL);
    }
    act_test_tmpdir_remove (&rundir);
}

//  A group keeps what it needs per peer group for as long as it lives,
//  and a group's name may come from another process (a sender, a carried
//  reference): past ACT_PEERS_MAX groups, a send to one more is refused
//  (and logged), so invented names cannot grow it without end. An actor
//  tells ACT_PEERS_MAX + 1 groups that do not exist.
typedef struct {
    act_system_t *system;
    int refused;                //  tells refused, of the last group
    act_ref_t *report;
} s_namer_t;

static int
s_namer_setup (act_t *self, void *args)
{
    s_namer_t *state = (s_namer_t *) act_state (self);
    *state = *(s_namer_t *) args;
    for (int i = 0; i <= ACT_PEERS_MAX; i++) {
        char address [32];
        snprintf (address, sizeof address, "g%d/x", i);
        act_ref_t *to = act_lookup (state->system, address);
        act_msg_t *msg = act_msg_new (1);
        int rc = to ? act_tell (to, &msg) : -1;
        if (i == ACT_PEERS_MAX)
            state->refused = rc == -1 && errno == EHOSTUNREACH;
        act_msg_destroy (&msg);
        act_ref_destroy (&to);
    }
    act_msg_t *done = act_msg_new_data (2, &state->refused, sizeof state->refused);
    return act_tell (state->report, &done) == 0 ? ACT_STOP : -1;
}

static const act_class_t s_namer = {
    .name = "namer", .state_size = sizeof (s_namer_t), .setup = s_namer_setup
};

Test (transport, a_group_sends_to_a_bounded_number_of_groups, .timeout = 120)
{
    char *dir = act_test_tmpdir ();
    char *path = zsys_sprintf ("%s/log", dir);
    FILE *log = fopen (path, "w");
    cr_assert_not_null (log);
    zsys_set_logstream (log);
    act_system_t *a = act_system_new ("a");
    cr_assert_eq (act_transport_join (a, "a", dir, 0, 0), 0);
    act_inbox_t *inbox = act_inbox_new (a);
    s_namer_t args = { a, 0, act_inbox_ref (inbox) };
    act_ref_t *namer = act_spawn (a, &s_namer, &args);
    cr_assert_not_null (namer);
    act_msg_t *done = act_inbox_recv (inbox, 60000);
    cr_assert_not_null (done);
    int refused = 0;
    memcpy (&refused, act_msg_data (done), sizeof refused);
    act_msg_destroy (&done);
    act_inbox_destroy (&inbox);
    act_ref_destroy (&namer);
    act_system_destroy (&a);
    zsys_set_logstream (stdout);
    fclose (log);
    //  Refused as any send to a group nobody binds is: what tells the
    //  bound is the log line below
    cr_assert (refused, "the send to group %d was not refused with EHOSTUNREACH",
               ACT_PEERS_MAX + 1);
    char *text = NULL;
    size_t size = 0;
    FILE *file = fopen (path, "r");
    cr_assert_not_null (file);
    cr_assert_gt (getdelim (&text, &size, 0, file), 0);
    fclose (file);
    char needle [64];
    snprintf (needle, sizeof needle, "routes to %d groups at most", ACT_PEERS_MAX);
    cr_assert_not_null (strstr (text, needle), "not logged:\n%.2000s", text);
    free (text);
    remove (path);
    free (path);
    act_test_tmpdir_remove (&dir);
}

//  The monitors a group keeps for other groups' watchers are bounded per
//  group (ACT_MONITOR_PEER_MAX) and for all of them (ACT_MONITOR_REMOTE_
//  MAX): a request names its watcher's group itself, so a peer naming a
//  new group each time would pass the first bound. A rogue sends more
//  than the second, each for a new group: the ones past it are refused
//  and counted as dropped.
static size_t
s_monitor_record (unsigned char *p, uint64_t corr, const char *target, const char *sender)
{
    size_t target_len = strlen (target), sender_len = strlen (sender);
    uint32_t type = ACT_MSG_MONITOR;
    memset (p, 0, ACT_WIRE_RECORD);
    p [1] = (unsigned char) target_len;
    p [2] = (unsigned char) sender_len;
    for (int i = 0; i < 4; i++)
        p [4 + i] = (unsigned char) (type >> (24 - 8 * i));
    for (int i = 0; i < 8; i++)
        p [8 + i] = (unsigned char) (corr >> (56 - 8 * i));
    memcpy (p + ACT_WIRE_RECORD, target, target_len);
    memcpy (p + ACT_WIRE_RECORD + target_len, sender, sender_len);
    return ACT_WIRE_RECORD + target_len + sender_len;
}

Test (transport, monitors_for_other_groups_are_bounded_however_they_are_named,
      .timeout = 120)
{
    s_run_t run = s_run_new ();
    act_ref_t *counter = act_spawn_named (run.b, "counter", &s_counter, NULL);
    char endpoint [256];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/b", run.rundir);
    zsock_t *rogue = act_test_dealer_named (endpoint, "rogue");
    cr_assert_not_null (rogue);
    zsock_set_sndhwm (rogue, 0);
    int over = 100, total = ACT_MONITOR_REMOTE_MAX + over;
    static unsigned char batch [65536];
    for (int sent = 0; sent < total;) {
        size_t size = ACT_WIRE_BATCH_HEAD;
        int count = 0;
        for (; count < 200 && sent < total; count++, sent++) {
            char sender [32];
            snprintf (sender, sizeof sender, "g%d/w", sent);
            size += s_monitor_record (batch + size, (uint64_t) sent + 1, "counter", sender);
        }
        batch [0] = ACT_WIRE_MAGIC;
        batch [1] = ACT_WIRE_VERSION;
        batch [2] = (unsigned char) (count >> 8);
        batch [3] = (unsigned char) count;
        cr_assert_eq (zsock_send (rogue, "b", batch, size), 0);
    }
    act_transport_stats_t stats;
    ACT_ASSERT_EVENTUALLY (act_transport_stats (run.b, &stats) == 0
                           && stats.received + stats.malformed >= (uint64_t) total, 60000);
    cr_assert_eq (stats.malformed, 0);
    cr_assert_eq (stats.dropped, (uint64_t) over, "%" PRIu64 " refused of %d over the bound",
                  stats.dropped, over);
    zsock_destroy (&rogue);
    act_ref_destroy (&counter);
    //  b's teardown tells each of its 131072 watchers DOWN: a second here,
    //  past the default 5 s under ThreadSanitizer on a busy machine, and a
    //  loop left behind then meets the process's exit (czmq closes its
    //  pipe under it). Wait for it, within the test's own bound.
    act_system_destroy_within (&run.b, 100000);
    s_run_destroy (&run);
}

//  A remote reference is used by the loop of its own system, as a
//  target, and may be the sender of a message another system of the
//  process sends (act_msg_set_sender, or a message forwarded with its
//  first sender kept): both loops read what it travels as at once, and
//  neither may write it. (ThreadSanitizer's build sees the race.)
Test (transport, a_remote_reference_travels_from_two_systems_at_once, .timeout = 60)
{
    s_run_t run = s_run_new ();
    act_ref_t *sink_a = act_spawn_named (run.a, "sink", act_builtin_find ("sink"), NULL);
    act_ref_t *sink_b = act_spawn_named (run.b, "sink", act_builtin_find ("sink"), NULL);
    act_ref_t *to_a = act_lookup (run.b, "a/sink");
    cr_assert_not_null (to_a);
    const int rounds = 64;
    for (int i = 0; i < rounds; i++) {
        //  A fresh one each round: its first trip is the one that measured it
        act_ref_t *to_b = act_lookup (run.a, "b/sink");
        cr_assert_not_null (to_b);
        act_msg_t *msg = act_msg_new (1);
        cr_assert_eq (act_tell (to_b, &msg), 0);             //  a's loop
        msg = act_msg_new (2);
        act_msg_set_sender (msg, to_b);
        cr_assert_eq (act_tell (to_a, &msg), 0);             //  b's loop
        act_ref_destroy (&to_b);
    }
    act_transport_stats_t stats_a, stats_b;
    ACT_ASSERT_EVENTUALLY ((act_transport_stats (run.a, &stats_a), act_transport_stats (run.b, &stats_b),
                            stats_a.received == (uint64_t) rounds
                            && stats_b.received == (uint64_t) rounds), 10000);
    act_ref_destroy (&to_a);
    act_ref_destroy (&sink_a);
    act_ref_destroy (&sink_b);
    s_run_destroy (&run);
}

//  An actor of system a that counts the messages it handles, and those
//  it handled on a thread not its loop's.
static atomic_int s_foreign_handled;
static atomic_int s_foreign_elsewhere;

static int
s_foreign_setup (act_t *self, void *args)
{
    (void) args;
    *(pthread_t *) act_state (self) = pthread_self ();
    return ACT_OK;
}

static int
s_foreign_handle (act_t *self, act_msg_t *msg)
{
    (void) msg;
    if (!pthread_equal (*(pthread_t *) act_state (self), pthread_self ()))
        atomic_fetch_add (&s_foreign_elsewhere, 1);
    atomic_fetch_add (&s_foreign_handled, 1);
    return ACT_OK;
}

static const act_class_t s_foreign = { .name = "foreign", .state_size = sizeof (pthread_t),
                                       .setup = s_foreign_setup, .handle = s_foreign_handle };

//  Replies to what it gets, and tells the inbox in its state the rc of
//  that reply (type 0: replied; 1: act_reply failed).
static int
s_witness_handle (act_t *self, act_msg_t *msg)
{
    act_msg_t *reply = act_msg_new (9);
    int rc = act_reply (msg, &reply);
    act_msg_t *note = act_msg_new (rc == 0 ? 0 : 1);
    act_tell (*(act_ref_t **) act_state (self), &note);
    return ACT_OK;
}

static int
s_witness_setup (act_t *self, void *args)
{
    *(act_ref_t **) act_state (self) = (act_ref_t *) args;
    return ACT_OK;
}

static const act_class_t s_witness = { .name = "witness", .state_size = sizeof (void *),
                                       .setup = s_witness_setup, .handle = s_witness_handle };

//  A local actor of system a, set by hand as the sender of what system
//  b sends: b cannot name it (its answers would be delivered to it from
//  b's loop thread), so it travels with no sender.
Test (transport, a_sender_of_another_system_is_never_reached_from_this_loop, .timeout = 30)
{
    s_run_t run = s_run_new ();
    act_inbox_t *inbox = act_inbox_new (run.a);
    act_ref_t *witness = act_spawn_named (run.a, "witness", &s_witness, act_inbox_ref (inbox));
    act_ref_t *foreign = act_spawn (run.a, &s_foreign, NULL);
    act_ref_t *to = act_lookup (run.b, "a/witness");
    act_msg_t *msg = act_msg_new (5);
    act_msg_set_sender (msg, foreign);
    cr_assert_eq (act_tell (to, &msg), 0);
    act_msg_t *note = act_inbox_recv (inbox, 5000);
    cr_assert_not_null (note, "the witness never got the message");
    if (act_msg_type (note) == 0)
        //  It had a sender to answer: the answer is handled, on a's loop
        ACT_ASSERT_EVENTUALLY (atomic_load (&s_foreign_handled) == 1, 5000);
    cr_expect_eq (atomic_load (&s_foreign_elsewhere), 0,
                  "a's actor handled a message on b's loop thread");
    cr_expect_eq (act_msg_type (note), 1, "the message had a sender to answer");
    act_msg_destroy (&note);
    act_ref_destroy (&to);
    act_ref_destroy (&foreign);
    act_ref_destroy (&witness);
    act_inbox_destroy (&inbox);
    s_run_destroy (&run);
}

//  A control word's numbers (a life, a stats round) come from another
//  process: digits only, and no more than a uint32_t holds.
Test (transport, a_control_words_number_is_checked)
{
    uint32_t number = 7;
    const char *rest = NULL;
    cr_assert (act_host_number ("12", &number, &rest));
    cr_assert_eq (number, 12);
    cr_assert_str_empty (rest);
    cr_assert (act_host_number ("4294967295 x", &number, &rest));
    cr_assert_eq (number, UINT32_MAX);
    cr_assert_str_eq (rest, " x");
    //  Without rest, the number must be all there is
    cr_assert (act_host_number ("12", &number, NULL));
    cr_assert_eq (number, 12);
    cr_assert_not (act_host_number ("13 x", &number, NULL));
    cr_assert_eq (number, 12);
    const char *bad [] = { "", "-1", " 1", "+1", "x1", "4294967296", "99999999999999999999999" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        number = 7;
        cr_assert_not (act_host_number (bad [i], &number, &rest), "\"%s\" taken", bad [i]);
        cr_assert_eq (number, 7, "\"%s\" wrote %u", bad [i], number);
    }
}
