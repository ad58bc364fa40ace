#include "nvqual/driver/stream_reader.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "idle_polling.hpp"
#include "nvqual/driver/prp.hpp"

namespace nvqual {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw DriverError(ErrorKind::kInvalidArgument, message); }

size_t round_up(size_t value, size_t to) { return (value + to - 1) / to * to; }

}  // namespace

StreamReader::StreamReader(Controller& controller, QueuePair& queue, const StreamReadOptions& options)
    : controller_(controller), queue_(queue), options_(options) {
  const uint32_t lba = options.lba_size;
  if (lba < 512 || (lba & (lba - 1)) != 0) invalid(fmt::format("LBA size {} is not a power of two >= 512", lba));
  if (options.command_blocks == 0 || options.command_blocks > cmd::kMaxBlocksPerRead) {
    invalid(fmt::format("one Read moves 1..{} blocks, asked for {}", cmd::kMaxBlocksPerRead, options.command_blocks));
  }
  const size_t command_bytes = size_t{options.command_blocks} * lba;
  if (const uint64_t mdts = controller.max_transfer_bytes(); mdts != 0 && command_bytes > mdts) {
    invalid(fmt::format("{}-byte Reads are above the controller's MDTS limit of {} bytes", command_bytes, mdts));
  }
  if (options.depth == 0 || options.depth > queue.capacity()) {
    invalid(fmt::format("{} commands in flight do not fit queue {}, which holds 1..{}", options.depth, queue.qid(),
                        queue.capacity()));
  }
  if (queue.outstanding() != 0) invalid(fmt::format("queue {} has commands in flight already", queue.qid()));

  // Layout, as IoEngine's: `depth` data buffers, then a list page per slot when needed.
  const size_t page = controller.page_size();
  const size_t data_bytes = round_up(command_bytes, page);
  const size_t entries = prp::pages_spanned(0, command_bytes, page);
  const size_t list_pages = entries > 2 ? prp::list_pages_needed(entries - 1, page) : 0;
  memory_ = DmaBuffer(controller.dma_memory(), (data_bytes + list_pages * page) * options.depth, page);
  slots_.resize(options.depth);
  slot_of_cid_.assign(size_t{1} << 16, 0);
  for (uint32_t i = 0; i < options.depth; ++i) {
    Slot& slot = slots_[i];
    slot.data_offset = i * data_bytes;
    const prp::Plan plan = prp::plan(memory_.iova() + slot.data_offset, command_bytes, page);
    slot.prp1 = plan.prp1;
    slot.prp2 = plan.prp2;
    if (plan.needs_list()) {
      const size_t lists_at = options.depth * data_bytes + i * list_pages * page;
      std::vector<uint64_t> page_iovas;
      for (size_t p = 0; p < list_pages; ++p) page_iovas.push_back(memory_.iova() + lists_at + p * page);
      const auto laid_out = prp::lay_out_lists(plan.list_entries, page_iovas, page);
      for (size_t p = 0; p < laid_out.size(); ++p) {
        std::memcpy(memory_.data() + lists_at + p * page, laid_out[p].data(), page);
      }
      slot.prp2 = page_iovas.front();
    }
  }
}

void StreamReader::check_timeouts(Clock::time_point now) const {
  for (const Slot& slot : slots_) {
    if (slot.in_flight && now - slot.submitted > controller_.command_timeout()) {
      throw DriverError(
          ErrorKind::kCommandTimeout,
          fmt::format("Read of namespace {} LBA {} got no completion within {} ms; {}", options_.nsid, slot.slba,
                      std::chrono::duration_cast<std::chrono::milliseconds>(controller_.command_timeout()).count(),
                      queue_.describe_state()));
    }
  }
}

void StreamReader::stop_controller_and_rethrow() {
  // Commands may still be in flight: the controller stops before the slots
  // can be freed by unwinding; if it cannot be stopped, they are given up.
  try {
    controller_.disable();
  } catch (...) {
  }
  if (controller_.unusable()) memory_.abandon();
  throw;
}

uint64_t StreamReader::read(uint64_t first_lba, uint64_t blocks, const Sink& sink, const ShouldStop& should_stop) {
  Clock& clock = controller_.clock();
  Clock& idle_clock = idle_polling::clock_for_pauses(clock);
  const uint64_t per = options_.command_blocks;
  const uint64_t commands = (blocks + per - 1) / per;
  uint64_t issued = 0;     // commands posted
  uint64_t delivered = 0;  // commands handed to the sink, in order
  uint64_t delivered_blocks = 0;
  bool stopping = false;
  std::optional<DriverError> failure;  // a failed Read: drain, then report it
  uint32_t idle_polls = 0;
  // Slot of command k is k % depth: the oldest undelivered command is always in slot `head`.
  const auto issue = [&](Clock::time_point now) {
    Slot& slot = slots_[issued % options_.depth];
    slot.slba = first_lba + issued * per;
    slot.blocks = static_cast<uint32_t>(std::min<uint64_t>(per, first_lba + blocks - slot.slba));
    spec::SubmissionEntry sqe = cmd::read(options_.nsid, slot.slba, slot.blocks);
    sqe.prp1 = slot.prp1;
    sqe.prp2 = slot.prp2;
    if (slot.blocks != per) {
      // The short last command: fewer pages, so PRP2 may be a data page or unused.
      const size_t page = controller_.page_size();
      const size_t bytes = size_t{slot.blocks} * options_.lba_size;
      const size_t pages = prp::pages_spanned(slot.prp1, bytes, page);
      if (pages == 1) sqe.prp2 = 0;
      if (pages == 2) sqe.prp2 = (slot.prp1 / page + 1) * page;
    }
    slot.submitted = now;
    slot.in_flight = true;
    slot.done = false;
    slot_of_cid_[queue_.post(sqe)] = static_cast<uint32_t>(issued % options_.depth);
    ++issued;
  };
  try {
    for (;;) {
      const Clock::time_point now = clock.now();
      if (!stopping && !failure && should_stop && should_stop()) stopping = true;
      bool posted = false;
      while (!stopping && !failure && issued < commands && issued - delivered < options_.depth) {
        issue(now);
        posted = true;
      }
      if (posted) queue_.ring();  // one doorbell write per batch
      if (issued == delivered) break;
      const uint32_t consumed = queue_.poll([&](const spec::CompletionEntry& cqe) {
        Slot& slot = slots_[slot_of_cid_[cqe.cid()]];
        slot.in_flight = false;
        slot.done = true;
        slot.completion = cqe;
      });
      // Deliver in order: the slot of the oldest command first.
      while (delivered < issued) {
        Slot& slot = slots_[delivered % options_.depth];
        if (!slot.done) break;
        slot.done = false;
        ++delivered;
        if (failure) continue;
        if (!slot.completion.status().ok()) {
          failure = DriverError(ErrorKind::kCommandFailed,
                                fmt::format("read of namespace {} LBAs {}..{} failed: {}", options_.nsid, slot.slba,
                                            slot.slba + slot.blocks - 1, slot.completion.status().describe()));
          continue;
        }
        sink(memory_.bytes().subspan(slot.data_offset, size_t{slot.blocks} * options_.lba_size), slot.slba);
        delivered_blocks += slot.blocks;
      }
      if (consumed != 0) {
        idle_polls = 0;
      } else if (++idle_polls % idle_polling::kPollsPerPause == 0) {
        check_timeouts(clock.now());
        idle_clock.pause(idle_polling::kPause);
      }
    }
  } catch (...) {
    stop_controller_and_rethrow();
  }
  if (failure) throw *failure;
  return delivered_blocks;
}

}  // namespace nvqual
