/*  test_seed - the seed's three examples, tested by their messages with
    the testkit (act_probe(3), act_testkit(3))
    SPDX-License-Identifier: MPL-2.0

    Each example is compiled in here, its main renamed, so the tests drive
    its actor classes directly: a probe stands in for main, and nothing
    around the actors is mocked. test_examples.c runs the same programs
    as processes.
*/
#include "act_test.h"
#include <act_testkit_criterion.h>
#include <poll.h>
#include <sys/socket.h>

#define main hello_main
#include "../examples/hello.c"
#undef main
#define main manager_main
#include "../examples/manager.c"
#undef main
#define main echo_main
#include "../examples/echo.c"
#undef main

//  How long one expected message may take on a busy machine; never how
//  long it should take.
#define S_WAIT  10000

Test (seed, hello_greets_whoever_asks, .timeout = 30)
{
    //  A manual system: the greeter answers when the probe steps it.
    act_system_t *system = act_system_new_manual ("hello");
    act_probe_t *probe = act_probe_new (system);
    act_ref_t *greeter = act_spawn (system, &s_greeter, NULL);
    for (int i = 0; i < 3; i++) {
        act_msg_t *hello = act_msg_new (MSG_HELLO);
        act_probe_tell (probe, greeter, &hello);
        act_expect_str (probe, MSG_GREETING, "Hello World!", 0);
    }
    act_expect_none (probe, 0);
    act_ref_destroy (&greeter);
    act_probe_destroy (&probe);
    act_system_destroy (&system);
}

static bool
s_is_result (const act_msg_t *msg, void *arg)
{
    (void) arg;
    const char *text = act_msg_str (msg);
    return act_msg_type (msg) == MSG_RESPONSE && text && atoi (text) >= 0
        && atoi (text) <= MAX_WORK_MS;
}

Test (seed, manager_workers_answer_the_sender_then_stop, .timeout = 30)
{
    //  The workers block in the pool, on the wall clock: a real system.
    act_system_t *system = act_test_system ();
    act_probe_t *probe = act_probe_new (system);
    act_ref_t *manager = act_spawn (system, &s_manager, NULL);
    for (int i = 0; i < REQUESTS; i++) {
        act_msg_t *request = act_msg_new (MSG_REQUEST);
        act_probe_tell (probe, manager, &request);
    }
    //  Each answer comes from its worker, not the manager: the request
    //  was forwarded with the probe as its sender.
    for (int i = 0; i < REQUESTS; i++) {
        act_msg_t *response = act_expect_fn (probe, s_is_result, NULL, S_WAIT);
        cr_assert (act_msg_sender (response) != manager);
    }
    act_msg_t *count = act_msg_new (MSG_STOPPED_COUNT);
    act_probe_tell (probe, manager, &count);
    act_expect_str (probe, MSG_STOPPED_COUNT, "10 0", S_WAIT);
    act_expect_none (probe, 10);
    act_ref_destroy (&manager);
    act_probe_destroy (&probe);
    act_system_destroy (&system);
}

//  Reads what the client echoed until a whole line came, within S_WAIT.
static char *
s_read_line (int fd)
{
    static char line [256];
    size_t size = 0;
    int64_t deadline = act_test_now_ms () + S_WAIT;
    while (size < sizeof line - 1 && !memchr (line, '\n', size)) {
        struct pollfd item = { fd, POLLIN, 0 };
        int64_t left = deadline - act_test_now_ms ();
        cr_assert (left > 0 && poll (&item, 1, (int) left) == 1, "no echo in time");
        ssize_t got = read (fd, line + size, sizeof line - 1 - size);
        cr_assert_gt (got, 0);
        size += (size_t) got;
    }
    line [size] = 0;
    return line;
}

Test (seed, echo_client_echoes_lines_and_stops_when_the_peer_closes, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    act_probe_t *probe = act_probe_new (system);
    int pair [2];
    cr_assert_eq (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair), 0);
    client_args_t args = { pair [0], false };
    act_ref_t *client = act_spawn (system, &s_client, &args);
    act_probe_monitor (probe, client);
    cr_assert_eq (write (pair [1], "hello\nwor", 9), 9);
    cr_assert_str_eq (s_read_line (pair [1]), "hello\n");
    cr_assert_eq (write (pair [1], "ld\n", 3), 3);
    cr_assert_str_eq (s_read_line (pair [1]), "world\n");
    act_expect_none (probe, 0);
    close (pair [1]);
    act_expect_down (probe, client, ACT_EXIT_NORMAL, S_WAIT);
    act_ref_destroy (&client);
    act_probe_destroy (&probe);
    act_system_destroy (&system);
}
