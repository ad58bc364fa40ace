#!/usr/bin/env python3
"""The CI templates in ci/templates/ can be used as they are: each parses, has
the parts its CI needs to publish JUnit and keep the HTML reports, and every
command line in it that runs nvqual runs against the simulator (--sim for the
device) without a usage error. The cmake and ctest lines name only options that
exist. A template can therefore never name a flag that does not exist.

    ci_templates_test.py NVQUAL SOURCE_DIR CTEST
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

NVQUAL, SOURCE, CTEST = (os.path.abspath(a) if i < 2 else a for i, a in enumerate(sys.argv[1:4]))
TEMPLATES = os.path.join(SOURCE, "ci", "templates")
NVQUAL_IN_TEMPLATES = "build/lab/app/nvqual"  # where every template builds it


def fail(message):
    print(f"ci_templates_test: {message}", file=sys.stderr)
    sys.exit(1)


def gitlab_lines():
    doc = yaml.safe_load(open(os.path.join(TEMPLATES, "gitlab-ci.yml")))
    job = doc["nvqual-hw"]
    if "nvme" not in job["tags"] or "$NVQUAL_LAB_MACHINE" not in job["tags"]:
        fail(f"gitlab-ci.yml: tags {job['tags']} lack nvme and the per-machine tag")
    artifacts = job["artifacts"]
    if artifacts.get("when") != "always" or not artifacts["reports"]["junit"].endswith("-hw.xml"):
        fail(f"gitlab-ci.yml: artifacts {artifacts} do not publish the JUnit reports whatever the result")
    if "build/lab/reports/out/" not in artifacts["paths"]:
        fail("gitlab-ci.yml: the reports directory (with the HTML pages) is not an artifact")
    return job["script"] + job.get("after_script", [])


def github_lines():
    doc = yaml.safe_load(open(os.path.join(TEMPLATES, "github-actions.yml")))
    job = doc["jobs"]["hw"]
    if job["runs-on"] != ["self-hosted", "nvme"]:
        fail(f"github-actions.yml: runs-on is {job['runs-on']}")
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    if not uploads or "build/lab/reports/out/" not in uploads[0]["with"]["path"] or uploads[0].get("if") != "always()":
        fail("github-actions.yml: no upload-artifact step keeping build/lab/reports/out/ whatever the result")
    runs = [s["run"] for s in job["steps"] if "run" in s]
    if not any("GITHUB_STEP_SUMMARY" in r for r in runs):
        fail("github-actions.yml: nothing is written to the job summary")
    return [line for r in runs for line in r.splitlines() if line.strip()]


def jenkins_lines():
    text = open(os.path.join(TEMPLATES, "Jenkinsfile")).read()
    if not re.search(r"^pipeline \{", text, re.M):
        fail("Jenkinsfile: not a declarative pipeline")
    if not re.search(r"post \{\s*always \{.*?junit testResults: 'build/lab/reports/out/\*-hw\.xml'", text, re.S):
        fail("Jenkinsfile: no junit step in post/always for the hw reports")
    if "archiveArtifacts artifacts: 'build/lab/reports/out/**" not in text:
        fail("Jenkinsfile: the reports directory is not archived")
    if text.count("{") != text.count("}"):
        fail("Jenkinsfile: unbalanced braces")
    return re.findall(r"^\s*sh '([^']*(?:'\"'\"'[^']*)*)'", text, re.M)


def cmake_cache_options():
    """Every -D option the project defines (option(), set(... CACHE)) and CMake's own."""
    names = {"CMAKE_BUILD_TYPE", "CMAKE_INSTALL_PREFIX"}
    for root, dirs, files in os.walk(SOURCE):
        dirs[:] = [d for d in dirs if d not in ("build", ".git")]
        for f in files:
            if f == "CMakeLists.txt" or f.endswith(".cmake"):
                text = open(os.path.join(root, f), errors="replace").read()
                names |= set(re.findall(r"option\((\w+)", text))
                names |= set(re.findall(r"set\((\w+) [^)]*CACHE", text))
    return names


def check_build_lines(name, lines):
    options = cmake_cache_options()
    ctest_help = subprocess.run([CTEST, "--help"], capture_output=True, text=True).stdout
    for line in lines:
        words = line.split()
        if words and words[0] == "cmake":
            for d in re.findall(r"-D(\w+)=", line):
                if d not in options:
                    fail(f"{name}: `{line}` sets -D{d}, which no CMake file defines")
        if words and words[0] == "ctest":
            for flag in re.findall(r"(?<!\S)(--[a-z-]+|-[A-Za-z])(?=\s|=|$)", line):
                if not re.search(rf"(^|[\s,]){re.escape(flag)}(\s|=|,|$)", ctest_help, re.M):
                    fail(f"{name}: `{line}` uses {flag}, which ctest --help does not list")
    ctest = [l for l in lines if l.split()[:1] == ["ctest"]]
    if not any("-L hw" in l and " -j " in l and "--resource-spec-file" in l for l in ctest):
        fail(f"{name}: no `ctest -L hw -j N --resource-spec-file FILE` line")


def run_nvqual_lines(name, lines):
    """Runs each line that calls nvqual, in a scratch directory laid out like
    the job's work space: build/lab/app/nvqual is the binary under test, and the
    reports a hardware run would leave come from a simulator run."""
    nvqual_lines = [l for l in lines if NVQUAL_IN_TEMPLATES in l or "ci/templates/" in l]
    for needed in ("devices --ctest-resources", "report "):
        if not any(needed in l and NVQUAL_IN_TEMPLATES in l for l in nvqual_lines):
            fail(f"{name}: no `nvqual {needed}...` line")
    if not any("--html" in l for l in nvqual_lines):
        fail(f"{name}: no HTML report is written")
    work = tempfile.mkdtemp(prefix="nvqual-ci-")
    try:
        os.makedirs(os.path.join(work, "build/lab/app"))
        os.symlink(NVQUAL, os.path.join(work, NVQUAL_IN_TEMPLATES))
        os.symlink(os.path.join(SOURCE, "ci"), os.path.join(work, "ci"))
        out = os.path.join(work, "build/lab/reports/out")
        os.makedirs(out)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NVQUAL_", "CTEST_RESOURCE"))}
        env.update(CI_PROJECT_DIR=work, GITHUB_WORKSPACE=work, WORKSPACE=work,
                   GITHUB_STEP_SUMMARY=os.path.join(work, "summary.md"), NVQUAL_SUITE_DIR=os.path.join(SOURCE, "suites"))
        seed = subprocess.run([NVQUAL, "run", "identify", "--sim", "--quiet", "--json", f"{out}/identify-hw.json",
                               "--junit", f"{out}/identify-hw.xml"], env=env, capture_output=True, text=True)
        if seed.returncode != 0:
            fail(f"the simulator run for the reports failed: {seed.stderr}")
        for line in nvqual_lines:
            command = re.sub(r"--(bdf|pci)[ =]\S+", "--sim", line)
            r = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=work, env=env,
                               capture_output=True, text=True, timeout=120)
            if r.returncode != 0:
                fail(f"{name}: `{line}` exited {r.returncode}: {r.stderr.strip()}")
        for made in ("nvme.json", "build/lab/reports/out/identify-hw.html"):
            if not os.path.isfile(os.path.join(work, made)):
                fail(f"{name}: its commands did not write {made}")
        if name == "github-actions.yml" and "| identify [SIMULATOR] |" not in open(env["GITHUB_STEP_SUMMARY"]).read():
            fail("github-actions.yml: the job summary has no row for the suite")
        print(f"ci_templates_test: {name}: {len(nvqual_lines)} nvqual command lines ran", flush=True)
    finally:
        shutil.rmtree(work)


for name, reader in (("gitlab-ci.yml", gitlab_lines), ("github-actions.yml", github_lines),
                     ("Jenkinsfile", jenkins_lines)):
    lines = [l.strip() for l in reader()]
    check_build_lines(name, lines)
    run_nvqual_lines(name, lines)
