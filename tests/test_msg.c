/*  test_msg - act_msg: type tag, payload, sender, correlation id, ownership
    SPDX-License-Identifier: MPL-2.0
*/
#include "act_test.h"

//  The first test is the example: build a text message, read it back,
//  duplicate it, and free both. Whoever holds the pointer owns it.
Test (msg, text_message_round_trip, .timeout = 10)
{
    act_msg_t *msg = act_msg_new_str (7, "Hello World!");
    cr_assert_not_null (msg);
    cr_assert_eq (act_msg_type (msg), 7);
    cr_assert_str_eq (act_msg_str (msg), "Hello World!");
    //  The NUL is part of the payload
    cr_assert_eq (act_msg_size (msg), strlen ("Hello World!") + 1);
    cr_assert_null (act_msg_sender (msg));
    cr_assert_eq (act_msg_corr (msg), 0);

    act_msg_t *copy = act_msg_dup (msg);
    cr_assert_not_null (copy);
    act_msg_destroy (&msg);
    cr_assert_null (msg);
    //  The copy stands on its own once the original is gone
    cr_assert_str_eq (act_msg_str (copy), "Hello World!");
    act_msg_destroy (&copy);
    cr_assert_null (copy);
}

Test (msg, empty_message_has_no_payload, .timeout = 10)
{
    act_msg_t *msg = act_msg_new (1);
    cr_assert_not_null (msg);
    cr_assert_eq (act_msg_type (msg), 1);
    cr_assert_null (act_msg_data (msg));
    cr_assert_eq (act_msg_size (msg), 0);
    cr_assert_null (act_msg_str (msg));
    act_msg_destroy (&msg);

    //  Type 0 is an ordinary application type
    msg = act_msg_new (0);
    cr_assert_not_null (msg);
    cr_assert_eq (act_msg_type (msg), 0);
    act_msg_destroy (&msg);

    //  So is an empty data message
    msg = act_msg_new_data (2, NULL, 0);
    cr_assert_not_null (msg);
    cr_assert_null (act_msg_data (msg));
    cr_assert_eq (act_msg_size (msg), 0);
    act_msg_destroy (&msg);
}

Test (msg, data_is_copied_in, .timeout = 10)
{
    unsigned char bytes [256];
    for (int i = 0; i < 256; i++) {
        bytes [i] = (unsigned char) i;
    }
    act_msg_t *msg = act_msg_new_data (3, bytes, sizeof bytes);
    cr_assert_not_null (msg);
    //  Changing the source afterwards does not change the message
    memset (bytes, 0xAA, sizeof bytes);
    cr_assert_eq (act_msg_size (msg), 256);
    cr_assert_neq (act_msg_data (msg), (const void *) bytes);
    const unsigned char *data = act_msg_data (msg);
    for (int i = 0; i < 256; i++) {
        cr_assert_eq (data [i], (unsigned char) i, "byte %d", i);
    }
    //  Binary data with no terminating NUL is not text
    cr_assert_null (act_msg_str (msg));
    act_msg_destroy (&msg);
}

Test (msg, large_payload, .timeout = 10)
{
    size_t size = 4 * 1024 * 1024;
    char *big = malloc (size);
    cr_assert_not_null (big);
    for (size_t i = 0; i < size; i++) {
        big [i] = (char) (i * 31 + 7);
    }
    act_msg_t *msg = act_msg_new_data (4, big, size);
    cr_assert_not_null (msg);
    cr_assert_eq (act_msg_size (msg), size);
    cr_assert_eq (memcmp (act_msg_data (msg), big, size), 0);
    act_msg_t *copy = act_msg_dup (msg);
    act_msg_destroy (&msg);
    cr_assert_eq (act_msg_size (copy), size);
    cr_assert_eq (memcmp (act_msg_data (copy), big, size), 0);
    act_msg_destroy (&copy);
    free (big);
}

Test (msg, str_only_for_nul_terminated_text, .timeout = 10)
{
    //  Data that ends in a NUL reads back as a string
    act_msg_t *msg = act_msg_new_data (5, "abc", 4);
    cr_assert_str_eq (act_msg_str (msg), "abc");
    act_msg_destroy (&msg);

    //  Data without the NUL does not
    msg = act_msg_new_data (5, "abc", 3);
    cr_assert_null (act_msg_str (msg));
    act_msg_destroy (&msg);

    //  The empty string is a one-byte payload
    msg = act_msg_new_str (5, "");
    cr_assert_eq (act_msg_size (msg), 1);
    cr_assert_str_eq (act_msg_str (msg), "");
    act_msg_destroy (&msg);
}

Test (msg, correlation_id, .timeout = 10)
{
    act_msg_t *msg = act_msg_new (9);
    cr_assert_eq (act_msg_corr (msg), 0);
    act_msg_set_corr (msg, 0x1234567890ABCDEFull);
    cr_assert_eq (act_msg_corr (msg), 0x1234567890ABCDEFull);
    act_msg_t *copy = act_msg_dup (msg);
    cr_assert_eq (act_msg_corr (copy), 0x1234567890ABCDEFull);
    act_msg_set_corr (msg, 0);
    cr_assert_eq (act_msg_corr (msg), 0);
    act_msg_destroy (&msg);
    act_msg_destroy (&copy);
}

Test (msg, sender_is_reference_counted, .timeout = 10)
{
    act_inbox_t *inbox = act_inbox_new (NULL);
    cr_assert_not_null (inbox);
    act_msg_t *msg = act_msg_new_str (1, "from the inbox");
    cr_assert_eq (act_msg_set_sender (msg, act_inbox_ref (inbox)), 0);
    cr_assert_not_null (act_msg_sender (msg));
    cr_assert (act_ref_alive (act_msg_sender (msg)));

    //  dup keeps the sender too
    act_msg_t *copy = act_msg_dup (msg);
    cr_assert_not_null (act_msg_sender (copy));

    //  The message's reference outlives the inbox it names
    act_inbox_destroy (&inbox);
    cr_assert_null (inbox);
    cr_assert_not_null (act_msg_sender (msg));
    cr_assert_not (act_ref_alive (act_msg_sender (msg)));

    //  NULL clears the sender
    cr_assert_eq (act_msg_set_sender (copy, NULL), 0);
    cr_assert_null (act_msg_sender (copy));
    act_msg_destroy (&copy);
    act_msg_destroy (&msg);
}

Test (msg, set_sender_replaces_the_old_one, .timeout = 10)
{
    act_inbox_t *a = act_inbox_new (NULL);
    act_inbox_t *b = act_inbox_new (NULL);
    act_msg_t *msg = act_msg_new (1);
    cr_assert_eq (act_msg_set_sender (msg, act_inbox_ref (a)), 0);
    cr_assert_eq (act_msg_set_sender (msg, act_inbox_ref (b)), 0);
    act_inbox_destroy (&a);
    //  The sender is b, which lives: a's reference was dropped, b's kept
    cr_assert (act_ref_alive (act_msg_sender (msg)));
    act_inbox_destroy (&b);
    cr_assert_not (act_ref_alive (act_msg_sender (msg)));
    act_msg_destroy (&msg);
}

Test (msg, reserved_types_refused, .timeout = 10)
{
    errno = 0;
    cr_assert_null (act_msg_new (ACT_MSG_SYSTEM));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_msg_new (ACT_MSG_DOWN));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_msg_new (0xFFFFFFFFu));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_msg_new_data (ACT_MSG_SYSTEM, "x", 1));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_msg_new_str (ACT_MSG_SYSTEM + 5, "x"));
    cr_assert_eq (errno, EINVAL);

    //  The highest application type is fine
    act_msg_t *msg = act_msg_new (ACT_MSG_SYSTEM - 1);
    cr_assert_not_null (msg);
    cr_assert_eq (act_msg_type (msg), ACT_MSG_SYSTEM - 1);
    act_msg_destroy (&msg);
}

Test (msg, bad_input, .timeout = 10)
{
    errno = 0;
    cr_assert_null (act_msg_new_data (1, NULL, 5));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_msg_new_str (1, NULL));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_null (act_msg_dup (NULL));
    cr_assert_eq (errno, EINVAL);
    errno = 0;
    cr_assert_eq (act_msg_set_sender (NULL, NULL), -1);
    cr_assert_eq (errno, EINVAL);

    //  Readers answer "nothing" for NULL
    cr_assert_eq (act_msg_type (NULL), 0);
    cr_assert_null (act_msg_data (NULL));
    cr_assert_eq (act_msg_size (NULL), 0);
    cr_assert_null (act_msg_str (NULL));
    cr_assert_null (act_msg_sender (NULL));
    cr_assert_eq (act_msg_corr (NULL), 0);
    act_msg_set_corr (NULL, 5);

    //  destroy accepts NULL and a NULL pointer
    act_msg_destroy (NULL);
    act_msg_t *none = NULL;
    act_msg_destroy (&none);
    cr_assert_null (none);
}

//  A size no memory can hold (a length gone negative and cast, a bad
//  count) is refused with ENOMEM: the header plus the payload must not
//  wrap round to a small block that the copy would then overrun.
Test (msg, impossible_size_is_enomem, .timeout = 10)
{
    static const char byte [1] = { 'x' };
    //  Sizes that would wrap, and the smallest no object may have
    //  (refused before malloc, which a sanitizer's allocator aborts on)
    size_t sizes [] = { SIZE_MAX, SIZE_MAX - 8, SIZE_MAX - 63, (size_t) PTRDIFF_MAX + 1,
                        (size_t) PTRDIFF_MAX - 8 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes [0]; i++) {
        errno = 0;
        cr_assert_null (act_msg_new_data (1, byte, sizes [i]), "size %zu", sizes [i]);
        cr_assert_eq (errno, ENOMEM, "size %zu: %s", sizes [i], strerror (errno));
    }
}

Test (msg, exit_kinds_and_failure, .timeout = 10)
{
    act_exit_kind_t kinds [] = { ACT_EXIT_NORMAL, ACT_EXIT_ERROR,
        ACT_EXIT_UNHANDLED, ACT_EXIT_ESCALATED, ACT_EXIT_SHUTDOWN, ACT_EXIT_LOST };
    bool failed [] = { false, true, true, true, false, true };
    for (int i = 0; i < 6; i++) {
        const char *name = act_exit_kind_name (kinds [i]);
        cr_assert_not_null (name);
        cr_assert_gt (strlen (name), 0);
        for (int j = 0; j < i; j++) {
            cr_assert_str_neq (name, act_exit_kind_name (kinds [j]));
        }
        act_exit_t why = { kinds [i], 0 };
        cr_assert_eq (act_exit_failed (&why), failed [i], "kind %s", name);
    }
    cr_assert_str_eq (act_exit_kind_name (ACT_EXIT_NORMAL), "normal");
    cr_assert_str_eq (act_exit_kind_name (ACT_EXIT_ERROR), "error");
    cr_assert_str_eq (act_exit_kind_name (ACT_EXIT_LOST), "lost");
    //  Never NULL, even for nonsense
    cr_assert_not_null (act_exit_kind_name ((act_exit_kind_t) 99));
    cr_assert_not (act_exit_failed (NULL));
}
