// Helpers the step files share: observing completions and decoding Identify
// fields by name from the driver's layout table (identify_layout.hpp).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "nvqual/driver/controller.hpp"
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

// Throws CaseInputError unless `offset` is dword aligned (the PRP1 rule, 2.0 4.1.1).
void require_dword_aligned(uint64_t offset, const char* what);
// An Identify structure as data (no LBA, no block size), for same_as checks.
DataPtr page_data(std::span<const std::byte> page);
// Number of bytes in `page` that are not zero.
uint64_t nonzero_bytes(std::span<const std::byte> page);

// The common "buffer_offset" parameter: where in the buffer PRP1 points.
ParamSpec buffer_offset_param();

}  // namespace nvqual::harness::steps
