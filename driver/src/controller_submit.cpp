// The submit path: the media-change guard (checked in post_ring_collect), PRP filling, and the two ways a
// command reaches the device, one at a time (submit_and_wait) or a batch
// behind one doorbell write (submit_batch). Both stop the controller before
// an error propagates once anything is in flight, so unwinding cannot free
// memory an outstanding command may still write.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "controller_submit.hpp"
#include "nvqual/driver/prp.hpp"
#include "queue_memory.hpp"

namespace nvqual {

namespace {

// NVM 1.0 3.2.3 Dataset Management: a 16-byte range is context attributes
// (dword 0), length in blocks (dword 1, 1-based) and SLBA (bytes 15:8).
uint64_t le_at(std::span<const std::byte> bytes, size_t offset, size_t width) {
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i) value |= uint64_t{std::to_integer<uint8_t>(bytes[offset + i])} << (8 * i);
  return value;
}

}  // namespace

std::string Controller::extent_refusal(uint16_t qid, const spec::SubmissionEntry& sqe,
                                       std::span<const std::byte> data) const {
  const bool real = !transport_.is_simulator();
  if (qid == 0) return policy_.whole_namespace_refusal(real, sqe.nsid);  // Format, Sanitize, firmware, vendor
  switch (static_cast<spec::NvmOpcode>(sqe.opcode())) {
    case spec::NvmOpcode::kWrite:
    case spec::NvmOpcode::kWriteUncorrectable:
    case spec::NvmOpcode::kWriteZeroes: {
      const uint64_t slba = (uint64_t{sqe.cdw11} << 32) | sqe.cdw10;
      return policy_.lba_refusal(real, sqe.nsid, slba, uint64_t{sqe.cdw12 & 0xFFFF} + 1);
    }
    case spec::NvmOpcode::kDatasetManagement: {
      const size_t ranges = (sqe.cdw10 & 0xFF) + 1;  // NR is 0-based
      if (data.size() < ranges * 16) {
        return fmt::format("its {} ranges are not in a data buffer the driver can read", ranges);
      }
      for (size_t i = 0; i < ranges; ++i) {
        const uint64_t blocks = le_at(data, i * 16 + 4, 4);
        if (blocks == 0) continue;  // touches nothing
        std::string why = policy_.lba_refusal(real, sqe.nsid, le_at(data, i * 16 + 8, 8), blocks);
        if (!why.empty()) return why;
      }
      return "";
    }
    default:
      // Copy, reservations, vendor-specific and unknown opcodes: the driver cannot
      // tell which blocks they touch, so only a whole-namespace scratch range covers them.
      return policy_.whole_namespace_refusal(real, sqe.nsid);
  }
}

bool Controller::guard_media_change(uint16_t qid, const spec::SubmissionEntry& sqe,
                                    std::span<const std::byte> data) const {
  const bool changes = qid == 0 ? spec::admin_opcode_changes_media(sqe.opcode())
                                : spec::nvm_opcode_changes_media(sqe.opcode());
  if (!changes) return false;
  std::optional<std::string> serial;
  if (identity_) serial = identity_->sn;
  std::string why = policy_.refusal(!transport_.is_simulator(), serial);
  if (why.empty()) why = extent_refusal(qid, sqe, data);
  if (!why.empty()) {
    throw DriverError(ErrorKind::kMediaChangeRefused,
                      fmt::format("refusing {} (opcode {:02x}h on queue {}, nsid {}): {}",
                                  opcode_name(qid, sqe.opcode()), sqe.opcode(), qid, sqe.nsid, why));
  }
  return true;
}

std::string Controller::media_change_refusal(uint32_t nsid, uint64_t slba, uint64_t blocks) const {
  std::optional<std::string> serial;
  if (identity_) serial = identity_->sn;
  const bool real = !transport_.is_simulator();
  std::string why = policy_.refusal(real, serial);
  return why.empty() ? policy_.lba_refusal(real, nsid, slba, blocks) : why;
}

std::byte* Controller::slot_list_page(QueuePair& queue, size_t slot, uint64_t& iova) {
  if (slot >= kListSlots) return nullptr;
  DmaBuffer& pages = queue.list_pages();
  if (pages.empty()) {
    // Once per queue, from the arena: one page for each command a batch can hold.
    const size_t slots = std::min<size_t>(queue.capacity(), kListSlots);
    pages = DmaBuffer(dma_memory(), slots * page_size_, page_size_);
  }
  if ((slot + 1) * page_size_ > pages.size()) return nullptr;
  iova = pages.iova() + slot * page_size_;
  return pages.data() + slot * page_size_;
}

detail::PrpLists Controller::fill_prps(QueuePair& queue, size_t slot, spec::SubmissionEntry& sqe, DmaBuffer& buffer,
                                       size_t length, size_t offset) {
  if (length == 0 || offset + length > buffer.size()) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("data transfer of {} bytes at offset {} does not fit a {}-byte buffer", length,
                                  offset, buffer.size()));
  }
  prp::require_dword_aligned(offset);
  // NVMe Base 2.0, 4.1.1: PRP1 at the data, PRP2 the second page or a list of
  // every page after the first (the buffer is contiguous in IOVA space).
  const uint64_t address = buffer.iova() + offset;
  const size_t pages = prp::pages_spanned(address, length, page_size_);
  const uint64_t second_page = (address / page_size_ + 1) * page_size_;
  sqe.prp1 = address;
  sqe.prp2 = pages == 2 ? second_page : 0;
  if (pages <= 2) return {};
  const size_t entries = pages - 1;
  uint64_t list_iova = 0;
  if (entries <= page_size_ / sizeof(uint64_t)) {
    if (std::byte* list = slot_list_page(queue, slot, list_iova); list != nullptr) {
      // The steady-state path: the slot's own page, no allocation.
      for (size_t i = 0; i < entries; ++i) {
        const uint64_t entry = second_page + i * page_size_;
        std::memcpy(list + i * sizeof(uint64_t), &entry, sizeof(entry));
      }
      sqe.prp2 = list_iova;
      return {};
    }
  }
  // A list longer than one page (a transfer above 2 MiB with 4 KiB pages), or
  // a batch position past kListSlots: chained pages of its own, from the arena.
  const prp::Plan plan = prp::plan(address, length, page_size_);
  detail::PrpLists lists;
  const size_t list_pages = prp::list_pages_needed(plan.list_entries.size(), page_size_);
  lists.pages = DmaBuffer(dma_memory(), list_pages * page_size_, page_size_);
  std::vector<uint64_t> page_iovas;
  for (size_t i = 0; i < list_pages; ++i) page_iovas.push_back(lists.pages.iova() + i * page_size_);
  const auto laid_out = prp::lay_out_lists(plan.list_entries, page_iovas, page_size_);
  for (size_t i = 0; i < laid_out.size(); ++i) {
    std::memcpy(lists.pages.data() + i * page_size_, laid_out[i].data(), page_size_);
  }
  sqe.prp2 = page_iovas.front();
  return lists;
}

spec::CompletionEntry Controller::submit_and_wait(QueuePair& queue, spec::SubmissionEntry sqe, DmaBuffer* buffer,
                                                  size_t length, size_t offset) {
  require_enabled("a command");
  detail::PrpLists lists;
  if (buffer != nullptr) lists = fill_prps(queue, 0, sqe, *buffer, length, offset);
  spec::CompletionEntry completion;
  uint16_t cid = 0;
  post_ring_collect(queue, std::span<const spec::SubmissionEntry>(&sqe, 1), std::span<uint16_t>(&cid, 1),
                    detail::InFlight{buffer, std::span<detail::PrpLists>(&lists, 1)},
                    [&](const spec::CompletionEntry& cqe) { completion = cqe; });
  return completion;
}

std::vector<spec::CompletionEntry> Controller::submit_batch(QueuePair& queue,
                                                            std::span<const spec::SubmissionEntry> batch) {
  require_enabled("a batch of commands");
  if (batch.size() > queue.free_slots()) {
    throw DriverError(
        ErrorKind::kQueueFull,
        fmt::format("a batch of {} commands does not fit queue {} ({} free slots; controller state {}); "
                    "{}",
                    batch.size(), queue.qid(), queue.free_slots(), to_string(state_), queue.describe_state()));
  }
  std::vector<spec::CompletionEntry> completions;
  completions.reserve(batch.size());
  std::vector<uint16_t> cids(batch.size());
  post_ring_collect(queue, batch, cids, detail::InFlight{},
                    [&](const spec::CompletionEntry& cqe) { completions.push_back(cqe); });
  return completions;
}

QueuePair& Controller::admin_queue() {
  require_enabled("the admin queue");
  return *queues_->admin;
}

spec::CompletionEntry Controller::admin(spec::SubmissionEntry sqe) {
  require_enabled("an admin command");
  return submit_and_wait(*queues_->admin, sqe, nullptr, 0, 0);
}

spec::CompletionEntry Controller::admin(spec::SubmissionEntry sqe, DmaBuffer& buffer, size_t length, size_t offset) {
  require_enabled("an admin command");
  return submit_and_wait(*queues_->admin, sqe, &buffer, length, offset);
}

spec::CompletionEntry Controller::execute(QueuePair& queue, spec::SubmissionEntry sqe) {
  return submit_and_wait(queue, sqe, nullptr, 0, 0);
}

spec::CompletionEntry Controller::execute(QueuePair& queue, spec::SubmissionEntry sqe, DmaBuffer& buffer, size_t length,
                                          size_t offset) {
  return submit_and_wait(queue, sqe, &buffer, length, offset);
}

}  // namespace nvqual
