"""Unit tests of the data-integrity check (integrity.py): the Python write
stamp agrees with nvqual's, and the image check fails on each way the media
can be wrong. Loaded by test_e2e (qemu_host_checks). No QEMU needed."""
from __future__ import annotations

import hashlib
import io
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
        # After the harness window: the fill must leave QEMU's error trace silent.
        self.assertGreater(script.index(fill), script.index(f"mark {plan.end_mark(plan.HARNESS_WINDOW)}"))
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


class IntegrityCheckTest(unittest.TestCase):
    """An image laid out as a correct run leaves it, then spoiled one way per test."""

    config = Config("t", "test", (Namespace(1, 512, 64),), serial="SER1", scratch=(16, 31))

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        self.share = root / "share"
        (self.share / "steps").mkdir(parents=True)
        self.image = root / "ns1.img"
        self.blocks = [self._expected(lba) for lba in range(64)]
        self._write()
        self._step(0, "read back: every block holds the write stamp (generation 7, seed 0x5eed0e2e)\n")

    def tearDown(self):
        self.tmp.cleanup()

    def _expected(self, lba: int) -> bytes:
        if 16 <= lba <= 31:
            return integrity.write_stamp_block(lba, 1, integrity.FILL_GENERATION, integrity.FILL_SEED, 512)
        return stamp_block(lba, 1, 512)

    def _write(self):
        self.image.write_bytes(b"".join(self.blocks))

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

    def test_a_lost_write_in_the_scratch_range_fails_naming_the_lba(self):
        self.blocks[20] = stamp_block(20, 1, 512)
        self._write()
        failures, out = self._failures()
        self.assertEqual(failures, 1)
        self.assertIn("LBA 20 does not hold the write stamp", out)

    def test_a_write_outside_the_scratch_range_fails(self):
        for lba in (15, 32, 0, 63):
            with self.subTest(lba=lba):
                self.blocks = [self._expected(i) for i in range(64)]
                self.blocks[lba] = integrity.write_stamp_block(lba, 1, 7, integrity.FILL_SEED, 512)
                self._write()
                failures, out = self._failures()
                self.assertEqual(failures, 1)
                self.assertIn(f"LBA {lba} does not hold its original LBA stamp", out)

    def test_a_misdirected_stale_or_torn_block_fails(self):
        for spoiled in (self._expected(21),  # misdirected: LBA 21's block at LBA 20
                        integrity.write_stamp_block(20, 1, integrity.FILL_GENERATION - 1, integrity.FILL_SEED, 512),
                        self._expected(20)[:511] + bytes([self._expected(20)[511] ^ 1])):
            with self.subTest():
                self.blocks = [self._expected(i) for i in range(64)]
                self.blocks[20] = spoiled
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
