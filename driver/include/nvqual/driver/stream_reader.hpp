// Reads a range of blocks with up to `depth` Read commands in flight and
// hands the data to a sink in LBA order (`nvqual read`): the slots of
// IoEngine (io_engine.hpp) applied to one sequential pass.
//
// All DMA memory is one piece of the controller's arena (dma_arena.hpp),
// taken in the constructor: a data buffer per slot and, when a command spans
// more than two memory pages, that slot's PRP list page, laid out once. Slot i
// carries commands i, i + depth, i + 2 depth, ... of the range, so the oldest
// command is always in slot `head`: when it completes its data goes to the
// sink and the slot is reissued with the next command. Completions that
// arrive out of order wait in their slots. The submit/complete path maps
// nothing and allocates nothing.
//
// A failed Read ends the run after what is in flight has completed
// (kCommandFailed naming the LBAs); a timeout, a protocol violation or an
// exception from the sink disables the controller first (its memory given up
// if it cannot be stopped), so no outstanding command can DMA into freed memory.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/controller.hpp"
#include "nvqual/driver/dma_buffer.hpp"
#include "nvqual/driver/queue_pair.hpp"

namespace nvqual {

struct StreamReadOptions {
  uint32_t nsid = 1;
  uint32_t lba_size = 512;      // the namespace's active format (no metadata)
  uint32_t command_blocks = 1;  // blocks per Read: at most MDTS and 65536
  uint32_t depth = 1;           // commands in flight: 1..queue capacity
};

class StreamReader {
 public:
  // Checks the options against the queue and the controller (kInvalidArgument)
  // and takes the DMA memory.
  StreamReader(Controller& controller, QueuePair& queue, const StreamReadOptions& options);
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;

  // Called with each command's data, in LBA order, and its first LBA.
  using Sink = std::function<void(std::span<const std::byte> data, uint64_t slba)>;
  // Polled between batches: true stops issuing; what is in flight completes
  // and reaches the sink, then read() returns the blocks delivered so far.
  using ShouldStop = std::function<bool()>;

  // Reads blocks [first_lba, first_lba + blocks); returns the blocks handed to the sink.
  uint64_t read(uint64_t first_lba, uint64_t blocks, const Sink& sink, const ShouldStop& should_stop = {});

  size_t dma_bytes() const { return memory_.size(); }
  uint32_t depth() const { return options_.depth; }

 private:
  struct Slot {
    uint64_t prp1 = 0;
    uint64_t prp2 = 0;
    size_t data_offset = 0;
    uint64_t slba = 0;
    uint32_t blocks = 0;
    Clock::time_point submitted{};
    bool in_flight = false;
    bool done = false;
    spec::CompletionEntry completion{};
  };
  void check_timeouts(Clock::time_point now) const;
  [[noreturn]] void stop_controller_and_rethrow();

  Controller& controller_;
  QueuePair& queue_;
  StreamReadOptions options_;
  DmaBuffer memory_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> slot_of_cid_;  // 64 Ki entries: CIDs span the 16-bit space
};

}  // namespace nvqual
