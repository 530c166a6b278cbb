#  topology - the libFuzzer target for the topology reader, fuzz_topology,
#  built with clang like fuzz_wire and run by run_fuzz_topology.cmake.
#  SPDX-License-Identifier: MPL-2.0
#
#  Included from tests/CMakeLists.txt after the fuzz_wire block, whose
#  clang probe it reuses (ACTORIO_CLANG, ACTORIO_FUZZ_WORKS, fuzz_flags):
#      include (${CMAKE_CURRENT_SOURCE_DIR}/fuzz/topology.cmake)
#  The reader is built from its own files, act_builtin.c and what sizes
#  the shared region (act_region.c and the codec under it), with stubs
#  for what only the built-in classes' handlers call; czmq for its lists,
#  hashes and zsys_sprintf. FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION keeps
#  it from opening plugins named by fuzzed input.
if (NOT (ACTORIO_FUZZ AND ACTORIO_CLANG AND ACTORIO_FUZZ_WORKS))
    return ()
endif ()
set (ACTORIO_FUZZ_TOPOLOGY_SECONDS 30 CACHE STRING "How long the fuzz_topology test fuzzes")
set (topo_src ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
set (topo_bin ${CMAKE_CURRENT_BINARY_DIR}/fuzz/fuzz_topology)
set (topo_includes -I${PROJECT_SOURCE_DIR}/supervisor -I${PROJECT_SOURCE_DIR}/src/contract
                   -I${PROJECT_SOURCE_DIR}/src/group -I${PROJECT_SOURCE_DIR}/src/msg
                   -I${PROJECT_SOURCE_DIR}/include)
foreach (dir ${CZMQ_INCLUDE_DIRS} ${ZMQ_INCLUDE_DIRS})
    list (APPEND topo_includes -I${dir})
endforeach ()
set (topo_sources
    ${topo_src}/fuzz_topology.c
    ${topo_src}/fuzz_topology_stubs.c
    ${PROJECT_SOURCE_DIR}/supervisor/act_topology.c
    ${PROJECT_SOURCE_DIR}/supervisor/act_zpl.c
    ${PROJECT_SOURCE_DIR}/src/group/act_builtin.c
    ${PROJECT_SOURCE_DIR}/src/group/act_region.c
    ${PROJECT_SOURCE_DIR}/src/msg/act_ring.c
    ${PROJECT_SOURCE_DIR}/src/msg/act_wire.c)
file (GLOB topo_headers ${PROJECT_SOURCE_DIR}/include/*.h)
add_custom_command (OUTPUT ${topo_bin}
    COMMAND ${ACTORIO_CLANG} ${fuzz_flags} -D_GNU_SOURCE
            -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION ${topo_includes}
            ${topo_sources} ${CZMQ_LDFLAGS} ${ZMQ_LDFLAGS} -ldl -o ${topo_bin}
    DEPENDS ${topo_sources} ${topo_headers}
            ${PROJECT_SOURCE_DIR}/supervisor/act_topology.h
            ${PROJECT_SOURCE_DIR}/supervisor/act_zpl.h
            ${PROJECT_SOURCE_DIR}/src/contract/act_host.h
    COMMENT "Building the libFuzzer target fuzz_topology with clang"
    VERBATIM)
add_custom_target (fuzz_topology_build ALL DEPENDS ${topo_bin})
add_test (NAME fuzz_topology
          COMMAND ${CMAKE_COMMAND} -DFUZZER=${topo_bin} -DSEEDS=${topo_src}/topology_corpus
                  -DDICT=${topo_src}/topology.dict
                  -DWORKDIR=${CMAKE_CURRENT_BINARY_DIR}/fuzz/topology
                  -DSECONDS=${ACTORIO_FUZZ_TOPOLOGY_SECONDS}
                  -P ${topo_src}/run_fuzz_topology.cmake)
set_tests_properties (fuzz_topology PROPERTIES TIMEOUT 300)
