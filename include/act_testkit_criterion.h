/*  act_testkit_criterion - probe expectations as Criterion assertions
    SPDX-License-Identifier: MPL-2.0

    Header-only, so the library does not link Criterion: include it after
    <criterion/criterion.h> in a test. Each macro runs one act_probe(3)
    expectation; if it fails, the test fails at the macro's file and line
    with the probe's failure text (what was expected, what came, from whom,
    when). The message macros evaluate to the message (borrowed from the
    probe until its next expectation). They use GNU statement expressions,
    as gcc and clang accept.
*/
#ifndef ACT_TESTKIT_CRITERION_H_INCLUDED
#define ACT_TESTKIT_CRITERION_H_INCLUDED

#include "actorio.h"
#include <criterion/criterion.h>
#include <string.h>

//  Fails the test with probe's failure unless ok; evaluates to ok.
#define act_testkit_check_(probe, ok)                                   \
    ({  if (!(ok))                                                      \
            cr_assert_fail ("%s", act_probe_failure (probe)             \
                            ? act_probe_failure (probe) : strerror (errno)); \
        (ok); })

//  The next message has type, within ms.
#define act_expect(probe, type, ms)                                     \
    ({  act_msg_t *act_m_ = act_probe_expect ((probe), (type), (ms));   \
        act_testkit_check_ ((probe), act_m_ != NULL);                   \
        act_m_; })

//  The next message has type and size bytes equal to data, within ms.
#define act_expect_data(probe, type, data, size, ms)                    \
    ({  act_msg_t *act_m_ = act_probe_expect_data ((probe), (type), (data), \
                                                   (size), (ms));       \
        act_testkit_check_ ((probe), act_m_ != NULL);                   \
        act_m_; })

//  The next message has type and the text (with its NUL), within ms.
#define act_expect_str(probe, type, text, ms)                           \
    ({  act_msg_t *act_m_ = act_probe_expect_str ((probe), (type), (text), (ms)); \
        act_testkit_check_ ((probe), act_m_ != NULL);                   \
        act_m_; })

//  The next message satisfies match (msg, arg), within ms.
#define act_expect_fn(probe, match, arg, ms)                            \
    ({  act_msg_t *act_m_ = act_probe_expect_fn ((probe), (match), (arg), (ms)); \
        act_testkit_check_ ((probe), act_m_ != NULL);                   \
        act_m_; })

//  The next message is the ACT_MSG_DOWN of target with reason kind,
//  within ms.
#define act_expect_down(probe, target, kind, ms)                        \
    ((void) act_testkit_check_ ((probe),                                \
        act_probe_expect_down ((probe), (target), (kind), (ms)) == 0))

//  No message comes for ms.
#define act_expect_none(probe, ms)                                      \
    ((void) act_testkit_check_ ((probe), act_probe_expect_none ((probe), (ms)) == 0))

#endif
