#  run_fuzz - a fuzz CTest test (fuzz_wire, fuzz_ring): a fresh copy of
#  the seed corpus, then the fuzzer for SECONDS; any crash, sanitizer
#  report or invariant failure is a non-zero exit and fails the test.
#  SPDX-License-Identifier: MPL-2.0
#
#  cmake -DNAME=fuzz_wire -DFUZZER=... -DSEEDS=... -DWORKDIR=... -DSECONDS=60
#        -DREASONS=ok,frames,... -P run_fuzz.cmake
#
#  REASONS, comma-separated, are the verdicts the seeds must reach between
#  them; the target prints its verdicts when FUZZ_<NAME>_VERDICT is set.

cmake_policy (SET CMP0057 NEW)     #  if (IN_LIST)

set (FUZZ_NAME run_fuzz)
set (FUZZ_MORE_VARS NAME REASONS)
include (${CMAKE_CURRENT_LIST_DIR}/fuzz_prepare.cmake)
string (REPLACE "," ";" REASONS "${REASONS}")
string (TOUPPER "${NAME}_VERDICT" verdict_var)

#  Each seed first, once: its verdict must be the one its name gives
#  ("ok-..." or "bad-REASON-..."), and together they must reach every
#  reason, so a format change that leaves the seeds stale fails here
#  rather than fuzzing from nowhere near the decoder's branches.
list (SORT seeds)
set (ENV{${verdict_var}} 1)
execute_process (COMMAND ${FUZZER} ${seeds}
                 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
unset (ENV{${verdict_var}})
if (NOT rc EQUAL 0)
    message (FATAL_ERROR "${NAME}: a seed failed (${rc}):\n${out}")
endif ()
#  Brackets and semicolons in libFuzzer's lines would upset list splitting.
string (REGEX REPLACE "[][;]" "_" out "${out}")
string (REPLACE "\n" ";" lines "${out}")
set (current "")
set (reached "")
set (checked 0)
foreach (line IN LISTS lines)
    if (line MATCHES "^Running: (.*)$")
        get_filename_component (current ${CMAKE_MATCH_1} NAME)
    elseif (line MATCHES "^${NAME}: verdict ([a-z]+) " AND current)
        set (verdict ${CMAKE_MATCH_1})
        if (current MATCHES "^ok-")
            set (want ok)
        elseif (current MATCHES "^bad-([a-z]+)-")
            set (want ${CMAKE_MATCH_1})
        else ()
            message (FATAL_ERROR "${NAME}: seed ${current} is not named ok-* or bad-REASON-*")
        endif ()
        if (NOT verdict STREQUAL want)
            message (FATAL_ERROR "${NAME}: seed ${current} gives ${verdict}, not ${want}")
        endif ()
        list (APPEND reached ${verdict})
        #  libFuzzer may run an input twice (a leak check): count it once.
        set (current "")
        math (EXPR checked "${checked} + 1")
    endif ()
endforeach ()
list (LENGTH seeds seed_count)
if (NOT checked EQUAL seed_count)
    message (FATAL_ERROR "${NAME}: ${checked} of ${seed_count} seeds gave a verdict:\n${out}")
endif ()
foreach (reason IN LISTS REASONS)
    if (NOT reason IN_LIST reached)
        message (FATAL_ERROR "${NAME}: no seed gives '${reason}'")
    endif ()
endforeach ()

#  Then fuzz. -max_len fits the longest seed (fuzz_wire's batch of 257
#  records).
execute_process (
    COMMAND ${FUZZER} -max_total_time=${SECONDS} -max_len=8192 -timeout=10
            -rss_limit_mb=1024 -print_final_stats=1
            -artifact_prefix=${WORKDIR}/artifacts/ ${WORKDIR}/corpus
    RESULT_VARIABLE rc)
if (NOT rc EQUAL 0)
    message (FATAL_ERROR "${NAME} failed (${rc}): the input is in ${WORKDIR}/artifacts/")
endif ()
