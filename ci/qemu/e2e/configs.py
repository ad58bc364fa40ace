"""The controller configurations the QEMU stage boots, one ctest test each.

Everything a check expects is derived from these values, so a configuration
states the QEMU command line and its expected Identify data in one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# QEMU 7.2's emulated controller (hw/nvme/ctrl.c, hw/nvme/ns.c): what it
# reports whatever the command line says. Confirmed against Identify in the
# guest (share/steps/identify-*.out).
QEMU_VID = 0x1B36
QEMU_SSVID = 0x1AF4
QEMU_MODEL = "QEMU NVMe Ctrl"
QEMU_DEFAULT_MDTS = 7
QEMU_DEFAULT_IOQPAIRS = 64
QEMU_NN = 256  # NVME_MAX_NAMESPACES: NN does not depend on how many namespaces exist
QEMU_OACS = 0x10A  # Format NVM (bit 1), Namespace Management (bit 3), Doorbell Buffer Config (bit 8)
QEMU_ONCS = 0x15D  # Compare, DSM, Write Zeroes, Save/Select in Features, Timestamp, Copy
QEMU_NLBAF = 7  # 0-based: 8 formats, 512 B and 4 KiB data with 0, 8, 16 and 64 bytes of metadata
# hw/nvme/ns.c (nvme_ns_init): the formats in order, (data bytes, metadata bytes).
QEMU_LBA_FORMATS = tuple((data, meta) for data in (512, 4096) for meta in (0, 8, 16, 64))
QEMU_PAGE_SIZE = 4096  # CAP.MPSMIN = 0: MDTS is in units of 4 KiB pages

# `nvqual run` asks Set Features Number of Queues for this many I/O queue
# pairs (its --io-queues default); the controller grants at most its own maximum.
HARNESS_IO_QUEUES_WANTED = 64

# The controller sits at a fixed slot so the guest plan can name its BDF.
CONTROLLER_SLOT = 4
CONTROLLER_BDF = f"0000:00:{CONTROLLER_SLOT:02x}.0"


@dataclass(frozen=True)
class Namespace:
    nsid: int
    lba_size: int
    blocks: int

    @property
    def size_bytes(self) -> int:
        return self.lba_size * self.blocks


@dataclass(frozen=True)
class Config:
    name: str
    description: str
    namespaces: tuple[Namespace, ...]
    serial: str
    mdts: int | None = None          # None: QEMU's default (7), property not passed
    max_ioqpairs: int | None = None  # None: QEMU's default (64)
    subsystem: bool = False          # nvme-subsys + nvme-ns devices instead of drive=
    # fixtures/sim profile whose simulator the same suites must agree with
    # (check_sim_agreement): same namespaces and LBA sizes, and the same MDTS and
    # queue limit where the configuration sets one. None: no harness run.
    sim_profile: str | None = None
    run_harness: bool = True         # run `nvqual run` in the guest and compare it with the simulator
    # Negative control: the guest writes an out-of-range admin SQ doorbell with
    # busybox devmem and the run passes only if QEMU's error trace caught it,
    # proving the trace check of the other configurations can fail.
    trace_self_test: bool = False
    # Blocks (first, last) of namespace 1 the write suites and `nvqual fill`
    # may change (--scratch 1=FIRST:LAST); the host then checks the image
    # block by block (integrity.py). None: nothing is written, snapshot=on.
    scratch: tuple[int, int] | None = None

    @property
    def expected_mdts(self) -> int:
        return QEMU_DEFAULT_MDTS if self.mdts is None else self.mdts

    @property
    def max_transfer_bytes(self) -> int | None:
        """NVMe Base 2.0 5.17.2.1 (MDTS): 2^MDTS minimum pages; None when unlimited."""
        mdts = self.expected_mdts
        return None if mdts == 0 else (1 << mdts) * QEMU_PAGE_SIZE

    @property
    def expected_io_queues(self) -> int:
        """I/O queue pairs Set Features Number of Queues grants the harness."""
        limit = QEMU_DEFAULT_IOQPAIRS if self.max_ioqpairs is None else self.max_ioqpairs
        return min(limit, HARNESS_IO_QUEUES_WANTED)


MIB = 1 << 20

CONFIGS: dict[str, Config] = {c.name: c for c in (
    Config("default", "one controller, QEMU defaults, 512-byte LBAs",
           (Namespace(1, 512, 16 * MIB // 512),), serial="NVQE2E0001", sim_profile="default.yaml",
           scratch=(4096, 12287)),  # 4 MiB in the middle: no planned read touches it
    Config("lba4k", "4 KiB logical and physical blocks",
           (Namespace(1, 4096, 16 * MIB // 4096),), serial="NVQE2E0002", sim_profile="4k.yaml"),
    Config("mdts0", "mdts=0: no transfer limit",
           (Namespace(1, 512, 8 * MIB // 512),), serial="NVQE2E0003", mdts=0, sim_profile="mdts0.yaml"),
    Config("mdts2", "mdts=2: 16 KiB transfers, large reads must be split",
           (Namespace(1, 512, 8 * MIB // 512),), serial="NVQE2E0004", mdts=2, sim_profile="mdts2.yaml"),
    Config("ioqpairs1", "max_ioqpairs=1: a single I/O queue pair",
           (Namespace(1, 512, 8 * MIB // 512),), serial="NVQE2E0005", max_ioqpairs=1,
           sim_profile="one-ioqpair.yaml"),
    Config("multi_ns", "nvme-subsys with three namespaces of different sizes",
           (Namespace(1, 512, 4 * MIB // 512),
            Namespace(2, 4096, 12 * MIB // 4096),
            Namespace(3, 512, 6 * MIB // 512 + 7)),
           serial="NVQE2E0006", subsystem=True, sim_profile="multi-ns.yaml"),
    Config("trace_selftest", "negative control: a bad doorbell write must show in QEMU's error trace",
           (Namespace(1, 512, MIB // 512),), serial="NVQE2E0007", run_harness=False, trace_self_test=True),
)}
