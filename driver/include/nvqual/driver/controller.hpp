// The polled controller: reset/enable, admin commands, Identify, I/O queue
// pairs and reads. Everything the harness does to a device goes through here.
//
// Lifetime rule: the destructor shuts the controller down (CC.SHN, bounded),
// then disables it (CC.EN=0, bounded), and only then frees the DMA memory the
// controller could reach. DMA memory is freed only once the controller is known
// stopped: CSTS.RDY read 0 after EN=0, or a function-level reset succeeded.
// When neither happens after a failure, the queue, PRP list and in-flight data
// memory is given up unfreed (it stays mapped until the transport closes, so
// the IOVA allocator cannot hand it out again) and the controller is unusable.
// The destructor goes by CC.EN as read, not by what this object enabled: a
// controller left with EN=1 (by a failed disable or a previous owner) is
// disabled too.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/command_counts.hpp"
#include "nvqual/driver/command_log.hpp"
#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/controller_state.hpp"
#include "nvqual/driver/dma_arena.hpp"
#include "nvqual/driver/dma_buffer.hpp"
#include "nvqual/driver/emergency_stop.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/media_change_policy.hpp"
#include "nvqual/driver/queue_pair.hpp"
#include "nvqual/driver/spec/registers.hpp"
#include "nvqual/driver/transport.hpp"

namespace nvqual {

struct ControllerOptions {
  uint32_t admin_queue_entries = 32;           // ASQ and ACQ depth (2..4096)
  std::optional<uint32_t> admin_cq_entries;    // when ACQ should differ from ASQ
  std::chrono::milliseconds ready_slack{500};  // added to the CAP.TO / CRTO bound
  std::chrono::milliseconds command_timeout{5000};
  std::chrono::milliseconds shutdown_floor{5000};  // RTD3E of 0 or tiny still gets this
  std::chrono::microseconds enable_pause{100};     // after a disable, before EN=1 (NVMe Base 2.0, 3.5.1)
  bool allow_media_changes = false;                // conditions 1 and 2 of media_change_policy.hpp at once
  size_t command_log_entries = 256;
  // The DMA arena (dma_arena.hpp) mapped once for this controller: PRP list
  // pages, step and read buffers. 0: every buffer is mapped on its own.
  // Counted in the VFIO memlock pre-flight (vfio/dma_estimate.hpp).
  size_t dma_arena_bytes = kDefaultDmaArenaBytes;
  static constexpr size_t kDefaultDmaArenaBytes = size_t{4} << 20;
};

// A state change the controller was asked for, its bound and how long it took.
struct Transition {
  std::chrono::nanoseconds latency{0};
  std::chrono::nanoseconds bound{0};
};

// Every controller register at one moment, typed.
struct RegisterSnapshot {
  spec::Cap cap;
  spec::Version vs;
  spec::Intms intms;
  spec::Intmc intmc;
  spec::Cc cc;
  spec::Csts csts;
  spec::Nssr nssr;
  spec::Aqa aqa;
  spec::QueueBase asq;
  spec::QueueBase acq;
  spec::Cmbloc cmbloc;
  spec::Cmbsz cmbsz;
  spec::Crto crto;
};

// Parameters of a Create I/O CQ/SQ command, including invalid ones for
// conformance checks. Memory is allocated by the controller and kept until the
// queue is deleted or the controller is disabled.
struct CreateQueueRequest {
  uint16_t qid = 1;
  uint32_t entries = 2;  // 1-based; 1 sends QSIZE 0, which the spec makes invalid
  uint16_t cqid = 0;     // SQ only: the CQ it completes to
  bool physically_contiguous = true;
  uint32_t base_offset = 0;         // bytes added to PRP1 (nonzero is invalid for queues)
  bool interrupts_enabled = false;  // CQ only
  uint16_t interrupt_vector = 0;    // CQ only
};

struct ReadRequest {
  uint32_t nsid = 1;
  uint64_t slba = 0;
  uint64_t blocks = 1;
  // Bytes per logical block. Leave it unset: the controller resolves the
  // namespace's active format itself (Controller::active_format) and refuses
  // one with metadata before anything reaches the device. When set it must
  // agree with that format; it is used on its own only for an NSID with no
  // format (nsid 0, nn + 1: conformance checks read those on purpose, to see
  // the device refuse them).
  std::optional<uint32_t> lba_size;
};

struct ReadResult {
  spec::CompletionEntry completion{};  // the first failing completion, or the last successful one
  uint32_t commands = 0;               // Read commands issued (more than one when split at MDTS)
  bool ok() const { return completion.status().ok(); }
};

// A Write (controller_write.cpp): request.blocks from the buffer, split at MDTS.
struct WriteRequest {
  uint32_t nsid = 1;
  uint64_t slba = 0;
  uint64_t blocks = 1;
  bool fua = false;  // Force Unit Access: on non-volatile media before it completes
};

// A Write Zeroes (no data; split at 65536 blocks only).
struct WriteZeroesRequest {
  uint32_t nsid = 1;
  uint64_t slba = 0;
  uint64_t blocks = 1;
  bool deallocate = false;  // DEAC: the controller may deallocate instead (DLFEAT bit 3)
  bool fua = false;
};

namespace detail {
struct QueueMemory;
struct PrpLists;
struct InFlight;
class StopLadder;
}  // namespace detail

class Controller {
 public:
  explicit Controller(Transport& transport, ControllerOptions options = {}, Clock& clock = SteadyClock::instance());
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  Transport& transport() { return transport_; }
  // Memory mapped once (the arena, mapped on the first call; DeviceSession
  // calls it at open): buffers from it cost no mapping, no system call.
  // Buffers allocated from it must go before the Controller does.
  DmaArena& dma_memory();
  Clock& clock() { return clock_; }
  const ControllerOptions& options() const { return options_; }
  // Conditions 1 and 2 of the media-change policy together (unit tests, the simulator).
  void set_allow_media_changes(bool allow) {
    policy_.set_suite_declares(allow);
    policy_.set_user_allows(allow);
  }
  // What every media-changing command is checked against before it is posted
  // (media_change_policy.hpp); the app and harness set it, the driver enforces it.
  MediaChangePolicy& media_change_policy() { return policy_; }
  const MediaChangePolicy& media_change_policy() const { return policy_; }
  // "" when a media-changing command on nsid's blocks [slba, slba + blocks) would
  // pass all four conditions now, else the line the refusal would carry.
  std::string media_change_refusal(uint32_t nsid, uint64_t slba, uint64_t blocks) const;
  // Media-changing commands this controller has rung a doorbell for (the
  // reports say whether media changed at all; docs/data-integrity.md).
  uint64_t media_changing_commands_sent() const { return media_changing_sent_.load(std::memory_order_relaxed); }
  // For a data path that posts on its own queue pair after checking this
  // controller's policy itself (IoEngine): adds the media-changing commands it
  // rang a doorbell for, once per run, so the count above stays complete.
  void add_media_changing_commands_sent(uint64_t commands) {
    media_changing_sent_.fetch_add(commands, std::memory_order_relaxed);
  }

  // ---- registers ----------------------------------------------------------
  RegisterSnapshot read_registers();
  // Register writes whose effect the spec defines for a polled host (MSI-X
  // never enabled), for conformance checks; each returns the register read
  // right after the write (NVMe Base 2.0, 3.1.3). CAP, VS and the other
  // read-only registers are deliberately not offered: a correct host never
  // writes them, and QEMU logs such a write as undefined behaviour.
  enum class WritableRegister {
    kIntms,  // RW1S: 1 bits set mask bits
    kIntmc,  // RW1C: 1 bits clear mask bits; reads the mask
    kCsts,   // read-only but NSSRO (RW1C): writing 0 changes nothing
  };
  uint32_t write_register(WritableRegister which, uint32_t value);
  // Every dword BAR0 reserves below the doorbells in every version from 1.0 to
  // 2.0 (18h, 6Ch-DFFh), with what it reads; the spec says 0.
  struct ReservedRead {
    uint32_t offset = 0;
    uint32_t value = 0;
  };
  std::vector<ReservedRead> read_reserved_registers();
  spec::Cap cap();
  spec::Cc cc();
  spec::Csts csts();
  spec::Version version();

  // ---- bring-up (NVMe Base 2.0, 3.5.1 and 3.6) ----------------------------
  // The bound on every ready transition: max(CAP.TO, CRTO.CRWMT when VS >= 2.0
  // and CAP.CRMS) x 500 ms, plus options().ready_slack.
  std::chrono::nanoseconds ready_bound();
  // Clears CC.EN and waits for CSTS.RDY=0, handling both odd entry states
  // (EN=1/RDY=0: wait for RDY=1 first; EN=0/RDY=1: just wait). Drops all queues.
  // A controller that never gets ready is still disabled, then kReadyTimeout
  // is thrown; when RDY does not drop after EN=0, the reset ladder
  // (function-level reset, NSSR) runs before the error is thrown.
  Transition disable();
  // Allocates the admin queue, programs AQA/ASQ/ACQ and CC (MPS, CSS, AMS,
  // entry sizes), sets EN=1 and waits for RDY=1. The controller must be disabled.
  Transition enable();
  // disable() then enable(); the usual start of every run.
  Transition reset();
  // CC.SHN=normal, waits for CSTS.SHST=complete bounded by RTD3E (floored),
  // then disables. Safe to call on a disabled controller.
  Transition shutdown();
  // For a process about to std::_Exit: see emergency_stop.hpp. Registers
  // only (safe while another thread is inside this Controller), frees
  // nothing, one bounded wait; true when CSTS.RDY read 0.
  bool emergency_disable() noexcept { return nvqual::emergency_disable(transport_, clock_); }
  // Where the controller is (see controller_state.hpp); every wait, timeout and
  // refusal names it.
  ControllerState state() const { return state_; }
  // The admin queue exists: enabling, ready or shutting down.
  bool enabled() const { return has_admin_queue(state_); }
  // True once a failure left the controller possibly running with nothing able
  // to stop it (state kUnusable): every later call throws kReadyTimeout saying so.
  bool unusable() const { return state_ == ControllerState::kUnusable; }
  // DMA bytes given up unfreed because the controller could not be stopped.
  size_t quarantined_bytes() const;
  // Latencies measured on this controller so far (for reports).
  std::optional<Transition> last_disable() const { return last_disable_; }
  std::optional<Transition> last_enable() const { return last_enable_; }
  std::optional<Transition> last_shutdown() const { return last_shutdown_; }
  uint64_t page_size() const { return page_size_; }  // CC.MPS in bytes while enabled

  // ---- admin commands -----------------------------------------------------
  QueuePair& admin_queue();
  // Submits on the admin queue and waits; returns whatever status came back.
  // Refuses media-changing opcodes unless allowed (kMediaChangeRefused).
  // If a command fails and the controller cannot be stopped (see unusable()),
  // the data `buffer` is given up unfreed and left empty, so unwinding cannot
  // release memory the device may still write; the same holds for reads.
  spec::CompletionEntry admin(spec::SubmissionEntry sqe);
  // Same, with a data buffer: PRP1/PRP2 (and a PRP list if needed) describe
  // `length` bytes of `buffer` from `offset`.
  spec::CompletionEntry admin(spec::SubmissionEntry sqe, DmaBuffer& buffer, size_t length, size_t offset = 0);

  // Any command on any of this controller's queues (admin or I/O), with the
  // same media-change guard and failure handling: if a command times out or the
  // device breaks the protocol, the controller is disabled before the error
  // propagates, so no outstanding command can DMA into memory freed by unwinding.
  spec::CompletionEntry execute(QueuePair& queue, spec::SubmissionEntry sqe);
  spec::CompletionEntry execute(QueuePair& queue, spec::SubmissionEntry sqe, DmaBuffer& buffer, size_t length,
                                size_t offset = 0);
  // Commands without data, posted together and submitted with ONE doorbell
  // write, then waited for in order; returns their completions in that order.
  // The same guard and failure handling as execute(): every entry is checked
  // before any is posted, and a batch larger than the queue's free_slots() is
  // refused (kQueueFull) with nothing posted.
  std::vector<spec::CompletionEntry> submit_batch(QueuePair& queue, std::span<const spec::SubmissionEntry> batch);

  // These throw kCommandFailed (with the status) on a non-success completion.
  IdentifyController identify_controller();
  IdentifyNamespace identify_namespace(uint32_t nsid);
  std::vector<uint32_t> active_namespaces(uint32_t after_nsid = 0);
  std::vector<NamespaceIdDescriptor> namespace_descriptors(uint32_t nsid);
  std::vector<std::byte> get_log_page(uint8_t lid, uint32_t nsid, size_t bytes);
  uint32_t get_features(uint8_t fid, uint32_t nsid = 0, uint8_t select = 0);
  // 1-based counts; returns what the controller allocated (1-based).
  cmd::QueueCounts set_number_of_queues(uint16_t io_sqs, uint16_t io_cqs);
  spec::CompletionEntry abort(uint16_t sqid, uint16_t cid);
  // 5.2 Asynchronous Event Request: posted and rung on the admin queue but not
  // waited for, since it completes only when an event occurs. Returns its CID.
  // It holds no host memory, so a disable may drop it outstanding.
  uint16_t post_async_event_request();
  // Waits for an AER posted by post_async_event_request() until
  // `since_submission` after its submission; nullopt when it has not completed
  // by then (an AER with no event is no error). A protocol violation or a lost
  // device stops the controller and throws, as for any command.
  std::optional<spec::CompletionEntry> wait_async_event(uint16_t cid, std::chrono::nanoseconds since_submission);

  // The active LBA format of namespace `nsid`, the one reads are sized by:
  // Identify Namespace, checked by checked_active_format() (so a format with
  // metadata, MS != 0, or corrupt Identify data throws). Cached per NSID until
  // the next disable or reset; identify_namespace() refreshes it. nullopt when
  // the NSID names no active namespace (Identify refused it, or NSZE is 0).
  std::optional<LbaFormat> active_format(uint32_t nsid);

  // The Identify Controller data from the last identify_controller() call.
  const std::optional<IdentifyController>& identity() const { return identity_; }
  // 2^MDTS x CAP.MPSMIN page size; 0 = no limit reported. Needs identify_controller().
  uint64_t max_transfer_bytes() const;

  // ---- I/O queues ---------------------------------------------------------
  // Create I/O CQ then SQ with the same QID; throws kCommandFailed on error.
  QueuePair& create_io_queue_pair(uint16_t qid, uint32_t entries);
  // Delete SQ then CQ; throws kCommandFailed on error.
  void delete_io_queue_pair(uint16_t qid);
  QueuePair& io_queue(uint16_t qid);
  std::vector<uint16_t> io_queue_ids() const;
  // Raw forms for conformance checks: they return the completion whatever it says.
  // Deleting a pair's queues this way leaves io_queue(qid) in place but unusable.
  spec::CompletionEntry create_io_cq(const CreateQueueRequest& request);
  spec::CompletionEntry create_io_sq(const CreateQueueRequest& request);
  spec::CompletionEntry delete_io_sq(uint16_t qid);
  spec::CompletionEntry delete_io_cq(uint16_t qid);

  // ---- reads --------------------------------------------------------------
  // Reads request.blocks logical blocks into `buffer` from byte `offset`
  // (dword aligned), split into commands of at most max_transfer_bytes().
  // Stops at the first failing command and returns its completion. Every
  // argument is checked, and each batch's PRP lists built, before anything is
  // posted: a refused read leaves nothing on the queue.
  ReadResult read(QueuePair& queue, const ReadRequest& request, DmaBuffer& buffer, size_t offset = 0);
  // One Read command exactly as asked (no splitting), for boundary checks.
  spec::CompletionEntry read_once(QueuePair& queue, const ReadRequest& request, DmaBuffer& buffer, size_t offset = 0);

  // ---- writes and the commands that check them (controller_write.cpp) ----
  // Each is a media-changing command (except Compare, Verify and Flush) and is
  // refused whole, before anything is posted, unless the media-change policy
  // allows every block it touches. They split and batch as read() does.
  ReadResult write(QueuePair& queue, const WriteRequest& request, DmaBuffer& buffer, size_t offset = 0);
  // One Write exactly as asked (no splitting), for boundary and status checks.
  spec::CompletionEntry write_once(QueuePair& queue, const WriteRequest& request, DmaBuffer& buffer, size_t offset = 0);
  ReadResult write_zeroes(QueuePair& queue, const WriteZeroesRequest& request);
  // The buffer's blocks against the media; a mismatch completes 02/85.
  ReadResult compare(QueuePair& queue, const ReadRequest& request, DmaBuffer& buffer, size_t offset = 0);
  ReadResult verify(QueuePair& queue, const ReadRequest& request);
  spec::CompletionEntry flush(QueuePair& queue, uint32_t nsid);
  // Dataset Management with AD (deallocate) for 1..256 ranges in one command.
  spec::CompletionEntry deallocate(QueuePair& queue, uint32_t nsid, std::span<const cmd::DsmRange> ranges);

  CommandLog& command_log() { return log_; }
  // What this controller's commands and enables added up to since the last
  // call (command_counts.hpp), and starts counting afresh.
  CommandCounts take_command_counts() { return std::exchange(counts_, CommandCounts{}); }
  std::chrono::nanoseconds command_timeout() const { return options_.command_timeout; }

 private:
  void require_enabled(const char* what) const;
  void require_usable() const;
  void stop_for_destruction() noexcept;
  // Throws kMediaChangeRefused unless all four conditions hold. `data` is the
  // command's data from PRP1 on (DSM ranges are read from it), empty when none.
  // Returns whether the command changes media.
  bool guard_media_change(uint16_t qid, const spec::SubmissionEntry& sqe, std::span<const std::byte> data) const;
  std::string extent_refusal(uint16_t qid, const spec::SubmissionEntry& sqe, std::span<const std::byte> data) const;
  // PRP1/PRP2 for `length` bytes of `buffer`; a PRP list goes in `queue`'s
  // list page for batch position `slot` (QueuePair::list_pages) when one page
  // holds it, else in pages of its own (returned, to outlive the command).
  detail::PrpLists fill_prps(QueuePair& queue, size_t slot, spec::SubmissionEntry& sqe, DmaBuffer& buffer,
                             size_t length, size_t offset);
  // `queue`'s list page for batch position `slot`, nullptr past kListSlots.
  std::byte* slot_list_page(QueuePair& queue, size_t slot, uint64_t& iova);
  static constexpr size_t kListSlots = 128;
  spec::CompletionEntry submit_and_wait(QueuePair& queue, spec::SubmissionEntry sqe, DmaBuffer* buffer, size_t length,
                                        size_t offset);
  // Posts `batch` (PRPs already filled; it must fit free_slots()), rings
  // once, waits for each in order and hands each completion to on_complete;
  // stops the controller (with `in_flight` kept) if a wait fails. `cids` holds
  // at least batch.size() entries: the caller's storage, so a single command
  // allocates nothing (controller_submit.hpp).
  template <typename OnComplete>
  void post_ring_collect(QueuePair& queue, std::span<const spec::SubmissionEntry> batch, std::span<uint16_t> cids,
                         const detail::InFlight& in_flight, OnComplete&& on_complete);
  // Counts a read-class command of `batch` (command_counts.hpp) when it is
  // sent and when it completes; nothing for any other command.
  void count_sent(uint16_t qid, const spec::SubmissionEntry& sqe);
  void count_completed(uint16_t qid, const spec::SubmissionEntry& sqe, const spec::CompletionEntry& cqe);
  std::vector<std::byte> admin_read_page(spec::SubmissionEntry sqe, size_t bytes, const char* what);
  // Caches the namespace's active format when reads can use it, else forgets it.
  void remember_format(uint32_t nsid, const IdentifyNamespace& ns);
  // Bytes per block for `request`: its namespace's active format, else its lba_size.
  uint32_t resolve_lba_size(const ReadRequest& request);
  // Blocks per data command: MDTS and NLB's 65536, at least one block or kUnsupported.
  uint64_t blocks_per_data_command(uint32_t lba_size) const;
  // `blocks` from `slba` as commands built from `base` (opcode and flags set;
  // SLBA and NLB filled here) of at most `per_command` blocks, posted in
  // batches behind one doorbell each; data from `buffer` at `offset` when
  // given. Stops after the batch holding the first failure.
  ReadResult split_transfer(QueuePair& queue, const spec::SubmissionEntry& base, uint64_t slba, uint64_t blocks,
                            uint64_t per_command, uint32_t lba_size, DmaBuffer* buffer, size_t offset);
  // kMediaChangeRefused for a whole request the policy does not allow, before any of it goes.
  void require_media_change_allowed(const char* what, uint32_t nsid, uint64_t slba, uint64_t blocks) const;
  // The checks read() makes on a data request; returns the LBA size.
  uint32_t check_data_request(const ReadRequest& request, const DmaBuffer& buffer, size_t offset);
  // CSTS polls during this controller's own transitions (csts_wait.hpp).
  template <typename Predicate>
  std::chrono::nanoseconds wait_for_csts(Predicate done, std::chrono::nanoseconds bound, ErrorKind on_timeout,
                                         const char* what);
  void check_not_gone(uint32_t raw, const char* register_name);
  spec::Cap cap_checked();
  std::chrono::nanoseconds ready_bound_for(spec::Cap cap);
  // The stop ladder after a failure (stop_ladder.hpp); the state follows its
  // outcome: kDisabled when stopped, kUnusable when not.
  bool disable_after_failure(detail::InFlight in_flight) noexcept;
  bool disable_after_failure() noexcept;
  bool escalate_reset() noexcept;
  // Queues freed: the controller is known stopped (state kDisabled).
  void drop_queues() noexcept;

  Transport& transport_;
  ControllerOptions options_;
  Clock& clock_;
  CommandLog log_;
  CommandCounts counts_;
  uint64_t page_size_ = 4096;
  ControllerState state_ = ControllerState::kDisabled;
  std::unique_ptr<DmaArena> arena_;  // before queues_: their list pages come from it
  std::unique_ptr<detail::QueueMemory> queues_;
  std::unique_ptr<detail::StopLadder> ladder_;
  // split_transfer's batch, reused so a steady run allocates nothing (one
  // transfer at a time per Controller, like the command log).
  std::vector<spec::SubmissionEntry> batch_scratch_;
  std::vector<detail::PrpLists> lists_scratch_;
  std::vector<uint16_t> cids_scratch_;
  spec::Cap cap_at_enable_;
  std::optional<IdentifyController> identity_;
  MediaChangePolicy policy_;
  std::atomic<uint64_t> media_changing_sent_{0};  // atomic: steps may write on several queues at once
  std::map<uint32_t, LbaFormat> formats_;         // active format per NSID; cleared when the queues go
  std::optional<Transition> last_disable_;
  std::optional<Transition> last_enable_;
  std::optional<Transition> last_shutdown_;
};

// Formats "kind: message" (one line) followed by the last `last_commands`
// commands of the log, for failure output.
std::string describe_failure(const DriverError& error, const CommandLog& log, size_t last_commands = 16);

}  // namespace nvqual
