// The simulated controller's engine. SimulatedController is its public face.
//
// Split by concern over several files:
//   device.cpp            construction, DMA memory, inspection
//   device_registers.cpp  BAR0 registers and the CC/CSTS state machine
//   device_queues.cpp     doorbells, fetching, in-flight commands, completions
//   admin_commands.cpp    the admin command set
//   io_commands.cpp       the NVM command set
//
// Locking. `mutex_` guards all controller state (registers, queues, counters,
// in-flight commands). `dma_mutex_` guards the IOVA space; it is taken inside
// `mutex_` or alone, never the other way round. An I/O command moves its data
// holding only `dma_mutex_`; resets wait (on `transfers_done_`) until running
// transfers end, so once the host sees the reset the controller touches no
// host memory.
//
// Doorbells. Queue tails and heads live in DoorbellState atomics. In threaded
// mode a valid doorbell write stores there and returns without `mutex_` (the
// I/O hot path); anything doubtful (a possible violation, a controller that
// is not ready) takes the locked path, which checks again and records.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "device_thread.hpp"
#include "fault_plan.hpp"
#include "hostile_device.hpp"
#include "identify_pages.hpp"
#include "iova_space.hpp"
#include "namespace_media.hpp"
#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/log_pages.hpp"
#include "nvqual/driver/spec/queue_entries.hpp"
#include "nvqual/driver/spec/registers.hpp"
#include "nvqual/sim/simulated_controller.hpp"
#include "queue_state.hpp"
#include "transfer_faults.hpp"
#include "violation_log.hpp"

namespace nvqual::sim {

// How one command ended, before faults reshape its completion.
struct CommandResult {
  spec::Status status = spec::status::kSuccess;
  uint32_t dw0 = 0;
  bool post = true;         // false: no completion (an Async Event Request)
  uint64_t lba = 0;         // for the error log
  uint64_t bytes_read = 0;  // for SMART
};

class Device {
 public:
  Device(Profile profile, Mode mode, Clock& clock);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  uint32_t read32(uint32_t offset);
  uint64_t read64(uint32_t offset);
  void write32(uint32_t offset, uint32_t value);
  void write64(uint32_t offset, uint64_t value);
  DmaRegion dma_alloc(size_t size, size_t alignment);
  void dma_free(const DmaRegion& region) noexcept;
  void dma_returned(const DmaRegion& piece) noexcept;
  bool function_level_reset();  // false when the device is gone

  std::vector<std::string> violations() const { return violations_.lines(); }
  void clear_violations() { violations_.clear(); }
  const Profile& profile() const { return profile_; }
  SimCounters counters() const;
  size_t mapped_regions() const;
  uint32_t bar_size() const { return bar_size_; }
  void calm_hostility() { hostile_.calm(); }

 private:
  std::string reachable_by_controller(const DmaRegion& region) const;
  using Lock = std::unique_lock<std::mutex>;
  enum class Phase { kDisabled, kEnabling, kEnableFailed, kReady, kDisabling };

  // A command fetched and not yet completed.
  struct InFlight {
    uint64_t id = 0;  // 0: free slot
    uint16_t sqid = 0;
    spec::SubmissionEntry sqe{};
    CompletionFaults faults;
    uint64_t page_size = 4096;
    bool transferring = false;
    std::unique_ptr<DeviceThread::Timer> timer;  // threaded mode with latency
  };

  // ---- registers (device_registers.cpp) ------------------------------------
  void advance(Lock& lock);  // applies latencies that have elapsed on the clock
  uint32_t register_read(uint32_t offset);
  void register_write(uint32_t offset, uint32_t value, Lock& lock);
  void write_queue_base(spec::QueueBase& reg, const char* name, bool high_half, uint32_t value);
  void write_cc(spec::Cc value, Lock& lock);
  bool enable_checks_pass();
  void start_shutdown();
  // Controller reset (3.7.2): queues, in-flight commands, features and
  // registers other than AQA/ASQ/ACQ back to defaults.
  void controller_reset(Lock& lock);
  void power_on_registers();
  spec::Csts csts_value() const;
  bool processing_allowed() const { return phase_ == Phase::kReady && !gone_ && regs_.csts.cfs() == 0; }
  std::string register_name(uint32_t offset) const;

  // ---- doorbells and command flow (device_queues.cpp) ------------------------
  // Threaded mode, no lock: true when the write was valid and is done.
  bool doorbell_fast_path(uint32_t offset, uint32_t value);
  void doorbell_write(uint32_t offset, uint32_t value, Lock& lock);
  void sq_tail_written(uint16_t qid, uint32_t value, Lock& lock);
  void cq_head_written(uint16_t qid, uint32_t value);
  void schedule_drain(uint16_t qid, Lock& lock);
  size_t scan_doorbells();  // device thread: drains SQs whose tail moved
  void drain(uint16_t qid, Lock& lock);
  void flush_completions(CompletionQueue& q);
  // Keeps `accepting_` equal to "doorbells may start commands".
  void update_accepting();
  size_t start_command(uint16_t sqid, const spec::SubmissionEntry& sqe);
  void run_command(size_t slot, Lock& lock);
  void finish_command(size_t slot, uint64_t id, const CommandResult& result);
  void post_completion(uint16_t sqid, const spec::SubmissionEntry& sqe, const CommandResult& result,
                       const CompletionFaults& faults);
  void release_slot(size_t slot);
  void abort_in_flight(uint16_t sqid);  // Delete I/O SQ: 00/08 for its commands
  void discard_in_flight();             // reset: commands vanish
  SubmissionQueue* sq(uint16_t qid) { return qid < sqs_.size() ? sqs_[qid].get() : nullptr; }
  CompletionQueue* cq(uint16_t qid) { return qid < cqs_.size() ? cqs_[qid].get() : nullptr; }

  // ---- commands (admin_commands.cpp, io_commands.cpp) --------------------------
  CommandResult execute_admin(const spec::SubmissionEntry& sqe);
  CommandResult create_io_cq(const spec::SubmissionEntry& sqe);
  CommandResult create_io_sq(const spec::SubmissionEntry& sqe);
  CommandResult delete_io_sq(const spec::SubmissionEntry& sqe);
  CommandResult delete_io_cq(const spec::SubmissionEntry& sqe);
  CommandResult identify(const spec::SubmissionEntry& sqe);
  CommandResult get_log_page(const spec::SubmissionEntry& sqe);
  CommandResult get_features(const spec::SubmissionEntry& sqe);
  CommandResult set_features(const spec::SubmissionEntry& sqe);
  uint32_t reported_queue_counts() const;
  // ---- self-reports (log_pages_sim.cpp, features_sim.cpp, async_events.cpp) ----
  bool self_report(SelfReportEffect effect) const {
    return (self_report_faults_ >> static_cast<unsigned>(effect)) & 1u;
  }
  std::vector<std::byte> changed_namespace_log_bytes() const;
  std::vector<std::byte> effects_log_bytes() const;
  // The log `lid` was read with RAE clear: its event type is acknowledged (5.2).
  void log_read_without_rae(uint8_t lid);
  bool feature_saveable(uint8_t fid) const;
  uint32_t saved_feature(uint32_t key, uint32_t default_value) const;
  uint16_t temperature_threshold(uint8_t type) const;  // composite sensor: 0 over, 1 under (Kelvin)
  bool temperature_beyond_thresholds() const;
  // After a Set Features of the thresholds or AEC: an AER for a new crossing (5.27.1.3).
  void check_temperature_event();
  CommandResult async_event_request(const spec::SubmissionEntry& sqe);
  CommandResult abort_command(const spec::SubmissionEntry& sqe);
  void raise_event(uint8_t type, uint8_t info, uint8_t lid);
  void deliver_events();
  void clear_async_events();  // controller reset: held AERs and queued events vanish
  // Copies `data` (zero padded to `length`) to the command's PRPs; takes dma_mutex_.
  CommandResult transfer_to_host(const spec::SubmissionEntry& sqe, std::span<const std::byte> data, size_t length,
                                 uint64_t page_size);
  std::vector<std::byte> error_log_bytes() const;
  std::vector<std::byte> smart_log_bytes() const;
  std::vector<std::byte> firmware_slot_log_bytes() const;
  // Runs with only dma_mutex_ (taken inside): no controller state but the
  // immutable profile, media and limits.
  CommandResult execute_io(const spec::SubmissionEntry& sqe, uint64_t page_size, uint16_t sqid);
  const NamespaceMedia* media(uint32_t nsid) const;
  uint64_t max_transfer_bytes() const;
  // The commands that write or check written media (io_write_commands.cpp);
  // the same locking as execute_io.
  CommandResult write(const spec::SubmissionEntry& sqe, uint64_t page_size);
  CommandResult compare(const spec::SubmissionEntry& sqe, uint64_t page_size);
  CommandResult write_zeroes(const spec::SubmissionEntry& sqe);
  CommandResult dataset_management(const spec::SubmissionEntry& sqe, uint64_t page_size);
  CommandResult verify(const spec::SubmissionEntry& sqe);
  CommandResult flush(const spec::SubmissionEntry& sqe);
  // Copies `bytes` of the command's data out of host memory; a PRP violation is recorded.
  bool gather_from_host(const spec::SubmissionEntry& sqe, uint64_t page_size, std::span<std::byte> out,
                        spec::Status& failure);
  bool has_write_fault(WriteMediaEffect effect) const { return (write_faults_ & (1u << unsigned(effect))) != 0; }
  // Writes land in a volatile cache: VWC reports one and Volatile Write Cache
  // WCE (5.27.1.5) has it enabled, or the power-loss fault pretends there is none.
  bool volatile_cache() const {
    return ((profile_.controller.vwc & 0x1) != 0 && write_cache_enabled_.load(std::memory_order_acquire)) ||
           has_write_fault(WriteMediaEffect::kPowerLoss);
  }
  // Timestamp (5.27.1.13): the 8-byte data structure Get Features returns, and
  // what Set Features' data sets; ONCS bit 6 says the feature exists.
  bool timestamp_supported() const { return (profile_.controller.oncs & (1u << 6)) != 0; }
  std::array<std::byte, 8> timestamp_data();
  void set_timestamp(std::span<const std::byte> data);

  void violation(std::string line) { violations_.record(std::move(line)); }
  void record_error(uint16_t sqid, const spec::SubmissionEntry& sqe, const CommandResult& result, bool phase);

  // ---- immutable after construction ------------------------------------------
  const Profile profile_;
  // SelfReportFault effects of the profile, one bit each (async_events.cpp).
  const uint32_t self_report_faults_ = self_report_mask(profile_);
  static uint32_t self_report_mask(const Profile& profile);
  HostileDevice hostile_{profile_.hostile_seed};  // lies only in hostile mode; thread safe
  const Mode mode_;
  Clock& clock_;
  const IdentifyPages identify_;
  std::vector<NamespaceMedia> media_;
  uint32_t write_faults_ = 0;  // bit per WriteMediaEffect; set in the constructor only
  const uint32_t doorbell_stride_;
  const uint32_t bar_size_;
  ViolationLog violations_;
  // One per QID; outlives the queues that point into it.
  const std::unique_ptr<DoorbellState[]> doorbells_;
  alignas(64) std::atomic<bool> accepting_{false};  // ready, no CFS, not gone, no shutdown: the fast path may run
  alignas(64) std::atomic<uint64_t> sq_doorbell_writes_{0};
  std::atomic<uint64_t> cq_doorbell_writes_{0};

  // ---- guarded by mutex_ -------------------------------------------------------
  mutable std::mutex mutex_;
  std::condition_variable transfers_done_;
  FaultPlan faults_;
  struct Registers {
    spec::Cap cap;
    spec::Version vs;
    uint32_t intms = 0;
    spec::Cc cc;
    spec::Csts csts;  // CFS, SHST, NSSRO; RDY comes from phase_
    spec::Aqa aqa;
    spec::QueueBase asq;
    spec::QueueBase acq;
    spec::Crto crto;
  } regs_;
  Phase phase_ = Phase::kDisabled;
  Clock::time_point phase_since_{};
  bool shutdown_pending_ = false;
  Clock::time_point shutdown_since_{};
  bool gone_ = false;
  uint64_t page_size_ = 4096;                          // CC.MPS at the last enable
  std::vector<std::unique_ptr<SubmissionQueue>> sqs_;  // indexed by QID; 0 is the admin queue
  std::vector<std::unique_ptr<CompletionQueue>> cqs_;
  uint16_t granted_sqs_ = 0;  // 1-based
  uint16_t granted_cqs_ = 0;
  bool io_queues_created_ = false;                // since the last reset: Number of Queues is fixed
  std::map<uint32_t, uint32_t> features_;         // values Set Features changed, by fields::feature_key
  std::vector<spec::SubmissionEntry> held_aers_;  // outstanding AERs, oldest first
  std::deque<uint32_t> pending_events_;           // AER DW0s raised and not yet reported
  uint8_t masked_event_types_ = 0;                // bit per event type reported and not yet acknowledged
  bool temperature_reported_ = false;             // the current crossing was raised already
  std::map<uint32_t, uint32_t> saved_features_;   // SV=1 values, by fields::feature_key; survive resets
  // Volatile Write Cache WCE (on at power-on and after a reset, where VWC
  // reports a cache); read by the I/O path, which holds only dma_mutex_.
  std::atomic<bool> write_cache_enabled_{true};
  // Timestamp: the milliseconds set (0 and origin 000b after a reset) and when.
  uint64_t timestamp_base_ms_ = 0;
  Clock::time_point timestamp_since_{};
  bool timestamp_set_by_host_ = false;
  // stale-sqhd-after-reset: set by a reset, cleared by the next admin completion
  // (which reports the SQ head from before its command was fetched).
  bool stale_admin_sqhd_ = false;
  bool skip_admin_transfer_ = false;     // no-data-transfer fault: the admin command running moves no data
  std::deque<ErrorLogEntry> error_log_;  // newest first
  uint64_t error_count_ = 0;
  uint64_t units_read_ = 0;  // 512-byte units, for SMART
  uint64_t host_reads_ = 0;
  uint64_t commands_started_ = 0;
  std::vector<InFlight> in_flight_;
  std::vector<size_t> free_slots_;
  uint64_t next_command_id_ = 1;
  size_t in_flight_count_ = 0;
  size_t transfers_running_ = 0;
  SimCounters counters_;

  // ---- guarded by dma_mutex_ ---------------------------------------------------
  mutable std::mutex dma_mutex_;
  IovaSpace iova_{SimulatedController::kIovaBase};
  TransferFaults transfer_faults_;

  // Last member: its thread stops (in ~Device) before anything it uses dies.
  std::unique_ptr<DeviceThread> thread_;
};

}  // namespace nvqual::sim
