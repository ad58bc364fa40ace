#!/usr/bin/env python3
"""Markdown summary of nvqual JUnit reports, for a CI job summary
(GitHub's $GITHUB_STEP_SUMMARY): a row per suite and every failure or error
with its one-line message.

    junit_summary.py REPORT.xml... >> "$GITHUB_STEP_SUMMARY"

Python's standard library only, so any runner with python3 has what it needs.
"""
import sys
import xml.etree.ElementTree as ET


def cell(text):
    """Markdown table cells: a pipe or a line break would end the cell."""
    return (text or "").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def main(paths):
    rows, problems = [], []
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as e:
            problems.append(f"- `{cell(path)}`: not readable JUnit XML ({cell(str(e))})")
            continue
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        for s in suites:
            props = {p.get("name"): p.get("value") for p in s.iter("property")}
            device = " ".join(x for x in (props.get("model"), props.get("firmware"), props.get("bdf")) if x)
            rows.append(f"| {cell(s.get('name'))} | {cell(device)} | {s.get('tests')} | {s.get('failures')} "
                        f"| {s.get('errors')} | {s.get('skipped')} |")
            for case in s.iter("testcase"):
                for kind in ("failure", "error"):
                    for item in case.findall(kind):
                        problems.append(f"- **{kind}** {cell(s.get('name'))} / {cell(case.get('name'))}: "
                                        f"{cell(item.get('message'))}")
    print("## nvqual")
    if not rows and not problems:
        print("No JUnit report was written: see the job log.")
        return 0
    print("| suite | device | tests | failures | errors | skipped |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    if problems:
        print("\n### Failures and errors\n")
        print("\n".join(problems))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
