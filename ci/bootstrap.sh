#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (run as root), builds nvqual and runs one of:
#   run   the main job: every conformance suite against the simulated controller
#   test  every test through ctest (unit, CLI, suites, QEMU end-to-end)
#   asan  every test but QEMU's, built by clang with AddressSanitizer + UndefinedBehaviorSanitizer,
#         and each fuzz target (fuzz/) run for a bounded time
# Only Debian packages are installed; nothing else is downloaded.
set -euo pipefail

mode=${1:-}
case "$mode" in
  run|test|asan) ;;
  *) echo "usage: $0 run|test|asan" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."

packages=(g++ cmake ninja-build pkg-config git ca-certificates
          libyaml-cpp-dev libboost-dev libcli11-dev nlohmann-json3-dev libfmt-dev libpugixml-dev libssl-dev
          libgtest-dev libgmock-dev googletest libbenchmark-dev libnvme-dev libxml2-utils python3 python3-yaml
          )
# The tests also check formatting and render the HTML report in a browser.
if [ "$mode" != run ]; then
  packages+=(clang-format chromium)
fi
# The sanitizer build is clang's: it also builds the libFuzzer targets (fuzz/,
# docs/fuzzing.md). libFuzzer ships in libclang-rt-14-dev; libfuzzer-14-dev
# holds only a second copy of it (libFuzzer.a) that -fsanitize=fuzzer does not use.
if [ "$mode" = asan ]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "nvqual: missing Debian packages: ${missing[*]}; run this as root or: sudo apt-get install ${missing[*]}" >&2
    exit 3
  fi
  echo "== installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs=$(nproc)
case "$mode" in
  run)
    cmake --preset release
    cmake --build --preset release -j "$jobs" --target nvqual
    mkdir -p reports/out
    # --allow-media-changes: the simulator needs no serial and declares its own
    # scratch range (docs/data-integrity.md), so the write suites run and pass.
    ./build/release/app/nvqual run --sim --allow-media-changes --junit reports/out/sim-junit.xml \
      --json reports/out/sim-results.json
    ;;
  test)
    cmake --preset default
    cmake --build --preset default -j "$jobs"
    ctest --preset default -j "$jobs"
    ;;
  asan)
    cmake --preset asan
    cmake --build --preset asan -j "$jobs"
    ctest --preset asan -j "$jobs"
    ;;
esac
