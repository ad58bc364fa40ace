"""Unit tests of the host side: the geometry of the planned reads and that
every check fails on the evidence it exists to catch. No QEMU needed."""
from __future__ import annotations

import io
import json
import tempfile
import unittest
from contextlib import redirect_stdout
from pathlib import Path

from . import checks, plan, qemu
from .configs import CONFIGS, QEMU_PAGE_SIZE, Config, Namespace
from .reads import reads_for
from .stamp import stamp_block


class StampTest(unittest.TestCase):
    def test_header_and_body(self):
        block = stamp_block(0x0102030405060708, 0x0A0B0C0D, 512)
        self.assertEqual(block[:8], bytes([8, 7, 6, 5, 4, 3, 2, 1]))
        self.assertEqual(block[8:12], bytes([0x0D, 0x0C, 0x0B, 0x0A]))
        self.assertEqual(block[12], (0x0102030405060708 * 31 + 12) % 256)
        self.assertEqual(block[511], (0x0102030405060708 * 31 + 511) % 256)
        self.assertEqual(len(block), 512)


class ReadsTest(unittest.TestCase):
    def test_reads_cover_first_last_prp_list_and_mdts(self):
        for config in CONFIGS.values():
            if config.trace_self_test:
                continue  # reads nothing
            for ns in config.namespaces:
                reads = {r.label: r for r in reads_for(config, ns)}
                self.assertEqual(reads["lba0"].slba, 0)
                self.assertEqual(reads["last-lba"].slba, ns.blocks - 1)
                self.assertGreater(reads["prp-list"].size, 2 * QEMU_PAGE_SIZE, config.name)
                large = reads.get("over-mdts") or reads["large"]
                self.assertEqual(large.slba + large.nlb, ns.blocks, config.name)
                if config.max_transfer_bytes is not None:
                    self.assertGreater(large.size, config.max_transfer_bytes)
                    self.assertNotEqual(large.size % config.max_transfer_bytes, 0)

    def test_mdts2_splits_into_16k_pieces(self):
        self.assertEqual(CONFIGS["mdts2"].max_transfer_bytes, 16384)
        self.assertIsNone(CONFIGS["mdts0"].max_transfer_bytes)
        self.assertEqual(CONFIGS["default"].max_transfer_bytes, 512 * 1024)


class QemuCommandLineTest(unittest.TestCase):
    def test_multi_namespace_uses_a_subsystem(self):
        config = CONFIGS["multi_ns"]
        images = {ns.nsid: Path(f"/i/ns{ns.nsid}.img") for ns in config.namespaces}
        args = qemu.nvme_devices(config, images)
        devices = [args[i + 1] for i, a in enumerate(args) if a == "-device"]
        self.assertTrue(devices[0].startswith("nvme-subsys,"))
        self.assertIn("subsys=subsys0", devices[1])
        self.assertEqual(sum(d.startswith("nvme-ns,") for d in devices), 3)
        self.assertIn("nsid=2,bus=nvme0,logical_block_size=4096", devices[3])

    def test_properties_reach_the_controller(self):
        images = {1: Path("/i/ns1.img")}
        (ctrl,) = [a for a in qemu.nvme_devices(CONFIGS["mdts2"], images) if a.startswith("nvme,")]
        self.assertIn("mdts=2", ctrl)
        (ctrl,) = [a for a in qemu.nvme_devices(CONFIGS["ioqpairs1"], images) if a.startswith("nvme,")]
        self.assertIn("max_ioqpairs=1", ctrl)
        (ctrl,) = [a for a in qemu.nvme_devices(CONFIGS["default"], images) if a.startswith("nvme,")]
        self.assertNotIn("mdts=", ctrl)


class ChecksFailOnBadEvidenceTest(unittest.TestCase):
    """A guest run laid out by hand, then spoiled one way per test."""

    config = Config("t", "test", (Namespace(1, 512, 256),), serial="SER1", mdts=2)

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        self.share = root / "share"
        (self.share / "steps").mkdir(parents=True)
        (self.share / "data").mkdir()
        ns = self.config.namespaces[0]
        self.image = root / "ns1.img"
        self.image.write_bytes(b"".join(stamp_block(lba, 1, 512) for lba in range(ns.blocks)))
        for read in reads_for(self.config, ns):
            self._step(read.name, 0, "")
            with self.image.open("rb") as f:
                f.seek(read.offset)
                (self.share / plan.read_output(read)).write_bytes(f.read(read.size))
        self.identify = {"vid": 0x1B36, "sn": "SER1                ", "mn": "QEMU NVMe Ctrl      ",
                         "mdts": 2, "nn": 256}
        self._step("identify-ctrl", 0, json.dumps(self.identify))

    def tearDown(self):
        self.tmp.cleanup()

    def _step(self, name, rc, out):
        (self.share / "steps" / f"{name}.rc").write_text(f"{rc}\n")
        (self.share / "steps" / f"{name}.out").write_text(out)
        (self.share / "steps" / f"{name}.err").write_text("")

    def _failures(self, check, *args) -> int:
        report = checks.Report()
        with redirect_stdout(io.StringIO()):
            check(report, checks.GuestRun(self.share), *args)
        return report.failures

    def _read_failures(self) -> int:
        return self._failures(checks.check_reads, self.config, self.config.namespaces[0], self.image)

    def test_intact_run_passes(self):
        self.assertEqual(self._read_failures(), 0)
        self.assertEqual(self._failures(checks.check_identify_controller, self.config), 0)

    def test_one_flipped_bit_fails(self):
        data = self.share / "data" / "read-ns1-prp-list.bin"
        spoiled = bytearray(data.read_bytes())
        spoiled[700] ^= 0x10
        data.write_bytes(bytes(spoiled))
        self.assertEqual(self._read_failures(), 1)

    def test_short_read_fails(self):
        data = self.share / "data" / "read-ns1-last-lba.bin"
        data.write_bytes(data.read_bytes()[:-1])
        self.assertEqual(self._read_failures(), 1)

    def test_failed_step_fails(self):
        self._step("read-ns1-lba0", 3, "")
        self.assertEqual(self._read_failures(), 1)

    def test_image_without_the_pattern_fails(self):
        self.image.write_bytes(bytes(self.image.stat().st_size))
        self.assertGreater(self._read_failures(), 0)

    def test_wrong_identify_values_fail(self):
        self._step("identify-ctrl", 0, json.dumps(dict(self.identify, mdts=7, sn="OTHER")))
        self.assertEqual(self._failures(checks.check_identify_controller, self.config), 2)

    def test_missing_identify_key_fails(self):
        self._step("identify-ctrl", 0, json.dumps({k: v for k, v in self.identify.items() if k != "mn"}))
        self.assertEqual(self._failures(checks.check_identify_controller, self.config), 1)

    def _after_bind(self, driver: str, vfio: str) -> None:
        self._step("bind-0000:00:04.0", 0, "0000:00:04.0: now bound to vfio-pci (was nvme)")
        (self.share / "guest-after-bind.txt").write_text(
            f"0000:00:04.0 class=0x010802 id=0x1b36:0x0010 driver={driver} iommu_group=2\n/dev/vfio: {vfio}\n")

    def test_bound_controller_passes(self):
        self._after_bind("vfio-pci", "2 vfio ")
        self.assertEqual(self._failures(checks.check_bound), 0)

    def test_controller_left_on_nvme_fails(self):
        self._after_bind("nvme", "vfio ")
        self.assertEqual(self._failures(checks.check_bound), 2)

    # A harness run that provoked one Invalid Opcode (00/01, DNR) on the admin queue.
    PROVOKED = {"cid": 1, "nsid": 0, "opcode": 0x3F, "status_field": 0x4001}
    BEGIN = "v9fs_mkdir tag 0 id 72 fid 7 name harness-begin mode 493 gid 0"
    END = "v9fs_mkdir tag 0 id 72 fid 7 name harness-end mode 493 gid 0"
    INVALID_OPCODE = ["pci_nvme_err_invalid_admin_opc invalid admin opcode 0x3f",
                      "pci_nvme_err_req_status cid 1 nsid 0 status 0x4001 opc 0x3f"]

    def _trace_failures(self, lines, failed_commands=(PROVOKED,), harness=True) -> int:
        trace = self.share / "trace.log"
        trace.write_text("".join(line + "\n" for line in lines))
        if harness:
            (self.share / plan.HARNESS_MARKER).write_text("yes\n")
            cases = [{"id": "AQ-010", "failed_commands": list(failed_commands), "failed_commands_dropped": 0}]
            (self.share / plan.HARNESS_JSON).write_text(json.dumps({"suites": [{"cases": cases}]}))
        return self._failures(checks.check_trace, trace)

    def test_provoked_errors_inside_the_harness_run_pass(self):
        self.assertEqual(self._trace_failures([self.BEGIN, *self.INVALID_OPCODE, self.END]), 0)

    def test_clean_run_without_harness_passes(self):
        self.assertEqual(self._trace_failures(["v9fs_mkdir tag 0 id 72 fid 1 name data mode 493 gid 0"],
                                              harness=False), 0)

    def test_event_outside_the_harness_run_fails(self):
        ub = "pci_nvme_ub_db_wr_invalid_sqtail submission queue doorbell write value beyond queue size"
        self.assertEqual(self._trace_failures([ub], harness=False), 1)
        self.assertEqual(self._trace_failures([*self.INVALID_OPCODE, self.BEGIN, *self.INVALID_OPCODE, self.END]), 1)
        self.assertEqual(self._trace_failures([self.BEGIN, *self.INVALID_OPCODE, self.END, ub]), 1)

    def test_undefined_behaviour_inside_the_harness_run_fails(self):
        ub = "pci_nvme_ub_mmiowr_misaligned32 MMIO write not 32-bit aligned, offset=0x1001"
        self.assertEqual(self._trace_failures([self.BEGIN, *self.INVALID_OPCODE, ub, self.END]), 1)

    def test_error_the_harness_did_not_record_fails(self):
        prp = ["pci_nvme_err_invalid_prplist_ent PRP list entry not page aligned",
               "pci_nvme_err_req_status cid 4 nsid 1 status 0x13 opc 0x2"]
        self.assertEqual(self._trace_failures([self.BEGIN, *self.INVALID_OPCODE, *prp, self.END]), 1)

    def test_recorded_error_missing_from_the_trace_fails(self):
        self.assertEqual(self._trace_failures([self.BEGIN, self.END]), 1)
        other = dict(self.PROVOKED, cid=2)
        self.assertEqual(self._trace_failures([self.BEGIN, *self.INVALID_OPCODE, self.END],
                                              failed_commands=(self.PROVOKED, other)), 1)

    def test_missing_marks_fail(self):
        self.assertEqual(self._trace_failures(self.INVALID_OPCODE), 2)  # the events and the marks

    def test_harness_failure_in_junit_fails(self):
        (self.share / plan.HARNESS_MARKER).write_text("yes\n")
        self._step("harness", 0, "")
        (self.share / plan.HARNESS_JSON).write_text("{}")
        (self.share / plan.HARNESS_JUNIT).write_text(
            '<testsuites><testsuite name="s"><testcase name="a" classname="s"/>'
            '<testcase name="b" classname="s"><failure type="check" message="m"/></testcase>'
            "</testsuite></testsuites>")
        self.assertEqual(self._failures(checks.check_harness), 1)


if __name__ == "__main__":
    unittest.main()
