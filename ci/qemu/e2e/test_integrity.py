"""Unit tests of the data-integrity check (integrity.py): the Python write
stamp agrees with nvqual's, and the image check fails on each way the media
can be wrong. Loaded by test_e2e (qemu_host_checks). No QEMU needed."""
from __future__ import annotations

import hashlib
import io
import json
import tempfile
import unittest
from contextlib import redirect_stdout
from pathlib import Path

from . import checks, integrity, plan, qemu
from .configs import CONFIGS, Config, Namespace
from .reads import reads_for
from .stamp import stamp_block

# sha256 of the block `nvqual pattern --nsid 1 --lba-size 512 --first-lba 5
# --blocks 1 --generation 7 --seed 1592593966` writes (driver/src/write_stamp.cpp):
# the C++ and the Python statement of the layout must give the same bytes.
NVQUAL_WRITE_STAMP_LBA5_SHA256 = "653097b0c0cb6086d188d52a5613b6c30e3fec94bc794c1218874eea552edc41"


class WriteStampTest(unittest.TestCase):
    def test_header_layout(self):
        block = integrity.write_stamp_block(0x0102030405060708, 0x0A0B0C0D, 0x11223344, 0x5566778899AABBCC, 512)
        self.assertEqual(len(block), 512)
        self.assertEqual(block[:8], bytes([8, 7, 6, 5, 4, 3, 2, 1]))
        self.assertEqual(block[8:12], bytes([0x0D, 0x0C, 0x0B, 0x0A]))
        self.assertEqual(block[12:16], bytes([0x44, 0x33, 0x22, 0x11]))
        self.assertEqual(block[16:24], bytes([0xCC, 0xBB, 0xAA, 0x99, 0x88, 0x77, 0x66, 0x55]))
        self.assertEqual(block[24:28], b"NVQW")
        self.assertEqual(len(integrity.write_stamp_block(1, 1, 1, 1, 4096)), 4096)

    def test_every_input_changes_the_body(self):
        base = integrity.write_stamp_block(5, 1, 7, 9, 512)
        for other in (integrity.write_stamp_block(6, 1, 7, 9, 512), integrity.write_stamp_block(5, 2, 7, 9, 512),
                      integrity.write_stamp_block(5, 1, 8, 9, 512), integrity.write_stamp_block(5, 1, 7, 10, 512)):
            differing = sum(a != b for a, b in zip(base[28:], other[28:]))
            self.assertGreater(differing, 400)

    def test_the_fast_lba_stamp_is_stamp_py(self):
        for lba_size in (512, 4096):
            for lba in (0, 1, 7, 255, 256, 4095, 12287, 2**40 + 3):
                self.assertEqual(integrity.lba_stamp_block(lba, 3, lba_size), stamp_block(lba, 3, lba_size))

    def test_agrees_with_nvqual(self):
        block = integrity.write_stamp_block(5, 1, integrity.FILL_GENERATION, integrity.FILL_SEED, 512)
        self.assertEqual(hashlib.sha256(block).hexdigest(), NVQUAL_WRITE_STAMP_LBA5_SHA256)


class PlanTest(unittest.TestCase):
    config = CONFIGS["default"]

    def test_the_harness_and_the_fill_write_the_scratch_range_of_the_confirmed_device(self):
        script = plan.plan_script(self.config)
        (harness,) = [line for line in script.splitlines() if " step harness " in f" {line}"]
        (fill,) = [line for line in script.splitlines() if line.startswith(f"step {integrity.FILL_STEP} ")]
        for line in (harness, fill):
            self.assertIn("--allow-media-changes --scratch 1=4096:12287", line)
            self.assertIn(f"--confirm-serial {self.config.serial}", line)
        self.assertIn(f"--generation {integrity.FILL_GENERATION} --seed {integrity.FILL_SEED} --verify", fill)
        # Before the harness window (the fill must leave QEMU's error trace silent),
        # so the blocks no suite writes hold the fill's stamp; the suites keep a journal.
        self.assertLess(script.index(fill), script.index(f"mark {plan.begin_mark(plan.HARNESS_WINDOW)}"))
        self.assertIn(f"--media-journal {plan.GUEST_RESULTS}/{integrity.MEDIA_JOURNAL}", harness)
        self.assertNotIn("--media-journal", fill)
        self.assertNotIn("--allow-media-changes", plan.plan_script(CONFIGS["mdts2"]))

    def test_the_simulator_gets_the_range_but_not_qemus_serial(self):
        args = integrity.media_change_arguments(self.config, confirm_serial=False)
        self.assertEqual(args, ["--allow-media-changes", "--scratch", "1=4096:12287"])

    def test_only_the_scratch_namespace_writes_through_to_its_image(self):
        images = {1: Path("/i/ns1.img")}
        drives = [a for a in qemu.nvme_devices(self.config, images) if a.startswith("file=")]
        self.assertEqual(drives, ["file=/i/ns1.img,if=none,format=raw,snapshot=off,discard=unmap,id=ns1"])
        for name, config in CONFIGS.items():
            if config.scratch is None:
                images = {ns.nsid: Path(f"/i/ns{ns.nsid}.img") for ns in config.namespaces}
                self.assertNotIn("snapshot=off", " ".join(qemu.nvme_devices(config, images)), name)

    def test_no_planned_read_touches_the_scratch_range(self):
        for config in CONFIGS.values():
            if config.scratch is None:
                continue
            first, last = config.scratch
            ns = config.namespaces[0]
            self.assertLess(last, ns.blocks)
            for read in reads_for(config, ns):
                self.assertTrue(read.slba + read.nlb - 1 < first or read.slba > last, read.name)


def journal_entry(first: int, last: int, holds: str, nsid: int = 1, **fields) -> dict:
    return {"nsid": nsid, "first_lba": first, "last_lba": last, "holds": holds, **fields}


class IntegrityCheckTest(unittest.TestCase):
    """An image laid out as a correct run leaves it (fill, then the journal's
    entries), then spoiled one way per test."""

    config = Config("t", "test", (Namespace(1, 512, 64),), serial="SER1", scratch=(16, 31))
    SEED = 0xC0FFEE

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        self.share = root / "share"
        (self.share / "steps").mkdir(parents=True)
        self.image = root / "ns1.img"
        # The suites: LBAs 18..21 written at generation 1 then 20..23 at 2 (the later entry
        # wins on 20..21), zeroes at 24, a deallocate reading 00h at 25..26, one reading
        # unknown at 27, a failed write past NSZE, one of another namespace, a workload's
        # write stamps of any generation at 28..29.
        self.entries = [journal_entry(18, 21, "write_stamp", generation=1, seed=self.SEED),
                        journal_entry(20, 23, "write_stamp", generation=2, seed=self.SEED),
                        journal_entry(24, 24, "zeroes"),
                        journal_entry(25, 26, "deallocated", reads_as=0),
                        journal_entry(27, 27, "deallocated", reads_as=None),
                        journal_entry(64, 64, "unknown"),
                        journal_entry(16, 31, "zeroes", nsid=2),
                        journal_entry(28, 29, "write_stamp_any_generation", seed=self.SEED)]
        self.blocks = [self._expected(lba) for lba in range(64)]
        self._write()
        self._write_journal()
        self._step(0, "read back: every block holds the write stamp (generation 7, seed 0x5eed0e2e)\n")

    def tearDown(self):
        self.tmp.cleanup()

    def _expected(self, lba: int) -> bytes:
        if 18 <= lba <= 19:
            return integrity.write_stamp_block(lba, 1, 1, self.SEED, 512)
        if 20 <= lba <= 23:
            return integrity.write_stamp_block(lba, 1, 2, self.SEED, 512)
        if 24 <= lba <= 26:
            return bytes(512)
        if lba == 27:
            return b"\xA5" * 512  # anything
        if 28 <= lba <= 29:
            return integrity.write_stamp_block(lba, 1, 40 + lba, self.SEED, 512)  # each its own generation
        if 16 <= lba <= 31:
            return integrity.write_stamp_block(lba, 1, integrity.FILL_GENERATION, integrity.FILL_SEED, 512)
        return stamp_block(lba, 1, 512)

    def _write(self):
        self.image.write_bytes(b"".join(self.blocks))

    def _write_journal(self):
        doc = {"format": integrity.JOURNAL_FORMAT, "version": 1, "entries": self.entries}
        (self.share / integrity.MEDIA_JOURNAL).write_text(json.dumps(doc))

    def _step(self, rc: int, out: str):
        for stream, text in (("rc", f"{rc}\n"), ("out", out), ("err", "")):
            (self.share / "steps" / f"{integrity.FILL_STEP}.{stream}").write_text(text)

    def _failures(self) -> tuple[int, str]:
        report = checks.Report()
        with redirect_stdout(io.StringIO()) as out:
            integrity.check_integrity(report, checks.GuestRun(self.share), self.config, self.image)
        return report.failures, out.getvalue()

    def test_a_correct_image_passes(self):
        self.assertEqual(self._failures(), (0, self._failures()[1]))

    def test_a_lost_fill_in_the_scratch_range_fails_naming_the_lba(self):
        self.blocks[30] = stamp_block(30, 1, 512)
        self._write()
        failures, out = self._failures()
        self.assertEqual(failures, 1)
        self.assertIn("LBA 30 does not hold the fill's write stamp", out)

    def test_a_corrupted_journaled_block_fails_naming_its_entry(self):
        block = bytearray(self.blocks[19])
        block[300] ^= 0x10
        self.blocks[19] = bytes(block)
        self._write()
        failures, out = self._failures()
        self.assertEqual(failures, 1)
        self.assertIn("LBA 19 does not hold the write stamp (generation 1, seed 0xc0ffee) of journal entry 0", out)

    def test_a_later_entry_overrides_an_earlier_one(self):
        # LBA 20 holding generation 1 (what entry 0 wrote) is stale: entry 1 wrote generation 2 over it.
        self.blocks[20] = integrity.write_stamp_block(20, 1, 1, self.SEED, 512)
        self._write()
        failures, out = self._failures()
        self.assertEqual(failures, 1)
        self.assertIn("LBA 20 does not hold the write stamp (generation 2, seed 0xc0ffee) of journal entry 1", out)
        # And the other way round: with the entries swapped, generation 1 is what LBA 20..21 must hold.
        self.entries[0], self.entries[1] = self.entries[1], self.entries[0]
        self._write_journal()
        failures, out = self._failures()
        self.assertEqual(failures, 1)
        self.assertIn("LBA 21 does not hold the write stamp (generation 1", out)

    def test_zeroes_deallocated_and_any_generation_entries_are_checked(self):
        for lba, spoiled, what in ((24, b"\x01" + bytes(511), "zeroes of journal entry 2"),
                                   (26, b"\xFF" * 512, "00h bytes of journal entry 3"),
                                   (28, integrity.write_stamp_block(28, 1, 3, self.SEED + 1, 512),
                                    "a write stamp of seed 0xc0ffee"),
                                   (29, integrity.write_stamp_block(28, 1, 3, self.SEED, 512),
                                    "a write stamp of seed 0xc0ffee")):
            with self.subTest(lba=lba):
                self.blocks = [self._expected(i) for i in range(64)]
                self.blocks[lba] = spoiled
                self._write()
                failures, out = self._failures()
                self.assertEqual(failures, 1)
                self.assertIn(f"LBA {lba} does not hold {what}", out)

    def test_any_generation_or_previous_accepts_the_earlier_content_only(self):
        # A random workload over 16..31 that wrote 16 and 30 only: the rest keep what they held.
        self.entries.append(journal_entry(16, 31, "write_stamp_any_generation", seed=self.SEED + 5, or_previous=True))
        self._write_journal()
        self.blocks[16] = integrity.write_stamp_block(16, 1, 9, self.SEED + 5, 512)
        self.blocks[30] = integrity.write_stamp_block(30, 1, 2, self.SEED + 5, 512)
        self._write()
        self.assertEqual(self._failures()[0], 0)
        # LBA 20 holding generation 1 is neither the workload's stamp nor entry 1's generation 2.
        self.blocks[20] = integrity.write_stamp_block(20, 1, 1, self.SEED, 512)
        self._write()
        failures, out = self._failures()
        self.assertEqual(failures, 1)
        self.assertIn("LBA 20 does not hold a write stamp of seed 0xc0fff3", out)
        self.assertIn("nor the write stamp (generation 2, seed 0xc0ffee) of journal entry 1", out)

    def test_an_every_namespace_unknown_entry_frees_the_whole_scratch_range_only(self):
        # A Format NVM with NSID FFFFFFFFh (admin_command's journal entry): after it, a
        # spoiled block of the scratch range passes; one outside it still fails.
        self.blocks[30] = b"\x5A" * 512
        self.blocks[40] = b"\x5A" * 512
        self._write()
        self.entries.append(journal_entry(0, 2**64 - 1, "unknown", nsid=integrity.EVERY_NAMESPACE))
        self._write_journal()
        failures, out = self._failures()
        self.assertEqual(failures, 1, out)
        self.assertIn("LBA 40", out)
        self.assertNotIn("LBA 30 ", out)

    def test_a_write_outside_the_scratch_range_fails_even_if_journaled(self):
        self.entries.append(journal_entry(32, 33, "write_stamp", generation=7, seed=integrity.FILL_SEED))
        self._write_journal()
        for lba in (15, 32, 0, 63):
            with self.subTest(lba=lba):
                self.blocks = [self._expected(i) for i in range(64)]
                self.blocks[lba] = integrity.write_stamp_block(lba, 1, 7, integrity.FILL_SEED, 512)
                self._write()
                failures, out = self._failures()
                self.assertEqual(failures, 1)
                self.assertIn(f"LBA {lba} does not hold its original LBA stamp", out)

    def test_a_misdirected_stale_or_torn_block_fails(self):
        for spoiled in (self._expected(31),  # misdirected: LBA 31's block at LBA 30
                        integrity.write_stamp_block(30, 1, integrity.FILL_GENERATION - 1, integrity.FILL_SEED, 512),
                        self._expected(30)[:511] + bytes([self._expected(30)[511] ^ 1])):
            with self.subTest():
                self.blocks = [self._expected(i) for i in range(64)]
                self.blocks[30] = spoiled
                self._write()
                self.assertEqual(self._failures()[0], 1)

    def test_a_digest_entry_checks_its_range(self):
        data = b"".join(self.blocks[16:18])
        self.entries.append(journal_entry(16, 17, "digest", sha256=hashlib.sha256(data).hexdigest()))
        self._write_journal()
        self.assertEqual(self._failures()[0], 0)
        self.blocks[17] = bytes(512)
        self._write()
        failures, out = self._failures()
        self.assertEqual(failures, 1)
        self.assertIn("LBA 16 does not hold the sha256 of journal entry 8", out)

    def test_a_missing_or_foreign_journal_fails(self):
        (self.share / integrity.MEDIA_JOURNAL).unlink()
        self.assertEqual(self._failures()[0], 1)
        (self.share / integrity.MEDIA_JOURNAL).write_text(json.dumps({"format": "other", "entries": []}))
        self.assertEqual(self._failures()[0], 1)
        self.entries = [journal_entry(64, 64, "unknown")]  # nothing known of namespace 1
        self._write_journal()
        self.blocks = [integrity.write_stamp_block(lba, 1, integrity.FILL_GENERATION, integrity.FILL_SEED, 512)
                       if 16 <= lba <= 31 else stamp_block(lba, 1, 512) for lba in range(64)]
        self._write()
        self.assertEqual(self._failures()[0], 1)

    def test_a_fill_that_failed_or_did_not_read_back_fails(self):
        self._step(1, "")
        self.assertEqual(self._failures()[0], 1)
        self._step(0, "filled nsid 1 LBA 16:31 with the write stamp\n")
        self.assertEqual(self._failures()[0], 1)

    def test_a_short_image_fails(self):
        self.image.write_bytes(b"".join(self.blocks[:63]))
        self.assertEqual(self._failures()[0], 1)
