/*  act_test_run - two groups of a run inside one test process
    SPDX-License-Identifier: MPL-2.0

    Two systems of this process joined to one run directory: the sockets,
    frames and codec between them are the real ones, only the processes
    are shared.
*/
#ifndef ACT_TEST_RUN_H_INCLUDED
#define ACT_TEST_RUN_H_INCLUDED

#include "act_test.h"

typedef struct {
    char *rundir;               //  the run directory, removed at the end
    act_system_t *a;            //  group "a"
    act_system_t *b;            //  group "b"
} s_run_t;

//  Groups a and b of one run, with payloads up to max_msg_size bytes (0:
//  the default).
static inline s_run_t
s_run_limited (int64_t max_msg_size)
{
    s_run_t run = { act_test_tmpdir (), act_system_new ("a"), act_system_new ("b") };
    cr_assert_eq (act_transport_join (run.a, "a", run.rundir, max_msg_size, 0), 0);
    cr_assert_eq (act_transport_join (run.b, "b", run.rundir, max_msg_size, 0), 0);
    return run;
}

static inline s_run_t
s_run_new (void)
{
    return s_run_limited (0);
}

static inline void
s_run_destroy (s_run_t *run)
{
    act_system_destroy (&run->a);
    act_system_destroy (&run->b);
    act_test_tmpdir_remove (&run->rundir);
}

#endif
