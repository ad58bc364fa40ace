#!/usr/bin/env bash
# nvqual report --html, opened in headless Chromium: the rendered DOM must show
# the run's counts and a failure's details, device text must stay text (the
# simulated model is markup), and the page must load nothing. Saves a
# screenshot of the page under the build tree.
#   html_report_test.sh NVQUAL SOURCE_DIR OUT_DIR CHROMIUM
set -euo pipefail
nvqual=$1 source=$2 out=$3 chromium=$4
fail() { echo "html_report_test: $*" >&2; exit 1; }
command -v "$chromium" >/dev/null || fail "no $chromium: install Debian's chromium package (ci/bootstrap.sh does)"

work=$(mktemp -d /tmp/nvqual-html.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# identify fails (a control byte in MN), read skips RD-001 (no --expect-pattern),
# transitions measures latencies.
code=0
env -u NVQUAL_BDF NVQUAL_SUITE_DIR="$source/suites" "$nvqual" run identify read transitions \
  --sim-profile "$source/tests/lab/html-report-profile.yaml" --quiet --json "$work/run.json" >"$work/run.log" 2>&1 ||
  code=$?
[ $code -eq 1 ] || { cat "$work/run.log" >&2; fail "the run exited $code, expected 1 (failures)"; }
"$nvqual" report "$work/run.json" --html "$out/report.html" || fail "nvqual report exited $?"
[ ! -e "$out/report.html.tmp" ] || fail "report.html.tmp left behind"

# Nothing to load: no script, style sheet, image, frame, font or URL.
if grep -Eio '<script|<link|<img|<iframe|<object|src=|url\(|@import|https?://' "$out/report.html" | grep -v '^$'; then
  fail "the page refers to something it would load"
fi

browse() {
  timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$work/profile" \
    "$@" "file://$out/report.html" 2>"$work/chromium.log"
}
browse --dump-dom >"$work/dom.html" || { cat "$work/chromium.log" >&2; fail "chromium --dump-dom failed"; }
python3 - "$work/run.json" "$work/dom.html" <<'PY' || fail "the rendered page does not show the run"
import json, sys
from html.parser import HTMLParser

run = json.load(open(sys.argv[1]))
dom = open(sys.argv[2], encoding="utf-8").read()

class Page(HTMLParser):
    """Text by element id, the text of each failure section, and every tag seen."""
    def __init__(self):
        super().__init__()
        self.stack, self.by_id, self.failures, self.tags = [], {}, {}, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.stack.append((tag, a.get("id"), a.get("data-case")))
    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass
    def handle_data(self, data):
        for _, ident, case in self.stack:
            if ident: self.by_id[ident] = self.by_id.get(ident, "") + data
            if case: self.failures[case] = self.failures.get(case, "") + data

page = Page()
page.feed(dom)
totals = run["totals"]
for key in ("tests", "passed", "failures", "errors", "skipped"):
    shown = page.by_id.get("total-" + key, "").strip()
    assert shown == str(totals[key]), f"total-{key}: page shows {shown!r}, report has {totals[key]}"
assert totals["failures"] > 0 and totals["skipped"] > 0, totals

failed = [(s["name"], c) for s in run["suites"] for c in s["cases"] if c["outcome"] == "failed"]
suite, case = failed[0]
text = page.failures.get(f'{suite}/{case["id"]}')
assert text is not None, f"no failure section for {suite}/{case['id']}: {sorted(page.failures)}"
for part in (case["message"], case["spec"]):
    assert part in text, f"failure {case['id']} lacks {part!r}"
failed_checks = [k for k in case["checks"] if k["state"] == "failed"]
assert failed_checks, case
for k in failed_checks:
    assert k["expected"] in text and k["actual"] in text, f"failure {case['id']} lacks expected/actual of {k}"

# The model is markup (with BEL for its 7th character, which the report shows
# as \x07): it must appear as text, never as elements.
model = run["target"]["model"]
assert model == "<b>x</\\x07><script>alert(1)</script>&", model
assert model in page.by_id.get("identity", ""), page.by_id.get("identity")
assert "script" not in page.tags and "b" not in page.tags, sorted(set(page.tags))
skipped = page.by_id.get("skipped", "")
for s in run["suites"]:
    for c in s["cases"]:
        if c["outcome"] == "skipped":
            assert c["message"] in skipped, f"skipped {c['id']} lacks its reason"
assert "latency-chart" in page.by_id and "ms" in page.by_id["latency-chart"], "no latency chart"
assert "rect" in page.tags, "the latency chart has no bars"
PY

browse --screenshot="$out/report.png" --window-size=1280,2200 >/dev/null ||
  { cat "$work/chromium.log" >&2; fail "chromium --screenshot failed"; }
[ "$(head -c 8 "$out/report.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$out/report.png is no PNG"
echo "html_report_test: $out/report.html renders; screenshot $out/report.png"
