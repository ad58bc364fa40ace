"""Unit tests of the host side: the geometry of the planned reads and that
every check fails on the evidence it exists to catch. No QEMU needed."""
from __future__ import annotations

import fnmatch
import hashlib
import io
import json
import os
import re
import tempfile
import unittest
import unittest.mock
from contextlib import redirect_stdout
from pathlib import Path

import yaml

from . import checks, models, nvme_cli, nvme_cli_logs, plan, qemu
from .configs import CONFIGS, QEMU_PAGE_SIZE, Config, Namespace
from .reads import reads_for
from .stamp import stamp_block
from .test_integrity import IntegrityCheckTest, PlanTest, WriteStampTest  # noqa: F401 (run with these)

SOURCE_ROOT = Path(__file__).resolve().parents[3]
GUEST_INIT = Path(__file__).resolve().parents[1] / "guest" / "init"
PREPARE_GUEST = Path(__file__).resolve().parents[1] / "prepare-guest.sh"
# A real pair: nvme-cli and nvqual on one QEMU controller (testdata/.../README.md).
QEMU_CAPTURE = Path(__file__).resolve().parent / "testdata" / "qemu-7.2-default"


def _capture(name: str):
    text = (QEMU_CAPTURE / name).read_text()
    return json.loads(text) if name.endswith(".json") else text


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


def _model_values(text: str) -> dict:
    return yaml.safe_load(text)["values"]


def _accepts(expected, actual, profile_dir: Path) -> bool:
    """Whether a hand-written model profile value (suites/README.md, "Model
    profiles": exact, {glob}, {regex}, {file}, any-of list, format list)
    accepts a derived one."""
    if isinstance(expected, dict) and "glob" in expected:
        return fnmatch.fnmatchcase(actual, expected["glob"])
    if isinstance(expected, dict) and "regex" in expected:
        return re.fullmatch(expected["regex"], actual) is not None
    if isinstance(expected, dict) and "file" in expected:
        return hashlib.sha256((profile_dir / expected["file"]).read_bytes()).hexdigest() == actual
    if isinstance(expected, list) and expected and isinstance(expected[0], dict):  # LBA formats
        normal = lambda formats: [(f["data_size"], f.get("metadata_size", 0)) for f in formats]
        return normal(expected) == normal(actual)
    if isinstance(expected, list):
        return actual in expected
    return expected == actual


def _disagreements(shipped: dict, derived: dict, profile_dir: Path) -> dict:
    return {key: (want, derived.get(key)) for key, want in shipped.items()
            if key not in derived or not _accepts(want, derived[key], profile_dir)}


class ModelProfileTest(unittest.TestCase):
    def test_simulator_model_matches_the_shipped_one(self):
        # fixtures/models/nvqual-sim-default.yaml is written by hand from
        # fixtures/sim/default.yaml: the derivation must agree with it.
        derived = _model_values(models.sim_model_profile(SOURCE_ROOT / "fixtures/sim/default.yaml"))
        shipped = _model_values((SOURCE_ROOT / "fixtures/models/nvqual-sim-default.yaml").read_text())
        self.assertEqual(set(derived), set(shipped))
        self.assertEqual(_disagreements(shipped, derived, SOURCE_ROOT / "fixtures/models"), {})
        spoiled = dict(derived, **{"identify_namespace.lba_formats": [{"data_size": 512}]})
        self.assertIn("identify_namespace.lba_formats",
                      _disagreements(shipped, spoiled, SOURCE_ROOT / "fixtures/models"))

    def test_qemu_model_agrees_with_the_shipped_qemu_profile(self):
        shipped = _model_values((SOURCE_ROOT / "fixtures/models/qemu-7.2.yaml").read_text())
        derived = _model_values(models.qemu_model_profile(CONFIGS["default"], "7.2.22"))
        self.assertEqual(_disagreements(shipped, derived, SOURCE_ROOT / "fixtures/models"), {})
        self.assertIn("identify_controller.fr",
                      _disagreements(shipped, dict(derived, **{
                          "identify_controller.fr": "8.0.0"}), SOURCE_ROOT / "fixtures/models"))
        self.assertEqual(derived["identify_controller.fr"], "7.2.22")
        self.assertEqual(derived["identify_namespace.nsze"], CONFIGS["default"].namespaces[0].blocks)

    def test_golden_digest_depends_on_lba_size_not_device(self):
        qemu_4k = _model_values(models.qemu_model_profile(CONFIGS["lba4k"], "7.2.22"))
        sim_4k = _model_values(models.sim_model_profile(SOURCE_ROOT / "fixtures/sim/4k.yaml"))
        self.assertEqual(qemu_4k["golden.first_8_blocks"], sim_4k["golden.first_8_blocks"])
        sim_512 = _model_values(models.sim_model_profile(SOURCE_ROOT / "fixtures/sim/default.yaml"))
        self.assertNotEqual(qemu_4k["golden.first_8_blocks"], sim_512["golden.first_8_blocks"])

    def test_mdts_follows_the_configuration(self):
        for name in ("mdts0", "mdts2"):
            values = _model_values(models.qemu_model_profile(CONFIGS[name], "7.2.22"))
            self.assertEqual(values["identify_controller.mdts"], CONFIGS[name].mdts)


class SimProfileMappingTest(unittest.TestCase):
    """Each configuration is compared with a simulator of the same shape."""

    def test_geometry_matches(self):
        for config in CONFIGS.values():
            if not config.run_harness:
                self.assertIsNone(config.sim_profile, config.name)
                continue
            profile = models.load_sim_profile(SOURCE_ROOT / "fixtures/sim" / config.sim_profile)
            self.assertEqual(models.sim_namespaces(profile), {ns.nsid: ns.lba_size for ns in config.namespaces},
                             f"{config.name} vs {config.sim_profile}: namespaces and LBA sizes")
            if config.mdts is not None:
                self.assertEqual(profile["controller"]["mdts"], config.mdts, config.name)
            if config.max_ioqpairs is not None:
                self.assertEqual(profile["queues"]["max_io_queues"], config.max_ioqpairs, config.name)


class GuestScriptTest(unittest.TestCase):
    def test_timeouts_agree(self):
        init = GUEST_INIT.read_text()
        self.assertIn(f"limit=${{STEP_TIMEOUT:-{plan.STEP_TIMEOUT_S}}}", init)
        self.assertIn(f"DEADLINE=$(cat {plan.GUEST_RESULTS}/{plan.DEADLINE_FILE} ", init)
        self.assertIn('timeout -k 5 "$limit"', init)
        # After the deadline a step gets SIGTERM, SIGKILL 5 s later, then the
        # guest syncs and powers off: all before the host kills QEMU.
        self.assertLessEqual(qemu.GUEST_DEADLINE_S + 5 + 10, qemu.QEMU_TIMEOUT_S)
        self.assertLess(plan.HARNESS_TIMEOUT_S, qemu.GUEST_DEADLINE_S - qemu.BOOT_TIMEOUT_S / 2)

    def test_plan_calls_only_what_init_defines(self):
        init = GUEST_INIT.read_text()
        for config in CONFIGS.values():
            script = plan.plan_script(config)
            for helper in re.findall(r"^\s*(?:if |STEP_TIMEOUT=\d+ )?([a-z_]+) ", script, re.M):
                if helper in ("mkdir", "chown", "wait", "devmem", "echo", "kill"):  # busybox applets
                    continue
                self.assertRegex(init, rf"\n{helper}\(\) {{", f"{config.name}: {helper}")

    def test_init_runs_the_nvme_cli_steps_checks_read_before_the_bind(self):
        init = GUEST_INIT.read_text()
        for what in ("id-ctrl", "list-ns", "smart-log", "error-log"):
            self.assertIn(f'step "{plan.nvme_cli_step(what, "$bdf")}" nvme {what} "$node"', init)
        self.assertIn(f'step "{plan.nvme_cli_step("id-ns$(( 0x$hex ))", "$bdf")}" nvme id-ns "$node"', init)
        self.assertLess(init.index("\nnvme_cli_capture\n"), init.index('nvqual bind "$(basename "$dev")"'))
        self.assertIn("install_with_libraries /usr/sbin/nvme nvme", PREPARE_GUEST.read_text())

    def test_init_runs_the_private_mount_step_checks_read(self):
        init = GUEST_INIT.read_text()
        self.assertIn(f"step {plan.PRIVATE_MOUNT_STEP} nvqual bind", init)
        self.assertIn(f"private_mount_refusal \"$first_nvme\" {plan.PRIVATE_MOUNT_DISK}", init)
        self.assertIn("unshare -m", init)

    def test_harness_runs_unconditionally_with_pattern_and_model(self):
        script = plan.plan_script(CONFIGS["default"])
        (line,) = [l for l in script.splitlines() if " step harness " in f" {l}"]
        self.assertIn("--expect-pattern", line)
        self.assertIn(f"--model {plan.GUEST_RESULTS}/{plan.MODEL_PROFILE}", line)
        self.assertNotIn("has_subcommand", script)
        self.assertNotIn("step harness", plan.plan_script(CONFIGS["trace_selftest"]))


class NvmeCliComparisonTest(unittest.TestCase):
    """nvme-cli's Identify against nvqual's: every value nvme-cli prints, or a failure naming it."""

    def setUp(self):
        self.cli_ctrl, self.nvq_ctrl = _capture("nvme-cli-id-ctrl.json"), _capture("nvqual-identify-ctrl.json")
        self.cli_ns, self.nvq_ns = _capture("nvme-cli-id-ns1.json"), _capture("nvqual-identify-ns1.json")

    @staticmethod
    def _differences(cli, nvq) -> list[str]:
        return nvme_cli.Comparison(cli, nvq).differences

    def test_the_real_qemu_capture_agrees_in_every_value(self):
        ctrl = nvme_cli.Comparison(self.cli_ctrl, self.nvq_ctrl)
        self.assertEqual(ctrl.differences, [])
        # 85 top-level values (every key but psds) and the 13 of its one power state descriptor
        self.assertEqual(ctrl.compared, len(self.cli_ctrl) - 1 + len(self.cli_ctrl["psds"][0]))
        self.assertEqual(ctrl.nvqual_only, ["dctype"])
        ns = nvme_cli.Comparison(self.cli_ns, self.nvq_ns)
        self.assertEqual(ns.differences, [])
        self.assertEqual(ns.compared, len(self.cli_ns) - 1 + 3 * len(self.cli_ns["lbafs"]))
        self.assertEqual(ns.nvqual_only, ["vs"])

    def test_swapped_same_width_fields_fail_naming_both(self):
        # A parser that reads one field of a same-width pair from the other's
        # offset: invisible to every test that shares nvqual's field table.
        pairs = [("rtd3r", "rtd3e"), ("sqes", "cqes"), ("hmpre", "hmmin"), ("mntmt", "mxtmt"),
                 ("awun", "awupf"), ("acl", "aerl"), ("wctemp", "cctemp")]
        for a, b in pairs:
            cli = dict(self.cli_ctrl, **{a: 5, b: 6})
            self.assertEqual(self._differences(cli, dict(self.nvq_ctrl, **{a: 5, b: 6})), [], a)
            self.assertEqual(self._differences(cli, dict(self.nvq_ctrl, **{a: 6, b: 5})),
                             [f"{a}: nvme-cli 5, nvqual 6", f"{b}: nvme-cli 6, nvqual 5"])
        # QEMU's own values already tell sqes from cqes.
        swapped = dict(self.nvq_ctrl, sqes=self.nvq_ctrl["cqes"], cqes=self.nvq_ctrl["sqes"])
        self.assertEqual(len(self._differences(self.cli_ctrl, swapped)), 2)
        # Same in a power state descriptor and in the namespace.
        psd = dict(self.nvq_ctrl["psds"][0], entry_lat=self.nvq_ctrl["psds"][0]["exit_lat"],
                   exit_lat=self.nvq_ctrl["psds"][0]["entry_lat"])
        self.assertEqual(self._differences(self.cli_ctrl, dict(self.nvq_ctrl, psds=[psd])),
                         ["psds[0].entry_lat: nvme-cli 16, nvqual 4", "psds[0].exit_lat: nvme-cli 4, nvqual 16"])
        self.assertEqual(self._differences(self.cli_ns, dict(self.nvq_ns, npdg=0, npwg=127)),
                         ["npwg: nvme-cli 0, nvqual 127", "npdg: nvme-cli 127, nvqual 0"])

    def test_a_key_nvqual_lacks_fails(self):
        for key in ("ctratt", "subnqn", "psds"):
            nvq = {k: v for k, v in self.nvq_ctrl.items() if k != key}
            (difference,) = self._differences(self.cli_ctrl, nvq)
            self.assertRegex(difference, rf"^{key}: nvme-cli .*, nvqual prints no such key$")
        psd = {k: v for k, v in self.nvq_ctrl["psds"][0].items() if k != "read_lat"}
        self.assertEqual(self._differences(self.cli_ctrl, dict(self.nvq_ctrl, psds=[psd])),
                         ["psds[0].read_lat: nvme-cli 0, nvqual prints no such key"])
        lbaf = {k: v for k, v in self.nvq_ns["lbafs"][3].items() if k != "ms"}
        lbafs = self.nvq_ns["lbafs"][:3] + [lbaf] + self.nvq_ns["lbafs"][4:]
        self.assertEqual(self._differences(self.cli_ns, dict(self.nvq_ns, lbafs=lbafs)),
                         ["lbafs[3].ms: nvme-cli 64, nvqual prints no such key"])
        # psds[].flags is rebuilt from two nvqual fields: without one, it cannot be.
        psd = {k: v for k, v in self.nvq_ctrl["psds"][0].items() if k != "non-operational_state"}
        (difference,) = self._differences(self.cli_ctrl, dict(self.nvq_ctrl, psds=[psd]))
        self.assertTrue(difference.startswith("psds[0].flags: "), difference)

    def test_a_changed_nested_value_fails(self):
        psd = dict(self.nvq_ctrl["psds"][0], max_power=2501)
        self.assertEqual(self._differences(self.cli_ctrl, dict(self.nvq_ctrl, psds=[psd])),
                         ["psds[0].max_power: nvme-cli 2500, nvqual 2501"])
        lbafs = [dict(f) for f in self.nvq_ns["lbafs"]]
        lbafs[5]["ds"] = 9  # 4 KiB data read as 512 B
        self.assertEqual(self._differences(self.cli_ns, dict(self.nvq_ns, lbafs=lbafs)),
                         ["lbafs[5].ds: nvme-cli 12, nvqual 9"])
        self.assertEqual(self._differences(self.cli_ns, dict(self.nvq_ns, lbafs=self.nvq_ns["lbafs"][:-1])),
                         ["lbafs: nvme-cli lists 8 entries, nvqual 7"])
        # nvme-cli's flags byte against nvqual's MXPS (bit 0) and NOPS (bit 1)
        for flags, mxps, nops in ((1, 1, 0), (2, 0, 1), (3, 1, 1)):
            cli = dict(self.cli_ctrl, psds=[dict(self.cli_ctrl["psds"][0], flags=flags)])
            psd = dict(self.nvq_ctrl["psds"][0], max_power_scale=mxps)
            psd["non-operational_state"] = nops
            self.assertEqual(self._differences(cli, dict(self.nvq_ctrl, psds=[psd])), [], flags)
            self.assertEqual(len(self._differences(cli, self.nvq_ctrl)), 1, flags)

    def test_renderings_compare_the_value_not_the_form(self):
        # nvme-cli keeps the ASCII padding and prints 128-bit counts as strings.
        self.assertEqual(self.cli_ctrl["fr"], "7.2.22  ")
        self.assertEqual(self.nvq_ctrl["fr"], "7.2.22")
        self.assertEqual(self._differences(self.cli_ctrl, dict(self.nvq_ctrl, fr="7.2.21")),
                         ["fr: nvme-cli '7.2.22  ', nvqual '7.2.21'"])
        self.assertEqual(len(self._differences(self.cli_ctrl, dict(self.nvq_ctrl, sn=self.cli_ctrl["sn"] + "x"))), 1)
        cli = dict(self.cli_ctrl, tnvmcap=str(1 << 70))
        self.assertEqual(self._differences(cli, dict(self.nvq_ctrl, tnvmcap=str(1 << 70))), [])
        self.assertEqual(self._differences(cli, dict(self.nvq_ctrl, tnvmcap=1 << 6)),
                         [f"tnvmcap: nvme-cli '{1 << 70}', nvqual 64"])
        # No other conversion: a number is not its string.
        self.assertEqual(self._differences(self.cli_ctrl, dict(self.nvq_ctrl, mdts="7")), ["mdts: nvme-cli 7, nvqual '7'"])

    def test_the_exclusion_list_is_short_and_says_why(self):
        for key, why in nvme_cli.EXCLUDED.items():
            self.assertGreater(len(why), 40, key)
        self.assertLessEqual(len(nvme_cli.EXCLUDED), 3)
        with unittest.mock.patch.dict(nvme_cli.EXCLUDED, {"rtd3e": "a field excluded for this test only"}):
            self.assertEqual(self._differences(self.cli_ctrl, dict(self.nvq_ctrl, rtd3e=9)), [])

    def test_lists_the_namespaces_nvme_cli_printed(self):
        self.assertEqual(nvme_cli.listed_namespaces(_capture("nvme-cli-list-ns.txt")), [1])
        self.assertEqual(nvme_cli.listed_namespaces("[   0]:0x1\n[   1]:0x2\n[   2]:0x1f\n"), [1, 2, 31])
        self.assertEqual(nvme_cli.listed_namespaces("identify failed\n"), [])


class NvmeCliCheckTest(unittest.TestCase):
    """check_nvme_cli on a results share laid out from the real capture."""

    config = Config("t", "test", (Namespace(1, 512, 32768),), serial="NVQE2E0001")
    NAMES = {plan.nvme_cli_step("id-ctrl"): "nvme-cli-id-ctrl.json", plan.nvme_cli_step("id-ns1"): "nvme-cli-id-ns1.json",
             plan.nvme_cli_step("list-ns"): "nvme-cli-list-ns.txt", plan.identify_step(None)[0]: "nvqual-identify-ctrl.json",
             plan.identify_step(1)[0]: "nvqual-identify-ns1.json"}

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.share = Path(self.tmp.name)
        (self.share / "steps").mkdir()
        for step, capture in self.NAMES.items():
            self._step(step, 0, (QEMU_CAPTURE / capture).read_text())
        self._step(plan.nvme_cli_step("smart-log"), 0, '{"critical_warning": 0}')
        self._step(plan.nvme_cli_step("error-log"), 0, '{"errors": []}')

    def tearDown(self):
        self.tmp.cleanup()

    def _step(self, name, rc, out):
        for stream, text in (("rc", f"{rc}\n"), ("out", out), ("err", "")):
            (self.share / "steps" / f"{name}.{stream}").write_text(text)

    def _failures(self, config=None) -> tuple[int, str]:
        report, out = checks.Report(), io.StringIO()
        with redirect_stdout(out):
            nvme_cli.check_nvme_cli(report, checks.GuestRun(self.share), config or self.config)
        return report.failures, out.getvalue()

    def test_the_real_capture_passes(self):
        failures, out = self._failures()
        self.assertEqual(failures, 0, out)
        self.assertIn("PASS Identify Controller: nvqual (vfio-pci) equals nvme-cli (kernel driver) in all 98 values", out)

    def test_differences_are_named_in_the_detail(self):
        nvq = dict(_capture("nvqual-identify-ctrl.json"), sqes=68, cqes=102)
        self._step(plan.identify_step(None)[0], 0, json.dumps(nvq))
        failures, out = self._failures()
        self.assertEqual(failures, 1)
        self.assertIn("2 difference(s):\n     sqes: nvme-cli 102, nvqual 68\n     cqes: nvme-cli 68, nvqual 102", out)

    def test_namespaces_not_as_configured_fail(self):
        two = Config("t", "test", (Namespace(1, 512, 32768), Namespace(2, 512, 8)), serial="NVQE2E0001")
        failures, out = self._failures(two)
        # the list differs, and nvme-cli never read namespace 2 (the comparison stops there)
        self.assertEqual(failures, 2, out)
        self.assertIn("FAIL nvme-cli list-ns lists namespaces [1, 2]", out)

    def test_an_nvme_cli_step_that_failed_or_never_ran_fails(self):
        self._step(plan.nvme_cli_step("id-ctrl"), 1, "")
        (self.share / "steps" / f"{plan.nvme_cli_step('id-ns1')}.rc").unlink()
        self._step(plan.nvme_cli_step("error-log"), 0, "not json")
        self.assertEqual(self._failures()[0], 3)

    def test_nvqual_identify_missing_fails(self):
        (self.share / "steps" / f"{plan.identify_step(1)[0]}.out").write_text("")
        failures, out = self._failures()
        self.assertEqual(failures, 1)
        self.assertIn("FAIL identify-ns1 printed JSON to compare with", out)


class NvmeCliLogsComparisonTest(unittest.TestCase):
    """nvme-cli's logs and features against nvqual's: equal, or within the one-way tolerances."""

    SMART = {"critical_warning": 0, "temperature": 323, "avail_spare": 100, "data_units_read": "33",
             "host_read_commands": "700", "power_on_hours": "0", "num_err_log_entries": "0"}

    def test_equal_logs_pass_and_counters_compare_by_value_not_form(self):
        nvq = dict(self.SMART, data_units_read=33, host_read_commands=700, power_on_hours=0, num_err_log_entries=0)
        self.assertEqual(nvme_cli_logs.compare_smart(self.SMART, nvq), (len(self.SMART), []))

    def test_io_counters_may_not_move_either_way(self):
        for value in (32, 34):
            compared, differences = nvme_cli_logs.compare_smart(self.SMART, dict(self.SMART, data_units_read=value))
            self.assertEqual(len(differences), 1, value)
            self.assertIn("data_units_read: nvme-cli 33", differences[0])

    def test_power_on_hours_may_grow_by_one_only(self):
        self.assertEqual(nvme_cli_logs.compare_smart(self.SMART, dict(self.SMART, power_on_hours=1))[1], [])
        self.assertEqual(len(nvme_cli_logs.compare_smart(self.SMART, dict(self.SMART, power_on_hours=2))[1]), 1)

    def test_temperature_drift_is_bounded_both_ways(self):
        self.assertEqual(nvme_cli_logs.compare_smart(self.SMART, dict(self.SMART, temperature=320))[1], [])
        self.assertEqual(len(nvme_cli_logs.compare_smart(self.SMART, dict(self.SMART, temperature=327))[1]), 1)

    def test_a_missing_key_fails(self):
        nvq = dict(self.SMART)
        del nvq["avail_spare"]
        self.assertEqual(nvme_cli_logs.compare_smart(self.SMART, nvq)[1],
                         ["avail_spare: nvme-cli 100, nvqual prints no such key"])

    def test_error_log_entries_compare_field_by_field(self):
        entry = {"error_count": 0, "sqid": 0, "cmdid": 0, "status_field": 0}
        self.assertEqual(nvme_cli_logs.compare_error_log({"errors": [entry]}, {"errors": [dict(entry)]}), (4, []))
        self.assertEqual(nvme_cli_logs.compare_error_log({"errors": [entry]}, {"errors": [dict(entry, sqid=1)]})[1],
                         ["errors[0].sqid: nvme-cli 0, nvqual 1"])

    def test_fw_log_compares_the_object_under_either_device_name(self):
        cli = {"nvme0": {"Active Firmware Slot (afi)": 1, "Firmware Rev Slot 1": "1 (x)"}}
        nvq = {"0000:00:04.0": {"Active Firmware Slot (afi)": 1, "Firmware Rev Slot 1": "1 (x)"}}
        self.assertEqual(nvme_cli_logs.compare_fw_log(cli, nvq), (2, []))
        nvq["0000:00:04.0"]["Firmware Rev Slot 2"] = "2 (y)"
        self.assertEqual(len(nvme_cli_logs.compare_fw_log(cli, nvq)[1]), 1)

    def test_get_feature_lines_of_nvme_cli_2_3(self):
        self.assertEqual(nvme_cli_logs.parse_get_feature(
            "get-feature:0x04 (Temperature Threshold), Current value:0x00000157\n"), (4, 0x157))
        self.assertEqual(nvme_cli_logs.parse_get_feature(
            "get-feature:0x01 (Arbitration), Current value:00000000\n"), (1, 0))
        self.assertIsNone(nvme_cli_logs.parse_get_feature("NVMe status: Invalid Field"))

    def test_features_compare_dw0_except_the_host_set_queue_counts(self):
        nvq = [{"feature": "0x04", "name": "Temperature Threshold", "value": "0x00000157"},
               {"feature": "0x07", "name": "Number of Queues", "value": "0x00010001"}]
        self.assertEqual(nvme_cli_logs.compare_features({4: 0x157, 7: 0x3F003F}, nvq), (2, []))
        self.assertEqual(len(nvme_cli_logs.compare_features({4: 0x156}, nvq)[1]), 1)
        self.assertEqual(nvme_cli_logs.compare_features({9: 0}, nvq)[1],
                         ["feature 0x09: nvme-cli 0x00000000, nvqual did not read it"])

    def test_the_plan_reads_logs_and_features_before_any_read(self):
        script = plan.plan_script(CONFIGS["default"])
        first_read = script.index("nvqual read")
        for name, _ in plan.SELF_REPORT_STEPS:
            self.assertLess(script.index(f"step {name} "), first_read, name)
        init = GUEST_INIT.read_text()
        self.assertLess(init.index("\nnvme_cli_capture_logs\n"), init.index('nvqual bind "$(basename "$dev")"'))
        self.assertGreater(init.index("\nnvme_cli_capture_logs\n"), init.index("private_mount_refusal \"$first_nvme\""))


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

    def _step(self, name, rc, out, err=""):
        (self.share / "steps" / f"{name}.rc").write_text(f"{rc}\n")
        (self.share / "steps" / f"{name}.out").write_text(out)
        (self.share / "steps" / f"{name}.err").write_text(err)

    def _failures(self, check, *args) -> int:
        report = checks.Report()
        with redirect_stdout(io.StringIO()):
            check(report, checks.GuestRun(self.share), *args)
        return report.failures

    @staticmethod
    def _data_failures(check, *args) -> int:
        """For checks of parsed reports rather than of the share."""
        report = checks.Report()
        with redirect_stdout(io.StringIO()):
            check(report, *args)
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

    REFUSAL = ("nvqual: environment: refusing to bind 0000:00:04.0: /dev/nvme0n1 is busy (claimed by a filesystem, "
               "ZFS pool or another exclusive user, possibly in another mount namespace); export its ZFS pool")

    def test_bind_refused_under_a_private_mount_passes(self):
        self._step(plan.PRIVATE_MOUNT_STEP, 3, "", err=self.REFUSAL)
        self.assertEqual(self._failures(checks.check_private_mount_refused), 0)

    def test_bind_under_a_private_mount_that_succeeded_fails(self):
        self._step(plan.PRIVATE_MOUNT_STEP, 0, "0000:00:04.0: now bound to vfio-pci (was nvme)")
        self.assertEqual(self._failures(checks.check_private_mount_refused), 1)

    def test_private_mount_that_never_happened_fails(self):
        self._step(plan.PRIVATE_MOUNT_STEP, 125, "", err="not started: mounting /dev/nvme0n1 in a private mount "
                   "namespace failed")
        self.assertEqual(self._failures(checks.check_private_mount_refused), 1)
        (self.share / "steps" / f"{plan.PRIVATE_MOUNT_STEP}.rc").unlink()
        self.assertEqual(self._failures(checks.check_private_mount_refused), 1)

    def _clock_failures(self, guest_epoch: int, host_epoch: int) -> int:
        started = self.share / "guest-started"
        started.write_text(f"uptime=4 epoch={guest_epoch}\n")
        os.utime(started, (host_epoch, host_epoch))
        return self._failures(checks.check_guest_clock)

    def test_guest_clock_like_the_hosts_passes(self):
        self.assertEqual(self._clock_failures(1_796_071_846, 1_796_071_848), 0)

    def test_guest_clock_off_fails(self):
        # e.g. an RTC in local time: the deadline would be hours off
        self.assertEqual(self._clock_failures(1_796_071_848 - 3600, 1_796_071_848), 1)
        (self.share / "guest-started").unlink()
        self.assertEqual(self._failures(checks.check_guest_clock), 1)

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
            cases = [{"id": "AQ-010", "failed_commands": list(failed_commands), "failed_commands_dropped": 0}]
            (self.share / plan.HARNESS_JSON).write_text(json.dumps({"suites": [{"cases": cases}]}))
        return self._failures(checks.check_trace, trace, harness)

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

    def test_unrelated_error_before_a_recorded_completion_fails(self):
        # A controller start failure (a driver bug) must not hide behind the
        # deliberate Invalid Opcode that follows it.
        startfail = "pci_nvme_err_startfail_asq_misaligned nvme_start_ctrl failed because the admin submission queue address is misaligned: 0x1001"
        self.assertEqual(self._trace_failures([self.BEGIN, startfail, *self.INVALID_OPCODE, self.END]), 1)
        # Nor does another command's kind of error: a bad PRP is no Invalid Opcode.
        prp = "pci_nvme_err_invalid_prplist_ent PRP list entry not page aligned"
        self.assertEqual(self._trace_failures([self.BEGIN, prp, *self.INVALID_OPCODE, self.END]), 1)

    def test_queue_errors_are_excused_by_their_own_opcode_only(self):
        bad_cqid = {"cid": 9, "nsid": 0, "opcode": 0x01, "status_field": 0x4100}
        create_sq = ["pci_nvme_err_invalid_create_sq_cqid failed creating submission queue, invalid cqid=0",
                     "pci_nvme_err_req_status cid 9 nsid 0 status 0x4100 opc 0x1"]
        self.assertEqual(self._trace_failures([self.BEGIN, *create_sq, self.END], failed_commands=(bad_cqid,)), 0)
        create_cq_event = "pci_nvme_err_invalid_create_cq_cqid failed creating completion queue, cqid=0"
        self.assertEqual(self._trace_failures([self.BEGIN, create_cq_event, create_sq[1], self.END],
                                              failed_commands=(bad_cqid,)), 1)

    def test_recorded_error_missing_from_the_trace_fails(self):
        self.assertEqual(self._trace_failures([self.BEGIN, self.END]), 1)
        other = dict(self.PROVOKED, cid=2)
        self.assertEqual(self._trace_failures([self.BEGIN, *self.INVALID_OPCODE, self.END],
                                              failed_commands=(self.PROVOKED, other)), 1)

    def test_missing_marks_fail(self):
        self.assertEqual(self._trace_failures(self.INVALID_OPCODE), 2)  # the events and the marks

    def test_wrong_nn_fails(self):
        # NN is QEMU's fixed 256, whatever the namespaces: a decoder reading the
        # namespace count (or a byte off) fails.
        self._step("identify-ctrl", 0, json.dumps(dict(self.identify, nn=1)))
        self.assertEqual(self._failures(checks.check_identify_controller, self.config), 1)

    # --- the harness run in the guest

    JUNIT_PASS = ('<testsuites><testsuite name="s"><testcase name="a" classname="s"/>'
                  '<testcase name="b" classname="s"/></testsuite></testsuites>')

    def _harness(self, rc=0, data=None, junit=JUNIT_PASS):
        self._step("harness", rc, "")
        if data is not None:
            (self.share / plan.HARNESS_JSON).write_text(data)
        if junit is not None:
            (self.share / plan.HARNESS_JUNIT).write_text(junit)

    def test_harness_that_passed_passes(self):
        self._harness(data="{}")
        self.assertEqual(self._failures(checks.check_harness), 0)

    def test_harness_failure_in_junit_fails(self):
        self._harness(data="{}", junit='<testsuites><testsuite name="s"><testcase name="a" classname="s"/>'
                      '<testcase name="b" classname="s"><failure type="check" message="m"/></testcase>'
                      "</testsuite></testsuites>")
        self.assertEqual(self._failures(checks.check_harness), 1)

    def test_harness_that_never_ran_fails(self):
        # No step, no reports: a missing harness is a failure, never a skip.
        self.assertEqual(self._failures(checks.check_harness), 3)

    def test_harness_without_json_fails(self):
        self._harness(rc=3, data=None)
        self.assertEqual(self._failures(checks.check_harness), 2)

    FACTS = {"io_sqs": 64, "io_cqs": 64, "io_queues": 64, "namespaces": 1, "nsid": 1, "last_nsid": 1,
             "nn": 256, "mdts": 2, "lba_size": 512, "nsze": 256}

    def _facts_failures(self, config=None, **changes) -> int:
        data = {"target": {"facts": dict(self.FACTS, **changes)}}
        return self._data_failures(checks.check_harness_facts, data, config or self.config)

    def test_facts_as_configured_pass(self):
        self.assertEqual(self._facts_failures(), 0)

    def test_queue_pairs_not_granted_as_configured_fail(self):
        self.assertEqual(self._facts_failures(io_queues=1, io_sqs=1, io_cqs=1), 3)
        one_pair = Config("q", "test", (Namespace(1, 512, 256),), serial="S", mdts=2, max_ioqpairs=1)
        self.assertEqual(self._facts_failures(one_pair), 3)
        self.assertEqual(self._facts_failures(one_pair, io_queues=1, io_sqs=1, io_cqs=1), 0)

    def test_wrong_active_namespace_list_fails(self):
        three = Config("m", "test", tuple(Namespace(n, 512, 256) for n in (1, 2, 3)), serial="S", mdts=2)
        self.assertEqual(self._facts_failures(three, namespaces=3, last_nsid=3), 0)
        # {1, 2}, {1, 3} or {1, 2, 3, 4} instead of {1, 2, 3}
        self.assertEqual(self._facts_failures(three, namespaces=2, last_nsid=2), 3)
        self.assertEqual(self._facts_failures(three, namespaces=2, last_nsid=3), 2)
        self.assertEqual(self._facts_failures(three, namespaces=4, last_nsid=4), 3)

    def test_missing_facts_fail(self):
        self.assertEqual(self._data_failures(checks.check_harness_facts, {"target": {}}, self.config), 1)

    # --- the simulator comparison

    @staticmethod
    def _run(outcomes: dict, **facts) -> dict:
        cases = [{"id": case, "outcome": outcome, "message": f"{case} {outcome}"} for case, outcome in outcomes.items()]
        return {"target": {"facts": facts}, "suites": [{"cases": cases}]}

    def _agreement_failures(self, guest, sim, guest_facts=None, sim_facts=None) -> int:
        return self._data_failures(checks.check_sim_agreement, self._run(guest, **(guest_facts or {})),
                                   self._run(sim, **(sim_facts or {})))

    def test_same_outcomes_pass(self):
        both = {"RD-001": "passed", "ID-015": "skipped", "AQ-001": "passed"}
        self.assertEqual(self._agreement_failures(both, both), 0)

    def test_case_passing_on_one_side_only_fails(self):
        self.assertEqual(self._agreement_failures({"RD-001": "passed"}, {"RD-001": "failed"}), 1)
        self.assertEqual(self._agreement_failures({"RD-001": "skipped"}, {"RD-001": "passed"}), 1)
        self.assertEqual(self._agreement_failures({"RD-001": "error"}, {"RD-001": "passed"}), 1)
        self.assertEqual(self._agreement_failures({"RD-001": "passed"}, {}), 1)

    def test_differing_cases_are_quoted(self):
        out = io.StringIO()
        with redirect_stdout(out):
            checks.check_sim_agreement(checks.Report(), self._run({"RD-002": "skipped"}),
                                       self._run({"RD-002": "passed"}))
        self.assertIn("RD-002: QEMU skipped: RD-002 skipped | simulator passed: RD-002 passed", out.getvalue())

    def test_known_difference_needs_its_facts_to_differ(self):
        guest, sim = {"REG-011": "skipped"}, {"REG-011": "passed"}
        self.assertEqual(self._agreement_failures(guest, sim, {"crms": 0}, {"crms": 1}), 0)
        self.assertEqual(self._agreement_failures(guest, sim, {"crms": 1}, {"crms": 1}), 1)

    def _skip_rule_failures(self, guest_facts, sim_facts, guest_outcome="skipped") -> int:
        rule = "ONCS bit 4 clear: no Save and Select (requires (oncs & 0x10) != 0)"
        guest = self._run({"FEAT-024": guest_outcome})
        guest["suites"][0]["cases"][0]["message"] = rule
        guest["target"]["facts"] = guest_facts
        return self._data_failures(checks.check_sim_agreement, guest, self._run({"FEAT-024": "passed"}, **sim_facts))

    def test_a_skip_is_explained_only_by_the_facts_its_rule_reads(self):
        self.assertEqual(checks.skip_rule_facts("LPA bit 0 set: kept per namespace ((lpa & 0x1) != 0)"), ["lpa"])
        self.assertEqual(checks.skip_rule_facts("no rule here"), [])
        self.assertEqual(self._skip_rule_failures({"oncs": 0}, {"oncs": 0x10}), 0)
        # The same ONCS on both: the skip is a real disagreement.
        self.assertEqual(self._skip_rule_failures({"oncs": 0x10}, {"oncs": 0x10}), 1)
        # A fact the rule does not read differs: no excuse.
        self.assertEqual(self._skip_rule_failures({"oncs": 0x10, "lpa": 0}, {"oncs": 0x10, "lpa": 7}), 1)
        # A fact missing on one side explains nothing.
        self.assertEqual(self._skip_rule_failures({}, {"oncs": 0x10}), 1)
        # Never a failure.
        self.assertEqual(self._skip_rule_failures({"oncs": 0}, {"oncs": 0x10}, guest_outcome="failed"), 1)

    def test_known_difference_never_excuses_a_failure(self):
        self.assertEqual(self._agreement_failures({"REG-011": "failed"}, {"REG-011": "passed"},
                                                  {"crms": 0}, {"crms": 1}), 1)

    def test_known_differences_are_commented_and_few(self):
        for entry in checks.KNOWN_DIFFERENCES.values():
            self.assertTrue(entry.facts and len(entry.why) > 40, entry.case)
        self.assertLessEqual(len(checks.KNOWN_DIFFERENCES), 3)

    # --- the trace self-test

    BAD_DOORBELL = ("pci_nvme_ub_db_wr_invalid_sqtail submission queue doorbell write value beyond queue size, "
                    "sqid=0, new_head=200, ignoring")

    def _fires_failures(self, lines) -> int:
        self._step("bad-doorbell", 0, "")
        trace = self.share / "trace.log"
        trace.write_text("".join(line + "\n" for line in lines))
        return self._failures(checks.check_trace_fires, trace)

    def test_bad_doorbell_in_the_trace_passes(self):
        self.assertEqual(self._fires_failures([self.BAD_DOORBELL, "pci_nvme_err_cfs controller fatal status"]), 0)

    def test_other_events_do_not_count_for_the_bad_doorbell(self):
        self.assertEqual(self._fires_failures(["pci_nvme_err_cfs controller fatal status"]), 1)
        self.assertEqual(self._fires_failures([self.BAD_DOORBELL.replace("new_head=200", "new_head=20")]), 1)

    def test_empty_trace_fails_twice(self):
        # The event is missing, and check_trace does not fail on an empty log.
        self.assertEqual(self._fires_failures([]), 2)

    # --- nvqual devices

    def _devices(self, phase, **changes):
        entry = {"bdf": "0000:00:04.0", "driver": "nvme", "model": "QEMU NVMe Ctrl", "serial": "SER1",
                 "firmware_rev": "7.2.22", "iommu_group": 2, "group_viable": True, "status": "bind first",
                 "ready": False, "in_use": False, "kernel_controllers": ["nvme0"]}
        if phase == "after-bind":
            entry.update(driver="vfio-pci", model=None, serial=None, firmware_rev=None, status="ready", ready=True,
                         kernel_controllers=[])
        entry.update(changes)
        self._step(plan.DEVICES_STEPS[phase][0], 0, json.dumps([entry]))

    def _devices_failures(self) -> int:
        (self.share / "guest-before-bind.txt").write_text(
            "0000:00:04.0 class=0x010802 id=0x1b36:0x0010 driver=nvme iommu_group=2\n")
        return self._failures(checks.check_devices, self.config, "7.2.22")

    def _all_devices(self):
        for phase in ("before-bind", "after-bind", "after-unbind"):
            self._devices(phase)

    def test_devices_around_bind_pass(self):
        self._all_devices()
        self.assertEqual(self._devices_failures(), 0)

    def test_devices_with_wrong_values_fail(self):
        self._all_devices()
        self._devices("before-bind", serial="OTHER")
        self._devices("after-bind", driver="nvme", ready=False)
        self._devices("after-unbind", iommu_group=3)  # not the group sysfs showed
        self.assertEqual(self._devices_failures(), 3)

    def test_devices_missing_the_controller_fails(self):
        self._all_devices()
        self._step(plan.DEVICES_STEPS["after-bind"][0], 0, "[]")
        self.assertEqual(self._devices_failures(), 1)

    # --- identify variants, IOVA, non-root, busy, unbind

    def test_identify_variants_must_match_the_plain_identify(self):
        for name, _ in (plan.IOVA_HIGH_STEP, plan.FUNCTION_RESET_STEP, plan.NONROOT_STEP):
            self._step(name, 0, json.dumps(self.identify))
        self.assertEqual(self._failures(checks.check_identify_variants), 0)
        self._step(plan.FUNCTION_RESET_STEP[0], 0, json.dumps(dict(self.identify, sn="OTHER")))
        self._step(plan.NONROOT_STEP[0], 3, "")
        self.assertEqual(self._failures(checks.check_identify_variants), 2)

    @staticmethod
    def _asq(address: int) -> str:
        return (f"pci_nvme_mmio_asqaddr_hi wrote MMIO, admin submission queue high half={address >> 32:#x}, "
                f"new_address={address:#x}")

    def _iova_failures(self, high, default) -> int:
        lines = ["v9fs_mkdir tag 0 id 72 fid 7 name iova-high-begin mode 493 gid 0", *map(self._asq, high),
                 "v9fs_mkdir tag 0 id 72 fid 7 name iova-high-end mode 493 gid 0",
                 self.BEGIN, *map(self._asq, default), self.END]
        trace = self.share / "trace.log"
        trace.write_text("".join(line + "\n" for line in lines))
        return self._data_failures(checks.check_iova, trace, True)

    def test_admin_queues_at_the_asked_iova_pass(self):
        self.assertEqual(self._iova_failures([0x200000000], [0x100000000, 0x100003000]), 0)

    def test_iova_base_ignored_fails(self):
        self.assertEqual(self._iova_failures([0x100000000], [0x100000000]), 1)
        self.assertEqual(self._iova_failures([], [0x100000000]), 1)
        self.assertEqual(self._iova_failures([0x200000000], [0x200000000]), 1)

    def test_nonroot_without_access_must_name_the_fix(self):
        message = ("nvqual: environment: /dev/vfio/2 (IOMMU group of 0000:00:04.0) is not read-write for the "
                   "current user nvq (uid 1000): owned by user root (uid 0)")
        self._step(plan.NONROOT_NO_ACCESS_STEP[0], 3, "")
        (self.share / "steps" / f"{plan.NONROOT_NO_ACCESS_STEP[0]}.err").write_text(message)
        self.assertEqual(self._failures(checks.check_nonroot), 0)
        self._step(plan.NONROOT_NO_ACCESS_STEP[0], 0, "")  # it worked without access: no check at all
        self.assertEqual(self._failures(checks.check_nonroot), 1)

    def _busy_failures(self, rc=3, pid=327, holder="pid=327\ncmdline=nvqual run --bdf 0000:00:04.0 \nalive-after=yes\n"):
        self._step(plan.BUSY_STEP[0], rc, "")
        (self.share / "steps" / f"{plan.BUSY_STEP[0]}.err").write_text(
            f"nvqual: environment: device busy: 0000:00:04.0 is in use by another nvqual (pid {pid} (nvqual), "
            "user root (uid 0)); wait for it")
        (self.share / plan.LOCK_HOLDER).write_text(holder)
        return self._failures(checks.check_busy)

    def test_second_nvqual_refused_passes(self):
        self.assertEqual(self._busy_failures(), 0)

    def test_second_nvqual_not_refused_fails(self):
        self.assertEqual(self._busy_failures(rc=0), 1)
        self.assertEqual(self._busy_failures(pid=1), 1)  # names another holder
        self.assertEqual(self._busy_failures(pid=3270), 1)  # a pid that merely starts with the holder's

    def test_refusal_after_the_holder_ended_proves_nothing(self):
        self.assertEqual(self._busy_failures(holder="pid=327\ncmdline=nvqual run \nalive-after=no\n"), 1)
        # No holder: nothing held, the refusal names none, nothing was alive.
        self.assertEqual(self._busy_failures(holder="timeout: no nvqual held 0000:00:04.0 within 30 s\n"), 3)

    def test_controller_left_on_vfio_after_unbind_fails(self):
        self._step("unbind", 0, "")
        (self.share / plan.AFTER_UNBIND).write_text("0000:00:04.0 class=0x010802 id=0x1b36:0x0010 driver=nvme "
                                                    "iommu_group=2\n")
        self.assertEqual(self._failures(checks.check_unbind), 0)
        (self.share / plan.AFTER_UNBIND).write_text("0000:00:04.0 class=0x010802 id=0x1b36:0x0010 "
                                                    "driver=vfio-pci iommu_group=2\n")
        self.assertEqual(self._failures(checks.check_unbind), 1)

if __name__ == "__main__":
    unittest.main()
