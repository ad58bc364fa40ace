"""Checks of one guest run against what the configuration implies.

Each check records a PASS/FAIL line; a failure quotes what the guest or QEMU
said, so the ctest log alone explains it.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from dataclasses import dataclass

from . import plan
from .configs import CONTROLLER_BDF, QEMU_MODEL, QEMU_NN, QEMU_VID, Config, Namespace
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

    def step_failed_as(self, report: Report, name: str, rc: int, message: str) -> bool:
        """The step exited `rc` and its stderr holds `message` (a regular expression)."""
        got_rc, err = self.step_rc(name), self.step_text(name, "err").strip()
        return report.check(got_rc == rc and re.search(message, err) is not None,
                            f"step {name} exits {rc} with /{message}/",
                            f"exit code {got_rc}; stderr: {err[-400:] or '(empty)'}")

    def step_ok(self, report: Report, name: str) -> bool:
        rc = self.step_rc(name)
        detail = (f"exit code {rc}; stderr: {_tail(self.share / 'steps' / f'{name}.err')}"
                  if rc is not None else "the guest never ran this step (see console.log)")
        return report.check(rc == 0, f"step {name} exits 0", detail)


def check_finished(report: Report, run: GuestRun, console: Path) -> bool:
    return report.check((run.share / "guest-finished").exists(), "guest ran its plan to the end",
                        f"console tail:\n     {_tail(console, 25)}")


def guest_times(path: Path) -> dict[str, int]:
    """guest/init's "uptime=N epoch=N" (guest-started, guest-finished)."""
    text = path.read_text(errors="replace") if path.exists() else ""
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", text)}


# guest/init's date has 1 s resolution, and the 9p write that carries it
# reaches the host within a fraction of a second.
CLOCK_TOLERANCE_S = 5


def check_guest_clock(report: Report, run: GuestRun) -> None:
    """The guest's plan deadline is in the host's epoch seconds: the guest's
    clock (from QEMU's RTC) must agree with the host's, which stamps the file
    guest/init wrote its own time into."""
    started = run.share / "guest-started"
    guest = guest_times(started).get("epoch")
    host = int(started.stat().st_mtime) if started.exists() else None
    report.check(guest is not None and host is not None and abs(guest - host) <= CLOCK_TOLERANCE_S,
                 f"the guest's clock agrees with the host's within {CLOCK_TOLERANCE_S} s",
                 f"guest-started says epoch {guest}, the host wrote it at {host}: is QEMU's RTC on -rtc base=utc?")


def _pci_line(run: GuestRun, listing: str) -> str:
    """The line of guest/init's describe_pci for the controller in one listing."""
    path = run.share / listing
    text = path.read_text() if path.exists() else ""
    return next((l for l in text.splitlines() if l.startswith(CONTROLLER_BDF + " ")), "")


def _sysfs_group(run: GuestRun) -> int | None:
    """The controller's IOMMU group as sysfs showed it before the bind."""
    group = re.search(r"iommu_group=(\d+)", _pci_line(run, "guest-before-bind.txt"))
    return int(group.group(1)) if group else None


def check_bound(report: Report, run: GuestRun) -> None:
    listing = (run.share / "guest-after-bind.txt")
    text = listing.read_text() if listing.exists() else ""
    line = _pci_line(run, "guest-after-bind.txt")
    run.step_ok(report, f"bind-{CONTROLLER_BDF}")  # guest/init runs `nvqual bind`
    report.check("driver=vfio-pci" in line, f"{CONTROLLER_BDF} is bound to vfio-pci",
                 f"guest saw: {line or 'no such device'}")
    group = re.search(r"iommu_group=(\d+)", line)
    vfio_line = next((l for l in text.splitlines() if l.startswith("/dev/vfio:")), "")
    report.check(group is not None and group.group(1) in vfio_line.split(),
                 f"/dev/vfio/<group> exists for {CONTROLLER_BDF}", f"guest saw: {line}; {vfio_line}")


def check_private_mount_refused(report: Report, run: GuestRun) -> None:
    """`nvqual bind` refused the controller while its first namespace was
    mounted only in a private mount namespace: no mountinfo nvqual reads shows
    that mount, the kernel's claim on the device (EBUSY on O_EXCL) does."""
    run.step_failed_as(report, plan.PRIVATE_MOUNT_STEP, 3,
                       rf"refusing to bind {re.escape(CONTROLLER_BDF)}: {re.escape(plan.PRIVATE_MOUNT_DISK)} is busy "
                       r"\(claimed by a filesystem, ZFS pool or another exclusive user, possibly in another mount "
                       r"namespace\)")


def _json_step(report: Report, run: GuestRun, name: str):
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
        # NN is QEMU's fixed maximum, not the namespace count: the active
        # namespaces are checked in the harness facts (check_harness_facts).
        _expect(report, "controller nn", _as_int(data["nn"]), QEMU_NN)
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
# The host writes ASQ and ACQ low dword first; the high dword's event carries the whole address.
ADMIN_QUEUE_BASE_EVENT = re.compile(r"pci_nvme_mmio_a[sc]qaddr_hi .*new_address=0x([0-9a-fA-F]+)")
MARK_NAME = re.compile(r"(.+)-(begin|end)$")


class TraceWindows:
    """QEMU's trace, split by the plan's begin/end marks (plan.mark) into
    windows, plus the NVMe error events outside every window."""

    def __init__(self, trace_log: Path) -> None:
        text = trace_log.read_text(errors="replace") if trace_log.exists() else ""
        self.outside: list[str] = []             # NVMe error events outside every window
        self.windows: dict[str, list[str]] = {}  # window -> every trace line inside it
        self.marks: list[str] = []
        current: str | None = None
        for line in text.splitlines():
            mark = MARK_EVENT.search(line)
            named = MARK_NAME.match(mark.group(1)) if mark else None
            if named:
                self.marks.append(mark.group(1))
                current = named.group(1) if named.group(2) == "begin" else None
                if current is not None:
                    self.windows.setdefault(current, [])
            elif current is not None:
                self.windows[current].append(line)
            elif NVME_ERROR_EVENT.search(line):
                self.outside.append(line)

    def errors_in(self, window: str) -> list[str]:
        return [line for line in self.windows.get(window, []) if NVME_ERROR_EVENT.search(line)]

    def admin_queue_bases(self, window: str) -> list[int]:
        return [int(m.group(1), 16) for line in self.windows.get(window, [])
                if (m := ADMIN_QUEUE_BASE_EVENT.search(line))]


# QEMU traces the NSID of the namespace it resolved (0 when there is none, as
# for an invalid NSID), not the command's: match on CID, status and opcode.
def _status_key(cid, status_field, opcode) -> tuple[int, int, int]:
    return int(cid), int(status_field), int(opcode)


# Which err_* events QEMU 7.2 (hw/nvme/ctrl.c) logs on the way to failing a
# command, and for which commands: the event name after pci_nvme_err_, the
# opcodes it can come with (None: any), and the statuses (SCT << 8 | SC, DNR
# and More masked) it can come with (None: any the command fails with). Only
# these are excused by a recorded completion; any other event (startfail_*,
# cfs, aio, an event of another command) counts as unexplained.
ERROR_EVENT_OWNERS: dict[str, tuple[frozenset[int] | None, frozenset[int] | None]] = {
    "invalid_opc": (None, frozenset({0x001})),
    "invalid_admin_opc": (None, frozenset({0x001})),
    "mdts": (None, frozenset({0x002})),
    "invalid_dma": (None, frozenset({0x002})),
    "invalid_lba_range": (None, frozenset({0x080})),
    "invalid_prplist_ent": (None, frozenset({0x013})),
    "invalid_prp2_align": (None, frozenset({0x013})),
    "addr_read": (None, frozenset({0x004})),
    "addr_write": (None, frozenset({0x004})),
    # Queue management: the status differs between QEMU releases (01/00 or
    # 01/01, 00/02 or 00/13), the opcode does not.
    "invalid_del_sq": (frozenset({0x00}), None),
    "invalid_create_sq_cqid": (frozenset({0x01}), None),
    "invalid_create_sq_sqid": (frozenset({0x01}), None),
    "invalid_create_sq_size": (frozenset({0x01}), None),
    "invalid_create_sq_addr": (frozenset({0x01}), None),
    "invalid_create_sq_qflags": (frozenset({0x01}), None),
    "invalid_log_page": (frozenset({0x02}), None),
    "invalid_log_page_offset": (frozenset({0x02}), None),
    "invalid_del_cq_cqid": (frozenset({0x04}), None),
    "invalid_del_cq_notempty": (frozenset({0x04}), None),
    "invalid_create_cq_cqid": (frozenset({0x05}), None),
    "invalid_create_cq_size": (frozenset({0x05}), None),
    "invalid_create_cq_addr": (frozenset({0x05}), None),
    "invalid_create_cq_vector": (frozenset({0x05}), None),
    "invalid_create_cq_qflags": (frozenset({0x05}), None),
    "invalid_identify_cns": (frozenset({0x06}), None),
    "invalid_setfeat": (frozenset({0x09}), None),
    "invalid_iocsci": (frozenset({0x09}), None),
    "invalid_getfeat": (frozenset({0x0A}), None),
}
ERR_EVENT_NAME = re.compile(r"pci_nvme_err_(\w+)")


def error_event_belongs(line: str, opcode: int, status_field: int) -> bool:
    """Whether the err_* event on `line` is one QEMU logs while failing a command with this opcode and status."""
    name = ERR_EVENT_NAME.search(line)
    owner = ERROR_EVENT_OWNERS.get(name.group(1)) if name else None
    if owner is None:
        return False
    opcodes, statuses = owner
    return (opcodes is None or opcode in opcodes) and (statuses is None or (status_field & 0x7FF) in statuses)


def load_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _harness_failed_commands(data) -> tuple[list[tuple[int, int, int]], int] | None:
    """(cid, status field, opcode) of every error completion the harness recorded, and how many it dropped."""
    try:
        keys, dropped = [], 0
        for suite in data["suites"]:
            for case in suite["cases"]:
                dropped += case["failed_commands_dropped"]
                keys += [_status_key(f["cid"], f["status_field"], f["opcode"]) for f in case["failed_commands"]]
        return keys, dropped
    except (KeyError, TypeError, ValueError):
        return None


def check_trace(report: Report, run: GuestRun, trace_log: Path, harness: bool) -> None:
    """No NVMe error event outside the harness run. Inside it, the suites
    provoke errors on purpose: every error completion QEMU logged must be one
    the harness recorded, and the other way round, and nothing may be undefined
    behaviour (ub_*)."""
    windows = TraceWindows(trace_log)
    outside = windows.outside + [line for name, lines in windows.windows.items() if name != plan.HARNESS_WINDOW
                                 for line in lines if NVME_ERROR_EVENT.search(line)]
    report.check(not outside, "QEMU logged no pci_nvme_err_*/pci_nvme_ub_* event outside the harness run",
                 f"{len(outside)} event(s), first ones:\n     " + "\n     ".join(outside[:10]))
    if not harness:
        return
    begin, end = plan.begin_mark(plan.HARNESS_WINDOW), plan.end_mark(plan.HARNESS_WINDOW)
    harness_marks = [m for m in windows.marks if m in (begin, end)]
    if not report.check(harness_marks == [begin, end], "QEMU's trace holds the harness run's begin and end marks",
                        f"marks seen: {windows.marks}; is -trace v9fs_mkdir on the QEMU command line?"):
        return
    recorded = _harness_failed_commands(load_json(run.share / plan.HARNESS_JSON))
    if not report.check(recorded is not None, f"{plan.HARNESS_JSON} lists each case's failed_commands",
                        "missing or malformed: does this nvqual write failed_commands?"):
        return
    expected, dropped = recorded
    report.check(dropped == 0, "the harness kept every error completion it saw", f"{dropped} dropped")
    unmatched_recorded = list(expected)
    unexplained: list[str] = []
    pending: list[str] = []  # err_* events logged on the way to the next req_status
    for line in windows.errors_in(plan.HARNESS_WINDOW):
        status = REQ_STATUS_EVENT.search(line)
        if "pci_nvme_ub_" in line:
            unexplained.append(line)
        elif status is None:
            pending.append(line)
        else:
            key = _status_key(status.group(1), int(status.group(3), 16), int(status.group(4), 16))
            if key in unmatched_recorded:
                unmatched_recorded.remove(key)
                # A recorded failure explains only the events of its own kind:
                # a startfail or another command's error before it stays suspect.
                unexplained += [event for event in pending if not error_event_belongs(event, key[2], key[1])]
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


# QEMU 7.2 hw/nvme/ctrl.c nvme_process_db: an SQ tail beyond the queue size.
BAD_DOORBELL_EVENT = "pci_nvme_ub_db_wr_invalid_sqtail"


def check_trace_fires(report: Report, run: GuestRun, trace_log: Path) -> None:
    """The negative control: the bad doorbell shows as the one event that
    describes it, and check_trace, which guards every other configuration,
    fails on this log."""
    report.check(run.step_rc("bad-doorbell") == 0, "guest wrote the bad doorbell with devmem",
                 "busybox devmem failed or never ran; see console.log")
    text = trace_log.read_text(errors="replace") if trace_log.exists() else ""
    wanted = re.compile(rf"{BAD_DOORBELL_EVENT} .*\bsqid=0, new_head={plan.BAD_DOORBELL_VALUE}\b")
    events = [line for line in text.splitlines() if NVME_ERROR_EVENT.search(line)]
    report.check(any(wanted.search(line) for line in events),
                 f"QEMU's trace names the bad write: {BAD_DOORBELL_EVENT} sqid=0, new_head={plan.BAD_DOORBELL_VALUE}",
                 f"{len(events)} NVMe event(s) in {trace_log.name}: " + ("\n     ".join(events[:5]) if events else
                 "none: is the trace backend logging to -D?"))
    inner = Report()
    with contextlib.redirect_stdout(io.StringIO()) as quiet:
        check_trace(inner, run, trace_log, harness=False)
    report.check(inner.failures > 0, "check_trace fails on this log (it would catch the bad write in any configuration)",
                 f"check_trace said: {quiet.getvalue().strip()}")


# --- the harness ---------------------------------------------------------

def check_harness(report: Report, run: GuestRun):
    """`nvqual run` ran in the guest, passed, and wrote both reports. Returns the JSON report."""
    name, _ = plan.harness_step()
    run.step_ok(report, name)
    report_json = run.share / plan.HARNESS_JSON
    data = load_json(report_json)
    report.check(isinstance(data, dict), f"harness wrote {report_json.name}",
                 "missing or not JSON: see steps/harness.err")
    junit = run.share / plan.HARNESS_JUNIT
    if report.check(junit.exists(), f"harness wrote {junit.name}"):
        try:
            root = ElementTree.parse(junit).getroot()
            cases = list(root.iter("testcase"))
            report.check(bool(cases), f"{junit.name} holds test cases")
            bad = [f"{c.get('classname')}.{c.get('name')}" for c in cases
                   if c.find("failure") is not None or c.find("error") is not None]
            report.check(not bad, f"{junit.name} has no failed or errored test case", ", ".join(bad[:20]))
        except ElementTree.ParseError as error:
            report.check(False, f"{junit.name} is well-formed XML", str(error))
    return data if isinstance(data, dict) else None


def _facts(data) -> dict:
    try:
        return dict(data["target"]["facts"])
    except (KeyError, TypeError, ValueError):
        return {}


def check_harness_facts(report: Report, data, config: Config) -> None:
    """What the harness learnt at the start of its run (Number of Queues, the
    active namespace list, Identify) against the QEMU command line."""
    facts = _facts(data)
    if not report.check(bool(facts), f"{plan.HARNESS_JSON} has target.facts", "no facts: cannot check the run's setup"):
        return
    first = min(config.namespaces, key=lambda ns: ns.nsid)
    nsids = sorted(ns.nsid for ns in config.namespaces)
    want = {
        # Set Features Number of Queues: QEMU grants max_ioqpairs of each.
        "io_sqs": config.expected_io_queues, "io_cqs": config.expected_io_queues,
        "io_queues": config.expected_io_queues,
        # The active namespace list (CNS 02h), which the harness requires in
        # increasing order: count, first and last pin it down exactly.
        "namespaces": len(nsids), "nsid": nsids[0], "last_nsid": nsids[-1],
        "nn": QEMU_NN, "mdts": config.expected_mdts, "lba_size": first.lba_size, "nsze": first.blocks,
    }
    for key, value in want.items():
        _expect(report, f"harness fact {key}", facts.get(key), value)
    if nsids == list(range(1, len(nsids) + 1)):
        report.check(facts.get("namespaces") == len(nsids) and facts.get("nsid") == 1
                     and facts.get("last_nsid") == len(nsids),
                     f"active namespace list is exactly {{{', '.join(map(str, nsids))}}}",
                     f"namespaces={facts.get('namespaces')}, first {facts.get('nsid')}, last {facts.get('last_nsid')}")


# --- the simulator must agree --------------------------------------------

@dataclass(frozen=True)
class KnownDifference:
    """A case whose outcome may legitimately differ between QEMU and the
    simulator: allowed only as passed on one side and skipped on the other,
    and only when one of `facts` (the device values the case's requires/skip_if
    rule reads) differs between the two runs."""
    case: str
    facts: tuple[str, ...]
    why: str


KNOWN_DIFFERENCES = {d.case: d for d in (
    KnownDifference("ID-014", ("oacs",),
                    "skipped where Namespace Management is supported (OACS bit 3): QEMU 7.2 supports it, "
                    "the simulator implements no optional admin command"),
    KnownDifference("ID-015", ("nn", "last_nsid"),
                    "runs only when NN exceeds the last active NSID: QEMU's NN is always 256, the "
                    "single-namespace simulator profiles have NN = their only NSID"),
    KnownDifference("REG-011", ("crms",),
                    "runs only when CAP.CRMS.CRWMS is 1: QEMU 7.2 is an NVMe 1.4 controller without CRTO, "
                    "the simulator profiles are NVMe 2.0 with CRWMS"),
)}


# A skipped case's message ends with the rule that skipped it: "... (requires
# EXPR)" for a `requires:` rule, "... (EXPR)" for a `skip_if:` one.
SKIP_RULE = re.compile(r"\((?:requires )?(.*)\)\s*$")
IDENTIFIER = re.compile(r"(?<![0-9A-Za-z_])[A-Za-z_][A-Za-z0-9_]*")  # not the x of 0x10


def skip_rule_facts(message: str) -> list[str]:
    """The variables the rule that skipped a case reads, from its message."""
    rule = SKIP_RULE.search(message)
    return sorted(set(IDENTIFIER.findall(rule.group(1)))) if rule else []


def _outcomes(data) -> dict[str, tuple[str, str]] | None:
    try:
        return {case["id"]: (case["outcome"], case.get("message", ""))
                for suite in data["suites"] for case in suite["cases"]}
    except (KeyError, TypeError):
        return None


def check_sim_agreement(report: Report, guest_data, sim_data, known=KNOWN_DIFFERENCES) -> None:
    """The simulator and QEMU run the same suites with the same flags
    (--expect-pattern, a model profile each): every case must end the same
    way on both, except the KNOWN_DIFFERENCES whose facts really differ."""
    guest, sim = _outcomes(guest_data), _outcomes(sim_data)
    if not report.check(guest is not None and sim is not None, "both harness reports list their cases",
                        f"unreadable: {'guest ' if guest is None else ''}{'simulator' if sim is None else ''}"):
        return
    guest_facts, sim_facts = _facts(guest_data), _facts(sim_data)
    differing, allowed = [], []
    missing = ("(not run)", "")
    for case in sorted(set(guest) | set(sim)):
        (g, g_msg), (s, s_msg) = guest.get(case, missing), sim.get(case, missing)
        if g == s:
            continue
        entry = known.get(case)
        changed = [f"{f} {guest_facts.get(f)} vs {sim_facts.get(f)}" for f in (entry.facts if entry else ())
                   if guest_facts.get(f) != sim_facts.get(f)]
        # Passed on one side and skipped on the other is explained when the
        # skip rule reads a device fact the two really report differently
        # (QEMU 7.2 sets LPA, ONCS bit 4, VWC, OAES; the simulator profiles
        # report RTD3E): the rule then decided right on both.
        skipped_message = g_msg if g == "skipped" else s_msg
        rule_changed = [f"{f} {guest_facts.get(f)} vs {sim_facts.get(f)}" for f in skip_rule_facts(skipped_message)
                        if f in guest_facts and f in sim_facts and guest_facts[f] != sim_facts[f]]
        if entry and {g, s} == {"passed", "skipped"} and changed:
            allowed.append(f"{case}: QEMU {g}, simulator {s} ({', '.join(changed)}): {entry.why}")
        elif {g, s} == {"passed", "skipped"} and rule_changed:
            allowed.append(f"{case}: QEMU {g}, simulator {s} ({', '.join(rule_changed)}): the skip rule reads "
                           f"facts the two devices report differently")
        else:
            differing.append(f"{case}: QEMU {g}{': ' + g_msg if g_msg else ''} | "
                             f"simulator {s}{': ' + s_msg if s_msg else ''}")
    for line in allowed:
        print(f"     known difference {line}")
    report.check(not differing, f"QEMU and the simulator agree on all {len(set(guest) | set(sim))} cases "
                 f"({len(allowed)} known difference(s))",
                 f"{len(differing)} case(s) differ:\n     " + "\n     ".join(differing[:20]))


# --- the rest of the real path -------------------------------------------

# nvqual devices --json for the controller, per phase: (key, expected value).
def _devices_expectations(config: Config, group: int | None, firmware: str) -> dict[str, dict]:
    on_nvme = {"driver": "nvme", "model": QEMU_MODEL, "serial": config.serial, "firmware_rev": firmware,
               "iommu_group": group, "group_viable": True, "status": "bind first", "ready": False,
               "in_use": False}
    return {
        "before-bind": on_nvme,
        # vfio-pci owns it: no kernel controller, so sysfs has no model or serial.
        "after-bind": {"driver": "vfio-pci", "model": None, "serial": None, "kernel_controllers": [],
                       "iommu_group": group, "group_viable": True, "status": "ready", "ready": True,
                       "in_use": False},
        "after-unbind": on_nvme,
    }


def check_devices(report: Report, run: GuestRun, config: Config, firmware: str,
                  phases=("before-bind", "after-bind", "after-unbind")) -> None:
    """`nvqual devices --json` around bind and unbind, against sysfs (the IOMMU
    group guest/init read before the bind) and the QEMU command line."""
    group = _sysfs_group(run)
    report.check(group is not None, f"sysfs showed an IOMMU group for {CONTROLLER_BDF} before the bind",
                 f"guest-before-bind.txt: {_pci_line(run, 'guest-before-bind.txt') or 'no such device'}")
    expectations = _devices_expectations(config, group, firmware)
    for phase in phases:
        name, _ = plan.DEVICES_STEPS[phase]
        listing = _json_step(report, run, name)
        if listing is None:
            continue
        entry = next((c for c in listing if isinstance(c, dict) and c.get("bdf") == CONTROLLER_BDF), None) \
            if isinstance(listing, list) else None
        if not report.check(entry is not None, f"{name} lists {CONTROLLER_BDF}",
                            f"stdout: {run.step_text(name, 'out')[:300]!r}"):
            continue
        wrong = [f"{key}={entry.get(key)!r} (expected {want!r})" for key, want in expectations[phase].items()
                 if entry.get(key) != want]
        report.check(not wrong, f"{name}: " + ", ".join(f"{k}={v!r}" for k, v in expectations[phase].items()),
                     "; ".join(wrong))


def check_identify_variants(report: Report, run: GuestRun) -> None:
    """Identify through the other ways in (a high --iova-base, a function
    reset first, an unprivileged user) answers exactly as the plain one."""
    base_name, _ = plan.identify_step(None)
    base = load_json(run.share / "steps" / f"{base_name}.out")
    for name, _ in (plan.IOVA_HIGH_STEP, plan.FUNCTION_RESET_STEP, plan.NONROOT_STEP):
        data = _json_step(report, run, name)
        if data is None or base is None:
            continue
        differ = sorted(k for k in set(base) | set(data) if base.get(k) != data.get(k))
        report.check(not differ, f"{name} prints the same Identify Controller as {base_name}",
                     "differs in " + ", ".join(f"{k}: {data.get(k)!r} vs {base.get(k)!r}" for k in differ[:8]))


def check_iova(report: Report, trace_log: Path, harness: bool) -> None:
    """--iova-base reaches the device: the admin queue bases QEMU was given
    inside the high-IOVA step lie at or above it, and those of the harness (at
    nvqual's default base) below it."""
    windows = TraceWindows(trace_log)
    high = windows.admin_queue_bases(plan.IOVA_WINDOW)
    report.check(bool(high) and all(base >= plan.HIGH_IOVA_BASE for base in high),
                 f"with --iova-base {plan.HIGH_IOVA_BASE:#x} QEMU saw admin queues at or above it",
                 f"admin queue bases in the {plan.IOVA_WINDOW} window: {[hex(b) for b in high] or 'none'}; "
                 "is -trace pci_nvme_mmio_a?qaddr_hi on the QEMU command line?")
    if harness:
        default = windows.admin_queue_bases(plan.HARNESS_WINDOW)
        report.check(bool(default) and all(base < plan.HIGH_IOVA_BASE for base in default),
                     f"at the default base the harness's admin queues lie below {plan.HIGH_IOVA_BASE:#x}",
                     f"admin queue bases in the harness window: {sorted({hex(b) for b in default})[:10] or 'none'}")


def check_nonroot(report: Report, run: GuestRun) -> None:
    name, _ = plan.NONROOT_NO_ACCESS_STEP
    run.step_failed_as(report, name, 3, rf"/dev/vfio/\d+ \(IOMMU group of {re.escape(CONTROLLER_BDF)}\) is not "
                       rf"read-write for the current user {plan.NONROOT_USER} \(uid {plan.NONROOT_UID}\)")
    # nonroot-identify itself: check_identify_variants


def _holder(run: GuestRun) -> dict[str, str]:
    path = run.share / plan.LOCK_HOLDER
    text = path.read_text(errors="replace") if path.exists() else ""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def check_busy(report: Report, run: GuestRun) -> None:
    """While the harness holds the controller, a second nvqual is turned away
    naming the holder; the harness was still running when it was."""
    holder = _holder(run)
    pid = holder.get("pid", "")
    report.check(pid.isdigit() and holder.get("cmdline", "").startswith("nvqual run "),
                 "the harness held the device lock (/proc/locks names its pid)",
                 f"{plan.LOCK_HOLDER}: {holder or 'missing'}")
    name, _ = plan.BUSY_STEP
    run.step_failed_as(report, name, 3,
                       rf"device busy: {re.escape(CONTROLLER_BDF)} is in use by another nvqual "
                       rf"\(pid {re.escape(pid or 'of the harness, which was never seen')}[ )]")
    report.check(holder.get("alive-after") == "yes", "the harness still ran after the second nvqual gave up",
                 f"alive-after={holder.get('alive-after')}: the refusal may have come after the harness ended")


def check_unbind(report: Report, run: GuestRun) -> None:
    run.step_ok(report, plan.UNBIND_STEP[0])
    line = _pci_line(run, plan.AFTER_UNBIND)
    report.check("driver=nvme " in line, f"after `nvqual unbind` {CONTROLLER_BDF} is on the nvme driver",
                 f"guest saw: {line or 'no such device'}")
