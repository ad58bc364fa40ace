// The I/O engine on the simulator: QD commands in flight, seeded or sequential
// LBAs inside the range, the LBA stamp verified, failures reported, and no
// heap or DMA allocation once it runs (the counters below).
#include "nvqual/driver/io_engine.hpp"

#include <array>
#include <atomic>
#include <cstdlib>
#include <new>
#include <set>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/lba_stamp.hpp"
#include "nvqual/driver/write_stamp.hpp"
#include "nvqual/sim/profile.hpp"
#include "nvqual/sim/simulated_controller.hpp"

// Every heap allocation in this test binary counts here (operator new is
// replaceable program-wide; the other sized/aligned forms forward to these).
namespace {
std::atomic<uint64_t> g_heap_allocations{0};
// Set while the inline simulator executes commands inside a register write:
// the simulated device's own storage (a map node per written block) is not
// host-side work, so the write tests count without it.
thread_local bool g_inside_device = false;
bool g_count_device_allocations = true;
}  // namespace

void* operator new(std::size_t size) {
  if (!g_inside_device || g_count_device_allocations) g_heap_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace nvqual {
namespace {

// Forwards to the simulator and counts DMA allocations.
class CountingTransport final : public Transport {
 public:
  explicit CountingTransport(Transport& inner) : inner_(inner) {}
  uint32_t read32(uint32_t offset) override { return inner_.read32(offset); }
  uint64_t read64(uint32_t offset) override { return inner_.read64(offset); }
  void write32(uint32_t offset, uint32_t value) override {
    g_inside_device = true;
    inner_.write32(offset, value);
    g_inside_device = false;
  }
  void write64(uint32_t offset, uint64_t value) override {
    g_inside_device = true;
    inner_.write64(offset, value);
    g_inside_device = false;
  }
  DmaRegion dma_alloc(size_t size, size_t alignment) override {
    ++allocations;
    return inner_.dma_alloc(size, alignment);
  }
  void dma_free(const DmaRegion& region) noexcept override {
    ++frees;
    inner_.dma_free(region);
  }
  void dma_returned(const DmaRegion& piece) noexcept override { inner_.dma_returned(piece); }
  std::string name() const override { return inner_.name(); }
  bool is_simulator() const override { return true; }
  uint64_t allocations = 0;
  uint64_t frees = 0;

 private:
  Transport& inner_;
};

struct EngineRig {
  explicit EngineRig(sim::Profile profile = sim::default_profile(), uint32_t entries = 64)
      : sim(std::move(profile), sim::Mode::kInline, clock), counting(sim), controller(counting, {}, clock) {
    controller.reset();
    controller.identify_controller();
    controller.set_number_of_queues(1, 1);
    queue = &controller.create_io_queue_pair(1, entries);
    const auto format = controller.active_format(1);
    lba_size = static_cast<uint32_t>(format->data_size());
    nsze = controller.identify_namespace(1).nsze;
  }
  IoEngineOptions options(uint32_t block_bytes, uint32_t qd) const {
    IoEngineOptions o;
    o.nsid = 1;
    o.lba_size = lba_size;
    o.first_lba = 0;
    o.last_lba = nsze - 1;
    o.block_bytes = block_bytes;
    o.queue_depth = qd;
    o.verify = true;
    return o;
  }
  // The SLBA of every Read the command log still holds, oldest first.
  std::vector<uint64_t> read_lbas() {
    std::vector<uint64_t> lbas;
    for (const auto& record : controller.command_log().records()) {
      if (record.qid != 0) lbas.push_back(record.command.cdw10 | (uint64_t{record.command.cdw11} << 32));
    }
    return lbas;
  }

  VirtualClock clock;
  sim::SimulatedController sim;
  CountingTransport counting;
  Controller controller;
  QueuePair* queue = nullptr;
  uint32_t lba_size = 0;
  uint64_t nsze = 0;
};

sim::CommandMatch every_io_read() {
  sim::CommandMatch match;
  match.queue = sim::QueueKind::kIo;
  match.opcode = static_cast<uint8_t>(spec::NvmOpcode::kRead);
  return match;
}

template <typename F>
DriverError error_of(F&& f) {
  try {
    f();
  } catch (const DriverError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a DriverError";
  return DriverError(ErrorKind::kInvalidArgument, "none");
}

// 4 KiB (PRP1 only), 8 KiB (PRP2 a page) and 128 KiB (a PRP list per slot).
class SteadyState : public ::testing::TestWithParam<uint32_t> {};

TEST_P(SteadyState, AllocatesNothingAndKeepsEveryCommandVerified) {
  EngineRig rig;
  const uint64_t heap_at_start = g_heap_allocations.load();
  IoEngine engine(rig.controller, *rig.queue, rig.options(GetParam(), 32));
  ASSERT_GT(g_heap_allocations.load(), heap_at_start) << "the counter sees the engine's set-up allocations";
  LatencyHistogram warm;
  engine.run(IoLimits{.ios = 200}, warm);
  const uint64_t doorbells_before = rig.sim.counters().sq_doorbell_writes;  // first pass of the rings and the CID space

  LatencyHistogram latencies;
  const uint64_t dma_before = rig.counting.allocations;
  const uint64_t dma_frees_before = rig.counting.frees;
  const uint64_t heap_before = g_heap_allocations.load();
  const IoRunResult result = engine.run(IoLimits{.ios = 640}, latencies);
  const uint64_t heap_during = g_heap_allocations.load() - heap_before;

  EXPECT_EQ(heap_during, 0u) << "heap allocations during a steady-state run";
  EXPECT_EQ(rig.counting.allocations - dma_before, 0u) << "DMA allocations during a steady-state run";
  EXPECT_EQ(rig.counting.frees - dma_frees_before, 0u) << "DMA frees during a steady-state run";
  EXPECT_EQ(result.ios, 640u);
  EXPECT_EQ(result.bytes, 640u * GetParam());
  EXPECT_EQ(latencies.count(), 640u);
  EXPECT_EQ(rig.sim.counters().io_commands[static_cast<uint8_t>(spec::NvmOpcode::kRead)], 840u);
  // The inline simulator completes each command as its doorbell is written,
  // so QD in flight shows as batches: 32 commands behind each doorbell.
  EXPECT_EQ(rig.sim.counters().sq_doorbell_writes - doorbells_before, 640u / 32);
  EXPECT_TRUE(rig.sim.violations().empty());
}

INSTANTIATE_TEST_SUITE_P(BlockSizes, SteadyState, ::testing::Values(4096u, 8192u, 131072u));

// Write workloads: every Write's buffer stamped in place, the policy checked
// per Write, the generation table updated and every Read of a written
// position checked against it, with no heap and no DMA allocation.
struct WriteCase {
  uint32_t block_bytes;
  uint32_t read_percent;
};
class WriteSteadyState : public ::testing::TestWithParam<WriteCase> {};

TEST_P(WriteSteadyState, AllocatesNothingAndVerifiesWhatItWrote) {
  EngineRig rig;
  rig.controller.set_allow_media_changes(true);
  IoEngineOptions options = rig.options(GetParam().block_bytes, 16);
  options.last_lba = 256 * (GetParam().block_bytes / rig.lba_size) - 1;  // 256 positions: reads hit written ones
  options.read_percent = GetParam().read_percent;
  options.stamp_seed = 77;
  IoEngine engine(rig.controller, *rig.queue, options);
  LatencyHistogram warm;
  engine.run(IoLimits{.ios = 2000}, warm);

  LatencyHistogram reads;
  LatencyHistogram writes;
  const uint64_t sim_writes_before = rig.sim.counters().io_commands[static_cast<uint8_t>(spec::NvmOpcode::kWrite)];
  const uint64_t dma_before = rig.counting.allocations;
  g_count_device_allocations = false;  // the simulator stores each written block on the heap
  const uint64_t heap_before = g_heap_allocations.load();
  const IoRunResult result = engine.run(IoLimits{.ios = 640}, reads, &writes);
  const uint64_t heap_during = g_heap_allocations.load() - heap_before;
  g_count_device_allocations = true;

  EXPECT_EQ(heap_during, 0u) << "host-side heap allocations during a steady-state write run";
  EXPECT_EQ(rig.counting.allocations - dma_before, 0u) << "DMA allocations during a steady-state write run";
  EXPECT_EQ(result.ios, 640u);
  const uint64_t sim_writes = rig.sim.counters().io_commands[static_cast<uint8_t>(spec::NvmOpcode::kWrite)] -
                              sim_writes_before;
  EXPECT_EQ(result.writes, sim_writes);
  EXPECT_EQ(writes.count(), result.writes);
  EXPECT_EQ(reads.count(), result.ios - result.writes);
  if (GetParam().read_percent == 0) {
    EXPECT_EQ(result.writes, 640u);
  } else {
    // 50 %: 640 draws land between 40 % and 60 % for any sane generator.
    EXPECT_GT(result.writes, 256u);
    EXPECT_LT(result.writes, 384u);
    EXPECT_GT(result.verified, 0u) << "reads of written positions were checked";
  }
  EXPECT_TRUE(rig.sim.violations().empty());
}

INSTANTIATE_TEST_SUITE_P(Mixes, WriteSteadyState,
                         ::testing::Values(WriteCase{4096, 0}, WriteCase{4096, 50}, WriteCase{131072, 50}));

TEST(IoEngine, WritesCarryTheWriteStampOfTheirLba) {
  EngineRig rig;
  rig.controller.set_allow_media_changes(true);
  IoEngineOptions options = rig.options(4096, 4);
  options.verify = false;
  options.pattern = IoPattern::kSequential;
  options.first_lba = 64;
  options.last_lba = 64 + 8 * 8 - 1;
  options.read_percent = 0;
  options.stamp_seed = 9;
  IoEngine engine(rig.controller, *rig.queue, options);
  LatencyHistogram latencies;
  EXPECT_EQ(engine.run(IoLimits{.ios = 8}, latencies).writes, 8u);
  DmaBuffer buffer(rig.controller.transport(), 64 * rig.lba_size, 4096);
  ReadRequest request;
  request.slba = 64;
  request.blocks = 64;
  ASSERT_TRUE(rig.controller.read(*rig.queue, request, buffer).ok());
  const auto wrong = write_stamp::check(buffer.bytes(), rig.lba_size, write_stamp::Stamp{64, 1, 1, 9});
  EXPECT_FALSE(wrong.has_value()) << wrong->detail;
}

// Every report of media-changing commands reads Controller's count: the
// engine's Writes (posted on its own queue pair) are in it, its Reads are not,
// and so are the Writes of a run that ends in a failure.
TEST(IoEngine, ControllerCountsTheEnginesWrites) {
  EngineRig rig;
  rig.controller.set_allow_media_changes(true);
  IoEngineOptions options = rig.options(4096, 8);
  options.last_lba = 8 * 64 - 1;
  options.read_percent = 50;
  options.verify = true;
  IoEngine engine(rig.controller, *rig.queue, options);
  LatencyHistogram latencies;
  const auto sim_writes = [&] { return rig.sim.counters().io_commands[static_cast<uint8_t>(spec::NvmOpcode::kWrite)]; };
  const uint64_t sent_before = rig.controller.media_changing_commands_sent();
  const uint64_t sim_before = sim_writes();
  const IoRunResult result = engine.run(IoLimits{.ios = 200}, latencies);
  ASSERT_GT(result.writes, 0u);
  ASSERT_LT(result.writes, result.ios) << "a mix, so Reads are shown not to count";
  EXPECT_EQ(rig.controller.media_changing_commands_sent() - sent_before, result.writes);
  EXPECT_EQ(sim_writes() - sim_before, result.writes);

  engine.read_back(latencies);  // Reads only: the count stays
  EXPECT_EQ(rig.controller.media_changing_commands_sent() - sent_before, result.writes);

  // The policy withdrawn mid-run: the Writes already rung for stay counted.
  const uint64_t sent_mid = rig.controller.media_changing_commands_sent();
  const uint64_t sim_mid = sim_writes();
  rig.controller.media_change_policy().set_user_allows(false);
  EXPECT_EQ(error_of([&] { engine.run(IoLimits{.ios = 200}, latencies); }).kind(), ErrorKind::kMediaChangeRefused);
  EXPECT_EQ(rig.controller.media_changing_commands_sent() - sent_mid, sim_writes() - sim_mid);
}

TEST(IoEngine, MixedReadsAndWritesFollowTheSeed) {
  const auto commands_for = [](uint64_t seed) {
    EngineRig rig;
    rig.controller.set_allow_media_changes(true);
    IoEngineOptions options = rig.options(4096, 1);
    options.last_lba = 8 * 64 - 1;
    options.read_percent = 70;
    options.seed = seed;
    IoEngine engine(rig.controller, *rig.queue, options);
    LatencyHistogram latencies;
    engine.run(IoLimits{.ios = 200}, latencies);
    std::vector<std::pair<uint8_t, uint64_t>> commands;
    for (const auto& record : rig.controller.command_log().records()) {
      if (record.qid != 0) commands.emplace_back(record.command.opcode(), record.command.cdw10);
    }
    return commands;
  };
  const auto first = commands_for(5);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(commands_for(5), first);
  EXPECT_NE(commands_for(6), first);
}

TEST(IoEngine, VerifyOfWritesCatchesALostWrite) {
  sim::Profile profile = sim::default_profile();
  profile.faults.push_back(sim::WriteMediaFault{sim::WriteMediaEffect::kLostWrite});
  EngineRig rig(std::move(profile));
  rig.controller.set_allow_media_changes(true);
  IoEngineOptions options = rig.options(4096, 8);
  options.last_lba = 8 * 32 - 1;
  options.read_percent = 50;
  IoEngine engine(rig.controller, *rig.queue, options);
  LatencyHistogram latencies;
  const DriverError error = error_of([&] { engine.run(IoLimits{.ios = 2000}, latencies); });
  EXPECT_EQ(error.kind(), ErrorKind::kCommandFailed);
  EXPECT_THAT(error.what(), ::testing::HasSubstr("returned wrong data"));
  EXPECT_EQ(rig.queue->outstanding(), 0u);
}

TEST(IoEngine, WritesNeedThePolicyForTheWholeRangeAndEachCommand) {
  EngineRig rig;
  IoEngineOptions options = rig.options(4096, 4);
  options.last_lba = 8 * 16 - 1;
  options.read_percent = 0;
  const auto refused = [&] { return error_of([&] { IoEngine engine(rig.controller, *rig.queue, options); }); };
  EXPECT_EQ(refused().kind(), ErrorKind::kMediaChangeRefused) << "no opt-in";
  rig.controller.set_allow_media_changes(true);
  rig.controller.media_change_policy().add_scratch(ScratchRange{1, 0, 8 * 8 - 1});
  const DriverError outside = refused();
  EXPECT_EQ(outside.kind(), ErrorKind::kMediaChangeRefused) << "half the range outside the scratch range";
  EXPECT_THAT(outside.what(), ::testing::HasSubstr("outside every declared scratch range"));

  // Allowed when built, then withdrawn: the per-command check stops the next Write.
  rig.controller.media_change_policy().clear_scratch();
  rig.controller.media_change_policy().add_scratch(ScratchRange{1, 0, 8 * 16 - 1});
  IoEngine engine(rig.controller, *rig.queue, options);
  rig.controller.media_change_policy().set_user_allows(false);
  LatencyHistogram latencies;
  const uint64_t sent_before = rig.controller.media_changing_commands_sent();
  EXPECT_EQ(error_of([&] { engine.run(IoLimits{.ios = 10}, latencies); }).kind(), ErrorKind::kMediaChangeRefused);
  EXPECT_EQ(rig.controller.media_changing_commands_sent(), sent_before);
  EXPECT_EQ(rig.sim.counters().io_commands[static_cast<uint8_t>(spec::NvmOpcode::kWrite)], 0u);
}

// Controller::read, the path harness steps and `nvqual read` take: its data
// buffer from the arena, its PRP lists in the queue's per-slot pages, its
// batch in reused storage. 4 KiB (PRP1), 8 KiB (PRP2), 128 KiB (a list) and
// 1 MiB (split at the simulator's 128 KiB MDTS: 8 commands, a list each, one batch).
class ControllerReadSteadyState : public ::testing::TestWithParam<uint32_t> {};

TEST_P(ControllerReadSteadyState, AllocatesNothingMapsNothing) {
  EngineRig rig;
  DmaBuffer buffer(rig.controller.dma_memory(), GetParam());
  const uint64_t blocks = GetParam() / rig.lba_size;
  ReadRequest request{1, 0, blocks, std::nullopt};
  const auto read_some = [&](int count) {
    for (int i = 0; i < count; ++i) {
      const ReadResult result = rig.controller.read(*rig.queue, request, buffer);
      ASSERT_TRUE(result.ok()) << result.completion.status().describe();
      ASSERT_FALSE(lba_stamp::check(buffer.bytes(), rig.lba_size, request.slba, 1)) << "LBA " << request.slba;
      request.slba = (request.slba + blocks * 7) % (rig.nsze - blocks);
    }
  };
  read_some(3);  // the first transfer lays out the queue's list pages
  const uint64_t dma_before = rig.counting.allocations;
  const uint64_t dma_frees_before = rig.counting.frees;
  const uint64_t fallbacks_before = rig.controller.dma_memory().fallbacks();
  const uint64_t heap_before = g_heap_allocations.load();
  read_some(200);
  const uint64_t heap_during = g_heap_allocations.load() - heap_before;

  EXPECT_EQ(heap_during, 0u) << "heap allocations during steady-state Controller::read";
  EXPECT_EQ(rig.counting.allocations - dma_before, 0u) << "DMA mappings during steady-state Controller::read";
  EXPECT_EQ(rig.counting.frees - dma_frees_before, 0u) << "DMA unmappings during steady-state Controller::read";
  EXPECT_EQ(rig.controller.dma_memory().fallbacks(), fallbacks_before);
  EXPECT_TRUE(rig.sim.violations().empty());
}

INSTANTIATE_TEST_SUITE_P(Sizes, ControllerReadSteadyState, ::testing::Values(4096u, 8192u, 131072u, 1048576u));

TEST(ControllerRead, ArenaIsMappedOnceAndPrpListsComeFromIt) {
  EngineRig rig;
  const uint64_t before = rig.counting.allocations;
  DmaArena& arena = rig.controller.dma_memory();
  EXPECT_EQ(rig.counting.allocations - before, 1u) << "the arena is one mapping";
  EXPECT_EQ(&rig.controller.dma_memory(), &arena) << "and only one";
  DmaBuffer buffer(arena, 131072);
  const ReadResult result = rig.controller.read(*rig.queue, {1, 0, 131072 / rig.lba_size, std::nullopt}, buffer);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(rig.counting.allocations - before, 1u) << "the list pages and the buffer are pieces of it";
  EXPECT_EQ(arena.pieces_in_use(), 2u);  // the buffer and the queue's list pages
  EXPECT_TRUE(rig.sim.violations().empty());
}

// Controller::deallocate's range list is a piece of the arena: no mapping per call.
TEST(ControllerDeallocate, RangeListComesFromTheArena) {
  EngineRig rig;
  rig.controller.set_allow_media_changes(true);
  DmaArena& arena = rig.controller.dma_memory();
  const std::array<cmd::DsmRange, 2> ranges{cmd::DsmRange{.blocks = 8, .slba = 64},
                                            cmd::DsmRange{.blocks = 16, .slba = 128}};
  ASSERT_TRUE(rig.controller.deallocate(*rig.queue, 1, ranges).status().ok());  // maps the arena
  const uint64_t dma_before = rig.counting.allocations;
  const uint64_t served_before = arena.pieces_served();
  const uint64_t fallbacks_before = arena.fallbacks();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(rig.controller.deallocate(*rig.queue, 1, ranges).status().ok());
  EXPECT_EQ(rig.counting.allocations - dma_before, 0u) << "DMA mappings by Controller::deallocate";
  EXPECT_EQ(arena.pieces_served() - served_before, 20u) << "one arena page per call";
  EXPECT_EQ(arena.fallbacks(), fallbacks_before);
  EXPECT_EQ(arena.pieces_in_use(), 0u) << "and given back";
  EXPECT_TRUE(rig.sim.violations().empty());
}

TEST(IoEngine, AllocatesItsDmaMemoryOnceUpFront) {
  EngineRig rig;
  const uint64_t before = rig.counting.allocations;
  IoEngine engine(rig.controller, *rig.queue, rig.options(131072, 16));
  EXPECT_EQ(rig.counting.allocations - before, 1u);
  // 16 data buffers of 32 pages plus one PRP list page each.
  EXPECT_EQ(engine.dma_bytes(), 16u * (131072 + 4096));
}

TEST(IoEngine, SequentialReadsWalkTheRangeAndWrap) {
  EngineRig rig;
  IoEngineOptions options = rig.options(8192, 1);
  options.pattern = IoPattern::kSequential;
  options.first_lba = 100;
  options.last_lba = 100 + 4 * 16 - 1 + 5;  // 4 whole commands of 16 blocks; 5 spare blocks are never read
  IoEngine engine(rig.controller, *rig.queue, options);
  LatencyHistogram latencies;
  engine.run(IoLimits{.ios = 9}, latencies);
  EXPECT_THAT(rig.read_lbas(), ::testing::ElementsAre(100, 116, 132, 148, 100, 116, 132, 148, 100));
}

TEST(IoEngine, RandomReadsAreAlignedInsideTheRangeAndFollowTheSeed) {
  const auto lbas_for = [](uint64_t seed) {
    EngineRig rig;
    IoEngineOptions options = rig.options(4096, 4);
    options.first_lba = 1000;
    options.last_lba = 1000 + 8 * 50 - 1;
    options.seed = seed;
    IoEngine engine(rig.controller, *rig.queue, options);
    LatencyHistogram latencies;
    engine.run(IoLimits{.ios = 100}, latencies);
    return rig.read_lbas();
  };
  const std::vector<uint64_t> first = lbas_for(42);
  ASSERT_EQ(first.size(), 100u);
  std::set<uint64_t> distinct;
  for (uint64_t lba : first) {
    EXPECT_GE(lba, 1000u);
    EXPECT_LE(lba + 8, 1000u + 400);
    EXPECT_EQ((lba - 1000) % 8, 0u);
    distinct.insert(lba);
  }
  EXPECT_GT(distinct.size(), 30u) << "random LBAs spread over the 50 positions";
  EXPECT_EQ(lbas_for(42), first);
  EXPECT_NE(lbas_for(43), first);
}

// Counts the precise clock reads the Controller and the engine make (the
// simulator keeps its own clock, so its reads are not counted); pauses move
// the shared virtual time.
class CountingClock final : public Clock {
 public:
  explicit CountingClock(VirtualClock& time) : time_(time) {}
  time_point now() override {
    ++reads;
    return time_.now();
  }
  // The queue's per-command deadline stamp: a coarse read, cheap, not counted.
  time_point coarse_now() override { return time_.now(); }
  void pause(duration hint) override { time_.pause(hint); }
  uint64_t reads = 0;

 private:
  VirtualClock& time_;
};

// docs/performance.md, "Latency": without verify, a batch issued right after a
// poll that completed commands is stamped with that poll's clock read, so QD 1
// costs one clock read per I/O instead of two; a verified run reads it anew.
TEST(IoEngine, ReusesThePollsClockReadAsTheNextStampUnlessVerifying) {
  const auto clock_reads_for = [](bool verify) {
    VirtualClock time;
    CountingClock counting_clock(time);
    sim::SimulatedController sim(sim::default_profile(), sim::Mode::kInline, time);
    Controller controller(sim, {}, counting_clock);
    controller.reset();
    controller.identify_controller();
    controller.set_number_of_queues(1, 1);
    QueuePair& queue = controller.create_io_queue_pair(1, 8);
    IoEngineOptions options;
    options.lba_size = static_cast<uint32_t>(controller.active_format(1)->data_size());
    options.last_lba = controller.identify_namespace(1).nsze - 1;
    options.verify = verify;
    IoEngine engine(controller, queue, options);
    LatencyHistogram latencies;
    const uint64_t before = counting_clock.reads;
    EXPECT_EQ(engine.run(IoLimits{.ios = 1000}, latencies).ios, 1000u);
    return counting_clock.reads - before;
  };
  const uint64_t plain = clock_reads_for(false);
  const uint64_t verified = clock_reads_for(true);
  EXPECT_LE(plain, 1000u + 4) << "one read per I/O (the completion poll's), plus the run's start";
  EXPECT_GE(verified, 2000u) << "a verified batch's stamp is a read of its own";
}

TEST(IoEngine, StopsIssuingWhenAskedAndDrains) {
  EngineRig rig;
  IoEngine engine(rig.controller, *rig.queue, rig.options(4096, 8));
  std::atomic<bool> stop{true};
  LatencyHistogram latencies;
  const IoRunResult result = engine.run(IoLimits{.stop = &stop}, latencies);
  EXPECT_EQ(result.ios, 0u);
  EXPECT_EQ(rig.queue->outstanding(), 0u);
}

TEST(IoEngine, VerifyCatchesWrongDataWithSuccessStatus) {
  sim::Profile profile = sim::default_profile();
  profile.faults.push_back(sim::BadReadTransferFault{sim::ReadTransferEffect::kXor, 50, 0, 700, 0x01});
  EngineRig rig(std::move(profile));
  IoEngine engine(rig.controller, *rig.queue, rig.options(4096, 8));
  LatencyHistogram latencies;
  const DriverError error = error_of([&] { engine.run(IoLimits{.ios = 1000}, latencies); });
  EXPECT_EQ(error.kind(), ErrorKind::kCommandFailed);
  EXPECT_THAT(error.what(), ::testing::HasSubstr("returned wrong data"));
  EXPECT_EQ(rig.queue->outstanding(), 0u) << "the run drains before it reports";
}

TEST(IoEngine, VerifyCatchesADeviceThatIgnoresPrpLists) {
  sim::Profile profile = sim::default_profile();
  profile.faults.push_back(sim::Prp1OnlyFault{sim::QueueKind::kIo});
  EngineRig rig(std::move(profile));
  IoEngine engine(rig.controller, *rig.queue, rig.options(131072, 4));
  LatencyHistogram latencies;
  EXPECT_EQ(error_of([&] { engine.run(IoLimits{.ios = 10}, latencies); }).kind(), ErrorKind::kCommandFailed);
}

TEST(IoEngine, AFailedReadEndsTheRunNamingItsStatus) {
  EngineRig rig(sim::default_profile());
  IoEngineOptions options = rig.options(4096, 4);
  options.first_lba = rig.nsze - 8;
  options.last_lba = rig.nsze + 800;  // the engine does not know NSZE: the device refuses
  options.pattern = IoPattern::kSequential;
  options.verify = false;
  IoEngine engine(rig.controller, *rig.queue, options);
  LatencyHistogram latencies;
  const DriverError error = error_of([&] { engine.run(IoLimits{.ios = 100}, latencies); });
  EXPECT_EQ(error.kind(), ErrorKind::kCommandFailed);
  EXPECT_THAT(error.what(), ::testing::HasSubstr("failed"));
  EXPECT_THAT(error.what(), ::testing::HasSubstr(fmt::format("LBAs {}..", rig.nsze)));
}

TEST(IoEngine, ALostCompletionTimesOutAndStopsTheController) {
  sim::CommandMatch fifth = every_io_read();
  fifth.nth = 5;
  sim::Profile profile = sim::default_profile();
  profile.faults.push_back(sim::DropCompletionFault{fifth});
  EngineRig rig(std::move(profile));
  IoEngine engine(rig.controller, *rig.queue, rig.options(4096, 4));
  LatencyHistogram latencies;
  const DriverError error = error_of([&] { engine.run(IoLimits{.ios = 100}, latencies); });
  EXPECT_EQ(error.kind(), ErrorKind::kCommandTimeout);
  EXPECT_FALSE(rig.controller.enabled()) << "disabled before unwinding can free the buffers";
}

TEST(IoEngine, RefusesOptionsThatCannotWork) {
  EngineRig rig(sim::default_profile(), 16);
  const auto refused = [&](IoEngineOptions o) {
    return error_of([&] { IoEngine engine(rig.controller, *rig.queue, o); });
  };
  IoEngineOptions o = rig.options(4096, 4);
  o.block_bytes = 4096 + 512 / 2;
  EXPECT_THAT(refused(o).what(), ::testing::HasSubstr("not a multiple"));
  o = rig.options(4096, 16);  // a 16-entry queue holds 15
  EXPECT_THAT(refused(o).what(), ::testing::HasSubstr("queue depth 16"));
  o = rig.options(4096, 0);
  EXPECT_EQ(refused(o).kind(), ErrorKind::kInvalidArgument);
  o = rig.options(static_cast<uint32_t>(rig.controller.max_transfer_bytes()) * 2, 1);
  EXPECT_THAT(refused(o).what(), ::testing::HasSubstr("MDTS"));
  o = rig.options(8192, 1);
  o.first_lba = 10;
  o.last_lba = 10 + 8192 / rig.lba_size - 2;  // one block short of a command
  EXPECT_THAT(refused(o).what(), ::testing::HasSubstr("holds no whole"));
}

}  // namespace
}  // namespace nvqual
