// Keeps a fixed number of Read and/or Write commands in flight on one I/O
// queue pair and times each one, for performance measurement (`nvqual perf`).
//
// Writes are media-changing commands posted outside Controller's submit path,
// so the engine applies the same MediaChangePolicy itself: the whole LBA range
// is checked once in the constructor (all four conditions, the refusal's line
// in a kMediaChangeRefused), and every Write again, allocation-free, before it
// is posted (the Controller's own MediaChangePolicy object). The Writes it
// completed are in IoRunResult::writes; the Writes it rang a doorbell for are
// added to Controller::media_changing_commands_sent() when run() returns or
// throws (once per run: nothing per command), so every report of
// media-changing commands counts them. Each Write carries the write
// stamp (write_stamp.hpp) of its LBAs, a generation and the stamp seed, filled
// into the slot's buffer just before it is posted. With `verify`, the engine
// keeps the generation last written at each command position of the range (a
// table allocated once, in the constructor) and checks every Read of a written
// position against it; a position never written in this run is not checked
// (its content predates the run). While verifying, no two commands in flight
// touch the same position: a position drawn while busy is skipped forward to
// the next free one, so a Read never races the Write it is checked against.
//
// All DMA memory is allocated once, in the constructor, from one DmaBuffer:
// a data buffer per in-flight slot and, when a transfer spans more than two
// memory pages, that slot's PRP list pages (NVMe Base 2.0, 4.1.1), laid out
// once because a slot's buffer never moves. After that the submit/complete
// path allocates nothing, maps nothing and makes no system call: it writes
// SLBA into a prebuilt command, posts, rings once per batch and polls.
//
// One engine per queue pair and per thread; the engine owns the queue while
// it runs. A failed command, a verification mismatch, a timeout or a protocol
// violation ends the run with a DriverError; on a timeout or violation the
// controller is disabled first (and the memory abandoned if it cannot be), so
// no outstanding command can DMA into freed memory.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/controller.hpp"
#include "nvqual/driver/dma_buffer.hpp"
#include "nvqual/driver/latency_histogram.hpp"
#include "nvqual/driver/queue_pair.hpp"

namespace nvqual {

enum class IoPattern { kRandom, kSequential };

struct IoEngineOptions {
  uint32_t nsid = 1;
  uint32_t lba_size = 512;  // the namespace's active format (no metadata)
  uint64_t first_lba = 0;   // LBAs read are within [first_lba, last_lba]
  uint64_t last_lba = 0;
  uint32_t block_bytes = 4096;  // per command: a multiple of lba_size, at most MDTS
  uint32_t queue_depth = 1;     // commands in flight: 1..queue capacity
  IoPattern pattern = IoPattern::kRandom;
  uint64_t seed = 1;    // random LBAs are a function of the seed alone
  bool verify = false;  // reads only: the LBA stamp (lba_stamp.hpp); with writes: the generation table
  // Percent of commands that are Reads: 100 reads only, 0 writes only, else each
  // command is a Read with this probability, drawn from the seed (fio's rwmixread).
  uint32_t read_percent = 100;
  uint64_t stamp_seed = 0;  // the write stamp's run seed (the same for every queue of a run)
};

// Verify of writes keeps 5 bytes per command position: at most this many positions.
inline constexpr uint64_t kMaxVerifiedWritePositions = uint64_t{1} << 24;

// When run() stops issuing; it then waits for what is in flight.
struct IoLimits {
  uint64_t ios = 0;  // completed commands (0: no count limit)
  Clock::time_point until = Clock::time_point::max();
  const std::atomic<bool>* stop = nullptr;  // set by another thread (a signal, a sibling's failure)
};

struct IoRunResult {
  uint64_t ios = 0;
  uint64_t bytes = 0;
  uint64_t writes = 0;                  // of ios; their bytes are writes * block size
  uint64_t verified = 0;                // Reads checked against a generation this run wrote
  std::chrono::nanoseconds elapsed{0};  // first submission to last completion
};

class IoEngine {
 public:
  // Checks every option against the queue and the controller (throws
  // kInvalidArgument naming the problem) and allocates the DMA memory.
  IoEngine(Controller& controller, QueuePair& queue, const IoEngineOptions& options);
  ~IoEngine();
  IoEngine(const IoEngine&) = delete;
  IoEngine& operator=(const IoEngine&) = delete;

  // Issues commands until a limit is reached, keeping queue_depth in flight,
  // and records each completion latency (ns, submission to the poll that saw
  // it) into `latencies` (Reads) or `write_latencies` (Writes; the same
  // histogram when null). Returns when nothing is in flight.
  IoRunResult run(const IoLimits& limits, LatencyHistogram& latencies, LatencyHistogram* write_latencies = nullptr);
  // After run() with writes and verify: reads every command position of the
  // range once, in order, checking each one written against its last
  // generation (fio's verify after a write job). Needs writes and verify.
  IoRunResult read_back(LatencyHistogram& latencies);

  // Commands completed so far, readable from another thread (progress).
  uint64_t completed() const { return completed_.load(std::memory_order_relaxed); }
  uint64_t writes_completed() const { return writes_completed_.load(std::memory_order_relaxed); }
  size_t dma_bytes() const { return memory_.size(); }
  uint32_t blocks_per_command() const { return blocks_per_command_; }

 private:
  struct Slot {
    uint64_t prp1 = 0;
    uint64_t prp2 = 0;
    size_t data_offset = 0;  // in memory_
    uint64_t slba = 0;
    uint64_t position = 0;    // (slba - first_lba) / blocks per command
    uint32_t generation = 0;  // a Write's stamp generation
    Clock::time_point submitted{};
    bool in_flight = false;
    bool write = false;
  };
  uint64_t next_position();
  bool next_is_write();
  const char* op_name(const Slot& slot) const { return slot.write ? "Write" : "Read"; }
  void issue(uint32_t slot);  // posts it; run() stamps the batch before the doorbell
  void check_timeouts(Clock::time_point now);
  [[noreturn]] void stop_controller_and_rethrow();

  Controller& controller_;
  QueuePair& queue_;
  IoEngineOptions options_;
  uint32_t blocks_per_command_ = 0;
  uint64_t commands_in_range_ = 0;  // block-aligned command positions in the range
  uint64_t rng_state_ = 0;
  uint64_t sequential_next_ = 0;
  uint64_t mix_state_ = 0;  // the Read/Write draw: its own stream, so the LBAs match a pure workload's
  DmaBuffer memory_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;   // capacity queue_depth: push/pop never allocate
  std::vector<uint32_t> batch_;        // the slots of the batch being issued; capacity queue_depth
  std::vector<uint16_t> slot_of_cid_;  // 64 Ki entries: CIDs span the 16-bit space
  std::atomic<uint64_t> completed_{0};
  std::atomic<uint64_t> writes_completed_{0};
  bool real_device_ = false;
  bool tracks_positions_ = false;         // writes and verify
  std::vector<uint32_t> generations_;     // per position: last generation written, 0 not yet
  std::vector<uint8_t> busy_;             // per position: a command in flight
  std::vector<std::byte> stamp_scratch_;  // one block, for write_stamp::matches
};

}  // namespace nvqual
