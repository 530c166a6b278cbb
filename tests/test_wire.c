/*  test_wire - the codec of messages between groups
    SPDX-License-Identifier: MPL-2.0
*/
#include "act_test.h"
#include "act_wire.h"

static act_wire_reason_t
s_decode (zmsg_t *wire, act_wire_head_t *head, size_t max)
{
    act_wire_frame_t frames [8];
    size_t count = 0;
    for (zframe_t *f = zmsg_first (wire); f && count < 8; f = zmsg_next (wire))
        frames [count++] = (act_wire_frame_t) { zframe_data (f), zframe_size (f) };
    if (zmsg_size (wire) > 8)
        count = 8;
    return act_wire_decode (frames, count, max, head);
}

Test (wire, round_trip_over_a_socket, .timeout = 10)
{
    zsock_t *out = zsock_new_pair ("@inproc://wire-rt");
    zsock_t *in = zsock_new_pair (">inproc://wire-rt");
    act_msg_t *msg = act_msg_new_str (42, "hello");
    act_msg_set_corr (msg, 0x0102030405060708ull);
    cr_assert_eq (act_wire_send (zsock_resolve (out), NULL, "greeter", "g1/asker",
                                 ACT_WIRE_F_ASK, &msg), 0);
    cr_assert_null (msg, "the codec took the message");

    zmsg_t *wire = zmsg_recv (in);
    cr_assert_eq (zmsg_size (wire), ACT_WIRE_FRAMES);
    act_wire_head_t head;
    cr_assert_eq (s_decode (wire, &head, 0), ACT_WIRE_OK);
    cr_assert_eq (head.type, 42);
    cr_assert_eq (head.corr, 0x0102030405060708ull);
    cr_assert_eq (head.flags, ACT_WIRE_F_ASK);
    cr_assert_str_eq (head.target, "greeter");
    cr_assert_str_eq (head.sender, "g1/asker");
    cr_assert_eq (head.size, 6);
    cr_assert_str_eq ((const char *) head.payload, "hello");
    zmsg_destroy (&wire);
    zsock_destroy (&in);
    zsock_destroy (&out);
}

//  Builds a frame set from a header and strings, for the bad cases.
static zmsg_t *
s_wire (const unsigned char *header, size_t header_size, const char *target,
        const char *sender, size_t payload)
{
    zmsg_t *wire = zmsg_new ();
    zmsg_addmem (wire, header, header_size);
    zmsg_addmem (wire, target, strlen (target));
    zmsg_addmem (wire, sender, strlen (sender));
    char *body = (char *) calloc (1, payload + 1);
    zmsg_addmem (wire, body, payload);
    free (body);
    return wire;
}

Test (wire, refuses_each_malformed_field)
{
    unsigned char good [ACT_WIRE_HEADER] = { ACT_WIRE_MAGIC, ACT_WIRE_VERSION, 0, 0,
                                             0, 0xFF, 0, 7 };
    unsigned char h [ACT_WIRE_HEADER];
    act_wire_head_t head;
    struct { const char *what; int patch_at; unsigned char value; size_t header_size;
             const char *target; const char *sender; size_t payload;
             act_wire_reason_t expect; } cases [] = {
        { "good",          -1, 0, 16, "a", "g/a", 10, ACT_WIRE_OK },
        { "short header",  -1, 0, 15, "a", "", 0, ACT_WIRE_BAD_HEADER },
        { "long header",   -1, 0, 17, "a", "", 0, ACT_WIRE_BAD_HEADER },
        { "magic",          0, 0x00, 16, "a", "", 0, ACT_WIRE_BAD_HEADER },
        { "version",        1, 9, 16, "a", "", 0, ACT_WIRE_BAD_VERSION },
        { "flags",          2, 0x80, 16, "a", "", 0, ACT_WIRE_BAD_FLAGS },
        { "reserved",       3, 1, 16, "a", "", 0, ACT_WIRE_BAD_FLAGS },
        { "system type",    4, 0xFF, 16, "a", "", 0, ACT_WIRE_BAD_TYPE },
        { "empty target",  -1, 0, 16, "", "", 0, ACT_WIRE_BAD_TARGET },
        { "slash target",  -1, 0, 16, "a/b", "", 0, ACT_WIRE_BAD_TARGET },
        { "long target",   -1, 0, 16,
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "", 0,
          ACT_WIRE_BAD_TARGET },
        { "sender no slash", -1, 0, 16, "a", "ga", 0, ACT_WIRE_BAD_SENDER },
        { "sender empty actor", -1, 0, 16, "a", "g/", 0, ACT_WIRE_BAD_SENDER },
        { "sender bad char", -1, 0, 16, "a", "g/a b", 0, ACT_WIRE_BAD_SENDER },
        { "too big",       -1, 0, 16, "a", "", 101, ACT_WIRE_TOO_BIG },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        memcpy (h, good, sizeof h);
        if (cases [i].patch_at >= 0)
            h [cases [i].patch_at] = cases [i].value;
        unsigned char big [17] = { 0 };
        memcpy (big, h, sizeof h);
        zmsg_t *wire = s_wire (big, cases [i].header_size, cases [i].target,
                               cases [i].sender, cases [i].payload);
        cr_expect_eq (s_decode (wire, &head, 100), cases [i].expect,
                      "%s: got %s", cases [i].what,
                      act_wire_reason_name (s_decode (wire, &head, 100)));
        zmsg_destroy (&wire);
    }
    act_wire_frame_t one = { good, sizeof good };
    cr_expect_eq (act_wire_decode (&one, 1, 0, &head), ACT_WIRE_BAD_FRAMES);
    cr_expect_eq (act_wire_decode (NULL, 4, 0, &head), ACT_WIRE_BAD_FRAMES);
}

Test (wire, names_and_addresses)
{
    cr_expect (act_wire_name_valid ("a-b_c.9", 7));
    cr_expect_not (act_wire_name_valid ("a b", 3));
    cr_expect_not (act_wire_name_valid ("", 0));
    cr_expect (act_wire_addr_valid ("g/a", 3));
    cr_expect_not (act_wire_addr_valid ("g/a/b", 5));
    cr_expect_not (act_wire_addr_valid ("/a", 2));
}
