"""The reads the guest performs on each namespace, each checked byte for byte
against the image the host wrote."""
from __future__ import annotations

from dataclasses import dataclass

from .configs import QEMU_PAGE_SIZE, Config, Namespace

# A read of this size stands in for "large" when the controller has no MDTS limit.
UNLIMITED_LARGE_READ = 1 << 20


@dataclass(frozen=True)
class Read:
    label: str
    namespace: Namespace
    slba: int
    nlb: int  # 1-based block count, as `nvqual read --blocks` takes it

    @property
    def name(self) -> str:
        return f"read-ns{self.namespace.nsid}-{self.label}"

    @property
    def offset(self) -> int:
        return self.slba * self.namespace.lba_size

    @property
    def size(self) -> int:
        return self.nlb * self.namespace.lba_size


def _blocks_for(size: int, ns: Namespace) -> int:
    return -(-size // ns.lba_size)


def reads_for(config: Config, ns: Namespace) -> list[Read]:
    last = ns.blocks - 1
    # More than two pages, so PRP2 must point at a PRP list (NVMe Base 2.0 4.1.1),
    # starting off a page boundary in the namespace.
    prp_list_blocks = _blocks_for(3 * QEMU_PAGE_SIZE, ns) + 1
    # Larger than the maximum transfer, and not a multiple of it, so the read is
    # split and the last piece is short; it ends on the last LBA.
    limit = config.max_transfer_bytes
    large = 2 * (limit if limit is not None else UNLIMITED_LARGE_READ)
    large_blocks = _blocks_for(large, ns) + 3
    reads = [
        Read("lba0", ns, 0, 1),
        Read("last-lba", ns, last, 1),
        Read("prp-list", ns, 3, prp_list_blocks),
        Read("over-mdts" if limit is not None else "large", ns, ns.blocks - large_blocks, large_blocks),
    ]
    for read in reads:
        if read.slba < 0 or read.slba + read.nlb > ns.blocks:
            raise ValueError(f"configuration {config.name}: {read.name} lies outside namespace {ns.nsid} "
                             f"({ns.blocks} blocks); make the namespace larger")
    return reads
