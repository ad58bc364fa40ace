#include "step_support.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nvqual/driver/prp.hpp"

namespace nvqual::harness::steps {

namespace {

bool listed(std::span<const char* const> names, std::string_view name) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return name == n; });
}

// Little-endian integer of up to 8 bytes; wider fields saturate when their high bytes are set.
uint64_t read_le(std::span<const std::byte> page, const FieldSpec& field) {
  uint64_t value = 0;
  const size_t low = std::min<size_t>(field.width, 8);
  for (size_t i = 0; i < low; ++i) value |= static_cast<uint64_t>(page[field.offset + i]) << (8 * i);
  for (size_t i = 8; i < field.width; ++i) {
    if (page[field.offset + i] != std::byte{0}) return ~uint64_t{0};
  }
  return value;
}

std::string ascii_trimmed(std::span<const std::byte> raw) {
  std::string text;
  for (std::byte b : raw) text += static_cast<char>(b);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
  return text;
}

}  // namespace

std::vector<ObservationSpec> identify_observations(std::span<const FieldSpec> layout,
                                                   std::span<const char* const> text_fields,
                                                   std::span<const char* const> skipped_fields) {
  std::vector<ObservationSpec> out;
  for (const FieldSpec& f : layout) {
    if (listed(skipped_fields, f.name)) continue;
    if (listed(text_fields, f.name)) {
      out.push_back({f.name, ValueKind::kText, fmt::format("bytes {}-{}, ASCII", f.offset, f.end() - 1)});
    } else {
      out.push_back({f.name, ValueKind::kNumber, fmt::format("bytes {}-{}", f.offset, f.end() - 1)});
    }
  }
  return out;
}

void observe_identify_fields(std::span<const std::byte> page, std::span<const FieldSpec> layout,
                             std::span<const char* const> text_fields, std::span<const char* const> skipped_fields,
                             Observations& out) {
  for (const FieldSpec& f : layout) {
    if (listed(skipped_fields, f.name)) continue;
    if (listed(text_fields, f.name)) {
      const auto raw = page.subspan(f.offset, f.width);
      out[f.name] = TextValue{ascii_trimmed(raw), std::vector<std::byte>(raw.begin(), raw.end())};
    } else {
      out[f.name] = read_le(page, f);
    }
  }
}

DmaBuffer buffer_for(StepContext& ctx, size_t bytes, size_t offset) {
  constexpr size_t kLimit = size_t{64} << 20;
  if (bytes + offset > kLimit) {
    throw CaseInputError(
        fmt::format("a {}-byte transfer at offset {} is larger than the 64 MiB nvqual allows per step", bytes, offset));
  }
  // From the controller's arena (mapped once): a step maps nothing of its own.
  return DmaBuffer(ctx.controller().dma_memory(), std::max<size_t>(bytes + offset, 1));
}

void poison(StepContext& ctx, std::span<std::byte> bytes) {
  // splitmix64 of the seed: distinct seeds give distinct words; the position
  // term makes the words of one buffer differ from each other too.
  uint64_t z = ctx.next_poison_seed() * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  const uint64_t seed = z ^ (z >> 31);
  for (size_t i = 0; i < bytes.size(); ++i) {
    const uint64_t word = seed ^ ((i / 8) * 0xD6E8FEB86659FD93ull);
    bytes[i] = static_cast<std::byte>(word >> (8 * (i % 8)));
  }
}

IdentifyBuffer::IdentifyBuffer(StepContext& ctx, size_t offset)
    : buffer_(buffer_for(ctx, kIdentifyPageSize, offset)), offset_(offset) {
  poison(ctx, std::span<std::byte>(buffer_.data(), buffer_.size()));
  poison_.assign(buffer_.data(), buffer_.data() + buffer_.size());
}

std::span<const std::byte> IdentifyBuffer::page() const {
  return std::span<const std::byte>(buffer_.data() + offset_, kIdentifyPageSize);
}

uint64_t IdentifyBuffer::settle(spec::Status status) {
  std::byte* page = buffer_.data() + offset_;
  if (!status.ok()) {
    std::fill_n(page, kIdentifyPageSize, std::byte{0});
    return 0;
  }
  // In 8-byte pieces: a piece the controller wrote equals its poison with
  // chance 2^-64, where single bytes would match 1 time in 256.
  uint64_t unwritten = 0;
  for (size_t i = 0; i + 8 <= kIdentifyPageSize; i += 8) {
    if (std::equal(page + i, page + i + 8, poison_.data() + offset_ + i)) unwritten += 8;
  }
  return unwritten;
}

ObservationSpec unwritten_bytes_observation() {
  return {"unwritten_bytes", ValueKind::kNumber,
          "bytes of the 4 KiB structure a successful command did not write (still poisoned; 0 after an error)"};
}

void require_dword_aligned(uint64_t offset, const char* what) {
  if (!prp::is_dword_aligned(offset)) {
    throw CaseInputError(fmt::format(
        "{} {} is not a multiple of 4: PRP entries are dword aligned (NVMe Base 2.0, 4.1.1)", what, offset));
  }
}

DataPtr page_data(std::span<const std::byte> page) {
  auto data = std::make_shared<DataBlock>();
  data->bytes.assign(page.begin(), page.end());
  return data;
}

uint64_t nonzero_bytes(std::span<const std::byte> page) {
  return static_cast<uint64_t>(std::count_if(page.begin(), page.end(), [](std::byte b) { return b != std::byte{0}; }));
}

ParamSpec buffer_offset_param() {
  return {.name = "buffer_offset",
          .kind = ParamKind::kNumber,
          .default_value = "0",
          .description = "byte offset of the data in its buffer (PRP1 offset; dword aligned)",
          .min = 0,
          .max = 65536,
          .multiple_of = 4};
}

}  // namespace nvqual::harness::steps
