/*  test_groups_refs - references carried in messages between the groups
    of a run, end to end under actor-run, over each link
    SPDX-License-Identifier: MPL-2.0

    Group a's ref_sender tells group b's ref_relay one message carrying
    references to an anonymous actor of a, to an inbox of a and to b's
    own echo (classes in examples/plugins/stream_refs.c). The relay tells
    and asks through them; the test checks what each end reports.
*/
#include "test_groups.h"

//  Frame index of report msg as a string (the caller frees it).
static char *
s_frame_str (zmsg_t *msg, size_t index)
{
    zframe_t *frame = zmsg_first (msg);
    for (size_t i = 0; i < index && frame; i++) {
        frame = zmsg_next (msg);
    }
    cr_assert_not_null (frame, "report has no frame %zu", index);
    return zframe_strdup (frame);
}

//  Takes from's next report of kind and checks its frames from index 2
//  on against want (NULL-terminated; NULL entries inside are "any").
static void
s_expect (s_groups_t *g, const char *from, const char *kind, const char **want, size_t count)
{
    zmsg_t *msg = probe_take (g->run, from, kind, S_WAIT);
    cr_assert_not_null (msg, "no '%s' from %s; log:\n%s", kind, from, g->run->err);
    for (size_t i = 0; i < count; i++) {
        if (!want [i]) {
            continue;
        }
        char *got = s_frame_str (msg, i + 2);
        cr_assert_str_eq (got, want [i], "%s from %s, field %zu: '%s', not '%s'", kind,
                          from, i, got, want [i]);
        free (got);
    }
    zmsg_destroy (&msg);
}

#define S_EXPECT(g, from, kind, ...) do {                                   \
    const char *want_ [] = { __VA_ARGS__ };                                 \
    s_expect (g, from, kind, want_, sizeof want_ / sizeof want_ [0]);       \
} while (0)

S_BOTH_LINKS (references_in_a_message_reach_their_actors_from_another_group)
{
    s_groups_t *g = s_groups_new ((s_options_t) {
        .link = link, .src_class = "ref_sender", .recv_class = "ref_relay" });
    s_command (g, "refs", "b/recv", "b/echo", NULL);
    S_EXPECT (g, "a/src", "sent", "0");

    //  b got three references: two of a's, as addresses a named for them
    //  ("_N"), and its own echo back as the local reference.
    zmsg_t *carried = probe_take (g->run, "b/recv", "carried", S_WAIT);
    cr_assert_not_null (carried, "b/recv got no references; log:\n%s", g->run->err);
    char *count = s_frame_str (carried, 2), *first = s_frame_str (carried, 3),
         *second = s_frame_str (carried, 4), *third = s_frame_str (carried, 5),
         *same = s_frame_str (carried, 6);
    cr_assert_str_eq (count, "3");
    cr_assert (strncmp (first, "a/_", 3) == 0, "the anonymous actor came as '%s'", first);
    cr_assert (strncmp (second, "a/_", 3) == 0, "the inbox came as '%s'", second);
    cr_assert_str_neq (first, second);
    cr_assert_str_eq (third, "echo", "b's own actor is not remote: '%s'", third);
    cr_assert_str_eq (same, "1", "b's own actor is the very reference it has");
    free (count);
    free (first);
    free (second);
    free (third);
    free (same);
    zmsg_destroy (&carried);

    //  Through them: a's anonymous echo and b's echo answer the relay, the
    //  inbox gets its message from b/recv, and the ask through a's echo
    //  gets its reply; in whatever order the groups take them.
    bool echoed [2] = { false, false };
    for (int i = 0; i < 2; i++) {
        zmsg_t *echo = probe_take (g->run, "b/recv", "echoed", S_WAIT);
        cr_assert_not_null (echo, "echo %d never came back; log:\n%s", i, g->run->err);
        char *text = s_frame_str (echo, 2);
        int index = streq (text, "tell-0") ? 0 : streq (text, "tell-2") ? 1 : -1;
        cr_assert (index >= 0 && !echoed [index], "echoed '%s'", text);
        echoed [index] = true;
        free (text);
        zmsg_destroy (&echo);
    }
    S_EXPECT (g, "b/recv", "asked", "0", "ask-0");
    S_EXPECT (g, "a/src", "inbox", "0", "to-inbox", "b/recv");
    s_groups_destroy (&g);
}
