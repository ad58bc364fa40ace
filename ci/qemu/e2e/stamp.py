"""The LBA stamp pattern `nvqual pattern` writes (driver/include/nvqual/driver/lba_stamp.hpp).

Re-stated here independently so the stage also checks the images the host
wrote, not only that the guest read back the same bytes.
"""
from __future__ import annotations


def stamp_block(lba: int, nsid: int, lba_size: int) -> bytes:
    """Bytes 0-7: LBA, 8-11: NSID (both little-endian); byte i >= 12: (LBA*31 + i) mod 256."""
    head = lba.to_bytes(8, "little") + nsid.to_bytes(4, "little")
    base = lba * 31
    return head + bytes((base + i) & 0xFF for i in range(12, lba_size))
