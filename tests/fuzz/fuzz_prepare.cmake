#  fuzz_prepare - what every fuzz test's script does first: check its
#  variables, copy the seeds into WORKDIR/corpus, set the sanitizers'
#  options. Sets seeds (the seed files). Included by run_fuzz.cmake and
#  run_fuzz_topology.cmake, with FUZZ_NAME set for messages.
#  SPDX-License-Identifier: MPL-2.0

foreach (var FUZZER SEEDS WORKDIR SECONDS ${FUZZ_MORE_VARS})
    if (NOT DEFINED ${var})
        message (FATAL_ERROR "${FUZZ_NAME}: ${var} is not set")
    endif ()
endforeach ()

#  libFuzzer writes what it finds into the corpus: work on a copy, so the
#  committed seeds stay as they are and each run starts from them.
file (REMOVE_RECURSE ${WORKDIR}/corpus)
file (MAKE_DIRECTORY ${WORKDIR}/corpus ${WORKDIR}/artifacts)
file (GLOB seeds ${SEEDS}/*)
if (NOT seeds)
    message (FATAL_ERROR "${FUZZ_NAME}: no seeds in ${SEEDS}")
endif ()
file (COPY ${seeds} DESTINATION ${WORKDIR}/corpus)
list (SORT seeds)

#  One process, no forks (the machine is shared); halt on the first UBSan
#  report even if the build lets it recover.
set (ENV{UBSAN_OPTIONS} "halt_on_error=1:print_stacktrace=1")
#  A small quarantine: the default one holds 256 MB on a shared machine.
set (ENV{ASAN_OPTIONS} "detect_leaks=1:quarantine_size_mb=32")
