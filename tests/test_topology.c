/*  test_topology - the topology loader: good files, bad files, plugins
    SPDX-License-Identifier: MPL-2.0

    The loader lives in supervisor/ and is not part of libactorio, so it is
    compiled into this test directly, with the built-in classes it looks
    classes up in (hidden in the shared library). Every file under
    tests/topologies/bad starts with one "# expect: LINE: message" line per
    problem the loader must report, in order; a message ending in "..." is
    a prefix (for texts that come from the system, such as dlerror).
*/
#include "act_test.h"
#include "../supervisor/act_topology.c"
#include "../supervisor/act_zpl.c"
#include "../src/group/act_builtin.c"
#include <dirent.h>
#include <sys/stat.h>

#define TOPOLOGIES ACTORIO_SOURCE_DIR "/tests/topologies"

static zlist_t *
s_errors_new (void)
{
    zlist_t *errors = zlist_new ();
    zlist_autofree (errors);
    return errors;
}

static act_topology_t *
s_load_good (const char *path)
{
    zlist_t *errors = s_errors_new ();
    act_topology_t *topo = act_topology_load (path, errors);
    for (char *error = zlist_first (errors); error; error = zlist_next (errors)) {
        cr_log_error ("%s", error);
    }
    cr_assert_not_null (topo, "%s did not load", path);
    cr_assert_eq (zlist_size (errors), 0);
    zlist_destroy (&errors);
    return topo;
}

//  Writes text to dir/name; returns the path (caller frees).
static char *
s_write (const char *dir, const char *name, const char *text)
{
    char *path = zsys_sprintf ("%s/%s", dir, name);
    FILE *file = fopen (path, "wb");
    cr_assert_not_null (file);
    fputs (text, file);
    fclose (file);
    return path;
}

Test (topology, loads_a_minimal_file_with_defaults)
{
    act_topology_t *topo = s_load_good (TOPOLOGIES "/good/minimal.zpl");
    cr_expect_str_eq (topo->file, TOPOLOGIES "/good/minimal.zpl");
    cr_expect_str_eq (topo->name, "minimal");
    cr_expect_eq (topo->strategy, ACT_STRATEGY_ONE_FOR_ONE);
    cr_expect_eq (topo->intensity, 3);
    cr_expect_eq (topo->period, 5000);
    cr_expect_eq (topo->shutdown, 5000);
    cr_expect_eq (topo->start_timeout, 5000);
    cr_expect_eq (topo->backoff_min, 10);
    cr_expect_eq (topo->backoff_max, 5000);
    cr_expect_eq (topo->max_msg_size, 1048576);
    cr_expect_eq (topo->hwm, 1000);
    cr_expect (topo->standby);
    cr_assert_eq (topo->group_count, 1);

    act_topo_group_t *group = &topo->groups [0];
    cr_expect_str_eq (group->name, "solo");
    cr_expect_null (group->plugin);
    cr_expect_null (group->parent);
    cr_expect_eq (group->restart, ACT_RESTART_PERMANENT);
    cr_expect_eq (group->start_timeout, 5000);
    cr_expect_eq (group->shutdown, 5000);
    cr_expect_eq (group->line, 6);
    cr_assert_eq (group->actor_count, 1);
    cr_expect_str_eq (group->actors [0].name, "echoer");
    cr_expect_str_eq (group->actors [0].cls, "echo");
    cr_expect_null (group->actors [0].args);
    cr_expect_eq (group->actors [0].line, 7);

    cr_expect_eq (act_topology_group_index (topo, "solo"), 0);
    cr_expect_eq (act_topology_group_index (topo, "none"), -1);
    act_topology_destroy (&topo);
    cr_expect_null (topo);
}

Test (topology, loads_every_key)
{
    act_topology_t *topo = s_load_good (TOPOLOGIES "/good/full.zpl");
    cr_expect_str_eq (topo->name, "shop.v2-test");
    cr_expect_eq (topo->strategy, ACT_STRATEGY_REST_FOR_ONE);
    cr_expect_eq (topo->intensity, 10);
    cr_expect_eq (topo->period, 30000);
    cr_expect_eq (topo->shutdown, 2500);
    cr_expect_eq (topo->start_timeout, 2000);
    cr_expect_eq (topo->backoff_min, 0);
    cr_expect_eq (topo->backoff_max, 60000);
    cr_expect_eq (topo->max_msg_size, 4 * 1024 * 1024);
    cr_expect_eq (topo->hwm, 5000);
    cr_expect_not (topo->standby);
    cr_assert_eq (topo->group_count, 3);

    //  File order is start order; unset group durations come from run
    act_topo_group_t *store = &topo->groups [0];
    act_topo_group_t *web = &topo->groups [1];
    act_topo_group_t *batch = &topo->groups [2];
    cr_expect_str_eq (store->name, "store");
    cr_expect_eq (store->restart, ACT_RESTART_PERMANENT);
    cr_expect_eq (store->start_timeout, 800);
    cr_expect_eq (store->shutdown, 2500);
    cr_expect_str_eq (store->actors [0].args, "path=/var/lib/shop # not a comment");
    cr_expect_not (store->standby, "a group's standby defaults to the run's");

    cr_expect_str_eq (web->name, "web");
    cr_expect_eq (web->restart, ACT_RESTART_TRANSIENT);
    cr_expect_str_eq (web->parent, "store/db");
    cr_expect (web->standby);
    cr_expect_eq (web->start_timeout, 2000);
    cr_expect_eq (web->shutdown, 0);
    cr_assert_eq (web->actor_count, 2);
    cr_expect_str_eq (web->actors [0].name, "front");
    cr_expect_str_eq (web->actors [0].args, "listen on 8080");
    cr_expect_str_eq (web->actors [1].name, "audit");
    cr_expect_str_eq (web->actors [1].cls, "sink");
    cr_expect_str_eq (web->actors [1].args, "a b c");

    cr_expect_str_eq (batch->name, "batch");
    cr_expect_eq (batch->restart, ACT_RESTART_TEMPORARY);
    cr_expect_str_eq (batch->actors [0].args, "");
    cr_expect_eq (act_topology_group_index (topo, "batch"), 2);
    act_topology_destroy (&topo);
}

Test (topology, parents_may_point_forward)
{
    act_topology_t *topo = s_load_good (TOPOLOGIES "/good/parents.zpl");
    cr_assert_eq (topo->group_count, 3);
    cr_expect_str_eq (topo->groups [0].parent, "mid/m");
    cr_expect_str_eq (topo->groups [1].parent, "root/boss");
    cr_expect_null (topo->groups [2].parent);
    cr_expect_eq (topo->strategy, ACT_STRATEGY_ONE_FOR_ALL);
    act_topology_destroy (&topo);
}

//  Our reader must read ZPL as czmq does: same groups, same values
Test (topology, good_files_read_the_same_with_zconfig)
{
    const char *names [] = { "minimal", "full", "parents" };
    for (size_t i = 0; i < sizeof names / sizeof names [0]; i++) {
        char *path = zsys_sprintf ("%s/good/%s.zpl", TOPOLOGIES, names [i]);
        act_topology_t *topo = s_load_good (path);
        zconfig_t *root = zconfig_load (path);
        cr_assert_not_null (root, "zconfig cannot read %s", path);
        cr_expect_str_eq (zconfig_get (root, "run/name", ""), topo->name);
        size_t g = 0;
        for (zconfig_t *section = zconfig_child (root); section;
             section = zconfig_next (section)) {
            if (!streq (zconfig_name (section), "group")) {
                continue;
            }
            cr_assert_lt (g, topo->group_count, "%s", path);
            act_topo_group_t *group = &topo->groups [g++];
            cr_expect_str_eq (zconfig_value (section), group->name);
            size_t a = 0;
            for (zconfig_t *item = zconfig_child (section); item;
                 item = zconfig_next (item)) {
                if (!streq (zconfig_name (item), "actor")) {
                    continue;
                }
                act_topo_actor_t *actor = &group->actors [a++];
                cr_expect_str_eq (zconfig_value (item), actor->name);
                cr_expect_str_eq (zconfig_get (item, "class", ""), actor->cls);
                cr_expect_str_eq (zconfig_get (item, "args", ""),
                                  actor->args ? actor->args : "");
            }
            cr_expect_eq (a, group->actor_count, "%s", path);
        }
        cr_expect_eq (g, topo->group_count, "%s", path);
        zconfig_destroy (&root);
        act_topology_destroy (&topo);
        free (path);
    }
}

//  True if error is what the expect line asks for, as path:expect
static bool
s_matches (const char *error, const char *path, const char *expect)
{
    char *wanted = zsys_sprintf ("%s:%s", path, expect);
    size_t len = strlen (wanted);
    bool prefix = len >= 3 && streq (wanted + len - 3, "...");
    bool ok = prefix ? strncmp (error, wanted, len - 3) == 0
                     : streq (error, wanted);
    free (wanted);
    return ok;
}

static void
s_check_bad (const char *path)
{
    zlist_t *expects = s_errors_new ();
    FILE *file = fopen (path, "r");
    cr_assert_not_null (file);
    char line [1024];
    while (fgets (line, sizeof line, file) && strncmp (line, "# expect: ", 10) == 0) {
        line [strcspn (line, "\n")] = 0;
        zlist_append (expects, line + 10);
    }
    fclose (file);
    cr_expect_gt (zlist_size (expects), 0, "%s has no '# expect:' line", path);

    zlist_t *errors = s_errors_new ();
    errno = 0;
    act_topology_t *topo = act_topology_load (path, errors);
    cr_expect_null (topo, "%s loaded", path);
    cr_expect_eq (errno, EINVAL, "%s: errno %d", path, errno);
    act_topology_destroy (&topo);
    cr_expect_eq (zlist_size (errors), zlist_size (expects),
                  "%s: %zu problems reported, %zu expected", path,
                  zlist_size (errors), zlist_size (expects));
    char *expect = zlist_first (expects);
    char *error = zlist_first (errors);
    for (; expect && error; expect = zlist_next (expects), error = zlist_next (errors)) {
        cr_expect (s_matches (error, path, expect),
                   "\n  got:    %s\n  wanted: %s:%s", error, path, expect);
    }
    for (; error; error = zlist_next (errors)) {
        cr_expect_fail ("unexpected: %s", error);
    }
    zlist_destroy (&errors);
    zlist_destroy (&expects);
}

Test (topology, bad_files_report_exactly_the_expected_problems)
{
    DIR *dir = opendir (TOPOLOGIES "/bad");
    cr_assert_not_null (dir);
    size_t checked = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        size_t len = strlen (entry->d_name);
        if (len > 4 && streq (entry->d_name + len - 4, ".zpl")) {
            char *path = zsys_sprintf ("%s/bad/%s", TOPOLOGIES, entry->d_name);
            s_check_bad (path);
            free (path);
            checked++;
        }
    }
    closedir (dir);
    cr_expect_geq (checked, 24, "only %zu bad topologies", checked);
}

Test (topology, an_unreadable_file_is_line_zero)
{
    zlist_t *errors = s_errors_new ();
    errno = 0;
    cr_expect_null (act_topology_load ("/nonexistent/run.zpl", errors));
    cr_expect_eq (errno, ENOENT);
    cr_assert_eq (zlist_size (errors), 1);
    cr_expect_str_eq (zlist_first (errors), "/nonexistent/run.zpl:0: unable to "
                      "read topology: No such file or directory");
    zlist_purge (errors);

    cr_expect_null (act_topology_load (TOPOLOGIES, errors));
    cr_expect_eq (errno, EISDIR);
    cr_assert_eq (zlist_size (errors), 1);
    cr_expect_str_eq (zlist_first (errors), TOPOLOGIES ":0: unable to read "
                      "topology: Is a directory");
    zlist_destroy (&errors);
}

Test (topology, bad_arguments)
{
    errno = 0;
    cr_expect_null (act_topology_load (NULL, NULL));
    cr_expect_eq (errno, EINVAL);
    //  A NULL list only means the caller does not want the messages
    cr_expect_null (act_topology_load (TOPOLOGIES "/bad/no_groups.zpl", NULL));
    act_topology_destroy (NULL);
    act_topology_t *topo = NULL;
    act_topology_destroy (&topo);
    cr_expect_eq (act_topology_group_index (NULL, "x"), -1);
}

//  LF, CRLF and lone CR all end lines (spec 4), and count as one line each
Test (topology, line_endings)
{
    char *dir = act_test_tmpdir ();
    const char *body = "run|    name = eol|group = g|    actor = a|        class = sink|";
    const char *endings [] = { "\n", "\r\n", "\r" };
    for (size_t i = 0; i < 3; i++) {
        char text [256] = "";
        for (const char *p = body; *p; p++) {
            if (*p == '|') {
                strcat (text, endings [i]);
            }
            else {
                size_t len = strlen (text);
                text [len] = *p;
                text [len + 1] = 0;
            }
        }
        char *path = s_write (dir, "eol.zpl", text);
        act_topology_t *topo = s_load_good (path);
        cr_expect_str_eq (topo->groups [0].actors [0].cls, "sink");
        cr_expect_eq (topo->groups [0].actors [0].line, 4);
        act_topology_destroy (&topo);

        //  And a mistake on line 5 is reported on line 5
        char *bad = zsys_sprintf ("%s        clas = sink%s", text, endings [i]);
        free (path);
        path = s_write (dir, "eol.zpl", bad);
        zlist_t *errors = s_errors_new ();
        cr_expect_null (act_topology_load (path, errors));
        cr_assert_eq (zlist_size (errors), 1);
        char *wanted = zsys_sprintf ("%s:6: unknown key 'clas' in actor 'g/a' "
                                     "(did you mean 'class'?)", path);
        cr_expect_str_eq (zlist_first (errors), wanted);
        free (wanted);
        zlist_destroy (&errors);
        unlink (path);
        free (path);
        free (bad);
    }
    rmdir (dir);
    free (dir);
}

//  Builds tests/plugins/topo_plugin.c into dir/libgreeter.so
static void
s_build_plugin (const char *dir)
{
    char *command = zsys_sprintf (
        "cc -shared -fPIC -o %s/libgreeter.so %s/tests/plugins/topo_plugin.c "
        "-I%s/include $(pkg-config --cflags libczmq 2>/dev/null)",
        dir, ACTORIO_SOURCE_DIR, ACTORIO_SOURCE_DIR);
    int rc = system (command);
    free (command);
    cr_assert_eq (rc, 0, "cannot build the test plugin with cc");
}

Test (topology, plugin_classes_are_found_by_symbol, .timeout = 60)
{
    char *dir = act_test_tmpdir ();
    s_build_plugin (dir);
    char *path = s_write (dir, "plugin.zpl",
        "run\n"
        "    name = plug\n"
        "group = g\n"
        "    actor = hello\n"
        "        class = greeter\n"
        "    actor = back\n"
        "        class = echo\n"                    //  built-in, still found
        "    plugin = libgreeter.so\n");            //  after the actors: fine
    act_topology_t *topo = s_load_good (path);
    char *expected = zsys_sprintf ("%s/libgreeter.so", dir);
    char *resolved = realpath (expected, NULL);
    cr_expect_str_eq (topo->groups [0].plugin, resolved);
    cr_expect_eq (topo->groups [0].plugin [0], '/');
    cr_expect_str_eq (topo->groups [0].actors [0].cls, "greeter");
    act_topology_destroy (&topo);
    free (path);

    path = s_write (dir, "plugin.zpl",
        "run\n"
        "    name = plug\n"
        "group = g\n"
        "    plugin = libgreeter.so\n"
        "    actor = hello\n"
        "        class = farewell\n");
    zlist_t *errors = s_errors_new ();
    cr_expect_null (act_topology_load (path, errors));
    cr_assert_eq (zlist_size (errors), 1);
    char *wanted = zsys_sprintf ("%s:6: class 'farewell' of actor 'g/hello' not "
                                 "found: %s has no symbol actorio_class_farewell "
                                 "and no built-in class has that name",
                                 path, resolved);
    cr_expect_str_eq (zlist_first (errors), wanted);
    free (wanted);
    zlist_destroy (&errors);
    unlink (path);
    unlink (resolved);
    rmdir (dir);
    free (resolved);
    free (expected);
    free (path);
    free (dir);
}

//  The literal displays of the EXAMPLES section of actorio-topology(5),
//  in order, as a list of strings (caller destroys).
static zlist_t *
s_man_examples (void)
{
    FILE *file = fopen (ACTORIO_SOURCE_DIR "/man/actorio-topology.5", "r");
    cr_assert_not_null (file);
    zlist_t *blocks = zlist_new ();
    zlist_autofree (blocks);
    char line [512];
    bool in_examples = false;
    char *block = NULL;
    while (fgets (line, sizeof line, file)) {
        if (strncmp (line, ".Sh ", 4) == 0) {
            in_examples = streq (line, ".Sh EXAMPLES\n");
        }
        else
        if (in_examples && strncmp (line, ".Bd -literal", 12) == 0) {
            block = strdup ("");
        }
        else
        if (block && streq (line, ".Ed\n")) {
            zlist_append (blocks, block);
            zstr_free (&block);
        }
        else
        if (block) {
            char *longer = zsys_sprintf ("%s%s", block, line);
            free (block);
            block = longer;
        }
    }
    fclose (file);
    cr_assert_null (block, "unclosed .Bd in EXAMPLES");
    return blocks;
}

Test (topology, the_man_page_examples_are_true, .timeout = 60)
{
    zlist_t *blocks = s_man_examples ();
    cr_assert_eq (zlist_size (blocks), 5, "expected 5 displays in EXAMPLES");
    char *dir = act_test_tmpdir ();

    //  1. shop.zpl loads, with the test plugin as lib/libshop.so
    char *lib = zsys_sprintf ("%s/lib", dir);
    cr_assert_eq (mkdir (lib, 0700), 0);
    s_build_plugin (dir);
    char *built = zsys_sprintf ("%s/libgreeter.so", dir);
    char *shop_lib = zsys_sprintf ("%s/libshop.so", lib);
    cr_assert_eq (rename (built, shop_lib), 0);
    char *shop = s_write (dir, "shop.zpl", zlist_first (blocks));
    act_topology_t *topo = s_load_good (shop);
    cr_expect_str_eq (topo->name, "shop");
    cr_expect_eq (topo->strategy, ACT_STRATEGY_REST_FOR_ONE);
    cr_assert_eq (topo->group_count, 3);
    cr_expect_str_eq (topo->groups [2].parent, "ops/watcher");
    cr_expect_eq (topo->groups [2].shutdown, 500);
    act_topology_destroy (&topo);

    //  2. demo.zpl gives the messages shown, a continued line being one
    char *demo = s_write (dir, "demo.zpl", zlist_next (blocks));
    zlist_t *errors = s_errors_new ();
    cr_expect_null (act_topology_load (demo, errors));
    char *shown = zlist_next (blocks);
    cr_assert (strncmp (shown, "$ actor-run --check demo.zpl\n", 29) == 0);
    char *cursor = shown + 29;
    char *error = zlist_first (errors);
    while (*cursor) {
        //  "demo.zpl:N: ..." then lines indented by 4 that continue it
        size_t len = strcspn (cursor, "\n");
        char *message = strndup (cursor, len);
        cursor += len + (cursor [len] == '\n');
        while (strncmp (cursor, "    ", 4) == 0) {
            len = strcspn (cursor + 4, "\n");
            char *longer = zsys_sprintf ("%s %.*s", message, (int) len, cursor + 4);
            free (message);
            message = longer;
            cursor += 4 + len + (cursor [4 + len] == '\n');
        }
        char *wanted = zsys_sprintf ("%s/%s", dir, message);
        cr_expect_str_eq (error ? error : "(nothing)", wanted);
        error = zlist_next (errors);
        free (wanted);
        free (message);
    }
    cr_expect_null (error, "not in the man page: %s", error);
    zlist_destroy (&errors);

    //  4. the demo, word for word the file under examples/
    char *demo_shown = (char *) zlist_next (blocks);
    cr_assert_not_null (demo_shown);
    FILE *file = fopen (ACTORIO_SOURCE_DIR "/examples/topologies/demo.zpl", "r");
    cr_assert_not_null (file);
    char text [8192];
    size_t size = fread (text, 1, sizeof text - 1, file);
    text [size] = 0;
    fclose (file);
    cr_expect_str_eq (demo_shown, text, "actorio-topology(5) shows another demo.zpl than "
                      "examples/topologies/demo.zpl");

    //  5. two nodes, with keys as keygen writes them: the ports shown
    char *keys = zsys_sprintf ("%s/keys", dir);
    cr_assert_eq (mkdir (keys, 0700), 0);
    for (int i = 1; i <= 2; i++) {
        zcert_t *cert = zcert_new ();
        char *pub = zsys_sprintf ("%s/n%d.pub", keys, i);
        cr_assert_eq (zcert_save_public (cert, pub), 0);
        zcert_destroy (&cert);
        free (pub);
    }
    char *hosts = s_write (dir, "hosts.zpl", zlist_next (blocks));
    topo = s_load_good (hosts);
    cr_assert_eq (topo->node_count, 2);
    cr_expect_str_eq (topo->groups [1].endpoint, "tcp://10.0.0.1:7102");
    cr_expect_str_eq (topo->groups [2].endpoint, "tcp://10.0.0.2:7101");
    act_topology_destroy (&topo);
    unlink (hosts);
    free (hosts);
    char *command = zsys_sprintf ("rm -rf '%s'", keys);
    cr_expect_eq (system (command), 0);
    free (command);
    free (keys);

    unlink (shop_lib);
    unlink (shop);
    unlink (demo);
    rmdir (lib);
    rmdir (dir);
    free (shop_lib);
    free (built);
    free (shop);
    free (demo);
    free (lib);
    free (dir);
    zlist_destroy (&blocks);
}

//  ---------------------------------------------------------------------
//  Hostile input (issue 8): limits, each reported at its line, fast.

//  Removes a test's temporary directory with what it holds, frees dir.
static void
s_remove_dir (char *dir)
{
    char *command = zsys_sprintf ("rm -rf '%s'", dir);
    cr_expect_eq (system (command), 0, "unable to remove %s", dir);
    free (command);
    free (dir);
}

//  Loads path, expecting failure; returns the problems (caller destroys).
static zlist_t *
s_load_bad (const char *path)
{
    zlist_t *errors = s_errors_new ();
    act_topology_t *topo = act_topology_load (path, errors);
    cr_assert_null (topo, "%s loaded", path);
    return errors;
}

//  Asserts the only problem is "path:message".
static void
s_expect_only (zlist_t *errors, const char *path, const char *message)
{
    char *wanted = zsys_sprintf ("%s:%s", path, message);
    cr_assert_eq (zlist_size (errors), 1, "%zu problems, first: %s", zlist_size (errors),
                  (char *) zlist_first (errors));
    cr_expect_str_eq (zlist_first (errors), wanted);
    free (wanted);
}

//  A minimal run and count groups "gN" of one actor each, plus tail.
static char *
s_groups_text (int count, const char *tail)
{
    size_t max = 64 + (size_t) count * 64 + strlen (tail);
    char *text = (char *) malloc (max);
    //  On ipc: a thousand groups would not fit a shared region.
    size_t size = (size_t) snprintf (text, max, "run\n    name = big\n    link = ipc\n");
    for (int i = 0; i < count; i++) {
        size += (size_t) snprintf (text + size, max - size,
                                   "group = g%d\n    actor = a\n        class = sink\n", i);
    }
    snprintf (text + size, max - size, "%s", tail);
    return text;
}

Test (topology, a_file_is_read_up_to_one_mebibyte, .timeout = 10)
{
    //  /dev/zero never ends: read a mebibyte of it, no more
    errno = 0;
    zlist_t *errors = s_load_bad ("/dev/zero");
    cr_expect_eq (errno, EFBIG);
    s_expect_only (errors, "/dev/zero", "0: unable to read topology: larger than "
                   "1048576 bytes (1 MiB), the limit of a topology");
    zlist_destroy (&errors);

    char *dir = act_test_tmpdir ();
    char *path = zsys_sprintf ("%s/big.zpl", dir);
    FILE *file = fopen (path, "w");
    fputs ("run\n    name = big\n", file);
    for (int i = 0; i < ACT_TOPOLOGY_FILE_MAX / 16; i++) {
        fputs ("# padding......\n", file);
    }
    fclose (file);
    errors = s_load_bad (path);
    cr_expect (strstr (zlist_first (errors), ":0: unable to read topology: larger than"));
    zlist_destroy (&errors);
    free (path);
    s_remove_dir (dir);
}

Test (topology, a_nul_byte_is_reported_at_its_line)
{
    char *dir = act_test_tmpdir ();
    char *path = zsys_sprintf ("%s/nul.zpl", dir);
    //  Before, the NUL silently ended the file after "name = n"
    const char text [] = "run\n    name = n\r\nbad\0junk\ngroup = g\n";
    FILE *file = fopen (path, "wb");
    fwrite (text, 1, sizeof text - 1, file);
    fclose (file);
    zlist_t *errors = s_load_bad (path);
    s_expect_only (errors, path, "3: NUL byte at column 4: a topology is text");
    zlist_destroy (&errors);
    free (path);
    s_remove_dir (dir);
}

Test (topology, a_line_may_not_pass_4096_bytes)
{
    char *dir = act_test_tmpdir ();
    char *args = (char *) malloc (ACT_TOPOLOGY_LINE_MAX + 1);
    memset (args, 'x', ACT_TOPOLOGY_LINE_MAX);
    //  4096 bytes fit, 4097 do not ("        args = " is 15 of them)
    args [ACT_TOPOLOGY_LINE_MAX - 15] = 0;
    char *text = zsys_sprintf ("run\n    name = l\ngroup = g\n    actor = a\n"
                               "        class = sink\n        args = %s\n", args);
    char *path = s_write (dir, "long.zpl", text);
    act_topology_t *topo = s_load_good (path);
    act_topology_destroy (&topo);
    free (text);
    free (path);
    args [ACT_TOPOLOGY_LINE_MAX - 15] = 'x';
    args [ACT_TOPOLOGY_LINE_MAX - 14] = 0;
    text = zsys_sprintf ("run\n    name = l\ngroup = g\n    actor = a\n"
                         "        class = sink\n        args = %s\n", args);
    path = s_write (dir, "long.zpl", text);
    zlist_t *errors = s_load_bad (path);
    s_expect_only (errors, path, "6: line of 4097 bytes, longer than the limit of 4096");
    zlist_destroy (&errors);
    free (path);
    free (text);
    free (args);
    s_remove_dir (dir);
}

Test (topology, groups_actors_and_depth_are_bounded, .timeout = 30)
{
    //  1024 groups need some 5000 fds in actor-run: as many as may be.
    struct rlimit limit;
    cr_assert_eq (getrlimit (RLIMIT_NOFILE, &limit), 0);
    limit.rlim_cur = limit.rlim_max;
    setrlimit (RLIMIT_NOFILE, &limit);
    char *dir = act_test_tmpdir ();
    //  1024 groups load; the 1025th is reported at its line
    char *text = s_groups_text (ACT_TOPOLOGY_GROUPS_MAX, "");
    char *path = s_write (dir, "groups.zpl", text);
    act_topology_t *topo = s_load_good (path);
    cr_expect_eq (topo->group_count, ACT_TOPOLOGY_GROUPS_MAX);
    act_topology_destroy (&topo);
    free (text);
    free (path);
    text = s_groups_text (ACT_TOPOLOGY_GROUPS_MAX, "group = last\n    actor = a\n"
                                                   "        class = sink\n");
    path = s_write (dir, "groups.zpl", text);
    zlist_t *errors = s_load_bad (path);
    s_expect_only (errors, path, "3076: more than 1024 groups, the limit of a run");
    zlist_destroy (&errors);
    free (text);
    free (path);

    //  1025 actors in one group
    char *actors = strdup ("run\n    name = big\ngroup = g\n");
    for (int i = 0; i <= ACT_TOPOLOGY_ACTORS_MAX; i++) {
        char *more = zsys_sprintf ("%s    actor = a%d\n        class = sink\n", actors, i);
        free (actors);
        actors = more;
    }
    path = s_write (dir, "actors.zpl", actors);
    errors = s_load_bad (path);
    s_expect_only (errors, path, "2052: group 'g' has more than 1024 actors, the "
                   "limit of a group: split it");
    zlist_destroy (&errors);
    free (actors);
    free (path);

    //  Nesting: 9 levels is past the limit, and said so once
    path = s_write (dir, "deep.zpl", "run\n    name = d\n a\n"
                    "a\n    b\n        c\n            d\n                e\n"
                    "                    f\n                        g\n"
                    "                            h\n                                i\n"
                    "                                    j\n"
                    "                                        k\n");
    errors = s_load_bad (path);
    cr_expect (zlist_size (errors) >= 2);
    bool deep = false;
    for (char *error = zlist_first (errors); error; error = zlist_next (errors)) {
        deep |= strstr (error, ":13: indented 9 levels deep, past the limit of 8") != NULL;
    }
    cr_expect (deep, "no depth error at line 13");
    zlist_destroy (&errors);
    free (path);
    s_remove_dir (dir);
}

//  20 000 mistakes: the first 50 by line, then a count. The time is
//  logged, not asserted (a loaded machine or a sanitizer would fail a
//  bound): a quadratic walk shows as seconds here.
Test (topology, errors_stop_at_fifty_with_a_count, .timeout = 30)
{
    char *dir = act_test_tmpdir ();
    char *path = zsys_sprintf ("%s/many.zpl", dir);
    FILE *file = fopen (path, "w");
    //  Distinct keys (a walk of the siblings per key was quadratic), and
    //  a problem reported last that belongs first by line
    fputs ("run\n    name = many\n    parent = x\n", file);
    for (int i = 0; i < 20000; i++) {
        fprintf (file, "    colour%d = blue\n", i);
    }
    fputs ("group = g\n    actor = a\n        class = sink\n", file);
    fclose (file);
    int64_t start = act_test_now_ms ();
    zlist_t *errors = s_load_bad (path);
    int64_t took = act_test_now_ms () - start;
    cr_log_info ("20 000 errors took %lld ms", (long long) took);
    cr_assert_eq (zlist_size (errors), ACT_TOPOLOGY_ERRORS_MAX + 1);
    char *wanted = zsys_sprintf ("%s:3: key 'parent' belongs in a group section, "
                                 "not in run", path);
    cr_expect_str_eq (zlist_first (errors), wanted);
    free (wanted);
    int line = 0;
    char *error = zlist_first (errors);
    for (int i = 0; i < ACT_TOPOLOGY_ERRORS_MAX; i++, error = zlist_next (errors)) {
        int at = atoi (error + strlen (path) + 1);
        cr_expect_gt (at, line, "not sorted: %s", error);
        line = at;
    }
    cr_expect_str_eq (error, "... and 19951 more errors");
    zlist_destroy (&errors);
    free (path);
    s_remove_dir (dir);
}

Test (topology, shutdown_may_be_infinity)
{
    char *dir = act_test_tmpdir ();
    char *path = s_write (dir, "inf.zpl",
        "run\n"
        "    name = patient\n"
        "    shutdown = infinity\n"
        "group = a\n"
        "    actor = s\n"
        "        class = sink\n"
        "group = b\n"
        "    shutdown = 2s\n"
        "    actor = s\n"
        "        class = sink\n"
        "group = c\n"
        "    shutdown = infinity\n"
        "    actor = s\n"
        "        class = sink\n");
    act_topology_t *topo = s_load_good (path);
    cr_expect_eq (topo->shutdown, ACT_TOPOLOGY_INFINITY);
    cr_expect_eq (topo->groups [0].shutdown, ACT_TOPOLOGY_INFINITY);
    cr_expect_eq (topo->groups [1].shutdown, 2000);
    cr_expect_eq (topo->groups [2].shutdown, ACT_TOPOLOGY_INFINITY);
    act_topology_destroy (&topo);
    free (path);
    //  Only shutdown waits forever
    path = s_write (dir, "inf.zpl",
        "run\n"
        "    name = patient\n"
        "    period = infinity\n"
        "group = a\n"
        "    actor = s\n"
        "        class = sink\n");
    zlist_t *errors = s_load_bad (path);
    s_expect_only (errors, path, "3: bad duration 'infinity' for 'period': expected "
                   "a whole number with unit ms or s");
    zlist_destroy (&errors);
    free (path);
    s_remove_dir (dir);
}

//  Every group and actor-run inherit the soft RLIMIT_NOFILE; a run that
//  needs more is refused, naming what was counted.
Test (topology, a_run_needs_fds_within_the_soft_limit, .timeout = 30)
{
    struct rlimit limit;
    cr_assert_eq (getrlimit (RLIMIT_NOFILE, &limit), 0);
    limit.rlim_cur = 256;
    cr_assert_eq (setrlimit (RLIMIT_NOFILE, &limit), 0);
    char *dir = act_test_tmpdir ();
    //  36 groups on ipc: 32 + 2 x 35 in a group, 32 + (5 + 1 for the
    //  standby) x 36 in actor-run.
    char *text = s_groups_text (36, "");
    char *path = s_write (dir, "fits.zpl", text);
    act_topology_t *topo = s_load_good (path);
    act_topology_destroy (&topo);
    free (text);
    free (path);

    text = s_groups_text (120, "");
    path = s_write (dir, "many.zpl", text);
    zlist_t *errors = s_load_bad (path);
    cr_assert_eq (zlist_size (errors), 2);
    char *wanted = zsys_sprintf ("%s:1: actor-run needs about 752 file descriptors for "
                                 "120 groups (5 per group, 1 per standby: 120, 0 for the "
                                 "shared region, 32 for itself), over the soft limit "
                                 "RLIMIT_NOFILE of 256: raise it (ulimit -n), run fewer "
                                 "groups or set 'standby = false'", path);
    cr_expect_str_eq (zlist_first (errors), wanted);
    free (wanted);
    wanted = zsys_sprintf ("%s:4: group 'g0' needs about 270 file descriptors (2 per "
                           "group it reaches over ipc: 119 groups, 0 for the shared "
                           "region, 32 for the process), over the soft limit "
                           "RLIMIT_NOFILE of 256: raise it (ulimit -n), run fewer groups, "
                           "or put groups on 'link = shm' (one doorbell per group instead "
                           "of two connections)", path);
    cr_expect_str_eq (zlist_next (errors), wanted);
    free (wanted);
    zlist_destroy (&errors);
    free (text);
    free (path);
    s_remove_dir (dir);
}

Test (topology, nodes_give_each_group_a_port_and_a_key)
{
    act_topology_t *topo = s_load_good (TOPOLOGIES "/good/nodes.zpl");
    cr_assert_eq (topo->node_count, 2);
    cr_expect_str_eq (topo->nodes [0].name, "n1");
    cr_expect_str_eq (topo->nodes [1].host, "127.0.0.1");
    cr_expect_eq (topo->nodes [1].port, 7201);
    cr_expect_eq (strlen (topo->nodes [0].key), 40);
    cr_expect_str_neq (topo->nodes [0].key, topo->nodes [1].key);
    //  Relative to the topology file, kept absolute
    cr_expect_eq (topo->nodes [0].public_key [0], '/');
    cr_expect_eq (topo->groups [1].node, 0);
    cr_expect_str_eq (topo->groups [0].endpoint, "tcp://127.0.0.1:7101");
    cr_expect_str_eq (topo->groups [1].endpoint, "tcp://127.0.0.1:7102");
    cr_expect_str_eq (topo->groups [2].endpoint, "tcp://127.0.0.1:7201");

    //  Printed, it reads back the same
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&text, &size);
    cr_assert_eq (act_topology_print (topo, stream), 0);
    fclose (stream);
    zlist_t *errors = s_errors_new ();
    act_topology_t *again = act_topology_load_text (TOPOLOGIES "/good/again.zpl", text,
                                                    size, errors);
    cr_assert_not_null (again, "%s", (char *) zlist_first (errors));
    cr_expect_eq (again->node_count, 2);
    cr_expect_str_eq (again->nodes [1].key, topo->nodes [1].key);
    cr_expect_str_eq (again->groups [2].endpoint, "tcp://127.0.0.1:7201");

    //  A node's supervisor keeps its own groups
    cr_expect_eq (act_topology_keep_node (topo, "n2"), 1);
    cr_expect_eq (topo->group_count, 1);
    cr_expect_str_eq (topo->groups [0].name, "c");
    cr_expect_eq (topo->other_count, 2);
    cr_expect_eq (topo->shm_groups, 0);
    cr_expect_eq (act_topology_keep_node (topo, "n9"), -1);
    cr_expect_eq (errno, ENOENT);
    act_topology_destroy (&again);
    act_topology_destroy (&topo);
    zlist_destroy (&errors);
    free (text);
}
