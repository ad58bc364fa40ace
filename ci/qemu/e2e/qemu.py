"""The QEMU command line for one configuration: a q35 guest under TCG with an
emulated Intel IOMMU (Debian's kernel has no VFIO no-IOMMU mode), the NVMe
controller under test at a fixed slot, and a 9p share for results."""
from __future__ import annotations

from pathlib import Path

from .configs import CONTROLLER_SLOT, Config

KERNEL_CMDLINE = "console=ttyS0 intel_iommu=on panic=-1"

# Measured on the 2-core CI machine, shared with other builds (load average up
# to 10): guest/init starts 12-26 s after QEMU, the whole guest takes 26-93 s.
# 120 s until guest/init's nvme-cli steps joined the guest (2.4-3.8 s at load
# 9-11, 6.2 s at load 11.5): 10 s more keep the plan the margin it had. At load
# 11 the plan (guest/init starting 30 s after QEMU) ran into the deadline.
# 150 s since the default configuration's harness also runs the write suites
# and `nvqual fill` goes with it (docs/data-integrity.md): at load 10 guest/init
# started 39 s after QEMU and 130 s cut the harness short.
# The second nvme-cli read and the plan's the second nvme-cli read and the plan's `nvqual log` / `nvqual
# features` steps add (e2e/nvme_cli_logs.py: 11 s at load 10, the plan
# then ran past the deadline): 12 s more on top of 150.
QEMU_TIMEOUT_S = 162
# Every guest step must end by this long after QEMU started (run-e2e.py
# writes the time into the share, guest/init reads it), leaving the guest
# time to stop a step (SIGTERM, SIGKILL 5 s later) and power off with its
# results written. One hung step also ends the plan (guest/init `step`), so
# QEMU is killed only when the guest kernel itself hangs.
GUEST_DEADLINE_S = QEMU_TIMEOUT_S - 15
# A guest whose init has not started (written /results/guest-started) by
# then never will: kill it early.
BOOT_TIMEOUT_S = 60
# Trace events QEMU's NVMe model emits when a host driver misbehaves
# (err_*) or does something the spec leaves undefined (ub_*).
NVME_ERROR_TRACES = ("pci_nvme_err_*", "pci_nvme_ub_*")
# The guest's mkdirs on the 9p share, traced into the same log: the plan marks
# the start and end of the harness run and of the --iova-base step with them
# (plan.mark).
MARK_TRACES = ("v9fs_mkdir",)
# The admin queue bases the host programs (the high dword's event carries the
# whole address): they show which IOVAs nvqual used (checks.check_iova).
ADDRESS_TRACES = ("pci_nvme_mmio_asqaddr_hi", "pci_nvme_mmio_acqaddr_hi")


def _block_props(lba_size: int) -> str:
    return f"logical_block_size={lba_size},physical_block_size={lba_size}"


def nvme_devices(config: Config, images: dict[int, Path]) -> list[str]:
    args: list[str] = []
    ctrl = [f"serial={config.serial}", "id=nvme0", f"bus=pcie.0,addr={CONTROLLER_SLOT:#x}"]
    if config.mdts is not None:
        ctrl.append(f"mdts={config.mdts}")
    if config.max_ioqpairs is not None:
        ctrl.append(f"max_ioqpairs={config.max_ioqpairs}")
    # snapshot=on: guest writes go to a temporary overlay, so the images stay
    # what `nvqual pattern` wrote; except the namespace with a scratch range,
    # whose image the host reads afterwards to see what was written (integrity.py).
    for ns in config.namespaces:
        # discard=unmap there: QEMU 7.2 reports DLFEAT 001b (deallocated blocks read 00h)
        # whatever the drive does, and the default discard=ignore leaves the data.
        writes = "snapshot=off,discard=unmap" if config.scratch is not None and ns.nsid == 1 else "snapshot=on"
        args += ["-drive", f"file={images[ns.nsid]},if=none,format=raw,{writes},id=ns{ns.nsid}"]
    if config.subsystem:
        args += ["-device", "nvme-subsys,id=subsys0,nqn=nqn.2024-01.io.nvqual:e2e"]
        args += ["-device", ",".join(["nvme", *ctrl, "subsys=subsys0"])]
        for ns in config.namespaces:
            args += ["-device", f"nvme-ns,drive=ns{ns.nsid},nsid={ns.nsid},bus=nvme0,{_block_props(ns.lba_size)}"]
    else:
        (ns,) = config.namespaces
        args += ["-device", ",".join(["nvme", *ctrl, f"drive=ns{ns.nsid}", _block_props(ns.lba_size)])]
    return args


def command_line(config: Config, guest_dir: Path, share: Path, images: dict[int, Path],
                 trace_log: Path) -> list[str]:
    args = [
        "qemu-system-x86_64",
        "-accel", "tcg",  # KVM guests hang on these machines
        "-machine", "q35,kernel-irqchip=split",  # intremap needs the split irqchip
        "-device", "intel-iommu,intremap=on",
        "-m", "1G", "-smp", "1",
        "-nographic", "-vga", "none", "-nic", "none", "-no-reboot",
        "-kernel", str(guest_dir / "vmlinuz"),
        "-initrd", str(guest_dir / "initramfs.cpio"),
        "-append", KERNEL_CMDLINE,
        "-virtfs", f"local,path={share},mount_tag=results,security_model=none",
        "-D", str(trace_log),
    ]
    for event in NVME_ERROR_TRACES + MARK_TRACES + ADDRESS_TRACES:
        args += ["-trace", event]
    return args + nvme_devices(config, images)
