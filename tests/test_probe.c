/*  test_probe - a probe records what reaches it and says what went wrong
    SPDX-License-Identifier: MPL-2.0
*/
#include "act_test.h"
#include <act_testkit_criterion.h>

#define PING    1
#define PONG    2

//  Answers PING with PONG carrying the same payload, to the sender.
static int
s_echo_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) != PING)
        return ACT_OK;
    act_msg_t *reply = act_msg_new_data (PONG, act_msg_data (msg), act_msg_size (msg));
    return act_reply (msg, &reply) == 0 ? ACT_OK : -1;
}

static const act_class_t s_echo = { .name = "echo", .handle = s_echo_handle };

Test (probe, happy_path, .timeout = 30)
{
    //  The test is the first example: hand the probe to an actor as a
    //  sender, and expect what comes back.
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn_named (system, "echo", &s_echo, NULL);
    act_probe_t *probe = act_probe_new (system);

    act_msg_t *ping = act_msg_new_str (PING, "hello");
    cr_assert_eq (act_probe_tell (probe, echo, &ping), 0);
    act_msg_t *pong = act_expect_str (probe, PONG, "hello", 5000);
    cr_assert_str_eq (act_ref_name (act_msg_sender (pong)), "echo");
    act_expect_none (probe, 10);
    cr_assert_null (act_probe_failure (probe));

    act_probe_destroy (&probe);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

Test (probe, failure_says_what_came_from_whom_and_when, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn_named (system, "echo", &s_echo, NULL);
    act_probe_t *probe = act_probe_new (system);

    act_msg_t *ping = act_msg_new_str (PING, "hello");
    act_probe_tell (probe, echo, &ping);
    cr_assert_null (act_probe_expect (probe, PING, 5000));
    cr_assert_eq (errno, EBADMSG);
    const char *failure = act_probe_failure (probe);
    cr_assert_not_null (failure);
    cr_assert (strstr (failure, "expected type 1; got type 2, 6 bytes \"hello\", from test!echo, at "),
               "%s", failure);
    cr_assert (strstr (failure, " ms"), "%s", failure);

    //  Binary payloads show as hex, cut after a preview.
    unsigned char bytes [40];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes [i] = (unsigned char) i;
    ping = act_msg_new_data (PING, bytes, sizeof bytes);
    act_probe_tell (probe, echo, &ping);
    cr_assert_null (act_probe_expect_data (probe, PONG, bytes, 2, 5000));
    failure = act_probe_failure (probe);
    cr_assert (strstr (failure, "expected type 2 with 00 01; got type 2, 40 bytes 00 01 02"),
               "%s", failure);
    cr_assert (strstr (failure, "17...,"), "%s", failure);

    //  Nothing at all.
    cr_assert_null (act_probe_expect (probe, PONG, 1));
    cr_assert_eq (errno, ETIMEDOUT);
    cr_assert (strstr (act_probe_failure (probe), "got nothing within 1 ms"), "%s",
               act_probe_failure (probe));

    //  Something where nothing was expected.
    ping = act_msg_new (PING);
    act_probe_tell (probe, echo, &ping);
    cr_assert_eq (act_probe_expect_none (probe, 5000), -1);
    cr_assert (strstr (act_probe_failure (probe), "expected no message for 5000 ms; got type 2, 0 bytes, from test!echo"),
               "%s", act_probe_failure (probe));

    act_probe_destroy (&probe);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

static bool
s_longer_than (const act_msg_t *msg, void *arg)
{
    return act_msg_size (msg) > *(size_t *) arg;
}

Test (probe, predicate, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    act_probe_t *probe = act_probe_new (system);
    act_msg_t *ping = act_msg_new_str (PING, "four");
    act_probe_tell (probe, echo, &ping);
    size_t three = 3;
    act_expect_fn (probe, s_longer_than, &three, 5000);
    ping = act_msg_new_str (PING, "a");
    act_probe_tell (probe, echo, &ping);
    cr_assert_null (act_probe_expect_fn (probe, s_longer_than, &three, 5000));
    cr_assert (strstr (act_probe_failure (probe),
                       "expected a message the predicate accepts; got type 2, 2 bytes \"a\", from test!#"),
               "%s", act_probe_failure (probe));
    act_probe_destroy (&probe);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

//  Asks the probe (given as args) and reports the reply to it.
static int
s_asker_setup (act_t *self, void *args)
{
    *(act_ref_t **) act_state (self) = (act_ref_t *) args;
    act_msg_t *question = act_msg_new_str (PING, "question");
    act_msg_set_corr (question, 42);
    return act_tell ((act_ref_t *) args, &question) == 0 ? ACT_OK : -1;
}

static int
s_asker_handle (act_t *self, act_msg_t *msg)
{
    //  The answer goes back to the probe, as proof that it came.
    act_msg_t *report = act_msg_dup (msg);
    return act_tell (*(act_ref_t **) act_state (self), &report) == 0 ? ACT_STOP : -1;
}

static const act_class_t s_asker = {
    .name = "asker", .state_size = sizeof (act_ref_t *), .setup = s_asker_setup, .handle = s_asker_handle
};

Test (probe, reply_to_the_last_message, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_probe_t *probe = act_probe_new (system);
    cr_assert_eq (act_probe_reply (probe, &(act_msg_t *) { act_msg_new (PONG) }), -1);
    cr_assert_eq (errno, EINVAL);
    act_ref_t *asker = act_spawn (system, &s_asker, act_probe_ref (probe));
    act_expect_str (probe, PING, "question", 5000);
    act_msg_t *answer = act_msg_new_str (PONG, "answer");
    cr_assert_eq (act_probe_reply (probe, &answer), 0);
    cr_assert_null (answer);
    act_msg_t *report = act_expect_str (probe, PONG, "answer", 5000);
    cr_assert_eq (act_msg_corr (report), 42);
    cr_assert_eq (act_ref_wait (asker, 5000, NULL), 0);
    act_ref_destroy (&asker);
    act_probe_destroy (&probe);
    act_system_destroy (&system);
}

//  Stops on any message: normally on STOP, with an error otherwise.
#define STOP    3

static int
s_stopper_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    return act_msg_type (msg) == STOP ? ACT_STOP : -1;
}

static const act_class_t s_stopper = { .name = "stopper", .handle = s_stopper_handle };

Test (probe, expect_down, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_probe_t *probe = act_probe_new (system);
    act_ref_t *first = act_spawn_named (system, "first", &s_stopper, NULL);
    act_ref_t *second = act_spawn_named (system, "second", &s_stopper, NULL);
    //  Watched ahead, so each DOWN takes its place in the sequence.
    cr_assert_eq (act_probe_monitor (probe, first), 0);
    cr_assert_eq (act_probe_monitor (probe, second), 0);
    act_msg_t *stop = act_msg_new (STOP);
    act_tell (first, &stop);
    act_expect_down (probe, first, ACT_EXIT_NORMAL, 5000);

    //  The wrong reason is a failure that says which came.
    act_msg_t *bad = act_msg_new (7);
    act_tell (second, &bad);
    cr_assert_eq (act_probe_expect_down (probe, second, ACT_EXIT_NORMAL, 5000), -1);
    cr_assert_eq (errno, EBADMSG);
    cr_assert (strstr (act_probe_failure (probe),
                       "expected ACT_MSG_DOWN (normal) from test!second; got type ACT_MSG_DOWN"
                       " (error, code "),
               "%s", act_probe_failure (probe));
    cr_assert (strstr (act_probe_failure (probe), " bytes, from test!second, at "),
               "%s", act_probe_failure (probe));

    //  A target already gone: monitored now, its DOWN comes at once.
    act_expect_down (probe, first, ACT_EXIT_NORMAL, 5000);
    act_expect_none (probe, 10);
    act_ref_destroy (&first);
    act_ref_destroy (&second);
    act_probe_destroy (&probe);
    act_system_destroy (&system);
}

Test (probe, expect_down_on_a_manual_system, .timeout = 30)
{
    act_system_t *system = act_system_new_manual (NULL);
    act_probe_t *probe = act_probe_new (system);
    act_ref_t *stopper = act_spawn (system, &s_stopper, NULL);
    act_probe_monitor (probe, stopper);
    act_expect_none (probe, 0);
    act_msg_t *stop = act_msg_new (STOP);
    act_tell (stopper, &stop);
    act_expect_down (probe, stopper, ACT_EXIT_NORMAL, 0);
    act_ref_destroy (&stopper);
    act_probe_destroy (&probe);
    act_system_destroy (&system);
}

Test (probe, bad_arguments)
{
    cr_assert_null (act_probe_expect (NULL, 1, 0));
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (act_probe_expect_none (NULL, 0), -1);
    act_probe_t *probe = act_probe_new (NULL);
    cr_assert_null (act_probe_expect_fn (probe, NULL, NULL, 0));
    cr_assert_null (act_probe_expect_str (probe, 1, NULL, 0));
    cr_assert_null (act_probe_expect_data (probe, 1, NULL, 3, 0));
    cr_assert_eq (act_probe_expect_none (probe, -1), -1);
    act_msg_t *msg = act_msg_new (1);
    cr_assert_eq (act_probe_tell (probe, NULL, &msg), -1);
    cr_assert_null (msg);
    cr_assert_eq (act_probe_monitor (probe, NULL), -1);
    cr_assert_eq (act_probe_expect_down (probe, NULL, ACT_EXIT_NORMAL, 0), -1);
    cr_assert_eq (errno, EINVAL);
    act_probe_destroy (&probe);
    act_probe_destroy (&probe);
    act_probe_destroy (NULL);
}
