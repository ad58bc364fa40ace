"""The plan the guest's init sources: one `step` per nvqual command.

`step NAME CMD...` (defined in ci/qemu/guest/init) keeps the command's stdout,
stderr and exit code as /results/steps/NAME.{out,err,rc}; the host checks
those after the guest has powered off.
"""
from __future__ import annotations

import shlex

from .configs import CONTROLLER_BDF, Config
from .reads import Read, reads_for

GUEST_RESULTS = "/results"
HARNESS_JUNIT = "junit.xml"
HARNESS_JSON = "harness.json"
HARNESS_MARKER = "harness-available"
HARNESS_TIMEOUT_S = 240
# The harness provokes controller errors on purpose. The guest brackets its run
# with two mkdirs on the 9p share; QEMU traces them (v9fs_mkdir, see qemu.py) in
# the same log as its NVMe error events, so the host can tell which events fall
# inside the harness run.
TRACE_MARKS = "trace-marks"
HARNESS_BEGIN_MARK = "harness-begin"
HARNESS_END_MARK = "harness-end"


def identify_step(nsid: int | None) -> tuple[str, list[str]]:
    name = "identify-ctrl" if nsid is None else f"identify-ns{nsid}"
    argv = ["nvqual", "identify", "--bdf", CONTROLLER_BDF, "--json"]
    if nsid is not None:
        argv += ["--nsid", str(nsid)]
    return name, argv


def read_output(read: Read) -> str:
    return f"data/{read.name}.bin"


def read_step(read: Read) -> tuple[str, list[str]]:
    return read.name, ["nvqual", "read", "--bdf", CONTROLLER_BDF, "--nsid", str(read.namespace.nsid),
                       "--lba", str(read.slba), "--blocks", str(read.nlb),
                       "--out", f"{GUEST_RESULTS}/{read_output(read)}"]


def harness_step() -> tuple[str, list[str]]:
    return "harness", ["nvqual", "run", "--bdf", CONTROLLER_BDF, "--junit", f"{GUEST_RESULTS}/{HARNESS_JUNIT}",
                       "--json", f"{GUEST_RESULTS}/{HARNESS_JSON}"]


def all_steps(config: Config) -> list[tuple[str, list[str]]]:
    steps = [identify_step(None)]
    for ns in config.namespaces:
        steps.append(identify_step(ns.nsid))
    for ns in config.namespaces:
        steps += [read_step(read) for read in reads_for(config, ns)]
    return steps


# The admin SQ has far fewer than 200 entries at any time, so QEMU must log
# pci_nvme_ub_db_wr_invalid_sqtail (or an err_* event when no admin queue exists).
BAD_DOORBELL_VALUE = 200
SQ0_TAIL_DOORBELL = 0x1000  # NVMe Base 2.0 3.1.4.21 (SQ 0 tail doorbell)


def trace_self_test_lines() -> list[str]:
    resource = f"/sys/bus/pci/devices/{CONTROLLER_BDF}/resource"
    return [f"bar0=$(head -n1 {resource} | cut -d' ' -f1)",
            f"say \"self-test: writing {BAD_DOORBELL_VALUE} to the admin SQ tail doorbell at BAR0 $bar0 + {SQ0_TAIL_DOORBELL:#x}\"",
            f"devmem $(( bar0 + {SQ0_TAIL_DOORBELL:#x} )) 32 {BAD_DOORBELL_VALUE}",
            f"echo $? > {GUEST_RESULTS}/steps/bad-doorbell.rc"]


def plan_script(config: Config) -> str:
    lines = [f"# QEMU end-to-end plan for configuration '{config.name}' ({config.description}).",
             f"mkdir -p {GUEST_RESULTS}/data"]
    if config.trace_self_test:
        return "\n".join(lines + trace_self_test_lines()) + "\n"
    for name, argv in all_steps(config):
        lines.append(f"step {shlex.quote(name)} {shlex.join(argv)}")
    if config.run_harness:
        # The harness lands after the driver: run it only when this build has it.
        name, argv = harness_step()
        marks = f"{GUEST_RESULTS}/{TRACE_MARKS}"
        lines += ["if has_subcommand suites && has_subcommand run; then",
                  f"  echo yes > {GUEST_RESULTS}/{HARNESS_MARKER}",
                  f"  mkdir -p {marks} && mkdir {marks}/{HARNESS_BEGIN_MARK}",
                  f"  STEP_TIMEOUT={HARNESS_TIMEOUT_S} step {name} {shlex.join(argv)}",
                  f"  mkdir {marks}/{HARNESS_END_MARK}",
                  "fi"]
    return "\n".join(lines) + "\n"
