/*  test_msg_refs - references carried in messages, inside one group:
    add, read, dup, destroy, the limit; an actor that tells through a
    reference it was sent, and one that forwards the message as it is
    (test_groups_refs.c carries them between groups)
    SPDX-License-Identifier: MPL-2.0

    White-box where it counts: the reference's owner count (act_ref_priv.h)
    says whether a message took, copied and released its references, so a
    leak or a double release fails here, not only under LeakSanitizer.
*/
#include "act_test.h"
#include "act_ref_priv.h"

enum {
    MSG_NOTE = 1,               //  int payload: the index it went through
    MSG_PASS,                   //  relay: tell MSG_NOTE through each ref
    MSG_FWD,                    //  relay: forward the message to ref 0
    MSG_ECHO                    //  relay: reply with the refs count
};

static int
s_owners (act_ref_t *ref)
{
    return atomic_load (&ref->refs);
}

//  The first test is the example: a message carries an inbox's reference
//  besides its payload; the receiver reads it back and can tell through
//  it. A copy carries the same references; each message releases its own.
Test (msg_refs, carry_read_copy_and_release, .timeout = 10)
{
    act_inbox_t *inbox = act_inbox_new (NULL);
    act_ref_t *ref = act_inbox_ref (inbox);
    int owners = s_owners (ref);

    act_msg_t *msg = act_msg_new_str (7, "reply to the ref");
    cr_assert_eq (act_msg_refs (msg), 0);
    cr_assert_eq (act_msg_add_ref (msg, ref), 0);
    cr_assert_eq (act_msg_refs (msg), 1);
    cr_assert_eq (act_msg_ref (msg, 0), ref, "the very reference, borrowed");
    cr_assert_eq (s_owners (ref), owners + 1, "the message took a counted reference");

    act_msg_t *copy = act_msg_dup (msg);
    cr_assert_eq (act_msg_refs (copy), 1);
    cr_assert_eq (act_msg_ref (copy, 0), ref);
    cr_assert_eq (s_owners (ref), owners + 2);
    act_msg_destroy (&msg);
    cr_assert_eq (s_owners (ref), owners + 1);

    //  The receiver tells through what it got.
    act_msg_t *note = act_msg_new (MSG_NOTE);
    cr_assert_eq (act_tell (act_msg_ref (copy, 0), &note), 0);
    act_msg_t *got = act_inbox_recv (inbox, 1000);
    cr_assert_not_null (got);
    cr_assert_eq (act_msg_type (got), MSG_NOTE);
    act_msg_destroy (&got);
    act_msg_destroy (&copy);
    cr_assert_eq (s_owners (ref), owners, "every message released its reference");
    act_inbox_destroy (&inbox);
}

Test (msg_refs, bad_arguments_and_the_limit, .timeout = 10)
{
    act_inbox_t *inbox = act_inbox_new (NULL);
    act_ref_t *ref = act_inbox_ref (inbox);
    int owners = s_owners (ref);
    act_msg_t *msg = act_msg_new (1);

    errno = 0;
    cr_assert_eq (act_msg_add_ref (NULL, ref), -1);
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_eq (act_msg_add_ref (msg, NULL), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (act_msg_refs (NULL), 0);
    errno = 0;
    cr_assert_null (act_msg_ref (NULL, 0));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_msg_ref (msg, 0), "no reference yet");
    cr_assert_eq (errno, ERANGE);

    //  The same reference may go in more than once: each is one owner.
    for (int i = 0; i < ACT_MSG_REFS_MAX; i++)
        cr_assert_eq (act_msg_add_ref (msg, ref), 0, "ref %d: %s", i, strerror (errno));
    errno = 0;
    cr_assert_eq (act_msg_add_ref (msg, ref), -1, "one over ACT_MSG_REFS_MAX");
    cr_assert_eq (errno, E2BIG);
    cr_assert_eq (act_msg_refs (msg), ACT_MSG_REFS_MAX);
    cr_assert_eq (s_owners (ref), owners + ACT_MSG_REFS_MAX, "the refused one was not taken");
    cr_assert_eq (act_msg_ref (msg, ACT_MSG_REFS_MAX - 1), ref);
    errno = 0;
    cr_assert_null (act_msg_ref (msg, ACT_MSG_REFS_MAX));
    cr_assert_eq (errno, ERANGE);

    act_msg_t *copy = act_msg_dup (msg);
    cr_assert_eq (act_msg_refs (copy), ACT_MSG_REFS_MAX);
    cr_assert_eq (s_owners (ref), owners + 2 * ACT_MSG_REFS_MAX);
    act_msg_destroy (&copy);
    act_msg_destroy (&msg);
    cr_assert_eq (s_owners (ref), owners);
    act_inbox_destroy (&inbox);
}

//  A reference carried in a message keeps its target's reference alive
//  after everyone else dropped theirs, and says the target has stopped.
Test (msg_refs, a_carried_reference_outlives_its_other_owners, .timeout = 10)
{
    act_inbox_t *inbox = act_inbox_new (NULL);
    act_msg_t *msg = act_msg_new (1);
    cr_assert_eq (act_msg_add_ref (msg, act_inbox_ref (inbox)), 0);
    act_inbox_destroy (&inbox);
    act_ref_t *ref = act_msg_ref (msg, 0);
    cr_assert_not (act_ref_alive (ref));
    act_msg_t *note = act_msg_new (MSG_NOTE);
    cr_assert_eq (act_tell (ref, &note), -1);
    cr_assert_eq (errno, ESRCH);
    act_msg_destroy (&msg);
}

//  --------------------------------------------------------------------
//  relay: an actor that uses the references it is sent

static int
s_relay_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    switch (act_msg_type (msg)) {
        case MSG_PASS:
            for (size_t i = 0; i < act_msg_refs (msg); i++) {
                int index = (int) i;
                act_msg_t *note = act_msg_new_data (MSG_NOTE, &index, sizeof index);
                act_tell (act_msg_ref (msg, i), &note);
            }
            return ACT_OK;
        case MSG_FWD: {
            //  Forwarded as it is: the message goes on with its references.
            act_msg_t *same = msg;
            act_tell (act_msg_ref (msg, 0), &same);
            return ACT_OK;
        }
        case MSG_ECHO: {
            int count = (int) act_msg_refs (msg);
            act_msg_t *reply = act_msg_new_data (MSG_ECHO, &count, sizeof count);
            return act_reply (msg, &reply);
        }
        default:
            return ACT_UNHANDLED;
    }
}

static const act_class_t s_relay = {
    .name = "relay", .handle = s_relay_handle
};

static int
s_int_of (const act_msg_t *msg)
{
    int value = -1;
    if (act_msg_size (msg) == sizeof value)
        memcpy (&value, act_msg_data (msg), sizeof value);
    return value;
}

Test (msg_refs, an_actor_tells_through_the_references_it_is_sent, .timeout = 10)
{
    act_system_t *system = act_test_system ();
    act_ref_t *relay = act_spawn (system, &s_relay, NULL);
    act_ref_t *other = act_spawn (system, &s_relay, NULL);
    act_inbox_t *first = act_inbox_new (system);
    act_inbox_t *second = act_inbox_new (system);

    act_msg_t *msg = act_msg_new (MSG_PASS);
    cr_assert_eq (act_msg_add_ref (msg, act_inbox_ref (first)), 0);
    cr_assert_eq (act_msg_add_ref (msg, act_inbox_ref (second)), 0);
    cr_assert_eq (act_tell (relay, &msg), 0);
    act_msg_t *got = act_inbox_recv (first, 2000);
    cr_assert_not_null (got);
    cr_assert_eq (s_int_of (got), 0);
    cr_assert_eq (act_msg_sender (got), relay, "told by the relay");
    act_msg_destroy (&got);
    got = act_inbox_recv (second, 2000);
    cr_assert_not_null (got);
    cr_assert_eq (s_int_of (got), 1);
    act_msg_destroy (&got);

    //  Forwarded, the message arrives with the same references and its
    //  first sender.
    msg = act_msg_new (MSG_FWD);
    cr_assert_eq (act_msg_add_ref (msg, act_inbox_ref (first)), 0);
    cr_assert_eq (act_msg_add_ref (msg, other), 0);
    cr_assert_eq (act_msg_set_sender (msg, act_inbox_ref (second)), 0);
    cr_assert_eq (act_tell (relay, &msg), 0);
    got = act_inbox_recv (first, 2000);
    cr_assert_not_null (got);
    cr_assert_eq (act_msg_type (got), MSG_FWD);
    cr_assert_eq (act_msg_refs (got), 2);
    cr_assert_eq (act_msg_ref (got, 0), act_inbox_ref (first));
    cr_assert_eq (act_msg_ref (got, 1), other);
    cr_assert_eq (act_msg_sender (got), act_inbox_ref (second));

    //  And asked through a reference that came in a message.
    act_msg_t *ask = act_msg_new (MSG_ECHO);
    cr_assert_eq (act_msg_add_ref (ask, relay), 0);
    act_msg_t *reply = act_ask (act_msg_ref (got, 1), &ask, 2000);
    cr_assert_not_null (reply, "ask: %s", strerror (errno));
    cr_assert_eq (s_int_of (reply), 1, "the ask's references reached the actor");
    act_msg_destroy (&reply);
    act_msg_destroy (&got);

    act_inbox_destroy (&first);
    act_inbox_destroy (&second);
    act_ref_destroy (&relay);
    act_ref_destroy (&other);
    act_system_destroy (&system);
}
