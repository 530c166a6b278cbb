/*  act_test_proc - what /proc says of a process's threads, for tests
    that check a process sleeps when it has nothing to do
    SPDX-License-Identifier: MPL-2.0
*/
#ifndef ACT_TEST_PROC_H_INCLUDED
#define ACT_TEST_PROC_H_INCLUDED

#include "act_test.h"
#include <dirent.h>
#include <stdio.h>

//  What one thread's counters add to a walk over a process's threads.
typedef long (act_test_task_fn) (const char *task_dir);

//  Sum of fn over every thread of pid; a thread that ends meanwhile adds
//  what fn finds (nothing).
static inline long
act_test_tasks (pid_t pid, act_test_task_fn *fn)
{
    char path [64];
    snprintf (path, sizeof path, "/proc/%d/task", (int) pid);
    DIR *dir = opendir (path);
    cr_assert_not_null (dir, "no %s", path);
    long total = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        if (entry->d_name [0] == '.')
            continue;
        char task [320];
        snprintf (task, sizeof task, "%s/%s", path, entry->d_name);
        total += fn (task);
    }
    closedir (dir);
    return total;
}

//  A thread's context switches, voluntary or not.
static inline long
act_test_task_switches (const char *task_dir)
{
    char path [400], line [128];
    snprintf (path, sizeof path, "%s/status", task_dir);
    FILE *file = fopen (path, "r");
    long total = 0, value;
    while (file && fgets (line, sizeof line, file))
        if (sscanf (line, "voluntary_ctxt_switches: %ld", &value) == 1
        ||  sscanf (line, "nonvoluntary_ctxt_switches: %ld", &value) == 1)
            total += value;
    if (file)
        fclose (file);
    return total;
}

//  1 if a thread is not sleeping (state other than S), else 0.
static inline long
act_test_task_awake (const char *task_dir)
{
    char path [400], line [512] = "";
    snprintf (path, sizeof path, "%s/stat", task_dir);
    FILE *file = fopen (path, "r");
    if (file && !fgets (line, sizeof line, file))
        line [0] = 0;
    if (file)
        fclose (file);
    //  The state follows the name's closing parenthesis
    const char *p = strrchr (line, ')');
    return file && !(p && p [1] == ' ' && p [2] == 'S');
}

//  Context switches of every thread of pid so far.
static inline long
act_test_switches (pid_t pid)
{
    return act_test_tasks (pid, act_test_task_switches);
}

//  True if every thread of pid sleeps: none runs, none spins.
static inline bool
act_test_asleep (pid_t pid)
{
    return act_test_tasks (pid, act_test_task_awake) == 0;
}

#endif
