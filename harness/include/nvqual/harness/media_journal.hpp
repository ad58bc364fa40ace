// The media journal: what every media-changing step of a run left on the
// media, in the order the steps ran, so an independent checker (QEMU's host
// side, ci/qemu/e2e/integrity.py) can replay it and know what each block must
// hold (docs/data-integrity.md, "The media journal"). `nvqual run
// --media-journal FILE` writes it once, when the run ends.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace nvqual::harness {

// An entry's nsid for a command of every namespace (NVMe Base 2.0, 3.2.1.1:
// NSID FFFFFFFFh is the broadcast value).
inline constexpr uint32_t kEveryNamespace = 0xFFFFFFFF;

// [first_lba, last_lba] of one namespace; last_lba UINT64_MAX: to its end (a
// command that names no LBAs, such as Format NVM).
struct MediaJournalEntry {
  enum class Holds {
    kWriteStamp,               // write_stamp.hpp: generation and seed known
    kWriteStampAnyGeneration,  // a write stamp of seed S, of a generation the step does not track
    kZeroes,                   // Write Zeroes
    kDeallocated,  // Dataset Management: `deallocated_byte` is DLFEAT's promise, none when it promises nothing
    kDigest,       // data the host cannot re-derive: sha256 of the range's bytes
    kUnknown,      // a command failed or was cut off: the blocks may hold anything
  };
  uint32_t nsid = 1;
  uint64_t first_lba = 0;
  uint64_t last_lba = 0;  // inclusive
  Holds holds = Holds::kUnknown;
  uint32_t generation = 0;                  // kWriteStamp
  uint64_t seed = 0;                        // both write stamp kinds
  std::optional<uint8_t> deallocated_byte;  // kDeallocated
  std::string sha256;                       // kDigest: lowercase hex
  // kWriteStampAnyGeneration: a block may instead still hold what it held
  // before (a random workload need not write every block of its range).
  bool or_previous = false;
};

// Appended to from case threads (one at a time, but another thread than the
// one that writes the file): a mutex keeps it consistent.
class MediaJournal {
 public:
  void add(MediaJournalEntry entry);
  std::vector<MediaJournalEntry> entries() const;
  // {"format": "nvqual-media-journal", "version": 1, "entries": [...]}
  std::string to_json() const;
  // Complete or not at all (write_file_atomically).
  void write(const std::filesystem::path& path) const;

 private:
  mutable std::mutex mutex_;
  std::vector<MediaJournalEntry> entries_;
};

}  // namespace nvqual::harness
