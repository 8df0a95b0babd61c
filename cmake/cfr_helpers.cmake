# cfr_test(NAME SOURCES... DEPS ...): a GoogleTest binary registered with CTest.
function(cfr_test name)
  if(NOT CFR_BUILD_TESTS OR CFR_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES LABELS unit ENVIRONMENT "CFR_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()

# cfr_benchmark(NAME SOURCES... DEPS ...): a Google Benchmark binary (not a test).
function(cfr_benchmark name)
  if(NOT CFR_BUILD_BENCHMARKS OR CFR_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark benchmark::benchmark_main)
endfunction()

# cfr_embed(TARGET VAR FILE): compiles FILE's bytes into TARGET as
# `extern const std::string_view VAR;` in namespace cfr::embedded.
function(cfr_embed target var file)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${var}.cc)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DVAR=${var} -P ${CMAKE_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${file} ${CMAKE_SOURCE_DIR}/cmake/embed.cmake
    COMMENT "Embedding ${file}")
  target_sources(${target} PRIVATE ${out})
endfunction()
