/*  act_zpl - a ZPL reader that keeps line numbers
    SPDX-License-Identifier: MPL-2.0

    Why our own ZPL reader and not zconfig_load: zconfig keeps no line
    numbers, stops at the first syntax error, and reports it on its own log
    only. Pairing it with a second scan that maps nodes back to lines would
    mean re-implementing its parser anyway, so this file reads ZPL itself
    (rfc.zeromq.org/spec/4, with zconfig's choices where the spec is loose:
    an unquoted value runs to '#' or the end of the line and keeps inner
    spaces, an unclosed quote is an error). Every file zconfig reads the
    same way; tests/test_topology.c checks the good topologies with both.
    One leniency: a comment line may be indented any way (the spec says
    whitespace only matters before names), where zconfig rejects it.
*/
#include "act_zpl.h"

#include <ctype.h>
#include <stdarg.h>

typedef struct {
    act_zpl_error_fn *error_fn; //  told of each syntax error
    void *arg;                  //  passed back to error_fn
} s_parser_t;

static void
s_error (s_parser_t *self, int line, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *message = zsys_vprintf (format, args);
    va_end (args);
    assert (message);
    self->error_fn (self->arg, line, message);
    free (message);
}

static act_zpl_t *
s_node_new (act_zpl_t *parent, const char *name, size_t name_len, char *value,
            int line)
{
    act_zpl_t *self = (act_zpl_t *) zmalloc (sizeof (act_zpl_t));
    self->name = strndup (name, name_len);
    assert (self->name);
    self->value = value;
    self->line = line;
    self->parent = parent;
    self->depth = parent ? parent->depth + 1 : -1;
    if (parent) {
        if (parent->last_child) {
            parent->last_child->next = self;
        }
        else {
            parent->child = self;
        }
        parent->last_child = self;
    }
    return self;
}

void
act_zpl_destroy (act_zpl_t **self_p)
{
    act_zpl_t *self = *self_p;
    while (self) {
        act_zpl_t *next = self->next;
        act_zpl_destroy (&self->child);
        free (self->name);
        free (self->value);
        free (self);
        self = next;
    }
    *self_p = NULL;
}

static bool
s_is_namechar (char c)
{
    return isalnum ((unsigned char) c) || (c && strchr ("$-_@.&+/", c));
}

//  Only whitespace or a comment may follow; else says what was found.
static bool
s_rest_is_empty (const char *p)
{
    while (isspace ((unsigned char) *p)) {
        p++;
    }
    return *p == 0 || *p == '#';
}

//  The value after '=' (p points past it), or NULL after reporting.
static char *
s_value (s_parser_t *self, const char *p, int line)
{
    while (isspace ((unsigned char) *p)) {
        p++;
    }
    if (*p == '"' || *p == '\'') {
        const char *end = strchr (p + 1, *p);
        if (!end) {
            s_error (self, line, "missing closing %c in value", *p);
            return NULL;
        }
        if (!s_rest_is_empty (end + 1)) {
            s_error (self, line, "unexpected text after the quoted value: '%s'",
                       end + 1 + strspn (end + 1, " \t"));
            return NULL;
        }
        return strndup (p + 1, (size_t) (end - p - 1));
    }
    size_t len = strcspn (p, "#");
    while (len && isspace ((unsigned char) p [len - 1])) {
        len--;
    }
    return strndup (p, len);
}

//  Reads one line into the tree below *last_p. Returns false when the
//  line is wrong, so the caller can skip what is indented below it.
static bool
s_line (s_parser_t *self, act_zpl_t **last_p, char *text, int line,
            size_t indent)
{
    char *p = text + indent;
    if (*p == '\t' || isspace ((unsigned char) *p)) {
        s_error (self, line, "tab in indentation: indent with 4 spaces per level");
        return false;
    }
    if (indent % 4) {
        s_error (self, line, "indentation of %zu spaces is not a multiple of 4",
                   indent);
        return false;
    }
    int depth = (int) (indent / 4);
    act_zpl_t *last = *last_p;
    if (depth > ACT_ZPL_DEPTH_MAX) {
        s_error (self, line, "indented %d levels deep, past the limit of %d",
                 depth, ACT_ZPL_DEPTH_MAX);
        return false;
    }
    if (depth > last->depth + 1) {
        s_error (self, line, "indented too deep: %zu spaces where at most %d fit",
                   indent, (last->depth + 1) * 4);
        return false;
    }
    char *name = p;
    while (s_is_namechar (*p)) {
        p++;
    }
    size_t name_len = (size_t) (p - name);
    if (name_len == 0) {
        s_error (self, line, "expected a name, found '%s'", name);
        return false;
    }
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    char *value = NULL;
    if (*p == '=') {
        value = s_value (self, p + 1, line);
        if (!value) {
            return false;
        }
    }
    else
    if (*p && *p != '#') {
        s_error (self, line, "expected '=' after '%.*s', found '%s'",
                   (int) name_len, name, p);
        return false;
    }
    act_zpl_t *parent = last;
    while (parent->depth >= depth) {
        parent = parent->parent;
    }
    *last_p = s_node_new (parent, name, name_len, value, line);
    return true;
}

act_zpl_t *
act_zpl_parse (char *text, act_zpl_error_fn *error_fn, void *arg)
{
    s_parser_t parser = { .error_fn = error_fn, .arg = arg };
    s_parser_t *self = &parser;
    act_zpl_t *root = s_node_new (NULL, "", 0, NULL, 0);
    act_zpl_t *last = root;
    //  After a bad line, the lines indented below it are its children:
    //  skip them quietly rather than report each one again.
    size_t skip_deeper = SIZE_MAX;
    int line = 0;
    char *cursor = text;
    while (*cursor) {
        char *start = cursor;
        cursor += strcspn (cursor, "\r\n");
        //  LF, CR and CRLF all end a line (spec 4)
        if (*cursor == '\r' && cursor [1] == '\n') {
            *cursor = 0;
            cursor += 2;
        }
        else
        if (*cursor) {
            *cursor++ = 0;
        }
        line++;
        size_t len = strlen (start);
        while (len && isspace ((unsigned char) start [len - 1])) {
            start [--len] = 0;
        }
        size_t indent = strspn (start, " ");
        if (start [indent] == 0 || start [indent] == '#') {
            continue;
        }
        if (skip_deeper != SIZE_MAX && indent > skip_deeper) {
            continue;
        }
        skip_deeper = SIZE_MAX;
        if (!s_line (self, &last, start, line, indent)) {
            //  A line too deep stands for a block; skip the block
            size_t fits = (size_t) (last->depth + 1) * 4;
            skip_deeper = indent > fits ? fits : indent;
        }
    }
    return root;
}
