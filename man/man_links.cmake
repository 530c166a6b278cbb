#  man_links - one man link per exported function, to the page of its class,
#  so that `man act_tell` opens act_ref(3). Run at build time as:
#    cmake -DINCLUDE_DIR=<dir> -DMAN_DIR=<dir> -DOUT_DIR=<dir> -P man_links.cmake
#
#  The functions are read from the headers, not from a list kept here: a
#  prototype marked ACT_EXPORT in include/act_<class>.h gets the link
#  act_<function>.3 -> the page that names it, or else act_<class>.3, at
#  the next build. OUT_DIR is rebuilt
#  from nothing each time, so a function removed loses its link:
#    OUT_DIR/links.txt            "function page" per line, for the install
#    OUT_DIR/man<N>/<page>.<N>    -> the page in MAN_DIR (a browsable tree:
#                                    MANPATH=OUT_DIR man act_tell)
#    OUT_DIR/man3/<function>.3    -> <page>.3, relative, as installed
#  Symbolic links rather than ".so" stubs: mandoc -Tlint calls .so fragile,
#  and man -w follows a link to the page itself.
#  Whether the page really names the function is tests/test_docs.c's check,
#  so a forgotten page fails a test instead of the build.
foreach (var INCLUDE_DIR MAN_DIR OUT_DIR)
    if (NOT ${var})
        message (FATAL_ERROR "man_links: ${var} is not set")
    endif ()
endforeach ()

file (REMOVE_RECURSE ${OUT_DIR})
file (GLOB pages ${MAN_DIR}/*.[1-9])
set (page_names "")
foreach (page ${pages})
    get_filename_component (name ${page} NAME)
    string (REGEX REPLACE ".*\\.([1-9])$" "\\1" section ${name})
    file (MAKE_DIRECTORY ${OUT_DIR}/man${section})
    file (CREATE_LINK ${page} ${OUT_DIR}/man${section}/${name} SYMBOLIC)
    list (APPEND page_names ${name})
endforeach ()

#  The section-3 page that names each function in its NAME section: the
#  link goes there, so a page named otherwise than the header (act_probe.3
#  for act_testkit.h) still gets its functions' links; a function that no
#  page names gets a link to the page named after its header, which
#  test_docs then reports.
foreach (page ${pages})
    get_filename_component (name ${page} NAME)
    if (NOT name MATCHES "\\.3$")
        continue ()
    endif ()
    file (STRINGS ${page} lines REGEX "^\\.(Sh|Nm) ")
    set (section "")
    foreach (line ${lines})
        if (line MATCHES "^\\.Sh (.*)$")
            set (section "${CMAKE_MATCH_1}")
        elseif (section STREQUAL "NAME" AND line MATCHES "^\\.Nm ([A-Za-z0-9_]+)")
            set (page_of_${CMAKE_MATCH_1} ${name})
        endif ()
    endforeach ()
endforeach ()

set (manifest "")
file (GLOB headers ${INCLUDE_DIR}/act_*.h)
list (SORT headers)
foreach (header ${headers})
    get_filename_component (class ${header} NAME_WE)
    file (READ ${header} text)
    #  Comments could hold "ACT_EXPORT" in prose, and its own #define
    #  looks like a prototype; neither is one.
    string (REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" "" text "${text}")
    string (REGEX REPLACE "//[^\n]*" "" text "${text}")
    string (REGEX REPLACE "#[^\n]*" "" text "${text}")
    #  ACT_EXPORT, the return type, the name, then its parameter list: the
    #  name is the last word before the first parenthesis.
    string (REGEX MATCHALL "ACT_EXPORT[^;(]*\\(" prototypes "${text}")
    foreach (prototype ${prototypes})
        if (NOT prototype MATCHES "([A-Za-z_][A-Za-z0-9_]*)[ \t\r\n]*\\($")
            continue ()
        endif ()
        set (function ${CMAKE_MATCH_1})
        #  A function named like a page (its class's own, or another) is
        #  reached by that page already; a link would replace it.
        list (FIND page_names ${function}.3 taken)
        if (NOT taken EQUAL -1)
            continue ()
        endif ()
        set (target ${class}.3)
        if (page_of_${function})
            set (target ${page_of_${function}})
        endif ()
        file (MAKE_DIRECTORY ${OUT_DIR}/man3)
        file (CREATE_LINK ${target} ${OUT_DIR}/man3/${function}.3 SYMBOLIC)
        string (APPEND manifest "${function} ${target}\n")
    endforeach ()
endforeach ()
file (WRITE ${OUT_DIR}/links.txt "${manifest}")
