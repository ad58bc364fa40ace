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

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/command_log.hpp"
#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/dma_buffer.hpp"
#include "nvqual/driver/emergency_stop.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/identify.hpp"
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
  std::chrono::microseconds enable_pause{100};     // after a disable, before EN=1 (REFERENCE 1)
  bool allow_media_changes = false;                // needs the suite's and the user's opt-in
  size_t command_log_entries = 256;
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
  uint32_t lba_size = 512;  // bytes per logical block (the namespace's active format)
  // MS of the active format. The driver moves data only: it never sets MPTR
  // (separate metadata would be written to IOVA 0) and sizes transfers without
  // metadata (extended LBAs would overrun the PRPs), so nonzero is refused
  // before anything reaches the device. checked_active_format() gives both.
  uint32_t metadata_size = 0;
};

struct ReadResult {
  spec::CompletionEntry completion{};  // the first failing completion, or the last successful one
  uint32_t commands = 0;               // Read commands issued (more than one when split at MDTS)
  bool ok() const { return completion.status().ok(); }
};

class Controller {
 public:
  explicit Controller(Transport& transport, ControllerOptions options = {}, Clock& clock = SteadyClock::instance());
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  Transport& transport() { return transport_; }
  Clock& clock() { return clock_; }
  const ControllerOptions& options() const { return options_; }
  void set_allow_media_changes(bool allow) { options_.allow_media_changes = allow; }

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

  // ---- bring-up (REFERENCE.md section 1) ----------------------------------
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
  bool enabled() const { return admin_ != nullptr; }
  // True once a failure left the controller possibly running with nothing able
  // to stop it: every later call throws kReadyTimeout saying so.
  bool unusable() const { return unusable_.has_value(); }
  // DMA bytes given up unfreed because the controller could not be stopped.
  size_t quarantined_bytes() const { return quarantined_bytes_; }
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

  CommandLog& command_log() { return log_; }
  std::chrono::nanoseconds command_timeout() const { return options_.command_timeout; }

 private:
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

  template <typename Predicate>
  std::chrono::nanoseconds wait_for_csts(Predicate done, std::chrono::nanoseconds bound, ErrorKind on_timeout,
                                         const char* what);
  void check_not_gone(uint32_t raw, const char* register_name);
  void require_enabled(const char* what) const;
  void guard_media_change(uint16_t qid, const spec::SubmissionEntry& sqe) const;
  PrpLists fill_prps(spec::SubmissionEntry& sqe, DmaBuffer& buffer, size_t length, size_t offset);
  spec::CompletionEntry submit_and_wait(QueuePair& queue, spec::SubmissionEntry sqe, DmaBuffer* buffer, size_t length,
                                        size_t offset);
  std::vector<std::byte> admin_read_page(spec::SubmissionEntry sqe, size_t bytes, const char* what);
  spec::Cap cap_checked();
  std::chrono::nanoseconds ready_bound_for(spec::Cap cap);
  void require_usable() const;
  // EN=0 and wait for RDY=0, else a function-level reset; never throws. True
  // when the controller is known stopped (queues dropped); false when it is
  // not (queues and `in_flight` given up unfreed, controller unusable).
  bool disable_after_failure(InFlight in_flight) noexcept;
  bool disable_after_failure() noexcept { return disable_after_failure(InFlight{nullptr, {}}); }
  // The ladder's later rungs, for when CC.EN=0 was not honoured: function-level
  // reset, then NSSR (when CAP.NSSRS). Same result and effects as above.
  bool escalate_reset(InFlight in_flight) noexcept;
  // NSSR when CAP.NSSRS; true once CSTS.RDY=0 and CC.EN=0 read back (bounded).
  bool subsystem_reset() noexcept;
  // Appended to a disable() failure: whether the escalation stopped the controller.
  std::string escalation_note() const;
  // CC.EN reads 1 (false when CC cannot be read or reads all ones).
  bool cc_enabled_noexcept() noexcept;
  void drop_queues() noexcept;
  void abandon_memory(InFlight in_flight) noexcept;

  Transport& transport_;
  ControllerOptions options_;
  Clock& clock_;
  CommandLog log_;
  uint64_t page_size_ = 4096;
  std::unique_ptr<QueuePair> admin_;
  std::map<uint16_t, std::unique_ptr<QueuePair>> io_queues_;
  // Memory of queues created through the raw create_io_cq/sq calls: kept until
  // the controller is disabled, because only then can nothing reach it.
  std::vector<DmaBuffer> raw_queue_memory_;
  std::vector<std::unique_ptr<QueuePair>> retired_queues_;  // deletion failed: still known to the device
  spec::Cap cap_at_enable_;
  std::optional<IdentifyController> identity_;
  std::optional<Transition> last_disable_;
  std::optional<Transition> last_enable_;
  std::optional<Transition> last_shutdown_;
  std::optional<std::string> unusable_;  // why, once the controller could not be stopped
  size_t quarantined_bytes_ = 0;
};

// Formats "kind: message" (one line) followed by the last `last_commands`
// commands of the log, for failure output.
std::string describe_failure(const DriverError& error, const CommandLog& log, size_t last_commands = 16);

}  // namespace nvqual
