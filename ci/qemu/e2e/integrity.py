"""The data-integrity check. The guest first writes a write stamp over the
whole scratch range with `nvqual fill` (so a block no suite touches holds a
known stamp), then runs the write suites with `--media-journal`: every
media-changing step that ran records, in order, which blocks it changed and
what they now hold (docs/data-integrity.md, "The media journal"). Afterwards
the host opens the namespace's image itself (QEMU wrote through to it:
qemu.py drops snapshot=on for a configuration with a scratch range), replays
the journal in order to know each block's expected content, and checks every
block:

- a journaled block, against its last entry (the write stamp of a generation
  and seed, or of the seed and any generation; zeroes; what DLFEAT promises a
  deallocated block reads; a sha256 of the entry's range; nothing, for
  "unknown": a command that failed or was cut off);
- another block of the scratch range, against the fill's write stamp;
- a block outside the scratch range, against the LBA stamp `nvqual pattern`
  wrote before QEMU started (whatever the journal says).

The write stamp is re-stated here from its layout in docs/data-integrity.md,
independently of driver/src/write_stamp.cpp, and the LBA stamp is stamp.py's
(in a faster form checked against it): the host's own bytes are the oracle,
not nvqual's read-back.
"""
from __future__ import annotations

import hashlib
import json
import shlex
import struct
from dataclasses import dataclass
from pathlib import Path

from .configs import CONTROLLER_BDF, Config, Namespace

# The fill's write stamp: any generation and seed work; these say "QEMU e2e".
FILL_GENERATION = 7
FILL_SEED = 0x5EED0E2E
FILL_STEP = "fill-scratch"
# Where the guest's `nvqual run --media-journal` writes (in the results share).
MEDIA_JOURNAL = "media-journal.json"
JOURNAL_FORMAT = "nvqual-media-journal"

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


@dataclass(frozen=True)
class Expected:
    """What one block must hold: `what` names it for a failure message."""
    kind: str  # "lba", "fill", "write_stamp", "write_stamp_any_generation", "bytes", "digest", "unknown"
    what: str
    generation: int = 0
    seed: int = 0
    byte: int = 0
    entry: int = -1  # the journal entry (index) that set it; -1 none
    # write_stamp_any_generation with or_previous: the block may instead still hold this.
    previous: "Expected | None" = None


class JournalError(ValueError):
    """A media journal that cannot be replayed (not nvqual's format, a field missing)."""


def load_journal(path: Path) -> list[dict]:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise JournalError(f"{path.name}: {e}") from e
    if not isinstance(doc, dict) or doc.get("format") != JOURNAL_FORMAT or doc.get("version") != 1:
        raise JournalError(f"{path.name} is not a version 1 {JOURNAL_FORMAT}")
    entries = doc.get("entries")
    if not isinstance(entries, list):
        raise JournalError(f"{path.name} has no entries list")
    return entries


def _expected_of(index: int, entry: dict, previous: Expected) -> Expected:
    holds = entry.get("holds")
    where = f"journal entry {index} ({holds} over LBAs {entry.get('first_lba')}..{entry.get('last_lba')})"
    if holds == "write_stamp":
        gen, seed = int(entry["generation"]), int(entry["seed"])
        return Expected("write_stamp", f"the write stamp (generation {gen}, seed {seed:#x}) of {where}",
                        generation=gen, seed=seed, entry=index)
    if holds == "write_stamp_any_generation":
        seed = int(entry["seed"])
        if entry.get("or_previous", False):
            return Expected("write_stamp_any_generation",
                            f"a write stamp of seed {seed:#x} of {where}, nor {previous.what}", seed=seed,
                            entry=index, previous=previous)
        return Expected("write_stamp_any_generation", f"a write stamp of seed {seed:#x} of {where}", seed=seed,
                        entry=index)
    if holds == "zeroes":
        return Expected("bytes", f"zeroes of {where}", byte=0, entry=index)
    if holds == "deallocated":
        reads_as = entry.get("reads_as")
        if reads_as is None:
            return Expected("unknown", where, entry=index)
        return Expected("bytes", f"{int(reads_as):02x}h bytes of {where}", byte=int(reads_as), entry=index)
    if holds == "digest":
        return Expected("digest", f"the sha256 of {where}", entry=index)
    if holds == "unknown":
        return Expected("unknown", where, entry=index)
    raise JournalError(f"journal entry {index}: unknown holds {holds!r}")


# media_journal.hpp kEveryNamespace: an entry of a command on every namespace
# (an admin command such as Format NVM with NSID FFFFFFFFh).
EVERY_NAMESPACE = 0xFFFFFFFF


def replay(entries: list[dict], ns: Namespace, first: int, last: int) -> list[Expected]:
    """Each block's expected content: the LBA stamp outside [first, last] (a
    journal entry there changes nothing: only the scratch range may change),
    the fill's write stamp inside it, unless a journal entry of this
    namespace covers the block: then the last such entry decides."""
    lba_stamp = Expected("lba", "its original LBA stamp")
    fill = Expected("fill", f"the fill's write stamp (generation {FILL_GENERATION}, seed {FILL_SEED:#x})",
                    generation=FILL_GENERATION, seed=FILL_SEED)
    expected = [fill if first <= lba <= last else lba_stamp for lba in range(ns.blocks)]
    for index, entry in enumerate(entries):
        try:
            if int(entry["nsid"]) not in (ns.nsid, EVERY_NAMESPACE):
                continue
            lo, hi = int(entry["first_lba"]), int(entry["last_lba"])
        except (KeyError, TypeError, ValueError) as e:
            raise JournalError(f"journal entry {index}: {e!r}") from e
        for lba in range(max(lo, first), min(hi, last, ns.blocks - 1) + 1):
            # One Expected per distinct previous content, so or_previous keeps each block's own.
            expected[lba] = _expected_of(index, entry, expected[lba])
    return expected


def _stamp_generation(block: bytes) -> int:
    return int.from_bytes(block[12:16], "little")


def _expected_bytes(lba: int, ns: Namespace, want: Expected, block: bytes) -> bytes:
    """The bytes `want` allows at `lba` (`block` itself when anything goes; a
    digest's blocks are checked as a whole, by the caller)."""
    if want.kind == "lba":
        return lba_stamp_block(lba, ns.nsid, ns.lba_size)
    if want.kind in ("fill", "write_stamp"):
        return write_stamp_block(lba, ns.nsid, want.generation, want.seed, ns.lba_size)
    if want.kind == "write_stamp_any_generation":
        return write_stamp_block(lba, ns.nsid, _stamp_generation(block), want.seed, ns.lba_size)
    if want.kind == "bytes":
        return bytes([want.byte]) * ns.lba_size
    return block


def first_bad_block(image: Path, ns: Namespace, expected: list[Expected], entries: list[dict]) -> tuple[int, str] | None:
    """The first block of `image` that does not hold what `expected` says, and what it should hold."""
    digests: dict[int, hashlib._Hash] = {}
    with image.open("rb") as f:
        for lba in range(ns.blocks):
            block = f.read(ns.lba_size)
            want = expected[lba]
            if want.previous is not None and block == _expected_bytes(lba, ns, want.previous, block):
                continue
            if want.kind == "digest":
                digests.setdefault(want.entry, hashlib.sha256()).update(block)
            elif block != _expected_bytes(lba, ns, want, block):
                return lba, want.what
    # A digest covers its entry's whole range: only when no later entry overrode part of it.
    for index, digest in digests.items():
        entry = entries[index]
        covered = sum(1 for want in expected if want.entry == index)
        if covered == int(entry["last_lba"]) - int(entry["first_lba"]) + 1 and digest.hexdigest() != entry.get("sha256"):
            return int(entry["first_lba"]), f"the sha256 of journal entry {index}"
    return None


def check_integrity(report, run, config: Config, image: Path) -> None:
    """The fill ran, then the suites' journal replays onto every block of the image."""
    first, last = config.scratch
    ns = config.namespaces[0]
    if not run.step_ok(report, FILL_STEP):
        return
    out = run.step_text(FILL_STEP, "out")
    report.check("read back: every block holds the write stamp" in out,
                 f"{FILL_STEP} read its write stamp back", f"stdout: {out.strip()[-400:]}")
    try:
        entries = load_journal(run.share / MEDIA_JOURNAL)
    except JournalError as e:
        report.check(False, f"the harness wrote its media journal {MEDIA_JOURNAL}", str(e))
        return
    mine = [e for e in entries if e.get("nsid") == ns.nsid and e.get("holds") != "unknown"]
    report.check(bool(mine), f"{MEDIA_JOURNAL} records media changes of namespace {ns.nsid}",
                 f"{len(entries)} entries, none of them a known content of nsid {ns.nsid}")
    size = image.stat().st_size if image.exists() else 0
    if not report.check(size == ns.size_bytes, f"host image {image.name} is still {ns.size_bytes} bytes",
                        f"{size} bytes"):
        return
    try:
        expected = replay(entries, ns, first, last)
    except JournalError as e:
        report.check(False, f"{MEDIA_JOURNAL} replays", str(e))
        return
    journaled = sum(1 for want in expected if want.entry >= 0)
    bad = first_bad_block(image, ns, expected, entries)
    report.check(bad is None,
                 f"host image {image.name}: the {journaled} blocks the journal's {len(entries)} entries name hold "
                 f"what their last entry says, the other LBAs of {first}..{last} the fill's write stamp, every "
                 f"other block its original LBA stamp",
                 f"LBA {bad[0]} does not hold {bad[1]}" if bad else "")
