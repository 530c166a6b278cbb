/*  stream_refs - classes of the stream plugin for references carried in
    messages between groups (tests/test_groups_refs.c)
    SPDX-License-Identifier: MPL-2.0

    Like the other classes of the plugin they take args "ENDPOINT ..."
    and talk to the test over a DEALER socket (stream_control_new).

    ref_sender   in group a
      It sends   ["hello", "GROUP/ACTOR", PID]          after setup
                 ["sent", ERRNO]                         the carrying tell
                                                         (0: accepted)
                 ["inbox", ERRNO, TEXT, SENDER]           what its inbox got
      It obeys   ["refs", TARGET, LOCAL]
                    spawn an anonymous ref_echo child, make an inbox,
                    find LOCAL (an address in TARGET's group), and tell
                    TARGET one message carrying the three references, in
                    that order; a worker waits on the inbox for a message

    ref_relay    in group b
      It sends   ["hello", "GROUP/ACTOR", PID]          after setup
                 ["carried", COUNT, NAME0, NAME1, NAME2, SAME]
                                    the references of a REFS_CARRY, by
                                    act_ref_name ("-" for none); SAME is
                                    1 if the third is the very reference
                                    act_find gives for its name here
                 ["echoed", TEXT]   a reply that came back
                 ["asked", ERRNO, TEXT]  an ask through the first ref
      On a REFS_CARRY it tells "tell-0" through the first reference and
      "tell-2" through the third (echoes, whose replies come back), tells
      "to-inbox" through the second, and asks "ask-0" through the first
      from its worker pool.

    ref_echo     replies to every message with its type and payload
*/
#include <actorio.h>
#include <act_group.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream.h"

enum {
    REFS_CARRY = 200,           //  carries references to use
    REFS_NOTE,                  //  text, through a reference; echoed
    REFS_DONE                   //  a worker's result: text
};

#define S_WAIT_MS   10000       //  a worker's wait for an inbox or a reply

typedef struct {
    zsock_t *sock;              //  DEALER to the test
    char id [160];              //  "GROUP/ACTOR"
} refs_t;

static int
s_setup (act_t *self, void *args, act_sock_fn *command)
{
    refs_t *state = (refs_t *) act_state (self);
    if (!args) {
        return -1;
    }
    state->sock = stream_control_new (self, (const char *) args, state->id,
                                      sizeof state->id);
    if (!state->sock
    ||  (command && act_watch_sock (self, state->sock, command, NULL) == -1)) {
        zsock_destroy (&state->sock);
        return -1;
    }
    char pid [16];
    snprintf (pid, sizeof pid, "%d", (int) getpid ());
    zstr_sendx (state->sock, "hello", state->id, pid, NULL);
    return ACT_OK;
}

static void
s_teardown (act_t *self)
{
    refs_t *state = (refs_t *) act_state (self);
    if (state->sock) {
        act_unwatch_sock (self, state->sock);
        zsock_destroy (&state->sock);
    }
}

static act_msg_t *
s_note (const char *text)
{
    return act_msg_new_str (REFS_NOTE, text);
}

//  ----------------------------------------------------------------------
//  ref_echo

static int
s_echo_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    act_msg_t *reply = act_msg_new_data (act_msg_type (msg), act_msg_data (msg),
                                         act_msg_size (msg));
    act_reply (msg, &reply);
    return ACT_OK;
}

const act_class_t actorio_class_ref_echo = {
    .name = "ref_echo", .handle = s_echo_handle
};

//  ----------------------------------------------------------------------
//  ref_sender

//  A worker: the inbox's first message, as "ERRNO TEXT SENDER"; the
//  worker owns the inbox and destroys it.
static act_msg_t *
s_inbox_work (void *arg)
{
    act_inbox_t *inbox = (act_inbox_t *) arg;
    act_msg_t *got = act_inbox_recv (inbox, S_WAIT_MS);
    int err = got ? 0 : errno;
    const char *sender = got ? act_ref_name (act_msg_sender (got)) : NULL;
    char result [300];
    snprintf (result, sizeof result, "%d %s %s", err,
              got && act_msg_str (got) ? act_msg_str (got) : "-", sender ? sender : "-");
    act_msg_destroy (&got);
    act_inbox_destroy (&inbox);
    return act_msg_new_str (REFS_DONE, result);
}

static int
s_sender_command (act_t *self, zsock_t *sock, void *arg)
{
    (void) arg;
    refs_t *state = (refs_t *) act_state (self);
    char *command = NULL, *target = NULL, *local = NULL;
    if (zstr_recvx (sock, &command, &target, &local, NULL) == 3
    &&  streq (command, "refs")) {
        act_ref_t *to = act_find (self, target);
        act_ref_t *there = act_find (self, local);
        act_ref_t *child = act_spawn_child (self, &actorio_class_ref_echo, NULL);
        act_inbox_t *inbox = act_inbox_new (NULL);
        act_msg_t *msg = act_msg_new (REFS_CARRY);
        int err = 0;
        if (!to || !there || !child || !inbox
        ||  act_msg_add_ref (msg, child) || act_msg_add_ref (msg, act_inbox_ref (inbox))
        ||  act_msg_add_ref (msg, there) || act_tell (to, &msg)) {
            err = errno ? errno : EINVAL;
        }
        char code [16];
        snprintf (code, sizeof code, "%d", err);
        zstr_sendx (state->sock, "sent", code, NULL);
        if (inbox && (err || act_offload (self, s_inbox_work, inbox))) {
            act_inbox_destroy (&inbox);
        }
        act_msg_destroy (&msg);
        act_ref_destroy (&to);
        act_ref_destroy (&there);
    }
    zstr_free (&command);
    zstr_free (&target);
    zstr_free (&local);
    return ACT_OK;
}

//  A worker's result, "WORD WORD ...", said as its words after kind.
static void
s_say_result (refs_t *state, const char *kind, const act_msg_t *msg)
{
    char a [100] = "-", b [100] = "-", c [160] = "-";
    if (act_msg_str (msg)) {
        sscanf (act_msg_str (msg), "%99s %99s %159s", a, b, c);
    }
    zstr_sendx (state->sock, kind, a, b, c, NULL);
}

static int
s_sender_handle (act_t *self, act_msg_t *msg)
{
    if (act_msg_type (msg) == REFS_DONE) {
        s_say_result ((refs_t *) act_state (self), "inbox", msg);
    }
    return ACT_OK;
}

static int
s_sender_setup (act_t *self, void *args)
{
    return s_setup (self, args, s_sender_command);
}

const act_class_t actorio_class_ref_sender = {
    .name = "ref_sender", .state_size = sizeof (refs_t),
    .setup = s_sender_setup, .handle = s_sender_handle, .teardown = s_teardown
};

//  ----------------------------------------------------------------------
//  ref_relay

//  A worker: ask through the reference (owned), as "ERRNO TEXT".
static act_msg_t *
s_ask_work (void *arg)
{
    act_ref_t *to = (act_ref_t *) arg;
    act_msg_t *ask = s_note ("ask-0");
    act_msg_t *reply = act_ask (to, &ask, S_WAIT_MS);
    char result [160];
    snprintf (result, sizeof result, "%d %s", reply ? 0 : errno,
              reply && act_msg_str (reply) ? act_msg_str (reply) : "-");
    act_msg_destroy (&reply);
    act_ref_destroy (&to);
    return act_msg_new_str (REFS_DONE, result);
}

static const char *
s_name (const act_msg_t *msg, size_t index)
{
    const char *name = act_ref_name (act_msg_ref (msg, index));
    return name ? name : "-";
}

static void
s_relay_carry (act_t *self, refs_t *state, act_msg_t *msg)
{
    act_ref_t *here = act_find (self, s_name (msg, 2));
    char count [16];
    snprintf (count, sizeof count, "%zu", act_msg_refs (msg));
    zstr_sendx (state->sock, "carried", count, s_name (msg, 0), s_name (msg, 1),
                s_name (msg, 2), here && here == act_msg_ref (msg, 2) ? "1" : "0", NULL);
    act_ref_destroy (&here);
    if (act_msg_refs (msg) < 3) {
        return;
    }
    act_msg_t *note = s_note ("tell-0");
    act_tell (act_msg_ref (msg, 0), &note);
    note = s_note ("tell-2");
    act_tell (act_msg_ref (msg, 2), &note);
    note = s_note ("to-inbox");
    act_tell (act_msg_ref (msg, 1), &note);
    act_offload (self, s_ask_work, act_ref_dup (act_msg_ref (msg, 0)));
}

static int
s_relay_handle (act_t *self, act_msg_t *msg)
{
    refs_t *state = (refs_t *) act_state (self);
    switch (act_msg_type (msg)) {
        case REFS_CARRY:
            s_relay_carry (self, state, msg);
            break;
        case REFS_NOTE:
            zstr_sendx (state->sock, "echoed",
                        act_msg_str (msg) ? act_msg_str (msg) : "-", NULL);
            break;
        case REFS_DONE:
            s_say_result (state, "asked", msg);
            break;
        default:
            break;
    }
    return ACT_OK;
}

static int
s_relay_setup (act_t *self, void *args)
{
    return s_setup (self, args, NULL);
}

const act_class_t actorio_class_ref_relay = {
    .name = "ref_relay", .state_size = sizeof (refs_t),
    .setup = s_relay_setup, .handle = s_relay_handle, .teardown = s_teardown
};
