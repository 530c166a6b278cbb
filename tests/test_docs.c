/*  test_docs - every exported symbol carries the act_ prefix and is
    documented in some man page
    SPDX-License-Identifier: MPL-2.0

    The symbol list comes from the built shared library itself (nm -D), not
    from a list kept here, so a function added later fails this test until
    it is exported under the prefix and named in a page under man/.
*/
#include "act_test.h"
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>

#define LIBRARY_PATH    ACTORIO_BINARY_DIR "/src/libactorio.so"
#define MAN_DIR         ACTORIO_SOURCE_DIR "/man"

//  The defined dynamic symbols of the shared library, as a zlistx of
//  strings (version suffixes stripped). Fails the test if nm cannot run.
static zlistx_t *
s_exported_symbols (void)
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

Test (docs, every_exported_symbol_has_the_act_prefix, .timeout = 30)
{
    zlistx_t *symbols = s_exported_symbols ();
    cr_assert_gt (zlistx_size (symbols), 0,
                  "%s exports no symbols at all", LIBRARY_PATH);

    char *wrong = strdup ("");
    size_t count = 0;
    for (char *name = zlistx_first (symbols); name; name = zlistx_next (symbols)) {
        if (strncmp (name, "act_", 4) != 0) {
            char *more = zsys_sprintf ("%s %s", wrong, name);
            zstr_free (&wrong);
            wrong = more;
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
    zlistx_t *symbols = s_exported_symbols ();
    cr_assert_gt (zlistx_size (symbols), 0,
                  "%s exports no symbols at all", LIBRARY_PATH);
    int pages;
    char *text = s_man_text (&pages);
    cr_assert_gt (pages, 0, "no man pages in %s", MAN_DIR);

    char *missing = strdup ("");
    size_t count = 0;
    for (char *name = zlistx_first (symbols); name; name = zlistx_next (symbols)) {
        if (!s_mentions (text, name)) {
            char *more = zsys_sprintf ("%s %s", missing, name);
            zstr_free (&missing);
            missing = more;
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
