"""nvme-cli's Identify against nvqual's, field by field.

guest/init runs Debian's nvme-cli (2.3 in Debian 12) on the controller while
the kernel's nvme driver still owns it (steps plan.nvme_cli_step); the plan
then runs `nvqual identify --json` on the same controller through vfio-pci.
nvqual's JSON uses nvme-cli's key names, so every key nvme-cli prints, the
entries of psds[] and lbafs[] included, must have nvqual's counterpart with the
same value. nvqual's parser, encoder and simulator share one field table, so a
swapped pair of same-width fields or a wrong offset passes every test inside
the project; nvme-cli decodes the page with libnvme's structures instead.
"""
from __future__ import annotations

import re
from typing import Callable

from . import plan
from .checks import GuestRun, Report, _json_step, load_json
from .configs import Config

# How nvme-cli 2.3 renders a value nvqual prints in another form (nvme-print.c,
# json_nvme_id_ctrl and json_nvme_id_ns). Each compares the same bytes; none
# lets a field go unchecked. Keys are paths, "[]" standing for any entry.
#
# ASCII fields: nvme-cli prints the raw bytes up to the first NUL ("%-.*s"),
# the space padding included; nvqual's parser drops trailing spaces and NULs.
PADDED_TEXT = frozenset({"sn", "mn", "fr", "subnqn"})
# 128-bit counts: nvme-cli prints a decimal string, nvqual a number (up to 64
# bits; a decimal string beyond).
UINT128 = frozenset({"tnvmcap", "unvmcap", "megcap", "maxdna", "nvmcap"})
# nvme-cli keys for bytes nvqual splits into named fields: nvme-cli's value,
# rebuilt from nvqual's fields of the same entry.
REBUILT: dict[str, tuple[tuple[str, ...], Callable[..., int]]] = {
    # Power State Descriptor byte 3 (NVMe Base 2.0 Figure 276): MXPS in bit 0,
    # NOPS in bit 1, bits 7:2 reserved.
    "psds[].flags": (("max_power_scale", "non-operational_state"), lambda mxps, nops: mxps | nops << 1),
}
# nvme-cli keys compared with nothing, each with the reason. Empty: every key
# nvme-cli 2.3 prints for QEMU's controller has an nvqual counterpart that
# does not change between the two reads.
EXCLUDED: dict[str, str] = {}

ENTRY_INDEX = re.compile(r"\[\d+\]")


def _rule(path: str) -> str:
    return ENTRY_INDEX.sub("[]", path)


def _same(rule: str, cli, nvq) -> bool:
    if rule in PADDED_TEXT:
        return isinstance(cli, str) and isinstance(nvq, str) and cli.rstrip(" ") == nvq
    if rule in UINT128:
        as_int = lambda v: v if isinstance(v, int) else int(v) if isinstance(v, str) and v.isdigit() else None
        return as_int(cli) is not None and as_int(cli) == as_int(nvq)
    return type(cli) is type(nvq) and cli == nvq


class Comparison:
    """Every value of nvme-cli's JSON against nvqual's: how many were compared,
    one line per difference, and the keys only nvqual prints (not a failure:
    nvme-cli hides some fields nvqual always shows)."""

    def __init__(self, cli, nvq) -> None:
        self.compared = 0
        self.differences: list[str] = []
        self._nvqual_only: set[str] = set()
        self._object(cli, nvq, "")

    @property
    def nvqual_only(self) -> list[str]:
        return sorted(self._nvqual_only)

    def _object(self, cli, nvq, path: str) -> None:
        if not isinstance(cli, dict) or not isinstance(nvq, dict):
            self.differences.append(f"{path or 'top level'}: nvme-cli {type(cli).__name__}, "
                                    f"nvqual {type(nvq).__name__}")
            return
        counterparts = set()
        for key, want in cli.items():
            at = f"{path}.{key}" if path else key
            rule = _rule(at)
            if rule in EXCLUDED:
                counterparts.add(key)
                continue
            if rule in REBUILT:
                sources, rebuild = REBUILT[rule]
                counterparts.update(sources)
                if not all(isinstance(nvq.get(source), int) for source in sources):
                    self.differences.append(f"{at}: nvme-cli {want!r}, nvqual lacks {' or '.join(sources)} "
                                            "to rebuild it from")
                    continue
                got = rebuild(*(nvq[source] for source in sources))
            elif key not in nvq:
                self.differences.append(f"{at}: nvme-cli {want!r}, nvqual prints no such key")
                continue
            else:
                got = nvq[key]
            self._value(want, got, at)
        self._nvqual_only.update(_rule(f"{path}.{key}" if path else key) for key in nvq
                                 if key not in cli and key not in counterparts)

    def _value(self, want, got, at: str) -> None:
        if isinstance(want, dict):
            self._object(want, got, at)
        elif isinstance(want, list):
            if not isinstance(got, list):
                self.differences.append(f"{at}: nvme-cli a list, nvqual {got!r}")
                return
            if len(want) != len(got):
                self.differences.append(f"{at}: nvme-cli lists {len(want)} entries, nvqual {len(got)}")
            for index, (w, g) in enumerate(zip(want, got)):
                self._value(w, g, f"{at}[{index}]")
        else:
            self.compared += 1
            if not _same(_rule(at), want, got):
                self.differences.append(f"{at}: nvme-cli {want!r}, nvqual {got!r}")


def listed_namespaces(text: str) -> list[int]:
    """NSIDs of `nvme list-ns` (plain output, "[   0]:0x1" per namespace)."""
    return [int(nsid, 16) for nsid in re.findall(r"^\[\s*\d+\]:0x([0-9a-fA-F]+)$", text, re.M)]


def _compare(report: Report, run: GuestRun, cli_step: str, nvqual_step: str, what: str) -> None:
    cli = _json_step(report, run, cli_step)
    nvq = load_json(run.share / "steps" / f"{nvqual_step}.out")
    if cli is None or not report.check(nvq is not None, f"{nvqual_step} printed JSON to compare with {cli_step}",
                                       f"step {nvqual_step}: exit {run.step_rc(nvqual_step)}"):
        return
    comparison = Comparison(cli, nvq)
    also = f"; nvqual also prints {', '.join(comparison.nvqual_only)}" if comparison.nvqual_only else ""
    report.check(not comparison.differences and comparison.compared > 0,
                 f"{what}: nvqual (vfio-pci) equals nvme-cli (kernel driver) in all {comparison.compared} "
                 f"values nvme-cli prints{also}",
                 f"{len(comparison.differences)} difference(s):\n     " + "\n     ".join(comparison.differences))


def check_nvme_cli(report: Report, run: GuestRun, config: Config) -> None:
    """What nvme-cli read through the kernel's nvme driver before the bind:
    the active namespaces as configured, Identify Controller and each Identify
    Namespace equal to nvqual's field by field, and the SMART and Error
    Information logs (kept for later checks) printed as JSON."""
    name = plan.nvme_cli_step("list-ns")
    if run.step_ok(report, name):
        listed, expected = listed_namespaces(run.step_text(name, "out")), [ns.nsid for ns in config.namespaces]
        report.check(listed == expected, f"nvme-cli list-ns lists namespaces {expected}",
                     f"it listed {listed}: {run.step_text(name, 'out')[:200]!r}")
    _compare(report, run, plan.nvme_cli_step("id-ctrl"), plan.identify_step(None)[0], "Identify Controller")
    for ns in config.namespaces:
        _compare(report, run, plan.nvme_cli_step(f"id-ns{ns.nsid}"), plan.identify_step(ns.nsid)[0],
                 f"Identify Namespace {ns.nsid}")
    for what in ("smart-log", "error-log"):
        _json_step(report, run, plan.nvme_cli_step(what))
