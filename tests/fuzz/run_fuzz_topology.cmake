#  run_fuzz_topology - the fuzz_topology CTest test: each seed once, with
#  the verdict its name gives (ok-* loads, bad-* does not), then the
#  fuzzer on a fresh copy of the seeds for SECONDS. Any crash, sanitizer
#  report or invariant failure is a non-zero exit and fails the test.
#  SPDX-License-Identifier: MPL-2.0
#
#  cmake -DFUZZER=... -DSEEDS=... -DDICT=... -DWORKDIR=... -DSECONDS=30
#        -P run_fuzz_topology.cmake

set (FUZZ_NAME run_fuzz_topology)
set (FUZZ_MORE_VARS DICT)
include (${CMAKE_CURRENT_LIST_DIR}/fuzz_prepare.cmake)

#  One seed per run, so each verdict is known to be its own
set (ENV{FUZZ_TOPOLOGY_VERDICT} 1)
foreach (seed ${seeds})
    get_filename_component (name ${seed} NAME)
    execute_process (COMMAND ${FUZZER} ${seed}
                     RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if (NOT rc EQUAL 0)
        message (FATAL_ERROR "fuzz_topology: seed ${name} failed (${rc}):\n${out}${err}")
    endif ()
    if (name MATCHES "^ok-")
        set (want ok)
    elseif (name MATCHES "^bad-")
        set (want bad)
    else ()
        message (FATAL_ERROR "fuzz_topology: seed ${name} is not named ok-* or bad-*")
    endif ()
    if (NOT out MATCHES "fuzz_topology: verdict ${want}")
        message (FATAL_ERROR "fuzz_topology: seed ${name} is not ${want}:\n${out}")
    endif ()
endforeach ()
unset (ENV{FUZZ_TOPOLOGY_VERDICT})

#  Then fuzz, inputs up to a little past the longest line
execute_process (
    COMMAND ${FUZZER} -max_total_time=${SECONDS} -max_len=8192 -timeout=10
            -rss_limit_mb=1024 -print_final_stats=1 -dict=${DICT}
            -artifact_prefix=${WORKDIR}/artifacts/ ${WORKDIR}/corpus
    RESULT_VARIABLE rc)
if (NOT rc EQUAL 0)
    message (FATAL_ERROR "fuzz_topology failed (${rc}): the input is in ${WORKDIR}/artifacts/")
endif ()
