"""The data-integrity check: after the guest ran the write suites and
`nvqual fill` with a write stamp over the scratch range, the host opens the
namespace's image itself (QEMU wrote through to it: qemu.py drops snapshot=on
for a configuration with a scratch range) and checks every block:

- inside the scratch range, the write stamp of the fill's generation and seed;
- outside it, the LBA stamp `nvqual pattern` wrote before QEMU started.

The write stamp is re-stated here from its layout in docs/data-integrity.md,
independently of driver/src/write_stamp.cpp, and the LBA stamp is stamp.py's
(in a faster form checked against it): the host's own bytes are the oracle,
not nvqual's read-back.
"""
from __future__ import annotations

import shlex
import struct
from pathlib import Path

from .configs import CONTROLLER_BDF, Config, Namespace

# The fill's write stamp: any generation and seed work; these say "QEMU e2e".
FILL_GENERATION = 7
FILL_SEED = 0x5EED0E2E
FILL_STEP = "fill-scratch"

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
HEADER_BYTES = 28
MAGIC = b"NVQW"


def _splitmix64_words(state: int, count: int) -> bytes:
    """`count` outputs of splitmix64 from `state`, as little-endian 8-byte
    words; all arithmetic mod 2^64 (one loop, no calls: a namespace's worth
    of blocks is checked in seconds)."""
    words = []
    for _ in range(count):
        state = (state + GOLDEN) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        words.append(z ^ (z >> 31))
    return struct.pack(f"<{count}Q", *words)


def lba_stamp_block(lba: int, nsid: int, lba_size: int) -> bytes:
    """stamp.stamp_block, built from a slice of a repeating 0..255 ramp
    (byte i is (LBA*31 + i) mod 256), fast enough for every block of an image;
    test_integrity shows the two agree."""
    start = (lba * 31 + 12) & 0xFF
    return lba.to_bytes(8, "little") + nsid.to_bytes(4, "little") + _RAMP[start:start + lba_size - 12]


_RAMP = bytes(range(256)) * (65536 // 256 + 1)


def write_stamp_block(lba: int, nsid: int, generation: int, seed: int, lba_size: int) -> bytes:
    """docs/data-integrity.md: bytes 0-7 LBA, 8-11 NSID, 12-15 generation,
    16-23 seed (little-endian), 24-27 "NVQW"; then 8-byte little-endian words
    of splitmix64 seeded with seed ^ (LBA x 9E3779B97F4A7C15h) ^ (NSID << 32)
    ^ generation, the last word cut to what fits."""
    head = (lba.to_bytes(8, "little") + nsid.to_bytes(4, "little") + generation.to_bytes(4, "little")
            + seed.to_bytes(8, "little") + MAGIC)
    state = (seed ^ ((lba * GOLDEN) & MASK64) ^ (nsid << 32) ^ generation) & MASK64
    body_bytes = lba_size - HEADER_BYTES
    return head + _splitmix64_words(state, -(-body_bytes // 8))[:body_bytes]


def scratch_argument(config: Config) -> str:
    first, last = config.scratch
    return f"1={first}:{last}"


def media_change_arguments(config: Config, confirm_serial: bool = True) -> list[str]:
    """What `nvqual run` (and fill) need to write the configuration's scratch
    range: the simulator needs no serial, and a wrong one would be refused."""
    args = ["--allow-media-changes", "--scratch", scratch_argument(config)]
    return args + (["--confirm-serial", config.serial] if confirm_serial else [])


def fill_step(config: Config) -> tuple[str, list[str]]:
    return FILL_STEP, ["nvqual", "fill", "--bdf", CONTROLLER_BDF, "--nsid", "1", *media_change_arguments(config),
                       "--generation", str(FILL_GENERATION), "--seed", str(FILL_SEED), "--verify"]


def fill_line(config: Config) -> str:
    name, argv = fill_step(config)
    return f"step {shlex.quote(name)} {shlex.join(argv)}"


def first_bad_block(image: Path, ns: Namespace, first: int, last: int) -> tuple[int, str] | None:
    """The first block of `image` that does not hold what it should, and what it should hold."""
    with image.open("rb") as f:
        for lba in range(ns.blocks):
            block = f.read(ns.lba_size)
            if first <= lba <= last:
                if block != write_stamp_block(lba, ns.nsid, FILL_GENERATION, FILL_SEED, ns.lba_size):
                    return lba, f"the write stamp (generation {FILL_GENERATION}, seed {FILL_SEED:#x})"
            elif block != lba_stamp_block(lba, ns.nsid, ns.lba_size):
                return lba, "its original LBA stamp"
    return None


def check_integrity(report, run, config: Config, image: Path) -> None:
    """The fill ran and every block of the image is what the scratch range says."""
    first, last = config.scratch
    ns = config.namespaces[0]
    if not run.step_ok(report, FILL_STEP):
        return
    out = run.step_text(FILL_STEP, "out")
    report.check("read back: every block holds the write stamp" in out,
                 f"{FILL_STEP} read its write stamp back", f"stdout: {out.strip()[-400:]}")
    size = image.stat().st_size if image.exists() else 0
    if not report.check(size == ns.size_bytes, f"host image {image.name} is still {ns.size_bytes} bytes",
                        f"{size} bytes"):
        return
    bad = first_bad_block(image, ns, first, last)
    report.check(bad is None,
                 f"host image {image.name}: LBAs {first}..{last} hold the fill's write stamp, every other block "
                 f"its original LBA stamp",
                 f"LBA {bad[0]} does not hold {bad[1]}" if bad else "")
