// The device side of PRPs (NVMe Base 2.0, 4.1.1): turns PRP1/PRP2 of a
// command moving `length` bytes into host memory segments, checking what a
// strict controller checks. Runs under the device's DMA lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "iova_space.hpp"
#include "nvqual/driver/spec/status.hpp"

namespace nvqual::sim {

struct PrpOutcome {
  spec::Status status = spec::status::kSuccess;
  std::string violation;  // the driver mistake behind a failure, empty on success
  bool ok() const { return status.ok(); }
};

// Appends one host span per memory page touched to `segments` (cleared first).
// Failures: PRP1 not dword aligned, a later entry or list chain pointer with a
// page offset, a list pointer not qword aligned -> 00/13 PRP Offset Invalid;
// any unmapped IOVA -> 00/04 Data Transfer Error.
PrpOutcome walk_prps(const IovaSpace& memory, uint64_t prp1, uint64_t prp2, size_t length, uint64_t page_size,
                     std::vector<std::span<std::byte>>& segments);

// Copies between a contiguous buffer and the segments.
void scatter(std::span<const std::byte> data, const std::vector<std::span<std::byte>>& segments);
void gather(const std::vector<std::span<std::byte>>& segments, std::span<std::byte> data);

}  // namespace nvqual::sim
