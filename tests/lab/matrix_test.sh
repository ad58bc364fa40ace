#!/usr/bin/env bash
# -DNVQUAL_MATRIX=ON: configures a scratch build tree with a resource spec of
# two controllers and checks the tests ctest would run: suite.NAME.hw.ID for
# every suite and controller, each naming its controller and holding its lock,
# and no suite.NAME.hw left. Also: the option without a spec is a configure
# error that says what to do. Nothing is built or run on hardware.
#   matrix_test.sh CMAKE CTEST SOURCE_DIR
set -euo pipefail
cmake=$1 ctest=$2 source=$3
fail() { echo "matrix_test: $*" >&2; exit 1; }

work=$(mktemp -d /tmp/nvqual-matrix.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The format nvqual devices --ctest-resources writes (driver/vfio/src/ctest_resources.cpp).
cat >"$work/nvme.json" <<'JSON'
{
  "version": {"major": 1, "minor": 0},
  "local": [
    {
      "nvme": [
        {"id": "n0000_01_00_0", "slots": 1},
        {"id": "n0000_41_00_0", "slots": 1}
      ]
    }
  ]
}
JSON
common=(-S "$source" -DNVQUAL_BUILD_TESTS=OFF -DNVQUAL_BUILD_BENCHMARKS=OFF -DNVQUAL_MATRIX=ON)

if "$cmake" "${common[@]}" -B "$work/nospec" >"$work/nospec.log" 2>&1; then
  fail "-DNVQUAL_MATRIX=ON without a resource spec configured"
fi
grep -q "nvqual devices --ctest-resources FILE" "$work/nospec.log" || { cat "$work/nospec.log" >&2; fail "no fix named"; }

"$cmake" "${common[@]}" -B "$work/build" -DNVQUAL_CTEST_RESOURCE_SPEC="$work/nvme.json" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log" >&2; fail "configuring with -DNVQUAL_MATRIX=ON failed"; }
"$ctest" --test-dir "$work/build" -N -L hw --show-only=json-v1 >"$work/tests.json" || fail "ctest -N failed"
python3 - "$work/tests.json" "$source/suites" "$work/build/suites/CTestTestfile.cmake" <<'PY' ||
import glob, json, os, re, sys
# suite.reports_dir comes along as the fixture that makes the reports directory.
tests = {t["name"]: t for t in json.load(open(sys.argv[1]))["tests"] if t["name"] != "suite.reports_dir"}
suites = sorted(os.path.basename(f)[:-5] for f in glob.glob(sys.argv[2] + "/*.yaml"))
bdfs = {"n0000_01_00_0": "0000:01:00.0", "n0000_41_00_0": "0000:41:00.0"}
expected = {f"suite.{s}.hw.{i}" for s in suites for i in bdfs}
assert set(tests) == expected, sorted(set(tests) ^ expected)
# The commands as CMake wrote them (ctest -N leaves out those whose program is not built).
commands = {}
for line in open(sys.argv[3]):
    m = re.match(r"add_test\(\[=\[(\S+)\]=\] (.*)\)$", line.strip())
    if m:
        commands[m.group(1)] = re.findall(r'"([^"]*)"', m.group(2))
for s in suites:
    for i, bdf in bdfs.items():
        t = tests[f"suite.{s}.hw.{i}"]
        cmd = commands[t["name"]]
        assert cmd[cmd.index("--bdf") + 1] == bdf and cmd[cmd.index("run") + 1] == s, cmd
        assert cmd[cmd.index("--junit") + 1].endswith(f"/{s}.{i}-hw.xml"), cmd
        props = {p["name"]: p["value"] for p in t["properties"]}
        assert props["RESOURCE_LOCK"] == [f"nvqual_nvme_{i}"], props
        assert {"hw", "matrix", i, s} <= set(props["LABELS"]), props["LABELS"]
        assert props["SKIP_RETURN_CODE"] == 77, props
print(f"matrix_test: {len(expected)} tests for {len(suites)} suites x {len(bdfs)} controllers")
PY
  fail "the matrix is not what it should be"
