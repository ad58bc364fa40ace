#!/usr/bin/env python3
"""ci/dashboard.cmake submits Configure, Build and Test results the way CDash
takes them: it runs the script (ctest -S) on this build tree against a CDash
stand-in on 127.0.0.1 that this test starts, which accepts CTest's upload
protocol - one HTTP PUT per file, ?FileName=<site>___<build>___<stamp>___XML___
<file>&...&MD5=<md5 of the body> - and answers as CDash does. Loopback only,
bounded in time.

    dashboard_test.py CTEST SOURCE_DIR BINARY_DIR
"""
import hashlib
import http.server
import os
import subprocess
import sys
import threading
import urllib.parse
import xml.etree.ElementTree as ET

CTEST, SOURCE, BINARY = sys.argv[1:4]
received = {}  # file name (Configure.xml...) -> (FileName, body)
problems = []


class CDash(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # answers Expect: 100-continue

    def do_PUT(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        name = query.get("FileName", [""])[0]
        md5 = query.get("MD5", [""])[0]
        if md5 and md5 != hashlib.md5(body).hexdigest():
            problems.append(f"{name}: MD5 {md5} is not the body's")
        if "___XML___" in name:
            received[name.rsplit("___XML___", 1)[1]] = (name, body)
        reply = b"<cdash version=\"3.0\"><status>OK</status><message></message><buildId>1</buildId></cdash>"
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_POST = do_PUT

    def log_message(self, *args):
        pass


def fail(message):
    print(f"dashboard_test: {message}", file=sys.stderr)
    sys.exit(1)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CDash)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{server.server_port}/submit.php?project=nvqual"
# curl would send loopback traffic to a proxy named in the environment.
env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1"
try:
    run = subprocess.run([CTEST, "-S", os.path.join(SOURCE, "ci", "dashboard.cmake"),
                          "-D", f"NVQUAL_CDASH_URL={url}", "-D", f"NVQUAL_DASHBOARD_BINARY_DIR={BINARY}",
                          "-D", "NVQUAL_DASHBOARD_TARGET=sim", "-D", r"NVQUAL_DASHBOARD_TESTS=^suite\.identify\.sim$"],
                         env=env, capture_output=True, text=True, timeout=240)
except subprocess.TimeoutExpired:
    fail("ctest -S ci/dashboard.cmake ran over 240 s")
finally:
    server.shutdown()
if run.returncode != 0:
    fail(f"ctest -S exited {run.returncode}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
if problems:
    fail("; ".join(problems))
for part in ("Configure.xml", "Build.xml", "Test.xml", "Done.xml"):
    if part not in received:
        fail(f"CDash never got {part}; it got {sorted(received)}")

host = os.uname().nodename
name, body = received["Test.xml"]
site, build = urllib.parse.unquote(name).split("___")[:2]
if site != host:
    fail(f"the site is {site!r}, not the host name {host!r}")
if "nvqual simulated NVMe controller 1.0" not in build:
    fail(f"the build name {build!r} does not carry the controller's model and firmware")

tests = {t.findtext("Name"): t.get("Status") for t in ET.fromstring(received["Test.xml"][1]).iter("Test")
         if t.get("Status")}
# suite.reports_dir comes along: the fixture that makes the reports directory.
if tests.get("suite.identify.sim") != "passed" or set(tests.values()) != {"passed"}:
    fail(f"Test.xml holds {tests}, expected suite.identify.sim (and its fixture) passed")
configure = ET.fromstring(received["Configure.xml"][1])
if configure.findtext(".//ConfigureStatus") != "0":
    fail("Configure.xml does not report a successful configure")
if ET.fromstring(received["Build.xml"][1]).find(".//Build") is None:
    fail("Build.xml has no Build element")
print(f"dashboard_test: {sorted(received)} arrived for site {site}, build {build!r}")
