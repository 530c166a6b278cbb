/*  embed - an existing czmq zloop service that embeds an actor system
    SPDX-License-Identifier: MPL-2.0

    The service is plain czmq: a ROUTER socket on inproc:// and a zloop.
    It keeps its state in a Counter actor instead of in the loop: each
    request (a word) read from the ROUTER is told to the Counter with an
    inbox as sender and a correlation id of our own; the Counter replies
    with how often it has seen the word, and the reply lands in the inbox,
    whose fd the same zloop polls beside the ROUTER. The zloop also reads
    the system's zactor pipe, where "STOPPED" arrives if the system runs
    out of actors. A client thread (a zactor with a DEALER) sends a few
    words, prints the replies, and checks them; exit status 0 when all
    came back as expected.
*/

#include <actorio.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define ENDPOINT        "inproc://embed-service"
#define DEADLINE_MS     10000   //  the whole demo, ms

enum {
    MSG_COUNT = 1,              //  a word to count (text)
    MSG_COUNTED                 //  "word N" (text)
};

//  --------------------------------------------------------------------------
//  Counter: the actor holding the service's state

typedef struct {
    zhashx_t *seen;             //  word -> times seen, stored as a pointer
} counter_t;

static int
s_counter_setup (act_t *self, void *args)
{
    (void) args;
    counter_t *counter = (counter_t *) act_state (self);
    counter->seen = zhashx_new ();
    return counter->seen? ACT_OK: -1;
}

static int
s_counter_handle (act_t *self, act_msg_t *msg)
{
    counter_t *counter = (counter_t *) act_state (self);
    const char *word = act_msg_str (msg);
    if (act_msg_type (msg) != MSG_COUNT || !word) {
        return ACT_UNHANDLED;
    }
    uintptr_t times = (uintptr_t) zhashx_lookup (counter->seen, word) + 1;
    zhashx_update (counter->seen, word, (void *) times);
    char text [256];
    snprintf (text, sizeof text, "%s %lu", word, (unsigned long) times);
    act_msg_t *reply = act_msg_new_str (MSG_COUNTED, text);
    //  act_reply copies the request's correlation id, which is how the
    //  service finds the client to answer
    return act_reply (msg, &reply) == -1? -1: ACT_OK;
}

static void
s_counter_teardown (act_t *self)
{
    counter_t *counter = (counter_t *) act_state (self);
    zhashx_destroy (&counter->seen);
}

static const act_class_t s_counter = {
    .name = "counter",
    .state_size = sizeof (counter_t),
    .setup = s_counter_setup,
    .handle = s_counter_handle,
    .teardown = s_counter_teardown
};

//  --------------------------------------------------------------------------
//  The service: a zloop with a ROUTER, the inbox, and the system's pipe

typedef struct {
    zsock_t *router;            //  the service's own socket
    act_ref_t *counter;         //  where requests go
    act_inbox_t *inbox;         //  where replies come back
    zhashx_t *pending;          //  correlation id (as text) -> identity zframe
    uint64_t next_corr;         //  last correlation id used
    bool client_ok;             //  the client saw every expected reply
    bool failed;                //  something went wrong in the service
} service_t;

static int
s_on_request (zloop_t *loop, zsock_t *router, void *arg)
{
    (void) loop;
    service_t *service = (service_t *) arg;
    zmsg_t *request = zmsg_recv (router);
    if (!request) {
        return 0;
    }
    zframe_t *identity = zmsg_pop (request);
    char *word = zmsg_popstr (request);
    if (identity && word) {
        act_msg_t *msg = act_msg_new_str (MSG_COUNT, word);
        act_msg_set_sender (msg, act_inbox_ref (service->inbox));
        act_msg_set_corr (msg, ++service->next_corr);
        char key [24];
        snprintf (key, sizeof key, "%" PRIu64, service->next_corr);
        zhashx_insert (service->pending, key, identity);
        identity = NULL;
        if (act_tell (service->counter, &msg) == -1) {
            zsys_error ("embed: the counter is gone: %s", strerror (errno));
            service->failed = true;
            return -1;
        }
    }
    zframe_destroy (&identity);
    zstr_free (&word);
    zmsg_destroy (&request);
    return 0;
}

//  The inbox fd is readable while replies wait: take them all
static int
s_on_reply (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    (void) item;
    service_t *service = (service_t *) arg;
    act_msg_t *reply;
    while ((reply = act_inbox_recv (service->inbox, 0))) {
        char key [24];
        snprintf (key, sizeof key, "%" PRIu64, act_msg_corr (reply));
        zframe_t *identity = (zframe_t *) zhashx_lookup (service->pending, key);
        if (identity && act_msg_str (reply)) {
            zframe_send (&identity, service->router, ZFRAME_MORE | ZFRAME_REUSE);
            zstr_send (service->router, act_msg_str (reply));
        }
        //  The table's destructor frees the identity
        zhashx_delete (service->pending, key);
        act_msg_destroy (&reply);
    }
    return 0;
}

static int
s_on_system (zloop_t *loop, zsock_t *pipe, void *arg)
{
    (void) loop;
    service_t *service = (service_t *) arg;
    char *event = zstr_recv (pipe);
    bool stopped = event && streq (event, "STOPPED");
    zstr_free (&event);
    if (stopped) {
        zsys_error ("embed: the actor system stopped under us");
        service->failed = true;
        return -1;
    }
    return 0;
}

//  The client signals once, with 0 when every reply was right
static int
s_on_client_done (zloop_t *loop, zsock_t *pipe, void *arg)
{
    (void) loop;
    service_t *service = (service_t *) arg;
    service->client_ok = zsock_wait (pipe) == 0;
    return -1;
}

static int
s_on_deadline (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    service_t *service = (service_t *) arg;
    zsys_error ("embed: no result within %d ms", DEADLINE_MS);
    service->failed = true;
    return -1;
}

//  --------------------------------------------------------------------------
//  The client: any czmq peer of the service

static void
s_client (zsock_t *pipe, void *args)
{
    (void) args;
    static const char *words [] = { "apple", "pear", "apple", "fig", "apple" };
    static const char *expected [] = { "apple 1", "pear 1", "apple 2", "fig 1", "apple 3" };
    size_t count = sizeof words / sizeof words [0];
    zsock_t *dealer = zsock_new_dealer (">" ENDPOINT);
    zsock_signal (pipe, 0);
    int errors = dealer? 0: 1;
    if (dealer) {
        zsock_set_rcvtimeo (dealer, DEADLINE_MS);
        for (size_t i = 0; i < count; i++) {
            zstr_send (dealer, words [i]);
        }
        //  One Counter handles them in order, so replies come in order
        for (size_t i = 0; i < count; i++) {
            char *reply = zstr_recv (dealer);
            if (!reply) {
                printf ("no reply to %s\n", words [i]);
                errors++;
                break;
            }
            printf ("%s -> %s\n", words [i], reply);
            if (!streq (reply, expected [i])) {
                errors++;
            }
            zstr_free (&reply);
        }
        fflush (stdout);
    }
    zsock_destroy (&dealer);
    zsock_signal (pipe, errors? 1: 0);
    //  Wait for $TERM from zactor_destroy, as every zactor does
    char *command = zstr_recv (pipe);
    zstr_free (&command);
}

//  --------------------------------------------------------------------------

int
main (void)
{
    act_system_t *system = act_system_new ("embed");
    service_t service = { 0 };
    service.router = zsock_new_router ("@" ENDPOINT);
    service.pending = zhashx_new ();
    service.inbox = system? act_inbox_new (system): NULL;
    service.counter = system? act_spawn (system, &s_counter, NULL): NULL;
    zloop_t *loop = zloop_new ();
    if (!system || !service.router || !service.pending || !service.inbox
    ||  !service.counter || !loop) {
        fprintf (stderr, "embed: unable to start: %s\n", strerror (errno));
        service.failed = true;
    }
    if (service.pending) {
        zhashx_set_destructor (service.pending, (zhashx_destructor_fn *) zframe_destroy);
    }

    zactor_t *client = NULL;
    if (!service.failed) {
        //  The inbox is not a ZeroMQ socket: poll its fd as a raw pollitem
        zmq_pollitem_t inbox_item = { NULL, act_inbox_fd (service.inbox), ZMQ_POLLIN, 0 };
        zloop_reader (loop, service.router, s_on_request, &service);
        zloop_poller (loop, &inbox_item, s_on_reply, &service);
        zloop_reader (loop, zactor_sock (act_system_actor (system)), s_on_system, &service);
        zloop_timer (loop, DEADLINE_MS, 1, s_on_deadline, &service);
        //  The client's first signal is zactor_new's handshake; its second
        //  (its verdict) ends the loop
        client = zactor_new (s_client, NULL);
        zloop_reader (loop, zactor_sock (client), s_on_client_done, &service);
        zloop_start (loop);
    }
    zloop_destroy (&loop);
    zactor_destroy (&client);
    act_ref_destroy (&service.counter);
    act_inbox_destroy (&service.inbox);
    zsock_destroy (&service.router);
    zhashx_destroy (&service.pending);
    act_system_destroy (&system);

    bool ok = service.client_ok && !service.failed;
    printf ("%s\n", ok? "embed: all replies as expected": "embed: FAILED");
    return ok? 0: 1;
}
