"""The plan the guest's init sources: one `step` per nvqual command.

`step NAME CMD...` (defined in ci/qemu/guest/init, as are the other helpers
the plan calls: mark, clear_locks, await_lock_holder, await_nvme_live,
describe_pci) keeps the command's stdout, stderr and exit code as
/results/steps/NAME.{out,err,rc}; the host checks those after the guest has
powered off. guest/init itself runs
`nvqual devices --json` before and after `nvqual bind` (steps devices-before-bind,
devices-after-bind), before the plan, and before the bind reads the
controller with nvme-cli through the kernel's nvme driver (nvme_cli_step).
"""
from __future__ import annotations

import shlex

from . import integrity
from .configs import CONTROLLER_BDF, Config
from .reads import Read, reads_for

GUEST_RESULTS = "/results"
HARNESS_JUNIT = "junit.xml"
HARNESS_JSON = "harness.json"
MODEL_PROFILE = "model.yaml"  # written by run-e2e.py into the share
DEADLINE_FILE = "deadline"    # too: epoch seconds by which every guest step has ended
# Per-step limit in the guest (guest/init's default; test_e2e checks they
# agree): the slowest step besides the harness takes about 2 s under TCG, so
# a step still running after this has hung.
STEP_TIMEOUT_S = 30
# The harness step took 10-26 s per configuration (about 10 s of cases, the
# rest process start and per-case controller resets under TCG).
HARNESS_TIMEOUT_S = 75  # 60 before the write suites joined the default configuration's run

# QEMU traces the guest's mkdirs on the 9p share (v9fs_mkdir, see qemu.py) in
# the same log as its NVMe events; `mark NAME` makes /results/trace-marks/NAME,
# so a NAME-begin/NAME-end pair brackets the events one part of the plan caused.
HARNESS_WINDOW = "harness"  # the harness provokes controller errors on purpose
IOVA_WINDOW = "iova-high"   # the admin queues QEMU sees come from --iova-base

# nvqual's default --iova-base is 0x100000000; this one is far enough above it
# that no default allocation (a few MiB) reaches it.
HIGH_IOVA_BASE = 0x200000000

# The unprivileged user of the non-root steps (/etc/passwd in the initramfs,
# written by prepare-guest.sh).
NONROOT_USER = "nvq"
NONROOT_UID = 1000
# RLIMIT_MEMLOCK for it, in KiB: well above what an Identify pins (admin
# queues and a data page), set explicitly rather than relying on the kernel's default.
NONROOT_MEMLOCK_KIB = 16384
LOCK_HOLDER = "lock-holder.txt"
LOCK_WAIT_S = 30  # the harness takes the lock within a second or two
AFTER_UNBIND = "guest-after-unbind.txt"
# guest/init's `nvqual bind` while a file system on the first namespace is
# mounted only in a private mount namespace (private_mount_refusal there).
PRIVATE_MOUNT_STEP = "bind-private-mount"
PRIVATE_MOUNT_DISK = "/dev/nvme0n1"
NVME_LIVE_WAIT_S = 20  # the kernel's nvme driver brings the controller up in well under a second


def begin_mark(window: str) -> str:
    return f"{window}-begin"


def end_mark(window: str) -> str:
    return f"{window}-end"


def identify_step(nsid: int | None) -> tuple[str, list[str]]:
    name = "identify-ctrl" if nsid is None else f"identify-ns{nsid}"
    argv = ["nvqual", "identify", "--bdf", CONTROLLER_BDF, "--json"]
    if nsid is not None:
        argv += ["--nsid", str(nsid)]
    return name, argv


def identify_variant_step(name: str, *extra: str) -> tuple[str, list[str]]:
    return name, ["nvqual", "identify", "--bdf", CONTROLLER_BDF, *extra, "--json"]


IOVA_HIGH_STEP = identify_variant_step("identify-iova-high", "--iova-base", f"{HIGH_IOVA_BASE:#x}")
FUNCTION_RESET_STEP = identify_variant_step("identify-function-reset", "--function-reset")
NONROOT_NO_ACCESS_STEP = identify_variant_step("nonroot-no-access")
NONROOT_STEP = identify_variant_step("nonroot-identify")
BUSY_STEP = identify_variant_step("busy-identify")
UNBIND_STEP = ("unbind", ["nvqual", "unbind", CONTROLLER_BDF])
DEVICES_STEPS = {when: (f"devices-{when}", ["nvqual", "devices", "--json"])
                 for when in ("before-bind", "after-bind", "after-unbind")}  # the first two run in guest/init


def nvme_cli_step(what: str, bdf: str = CONTROLLER_BDF) -> str:
    """Name of one of guest/init's nvme-cli steps (nvme_cli_capture): `what` is
    id-ctrl, list-ns, id-nsN, smart-log or error-log."""
    return f"nvme-cli-{what}-{bdf}"


def nvme_cli_logs_step(what: str, bdf: str = CONTROLLER_BDF) -> str:
    """Name of one of guest/init's nvme_cli_capture_logs steps: `what` is
    smart-log, error-log, fw-log or get-featureFID (FID decimal)."""
    return f"nvme-cli-logs-{what}-{bdf}"


# nvme_cli_capture_logs' FIDs (guest/init): the mandatory features, Volatile
# Write Cache and Timestamp (QEMU 7.2 has both).
NVME_CLI_FEATURE_FIDS = (1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 14)
# The plan's first steps (before any nvqual read): the same logs and features
# through vfio-pci, as JSON with nvme-cli's keys (e2e/nvme_cli_logs.py).
SELF_REPORT_STEPS = (
    ("log-smart", ["nvqual", "log", "--bdf", CONTROLLER_BDF, "--lid", "2", "--json"]),
    ("log-error", ["nvqual", "log", "--bdf", CONTROLLER_BDF, "--lid", "1", "--json"]),
    ("log-fw", ["nvqual", "log", "--bdf", CONTROLLER_BDF, "--lid", "3", "--json"]),
    ("features", ["nvqual", "features", "--bdf", CONTROLLER_BDF, "--json"]),
)


def read_output(read: Read) -> str:
    return f"data/{read.name}.bin"


def read_step(read: Read) -> tuple[str, list[str]]:
    return read.name, ["nvqual", "read", "--bdf", CONTROLLER_BDF, "--nsid", str(read.namespace.nsid),
                       "--lba", str(read.slba), "--blocks", str(read.nlb),
                       "--out", f"{GUEST_RESULTS}/{read_output(read)}"]


def harness_step(config: Config | None = None) -> tuple[str, list[str]]:
    # --expect-pattern: run-e2e.py wrote the images with `nvqual pattern`;
    # --model: the profile run-e2e.py derived from the configuration. With both,
    # the guest runs the same cases as the simulator run it is compared with.
    # A scratch range lets the write suites write it, and the journal says
    # what they left there for the host to check (integrity.py).
    media = ([*integrity.media_change_arguments(config), "--media-journal",
              f"{GUEST_RESULTS}/{integrity.MEDIA_JOURNAL}"] if config is not None and config.scratch else [])
    return "harness", ["nvqual", "run", "--bdf", CONTROLLER_BDF, "--expect-pattern",
                       "--model", f"{GUEST_RESULTS}/{MODEL_PROFILE}", *media,
                       "--junit", f"{GUEST_RESULTS}/{HARNESS_JUNIT}", "--json", f"{GUEST_RESULTS}/{HARNESS_JSON}"]


def all_steps(config: Config) -> list[tuple[str, list[str]]]:
    steps = [identify_step(None)]
    for ns in config.namespaces:
        steps.append(identify_step(ns.nsid))
    for ns in config.namespaces:
        steps += [read_step(read) for read in reads_for(config, ns)]
    return steps


def _step(name: str, argv: list[str], timeout: int | None = None) -> str:
    prefix = f"STEP_TIMEOUT={timeout} " if timeout else ""
    return f"{prefix}step {shlex.quote(name)} {shlex.join(argv)}"


def _as_user(argv: list[str]) -> list[str]:
    # busybox su keeps PATH and the resource limits of the caller.
    return ["su", NONROOT_USER, "-c", shlex.join(argv)]


def nonroot_lines() -> list[str]:
    group = f"$(basename \"$(readlink /sys/bus/pci/devices/{CONTROLLER_BDF}/iommu_group)\")"
    no_access_name, no_access = NONROOT_NO_ACCESS_STEP
    name, argv = NONROOT_STEP
    return ["# As a user: first without access to the VFIO group (nvqual must name the fix),",
            "# then with the group node handed over and a memlock limit, as a lab would set it up.",
            f"vfio_group=/dev/vfio/{group}",
            _step(no_access_name, _as_user(no_access)),
            f"chown {NONROOT_UID}:{NONROOT_UID} \"$vfio_group\"",
            f"(ulimit -l {NONROOT_MEMLOCK_KIB} && {_step(name, _as_user(argv))})",
            "chown 0:0 \"$vfio_group\""]


def harness_lines(config: Config) -> list[str]:
    name, argv = harness_step(config)
    busy_name, busy = BUSY_STEP
    holder = f"{GUEST_RESULTS}/{LOCK_HOLDER}"
    return ["# The harness, bracketed by trace marks. While it holds the controller, a second",
            "# nvqual must be turned away by the device lock: wait until /proc/locks shows the",
            "# harness holding the lock file, try, and record whether the",
            "# harness was still running afterwards (else the refusal proves nothing).",
            f"clear_locks {CONTROLLER_BDF}",
            f"mark {begin_mark(HARNESS_WINDOW)}",
            _step(name, argv, HARNESS_TIMEOUT_S) + " &",
            "harness_job=$!",
            f"if await_lock_holder {CONTROLLER_BDF} {LOCK_WAIT_S} \"$harness_job\" > {holder}; then",
            f"  {_step(busy_name, busy)}",
            f"  kill -0 \"$holder_pid\" 2>/dev/null && echo alive-after=yes >> {holder} || echo alive-after=no >> {holder}",
            "fi",
            "wait \"$harness_job\"",
            f"mark {end_mark(HARNESS_WINDOW)}"]


def plan_script(config: Config) -> str:
    lines = [f"# QEMU end-to-end plan for configuration '{config.name}' ({config.description}).",
             f"mkdir -p {GUEST_RESULTS}/data"]
    if config.trace_self_test:
        return "\n".join(lines + trace_self_test_lines()) + "\n"
    lines += [_step(name, argv) for name, argv in SELF_REPORT_STEPS]
    lines += [_step(name, argv) for name, argv in all_steps(config)]
    lines += [f"mark {begin_mark(IOVA_WINDOW)}", _step(*IOVA_HIGH_STEP), f"mark {end_mark(IOVA_WINDOW)}",
              _step(*FUNCTION_RESET_STEP)]
    lines += nonroot_lines()
    if config.scratch is not None:
        lines += ["# The write stamp over the whole scratch range first: the blocks no suite writes",
                  "# then hold a stamp the host knows (integrity.py).",
                  integrity.fill_line(config)]
    if config.run_harness:
        lines += harness_lines(config)
    lines += ["# Back to the kernel's nvme driver, as a lab leaves the machine.",
              _step(*UNBIND_STEP),
              f"await_nvme_live {NVME_LIVE_WAIT_S}",
              f"describe_pci {CONTROLLER_BDF} > {GUEST_RESULTS}/{AFTER_UNBIND}",
              _step(*DEVICES_STEPS["after-unbind"])]
    return "\n".join(lines) + "\n"


# The admin SQ has far fewer than 200 entries at any time, so QEMU must log
# pci_nvme_ub_db_wr_invalid_sqtail for this write (checks.check_trace_fires).
BAD_DOORBELL_VALUE = 200
SQ0_TAIL_DOORBELL = 0x1000  # NVMe Base 2.0 3.1.4.21 (SQ 0 tail doorbell)


def trace_self_test_lines() -> list[str]:
    resource = f"/sys/bus/pci/devices/{CONTROLLER_BDF}/resource"
    return [f"bar0=$(head -n1 {resource} | cut -d' ' -f1)",
            f"say \"self-test: writing {BAD_DOORBELL_VALUE} to the admin SQ tail doorbell at BAR0 $bar0 + {SQ0_TAIL_DOORBELL:#x}\"",
            f"devmem $(( bar0 + {SQ0_TAIL_DOORBELL:#x} )) 32 {BAD_DOORBELL_VALUE}",
            f"echo $? > {GUEST_RESULTS}/steps/bad-doorbell.rc"]
