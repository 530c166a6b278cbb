/*  test_supervisor_check - what actor-run --check finds in a plugin before
    anything starts: real plugins, loaded by the real actor-run
    SPDX-License-Identifier: MPL-2.0

    A plugin resolves the runtime's symbols against actor-run, which
    exports them: so the check runs in actor-run, not in this process.
*/
#include "test_supervisor.h"

#define PROBE_PLUGIN ACTORIO_BINARY_DIR "/examples/plugins/probe.so"

//  A plugin symbol named like a class that is not one (a small variable,
//  a function) is refused at load, with its line, before a group would
//  crash reading it.
Test (check, a_class_symbol_that_is_not_a_class_is_refused, .timeout = 30)
{
    const char *cases [][2] = {
        { "not_a_class", "it is smaller than an act_class_t" },
        { "a_function", "it is not data (a function?)" }
    };
    for (size_t i = 0; i < 2; i++) {
        run_t *run = run_new ();
        char *text = zsys_sprintf (
            "run\n"
            "    name = fixtures\n"
            "group = g\n"
            "    plugin = " PROBE_PLUGIN "\n"
            "    actor = a\n"
            "        class = %s\n", cases [i][0]);
        run_write (run, text);
        run_start (run, "--check", run->topology);
        cr_assert_eq (run_wait (run, 10000), 100, "%s", run->err);
        char *message = zsys_sprintf (":6: class '%s' of actor 'g/a': the symbol "
                                      "actorio_class_%s of " PROBE_PLUGIN " is not an "
                                      "actor class: %s", cases [i][0], cases [i][0],
                                      cases [i][1]);
        cr_assert (strstr (run->err, message), "no '%s' in:\n%s", message, run->err);
        free (message);
        free (text);
        run_destroy (&run);
    }
}

//  A real class of the same plugin passes.
Test (check, a_class_of_the_plugin_passes, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = fixtures\n"
        "group = g\n"
        "    plugin = " PROBE_PLUGIN "\n"
        "    actor = a\n"
        "        class = probe\n");
    run_start (run, "--check", run->topology);
    cr_assert_eq (run_wait (run, 10000), 0, "%s", run->err);
    run_destroy (&run);
}
