#!/usr/bin/env bash
# The .deb installs a working nvqual: builds it with CPack from this build tree,
# checks its metadata, unpacks it into a temporary root outside any build or
# source tree and runs the unpacked binary there. The reports must name the
# suite files inside that root: a binary that fell back to the source tree (or
# a compiled-in path) fails here.
#   package_test.sh CPACK BUILD_DIR
set -euo pipefail
cpack=$1 build=$2
fail() { echo "package_test: $*" >&2; exit 1; }

work=$(mktemp -d /tmp/nvqual-package.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$cpack" --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack -G DEB failed"; }
debs=("$work"/out/*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one .deb in $work/out, found: ${debs[*]}"
deb=${debs[0]}

# Metadata: name, architecture, the summary and the runtime dependencies.
info=$(dpkg-deb -I "$deb")
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = nvqual ] || fail "Package is '$(field Package)'"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is '$(field Architecture)'"
grep -q '^ Description: userspace NVMe driver and conformance harness' <<<"$info" || fail "no summary in: $info"
grep -q '^  nvqual takes a vfio-pci bound NVMe controller' <<<"$info" || fail "no long description in: $info"
depends=$(field Depends)
# The package names in Depends, one a line, versions dropped.
depends_on() { tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ .*//' | grep -Fxq "$1"; }
for p in libc6 libstdc++6 libyaml-cpp0.7 libfmt9 libpugixml1v5 libssl3; do
  depends_on "$p" || fail "Depends lacks $p: $depends"
done

dpkg-deb -x "$deb" "$work/root"
nvqual=$work/root/usr/bin/nvqual
share=$work/root/usr/share/nvqual
[ -x "$nvqual" ] || fail "no usr/bin/nvqual in the package"
# Every library the binary links must come from a package it depends on.
# (Debian 12 is merged-/usr: dpkg may know a library by its /lib or its /usr/lib path.)
owner_of() {
  local real candidate
  real=$(readlink -f "$1")
  for candidate in "$1" "$real" "${real#/usr}" "/usr$1"; do
    dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1 | grep . && return 0
  done
  return 0
}
while read -r lib; do
  owner=$(owner_of "$lib")
  [ -n "$owner" ] || fail "no Debian package owns $lib, which nvqual links"
  depends_on "$owner" || fail "nvqual links $lib from $owner, which Depends does not name: $depends"
done < <(ldd "$nvqual" | awk '/=> \// {print $3}')
for f in suites/identify.yaml models/nvqual-sim-default.yaml sim/default.yaml sim/faults/never-ready.yaml; do
  [ -f "$share/$f" ] || fail "no usr/share/nvqual/$f in the package"
done
for f in README.md reports.md suites.md lab-operations.md; do
  [ -f "$work/root/usr/share/doc/nvqual/$f" ] || fail "no usr/share/doc/nvqual/$f in the package"
done
man=$work/root/usr/share/man/man1/nvqual.1.gz
gzip -t "$man" || fail "the man page is not gzip data"
page=$(gzip -dc "$man")
grep -q '^\.TH NVQUAL 1' <<<"$page" || fail "the man page has no .TH line"
for sub in run suites devices identify; do
  grep -q "^\.SS nvqual $sub\$" <<<"$page" || fail "the man page has no section for nvqual $sub"
done

# Run from the unpacked root, with no nvqual variable set and the current
# directory outside every tree.
cd "$work"
run() { env -i PATH=/usr/bin:/bin HOME="$work" "$@"; }
out=$(run "$nvqual" suites) || fail "nvqual suites failed: $out"
grep -q "cases in $share/suites\$" <<<"$out" || fail "nvqual suites did not list $share/suites: $out"

code=0
run "$nvqual" run --sim --quiet --json "$work/run.json" --junit "$work/run.xml" --model nvqual-sim-default \
  >"$work/run.log" 2>&1 || code=$?
[ $code -eq 0 ] || { cat "$work/run.log" >&2; fail "nvqual run --sim exited $code"; }
python3 - "$work/run.json" "$share" <<'PY' || fail "the JSON report does not name the installed files"
import json, sys
doc, share = json.load(open(sys.argv[1])), sys.argv[2]
files = [s["file"] for s in doc["suites"]]
assert files and all(f.startswith(share + "/suites/") for f in files), files
assert doc["model_profile"], "no model profile in the report"
assert doc["totals"]["failures"] == 0 and doc["totals"]["errors"] == 0, doc["totals"]
PY
grep -q "value=\"$share/suites/identify.yaml\"" "$work/run.xml" || fail "the JUnit report does not name $share/suites/identify.yaml"

# A shipped simulator profile, and NVQUAL_DATA_DIR pointing elsewhere.
run "$nvqual" identify --sim-profile "$share/sim/4k.yaml" >/dev/null || fail "identify --sim-profile $share/sim/4k.yaml failed"
mkdir -p "$work/alt/suites"
cp "$share/suites/identify.yaml" "$work/alt/suites/"
out=$(run NVQUAL_DATA_DIR="$work/alt" "$nvqual" suites) || fail "nvqual suites with NVQUAL_DATA_DIR failed: $out"
grep -q "^1 suites, .* cases in $work/alt/suites\$" <<<"$out" || fail "NVQUAL_DATA_DIR was not used: $out"
# The model profile of the run above came from the installed models/: with a
# data directory that has none, the same name is not found.
code=0
run NVQUAL_DATA_DIR="$work/alt" "$nvqual" run identify --sim --quiet --model nvqual-sim-default >"$work/alt.log" 2>&1 ||
  code=$?
[ $code -eq 2 ] || { cat "$work/alt.log" >&2; fail "--model found a profile outside NVQUAL_DATA_DIR (exit $code)"; }
echo "package_test: $(basename "$deb") installs and runs from $work/root"
