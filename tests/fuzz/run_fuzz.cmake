#  run_fuzz - the fuzz_wire CTest test: a fresh copy of the seed corpus,
#  then the fuzzer for SECONDS; any crash, sanitizer report or invariant
#  failure is a non-zero exit and fails the test.
#  SPDX-License-Identifier: MPL-2.0
#
#  cmake -DFUZZER=... -DSEEDS=... -DWORKDIR=... -DSECONDS=60 -P run_fuzz.cmake

foreach (var FUZZER SEEDS WORKDIR SECONDS)
    if (NOT DEFINED ${var})
        message (FATAL_ERROR "run_fuzz: ${var} is not set")
    endif ()
endforeach ()

#  libFuzzer writes what it finds into the corpus: work on a copy, so the
#  committed seeds stay as they are and each run starts from them.
file (REMOVE_RECURSE ${WORKDIR}/corpus)
file (MAKE_DIRECTORY ${WORKDIR}/corpus ${WORKDIR}/artifacts)
file (GLOB seeds ${SEEDS}/*)
file (COPY ${seeds} DESTINATION ${WORKDIR}/corpus)

#  One process, no forks (the machine is shared); halt on the first UBSan
#  report even if the build lets it recover.
set (ENV{UBSAN_OPTIONS} "halt_on_error=1:print_stacktrace=1")
#  A small quarantine: the default one holds 256 MB on a shared machine.
set (ENV{ASAN_OPTIONS} "detect_leaks=1:quarantine_size_mb=32")
execute_process (
    COMMAND ${FUZZER} -max_total_time=${SECONDS} -max_len=4096 -timeout=10
            -rss_limit_mb=1024 -print_final_stats=1
            -artifact_prefix=${WORKDIR}/artifacts/ ${WORKDIR}/corpus
    RESULT_VARIABLE rc)
if (NOT rc EQUAL 0)
    message (FATAL_ERROR "fuzz_wire failed (${rc}): the input is in ${WORKDIR}/artifacts/")
endif ()
