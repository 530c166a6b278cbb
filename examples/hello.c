/*  hello - the seed's Greeter: ask an actor, print its answer
    SPDX-License-Identifier: MPL-2.0

    The smallest actorio program. A Greeter actor answers any message with
    the text "Hello World!"; main asks it once and prints the reply. The
    reply goes back through act_reply, which keeps the ask's correlation id
    so the waiting act_ask recognises it.
*/

#include <actorio.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

enum {
    MSG_HELLO = 1,              //  any request (the seed's Message())
    MSG_GREETING                //  the answer, carrying text
};

static int
s_greeter_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    act_msg_t *reply = act_msg_new_str (MSG_GREETING, "Hello World!");
    if (act_reply (msg, &reply) == -1) {
        return -1;
    }
    return ACT_OK;
}

static const act_class_t s_greeter = {
    .name = "greeter",
    .handle = s_greeter_handle
};

int
main (void)
{
    act_system_t *system = act_system_new ("hello");
    if (!system) {
        fprintf (stderr, "hello: unable to start a system: %s\n", strerror (errno));
        return 1;
    }
    int rc = 1;
    act_ref_t *greeter = act_spawn (system, &s_greeter, NULL);
    if (greeter) {
        act_msg_t *request = act_msg_new (MSG_HELLO);
        act_msg_t *reply = act_ask (greeter, &request, 2000);
        if (reply && act_msg_str (reply)) {
            printf ("%s\n", act_msg_str (reply));
            rc = 0;
        }
        else {
            fprintf (stderr, "hello: no greeting: %s\n", strerror (errno));
        }
        act_msg_destroy (&reply);
        act_ref_destroy (&greeter);
    }
    else {
        fprintf (stderr, "hello: unable to spawn the greeter: %s\n", strerror (errno));
    }
    //  Like leaving the seed's "async with": the greeter stops here
    act_system_destroy (&system);
    return rc;
}
