# A CTest dashboard run for a lab machine: configure, build, run the hardware
# suites (or the simulator's) and submit the results to the lab's CDash.
#
#   ctest -S ci/dashboard.cmake -D NVQUAL_CDASH_URL="https://cdash.lab/submit.php?project=nvqual"
#
# Options (ctest -D NAME=VALUE):
#   NVQUAL_CDASH_URL              the submit URL (required; set by the lab)
#   NVQUAL_DASHBOARD_BINARY_DIR   build tree (default <source>/build/dashboard; reused run to run)
#   NVQUAL_DASHBOARD_TARGET       hw (default: the vfio-bound controllers, one per test in
#                                 parallel through a CTest resource spec) or sim
#   NVQUAL_DASHBOARD_PARALLEL     tests at once (default 4; at most one per controller)
#   NVQUAL_DASHBOARD_TESTS        a regular expression: only the tests it matches
#   NVQUAL_DASHBOARD_TRACK        Experimental (default), Nightly or Continuous
#   NVQUAL_DASHBOARD_BUILD_TARGET what to build (default: nvqual, all the suite tests need)
#
# The site is the host name; the build name carries the model and firmware of
# the controllers tested, so a dashboard row says which SSDs it is about.
# Docs: CMake's ctest(1) "Dashboard Client" and the ctest_* commands; see also
# docs/lab-operations.md.
cmake_minimum_required(VERSION 3.25)

if(NOT NVQUAL_CDASH_URL)
  message(FATAL_ERROR "set the lab's CDash submit URL: ctest -S ci/dashboard.cmake -D NVQUAL_CDASH_URL=URL")
endif()
get_filename_component(CTEST_SOURCE_DIRECTORY "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT NVQUAL_DASHBOARD_BINARY_DIR)
  set(NVQUAL_DASHBOARD_BINARY_DIR "${CTEST_SOURCE_DIRECTORY}/build/dashboard")
endif()
set(CTEST_BINARY_DIRECTORY "${NVQUAL_DASHBOARD_BINARY_DIR}")
foreach(default TARGET:hw PARALLEL:4 TRACK:Experimental BUILD_TARGET:nvqual)
  string(REPLACE ":" ";" pair "${default}")
  list(GET pair 0 name)
  list(GET pair 1 value)
  if(NOT NVQUAL_DASHBOARD_${name})
    set(NVQUAL_DASHBOARD_${name} "${value}")
  endif()
endforeach()
if(NOT NVQUAL_DASHBOARD_TARGET MATCHES "^(hw|sim)$")
  message(FATAL_ERROR "NVQUAL_DASHBOARD_TARGET is '${NVQUAL_DASHBOARD_TARGET}': use hw or sim")
endif()

# A build tree keeps its generator; a new one gets Unix Makefiles.
set(CTEST_CMAKE_GENERATOR "Unix Makefiles")
if(EXISTS "${CTEST_BINARY_DIRECTORY}/CMakeCache.txt")
  file(STRINGS "${CTEST_BINARY_DIRECTORY}/CMakeCache.txt" generator_line REGEX "^CMAKE_GENERATOR:INTERNAL=" LIMIT_COUNT 1)
  string(REGEX REPLACE "^CMAKE_GENERATOR:INTERNAL=" "" CTEST_CMAKE_GENERATOR "${generator_line}")
endif()
set(CTEST_BUILD_TARGET "${NVQUAL_DASHBOARD_BUILD_TARGET}")
set(CTEST_SUBMIT_URL "${NVQUAL_CDASH_URL}")
cmake_host_system_information(RESULT CTEST_SITE QUERY HOSTNAME)
set(nvqual "${CTEST_BINARY_DIRECTORY}/app/nvqual")

# The build name needs the controllers, and asking them needs nvqual: build it
# first, outside the dashboard steps (which then find it up to date).
if(NOT EXISTS "${CTEST_BINARY_DIRECTORY}/CMakeCache.txt")
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${CTEST_SOURCE_DIRECTORY} -B ${CTEST_BINARY_DIRECTORY}
                          -G ${CTEST_CMAKE_GENERATOR} -DCMAKE_BUILD_TYPE=Release -DNVQUAL_BUILD_BENCHMARKS=OFF
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "configuring ${CTEST_BINARY_DIRECTORY} failed")
  endif()
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${CTEST_BINARY_DIRECTORY} --target nvqual RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building nvqual in ${CTEST_BINARY_DIRECTORY} failed")
endif()

# "MODEL FIRMWARE" of the controller `target_args` names, from its Identify data.
function(nvqual_identity out_var)
  execute_process(COMMAND ${nvqual} identify ${ARGN} --json OUTPUT_VARIABLE json RESULT_VARIABLE rc ERROR_QUIET)
  if(NOT rc EQUAL 0)
    set(${out_var} "" PARENT_SCOPE)
    return()
  endif()
  string(JSON mn ERROR_VARIABLE e GET "${json}" mn)
  string(JSON fr ERROR_VARIABLE e GET "${json}" fr)
  string(STRIP "${mn}" mn)
  string(STRIP "${fr}" fr)
  set(${out_var} "${mn} ${fr}" PARENT_SCOPE)
endfunction()

set(test_options PARALLEL_LEVEL ${NVQUAL_DASHBOARD_PARALLEL})
set(devices "")
if(NVQUAL_DASHBOARD_TARGET STREQUAL "sim")
  nvqual_identity(devices --sim)
  list(APPEND test_options INCLUDE_LABEL "^sim$")
else()
  set(spec "${CTEST_BINARY_DIRECTORY}/nvme.json")
  execute_process(COMMAND ${nvqual} devices --ctest-resources ${spec} RESULT_VARIABLE rc)
  execute_process(COMMAND ${nvqual} devices --json OUTPUT_VARIABLE listing RESULT_VARIABLE rc2)
  if(NOT rc EQUAL 0 OR NOT rc2 EQUAL 0)
    message(FATAL_ERROR "nvqual devices failed: no resource spec for the hardware tests")
  endif()
  string(JSON count LENGTH "${listing}")
  if(count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      string(JSON ready GET "${listing}" ${i} ready)
      string(JSON bdf GET "${listing}" ${i} bdf)
      if(ready)
        nvqual_identity(identity --bdf ${bdf})
        list(APPEND devices "${identity}")
      endif()
    endforeach()
  endif()
  list(APPEND test_options INCLUDE_LABEL "^hw$" RESOURCE_SPEC_FILE ${spec})
  set(configure_options "-DNVQUAL_CTEST_RESOURCE_SPEC=${spec}")
endif()
if(NVQUAL_DASHBOARD_TESTS)
  list(APPEND test_options INCLUDE "${NVQUAL_DASHBOARD_TESTS}")
endif()
list(REMOVE_DUPLICATES devices)
list(JOIN devices ", " device_names)
if(device_names STREQUAL "")
  set(device_names "no controller")
endif()
file(STRINGS "${CTEST_SOURCE_DIRECTORY}/CMakeLists.txt" version_line REGEX "^project\\(nvqual VERSION" LIMIT_COUNT 1)
string(REGEX REPLACE ".*VERSION ([0-9.]+).*" "\\1" version "${version_line}")
# CDash shows the name as given; keep it to characters every file system and URL takes.
string(REGEX REPLACE "[^A-Za-z0-9 ._,+-]" "_" device_names "${device_names}")
set(CTEST_BUILD_NAME "nvqual-${version} ${NVQUAL_DASHBOARD_TARGET}: ${device_names}")

ctest_start(${NVQUAL_DASHBOARD_TRACK})
ctest_configure(OPTIONS "${configure_options}" RETURN_VALUE configure_rc)
ctest_build(FLAGS "-j${NVQUAL_DASHBOARD_PARALLEL}" RETURN_VALUE build_rc NUMBER_ERRORS build_errors)
ctest_test(${test_options} RETURN_VALUE test_rc)
ctest_submit(RETRY_COUNT 2 RETRY_DELAY 5 RETURN_VALUE submit_rc BUILD_ID build_id)

message(STATUS "nvqual dashboard: site ${CTEST_SITE}, build \"${CTEST_BUILD_NAME}\", CDash build id ${build_id}")
if(NOT submit_rc EQUAL 0)
  message(FATAL_ERROR "submitting to ${NVQUAL_CDASH_URL} failed: see the messages above")
endif()
if(NOT configure_rc EQUAL 0 OR NOT build_rc EQUAL 0 OR build_errors GREATER 0)
  message(FATAL_ERROR "the configure or build step failed (submitted)")
endif()
if(NOT test_rc EQUAL 0)
  message(FATAL_ERROR "tests failed (submitted)")
endif()
