// Everything a controller's DMA may reach, in one place, so the code that
// stops a controller can find all of it: the queues (admin, I/O, those whose
// deletion failed, those created raw) and, per command, the PRP list pages
// and the data buffer in flight. Private to the driver.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "nvqual/driver/dma_buffer.hpp"
#include "nvqual/driver/queue_pair.hpp"

namespace nvqual::detail {

struct QueueMemory {
  std::unique_ptr<QueuePair> admin;
  std::map<uint16_t, std::unique_ptr<QueuePair>> io;
  // Memory of queues created through the raw create_io_cq/sq calls: kept until
  // the controller is disabled, because only then can nothing reach it.
  std::vector<DmaBuffer> raw;
  std::vector<std::unique_ptr<QueuePair>> retired;  // deletion failed: still known to the device

  bool empty() const { return !admin && io.empty() && raw.empty() && retired.empty(); }
  // Frees every queue: only once the controller is known stopped (or its
  // memory was abandoned first, see StopLadder::abandon_memory).
  void drop() noexcept {
    io.clear();
    retired.clear();
    admin.reset();
    raw.clear();
  }
};

// PRP list pages for one command; they must outlive its completion.
struct PrpLists {
  DmaBuffer pages;
};

// What in-flight commands may still reach besides the queues: given up
// unfreed with them when the controller cannot be stopped.
struct InFlight {
  DmaBuffer* data = nullptr;
  std::span<PrpLists> lists;
};

// The bytes of `in_flight.data` from the command's PRP1 to the buffer's end
// (where a DSM range list starts), empty when PRP1 is not in that buffer.
inline std::span<const std::byte> data_at_prp1(const InFlight& in_flight, const spec::SubmissionEntry& sqe) {
  const DmaBuffer* buffer = in_flight.data;
  if (buffer == nullptr || sqe.prp1 < buffer->iova() || sqe.prp1 - buffer->iova() >= buffer->size()) return {};
  const size_t offset = static_cast<size_t>(sqe.prp1 - buffer->iova());
  return {buffer->data() + offset, buffer->size() - offset};
}

}  // namespace nvqual::detail
