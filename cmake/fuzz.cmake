# Fuzz targets (fuzz/, executables fuzz_<what>), built with clang's libFuzzer
# from Debian's libclang-rt-14-dev. See docs/fuzzing.md.
#
# With NVQUAL_FUZZ on, every object in the tree carries libFuzzer's coverage
# instrumentation (-fsanitize=fuzzer-no-link): the fuzzer can only steer by
# coverage of the code under test, which lives in the libraries. Executables
# other than the fuzz targets link without libFuzzer; the sanitizer runtime
# supplies the coverage callbacks they then never use. Only fuzz/ links
# -fsanitize=fuzzer (libFuzzer's main).
option(NVQUAL_FUZZ "Build the libFuzzer targets in fuzz/ (clang only, with NVQUAL_SANITIZE)" OFF)
# 60 s each: 8 targets on 2 cores add about 4 minutes to `ctest --preset asan -j2`.
set(NVQUAL_FUZZ_SECONDS 60 CACHE STRING "Seconds each fuzz target runs as a ctest test (label fuzz)")
if(NVQUAL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "NVQUAL_FUZZ needs clang (libFuzzer): configure with the fuzz or asan preset, "
                        "or -DCMAKE_CXX_COMPILER=clang++-14 (Debian packages clang-14 libclang-rt-14-dev)")
  endif()
  if(NOT NVQUAL_SANITIZE)
    message(FATAL_ERROR "NVQUAL_FUZZ needs NVQUAL_SANITIZE=ON: a fuzz run without ASan and UBSan misses "
                        "most memory errors")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
