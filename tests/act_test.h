/*  act_test - deadline helpers shared by the Criterion tests
    SPDX-License-Identifier: MPL-2.0

    Tests wait on conditions, never on time: ACT_WAIT_UNTIL polls an
    expression until it holds or a deadline passes, with a short backoff so
    a waiting test does not steal the CPU from the code under test.
*/
#ifndef ACT_TEST_H_INCLUDED
#define ACT_TEST_H_INCLUDED

#include <actorio.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

//  Which sanitizer the test runs under, for the few tests a sanitizer
//  cannot run as they are (gcc says it with __SANITIZE_*, clang with
//  __has_feature): one home for the test.
#if defined (__SANITIZE_ADDRESS__)
#   define ACT_TEST_ASAN 1
#elif defined (__has_feature)
#   if __has_feature (address_sanitizer)
#       define ACT_TEST_ASAN 1
#   endif
#endif
#if defined (__SANITIZE_THREAD__)
#   define ACT_TEST_TSAN 1
#elif defined (__has_feature)
#   if __has_feature (thread_sanitizer)
#       define ACT_TEST_TSAN 1
#   endif
#endif

static inline int64_t
act_test_now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void
act_test_nap (int attempt)
{
    //  Spin briefly, then back off to 5 ms: fast when the condition is
    //  near, cheap when it is not.
    struct timespec ts = {0, attempt < 10 ? 100000 : 5000000};
    nanosleep (&ts, NULL);
}

//  Evaluates to true once cond holds, false if it did not within ms.
#define ACT_WAIT_UNTIL(cond, ms)                                        \
    ({  int64_t act_deadline_ = act_test_now_ms () + (ms);              \
        int act_attempt_ = 0;                                           \
        bool act_ok_ = false;                                           \
        while (!(act_ok_ = (cond)) && act_test_now_ms () < act_deadline_) \
            act_test_nap (act_attempt_++);                              \
        act_ok_ || (cond); })

//  Assert that cond comes true within ms, naming it when it does not.
#define ACT_ASSERT_EVENTUALLY(cond, ms)                                 \
    cr_assert (ACT_WAIT_UNTIL (cond, ms),                               \
               "not true within %d ms: %s", (int) (ms), #cond)

//  A private temporary directory for ipc endpoints and files; the caller
//  frees the string (and may remove the directory).
static inline char *
act_test_tmpdir (void)
{
    char *path = strdup ("/tmp/actorio-test-XXXXXX");
    cr_assert_not_null (mkdtemp (path));
    return path;
}

//  Remove a directory of act_test_tmpdir and what is in it, and free its
//  path; nulls the caller's pointer.
static inline void
act_test_tmpdir_remove (char **path_p)
{
    char command [300];
    snprintf (command, sizeof command, "rm -rf '%s'", *path_p);
    cr_assert_eq (system (command), 0);
    free (*path_p);
    *path_p = NULL;
}

//  Adds option to ASAN_OPTIONS for the processes started from now on;
//  returns the old value (NULL: unset) for act_test_asan_restore.
static inline char *
act_test_asan_add (const char *option)
{
    const char *was = getenv ("ASAN_OPTIONS");
    char *saved = was ? strdup (was) : NULL;
    char *now = zsys_sprintf ("%s%s%s", was ? was : "", was && *was ? ":" : "", option);
    cr_assert_eq (setenv ("ASAN_OPTIONS", now, 1), 0);
    free (now);
    return saved;
}

//  Puts ASAN_OPTIONS back as act_test_asan_add found it; frees *saved_p.
static inline void
act_test_asan_restore (char **saved_p)
{
    if (*saved_p)
        setenv ("ASAN_OPTIONS", *saved_p, 1);
    else
        unsetenv ("ASAN_OPTIONS");
    free (*saved_p);
    *saved_p = NULL;
}

//  Writes text into the file dir/name, asserting it could.
static inline void
act_test_write (const char *dir, const char *name, const char *text)
{
    char *path = zsys_sprintf ("%s/%s", dir, name);
    FILE *file = fopen (path, "w");
    cr_assert_not_null (file, "cannot write %s", path);
    fputs (text, file);
    fclose (file);
    free (path);
}

//  Helpers added for the core runtime tests.

//  Microseconds on the monotonic clock, for "no earlier than" bounds that
//  millisecond rounding would blur.
static inline int64_t
act_test_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

//  A new system, asserted to exist.
static inline act_system_t *
act_test_system (void)
{
    act_system_t *system = act_system_new ("test");
    cr_assert_not_null (system, "act_system_new failed: %s", strerror (errno));
    return system;
}

//  A DEALER connected to a group's ipc endpoint that names itself as a
//  group's link does: a group reads only connections that name
//  themselves (act_link_zmq.c), so a test playing a peer, a rogue one
//  too, gives a name.
static inline zsock_t *
act_test_dealer_named (const char *endpoint, const char *name)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    cr_assert_not_null (dealer);
    zsock_set_identity (dealer, name);
    cr_assert_eq (zsock_connect (dealer, "%s", endpoint), 0, "%s", endpoint);
    return dealer;
}

#endif
