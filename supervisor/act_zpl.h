/*  act_zpl - a ZPL reader that keeps line numbers
    SPDX-License-Identifier: MPL-2.0

    Reads ZPL (rfc.zeromq.org/spec/4) into a tree of nodes, one per line,
    each with its line number, and reports every syntax error with its line
    instead of stopping at the first. The topology loader walks the tree
    directly, so the node struct is open; the tree owns all its strings.
*/
#ifndef ACT_ZPL_H_INCLUDED
#define ACT_ZPL_H_INCLUDED

#include <czmq.h>

//  The deepest indentation read, in levels of 4 spaces (a topology
//  needs 2); a deeper line is a syntax error.
#define ACT_ZPL_DEPTH_MAX   8

//  One line of ZPL: a name, an optional value, children indented below
typedef struct _act_zpl_t act_zpl_t;
struct _act_zpl_t {
    char *name;                 //  property name
    char *value;                //  value, or NULL when the line had no '='
    int line;                   //  1-based line number
    int depth;                  //  0 at top level, -1 for the root
    act_zpl_t *parent;          //  enclosing property, NULL for the root
    act_zpl_t *child;           //  first child
    act_zpl_t *last_child;      //  last child, for appending in order
    act_zpl_t *next;            //  next sibling
};

//  Told of one syntax error: its line and the message (borrowed).
typedef void (act_zpl_error_fn) (void *arg, int line, const char *message);

//  Parse text, modified in place and still the caller's, into a tree under
//  a root node (name "", line 0). Calls error_fn for each bad line and
//  skips the lines indented below it. Never returns NULL; aborts on OOM.
act_zpl_t *
    act_zpl_parse (char *text, act_zpl_error_fn *error_fn, void *arg);

//  Free a node, its children and its following siblings; nulls the
//  caller's pointer.
void
    act_zpl_destroy (act_zpl_t **self_p);

#endif
