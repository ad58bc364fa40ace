#include "stamp_fill.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nvqual/driver/lba_stamp.hpp"
#include "nvqual/driver/write_stamp.hpp"

namespace nvqual::app {

namespace {

void stamp(std::span<std::byte> data, const FillPlan& plan, uint64_t lba) {
  if (plan.generation == 0) {
    lba_stamp::fill(data, plan.lba_size, lba, plan.nsid);
  } else {
    write_stamp::fill(data, plan.lba_size, write_stamp::Stamp{lba, plan.nsid, plan.generation, plan.seed});
  }
}

std::string mismatch(std::span<const std::byte> data, const FillPlan& plan, uint64_t lba) {
  if (plan.generation == 0) {
    const auto bad = lba_stamp::check(data, plan.lba_size, lba, plan.nsid);
    if (!bad) return "";
    return fmt::format("LBA {} of namespace {} does not hold the LBA stamp: byte {} is {:02x}h, expected {:02x}h",
                       bad->lba, plan.nsid, bad->byte, bad->actual, bad->expected);
  }
  const auto bad = write_stamp::check(data, plan.lba_size,
                                      write_stamp::Stamp{lba, plan.nsid, plan.generation, plan.seed});
  if (!bad) return "";
  return fmt::format("{} in namespace {}: {}", write_stamp::to_string(bad->verdict), plan.nsid, bad->detail);
}

// Each chunk of every range in order: [lba, lba + blocks).
template <typename Each>
void for_each_chunk(const FillPlan& plan, uint64_t chunk_blocks, Each&& each) {
  for (const FillRange& range : plan.ranges) {
    for (uint64_t lba = range.first;;) {
      const uint64_t blocks = std::min(chunk_blocks, range.last - lba + 1);
      each(lba, blocks);
      if (range.last - lba + 1 == blocks) break;
      lba += blocks;
    }
  }
}

}  // namespace

std::string FillPlan::stamp_name() const {
  return generation == 0 ? std::string("the LBA stamp")
                         : fmt::format("the write stamp (generation {}, seed {:#x})", generation, seed);
}

uint64_t fill_chunk_blocks(uint64_t blocks_per_command, uint32_t queue_depth, uint32_t lba_size,
                           uint64_t max_chunk_bytes) {
  const uint64_t command_bytes = blocks_per_command * lba_size;
  const uint64_t commands = std::clamp<uint64_t>(max_chunk_bytes / command_bytes, 1,
                                                 std::max<uint32_t>(queue_depth, 1));
  return commands * blocks_per_command;
}

void fill_ranges(Controller& controller, QueuePair& queue, DmaBuffer& buffer, const FillPlan& plan,
                 const ChunkDone& done) {
  const uint64_t chunk_blocks = buffer.size() / plan.lba_size;
  for_each_chunk(plan, chunk_blocks, [&](uint64_t lba, uint64_t blocks) {
    const std::span<std::byte> data = buffer.bytes().first(blocks * plan.lba_size);
    stamp(data, plan, lba);
    WriteRequest request;
    request.nsid = plan.nsid;
    request.slba = lba;
    request.blocks = blocks;
    const ReadResult result = controller.write(queue, request, buffer);
    if (!result.ok()) {
      throw DriverError(ErrorKind::kCommandFailed,
                        fmt::format("Write of namespace {} LBAs {}..{} failed: {}", plan.nsid, lba, lba + blocks - 1,
                                    result.completion.status().describe()));
    }
    done(data.size());
  });
  // A volatile write cache (VWC) holds the data until Flush (NVM 1.0, 3.2.2).
  const spec::CompletionEntry flushed = controller.flush(queue, plan.nsid);
  if (!flushed.status().ok()) {
    throw DriverError(ErrorKind::kCommandFailed, fmt::format("Flush of namespace {} after the fill failed: {}",
                                                             plan.nsid, flushed.status().describe()));
  }
}

std::string verify_ranges(Controller& controller, QueuePair& queue, DmaBuffer& buffer, const FillPlan& plan,
                          const ChunkDone& done) {
  const uint64_t chunk_blocks = buffer.size() / plan.lba_size;
  std::string problem;
  for_each_chunk(plan, chunk_blocks, [&](uint64_t lba, uint64_t blocks) {
    if (!problem.empty()) return;
    const ReadResult result = controller.read(queue, ReadRequest{plan.nsid, lba, blocks, std::nullopt}, buffer);
    if (!result.ok()) {
      throw DriverError(ErrorKind::kCommandFailed,
                        fmt::format("Read of namespace {} LBAs {}..{} failed: {}", plan.nsid, lba, lba + blocks - 1,
                                    result.completion.status().describe()));
    }
    problem = mismatch(buffer.bytes().first(blocks * plan.lba_size), plan, lba);
    done(blocks * plan.lba_size);
  });
  return problem;
}

}  // namespace nvqual::app
