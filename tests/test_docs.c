/*  test_docs - every exported symbol carries the act_ prefix, is
    documented in some man page, and every function is reachable by its own
    name (`man act_tell`) through a link to a page that names it
    SPDX-License-Identifier: MPL-2.0

    The symbol list comes from the built shared library itself (nm -D), not
    from a list kept here, so a function added later fails this test until
    it is exported under the prefix, declared with ACT_EXPORT in the header
    of its class (which gives it a link, man/man_links.cmake) and named in
    the NAME and SYNOPSIS of that class's page under man/.
*/
#include "act_test.h"
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#define LIBRARY_PATH    ACTORIO_BINARY_DIR "/src/libactorio.so"
#define MAN_DIR         ACTORIO_SOURCE_DIR "/man"
#define LINK_DIR        ACTORIO_BINARY_DIR "/man/tree/man3"

//  The defined dynamic symbols of the shared library (only its functions
//  if functions is true), as a zlistx of strings (version suffixes
//  stripped). Fails the test if nm cannot run.
static zlistx_t *
s_exported_symbols (bool functions)
{
    cr_assert (access (LIBRARY_PATH, R_OK) == 0,
               "cannot read %s: %s", LIBRARY_PATH, strerror (errno));
    FILE *nm = popen ("nm -D --defined-only '" LIBRARY_PATH "'", "r");
    cr_assert_not_null (nm, "cannot run nm: %s", strerror (errno));

    zlistx_t *symbols = zlistx_new ();
    zlistx_set_destructor (symbols, (zlistx_destructor_fn *) zstr_free);
    char line [1024];
    while (fgets (line, sizeof line, nm)) {
        //  "ADDRESS TYPE NAME", or "TYPE NAME" for symbols without one
        char *fields [3] = { NULL };
        int count = 0;
        for (char *field = strtok (line, " \t\r\n"); field && count < 3;
             field = strtok (NULL, " \t\r\n")) {
            fields [count++] = field;
        }
        if (count < 2) {
            continue;
        }
        const char *type = fields [count - 2];
        char *name = fields [count - 1];
        //  Absolute symbols in a shared library are version-script nodes
        //  (e.g. ACTORIO_0.1), not code or data anyone can call.
        if (streq (type, "A")) {
            continue;
        }
        //  Text, weak or indirect: code
        if (functions && !strchr ("TtWiw", type [0])) {
            continue;
        }
        char *at = strchr (name, '@');
        if (at) {
            *at = '\0';
        }
        zlistx_add_end (symbols, strdup (name));
    }
    int status = pclose (nm);
    cr_assert (status == 0, "nm -D --defined-only %s failed (status %d)",
               LIBRARY_PATH, status);
    return symbols;
}

//  The text of every man page in MAN_DIR (files named *.1 to *.9),
//  concatenated, a newline between pages; *pages gets their number.
static char *
s_man_text (int *pages)
{
    DIR *dir = opendir (MAN_DIR);
    cr_assert_not_null (dir, "cannot open %s: %s", MAN_DIR, strerror (errno));
    char *text = strdup ("");
    size_t length = 0;
    *pages = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        const char *dot = strrchr (entry->d_name, '.');
        if (!dot || strlen (dot) != 2 || dot [1] < '1' || dot [1] > '9') {
            continue;
        }
        char path [1024];
        snprintf (path, sizeof path, "%s/%s", MAN_DIR, entry->d_name);
        zchunk_t *chunk = zchunk_slurp (path, 0);
        cr_assert_not_null (chunk, "cannot read %s", path);
        size_t size = zchunk_size (chunk);
        text = realloc (text, length + size + 2);
        cr_assert_not_null (text);
        memcpy (text + length, zchunk_data (chunk), size);
        length += size;
        text [length++] = '\n';
        text [length] = '\0';
        zchunk_destroy (&chunk);
        (*pages)++;
    }
    closedir (dir);
    return text;
}

static bool
s_is_ident (char c)
{
    return isalnum ((unsigned char) c) || c == '_';
}

//  True if text names symbol as a whole word: "act_msg_new" is not found
//  in a page that only mentions "act_msg_new_data".
static bool
s_mentions (const char *text, const char *symbol)
{
    size_t length = strlen (symbol);
    for (const char *hit = strstr (text, symbol); hit;
         hit = strstr (hit + 1, symbol)) {
        if ((hit == text || !s_is_ident (hit [-1]))
        &&  !s_is_ident (hit [length])) {
            return true;
        }
    }
    return false;
}

//  Appends separator and item to the string *list, for a failure message
static void
s_append (char **list, const char *separator, const char *item)
{
    char *longer = zsys_sprintf ("%s%s%s", *list, separator, item);
    zstr_free (list);
    *list = longer;
}

Test (docs, every_exported_symbol_has_the_act_prefix, .timeout = 30)
{
    zlistx_t *symbols = s_exported_symbols (false);
    cr_assert_gt (zlistx_size (symbols), 0,
                  "%s exports no symbols at all", LIBRARY_PATH);

    char *wrong = strdup ("");
    size_t count = 0;
    for (char *name = zlistx_first (symbols); name; name = zlistx_next (symbols)) {
        if (strncmp (name, "act_", 4) != 0) {
            s_append (&wrong, " ", name);
            count++;
        }
    }
    cr_expect_eq (count, 0, "%zu exported symbol(s) without the act_ prefix:%s",
                  count, wrong);
    zstr_free (&wrong);
    zlistx_destroy (&symbols);
}

Test (docs, every_exported_symbol_is_in_a_man_page, .timeout = 30)
{
    zlistx_t *symbols = s_exported_symbols (false);
    cr_assert_gt (zlistx_size (symbols), 0,
                  "%s exports no symbols at all", LIBRARY_PATH);
    int pages;
    char *text = s_man_text (&pages);
    cr_assert_gt (pages, 0, "no man pages in %s", MAN_DIR);

    char *missing = strdup ("");
    size_t count = 0;
    for (char *name = zlistx_first (symbols); name; name = zlistx_next (symbols)) {
        if (!s_mentions (text, name)) {
            s_append (&missing, " ", name);
            count++;
        }
    }
    cr_expect_eq (count, 0, "%zu exported symbol(s) in no page of %s:%s",
                  count, MAN_DIR, missing);
    zstr_free (&missing);
    free (text);
    zlistx_destroy (&symbols);
}

//  The check above is only as good as its matcher: a prefix of a longer
//  name, or a name inside a longer one, must not count as documented.
Test (docs, a_symbol_counts_only_as_a_whole_word)
{
    const char *page = ".Fn act_msg_new_data \"uint32_t type\"\n"
                       "see xact_tell and act_reply,\n";
    cr_assert (s_mentions (page, "act_msg_new_data"));
    cr_assert (s_mentions (page, "act_reply"));
    cr_assert_not (s_mentions (page, "act_msg_new"));
    cr_assert_not (s_mentions (page, "act_msg_new_data_x"));
    cr_assert_not (s_mentions (page, "act_tell"));
    cr_assert_not (s_mentions (page, "act_ask"));
}

//  Whether the mdoc page text names function in its NAME section (.Nm)
//  and declares it in its SYNOPSIS (.Fn or .Fo): what a reader who typed
//  `man function` must find on the page the link opens.
static bool
s_page_names (const char *text, const char *function, bool *in_name,
              bool *in_synopsis)
{
    *in_name = *in_synopsis = false;
    char *copy = strdup (text);
    char *section = "";
    char *saved;
    for (char *line = strtok_r (copy, "\n", &saved); line;
         line = strtok_r (NULL, "\n", &saved)) {
        char macro [4] = "";
        char word [256] = "";
        if (sscanf (line, ".%3s %255[A-Za-z0-9_]", macro, word) != 2) {
            continue;
        }
        if (streq (macro, "Sh")) {
            section = line + 4;
        }
        else
        if (streq (word, function)) {
            *in_name |= streq (section, "NAME") && streq (macro, "Nm");
            *in_synopsis |= streq (section, "SYNOPSIS")
                         && (streq (macro, "Fn") || streq (macro, "Fo"));
        }
    }
    free (copy);
    return *in_name && *in_synopsis;
}

//  What is wrong with the link of function in link_dir, whose pages are
//  in man_dir: NULL if `man function` opens a page of man_dir that names
//  and declares it, else why not (caller frees).
static char *
s_link_problem (const char *link_dir, const char *man_dir, const char *function)
{
    char *link = zsys_sprintf ("%s/%s.3", link_dir, function);
    char target [256];
    ssize_t size = readlink (link, target, sizeof target - 1);
    free (link);
    if (size < 0) {
        //  Not a link: a page of its own, as man_links.cmake leaves it
        snprintf (target, sizeof target, "%s.3", function);
    }
    else {
        target [size] = '\0';
    }
    char *page = zsys_sprintf ("%s/%s", man_dir, target);
    zchunk_t *chunk = zchunk_slurp (page, 0);
    char *problem = NULL;
    if (!chunk) {
        problem = size < 0
                ? zsys_sprintf ("%s: no link %s/%s.3 (is it declared with "
                                "ACT_EXPORT in include/?)", function, link_dir, function)
                : zsys_sprintf ("%s: its link opens %s, which is not there",
                                function, page);
    }
    else {
        char *text = zsys_sprintf ("%.*s", (int) zchunk_size (chunk),
                                   (char *) zchunk_data (chunk));
        bool in_name, in_synopsis;
        if (!s_page_names (text, function, &in_name, &in_synopsis)) {
            problem = zsys_sprintf ("%s: its link opens %s, which does not %s",
                                    function, target,
                                    !in_name ? "name it in NAME (.Nm)"
                                             : "declare it in SYNOPSIS (.Fn)");
        }
        free (text);
        zchunk_destroy (&chunk);
    }
    free (page);
    return problem;
}

Test (docs, every_exported_function_has_a_man_link_to_a_page_naming_it,
      .timeout = 30)
{
    zlistx_t *functions = s_exported_symbols (true);
    cr_assert_gt (zlistx_size (functions), 0,
                  "%s exports no functions at all", LIBRARY_PATH);
    char *problems = strdup ("");
    size_t count = 0;
    for (char *name = zlistx_first (functions); name;
         name = zlistx_next (functions)) {
        char *problem = s_link_problem (LINK_DIR, MAN_DIR, name);
        if (problem) {
            s_append (&problems, "\n  ", problem);
            zstr_free (&problem);
            count++;
        }
    }
    cr_expect_eq (count, 0, "%zu exported function(s) not reachable by name:%s",
                  count, problems);
    zstr_free (&problems);
    zlistx_destroy (&functions);
}

//  The check above on the real generator: a function added to a header
//  gets its link with no list to edit, to the page that names it, and a
//  page that does not name it (or a function in no header) is reported,
//  not passed.
Test (docs, a_function_added_to_a_header_gets_a_link_that_is_checked,
      .timeout = 60)
{
    char *dir = act_test_tmpdir ();
    char *include = zsys_sprintf ("%s/include", dir);
    char *man = zsys_sprintf ("%s/man", dir);
    char *tree = zsys_sprintf ("%s/tree", dir);
    cr_assert_eq (mkdir (include, 0700), 0);
    cr_assert_eq (mkdir (man, 0700), 0);
    act_test_write (include, "act_gadget.h",
        "/*  act_gadget - ACT_EXPORT in a comment is not a prototype (x) */\n"
        "ACT_EXPORT int\n"
        "    act_gadget_spin (act_gadget_t *self, int turns);\n"
        "ACT_EXPORT act_msg_t *\n"
        "    act_gadget_stop (act_gadget_t *self);\n"
        "ACT_EXPORT void\n"
        "    act_gadget_twist (void);\n");
    const char *header = ".Sh NAME\n.Nm act_gadget_spin\n.Nd spin\n"
                         ".Sh SYNOPSIS\n.Fn act_gadget_spin \"int turns\"\n"
                         ".Sh DESCRIPTION\n";
    char *page = zsys_sprintf ("%s.Fn act_gadget_stop\n", header);
    act_test_write (man, "act_gadget.3", page);
    //  Documented on a page named otherwise than its header
    act_test_write (man, "act_widget.3", ".Sh NAME\n.Nm act_gadget_twist\n"
                    ".Nd twist\n.Sh SYNOPSIS\n.Fn act_gadget_twist void\n");
    char *command = zsys_sprintf (ACTORIO_CMAKE " -DINCLUDE_DIR=%s -DMAN_DIR=%s -DOUT_DIR=%s "
                                  "-P %s/man/man_links.cmake", include, man, tree,
                                  ACTORIO_SOURCE_DIR);
    cr_assert_eq (system (command), 0, "%s failed", command);
    char *links = zsys_sprintf ("%s/man3", tree);

    char *problem = s_link_problem (links, man, "act_gadget_spin");
    cr_expect_null (problem, "%s", problem);
    zstr_free (&problem);
    problem = s_link_problem (links, man, "act_gadget_stop");
    cr_expect_str_eq (problem, "act_gadget_stop: its link opens act_gadget.3, "
                               "which does not name it in NAME (.Nm)");
    zstr_free (&problem);
    problem = s_link_problem (links, man, "act_gadget_x");
    cr_expect_not_null (problem);
    cr_expect (strstr (problem, "no link"), "%s", problem);
    zstr_free (&problem);
    problem = s_link_problem (links, man, "act_gadget_twist");
    cr_expect_null (problem, "%s", problem);
    zstr_free (&problem);
    //  The links are relative, as installed beside the pages
    const char *expected [][2] = {
        { "act_gadget_spin", "act_gadget.3" }, { "act_gadget_twist", "act_widget.3" }
    };
    for (size_t i = 0; i < 2; i++) {
        char target [64] = "";
        char *link = zsys_sprintf ("%s/%s.3", links, expected [i][0]);
        cr_expect_gt (readlink (link, target, sizeof target - 1), 0);
        cr_expect_str_eq (target, expected [i][1]);
        free (link);
    }

    act_test_tmpdir_remove (&dir);
    free (links);
    free (command);
    free (page);
    free (tree);
    free (man);
    free (include);
}

//  The words of the first line in path that starts with prefix and of
//  the lines continuing it (a trailing backslash), after prefix, up to a
//  closing quote: sorted, one space between.
static char *
s_words_after (const char *path, const char *prefix)
{
    FILE *file = fopen (path, "r");
    cr_assert_not_null (file, "cannot read %s", path);
    char line [512];
    char *text = NULL;
    bool in = false;
    while (fgets (line, sizeof line, file)) {
        char *start = line;
        if (!in) {
            start = strstr (line, prefix);
            if (!start)
                continue;
            start += strlen (prefix);
            in = true;
        }
        char *slash = strrchr (start, '\\');
        char *quote = strchr (start, '"');
        bool more = slash && !quote;
        if (quote)
            *quote = 0;
        if (slash && more)
            *slash = 0;
        char *joined = zsys_sprintf ("%s %s", text ? text : "", start);
        free (text);
        text = joined;
        if (!more)
            break;
    }
    fclose (file);
    cr_assert_not_null (text, "no '%s' in %s", prefix, path);
    zlistx_t *words = zlistx_new ();
    zlistx_set_destructor (words, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_comparator (words, (zlistx_comparator_fn *) strcmp);
    for (char *word = strtok (text, " \t\r\n"); word; word = strtok (NULL, " \t\r\n"))
        zlistx_add_end (words, strdup (word));
    zlistx_sort (words);
    char *sorted = strdup ("");
    for (char *word = (char *) zlistx_first (words); word; word = (char *) zlistx_next (words)) {
        char *joined = zsys_sprintf ("%s%s%s", sorted, *sorted ? " " : "", word);
        free (sorted);
        sorted = joined;
    }
    zlistx_destroy (&words);
    free (text);
    return sorted;
}

//  The README's list of what building by hand needs is the list the one
//  command installs: a package added to one is added to the other.
Test (docs, the_readme_lists_the_packages_scripts_dev_installs, .timeout = 30)
{
    char *script = s_words_after (ACTORIO_SOURCE_DIR "/scripts/dev", "packages=\"");
    char *readme = s_words_after (ACTORIO_SOURCE_DIR "/README.md", "apt-get install ");
    cr_assert_str_eq (readme, script, "README.md lists '%s', scripts/dev installs '%s'",
                      readme, script);
    free (script);
    free (readme);
}
