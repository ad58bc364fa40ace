// What a controller's commands added up to, for checking the device's own
// counters against them (SMART / Health, NVMe Base 2.0 5.16.1.3; the harness's
// health reconciliation, docs/self-reports.md). Counted where every command
// of a Controller is posted and collected (controller_submit.hpp): a few
// additions per command, no allocation, no clock read.
#pragma once

#include <chrono>
#include <cstdint>

namespace nvqual {

struct CommandCounts {
  // Read and Compare commands that completed with success, and the bytes of
  // logical block data they moved: what the device must count in Host Read
  // Commands and Data Units Read (NVM Command Set 1.0 4.1.4.2: Compare and
  // Read are counted in every spec version).
  uint64_t reads_completed = 0;
  uint64_t bytes_read_completed = 0;
  // Read, Compare and Verify commands sent, whatever became of them, and
  // their bytes: the most a device can count (Verify is counted by devices
  // that follow NVM 1.0's wording, and a failed read may be counted too).
  uint64_t reads_sent = 0;
  uint64_t bytes_read_sent = 0;
  // Read-class commands sent to a namespace whose LBA size the driver did not
  // know (no Identify Namespace of it since the last reset): their bytes are
  // in neither sum, so bytes_read_sent is no upper bound while this is not 0.
  uint64_t reads_of_unknown_size = 0;
  // Successful CC.EN 0->1 transitions and the slowest of them, from EN=1 to CSTS.RDY=1.
  uint64_t enables = 0;
  std::chrono::nanoseconds slowest_enable{0};

  // Adds counts of another stretch (another case, another Controller).
  void add(const CommandCounts& more) {
    reads_completed += more.reads_completed;
    bytes_read_completed += more.bytes_read_completed;
    reads_sent += more.reads_sent;
    bytes_read_sent += more.bytes_read_sent;
    reads_of_unknown_size += more.reads_of_unknown_size;
    enables += more.enables;
    if (more.slowest_enable > slowest_enable) slowest_enable = more.slowest_enable;
  }
};

}  // namespace nvqual
