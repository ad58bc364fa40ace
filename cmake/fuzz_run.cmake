# One bounded fuzz run as a ctest test (fuzz/CMakeLists.txt): empties the work
# corpus, then runs FUZZER over it and the read-only SEEDS with FLAGS. libFuzzer
# exits non-zero on a crash, leak, timeout, out-of-memory or sanitizer report,
# and writes the input to crash-<what>-* in the build tree; so does this test.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${FUZZER} ${FLAGS} ${WORK} ${SEEDS} RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${result}); replay the input it names with: ${FUZZER} <crash file>")
endif()
