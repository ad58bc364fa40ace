// The DMA arena: pieces of one mapping, aligned in IOVA space, zeroed, reused
// after a free, the transport used only when the arena cannot hold a request,
// and the simulator's "still reachable" rule applied to a returned piece.
#include "nvqual/driver/dma_arena.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/forwarding_transport.hpp"
#include "nvqual/driver/controller.hpp"
#include "nvqual/driver/dma_buffer.hpp"
#include "nvqual/sim/profile.hpp"
#include "nvqual/sim/simulated_controller.hpp"

namespace nvqual {
namespace {

class Counting final : public testing_support::ForwardingTransport {
 public:
  using ForwardingTransport::ForwardingTransport;
  DmaRegion dma_alloc(size_t size, size_t alignment) override {
    ++allocations;
    return inner().dma_alloc(size, alignment);
  }
  uint64_t allocations = 0;
};

struct ArenaRig {
  sim::SimulatedController sim{sim::default_profile()};
  Counting transport{sim};
};

TEST(DmaArena, PiecesAreAlignedZeroedAndInsideOneMapping) {
  ArenaRig rig;
  DmaArena arena(rig.transport, 1 << 20);
  ASSERT_EQ(rig.transport.allocations, 1u);
  DmaBuffer a(arena, 100);
  DmaBuffer b(arena, 8192, 65536);
  EXPECT_EQ(a.size(), 4096u);
  EXPECT_EQ(b.iova() % 65536, 0u);
  EXPECT_NE(a.iova(), b.iova());
  EXPECT_TRUE(std::all_of(b.data(), b.data() + b.size(), [](std::byte x) { return x == std::byte{0}; }));
  EXPECT_EQ(rig.transport.allocations, 1u) << "pieces map nothing";
  EXPECT_EQ(arena.pieces_in_use(), 2u);
}

TEST(DmaArena, AFreedPieceIsReusedAndZeroedAgain) {
  ArenaRig rig;
  DmaArena arena(rig.transport, 8192);
  uint64_t first_iova = 0;
  {
    DmaBuffer a(arena, 8192);
    first_iova = a.iova();
    a.data()[5] = std::byte{0xAB};
  }
  DmaBuffer again(arena, 8192);
  EXPECT_EQ(again.iova(), first_iova);
  EXPECT_EQ(again.data()[5], std::byte{0});
  EXPECT_EQ(arena.fallbacks(), 0u);
}

TEST(DmaArena, WhatDoesNotFitGoesToTheTransport) {
  ArenaRig rig;
  DmaArena arena(rig.transport, 8192);
  DmaBuffer a(arena, 4096);
  DmaBuffer too_big(arena, 8192);  // only one page is left
  EXPECT_EQ(arena.fallbacks(), 1u);
  EXPECT_EQ(rig.transport.allocations, 2u);
  DmaBuffer none(arena, 4096);
  EXPECT_EQ(arena.fallbacks(), 1u) << "the last page still comes from the arena";
  DmaArena empty(rig.transport, 0);
  DmaBuffer direct(empty, 4096);
  EXPECT_EQ(empty.fallbacks(), 1u);
  EXPECT_TRUE(rig.sim.violations().empty());
}

TEST(DmaArena, AReturnedPieceIsCheckedByTheSimulatorLikeAFree) {
  // The arena tells the transport about every piece it takes back ...
  ArenaRig rig;
  class Recording final : public testing_support::ForwardingTransport {
   public:
    using ForwardingTransport::ForwardingTransport;
    void dma_returned(const DmaRegion& piece) noexcept override {
      returned.push_back(piece.iova);
      ForwardingTransport::dma_returned(piece);
    }
    std::vector<uint64_t> returned;
  } recording(rig.sim);
  uint64_t iova = 0;
  {
    DmaArena arena(recording, 8192);
    DmaBuffer piece(arena, 4096);
    iova = piece.iova();
  }
  ASSERT_EQ(recording.returned.size(), 1u);
  EXPECT_EQ(recording.returned[0], iova);

  // ... and the simulator flags one the controller can still reach (here an
  // I/O submission queue's ring), as it flags such a free.
  Controller controller(rig.sim);
  controller.reset();
  controller.identify_controller();
  controller.set_number_of_queues(1, 1);
  QueuePair& queue = controller.create_io_queue_pair(1, 16);
  EXPECT_TRUE(rig.sim.violations().empty());
  rig.sim.dma_returned(DmaRegion{nullptr, queue.sq_iova(), 4096});
  const auto violations = rig.sim.violations();
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].find("returned for reuse while the controller can reach it: SQ 1"), std::string::npos)
      << violations[0];
  rig.sim.clear_violations();
}

TEST(DmaArena, AbandonedArenaFreesNothing) {
  ArenaRig rig;
  const size_t mapped = rig.sim.mapped_regions();
  {
    DmaArena arena(rig.transport, 8192);
    DmaBuffer piece(arena, 4096);
    arena.abandon();
  }
  EXPECT_EQ(rig.sim.mapped_regions(), mapped + 1) << "the region stays mapped";
}

}  // namespace
}  // namespace nvqual
