/*  manager - the seed's Manager/Worker: a child per request, slow work in
    the worker pool, replies collected in an inbox
    SPDX-License-Identifier: MPL-2.0

    main tells the Manager ten requests whose sender is an inbox. For each
    one the Manager spawns a Worker child and forwards the request to it
    unchanged, so its sender stays the inbox and the Manager never sees the
    answers. A Worker hands its blocking operation (a short sleep) to the
    worker pool, replies to the original sender with the result, and stops
    after that one message; the Manager's child_stopped hears of each stop.
    Exit status 0 only when all ten replies came and child_stopped ran ten
    times.
*/

#include <actorio.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REQUESTS        10      //  requests main sends
#define MAX_WORK_MS     50      //  longest blocking operation, ms
#define REPLY_WAIT_MS   5000    //  how long main waits for each reply, ms

enum {
    MSG_REQUEST = 1,            //  do some slow work (the seed's RequestMessage)
    MSG_RESPONSE,               //  its result as text (ResponseMessage)
    MSG_WORK_DONE,              //  a pool thread's result, to the Worker
    MSG_STOPPED_COUNT           //  ask the Manager how many Workers stopped
};

//  --------------------------------------------------------------------------
//  Worker: one request, one blocking operation, one reply, then stop

typedef struct {
    act_msg_t *request;         //  the request being served, until replied
} worker_t;

//  The blocking operation. It runs on a pool thread, so it may block; it
//  must not touch the actor, only return a message for it.
static act_msg_t *
s_blocking_operation (void *arg)
{
    int sleep_ms = (int) (intptr_t) arg;
    struct timespec ts = {0, (long) sleep_ms * 1000000L};
    while (nanosleep (&ts, &ts) == -1 && errno == EINTR) {
    }
    char text [16];
    snprintf (text, sizeof text, "%d", sleep_ms);
    return act_msg_new_str (MSG_WORK_DONE, text);
}

static int
s_worker_handle (act_t *self, act_msg_t *msg)
{
    worker_t *worker = (worker_t *) act_state (self);
    if (act_msg_type (msg) == MSG_REQUEST && !worker->request) {
        //  msg is borrowed: keep a copy, sender included, for the reply
        worker->request = act_msg_dup (msg);
        //  Picked here, on the loop thread, so random () has one caller
        intptr_t sleep_ms = random () % (MAX_WORK_MS + 1);
        if (!worker->request
        ||  act_offload (self, s_blocking_operation, (void *) sleep_ms) == -1) {
            return -1;
        }
        return ACT_OK;
    }
    if (act_msg_type (msg) == MSG_WORK_DONE && worker->request) {
        act_msg_t *response = act_msg_new_str (MSG_RESPONSE, act_msg_str (msg));
        int rc = act_reply (worker->request, &response);
        act_msg_destroy (&worker->request);
        if (rc == -1) {
            return -1;
        }
        //  One message, then stop (the seed's EndMainLoop)
        return ACT_STOP;
    }
    return ACT_UNHANDLED;
}

static void
s_worker_teardown (act_t *self)
{
    worker_t *worker = (worker_t *) act_state (self);
    act_msg_destroy (&worker->request);
}

static const act_class_t s_worker = {
    .name = "worker",
    .state_size = sizeof (worker_t),
    .handle = s_worker_handle,
    .teardown = s_worker_teardown
};

//  --------------------------------------------------------------------------
//  Manager: spawns a Worker per request and counts their stops

typedef struct {
    int stopped;                //  Workers whose child_stopped ran
    int failed;                 //  of those, how many failed
    act_msg_t *count_request;   //  a pending MSG_STOPPED_COUNT, answered
                                //  once all REQUESTS Workers have stopped
} manager_t;

static int
s_manager_answer_count (manager_t *manager)
{
    char text [32];
    snprintf (text, sizeof text, "%d %d", manager->stopped, manager->failed);
    act_msg_t *answer = act_msg_new_str (MSG_STOPPED_COUNT, text);
    int rc = act_reply (manager->count_request, &answer);
    act_msg_destroy (&manager->count_request);
    return rc;
}

static int
s_manager_handle (act_t *self, act_msg_t *msg)
{
    manager_t *manager = (manager_t *) act_state (self);
    if (act_msg_type (msg) == MSG_REQUEST) {
        act_ref_t *worker = act_spawn_child (self, &s_worker, NULL);
        if (!worker) {
            return -1;
        }
        //  Forward the message itself: its sender stays main's inbox, so the
        //  Worker's reply skips us (the seed's child.tell (message))
        if (act_tell (worker, &msg) == -1) {
            return -1;
        }
        return ACT_OK;
    }
    if (act_msg_type (msg) == MSG_STOPPED_COUNT && !manager->count_request) {
        //  Workers stop after they reply, so main may ask before the last
        //  child_stopped: hold the question until the count is complete
        manager->count_request = act_msg_dup (msg);
        if (!manager->count_request) {
            return -1;
        }
        if (manager->stopped >= REQUESTS) {
            return s_manager_answer_count (manager) == -1? -1: ACT_OK;
        }
        return ACT_OK;
    }
    return ACT_UNHANDLED;
}

static void
s_manager_child_stopped (act_t *self, act_ref_t *child, const act_exit_t *why)
{
    (void) child;
    manager_t *manager = (manager_t *) act_state (self);
    manager->stopped++;
    if (act_exit_failed (why)) {
        manager->failed++;
    }
    printf ("Worker %d stopped (%s)\n", manager->stopped, act_exit_kind_name (why->kind));
    fflush (stdout);
    if (manager->count_request && manager->stopped >= REQUESTS) {
        s_manager_answer_count (manager);
    }
}

static void
s_manager_teardown (act_t *self)
{
    manager_t *manager = (manager_t *) act_state (self);
    act_msg_destroy (&manager->count_request);
}

static const act_class_t s_manager = {
    .name = "manager",
    .state_size = sizeof (manager_t),
    .handle = s_manager_handle,
    .child_stopped = s_manager_child_stopped,
    .teardown = s_manager_teardown
};

//  --------------------------------------------------------------------------

int
main (void)
{
    srandom ((unsigned) time (NULL));
    act_system_t *system = act_system_new ("manager");
    if (!system) {
        fprintf (stderr, "manager: unable to start a system: %s\n", strerror (errno));
        return 1;
    }
    //  Somewhere for the answers to land (the seed's Reference ())
    act_inbox_t *me = act_inbox_new (system);
    act_ref_t *manager = act_spawn (system, &s_manager, NULL);
    if (!me || !manager) {
        fprintf (stderr, "manager: unable to start: %s\n", strerror (errno));
        act_ref_destroy (&manager);
        act_inbox_destroy (&me);
        act_system_destroy (&system);
        return 1;
    }
    int sent = 0;
    for (int i = 0; i < REQUESTS; i++) {
        act_msg_t *request = act_msg_new (MSG_REQUEST);
        act_msg_set_sender (request, act_inbox_ref (me));
        if (act_tell (manager, &request) == 0) {
            sent++;
        }
    }
    int received = 0;
    for (int i = 0; i < sent; i++) {
        act_msg_t *response = act_inbox_recv (me, REPLY_WAIT_MS);
        if (!response) {
            fprintf (stderr, "manager: a response is missing: %s\n", strerror (errno));
            break;
        }
        if (act_msg_type (response) == MSG_RESPONSE && act_msg_str (response)) {
            printf ("Got a response with result %s\n", act_msg_str (response));
            fflush (stdout);
            received++;
        }
        act_msg_destroy (&response);
    }
    int stopped = -1, failed = -1;
    act_msg_t *question = act_msg_new (MSG_STOPPED_COUNT);
    act_msg_t *answer = act_ask (manager, &question, REPLY_WAIT_MS);
    if (!answer || !act_msg_str (answer)
    ||  sscanf (act_msg_str (answer), "%d %d", &stopped, &failed) != 2) {
        fprintf (stderr, "manager: the Manager did not report its count: %s\n",
                 strerror (errno));
    }
    act_msg_destroy (&answer);
    printf ("%d responses, %d workers stopped, %d failed\n", received, stopped, failed);

    act_ref_destroy (&manager);
    act_inbox_destroy (&me);
    act_system_destroy (&system);
    return received == REQUESTS && stopped == REQUESTS && failed == 0? 0: 1;
}
