"""nvme-cli's logs and features against nvqual's, field by field.

guest/init's nvme_cli_capture_logs runs Debian's nvme-cli (2.3) through the
kernel's nvme driver right before `nvqual bind` (smart-log, error-log, fw-log
as JSON, get-feature of each FID in plan.NVME_CLI_FEATURE_FIDS); the plan's
first steps (plan.SELF_REPORT_STEPS) read the same through vfio-pci with
`nvqual log --json` and `nvqual features --json`, whose keys are nvme-cli's.
Between the two reads only the bind and nvqual's own bring-up (admin commands,
no I/O) touch the controller, so most values must be equal. The tolerances,
each for a value that moves on its own between two reads:

- SMART counters of host I/O (data units, host commands): nvqual's may only be
  at least nvme-cli's, and by no more than the I/O issued between the two
  reads, which is none (GROWTH_BOUND, 0: the kernel's unbind only flushes,
  which no counter counts).
- power_on_hours and controller_busy_time: at least nvme-cli's and at most one
  more (an hour or a minute boundary may fall between the reads).
- temperature and temperature_sensor_N: within TEMPERATURE_DRIFT_K either way
  (a real controller's temperature drifts; QEMU 7.2's is constant).
- fw-log: nvme-cli keys its object by the kernel's device name, nvqual by the
  BDF; the one object inside each is compared.
- get-feature 07h Number of Queues: each host sets its own counts (the kernel
  one queue pair per CPU, nvqual its own at bring-up), so each reads what it
  asked for; only that both read one is checked.
- get-feature 0Eh Timestamp: nvme-cli 2.3 prints DW0 (0) and a dump of the
  data, which counts milliseconds; DW0 is compared.
"""
from __future__ import annotations

import re

from . import plan
from .checks import GuestRun, Report, _json_step

GROWTH_BOUND = 0
TEMPERATURE_DRIFT_K = 3
IO_COUNTERS = frozenset({"data_units_read", "data_units_written", "host_read_commands", "host_write_commands"})
SLOW_CLOCKS = frozenset({"power_on_hours", "controller_busy_time"})
HOST_SET_FEATURES = frozenset({0x07})
# nvme-cli 2.3's get-feature line: "get-feature:0x01 (Arbitration), Current value:0x00000157"
# ("%#0*x" prints 0 without its 0x: "value:00000000").
GET_FEATURE_LINE = re.compile(r"^get-feature:(?:0x)?([0-9a-fA-F]+) \((.*?)\), (\w+) value:(?:0x)?([0-9a-fA-F]+)",
                              re.M)


def _number(value) -> int | None:
    """nvme-cli 2.3 prints 128-bit counters as decimal strings, nvqual as numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def compare_smart(cli: dict, nvq: dict) -> tuple[int, list[str]]:
    """How many values were compared, and one line per difference."""
    differences, compared = [], 0
    for key, want in cli.items():
        if key not in nvq:
            differences.append(f"{key}: nvme-cli {want!r}, nvqual prints no such key")
            continue
        a, b = _number(want), _number(nvq[key])
        compared += 1
        if a is None or b is None:
            differences.append(f"{key}: nvme-cli {want!r}, nvqual {nvq[key]!r} (not numbers)")
        elif key in IO_COUNTERS:
            if not a <= b <= a + GROWTH_BOUND:
                differences.append(f"{key}: nvme-cli {a}, nvqual {b} (allowed {a}..{a + GROWTH_BOUND}: "
                                   "no I/O ran between the two reads)")
        elif key in SLOW_CLOCKS:
            if not a <= b <= a + 1:
                differences.append(f"{key}: nvme-cli {a}, nvqual {b} (allowed {a}..{a + 1})")
        elif key == "temperature" or key.startswith("temperature_sensor_"):
            if abs(a - b) > TEMPERATURE_DRIFT_K:
                differences.append(f"{key}: nvme-cli {a} K, nvqual {b} K (allowed +-{TEMPERATURE_DRIFT_K} K)")
        elif a != b:
            differences.append(f"{key}: nvme-cli {a}, nvqual {b}")
    return compared, differences


def compare_error_log(cli: dict, nvq: dict) -> tuple[int, list[str]]:
    want, got = cli.get("errors"), nvq.get("errors")
    if not isinstance(want, list) or not isinstance(got, list):
        return 0, [f"errors: nvme-cli {type(want).__name__}, nvqual {type(got).__name__}"]
    differences, compared = [], 0
    if len(want) != len(got):
        differences.append(f"errors: nvme-cli lists {len(want)} entries, nvqual {len(got)}")
    for index, (w, g) in enumerate(zip(want, got)):
        for key, value in w.items():
            compared += 1
            if g.get(key) != value:
                differences.append(f"errors[{index}].{key}: nvme-cli {value!r}, nvqual {g.get(key)!r}")
    return compared, differences


def compare_fw_log(cli: dict, nvq: dict) -> tuple[int, list[str]]:
    if len(cli) != 1 or len(nvq) != 1:
        return 0, [f"fw-log: nvme-cli has {len(cli)} top-level objects, nvqual {len(nvq)} (one each expected)"]
    want, got = next(iter(cli.values())), next(iter(nvq.values()))
    differences = [f"{key}: nvme-cli {value!r}, nvqual {got.get(key, 'no such key')!r}"
                   for key, value in want.items() if got.get(key) != value]
    differences += [f"{key}: nvqual {value!r}, nvme-cli prints no such key" for key, value in got.items()
                    if key not in want]
    return len(want), differences


def parse_get_feature(text: str) -> tuple[int, int] | None:
    """(FID, DW0) of nvme-cli 2.3's get-feature line."""
    match = GET_FEATURE_LINE.search(text)
    return (int(match.group(1), 16), int(match.group(4), 16)) if match else None


def compare_features(cli: dict[int, int], nvq: list) -> tuple[int, list[str]]:
    """nvme-cli's DW0 per FID against nvqual's `features --json` entries."""
    by_fid = {int(entry["feature"], 16): entry for entry in nvq if isinstance(entry, dict) and "feature" in entry}
    differences, compared = [], 0
    for fid, value in sorted(cli.items()):
        entry = by_fid.get(fid)
        if entry is None:
            differences.append(f"feature {fid:#04x}: nvme-cli {value:#010x}, nvqual did not read it")
            continue
        if "value" not in entry:
            differences.append(f"feature {fid:#04x}: nvme-cli {value:#010x}, nvqual refused: {entry.get('status')}")
            continue
        compared += 1
        if fid in HOST_SET_FEATURES:
            continue  # each host reads the counts it set (module docstring)
        if int(entry["value"], 16) != value:
            differences.append(f"feature {fid:#04x} ({entry.get('name')}): nvme-cli {value:#010x}, "
                               f"nvqual {entry['value']}")
    return compared, differences


def _report(report: Report, what: str, compared: int, differences: list[str]) -> None:
    report.check(not differences and compared > 0,
                 f"{what}: nvqual (vfio-pci) equals nvme-cli (kernel driver) in all {compared} values, "
                 "within the tolerances nvme_cli_logs.py explains",
                 f"{len(differences)} difference(s):\n     " + "\n     ".join(differences))


def check_nvme_cli_logs(report: Report, run: GuestRun) -> None:
    for what, step, compare in (("SMART / Health log", "log-smart", compare_smart),
                                ("Error Information log", "log-error", compare_error_log),
                                ("Firmware Slot log", "log-fw", compare_fw_log)):
        cli_name = {"log-smart": "smart-log", "log-error": "error-log", "log-fw": "fw-log"}[step]
        cli = _json_step(report, run, plan.nvme_cli_logs_step(cli_name))
        nvq = _json_step(report, run, step)
        if cli is not None and nvq is not None:
            _report(report, what, *compare(cli, nvq))
    cli_features: dict[int, int] = {}
    for fid in plan.NVME_CLI_FEATURE_FIDS:
        name = plan.nvme_cli_logs_step(f"get-feature{fid}")
        parsed = parse_get_feature(run.step_text(name, "out")) if run.step_rc(name) == 0 else None
        if report.check(parsed is not None and parsed[0] == fid, f"nvme-cli get-feature {fid:#04x} printed its value",
                        f"exit code {run.step_rc(name)}; stdout {run.step_text(name, 'out')[:200]!r}; "
                        f"stderr {run.step_text(name, 'err')[:200]!r}"):
            cli_features[fid] = parsed[1]
    nvq_features = _json_step(report, run, "features")
    if nvq_features is not None and cli_features:
        _report(report, "Features", *compare_features(cli_features, nvq_features))
