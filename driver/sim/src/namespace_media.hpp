// What a namespace holds: the LBA stamp pattern computed on the fly, or a
// read-only backing file, under the blocks writes changed (written_media.hpp);
// plus the corrupt-read fault applied on the way out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "nvqual/sim/profile.hpp"
#include "written_media.hpp"

namespace nvqual::sim {

class NamespaceMedia {
 public:
  // Throws DriverError(kEnvironment) when the backing file cannot be opened.
  NamespaceMedia(const NamespaceProfile& profile, const std::vector<CorruptReadFault>& corruptions);
  ~NamespaceMedia();
  NamespaceMedia(NamespaceMedia&& other) noexcept;
  NamespaceMedia& operator=(NamespaceMedia&&) = delete;
  NamespaceMedia(const NamespaceMedia&) = delete;
  NamespaceMedia& operator=(const NamespaceMedia&) = delete;

  uint32_t nsid() const { return nsid_; }
  uint64_t size_blocks() const { return size_blocks_; }
  uint32_t lba_size() const { return lba_size_; }
  uint8_t dlfeat() const { return dlfeat_; }
  // The blocks writes changed. Synchronised on its own, so commands on several
  // queues (holding only the DMA lock) may write through a const NamespaceMedia.
  WrittenMedia& written() const { return *written_; }

  // Fills `out` (blocks x lba_size bytes) with blocks [slba, slba + blocks).
  // The range is within the namespace (the caller checked). Returns false on
  // an I/O error reading the backing file.
  bool read(uint64_t slba, std::span<std::byte> out) const;

 private:
  struct Corruption {
    uint64_t lba;
    uint32_t offset;
    uint8_t xor_mask;
  };
  uint32_t nsid_;
  uint64_t size_blocks_;
  uint32_t lba_size_;
  uint8_t dlfeat_;
  std::unique_ptr<WrittenMedia> written_;
  int fd_ = -1;                          // backing file, or -1 for the stamp pattern
  std::vector<Corruption> corruptions_;  // sorted by LBA
};

// The LBA stamp (nvqual/driver/lba_stamp.hpp) for one block, built from a
// precomputed byte ramp rather than byte by byte: a 4 KiB block costs a
// memcpy. tests/sim check it against lba_stamp::check.
void fast_stamp_block(std::span<std::byte> block, uint64_t lba, uint32_t nsid);

}  // namespace nvqual::sim
