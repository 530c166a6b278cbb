#  run_probes - the layers_upward_include test: builds each probe target
#  and checks that the legal includes compile and the upward ones fail.
#  SPDX-License-Identifier: MPL-2.0
#
#  cmake -DBUILD_DIR=... -DGOOD=t1,t2 -DBAD=target=header,... -DSOURCES=dir,dir
#        -P run_probes.cmake
#
#  The good probes go first: if they failed too, a broken compiler would
#  make every bad probe "fail" and the test pass for nothing.

function (s_build target result_var output_var)
    execute_process (COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${target}
                     RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    set (${result_var} ${rc} PARENT_SCOPE)
    set (${output_var} "${out}" PARENT_SCOPE)
endfunction ()

string (REPLACE "," ";" GOOD "${GOOD}")
string (REPLACE "," ";" BAD "${BAD}")
string (REPLACE "," ";" SOURCES "${SOURCES}")
if (NOT GOOD OR NOT BAD)
    message (FATAL_ERROR "run_probes: no probes given")
endif ()

foreach (target ${GOOD})
    s_build (${target} rc out)
    if (NOT rc EQUAL 0)
        message (FATAL_ERROR "${target}: a legal include does not compile:\n${out}")
    endif ()
    message (STATUS "${target}: compiles, as it must")
endforeach ()

foreach (probe ${BAD})
    string (REPLACE "=" ";" probe "${probe}")
    list (GET probe 0 target)
    list (GET probe 1 header)
    s_build (${target} rc out)
    if (rc EQUAL 0)
        message (FATAL_ERROR "${target}: includes ${header}, which its layer must not see")
    endif ()
    #  It must fail for the include, not for some other reason.
    string (REPLACE "." "\\." header_re "${header}")
    if (NOT out MATCHES "${header_re}.*(No such file or directory|file not found)")
        message (FATAL_ERROR "${target}: failed, but not for want of ${header}:\n${out}")
    endif ()
    message (STATUS "${target}: ${header} not found, as it must not be")
endforeach ()

#  The include path is the whole fence only if nobody climbs over it.
foreach (dir ${SOURCES})
    file (GLOB_RECURSE files ${dir}/*.c ${dir}/*.h)
    foreach (file ${files})
        file (STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"[.][.]/")
        if (lines)
            message (FATAL_ERROR "${file}: includes by relative path: ${lines}")
        endif ()
    endforeach ()
endforeach ()
