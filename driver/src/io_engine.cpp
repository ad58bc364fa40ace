#include "nvqual/driver/io_engine.hpp"

#include <cstring>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/lba_stamp.hpp"
#include "idle_polling.hpp"
#include "nvqual/driver/prp.hpp"
#include "nvqual/driver/write_stamp.hpp"

namespace nvqual {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw DriverError(ErrorKind::kInvalidArgument, message); }

// splitmix64: a seeded, allocation-free generator; the same seed gives the same LBAs.
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

size_t round_up(size_t value, size_t to) { return (value + to - 1) / to * to; }

}  // namespace

IoEngine::IoEngine(Controller& controller, QueuePair& queue, const IoEngineOptions& options)
    : controller_(controller), queue_(queue), options_(options), rng_state_(options.seed) {
  const uint32_t lba = options.lba_size;
  if (lba < 512 || (lba & (lba - 1)) != 0) invalid(fmt::format("LBA size {} is not a power of two >= 512", lba));
  if (options.block_bytes == 0 || options.block_bytes % lba != 0) {
    invalid(
        fmt::format("block size {} is not a multiple of the namespace's {}-byte LBA size", options.block_bytes, lba));
  }
  if (const uint64_t mdts = controller.max_transfer_bytes(); mdts != 0 && options.block_bytes > mdts) {
    invalid(fmt::format("block size {} is above the controller's MDTS limit of {} bytes per command",
                        options.block_bytes, mdts));
  }
  blocks_per_command_ = options.block_bytes / lba;
  if (blocks_per_command_ > cmd::kMaxBlocksPerRead) {
    invalid(fmt::format("block size {} is {} blocks; one Read moves at most {}", options.block_bytes,
                        blocks_per_command_, cmd::kMaxBlocksPerRead));
  }
  if (options.queue_depth == 0 || options.queue_depth > queue.capacity()) {
    invalid(fmt::format("queue depth {} does not fit queue {}, which holds 1..{} commands in flight",
                        options.queue_depth, queue.qid(), queue.capacity()));
  }
  if (queue.outstanding() != 0) invalid(fmt::format("queue {} has commands in flight already", queue.qid()));
  if (options.first_lba > options.last_lba ||
      options.last_lba - options.first_lba < uint64_t{blocks_per_command_} - 1) {
    invalid(fmt::format("LBA range {}..{} holds no whole {}-block command", options.first_lba, options.last_lba,
                        blocks_per_command_));
  }
  commands_in_range_ = (options.last_lba - options.first_lba) / blocks_per_command_ +
                       ((options.last_lba - options.first_lba) % blocks_per_command_ + 1) / blocks_per_command_;
  if (options.read_percent > 100) invalid(fmt::format("read percentage {} is above 100", options.read_percent));
  if (options.read_percent < 100) {
    // The whole range at once, all four conditions (docs/data-integrity.md);
    // each Write is checked again, cheaply, as it is posted.
    const uint64_t blocks = options.last_lba - options.first_lba + 1;
    if (std::string why = controller.media_change_refusal(options.nsid, options.first_lba, blocks); !why.empty()) {
      throw DriverError(ErrorKind::kMediaChangeRefused,
                        fmt::format("refusing Writes to namespace {} LBAs {}..{}: {}", options.nsid, options.first_lba,
                                    options.last_lba, why));
    }
    tracks_positions_ = options.verify;
  }
  if (tracks_positions_) {
    if (commands_in_range_ > kMaxVerifiedWritePositions) {
      invalid(fmt::format(
          "verifying writes keeps a generation per {}-byte command position; LBA range {}..{} holds {}, "
          "at most {} can be tracked: use a smaller range or a larger block size",
          options.block_bytes, options.first_lba, options.last_lba, commands_in_range_, kMaxVerifiedWritePositions));
    }
    if (commands_in_range_ < options.queue_depth) {
      invalid(
          fmt::format("verifying writes needs a command position per command in flight: LBA range {}..{} holds {}, "
                      "queue depth is {}",
                      options.first_lba, options.last_lba, commands_in_range_, options.queue_depth));
    }
    generations_.assign(commands_in_range_, 0);
    busy_.assign(commands_in_range_, 0);
    stamp_scratch_.resize(lba);
  }
  real_device_ = !controller.transport().is_simulator();
  mix_state_ = options.seed ^ 0xD1B54A32D192ED03ULL;

  // Memory layout: QD data buffers, then QD groups of PRP list pages.
  const size_t page = controller.page_size();
  const size_t data_bytes = round_up(options.block_bytes, page);
  const size_t entries = prp::pages_spanned(0, options.block_bytes, page);
  const size_t list_pages = entries > 2 ? prp::list_pages_needed(entries - 1, page) : 0;
  const size_t per_slot = data_bytes + list_pages * page;
  memory_ = DmaBuffer(controller.transport(), per_slot * options.queue_depth, page);

  slots_.resize(options.queue_depth);
  free_slots_.reserve(options.queue_depth);
  batch_.reserve(options.queue_depth);
  slot_of_cid_.assign(size_t{1} << 16, 0);
  for (uint32_t i = 0; i < options.queue_depth; ++i) {
    Slot& slot = slots_[i];
    slot.data_offset = i * data_bytes;
    const prp::Plan plan = prp::plan(memory_.iova() + slot.data_offset, options.block_bytes, page);
    slot.prp1 = plan.prp1;
    slot.prp2 = plan.prp2;
    if (plan.needs_list()) {
      const size_t lists_at = options.queue_depth * data_bytes + i * list_pages * page;
      std::vector<uint64_t> page_iovas;
      for (size_t p = 0; p < list_pages; ++p) page_iovas.push_back(memory_.iova() + lists_at + p * page);
      const auto laid_out = prp::lay_out_lists(plan.list_entries, page_iovas, page);
      for (size_t p = 0; p < laid_out.size(); ++p) {
        std::memcpy(memory_.data() + lists_at + p * page, laid_out[p].data(), page);
      }
      slot.prp2 = page_iovas.front();
    }
    free_slots_.push_back(options.queue_depth - 1 - i);
  }
}

IoEngine::~IoEngine() = default;

bool IoEngine::next_is_write() {
  if (options_.read_percent >= 100) return false;
  if (options_.read_percent == 0) return true;
  return splitmix64(mix_state_) % 100 >= options_.read_percent;
}

uint64_t IoEngine::next_position() {
  uint64_t index;
  if (options_.pattern == IoPattern::kRandom) {
    index = splitmix64(rng_state_) % commands_in_range_;
  } else {
    index = sequential_next_;
    sequential_next_ = sequential_next_ + 1 == commands_in_range_ ? 0 : sequential_next_ + 1;
  }
  if (tracks_positions_) {
    // At most queue_depth - 1 others are in flight and the range holds at least queue_depth.
    while (busy_[index] != 0) index = index + 1 == commands_in_range_ ? 0 : index + 1;
  }
  return index;
}

void IoEngine::issue(uint32_t index) {
  Slot& slot = slots_[index];
  slot.write = next_is_write();
  slot.position = next_position();
  slot.slba = options_.first_lba + slot.position * blocks_per_command_;
  spec::SubmissionEntry sqe;
  if (slot.write) {
    // The same policy object the Controller checks, conditions 1, 2 and 4 (3
    // cannot change while the engine runs): no allocation when it allows.
    const MediaChangePolicy& policy = controller_.media_change_policy();
    if (!policy.opted_in() || !policy.lbas_allowed(real_device_, options_.nsid, slot.slba, blocks_per_command_)) {
      throw DriverError(ErrorKind::kMediaChangeRefused,
                        fmt::format("refusing Write to namespace {} LBA {}: {}", options_.nsid, slot.slba,
                                    controller_.media_change_refusal(options_.nsid, slot.slba, blocks_per_command_)));
    }
    slot.generation = tracks_positions_ ? generations_[slot.position] + 1 : 1;
    write_stamp::fill(memory_.bytes().subspan(slot.data_offset, options_.block_bytes), options_.lba_size,
                      write_stamp::Stamp{slot.slba, options_.nsid, slot.generation, options_.stamp_seed});
    sqe = cmd::write(options_.nsid, slot.slba, blocks_per_command_);
  } else {
    sqe = cmd::read(options_.nsid, slot.slba, blocks_per_command_);
  }
  if (tracks_positions_) busy_[slot.position] = 1;
  sqe.prp1 = slot.prp1;
  sqe.prp2 = slot.prp2;
  slot.in_flight = true;
  slot_of_cid_[queue_.post(sqe)] = static_cast<uint16_t>(index);
}

void IoEngine::check_timeouts(Clock::time_point now) {
  for (const Slot& slot : slots_) {
    if (slot.in_flight && now - slot.submitted > controller_.command_timeout()) {
      throw DriverError(
          ErrorKind::kCommandTimeout,
          fmt::format("{} of namespace {} LBA {} got no completion within {} ms; {}", op_name(slot), options_.nsid,
                      slot.slba,
                      std::chrono::duration_cast<std::chrono::milliseconds>(controller_.command_timeout()).count(),
                      queue_.describe_state()));
    }
  }
}

void IoEngine::stop_controller_and_rethrow() {
  // Commands may still be in flight: the controller is stopped before the
  // data buffers can be freed by unwinding; if it cannot be, they are given up.
  try {
    controller_.disable();
  } catch (...) {
  }
  if (controller_.unusable()) memory_.abandon();
  throw;
}

IoRunResult IoEngine::run(const IoLimits& limits, LatencyHistogram& latencies, LatencyHistogram* write_latencies) {
  LatencyHistogram& write_histogram = write_latencies != nullptr ? *write_latencies : latencies;
  Clock& clock = controller_.clock();
  Clock& idle_clock = idle_polling::clock_for_pauses(clock);
  const uint64_t ios_limit = limits.ios == 0 ? std::numeric_limits<uint64_t>::max() : limits.ios;
  uint64_t issued = 0;
  uint64_t done = 0;
  uint64_t writes_done = 0;
  uint64_t verified = 0;
  uint32_t idle_polls = 0;
  // Writes this run rang a doorbell for, added to the Controller's count when
  // run() returns or throws: one atomic addition per run, none per command.
  struct WritesSent {
    Controller& controller;
    uint64_t count = 0;
    ~WritesSent() { controller.add_media_changing_commands_sent(count); }
  } writes_sent{controller_};
  std::optional<DriverError> failure;  // a failed or wrong read: drain, then report it
  const Clock::time_point start = clock.now();
  Clock::time_point last_completion = start;
  // Without --verify, right after a poll that completed something, its clock
  // read stamps the commands issued next (docs/performance.md, "Latency"): at
  // QD 1 that halves the clock reads per I/O, each costing about as much as the
  // rest of the driver's path, and adds to the next latency only the batch's
  // bookkeeping (tens of ns, far below a device's microseconds). A verified
  // batch checks data, which would count microseconds into the next latency,
  // so then the clock is read again.
  const bool reuse_completion_time = !options_.verify;
  std::optional<Clock::time_point> fresh_time = start;
  try {
    for (;;) {
      const Clock::time_point now = fresh_time ? *fresh_time : clock.now();
      fresh_time.reset();
      const bool may_issue = !failure && issued < ios_limit && now < limits.until &&
                             (limits.stop == nullptr || !limits.stop->load(std::memory_order_relaxed));
      if (may_issue && !free_slots_.empty()) {
        batch_.clear();
        bool filled_write_stamps = false;
        while (!free_slots_.empty() && issued < ios_limit) {
          const uint32_t index = free_slots_.back();
          free_slots_.pop_back();
          issue(index);
          batch_.push_back(index);
          filled_write_stamps |= slots_[index].write;
          writes_sent.count += slots_[index].write ? 1 : 0;
          ++issued;
        }
        // The batch's Writes filled their buffers with the write stamp (about a
        // microsecond per 4 KiB): their latency starts after that, just before
        // the doorbell, so the clock is read again.
        const Clock::time_point submitted = filled_write_stamps ? clock.now() : now;
        for (const uint32_t index : batch_) slots_[index].submitted = submitted;
        queue_.ring();  // one doorbell write for the batch
      }
      if (free_slots_.size() == slots_.size()) break;  // nothing in flight
      bool have_time = false;
      Clock::time_point completed_at{};
      const uint32_t consumed = queue_.poll([&](const spec::CompletionEntry& cqe) {
        if (!have_time) {
          completed_at = clock.now();  // one clock read per poll batch
          have_time = true;
        }
        const uint16_t index = slot_of_cid_[cqe.cid()];
        Slot& slot = slots_[index];
        slot.in_flight = false;
        if (tracks_positions_) busy_[slot.position] = 0;
        (slot.write ? write_histogram : latencies)
            .record(static_cast<uint64_t>((completed_at - slot.submitted).count()));
        free_slots_.push_back(index);
        ++done;
        writes_done += slot.write ? 1 : 0;
        if (failure) return;
        if (!cqe.status().ok()) {
          failure = DriverError(ErrorKind::kCommandFailed,
                                fmt::format("{} of namespace {} LBAs {}..{} failed: {}", op_name(slot), options_.nsid,
                                            slot.slba, slot.slba + blocks_per_command_ - 1, cqe.status().describe()));
        } else if (slot.write) {
          if (tracks_positions_) generations_[slot.position] = slot.generation;
        } else if (tracks_positions_) {
          // Only a position this run wrote has a known content.
          const uint32_t generation = generations_[slot.position];
          const write_stamp::Stamp expected{slot.slba, options_.nsid, generation, options_.stamp_seed};
          const auto data = memory_.bytes().subspan(slot.data_offset, options_.block_bytes);
          if (generation != 0 && !write_stamp::matches(data, options_.lba_size, expected, stamp_scratch_)) {
            const auto bad = write_stamp::check(data, options_.lba_size, expected);
            failure = DriverError(
                ErrorKind::kCommandFailed,
                fmt::format("Read of namespace {} LBA {} returned wrong data ({}): {}", options_.nsid,
                            bad ? bad->lba : slot.slba, bad ? write_stamp::to_string(bad->verdict) : "corruption",
                            bad ? bad->detail : "the block differs from the write stamp"));
          }
          verified += generation != 0 ? 1 : 0;
        } else if (options_.verify && options_.read_percent == 100) {
          const auto data = memory_.bytes().subspan(slot.data_offset, options_.block_bytes);
          if (const auto bad = lba_stamp::check(data, options_.lba_size, slot.slba, options_.nsid)) {
            failure = DriverError(ErrorKind::kCommandFailed,
                                  fmt::format("Read of namespace {} LBA {} returned wrong data: byte {} is {:02x}h, "
                                              "the LBA stamp says {:02x}h",
                                              options_.nsid, bad->lba, bad->byte, bad->actual, bad->expected));
          }
        }
      });
      if (consumed != 0) {
        last_completion = completed_at;
        if (reuse_completion_time) fresh_time = completed_at;
        idle_polls = 0;
        completed_.store(done, std::memory_order_relaxed);
        writes_completed_.store(writes_done, std::memory_order_relaxed);
      } else if (++idle_polls % idle_polling::kPollsPerPause == 0) {
        check_timeouts(clock.now());
        idle_clock.pause(idle_polling::kPause);
      }
    }
  } catch (...) {
    stop_controller_and_rethrow();
  }
  if (failure) throw *failure;
  return IoRunResult{done, done * options_.block_bytes, writes_done, verified, last_completion - start};
}

IoRunResult IoEngine::read_back(LatencyHistogram& latencies) {
  if (!tracks_positions_) invalid("reading back what was written needs a write workload with verify");
  const IoEngineOptions measured = options_;
  const uint64_t sequential_at = sequential_next_;
  options_.read_percent = 100;
  options_.pattern = IoPattern::kSequential;
  sequential_next_ = 0;  // each position once: nothing wraps, so nothing drawn is busy
  const IoRunResult result = run(IoLimits{.ios = commands_in_range_}, latencies);
  options_ = measured;
  sequential_next_ = sequential_at;
  return result;
}

}  // namespace nvqual
