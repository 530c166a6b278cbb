/*  test_inbox - act_inbox: a mailbox for code that is not an actor
    SPDX-License-Identifier: MPL-2.0
*/
#include "act_test.h"
#include <pthread.h>
#include <poll.h>
#include <stdatomic.h>

enum {
    MSG_PING = 1,           //  reply with the payload
    MSG_STOP,               //  return ACT_STOP
    MSG_DATA,               //  application data
    MSG_FORWARD             //  hand it to a child, which replies
};

static int
s_echo_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    if (act_msg_type (msg) == MSG_STOP) {
        return ACT_STOP;
    }
    act_msg_t *reply = act_msg_new_data (act_msg_type (msg), act_msg_data (msg),
                                         act_msg_size (msg));
    act_reply (msg, &reply);
    return ACT_OK;
}

static const act_class_t s_echo = { .name = "echo", .handle = s_echo_handle };

static bool
s_readable (int fd, int timeout_ms)
{
    struct pollfd item = { .fd = fd, .events = POLLIN };
    return poll (&item, 1, timeout_ms) == 1 && (item.revents & POLLIN);
}

//  The first test is the example (the seed's Reference()): tell an actor
//  with the inbox as sender; its reply lands in the inbox.
Test (inbox, replies_land_in_the_inbox, .timeout = 20)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    act_inbox_t *me = act_inbox_new (system);
    cr_assert_not_null (me);
    cr_assert (act_ref_alive (act_inbox_ref (me)));

    for (int i = 0; i < 10; i++) {
        act_msg_t *msg = act_msg_new_str (MSG_PING, "Hello World!");
        act_msg_set_sender (msg, act_inbox_ref (me));
        act_msg_set_corr (msg, 100 + i);
        cr_assert_eq (act_tell (echo, &msg), 0);
    }
    for (int i = 0; i < 10; i++) {
        act_msg_t *reply = act_inbox_recv (me, 2000);
        cr_assert_not_null (reply, "reply %d: %s", i, strerror (errno));
        cr_assert_str_eq (act_msg_str (reply), "Hello World!");
        //  act_reply copied our correlation id; replies keep their order
        cr_assert_eq (act_msg_corr (reply), 100 + i);
        act_msg_destroy (&reply);
    }
    cr_assert_eq (act_inbox_size (me), 0);

    act_inbox_destroy (&me);
    cr_assert_null (me);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

Test (inbox, recv_times_out, .timeout = 20)
{
    act_inbox_t *inbox = act_inbox_new (NULL);
    cr_assert_not_null (inbox);

    //  0: do not wait
    int64_t start = act_test_now_ms ();
    errno = 0;
    cr_assert_null (act_inbox_recv (inbox, 0));
    cr_assert_eq (errno, ETIMEDOUT);
    cr_assert_lt (act_test_now_ms () - start, 500);

    //  A timeout is honoured
    int64_t start_us = act_test_now_us ();
    errno = 0;
    cr_assert_null (act_inbox_recv (inbox, 150));
    int64_t elapsed = act_test_now_us () - start_us;
    cr_assert_eq (errno, ETIMEDOUT);
    cr_assert_geq (elapsed, 149 * 1000, "returned after %lld us", (long long) elapsed);
    cr_assert_leq (elapsed, 2150 * 1000, "returned after %lld us", (long long) elapsed);
    act_inbox_destroy (&inbox);
}

Test (inbox, tell_straight_to_an_inbox, .timeout = 20)
{
    act_inbox_t *inbox = act_inbox_new (NULL);
    act_ref_t *ref = act_inbox_ref (inbox);
    cr_assert_eq (act_inbox_size (inbox), 0);
    for (int i = 0; i < 5; i++) {
        act_msg_t *msg = act_msg_new_data (MSG_DATA, &i, sizeof i);
        cr_assert_eq (act_tell (ref, &msg), 0);
        cr_assert_null (msg);
    }
    cr_assert_eq (act_inbox_size (inbox), 5);
    for (int i = 0; i < 5; i++) {
        act_msg_t *msg = act_inbox_recv (inbox, 0);
        cr_assert_not_null (msg);
        cr_assert_eq (*(const int *) act_msg_data (msg), i, "FIFO");
        act_msg_destroy (&msg);
        cr_assert_eq (act_inbox_size (inbox), 4 - i);
    }
    act_inbox_destroy (&inbox);
}

Test (inbox, fd_readable_while_messages_wait, .timeout = 20)
{
    act_inbox_t *inbox = act_inbox_new (NULL);
    int fd = act_inbox_fd (inbox);
    cr_assert_geq (fd, 0);
    cr_assert_not (s_readable (fd, 0), "readable while empty");

    act_msg_t *msg = act_msg_new (MSG_DATA);
    cr_assert_eq (act_tell (act_inbox_ref (inbox), &msg), 0);
    msg = act_msg_new (MSG_DATA);
    cr_assert_eq (act_tell (act_inbox_ref (inbox), &msg), 0);
    cr_assert (s_readable (fd, 1000), "not readable with 2 waiting");

    msg = act_inbox_recv (inbox, 0);
    cr_assert_not_null (msg);
    act_msg_destroy (&msg);
    cr_assert (s_readable (fd, 1000), "not readable with 1 waiting");

    msg = act_inbox_recv (inbox, 0);
    cr_assert_not_null (msg);
    act_msg_destroy (&msg);
    cr_assert_not (s_readable (fd, 0), "readable once drained");
    act_inbox_destroy (&inbox);
}

Test (inbox, fd_wakes_a_poll_when_an_actor_replies, .timeout = 20)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    act_inbox_t *inbox = act_inbox_new (system);
    int fd = act_inbox_fd (inbox);

    for (int i = 0; i < 20; i++) {
        act_msg_t *msg = act_msg_new_str (MSG_PING, "poll me");
        act_msg_set_sender (msg, act_inbox_ref (inbox));
        cr_assert_eq (act_tell (echo, &msg), 0);
        //  Wait in poll, as a host's own loop would, then take it
        cr_assert (s_readable (fd, 3000), "round %d: fd never readable", i);
        act_msg_t *reply = act_inbox_recv (inbox, 0);
        cr_assert_not_null (reply, "round %d: readable but empty", i);
        act_msg_destroy (&reply);
    }
    act_inbox_destroy (&inbox);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  threads

typedef struct {
    act_inbox_t *inbox;
    atomic_int waiting;
    act_msg_t *got;
    int got_errno;
} receiver_t;

static void *
s_receiver (void *arg)
{
    receiver_t *job = arg;
    atomic_store (&job->waiting, 1);
    errno = 0;
    job->got = act_inbox_recv (job->inbox, -1);
    job->got_errno = errno;
    return NULL;
}

Test (inbox, recv_on_another_thread, .timeout = 20)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    act_inbox_t *inbox = act_inbox_new (system);

    //  A thread blocks in recv with no limit; the reply wakes it
    receiver_t job = { .inbox = inbox };
    pthread_t thread;
    cr_assert_eq (pthread_create (&thread, NULL, s_receiver, &job), 0);
    ACT_ASSERT_EVENTUALLY (atomic_load (&job.waiting), 2000);
    act_msg_t *msg = act_msg_new_str (MSG_PING, "wake up");
    act_msg_set_sender (msg, act_inbox_ref (inbox));
    cr_assert_eq (act_tell (echo, &msg), 0);
    pthread_join (thread, NULL);
    cr_assert_not_null (job.got, "errno %d", job.got_errno);
    cr_assert_str_eq (act_msg_str (job.got), "wake up");
    act_msg_destroy (&job.got);

    act_inbox_destroy (&inbox);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

typedef struct {
    act_inbox_t *inbox;
    int count;
} producer_t;

static void *
s_producer (void *arg)
{
    producer_t *job = arg;
    for (int i = 0; i < job->count; i++) {
        act_msg_t *msg = act_msg_new_data (MSG_DATA, &i, sizeof i);
        act_tell (act_inbox_ref (job->inbox), &msg);
    }
    return NULL;
}

Test (inbox, fifo_from_a_producer_thread, .timeout = 20)
{
    act_inbox_t *inbox = act_inbox_new (NULL);
    producer_t job = { inbox, 20000 };
    pthread_t thread;
    cr_assert_eq (pthread_create (&thread, NULL, s_producer, &job), 0);
    for (int i = 0; i < job.count; i++) {
        act_msg_t *msg = act_inbox_recv (inbox, 5000);
        cr_assert_not_null (msg, "message %d: %s", i, strerror (errno));
        cr_assert_eq (*(const int *) act_msg_data (msg), i);
        act_msg_destroy (&msg);
    }
    pthread_join (thread, NULL);
    cr_assert_eq (act_inbox_size (inbox), 0);
    act_inbox_destroy (&inbox);
}

typedef struct {
    act_inbox_t *inbox;
    atomic_int *taken;
    int *seen;                  //  one counter per message index
    pthread_mutex_t *lock;
} consumer_t;

static void *
s_consumer (void *arg)
{
    consumer_t *job = arg;
    while (atomic_load (job->taken) < 4000) {
        act_msg_t *msg = act_inbox_recv (job->inbox, 50);
        if (msg) {
            int index = *(const int *) act_msg_data (msg);
            pthread_mutex_lock (job->lock);
            job->seen [index]++;
            pthread_mutex_unlock (job->lock);
            atomic_fetch_add (job->taken, 1);
            act_msg_destroy (&msg);
        }
    }
    return NULL;
}

Test (inbox, many_receivers_each_message_once, .timeout = 20)
{
    act_inbox_t *inbox = act_inbox_new (NULL);
    atomic_int taken = 0;
    static int seen [4000];
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_t threads [3];
    consumer_t jobs [3];
    for (int i = 0; i < 3; i++) {
        jobs [i] = (consumer_t) { inbox, &taken, seen, &lock };
        cr_assert_eq (pthread_create (&threads [i], NULL, s_consumer, &jobs [i]), 0);
    }
    producer_t producer = { inbox, 4000 };
    s_producer (&producer);
    for (int i = 0; i < 3; i++) {
        pthread_join (threads [i], NULL);
    }
    for (int i = 0; i < 4000; i++) {
        cr_assert_eq (seen [i], 1, "message %d taken %d times", i, seen [i]);
    }
    act_inbox_destroy (&inbox);
}

//  --------------------------------------------------------------------------
//  the seed's Manager: the request goes to a child, the child replies

static int
s_worker_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    act_msg_t *reply = act_msg_new_str (MSG_DATA, "done");
    act_reply (msg, &reply);
    return ACT_STOP;
}

static const act_class_t s_worker = { .name = "worker", .handle = s_worker_handle };

static atomic_int s_workers_stopped;

static int
s_manager_handle (act_t *self, act_msg_t *msg)
{
    act_ref_t *child = act_spawn_child (self, &s_worker, NULL);
    if (!child) {
        return -1;
    }
    return act_tell (child, &msg) == 0 ? ACT_OK : -1;
}

static void
s_manager_child_stopped (act_t *self, act_ref_t *child, const act_exit_t *why)
{
    (void) self; (void) child;
    if (why->kind == ACT_EXIT_NORMAL) {
        atomic_fetch_add (&s_workers_stopped, 1);
    }
}

static const act_class_t s_manager = {
    .name = "manager", .handle = s_manager_handle,
    .child_stopped = s_manager_child_stopped
};

Test (inbox, replies_from_forwarded_requests, .timeout = 20)
{
    act_system_t *system = act_test_system ();
    act_ref_t *manager = act_spawn (system, &s_manager, NULL);
    act_inbox_t *me = act_inbox_new (system);
    for (int i = 0; i < 10; i++) {
        act_msg_t *msg = act_msg_new (MSG_FORWARD);
        act_msg_set_sender (msg, act_inbox_ref (me));
        cr_assert_eq (act_tell (manager, &msg), 0);
    }
    for (int i = 0; i < 10; i++) {
        act_msg_t *reply = act_inbox_recv (me, 3000);
        cr_assert_not_null (reply, "reply %d: %s", i, strerror (errno));
        cr_assert_str_eq (act_msg_str (reply), "done");
        act_msg_destroy (&reply);
    }
    ACT_ASSERT_EVENTUALLY (atomic_load (&s_workers_stopped) == 10, 3000);
    act_inbox_destroy (&me);
    act_ref_destroy (&manager);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  after destroy

Test (inbox, destroyed_inbox_is_dead_letters, .timeout = 20)
{
    act_system_t *system = act_test_system ();
    act_inbox_t *inbox = act_inbox_new (system);
    act_ref_t *ref = act_ref_dup (act_inbox_ref (inbox));
    cr_assert_not_null (ref);
    //  Messages still inside go with it (ASan checks they are freed)
    for (int i = 0; i < 3; i++) {
        act_msg_t *msg = act_msg_new_str (MSG_DATA, "unread");
        cr_assert_eq (act_tell (ref, &msg), 0);
    }
    act_inbox_destroy (&inbox);
    cr_assert_null (inbox);
    cr_assert_not (act_ref_alive (ref));

    uint64_t before = act_system_dead_letters (system);
    act_msg_t *msg = act_msg_new (MSG_DATA);
    errno = 0;
    cr_assert_eq (act_tell (ref, &msg), -1);
    cr_assert_eq (errno, ESRCH);
    cr_assert_null (msg);
    cr_assert_eq (act_system_dead_letters (system), before + 1);

    act_ref_destroy (&ref);
    act_system_destroy (&system);
}

Test (inbox, reply_to_destroyed_inbox_is_dead_letter, .timeout = 20)
{
    act_system_t *system = act_test_system ();
    act_ref_t *echo = act_spawn (system, &s_echo, NULL);
    act_inbox_t *inbox = act_inbox_new (system);
    act_msg_t *msg = act_msg_new_str (MSG_PING, "no one to hear it");
    act_msg_set_sender (msg, act_inbox_ref (inbox));
    act_inbox_destroy (&inbox);
    //  The message holds the inbox's reference; the actor's reply is lost
    cr_assert_eq (act_tell (echo, &msg), 0);
    ACT_ASSERT_EVENTUALLY (act_system_dead_letters (system) == 1, 3000);
    //  The actor lived through it
    msg = act_msg_new_str (MSG_PING, "ok");
    act_msg_t *reply = act_ask (echo, &msg, 2000);
    cr_assert_not_null (reply);
    act_msg_destroy (&reply);
    act_ref_destroy (&echo);
    act_system_destroy (&system);
}

Test (inbox, outlives_its_system, .timeout = 20)
{
    act_system_t *system = act_test_system ();
    act_inbox_t *inbox = act_inbox_new (system);
    act_system_destroy (&system);
    //  Still a working mailbox
    act_msg_t *msg = act_msg_new (MSG_DATA);
    cr_assert_eq (act_tell (act_inbox_ref (inbox), &msg), 0);
    msg = act_inbox_recv (inbox, 1000);
    cr_assert_not_null (msg);
    act_msg_destroy (&msg);
    act_inbox_destroy (&inbox);
}

Test (inbox, bad_input, .timeout = 20)
{
    errno = 0;
    cr_assert_null (act_inbox_recv (NULL, 0));
    cr_assert_eq (errno, EINVAL);
    cr_assert_null (act_inbox_ref (NULL));
    cr_assert_eq (act_inbox_size (NULL), 0);
    cr_assert_lt (act_inbox_fd (NULL), 0);
    act_inbox_destroy (NULL);
    act_inbox_t *none = NULL;
    act_inbox_destroy (&none);
    cr_assert_null (none);
}
