"""Model profiles (suites/README.md, "Model profiles") for the two sides the
stage compares: QEMU's controller as a configuration's command line sets it
up, and the simulator as a fixtures/sim profile describes it.

With a profile the model cases (ID-020, ID-021, RD-023) run on both sides
instead of being skipped. Each value is stated from its source (the QEMU
command line and QEMU's fixed values; the simulator profile's YAML), never
read back from the device under test.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

from .configs import QEMU_LBA_FORMATS, QEMU_MODEL, QEMU_NLBAF, QEMU_NN, QEMU_OACS, QEMU_ONCS, QEMU_SSVID, QEMU_VID, Config
from .stamp import stamp_block

GOLDEN_BLOCKS = 8  # golden.first_8_blocks: LBAs 0-7 of the first active namespace
FR_BYTES = 8  # Identify Controller FR is 8 ASCII characters (NVMe Base 2.0 Figure 275)
HEX_KEYS = {"identify_controller.vid", "identify_controller.ssvid", "identify_controller.oacs",
            "identify_controller.oncs"}  # IDs and bit fields read best in hex


def golden_digest(nsid: int, lba_size: int) -> str:
    """SHA-256 of the first 8 blocks of a namespace carrying the LBA stamp."""
    digest = hashlib.sha256()
    for lba in range(GOLDEN_BLOCKS):
        digest.update(stamp_block(lba, nsid, lba_size))
    return digest.hexdigest()


def qemu_firmware_revision(qemu_binary: str = "qemu-system-x86_64") -> str:
    """QEMU reports its own version as FR (hw/nvme/ctrl.c copies QEMU_VERSION,
    cut to 8 characters), so it comes from the binary that runs the guest."""
    out = subprocess.run([qemu_binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    match = re.search(r"QEMU emulator version (\S+)", out)
    if match is None:
        raise ValueError(f"`{qemu_binary} --version` printed no 'QEMU emulator version X': {out.strip()[:200]!r}")
    return match.group(1)[:FR_BYTES]


def _lba_formats(formats) -> list[dict[str, int]]:
    """identify_namespace.lba_formats entries from (data bytes, metadata bytes) pairs."""
    return [{"data_size": data, "metadata_size": meta} for data, meta in formats]


def _render(model: str, description: str, values: dict) -> str:
    # JSON strings are valid YAML double-quoted scalars; numbers stay numbers.
    lines = [f"# Written by ci/qemu/e2e/models.py for one run; see suites/README.md, \"Model profiles\".",
             f"model: {json.dumps(model)}", f"description: {json.dumps(description)}", "values:"]
    for key, value in values.items():
        # JSON is YAML flow syntax: strings and lists of formats render as is.
        text = (json.dumps(value) if isinstance(value, (str, list))
                else f"{value:#x}" if key in HEX_KEYS else str(value))
        lines.append(f"  {key}: {text}")
    return "\n".join(lines) + "\n"


def qemu_model_profile(config: Config, firmware_revision: str) -> str:
    first = min(config.namespaces, key=lambda ns: ns.nsid)  # the harness's `nsid`: the first active one
    values: dict = {
        "identify_controller.vid": QEMU_VID,
        "identify_controller.ssvid": QEMU_SSVID,
        "identify_controller.mn": QEMU_MODEL,
        "identify_controller.fr": firmware_revision,
        "identify_controller.mdts": config.expected_mdts,
        "identify_controller.nn": QEMU_NN,
        "identify_controller.oacs": QEMU_OACS,
        "identify_controller.oncs": QEMU_ONCS,
        "identify_namespace.nsze": first.blocks,
        "identify_namespace.ncap": first.blocks,
        "identify_namespace.nlbaf": QEMU_NLBAF,
        "identify_namespace.lba_formats": _lba_formats(QEMU_LBA_FORMATS),
        "identify_namespace.lba_size": first.lba_size,
        "golden.first_8_blocks": golden_digest(first.nsid, first.lba_size),
    }
    return _render(f"{QEMU_MODEL} (QEMU {firmware_revision}, configuration {config.name})",
                   f"qemu_{config.name}: {config.description}", values)


def load_sim_profile(path: Path) -> dict:
    try:
        import yaml  # python3-yaml; lib/ensure-host-tools.sh installs it
    except ImportError as error:
        raise ValueError("python3-yaml is missing; run ci/qemu/lib/ensure-host-tools.sh as root") from error
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict) or "controller" not in data or "namespaces" not in data:
        raise ValueError(f"{path} is not a simulator profile (no controller: / namespaces:)")
    return data


def sim_namespaces(profile: dict) -> dict[int, int]:
    """NSID -> LBA data size of the active format, for every namespace of a simulator profile."""
    return {int(ns["nsid"]): int(ns["formats"][int(ns.get("active_format", 0))]["data_size"])
            for ns in profile["namespaces"]}


def sim_model_profile(path: Path) -> str:
    """The model profile of the simulator a fixtures/sim profile describes,
    with the defaults fixtures/sim/README.md documents for absent keys."""
    profile = load_sim_profile(path)
    ctrl = profile["controller"]
    first = min(profile["namespaces"], key=lambda ns: int(ns["nsid"]))
    nsid, lba_size = int(first["nsid"]), sim_namespaces(profile)[int(first["nsid"])]
    if first.get("content") != "stamp":
        raise ValueError(f"{path}: namespace {nsid} does not serve the LBA stamp; the comparison needs it")
    nsze = int(first["size_blocks"])
    values: dict = {
        "identify_controller.vid": int(ctrl["vid"]),
        "identify_controller.ssvid": int(ctrl.get("ssvid", ctrl["vid"])),
        "identify_controller.mn": str(ctrl["model"]),
        "identify_controller.fr": str(ctrl["firmware"]),
        "identify_controller.mdts": int(ctrl["mdts"]),
        # nn 0 means "the largest NSID"
        "identify_controller.nn": int(ctrl.get("nn", 0)) or max(sim_namespaces(profile)),
        "identify_controller.oacs": int(ctrl.get("oacs", 0)),
        "identify_controller.oncs": int(ctrl.get("oncs", 0)),
        "identify_namespace.nsze": nsze,
        "identify_namespace.ncap": int(first.get("capacity_blocks", nsze)),
        "identify_namespace.nlbaf": len(first["formats"]) - 1,
        "identify_namespace.lba_formats": _lba_formats((int(f["data_size"]), int(f.get("metadata_size", 0)))
                                                      for f in first["formats"]),
        "identify_namespace.lba_size": lba_size,
        "golden.first_8_blocks": golden_digest(nsid, lba_size),
    }
    return _render(f"{ctrl['model']} ({path.name})", f"the simulator fixtures/sim/{path.name} describes", values)
