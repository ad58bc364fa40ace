#!/usr/bin/env python3
"""Boots one QEMU end-to-end configuration and checks what nvqual saw in it.

usage: run-e2e.py --config NAME --guest DIR --nvqual PATH --work DIR [--interactive]
       run-e2e.py --list

--guest is prepare-guest.sh's --out (vmlinuz, initramfs.cpio); --nvqual is the
host binary that writes the backing images (`nvqual pattern`) and runs the
suites on the simulator for comparison; --work receives everything of this run
(see ci/qemu/README.md, "Reading a failure").
Exit code 0: every check passed; 1: a check failed; 2: bad arguments or set-up.
"""
from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))

from e2e import checks, integrity, models, nvme_cli, nvme_cli_logs, plan, qemu  # noqa: E402
from e2e.configs import CONFIGS, Config  # noqa: E402

SOURCE_ROOT = Path(__file__).resolve().parents[2]
QEMU_TIMEOUT_S, BOOT_TIMEOUT_S = qemu.QEMU_TIMEOUT_S, qemu.BOOT_TIMEOUT_S
# The simulator runs all suites in 1-3 s.
SIM_TIMEOUT_S = 30


def fail_setup(message: str) -> None:
    print(f"run-e2e: {message}", file=sys.stderr)
    sys.exit(2)


def write_images(config: Config, nvqual: Path, images_dir: Path) -> dict[int, Path]:
    images = {}
    for ns in config.namespaces:
        image = images_dir / f"ns{ns.nsid}.img"
        argv = [str(nvqual), "pattern", "--nsid", str(ns.nsid), "--lba-size", str(ns.lba_size),
                "--blocks", str(ns.blocks), "--out", str(image)]
        result = subprocess.run(argv, capture_output=True, text=True)
        if result.returncode != 0 or not image.exists() or image.stat().st_size != ns.size_bytes:
            fail_setup(f"`{shlex.join(argv)}` did not write a {ns.size_bytes}-byte image "
                       f"(exit {result.returncode}): {result.stderr.strip()}")
        images[ns.nsid] = image
    return images


def run(config: Config, guest: Path, nvqual: Path, work: Path, interactive: bool) -> int:
    for needed in (guest / "vmlinuz", guest / "initramfs.cpio"):
        if not needed.exists():
            fail_setup(f"{needed} is missing; run ci/qemu/prepare-guest.sh (ctest does, as test qemu_prepare)")
    if shutil.which("qemu-system-x86_64") is None:
        fail_setup("qemu-system-x86_64 not found; run ci/qemu/lib/ensure-host-tools.sh as root")
    shutil.rmtree(work, ignore_errors=True)
    share, images_dir = work / "share", work / "images"
    share.mkdir(parents=True)
    images_dir.mkdir()
    console, qemu_stderr, trace_log = work / "console.log", work / "qemu-stderr.log", work / "trace.log"

    images = write_images(config, nvqual, images_dir)
    (share / "plan.sh").write_text(plan.plan_script(config))
    try:
        firmware = models.qemu_firmware_revision()
    except (OSError, subprocess.SubprocessError, ValueError) as error:
        fail_setup(f"cannot tell QEMU's version (Identify FR): {error}")
    (share / plan.MODEL_PROFILE).write_text(models.qemu_model_profile(config, firmware))
    sim_run = run_simulator(config, nvqual, work / "sim") if config.run_harness else None
    if interactive:
        (share / "interactive").write_text("yes\n")
    argv = qemu.command_line(config, guest, share, images, trace_log)
    (work / "qemu-command.sh").write_text(
        "#!/bin/sh\n# Re-runs this guest, without run-e2e.py's deadline and time limits; add an 'interactive'\n"
        "# file to share/ for a shell after the plan.\n"
        f"rm -f {shlex.quote(str(share / plan.DEADLINE_FILE))}\n" + shlex.join(argv) + "\n")
    print(f"qemu_{config.name}: {config.description}; artefacts in {work}")

    if interactive:
        subprocess.run(argv)
        return 0
    with console.open("wb") as out, qemu_stderr.open("wb") as err:
        qemu_rc, killed = boot(argv, out, err, share)

    report = checks.Report()
    report.check(qemu_rc == 0, "QEMU exits 0",
                 killed if killed else f"exit {qemu_rc}: {qemu_stderr.read_text(errors='replace').strip()[-800:]}")
    guest_run = checks.GuestRun(share)
    checks.check_finished(report, guest_run, console)
    checks.check_guest_clock(report, guest_run)
    checks.check_bound(report, guest_run)
    checks.check_private_mount_refused(report, guest_run)
    if config.trace_self_test:
        checks.check_devices(report, guest_run, config, firmware, phases=("before-bind", "after-bind"))
        checks.check_trace_fires(report, guest_run, trace_log)
        return finish(config, report, console, share)
    checks.check_devices(report, guest_run, config, firmware)
    checks.check_identify_controller(report, guest_run, config)
    for ns in config.namespaces:
        checks.check_identify_namespace(report, guest_run, ns)
    nvme_cli.check_nvme_cli(report, guest_run, config)
    nvme_cli_logs.check_nvme_cli_logs(report, guest_run)
    for ns in config.namespaces:
        checks.check_reads(report, guest_run, config, ns, images[ns.nsid])
    checks.check_identify_variants(report, guest_run)
    checks.check_nonroot(report, guest_run)
    checks.check_iova(report, trace_log, config.run_harness)
    checks.check_trace(report, guest_run, trace_log, config.run_harness)
    if config.run_harness:
        guest_report = checks.check_harness(report, guest_run)
        checks.check_busy(report, guest_run)
        if guest_report is not None:
            checks.check_harness_facts(report, guest_report, config)
        report.check(sim_run.json is not None, f"the simulator run wrote {sim_run.json_path}",
                     f"`{sim_run.command}` exited {sim_run.rc}: {sim_run.stderr[-400:]}")
        if guest_report is not None and sim_run.json is not None:
            checks.check_sim_agreement(report, guest_report, sim_run.json)
    if config.scratch is not None:
        integrity.check_integrity(report, guest_run, config, images[1])
    checks.check_unbind(report, guest_run)
    return finish(config, report, console, share)


class SimRun:
    def __init__(self, command: str, rc: int | None, stderr: str, json_path: Path) -> None:
        self.command, self.rc, self.stderr, self.json_path = command, rc, stderr, json_path
        self.json = checks.load_json(json_path)


def run_simulator(config: Config, nvqual: Path, out: Path) -> SimRun:
    """The same suites, with the same flags, on the simulator profile that
    matches the configuration (configs.Config.sim_profile)."""
    out.mkdir()
    profile = SOURCE_ROOT / "fixtures" / "sim" / config.sim_profile
    model = out / plan.MODEL_PROFILE
    try:
        model.write_text(models.sim_model_profile(profile))
    except (OSError, ValueError) as error:
        fail_setup(f"cannot derive a model profile from {profile}: {error}")
    argv = [str(nvqual), "run", "--sim-profile", str(profile), "--expect-pattern", "--model", str(model),
            "--suite-dir", str(SOURCE_ROOT / "suites"), "--json", str(out / plan.HARNESS_JSON),
            "--junit", str(out / plan.HARNESS_JUNIT)]
    if config.scratch is not None:  # as the guest's harness, without QEMU's serial
        argv += integrity.media_change_arguments(config, confirm_serial=False)
    try:
        with (out / "console.txt").open("wb") as console:
            result = subprocess.run(argv, stdout=console, stderr=subprocess.PIPE, text=True, timeout=SIM_TIMEOUT_S)
        rc, stderr = result.returncode, result.stderr
    except subprocess.TimeoutExpired:
        rc, stderr = None, f"killed after {SIM_TIMEOUT_S} s"
    print(f"simulator ({config.sim_profile}): exit {rc}")
    return SimRun(shlex.join(argv), rc, stderr, out / plan.HARNESS_JSON)


def boot(argv: list[str], out, err, share: Path) -> tuple[int | None, str]:
    """Runs QEMU to its end: (exit code, "") or (None, why it was killed)."""
    start = time.monotonic()
    started_after = None
    killed = ""
    # The guest's clock comes from QEMU's RTC, i.e. this host's clock (checks.check_guest_clock).
    (share / plan.DEADLINE_FILE).write_text(f"{int(time.time()) + qemu.GUEST_DEADLINE_S}\n")
    process = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    while process.poll() is None:
        elapsed = time.monotonic() - start
        if started_after is None and (share / "guest-started").exists():
            started_after = elapsed
        if started_after is None and elapsed > BOOT_TIMEOUT_S:
            killed = f"killed: guest/init had not started after {BOOT_TIMEOUT_S} s (see console.log)"
        elif elapsed > QEMU_TIMEOUT_S:
            killed = f"killed after {QEMU_TIMEOUT_S} s"
        if killed:
            process.kill()
            break
        time.sleep(0.2)
    rc = process.wait()
    finished = checks.guest_times(share / "guest-finished")
    print(f"QEMU ran {time.monotonic() - start:.1f} s; guest/init started after "
          + (f"{started_after:.1f} s" if started_after is not None else "-")
          + (f"; plan done at {finished['uptime']} s of guest uptime" if "uptime" in finished else ""))
    return (None if killed else rc), killed


def finish(config: Config, report: checks.Report, console: Path, share: Path) -> int:
    if report.failures:
        print(f"qemu_{config.name}: {report.failures} check(s) failed; console: {console}, steps: {share / 'steps'}")
        return 1
    print(f"qemu_{config.name}: all checks passed")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print the configuration names, one per line")
    parser.add_argument("--config", choices=sorted(CONFIGS))
    parser.add_argument("--guest", type=Path, help="directory prepare-guest.sh wrote")
    parser.add_argument("--nvqual", type=Path, help="host nvqual binary (writes the backing images, runs the simulator)")
    parser.add_argument("--work", type=Path, help="directory for this run's artefacts (emptied first)")
    parser.add_argument("--interactive", action="store_true", help="console on this terminal, shell after the plan")
    args = parser.parse_args()
    if args.list:
        print("\n".join(CONFIGS))
        return 0
    if not (args.config and args.guest and args.nvqual and args.work):
        parser.error("--config, --guest, --nvqual and --work are required")
    return run(CONFIGS[args.config], args.guest.resolve(), args.nvqual.resolve(), args.work.resolve(), args.interactive)


if __name__ == "__main__":
    sys.exit(main())
