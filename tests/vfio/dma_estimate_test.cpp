// The RLIMIT_MEMLOCK estimates against what the driver core really allocates:
// the simulator counts as a transport, so a command's actual DMA footprint is
// measured and the estimate must not be below it.
#include "nvqual/vfio/dma_estimate.hpp"

#include <algorithm>
#include <memory>

#include <gtest/gtest.h>

#include "common/forwarding_transport.hpp"
#include "nvqual/driver/controller.hpp"
#include "nvqual/sim/profile.hpp"
#include "nvqual/sim/simulated_controller.hpp"

namespace nvqual::vfio {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;

// Forwards to the simulator and records the most DMA memory live at once,
// in whole 4 KiB pages as the VFIO transport pins it.
class PinCounter final : public testing_support::ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  DmaRegion dma_alloc(size_t size, size_t alignment) override {
    const DmaRegion region = inner().dma_alloc(size, alignment);
    live_ += (size + 4095) / 4096 * 4096;
    peak_ = std::max(peak_, live_);
    return region;
  }
  void dma_free(const DmaRegion& region) noexcept override {
    live_ -= (region.size + 4095) / 4096 * 4096;
    inner().dma_free(region);
  }
  uint64_t peak() const { return peak_; }

 private:
  uint64_t live_ = 0;
  uint64_t peak_ = 0;
};

TEST(DmaEstimate, QueuePairIsWholePagesOfEntries) {
  EXPECT_EQ(dma_estimate::queue_pair(32, 32), 8 * kKiB);        // 2 KiB and 512 bytes, a page each
  EXPECT_EQ(dma_estimate::queue_pair(65536, 65536), 5 * kMiB);  // 4 MiB + 1 MiB
  EXPECT_EQ(dma_estimate::queue_pair(4096, 2), 256 * kKiB + 4 * kKiB);
}

TEST(DmaEstimate, TransferAddsRoomForPrpLists) {
  EXPECT_EQ(dma_estimate::transfer(4096), 2 * 4096u);
  EXPECT_EQ(dma_estimate::transfer(1 * kMiB), (256 + 128 + 1) * 4096u);
}

TEST(DmaEstimate, CommandsAreOrderedAndRunIsTheHarnessWorstCase) {
  EXPECT_LT(dma_estimate::identify(), dma_estimate::read());
  EXPECT_LT(dma_estimate::read(), dma_estimate::run());
  EXPECT_GT(dma_estimate::read(dma_estimate::kReadChunkBytes, 1024), dma_estimate::read());  // deeper queue, more
  // Two 64 MiB step buffers and two 65536-entry queue pairs dominate.
  EXPECT_GE(dma_estimate::run(), 2 * 64 * kMiB + 2 * 5 * kMiB);
}

TEST(DmaEstimate, IdentifyCoversBringUpAndIdentify) {
  sim::SimulatedController simulator(sim::default_profile());
  PinCounter counter(simulator);
  {
    Controller controller(counter);
    controller.reset();
    controller.identify_controller();
    const auto active = controller.active_namespaces();
    ASSERT_FALSE(active.empty());
    controller.identify_namespace(active.front());
  }
  EXPECT_GT(counter.peak(), 0u);
  EXPECT_LE(counter.peak(), dma_estimate::identify());
}

TEST(DmaEstimate, ReadCoversAChunkedReadAsNvqualReadDoesIt) {
  sim::SimulatedController simulator(sim::default_profile());
  PinCounter counter(simulator);
  constexpr uint32_t kDepth = 64;
  {
    Controller controller(counter);
    controller.reset();
    controller.identify_controller();
    const uint32_t nsid = controller.active_namespaces().front();
    const auto ns = controller.identify_namespace(nsid);
    controller.set_number_of_queues(1, 1);
    QueuePair& queue = controller.create_io_queue_pair(1, std::min(kDepth, controller.cap().max_queue_entries()));
    const uint64_t blocks = std::min<uint64_t>(dma_estimate::kReadChunkBytes / ns.lba_size(), ns.nsze);
    DmaBuffer buffer(counter, blocks * ns.lba_size());
    const ReadResult result = controller.read(queue, {nsid, 0, blocks, static_cast<uint32_t>(ns.lba_size())}, buffer);
    ASSERT_TRUE(result.ok()) << result.completion.status().describe();
  }
  // The PRP lists come from the controller's arena, mapped whole on first use;
  // app/target.cpp adds it to every command's estimate.
  EXPECT_LE(counter.peak(), dma_estimate::read(dma_estimate::kReadChunkBytes, kDepth) + dma_estimate::arena());
  EXPECT_GT(counter.peak(), dma_estimate::arena()) << "the arena was mapped";
}

}  // namespace
}  // namespace nvqual::vfio
