#include "nvqual/driver/controller.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/prp.hpp"

namespace nvqual {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

namespace {

uint32_t ms_of(nanoseconds d) { return static_cast<uint32_t>(duration_cast<milliseconds>(d).count()); }

std::string csts_text(spec::Csts csts) {
  return fmt::format("CSTS {:#010x} (RDY={} CFS={} SHST={})", csts.raw, csts.rdy(), csts.cfs(), csts.shst());
}

// Register polls during state changes: quick at first (QEMU and most SSDs
// answer within microseconds), then at most every millisecond.
Clock::duration poll_pause(Clock::duration elapsed) {
  return std::clamp<Clock::duration>(elapsed / 10, std::chrono::microseconds(10), milliseconds(1));
}

// NLB is a 16-bit 0-based field: one Read moves at most 65536 blocks.
constexpr uint64_t kMaxBlocksPerCommand = 65536;

}  // namespace

Controller::Controller(Transport& transport, ControllerOptions options, Clock& clock)
    : transport_(transport), options_(options), clock_(clock), log_(options.command_log_entries) {}

Controller::~Controller() {
  // Whatever ends the run, the controller stops before its DMA memory goes:
  // a clean shutdown if possible, else a plain disable, else a function reset.
  // An unusable controller's memory was given up already: touch nothing.
  if (unusable_) return;
  if (!enabled() && io_queues_.empty() && raw_queue_memory_.empty()) {
    // No queues of ours, but CC.EN=1 all the same (a failed disable() or a
    // previous owner left it so, possibly with RDY=0): the cached state is
    // not enough, the register decides. disable() waits out a controller
    // still coming up and escalates if EN=0 is not honoured.
    if (!cc_enabled_noexcept()) return;
    try {
      disable();
    } catch (const std::exception&) {
    }
    return;
  }
  try {
    shutdown();
    return;
  } catch (const std::exception&) {
  }
  disable_after_failure();
}

bool Controller::cc_enabled_noexcept() noexcept {
  try {
    const spec::Cc config = cc();
    return config.raw != spec::kAllOnes32 && config.en() == 1;  // all ones: gone, not enabled
  } catch (const std::exception&) {
    return false;
  }
}

// ---- registers --------------------------------------------------------------

void Controller::check_not_gone(uint32_t raw, const char* register_name) {
  if (raw == spec::kAllOnes32) {
    throw DriverError(ErrorKind::kDeviceGone,
                      fmt::format("{} on {} reads FFFFFFFFh: the device is not reachable (fell off the bus, BAR not "
                                  "mapped, or powered down); check lspci and dmesg",
                                  register_name, transport_.name()));
  }
}

spec::Cap Controller::cap() { return spec::Cap{transport_.read64(spec::reg::kCap)}; }
spec::Cc Controller::cc() { return spec::Cc{transport_.read32(spec::reg::kCc)}; }
spec::Csts Controller::csts() { return spec::Csts{transport_.read32(spec::reg::kCsts)}; }
spec::Version Controller::version() { return spec::Version{transport_.read32(spec::reg::kVs)}; }

spec::Cap Controller::cap_checked() {
  const spec::Cap value = cap();
  if (value.raw == spec::kAllOnes64) check_not_gone(spec::kAllOnes32, "CAP");
  return value;
}

RegisterSnapshot Controller::read_registers() {
  RegisterSnapshot s;
  s.cap = cap();
  s.vs = version();
  s.intms = spec::Intms{transport_.read32(spec::reg::kIntms)};
  s.intmc = spec::Intmc{transport_.read32(spec::reg::kIntmc)};
  s.cc = cc();
  s.csts = csts();
  s.nssr = spec::Nssr{transport_.read32(spec::reg::kNssr)};
  s.aqa = spec::Aqa{transport_.read32(spec::reg::kAqa)};
  s.asq = spec::QueueBase{transport_.read64(spec::reg::kAsq)};
  s.acq = spec::QueueBase{transport_.read64(spec::reg::kAcq)};
  s.cmbloc = spec::Cmbloc{transport_.read32(spec::reg::kCmbloc)};
  s.cmbsz = spec::Cmbsz{transport_.read32(spec::reg::kCmbsz)};
  s.crto = spec::Crto{transport_.read32(spec::reg::kCrto)};
  return s;
}

// ---- bring-up ---------------------------------------------------------------

nanoseconds Controller::ready_bound() { return ready_bound_for(cap_checked()); }

nanoseconds Controller::ready_bound_for(spec::Cap c) {
  nanoseconds bound = c.ready_timeout();
  // 2.0: with CRMS set, CRTO.CRWMT can be larger than CAP.TO (Linux warns when they disagree).
  if (version().at_least(2, 0) && c.has_crto()) {
    const spec::Crto crto{transport_.read32(spec::reg::kCrto)};
    bound = std::max<nanoseconds>(bound, crto.ready_with_media_timeout());
  }
  return bound + options_.ready_slack;
}

template <typename Predicate>
nanoseconds Controller::wait_for_csts(Predicate done, nanoseconds bound, ErrorKind on_timeout, const char* what) {
  const auto start = clock_.now();
  for (;;) {
    const spec::Csts status = csts();
    check_not_gone(status.raw, "CSTS");
    const auto elapsed = clock_.now() - start;
    if (done(status)) return elapsed;
    if (on_timeout == ErrorKind::kReadyTimeout && status.cfs() != 0 && status.rdy() == 0) {
      throw DriverError(ErrorKind::kControllerFatal,
                        fmt::format("{} on {}: controller fatal status set after {} ms; {}", what, transport_.name(),
                                    ms_of(elapsed), csts_text(status)));
    }
    if (elapsed >= bound) {
      throw DriverError(on_timeout, fmt::format("{} on {}: not done within {} ms (CAP.TO/CRTO bound plus slack); {}",
                                                what, transport_.name(), ms_of(bound), csts_text(status)));
    }
    clock_.pause(poll_pause(elapsed));
  }
}

Transition Controller::disable() {
  require_usable();
  const nanoseconds bound = ready_bound();
  spec::Cc config = cc();
  check_not_gone(config.raw, "CC");
  const spec::Csts status = csts();
  check_not_gone(status.raw, "CSTS");

  // EN=1 but not yet ready: the controller is still coming up. Clearing EN now
  // is undefined on some devices; wait for RDY=1 (or CFS) first. If it never
  // gets there, EN=0 is still the safest thing left: a controller left
  // enabled could go on to DMA into memory the host reuses. So the failure is
  // kept, the disable below still runs, and the failure is reported after.
  std::optional<DriverError> never_ready;
  if (config.en() == 1 && status.rdy() == 0 && status.cfs() == 0) {
    try {
      wait_for_csts([](spec::Csts s) { return s.rdy() == 1 || s.cfs() == 1; }, bound, ErrorKind::kReadyTimeout,
                    "waiting for a controller that was still coming up (CC.EN=1, CSTS.RDY=0) before disabling it");
    } catch (const DriverError& e) {
      if (e.kind() == ErrorKind::kDeviceGone) throw;  // nothing left to write to
      never_ready = e;
    }
  }
  const auto start = clock_.now();
  if (config.en() == 1) transport_.write32(spec::reg::kCc, config.set_en(0).raw);
  // EN=0 and RDY=1 is the other odd entry state (a shutdown or reset in flight): the same wait covers it.
  try {
    wait_for_csts([](spec::Csts s) { return s.rdy() == 0; }, bound, ErrorKind::kReadyTimeout,
                  "disabling the controller (CC.EN=0, waiting for CSTS.RDY=0)");
  } catch (const DriverError& e) {
    if (e.kind() == ErrorKind::kDeviceGone) throw;
    // EN=0 was not honoured in time: escalate (function-level reset, then
    // NSSR); that either stops the controller or marks it unusable.
    escalate_reset(InFlight{});
    const std::string text = never_ready
                                 ? fmt::format("{}; then, with CC.EN cleared anyway: {}", never_ready->what(), e.what())
                                 : e.what();
    throw DriverError(e.kind(), text + escalation_note());
  }
  if (never_ready) {
    drop_queues();
    throw DriverError(never_ready->kind(),
                      fmt::format("{}; CC.EN was cleared anyway and CSTS.RDY read 0 within {} ms, so the controller "
                                  "is stopped",
                                  never_ready->what(), ms_of(clock_.now() - start)));
  }
  const Transition result{clock_.now() - start, bound};
  last_disable_ = result;
  drop_queues();
  return result;
}

Transition Controller::enable() {
  require_usable();
  if (enabled()) {
    throw DriverError(ErrorKind::kInvalidArgument, "enable() on an enabled controller: call reset() instead");
  }
  const spec::Cap first = cap_checked();
  const spec::Cc current = cc();
  check_not_gone(current.raw, "CC");
  if (current.en() == 1 || csts().rdy() == 1) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      "enable() needs a disabled controller (CC.EN=0, CSTS.RDY=0): call disable() or reset() first");
  }
  if (first.mpsmin() > first.mpsmax()) {
    throw DriverError(ErrorKind::kUnsupported, fmt::format("CAP.MPSMIN {} is above CAP.MPSMAX {}: no valid page size",
                                                           first.mpsmin(), first.mpsmax()));
  }
  if (!first.supports_nvm_command_set() && (first.css() & spec::Cap::kCssIoSets) == 0) {
    throw DriverError(
        ErrorKind::kUnsupported,
        fmt::format("CAP.CSS {:#x} offers neither the NVM command set nor I/O command sets", first.css()));
  }
  const uint32_t sq_entries = options_.admin_queue_entries;
  const uint32_t cq_entries = options_.admin_cq_entries.value_or(sq_entries);
  for (uint32_t entries : {sq_entries, cq_entries}) {
    if (entries < 2 || entries > spec::Aqa::kMaxEntries) {
      throw DriverError(ErrorKind::kInvalidArgument,
                        fmt::format("admin queue depth {} is outside 2..4096 (AQA)", entries));
    }
  }

  // The host page is 4 KiB; use it if the controller allows, else its smallest page.
  const uint32_t mps = static_cast<uint32_t>(first.mpsmin());
  const uint32_t css = (first.css() & spec::Cap::kCssIoSets) != 0 ? spec::Cc::kCssAllIoSets : spec::Cc::kCssNvm;
  const spec::Cc config = spec::Cc{}
                              .set_css(css)
                              .set_mps(mps)
                              .set_ams(spec::Cc::kAmsRoundRobin)
                              .set_shn(spec::Cc::kShnNone)
                              .set_iosqes(spec::Cc::kSqEntrySizeLog2)
                              .set_iocqes(spec::Cc::kCqEntrySizeLog2);
  // CAP may change after the first CC write (REFERENCE.md 1; in 2.0 CAP.TO
  // follows CC.CRIME). As Linux's nvme_enable_ctrl does: write CC with EN=0,
  // read it back so the write has landed, then read CAP again and take the
  // ready bound and the queue limits from what it says now.
  transport_.write32(spec::reg::kCc, config.raw);
  check_not_gone(cc().raw, "CC");
  const spec::Cap c = cap_checked();
  const nanoseconds bound = ready_bound_for(c);
  page_size_ = uint64_t{1} << (12 + mps);
  cap_at_enable_ = c;

  // Nothing above may throw once the admin queue exists: enabled() reports
  // true from here, so every later failure goes through the catch below.
  admin_ = std::make_unique<QueuePair>(
      transport_, clock_, &log_,
      QueueGeometry{0, sq_entries, cq_entries, c.doorbell_stride_bytes(), static_cast<size_t>(page_size_)});
  try {
    transport_.write32(spec::reg::kAqa, spec::Aqa::for_entries(sq_entries, cq_entries).raw);
    transport_.write64(spec::reg::kAsq, admin_->sq_iova());
    transport_.write64(spec::reg::kAcq, admin_->cq_iova());
    // Some controllers miss an EN write that closely follows a disable (REFERENCE.md 1).
    clock_.pause(options_.enable_pause);
    const auto start = clock_.now();
    transport_.write32(spec::reg::kCc, config.set_en(1).raw);
    wait_for_csts([](spec::Csts s) { return s.rdy() == 1; }, bound, ErrorKind::kReadyTimeout,
                  "enabling the controller (CC.EN=1, waiting for CSTS.RDY=1)");
    const spec::Csts ready = csts();
    if (ready.cfs() != 0) {
      throw DriverError(ErrorKind::kControllerFatal, fmt::format("enabling the controller on {}: ready but with "
                                                                 "controller fatal status; {}",
                                                                 transport_.name(), csts_text(ready)));
    }
    const Transition result{clock_.now() - start, bound};
    last_enable_ = result;
    return result;
  } catch (...) {
    disable_after_failure();
    throw;
  }
}

Transition Controller::reset() {
  disable();
  return enable();
}

Transition Controller::shutdown() {
  require_usable();
  const spec::Cc config = cc();
  check_not_gone(config.raw, "CC");
  if (config.en() == 0 && !enabled()) {
    drop_queues();
    return {};
  }
  // RTD3E (microseconds) is the device's own estimate; many report 0 or too
  // little, so a floor applies (REFERENCE.md 1).
  nanoseconds bound = options_.shutdown_floor;
  if (identity_ && identity_->rtd3e != 0) {
    bound = std::max<nanoseconds>(bound, std::chrono::microseconds(identity_->rtd3e));
  }
  const auto start = clock_.now();
  transport_.write32(spec::reg::kCc, config.set_shn(spec::Cc::kShnNormal).raw);
  wait_for_csts([](spec::Csts s) { return s.shst() == spec::Csts::kShstComplete; }, bound, ErrorKind::kShutdownTimeout,
                "shutting down (CC.SHN=01b, waiting for CSTS.SHST=10b)");
  const Transition result{clock_.now() - start, bound};
  last_shutdown_ = result;
  disable();
  return result;
}

bool Controller::disable_after_failure(InFlight in_flight) noexcept {
  // Best effort, bounded, never throws: EN=0 and wait; if the controller does
  // not stop, a function-level reset. Memory is released only when one of the
  // two is confirmed: freed DMA memory goes back to the IOVA allocator, and a
  // controller still running could write into whatever is mapped there next.
  bool stopped = false;
  try {
    const spec::Cc config = cc();
    if (config.raw != spec::kAllOnes32) {
      if (config.en() == 1) transport_.write32(spec::reg::kCc, config.set_en(0).raw);
      wait_for_csts([](spec::Csts s) { return s.rdy() == 0; }, ready_bound(), ErrorKind::kReadyTimeout,
                    "disabling after a failure");
      stopped = true;
    }
  } catch (const std::exception&) {
  }
  if (stopped) {
    drop_queues();
    return true;
  }
  return escalate_reset(in_flight);
}

bool Controller::escalate_reset(InFlight in_flight) noexcept {
  // The rest of the ladder after CC.EN=0 failed (REFERENCE.md 1): a
  // function-level reset, then an NVM subsystem reset where CAP.NSSRS says
  // there is one. NSSR resets every controller of the subsystem, hence last.
  bool stopped = false;
  try {
    stopped = transport_.function_level_reset();
  } catch (const std::exception&) {
  }
  if (!stopped) stopped = subsystem_reset();
  if (stopped) {
    drop_queues();
    return true;
  }
  abandon_memory(in_flight);
  try {
    unusable_ = fmt::format(
        "the controller on {} could not be stopped after a failure (CSTS.RDY never read 0 after CC.EN=0, or the "
        "registers were unreachable, and neither a function-level reset nor an NVM subsystem reset was available "
        "or worked); {} bytes of DMA memory it may still reach stay reserved until the device is closed: rebind or "
        "power-cycle it before using it again",
        transport_.name(), quarantined_bytes_);
  } catch (...) {
    unusable_.emplace();  // out of memory: require_usable() has a fixed text for this
  }
  return false;
}

bool Controller::subsystem_reset() noexcept {
  try {
    const spec::Cap c = cap();
    if (c.raw == spec::kAllOnes64 || c.nssrs() == 0) return false;
    transport_.write32(spec::reg::kNssr, spec::Nssr::reset().raw);
    // The reset brings CC back to its default (EN=0): both must be seen, so a
    // device that ignored the write is not taken for stopped.
    wait_for_csts([](spec::Csts s) { return s.rdy() == 0; }, ready_bound_for(c), ErrorKind::kReadyTimeout,
                  "NVM subsystem reset (waiting for CSTS.RDY=0)");
    return cc().en() == 0;
  } catch (const std::exception&) {
    return false;
  }
}

std::string Controller::escalation_note() const {
  return unusable_ ? " (a function-level reset and an NVM subsystem reset did not stop it either: see unusable())"
                   : " (a function-level or NVM subsystem reset stopped it)";
}

void Controller::abandon_memory(InFlight in_flight) noexcept {
  const auto give_up_queue = [this](std::unique_ptr<QueuePair>& queue) {
    if (!queue) return;
    quarantined_bytes_ += queue->memory_bytes();
    queue->abandon_memory();
  };
  const auto give_up = [this](DmaBuffer& buffer) {
    quarantined_bytes_ += buffer.size();
    buffer.abandon();
  };
  give_up_queue(admin_);
  for (auto& [qid, queue] : io_queues_) give_up_queue(queue);
  for (auto& queue : retired_queues_) give_up_queue(queue);
  for (auto& memory : raw_queue_memory_) give_up(memory);
  if (in_flight.data != nullptr) give_up(*in_flight.data);
  for (auto& lists : in_flight.lists) give_up(lists.pages);
  // The queue objects go; their memory, abandoned above, does not.
  drop_queues();
}

void Controller::drop_queues() noexcept {
  io_queues_.clear();
  retired_queues_.clear();
  admin_.reset();
  raw_queue_memory_.clear();
}

void Controller::require_usable() const {
  if (!unusable_) return;
  throw DriverError(ErrorKind::kReadyTimeout,
                    unusable_->empty() ? "the controller could not be stopped after a failure: rebind or power-cycle it"
                                       : *unusable_);
}

void Controller::require_enabled(const char* what) const {
  require_usable();
  if (!enabled()) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("{} needs an enabled controller: call enable() first", what));
  }
}

// ---- commands ---------------------------------------------------------------

void Controller::guard_media_change(uint16_t qid, const spec::SubmissionEntry& sqe) const {
  const bool changes = qid == 0 ? spec::admin_opcode_changes_media(sqe.opcode())
                                : spec::nvm_opcode_changes_media(sqe.opcode());
  if (changes && !options_.allow_media_changes) {
    throw DriverError(ErrorKind::kMediaChangeRefused,
                      fmt::format("refusing {} (opcode {:02x}h on queue {}): it can change media; it needs both the "
                                  "suite's media_changes: true and --allow-media-changes",
                                  opcode_name(qid, sqe.opcode()), sqe.opcode(), qid));
  }
}

Controller::PrpLists Controller::fill_prps(spec::SubmissionEntry& sqe, DmaBuffer& buffer, size_t length,
                                           size_t offset) {
  if (length == 0 || offset + length > buffer.size()) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("data transfer of {} bytes at offset {} does not fit a {}-byte buffer", length,
                                  offset, buffer.size()));
  }
  if (offset % 4 != 0) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("PRP1 offset {} is not dword aligned (NVMe Base 2.0, 4.1.1)", offset));
  }
  const prp::Plan plan = prp::plan(buffer.iova() + offset, length, page_size_);
  sqe.prp1 = plan.prp1;
  sqe.prp2 = plan.prp2;
  PrpLists lists;
  if (plan.needs_list()) {
    const size_t pages = prp::list_pages_needed(plan.list_entries.size(), page_size_);
    lists.pages = DmaBuffer(transport_, pages * page_size_, page_size_);
    std::vector<uint64_t> page_iovas;
    for (size_t i = 0; i < pages; ++i) page_iovas.push_back(lists.pages.iova() + i * page_size_);
    const auto laid_out = prp::lay_out_lists(plan.list_entries, page_iovas, page_size_);
    for (size_t i = 0; i < laid_out.size(); ++i) {
      std::memcpy(lists.pages.data() + i * page_size_, laid_out[i].data(), page_size_);
    }
    sqe.prp2 = page_iovas.front();
  }
  return lists;
}

spec::CompletionEntry Controller::submit_and_wait(QueuePair& queue, spec::SubmissionEntry sqe, DmaBuffer* buffer,
                                                  size_t length, size_t offset) {
  require_enabled("a command");
  guard_media_change(queue.qid(), sqe);
  PrpLists lists;
  if (buffer != nullptr) lists = fill_prps(sqe, *buffer, length, offset);
  const uint16_t cid = queue.post(sqe);  // kQueueFull here leaves nothing in flight
  queue.ring();
  try {
    return queue.wait(cid, options_.command_timeout);
  } catch (...) {
    // The command may still be in flight: stop the controller before the
    // buffers it may write are released by unwinding.
    disable_after_failure(InFlight{buffer, std::span<PrpLists>(&lists, 1)});
    throw;
  }
}

QueuePair& Controller::admin_queue() {
  require_enabled("the admin queue");
  return *admin_;
}

spec::CompletionEntry Controller::admin(spec::SubmissionEntry sqe) {
  require_enabled("an admin command");
  return submit_and_wait(*admin_, sqe, nullptr, 0, 0);
}

spec::CompletionEntry Controller::admin(spec::SubmissionEntry sqe, DmaBuffer& buffer, size_t length, size_t offset) {
  require_enabled("an admin command");
  return submit_and_wait(*admin_, sqe, &buffer, length, offset);
}

spec::CompletionEntry Controller::execute(QueuePair& queue, spec::SubmissionEntry sqe) {
  return submit_and_wait(queue, sqe, nullptr, 0, 0);
}

spec::CompletionEntry Controller::execute(QueuePair& queue, spec::SubmissionEntry sqe, DmaBuffer& buffer, size_t length,
                                          size_t offset) {
  return submit_and_wait(queue, sqe, &buffer, length, offset);
}

std::vector<std::byte> Controller::admin_read_page(spec::SubmissionEntry sqe, size_t bytes, const char* what) {
  require_enabled(what);
  DmaBuffer page(transport_, std::max<size_t>(bytes, DmaBuffer::kHostPage), static_cast<size_t>(page_size_));
  const spec::CompletionEntry completion = admin(sqe, page, bytes);
  if (!completion.status().ok()) {
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("{} (nsid {}) failed: {}", what, sqe.nsid, completion.status().describe()));
  }
  return {page.data(), page.data() + bytes};
}

IdentifyController Controller::identify_controller() {
  const auto page = admin_read_page(cmd::identify(spec::Cns::kController, 0), kIdentifyPageSize,
                                    "Identify Controller (CNS 01h)");
  identity_ = parse_identify_controller(page);
  return *identity_;
}

IdentifyNamespace Controller::identify_namespace(uint32_t nsid) {
  const auto page = admin_read_page(cmd::identify(spec::Cns::kNamespace, nsid), kIdentifyPageSize,
                                    "Identify Namespace (CNS 00h)");
  return parse_identify_namespace(page);
}

std::vector<uint32_t> Controller::active_namespaces(uint32_t after_nsid) {
  const auto page = admin_read_page(cmd::identify(spec::Cns::kActiveNamespaceList, after_nsid), kIdentifyPageSize,
                                    "Identify Active Namespace ID list (CNS 02h)");
  return parse_active_namespace_list(page);
}

std::vector<NamespaceIdDescriptor> Controller::namespace_descriptors(uint32_t nsid) {
  const auto page = admin_read_page(cmd::identify(spec::Cns::kNamespaceDescriptorList, nsid), kIdentifyPageSize,
                                    "Identify Namespace Identification Descriptor list (CNS 03h)");
  return parse_namespace_descriptors(page);
}

std::vector<std::byte> Controller::get_log_page(uint8_t lid, uint32_t nsid, size_t bytes) {
  if (bytes == 0 || bytes % 4 != 0) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("log page length {} is not a positive multiple of 4", bytes));
  }
  return admin_read_page(cmd::get_log_page(lid, nsid, static_cast<uint32_t>(bytes / 4)), bytes,
                         fmt::format("Get Log Page {:02x}h", lid).c_str());
}

uint32_t Controller::get_features(uint8_t fid, uint32_t nsid, uint8_t select) {
  const auto completion = admin(cmd::get_features(fid, select, nsid));
  if (!completion.status().ok()) {
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("Get Features {:02x}h failed: {}", fid, completion.status().describe()));
  }
  return completion.dw0;
}

cmd::QueueCounts Controller::set_number_of_queues(uint16_t io_sqs, uint16_t io_cqs) {
  const auto completion = admin(cmd::set_number_of_queues(io_sqs, io_cqs));
  if (!completion.status().ok()) {
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("Set Features Number of Queues ({} SQs, {} CQs) failed: {}", io_sqs, io_cqs,
                                  completion.status().describe()));
  }
  return cmd::decode_number_of_queues(completion.dw0);
}

spec::CompletionEntry Controller::abort(uint16_t sqid, uint16_t cid) { return admin(cmd::abort(sqid, cid)); }

uint64_t Controller::max_transfer_bytes() const {
  if (!identity_) {
    throw DriverError(ErrorKind::kInvalidArgument, "max_transfer_bytes() needs identify_controller() first");
  }
  if (identity_->mdts == 0) return 0;
  // 2.0, Figure 275: MDTS is in units of CAP.MPSMIN pages.
  return cap_at_enable_.min_page_size() << identity_->mdts;
}

// ---- I/O queues ---------------------------------------------------------------

QueuePair& Controller::create_io_queue_pair(uint16_t qid, uint32_t entries) {
  require_enabled("creating an I/O queue");
  if (qid == 0 || io_queues_.count(qid) != 0) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("I/O queue pair {} exists already or is the admin queue", qid));
  }
  const spec::Cap c = cap_at_enable_;
  if (entries < 2 || entries > c.max_queue_entries()) {
    throw DriverError(ErrorKind::kInvalidArgument, fmt::format("I/O queue depth {} is outside 2..{} (CAP.MQES + 1)",
                                                               entries, c.max_queue_entries()));
  }
  // Registered before the device hears of it: if a create command fails
  // without an answer, disable_after_failure() must find the rings to keep.
  auto created = std::make_unique<QueuePair>(
      transport_, clock_, &log_,
      QueueGeometry{qid, entries, entries, c.doorbell_stride_bytes(), static_cast<size_t>(page_size_)});
  QueuePair& queue = *created;
  io_queues_.emplace(qid, std::move(created));
  // Create the CQ before the SQ that completes to it (REFERENCE.md 1).
  const auto cq = admin(cmd::create_io_cq(qid, entries, queue.cq_iova(), true));
  if (!cq.status().ok()) {
    io_queues_.erase(qid);  // refused: the controller never used the rings
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("Create I/O CQ {} ({} entries) failed: {}", qid, entries, cq.status().describe()));
  }
  const auto sq = admin(cmd::create_io_sq(qid, entries, queue.sq_iova(), qid, true));
  if (!sq.status().ok()) {
    const auto undo = admin(cmd::delete_io_cq(qid));
    // If the CQ could not be deleted the controller still knows it: keep its memory until disable.
    if (!undo.status().ok()) retired_queues_.push_back(std::move(io_queues_[qid]));
    io_queues_.erase(qid);
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("Create I/O SQ {} ({} entries) failed: {}", qid, entries, sq.status().describe()));
  }
  return queue;
}

void Controller::delete_io_queue_pair(uint16_t qid) {
  require_enabled("deleting an I/O queue");
  // Delete the SQ before its CQ (2.0, 5.6); memory is released only when both are gone.
  const auto sq = admin(cmd::delete_io_sq(qid));
  if (!sq.status().ok()) {
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("Delete I/O SQ {} failed: {}", qid, sq.status().describe()));
  }
  const auto cq = admin(cmd::delete_io_cq(qid));
  if (!cq.status().ok()) {
    retired_queues_.push_back(std::move(io_queues_[qid]));
    io_queues_.erase(qid);
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("Delete I/O CQ {} failed: {}", qid, cq.status().describe()));
  }
  io_queues_.erase(qid);
}

QueuePair& Controller::io_queue(uint16_t qid) {
  const auto it = io_queues_.find(qid);
  if (it == io_queues_.end()) {
    throw DriverError(ErrorKind::kInvalidArgument, fmt::format("no I/O queue pair {} was created", qid));
  }
  return *it->second;
}

std::vector<uint16_t> Controller::io_queue_ids() const {
  std::vector<uint16_t> ids;
  for (const auto& [qid, queue] : io_queues_) ids.push_back(qid);
  return ids;
}

spec::CompletionEntry Controller::create_io_cq(const CreateQueueRequest& request) {
  require_enabled("creating an I/O CQ");
  const size_t bytes = std::max<uint32_t>(request.entries, 2) * spec::kCompletionEntrySize + request.base_offset;
  // Kept before the command goes out, so a failure without an answer finds it.
  const uint64_t iova = raw_queue_memory_.emplace_back(transport_, bytes, static_cast<size_t>(page_size_)).iova();
  return admin(cmd::create_io_cq(request.qid, request.entries, iova + request.base_offset,
                                 request.physically_contiguous, request.interrupts_enabled, request.interrupt_vector));
}

spec::CompletionEntry Controller::create_io_sq(const CreateQueueRequest& request) {
  require_enabled("creating an I/O SQ");
  const size_t bytes = std::max<uint32_t>(request.entries, 2) * spec::kSubmissionEntrySize + request.base_offset;
  const uint64_t iova = raw_queue_memory_.emplace_back(transport_, bytes, static_cast<size_t>(page_size_)).iova();
  return admin(cmd::create_io_sq(request.qid, request.entries, iova + request.base_offset, request.cqid,
                                 request.physically_contiguous));
}

spec::CompletionEntry Controller::delete_io_sq(uint16_t qid) { return admin(cmd::delete_io_sq(qid)); }
spec::CompletionEntry Controller::delete_io_cq(uint16_t qid) { return admin(cmd::delete_io_cq(qid)); }

// ---- reads --------------------------------------------------------------------

namespace {

void refuse_metadata(const ReadRequest& request) {
  if (request.metadata_size != 0) {
    throw DriverError(ErrorKind::kUnsupported,
                      fmt::format("a read of namespace {} with {} bytes of metadata per block: the driver moves data "
                                  "only (no MPTR, no extended LBAs); use a namespace formatted without metadata",
                                  request.nsid, request.metadata_size));
  }
}

}  // namespace

spec::CompletionEntry Controller::read_once(QueuePair& queue, const ReadRequest& request, DmaBuffer& buffer,
                                            size_t offset) {
  refuse_metadata(request);
  if (request.blocks == 0 || request.blocks > kMaxBlocksPerCommand) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("one Read moves 1..65536 blocks (NLB is 16 bits), asked for {}", request.blocks));
  }
  const size_t length = static_cast<size_t>(request.blocks) * request.lba_size;
  return execute(queue, cmd::read(request.nsid, request.slba, static_cast<uint32_t>(request.blocks)), buffer, length,
                 offset);
}

ReadResult Controller::read(QueuePair& queue, const ReadRequest& request, DmaBuffer& buffer, size_t offset) {
  require_enabled("a read");
  refuse_metadata(request);
  if (request.blocks == 0) throw DriverError(ErrorKind::kInvalidArgument, "a read of 0 blocks");
  if (request.lba_size < 512 || (request.lba_size & (request.lba_size - 1)) != 0) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("LBA size {} is not a power of two >= 512", request.lba_size));
  }
  // Divided, not multiplied: blocks x lba_size can wrap 64 bits and pass.
  if (offset > buffer.size() || request.blocks > (buffer.size() - offset) / request.lba_size) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("{} blocks of {} bytes at offset {} do not fit a {}-byte buffer", request.blocks,
                                  request.lba_size, offset, buffer.size()));
  }
  if (offset % 4 != 0) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("PRP1 offset {} is not dword aligned (NVMe Base 2.0, 4.1.1)", offset));
  }
  uint64_t per_command = kMaxBlocksPerCommand;
  if (const uint64_t mdts_bytes = max_transfer_bytes(); mdts_bytes != 0) {
    // A dword-aligned PRP1 offset can make a transfer touch one more page than
    // its length suggests; keep each command within MDTS by length, as the spec counts it.
    per_command = std::min<uint64_t>(per_command, mdts_bytes / request.lba_size);
    if (per_command == 0) {
      throw DriverError(
          ErrorKind::kUnsupported,
          fmt::format("MDTS allows {} bytes per command, less than one {}-byte block", mdts_bytes, request.lba_size));
    }
  }

  // Batched: as many commands as the queue has room for, one doorbell, then
  // collect. Each batch is built whole (PRP lists allocated, which can fail)
  // before any of it is posted, so a failure leaves nothing on the queue; and
  // once rung, any failure stops the controller before the buffers can go.
  ReadResult result;
  uint64_t done = 0;
  while (done < request.blocks) {
    const uint64_t room = queue.free_slots();
    if (room == 0) {
      throw DriverError(ErrorKind::kQueueFull,
                        fmt::format("queue {} has no free slot for a read; {}", queue.qid(), queue.describe_state()));
    }
    std::vector<spec::SubmissionEntry> batch;
    std::vector<PrpLists> lists;
    uint64_t next = done;
    while (next < request.blocks && batch.size() < room) {
      const uint64_t blocks = std::min(per_command, request.blocks - next);
      spec::SubmissionEntry sqe = cmd::read(request.nsid, request.slba + next, static_cast<uint32_t>(blocks));
      lists.push_back(fill_prps(sqe, buffer, blocks * request.lba_size, offset + next * request.lba_size));
      batch.push_back(sqe);
      next += blocks;
    }
    std::vector<uint16_t> cids;
    try {
      for (const auto& sqe : batch) cids.push_back(queue.post(sqe));
    } catch (...) {
      queue.discard_unrung();
      throw;
    }
    queue.ring();
    std::optional<spec::CompletionEntry> first_failure;
    try {
      for (uint16_t cid : cids) {
        const auto completion = queue.wait(cid, options_.command_timeout);
        if (!completion.status().ok() && !first_failure) first_failure = completion;
        result.completion = completion;
      }
    } catch (...) {
      // Commands of this batch may still be in flight.
      disable_after_failure(InFlight{&buffer, lists});
      throw;
    }
    done = next;
    result.commands += static_cast<uint32_t>(batch.size());
    if (first_failure) {
      result.completion = *first_failure;
      return result;
    }
  }
  return result;
}

std::string describe_failure(const DriverError& error, const CommandLog& log, size_t last_commands) {
  std::string text = fmt::format("{}: {}\n", to_string(error.kind()), error.what());
  const std::string commands = log.format(last_commands);
  if (!commands.empty()) text += "Last commands:\n" + commands;
  return text;
}

}  // namespace nvqual
