"""Checks of one guest run against what the configuration implies.

Each check records a PASS/FAIL line; a failure quotes what the guest or QEMU
said, so the ctest log alone explains it.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from . import plan
from .configs import CONTROLLER_BDF, QEMU_MODEL, QEMU_VID, Config, Namespace
from .reads import reads_for
from .stamp import stamp_block

NVME_ERROR_EVENT = re.compile(r"pci_nvme_(err|ub)_\w+")


class Report:
    def __init__(self) -> None:
        self.failures = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        print(f"{'PASS' if ok else 'FAIL'} {what}" + (f"\n     {detail}" if detail and not ok else ""))
        self.failures += 0 if ok else 1
        return ok


def _tail(path: Path, lines: int = 15) -> str:
    if not path.exists():
        return f"({path.name} missing)"
    text = path.read_text(errors="replace").rstrip().splitlines()[-lines:]
    return "\n     ".join(text) if text else f"({path.name} empty)"


class GuestRun:
    """The results directory (the 9p share) of one finished guest."""

    def __init__(self, share: Path) -> None:
        self.share = share

    def step_rc(self, name: str) -> int | None:
        rc = self.share / "steps" / f"{name}.rc"
        return int(rc.read_text().strip()) if rc.exists() else None

    def step_text(self, name: str, stream: str) -> str:
        path = self.share / "steps" / f"{name}.{stream}"
        return path.read_text(errors="replace") if path.exists() else ""

    def step_ok(self, report: Report, name: str) -> bool:
        rc = self.step_rc(name)
        detail = (f"exit code {rc}; stderr: {_tail(self.share / 'steps' / f'{name}.err')}"
                  if rc is not None else "the guest never ran this step (see console.log)")
        return report.check(rc == 0, f"step {name} exits 0", detail)


def check_finished(report: Report, run: GuestRun, console: Path) -> bool:
    return report.check((run.share / "guest-finished").exists(), "guest ran its plan to the end",
                        f"console tail:\n     {_tail(console, 25)}")


def check_bound(report: Report, run: GuestRun) -> None:
    listing = (run.share / "guest-after-bind.txt")
    text = listing.read_text() if listing.exists() else ""
    line = next((l for l in text.splitlines() if l.startswith(CONTROLLER_BDF + " ")), "")
    run.step_ok(report, f"bind-{CONTROLLER_BDF}")  # guest/init runs `nvqual bind`
    report.check("driver=vfio-pci" in line, f"{CONTROLLER_BDF} is bound to vfio-pci",
                 f"guest saw: {line or 'no such device'}")
    group = re.search(r"iommu_group=(\d+)", line)
    vfio_line = next((l for l in text.splitlines() if l.startswith("/dev/vfio:")), "")
    report.check(group is not None and group.group(1) in vfio_line.split(),
                 f"/dev/vfio/<group> exists for {CONTROLLER_BDF}", f"guest saw: {line}; {vfio_line}")


def _json_step(report: Report, run: GuestRun, name: str) -> dict | None:
    if not run.step_ok(report, name):
        return None
    try:
        return json.loads(run.step_text(name, "out"))
    except json.JSONDecodeError as error:
        report.check(False, f"step {name} prints JSON", f"{error}; stdout: {run.step_text(name, 'out')[:300]!r}")
        return None


def _as_int(value) -> int:
    return value if isinstance(value, int) else int(str(value), 0)


def _expect(report: Report, what: str, got, want) -> None:
    report.check(got == want, f"{what} == {want!r}", f"got {got!r}")


def check_identify_controller(report: Report, run: GuestRun, config: Config) -> None:
    name, _ = plan.identify_step(None)
    data = _json_step(report, run, name)
    if data is None:
        return
    try:
        _expect(report, "controller vid", _as_int(data["vid"]), QEMU_VID)
        _expect(report, "controller sn", str(data["sn"]).rstrip(), config.serial)
        _expect(report, "controller mn", str(data["mn"]).rstrip(), QEMU_MODEL)
        _expect(report, "controller mdts", _as_int(data["mdts"]), config.expected_mdts)
        nn = _as_int(data["nn"])
        report.check(nn >= max(ns.nsid for ns in config.namespaces), "controller nn covers every namespace", f"nn={nn}")
    except (KeyError, ValueError) as error:
        report.check(False, "identify controller JSON has nvme-cli's keys", f"{error!r} in {sorted(data)}")


def check_identify_namespace(report: Report, run: GuestRun, ns: Namespace) -> None:
    name, _ = plan.identify_step(ns.nsid)
    data = _json_step(report, run, name)
    if data is None:
        return
    what = f"namespace {ns.nsid}"
    try:
        _expect(report, f"{what} nsze", _as_int(data["nsze"]), ns.blocks)
        _expect(report, f"{what} ncap", _as_int(data["ncap"]), ns.blocks)
        nuse = _as_int(data["nuse"])
        report.check(nuse <= ns.blocks, f"{what} nuse <= ncap", f"nuse={nuse}")
        # NVMe Base 2.0 Figure 275: FLBAS bits 3:0 (plus 6:5 above 16 formats) pick the format.
        flbas = _as_int(data["flbas"])
        index = (flbas & 0xF) | ((flbas >> 5 & 0x3) << 4)
        lbaf = data["lbafs"][index]
        _expect(report, f"{what} LBA data size (lbafs[{index}].ds, log2)", _as_int(lbaf["ds"]),
                ns.lba_size.bit_length() - 1)
        _expect(report, f"{what} metadata size (lbafs[{index}].ms)", _as_int(lbaf["ms"]), 0)
    except (KeyError, IndexError, ValueError) as error:
        report.check(False, f"identify {what} JSON has nvme-cli's keys", f"{error!r} in {sorted(data)}")


def _first_difference(a: bytes, b: bytes) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def check_reads(report: Report, run: GuestRun, config: Config, ns: Namespace, image: Path) -> None:
    with image.open("rb") as f:
        for read in reads_for(config, ns):
            f.seek(read.offset)
            expected = f.read(read.size)
            # The image itself must hold the stamp pattern, or a matching read proves little.
            for lba in sorted({read.slba, read.slba + read.nlb - 1}):
                at = (lba - read.slba) * ns.lba_size
                report.check(expected[at:at + ns.lba_size] == stamp_block(lba, ns.nsid, ns.lba_size),
                             f"host image {image.name} holds the stamp pattern at LBA {lba}")
            if not run.step_ok(report, read.name):
                continue
            out = run.share / plan.read_output(read)
            got = out.read_bytes() if out.exists() else b""
            where = _first_difference(got, expected)
            report.check(got == expected,
                         f"{read.name}: {read.nlb} block(s) at LBA {read.slba} match the image",
                         f"{out.name}: {len(got)} bytes, expected {len(expected)}; first difference at byte "
                         f"{where} (LBA {read.slba + where // ns.lba_size}, offset {where % ns.lba_size})")


# QEMU 7.2 hw/nvme/trace-events: one per completion with a non-zero status.
REQ_STATUS_EVENT = re.compile(
    r"pci_nvme_err_req_status cid (\d+) nsid (\d+) status 0x([0-9a-fA-F]+) opc 0x([0-9a-fA-F]+)")
MARK_EVENT = re.compile(r"v9fs_mkdir .*\bname (\S+)")


class TraceWindows:
    """QEMU's NVMe error events, split into those inside the harness run
    (between the plan's begin and end marks) and all the others."""

    def __init__(self, trace_log: Path) -> None:
        text = trace_log.read_text(errors="replace") if trace_log.exists() else ""
        self.outside: list[str] = []
        self.inside: list[str] = []
        self.marks: list[str] = []
        inside = False
        for line in text.splitlines():
            mark = MARK_EVENT.search(line)
            if mark and mark.group(1) in (plan.HARNESS_BEGIN_MARK, plan.HARNESS_END_MARK):
                self.marks.append(mark.group(1))
                inside = mark.group(1) == plan.HARNESS_BEGIN_MARK
            elif NVME_ERROR_EVENT.search(line):
                (self.inside if inside else self.outside).append(line)


# QEMU traces the NSID of the namespace it resolved (0 when there is none, as
# for an invalid NSID), not the command's: match on CID, status and opcode.
def _status_key(cid, status_field, opcode) -> tuple[int, int, int]:
    return int(cid), int(status_field), int(opcode)


def _harness_failed_commands(report_json: Path) -> tuple[list[tuple[int, int, int]], int] | None:
    """(cid, status field, opcode) of every error completion the harness recorded, and how many it dropped."""
    try:
        data = json.loads(report_json.read_text())
        keys, dropped = [], 0
        for suite in data["suites"]:
            for case in suite["cases"]:
                dropped += case["failed_commands_dropped"]
                keys += [_status_key(f["cid"], f["status_field"], f["opcode"]) for f in case["failed_commands"]]
        return keys, dropped
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_trace(report: Report, run: GuestRun, trace_log: Path) -> None:
    """No NVMe error event outside the harness run. Inside it, the suites
    provoke errors on purpose: every error completion QEMU logged must be one
    the harness recorded, and the other way round, and nothing may be undefined
    behaviour (ub_*)."""
    windows = TraceWindows(trace_log)
    report.check(not windows.outside, "QEMU logged no pci_nvme_err_*/pci_nvme_ub_* event outside the harness run",
                 f"{len(windows.outside)} event(s), first ones:\n     " + "\n     ".join(windows.outside[:10]))
    if not (run.share / plan.HARNESS_MARKER).exists():
        return
    if not report.check(windows.marks == [plan.HARNESS_BEGIN_MARK, plan.HARNESS_END_MARK],
                        "QEMU's trace holds the harness run's begin and end marks",
                        f"marks seen: {windows.marks}; is -trace v9fs_mkdir on the QEMU command line?"):
        return
    recorded = _harness_failed_commands(run.share / plan.HARNESS_JSON)
    if not report.check(recorded is not None, f"{plan.HARNESS_JSON} lists each case's failed_commands",
                        "missing or malformed: does this nvqual write failed_commands?"):
        return
    expected, dropped = recorded
    report.check(dropped == 0, "the harness kept every error completion it saw", f"{dropped} dropped")
    unmatched_recorded = list(expected)
    unexplained: list[str] = []
    pending: list[str] = []  # err_* events that explain the next req_status
    for line in windows.inside:
        status = REQ_STATUS_EVENT.search(line)
        if "pci_nvme_ub_" in line:
            unexplained.append(line)
        elif status is None:
            pending.append(line)
        else:
            key = _status_key(status.group(1), int(status.group(3), 16), int(status.group(4), 16))
            if key in unmatched_recorded:
                unmatched_recorded.remove(key)
            else:
                unexplained += pending + [line]
            pending = []
    unexplained += pending
    report.check(not unexplained,
                 "every QEMU error event in the harness run is an error completion the harness provoked and recorded",
                 f"{len(unexplained)} unexplained event(s), first ones:\n     " + "\n     ".join(unexplained[:10]))
    report.check(not unmatched_recorded and bool(expected),
                 f"QEMU's trace shows each of the {len(expected)} error completions the harness recorded",
                 "not in the trace (cid, status field, opcode): "
                 + ", ".join(f"({c}, {s:#x}, {o:#x})" for c, s, o in unmatched_recorded[:10])
                 if expected else "the harness recorded none, but the shipped suites provoke errors on purpose")


def check_trace_fires(report: Report, run: GuestRun, trace_log: Path) -> None:
    report.check(run.step_rc("bad-doorbell") == 0, "guest wrote the bad doorbell with devmem",
                 "busybox devmem failed or never ran; see console.log")
    text = trace_log.read_text(errors="replace") if trace_log.exists() else ""
    events = [line for line in text.splitlines() if NVME_ERROR_EVENT.search(line)]
    report.check(bool(events), "QEMU's error trace caught the bad doorbell write",
                 f"{trace_log} holds no pci_nvme_err_*/ub_* line: is the trace backend logging to -D?")


def check_harness(report: Report, run: GuestRun) -> None:
    if not (run.share / plan.HARNESS_MARKER).exists():
        print("SKIP harness: this nvqual build has no `suites`/`run` subcommands")
        return
    name, _ = plan.harness_step()
    run.step_ok(report, name)
    report_json = run.share / plan.HARNESS_JSON
    try:
        json.loads(report_json.read_text())
        report.check(True, f"harness wrote {report_json.name}")
    except (OSError, json.JSONDecodeError) as error:
        report.check(False, f"harness wrote {report_json.name}", str(error))
    junit = run.share / plan.HARNESS_JUNIT
    if not report.check(junit.exists(), f"harness wrote {junit.name}"):
        return
    try:
        root = ElementTree.parse(junit).getroot()
    except ElementTree.ParseError as error:
        report.check(False, f"{junit.name} is well-formed XML", str(error))
        return
    cases = list(root.iter("testcase"))
    report.check(bool(cases), f"{junit.name} holds test cases")
    bad = [f"{c.get('classname')}.{c.get('name')}" for c in cases
           if c.find("failure") is not None or c.find("error") is not None]
    report.check(not bad, f"{junit.name} has no failed or errored test case", ", ".join(bad[:20]))
