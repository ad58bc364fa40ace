// Helpers the step files share: observing completions and decoding Identify
// fields by name from the driver's layout table (identify_layout.hpp).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "nvqual/driver/controller.hpp"
#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/identify_layout.hpp"
#include "nvqual/harness/step.hpp"
#include "nvqual/harness/step_context.hpp"

namespace nvqual::harness::steps {

// Observation specs for an Identify structure's fields: numbers for fields up
// to 8 bytes (16-byte counters saturate at 2^64-1), text for the ASCII strings.
std::vector<ObservationSpec> identify_observations(std::span<const FieldSpec> layout,
                                                   std::span<const char* const> text_fields,
                                                   std::span<const char* const> skipped_fields);
void observe_identify_fields(std::span<const std::byte> page, std::span<const FieldSpec> layout,
                             std::span<const char* const> text_fields, std::span<const char* const> skipped_fields,
                             Observations& out);

// A zeroed DMA buffer of at least `bytes` + `offset` bytes.
DmaBuffer buffer_for(StepContext& ctx, size_t bytes, size_t offset = 0);
// Fills `bytes` with a pattern no other poisoned buffer of this case has (every
// 8-byte word differs from the same word of any other poisoned buffer). Done
// before a transfer, so memory the controller never wrote cannot agree with
// another read's: zero-filled buffers would make two missed transfers "agree".
void poison(StepContext& ctx, std::span<std::byte> bytes);

// An Identify data buffer (4 KiB structure at `offset`), poisoned before the
// command like a read buffer: a controller that reports success without
// writing (all or part of) the structure leaves poison, counted as
// unwritten_bytes, instead of zeros that pass for "no namespaces" or
// reserved bytes. After an error status the page is zeroed: a refused command
// transfers nothing, and its data is observed as an empty structure.
class IdentifyBuffer {
 public:
  explicit IdentifyBuffer(StepContext& ctx, size_t offset = 0);
  DmaBuffer& dma() { return buffer_; }
  size_t offset() const { return offset_; }
  std::span<const std::byte> page() const;
  // Call once the command completed: zeroes the page after an error, and
  // returns the bytes of the structure still holding the poison (0 after an error).
  uint64_t settle(spec::Status status);

 private:
  DmaBuffer buffer_;
  size_t offset_;
  std::vector<std::byte> poison_;
};
// Its observation: the loader adds the implicit check `unwritten_bytes == 0`
// to every step that observes it and names no check of its own on it.
ObservationSpec unwritten_bytes_observation();

// Throws CaseInputError unless `offset` is dword aligned (the PRP1 rule, 2.0 4.1.1).
void require_dword_aligned(uint64_t offset, const char* what);
// An Identify structure as data (no LBA, no block size), for same_as checks.
DataPtr page_data(std::span<const std::byte> page);
// Number of bytes in `page` that are not zero.
uint64_t nonzero_bytes(std::span<const std::byte> page);

// The common "buffer_offset" parameter: where in the buffer PRP1 points.
ParamSpec buffer_offset_param();

}  // namespace nvqual::harness::steps
