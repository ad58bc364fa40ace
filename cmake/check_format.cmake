cmake_policy(SET CMP0007 NEW)
# ctest's `format` test: every C++ file git tracks must already be formatted as
# .clang-format says. Run as `cmake -DSOURCE_DIR=... -DCLANG_FORMAT=... -P`.
# Fix a failure with: git ls-files '*.cpp' '*.hpp' '*.cpp.in' | xargs clang-format -i
if(NOT CLANG_FORMAT OR CLANG_FORMAT MATCHES "NOTFOUND$")
  message(FATAL_ERROR "format check: clang-format not found; install Debian's package (apt-get install clang-format)")
endif()
execute_process(COMMAND git ls-files -- *.cpp *.hpp *.h *.cpp.in
                WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE listed RESULT_VARIABLE git_result)
if(NOT git_result EQUAL 0)
  message(FATAL_ERROR "format check: `git ls-files` failed in ${SOURCE_DIR}: the check needs a git work tree")
endif()
string(REPLACE "\n" ";" files "${listed}")
list(FILTER files EXCLUDE REGEX "^$")
list(LENGTH files count)
if(count EQUAL 0)
  message(FATAL_ERROR "format check: git lists no C++ file in ${SOURCE_DIR}")
endif()
execute_process(COMMAND "${CLANG_FORMAT}" --dry-run -Werror ${files}
                WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE format_result ERROR_VARIABLE diagnostics)
if(NOT format_result EQUAL 0)
  message(FATAL_ERROR "${diagnostics}\nformat check: files above differ from .clang-format; run "
                      "`git ls-files '*.cpp' '*.hpp' '*.cpp.in' | xargs ${CLANG_FORMAT} -i`")
endif()
message(STATUS "format check: ${count} files match .clang-format")
