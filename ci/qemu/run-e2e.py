#!/usr/bin/env python3
"""Boots one QEMU end-to-end configuration and checks what nvqual saw in it.

usage: run-e2e.py --config NAME --guest DIR --nvqual PATH --work DIR [--interactive]
       run-e2e.py --list

--guest is prepare-guest.sh's --out (vmlinuz, initramfs.cpio); --nvqual is the
host binary that writes the backing images (`nvqual pattern`); --work receives
everything of this run (see ci/qemu/README.md, "Reading a failure").
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

from e2e import checks, plan, qemu  # noqa: E402
from e2e.configs import CONFIGS, Config  # noqa: E402

QEMU_TIMEOUT_S = 300


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
    if interactive:
        (share / "interactive").write_text("yes\n")
    argv = qemu.command_line(config, guest, share, images, trace_log)
    (work / "qemu-command.sh").write_text("#!/bin/sh\n# Re-runs this guest; add an 'interactive' file to share/ for a shell.\n"
                                          + shlex.join(argv) + "\n")
    print(f"qemu_{config.name}: {config.description}; artefacts in {work}")

    start = time.monotonic()
    if interactive:
        subprocess.run(argv)
        return 0
    try:
        with console.open("wb") as out, qemu_stderr.open("wb") as err:
            result = subprocess.run(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, timeout=QEMU_TIMEOUT_S)
        qemu_rc = result.returncode
    except subprocess.TimeoutExpired:
        qemu_rc = None
    elapsed = time.monotonic() - start
    print(f"guest ran {elapsed:.1f} s")

    report = checks.Report()
    report.check(qemu_rc == 0, "QEMU exits 0",
                 f"killed after {QEMU_TIMEOUT_S} s" if qemu_rc is None
                 else f"exit {qemu_rc}: {qemu_stderr.read_text(errors='replace').strip()[-800:]}")
    guest_run = checks.GuestRun(share)
    checks.check_finished(report, guest_run, console)
    checks.check_bound(report, guest_run)
    if config.trace_self_test:
        checks.check_trace_fires(report, guest_run, trace_log)
        return finish(config, report, console, share)
    checks.check_identify_controller(report, guest_run, config)
    for ns in config.namespaces:
        checks.check_identify_namespace(report, guest_run, ns)
    for ns in config.namespaces:
        checks.check_reads(report, guest_run, config, ns, images[ns.nsid])
    checks.check_trace(report, guest_run, trace_log)
    if config.run_harness:
        checks.check_harness(report, guest_run)
    return finish(config, report, console, share)


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
    parser.add_argument("--nvqual", type=Path, help="host nvqual binary (writes the backing images)")
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
