/*  test_install - the installed package as a user finds it: man links
    beside the pages, and a plugin built out of tree with the CMake helper
    it exports, checked by the installed actor-run
    SPDX-License-Identifier: MPL-2.0

    Each test installs this build tree (cmake --install) into a private
    temporary prefix, uses only what is there, and removes it.
*/
#include "act_test.h"
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

//  Runs a shell command (formatted), its stdout and stderr into *output
//  (caller frees); returns its exit code.
static int __attribute__ ((format (printf, 2, 3)))
s_sh (char **output, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *command = zsys_vprintf (format, args);
    va_end (args);
    char *redirected = zsys_sprintf ("( %s ) 2>&1", command);
    FILE *pipe = popen (redirected, "r");
    cr_assert_not_null (pipe, "cannot run %s", command);
    zchunk_t *text = zchunk_new (NULL, 0);
    char buffer [4096];
    size_t size;
    while ((size = fread (buffer, 1, sizeof buffer, pipe)) > 0) {
        zchunk_extend (text, buffer, size);
    }
    zchunk_extend (text, "", 1);
    int status = pclose (pipe);
    *output = strdup ((char *) zchunk_data (text));
    zchunk_destroy (&text);
    free (redirected);
    free (command);
    return WIFEXITED (status) ? WEXITSTATUS (status) : 128;
}

//  A private directory with this build installed in dir/prefix
static char *
s_install (void)
{
    char *dir = act_test_tmpdir ();
    char *output;
    int rc = s_sh (&output, "%s --install %s --prefix %s/prefix", ACTORIO_CMAKE,
                   ACTORIO_BINARY_DIR, dir);
    cr_assert_eq (rc, 0, "cmake --install failed:\n%s", output);
    free (output);
    return dir;
}

Test (install, every_function_has_a_man_link_beside_its_page, .timeout = 120)
{
    char *dir = s_install ();
    char *man3 = zsys_sprintf ("%s/prefix/share/man/man3", dir);
    //  A relative link, as the tree may be moved (DESTDIR, packaging)
    for (size_t i = 0; i < 2; i++) {
        const char *links [][2] = {
            { "act_tell", "act_ref.3" }, { "act_spawn", "act_system.3" }
        };
        char *link = zsys_sprintf ("%s/%s.3", man3, links [i][0]);
        char target [64] = "";
        cr_expect_gt (readlink (link, target, sizeof target - 1), 0,
                      "%s: %s", link, strerror (errno));
        cr_expect_str_eq (target, links [i][1]);
        free (link);
    }
    //  mandoc reads every page through every link, or says why not
    char *output;
    int rc = s_sh (&output, "cd %s && mandoc -Tlint -W warning *.3", man3);
    cr_expect (rc == 0 && !*output, "mandoc -Tlint (exit %d):\n%s", rc, output);
    free (output);
    free (man3);
    act_test_tmpdir_remove (&dir);
}

//  The throwaway project: one source, two plugins of it, built with the
//  installed helper: "greet" as documented, "greedy" also linking the
//  library, which a plugin must not.
#define PLUGIN_PROJECT                                                  \
    "cmake_minimum_required (VERSION 3.16)\n"                           \
    "project (greet LANGUAGES C)\n"                                     \
    "find_package (actorio 0.1 REQUIRED)\n"                             \
    "actorio_add_plugin (greet greet.c)\n"                              \
    "actorio_add_plugin (greedy greet.c)\n"                             \
    "target_link_libraries (greedy PRIVATE actorio::actorio)\n"

#define PLUGIN_SOURCE                                                   \
    "#include <actorio.h>\n"                                            \
    "static int\n"                                                      \
    "s_handle (act_t *self, act_msg_t *msg)\n"                          \
    "{\n"                                                               \
    "    act_msg_t *reply = act_msg_new (act_msg_type (msg));\n"        \
    "    act_reply (msg, &reply);\n"                                    \
    "    (void) self;\n"                                                \
    "    return ACT_OK;\n"                                              \
    "}\n"                                                               \
    "const act_class_t actorio_class_greeter = {\n"                     \
    "    .name = \"greeter\", .handle = s_handle\n"                     \
    "};\n"

#define PLUGIN_TOPOLOGY                                                 \
    "run\n"                                                             \
    "    name = outoftree\n"                                            \
    "group = g\n"                                                       \
    "    plugin = build/%s.so\n"                                        \
    "    actor = a\n"                                                   \
    "        class = greeter\n"

Test (install, a_plugin_built_with_the_installed_helper_passes_check,
      .timeout = 240)
{
    char *dir = s_install ();
    char *project = zsys_sprintf ("%s/greet", dir);
    cr_assert_eq (mkdir (project, 0700), 0);
    act_test_write (project, "CMakeLists.txt", PLUGIN_PROJECT);
    act_test_write (project, "greet.c", PLUGIN_SOURCE);
    char *output;
    int rc = s_sh (&output, "%s -S %s -B %s/build -DCMAKE_PREFIX_PATH=%s/prefix "
                   "&& %s --build %s/build", ACTORIO_CMAKE, project, project, dir,
                   ACTORIO_CMAKE, project);
    cr_assert_eq (rc, 0, "the out-of-tree plugin does not build:\n%s", output);
    free (output);

    //  The act_* calls stay undefined until actor-run provides them
    rc = s_sh (&output, "nm -D --undefined-only %s/build/greet.so | grep -w act_reply"
                        " && readelf -d %s/build/greet.so", project, project);
    cr_expect_eq (rc, 0, "%s", output);
    cr_expect_null (strstr (output, "libactorio"), "greet.so links actorio:\n%s",
                    output);
    free (output);

    for (size_t i = 0; i < 2; i++) {
        const char *name = i == 0 ? "greet" : "greedy";
        char *topology = zsys_sprintf (PLUGIN_TOPOLOGY, name);
        char *file = zsys_sprintf ("%s.zpl", name);
        act_test_write (project, file, topology);
        rc = s_sh (&output, "cd %s && %s/prefix/bin/actor-run --check %s",
                   project, dir, file);
        if (i == 0) {
            char *expected = zsys_sprintf ("%s: ok, run outoftree with 1 group\n", file);
            cr_expect_eq (rc, 0, "%s", output);
            cr_expect_str_eq (output, expected);
            free (expected);
        }
        else {
            cr_expect_eq (rc, 100, "%s", output);
            cr_expect (strstr (output, ":4: plugin 'build/greedy.so' links ")
                    && strstr (output, "libactorio.so"), "%s", output);
        }
        free (output);
        free (file);
        free (topology);
    }
    free (project);
    act_test_tmpdir_remove (&dir);
}

//  A program built against the installed library, as README says, with
//  the shared one and with the static one: the static archive's objects
//  carry link-time optimization data besides their code (ACTORIO_LTO),
//  and a program built without it, by gcc or by clang, links that code.
Test (install, a_program_links_the_installed_library_shared_and_static,
      .timeout = 240)
{
#if defined (ACT_TEST_ASAN) || defined (ACT_TEST_TSAN)
    //  (and no link-time optimization to check: sanitized builds have none)
    cr_skip_test ("a sanitized library links only into a program sanitized alike");
#endif
    char *dir = s_install ();
    char *output;
    int rc = s_sh (&output, "cp %s/examples/hello.c %s/", ACTORIO_SOURCE_DIR, dir);
    cr_assert_eq (rc, 0, "%s", output);
    free (output);
    const char *compilers [] = { "cc", "clang" };
    for (size_t i = 0; i < 2; i++) {
        rc = s_sh (&output, "command -v %s", compilers [i]);
        free (output);
        if (rc != 0) {
            continue;           //  clang is for the fuzzers: not everywhere
        }
        rc = s_sh (&output,
                   "cd %s && export PKG_CONFIG_PATH=$(dirname $(find prefix -name actorio.pc)) "
                   "&& %s hello.c -o hello-shared $(pkg-config --cflags --libs actorio) "
                   "&& LD_LIBRARY_PATH=$(pkg-config --variable=libdir actorio) ./hello-shared "
                   "&& %s hello.c -o hello-static $(pkg-config --cflags actorio) "
                   "$(pkg-config --variable=libdir actorio)/libactorio.a "
                   "$(pkg-config --libs libczmq libzmq) -lpthread -ldl "
                   "&& ./hello-static", dir, compilers [i], compilers [i]);
        cr_expect_eq (rc, 0, "%s: %s", compilers [i], output);
        cr_expect_str_eq (output, "Hello World!\nHello World!\n", "%s", compilers [i]);
        free (output);
    }
    act_test_tmpdir_remove (&dir);
}
