#include "nvqual/vfio/dma_estimate.hpp"

#include "nvqual/driver/controller.hpp"
#include "nvqual/driver/dma_buffer.hpp"
#include "nvqual/driver/queue_limits.hpp"
#include "nvqual/driver/spec/queue_entries.hpp"

namespace nvqual::vfio::dma_estimate {
namespace {

constexpr uint64_t kPage = DmaBuffer::kHostPage;

uint64_t pages(uint64_t bytes) { return (bytes + kPage - 1) / kPage; }

// The harness's limits (harness/src/suite_loader.cpp, steps/step_support.cpp):
// admin queues up to 4096 entries, I/O queues up to 65536 (queue_limits.hpp),
// a step's buffer up to 64 MiB. read_offset_sweep holds two buffers at once,
// and the shipped suites create at most two I/O queue pairs (suites/read.yaml).
constexpr uint32_t kRunAdminEntries = queue_limits::kMaxAdminEntries;
constexpr uint32_t kRunIoEntries = queue_limits::kMaxIoEntries;
constexpr uint64_t kRunIoQueuePairs = 2;
constexpr uint64_t kRunStepBufferBytes = uint64_t{64} << 20;
constexpr uint64_t kRunStepBuffers = 2;

}  // namespace

static_assert(kDefaultArenaBytes == ControllerOptions::kDefaultDmaArenaBytes);
static_assert(transfer(4096) == 2 * kPage);

uint64_t arena(uint64_t bytes) { return pages(bytes) * kPage; }

uint64_t queue_pair(uint32_t sq_entries, uint32_t cq_entries) {
  return (pages(uint64_t{sq_entries} * spec::kSubmissionEntrySize) +
          pages(uint64_t{cq_entries} * spec::kCompletionEntrySize)) *
         kPage;
}

uint64_t identify() {
  const uint32_t admin = ControllerOptions{}.admin_queue_entries;
  return queue_pair(admin, admin) + kPage;
}

uint64_t read(uint64_t chunk_bytes, uint32_t queue_entries) {
  return identify() + queue_pair(queue_entries, queue_entries) + transfer(chunk_bytes);
}

uint64_t run() {
  return queue_pair(kRunAdminEntries, kRunAdminEntries) + kPage +  // admin queue, one Identify page
         kRunIoQueuePairs * queue_pair(kRunIoEntries, kRunIoEntries) + kRunStepBuffers * transfer(kRunStepBufferBytes);
}

}  // namespace nvqual::vfio::dma_estimate
