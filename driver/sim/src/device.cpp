// Construction, DMA memory and inspection.
#include <algorithm>
#include <bit>

#include <fmt/format.h>

#include "device.hpp"
#include "profile_validate.hpp"

namespace nvqual::sim {

namespace {

std::vector<CorruptReadFault> read_corruptions(const Profile& profile) {
  std::vector<CorruptReadFault> out;
  for (const auto& fault : profile.faults) {
    if (const auto* f = std::get_if<CorruptReadFault>(&fault)) out.push_back(*f);
  }
  return out;
}

// BAR0 holds the registers and the doorbells of every queue the controller
// can grant, rounded up to a power of two, and at least 16 KiB (as QEMU's).
uint32_t bar_size_for(const Profile& profile) {
  const uint64_t stride = uint64_t{4} << profile.registers.dstrd;
  const uint64_t end = spec::reg::kDoorbellBase + 2 * (uint64_t{profile.queues.max_io_queues} + 1) * stride;
  return static_cast<uint32_t>(std::max<uint64_t>(std::bit_ceil(end), 0x4000));
}

}  // namespace

namespace {
Profile validated(Profile profile) {
  validate_profile(profile);
  return profile;
}
}  // namespace

Device::Device(Profile profile, Mode mode, Clock& clock)
    : profile_(validated(std::move(profile))),
      mode_(mode),
      clock_(clock),
      identify_(profile_),
      doorbell_stride_(4u << profile_.registers.dstrd),
      bar_size_(bar_size_for(profile_)),
      doorbells_(std::make_unique<DoorbellState[]>(size_t{profile_.queues.max_io_queues} + 1)),
      faults_(profile_.faults),
      transfer_faults_(profile_.faults) {
  timestamp_since_ = clock_.now();  // the Timestamp counts from 0 at power-on (5.27.1.13)
  const auto corruptions = read_corruptions(profile_);
  for (const auto& ns : profile_.namespaces) media_.emplace_back(ns, corruptions);
  for (const auto& fault : profile_.faults) {
    if (const auto* f = std::get_if<WriteMediaFault>(&fault)) write_faults_ |= 1u << unsigned(f->effect);
  }
  sqs_.resize(size_t{profile_.queues.max_io_queues} + 1);
  cqs_.resize(size_t{profile_.queues.max_io_queues} + 1);
  power_on_registers();
  granted_sqs_ = profile_.queues.max_io_queues;
  granted_cqs_ = profile_.queues.max_io_queues;
  gone_ = faults_.gone_from_start();
  if (mode_ == Mode::kThreaded) thread_ = std::make_unique<DeviceThread>([this] { return scan_doorbells(); });
}

Device::~Device() {
  // The device thread must stop before the state its handlers touch goes, and
  // the latency timers must go before the io_context they belong to.
  if (thread_) thread_->stop();
  in_flight_.clear();
  thread_.reset();
}

DmaRegion Device::dma_alloc(size_t size, size_t alignment) {
  const std::lock_guard dma(dma_mutex_);
  return iova_.allocate(size, alignment);
}

// Why the controller can still reach `region` ("" when it cannot). Caller holds mutex_.
std::string Device::reachable_by_controller(const DmaRegion& region) const {
  std::string reachable;
  for (const auto& q : sqs_) {
    if (q && reachable.empty() && q->memory.overlaps(region.iova, region.size)) {
      reachable = fmt::format("SQ {} (ring at 0x{:x}) still uses it; delete the queue or disable the controller first",
                              q->qid, q->base);
    }
  }
  for (const auto& q : cqs_) {
    if (q && reachable.empty() && q->memory.overlaps(region.iova, region.size)) {
      reachable = fmt::format("CQ {} (ring at 0x{:x}) still uses it; delete the queue or disable the controller first",
                              q->qid, q->base);
    }
  }
  const auto points_into = [&](const spec::SubmissionEntry& e) {
    const auto inside = [&](uint64_t a) { return a >= region.iova && a - region.iova < region.size; };
    return inside(e.prp1) || inside(e.prp2);
  };
  for (const auto& c : in_flight_) {
    if (c.id != 0 && reachable.empty() && points_into(c.sqe)) {
      reachable = fmt::format(
          "command CID {} on SQ {} is still outstanding and may transfer to it; wait for its "
          "completion first",
          c.sqe.cid(), c.sqid);
    }
  }
  // Commands the host rang in but the controller has not fetched yet.
  for (const auto& q : sqs_) {
    for (uint32_t i = q ? q->head() : 0; q && i != q->tail() && reachable.empty(); i = q->next(i)) {
      const auto e = q->entry(i);
      if (points_into(e)) {
        reachable = fmt::format("command CID {} queued on SQ {} points into it; wait for its completion first", e.cid(),
                                q->qid);
      }
    }
  }
  return reachable;
}

void Device::dma_free(const DmaRegion& region) noexcept {
  try {
    const std::lock_guard lock(mutex_);
    const std::string reachable = reachable_by_controller(region);
    const std::lock_guard dma(dma_mutex_);
    const auto released = iova_.release(region, !reachable.empty());
    if (released == IovaSpace::Release::kUnknown) {
      violation(
          fmt::format("dma_free of IOVA 0x{:x} (host {}, {} bytes), which is not a mapped region (double "
                      "free, or not from dma_alloc)",
                      region.iova, static_cast<const void*>(region.host), region.size));
    } else if (!reachable.empty()) {
      violation(fmt::format("DMA region 0x{:x} (+{} bytes) freed while the controller can reach it: {}", region.iova,
                            region.size, reachable));
    }
  } catch (...) {
    // Formatting ran out of memory: nothing sensible left to report.
  }
}

void Device::dma_returned(const DmaRegion& piece) noexcept {
  // A piece of an arena goes back for reuse: the same rule as a free, but the
  // region stays mapped (the arena owns it).
  try {
    const std::lock_guard lock(mutex_);
    const std::string reachable = reachable_by_controller(piece);
    if (!reachable.empty()) {
      violation(
          fmt::format("DMA arena piece 0x{:x} (+{} bytes) returned for reuse while the controller can reach "
                      "it: {}",
                      piece.iova, piece.size, reachable));
    }
  } catch (...) {
  }
}

SimCounters Device::counters() const {
  const std::lock_guard lock(mutex_);
  SimCounters out = counters_;
  out.sq_doorbell_writes = sq_doorbell_writes_.load(std::memory_order_relaxed);
  out.cq_doorbell_writes = cq_doorbell_writes_.load(std::memory_order_relaxed);
  return out;
}

size_t Device::mapped_regions() const {
  const std::lock_guard dma(dma_mutex_);
  return iova_.mapped_count();
}

const NamespaceMedia* Device::media(uint32_t nsid) const {
  for (const auto& m : media_) {
    if (m.nsid() == nsid) return &m;
  }
  return nullptr;
}

// 2.0 Figure 275 MDTS: in units of the minimum memory page size (CAP.MPSMIN).
uint64_t Device::max_transfer_bytes() const {
  if (profile_.controller.mdts == 0) return 0;
  return (uint64_t{1} << profile_.controller.mdts) * (uint64_t{4096} << profile_.registers.mpsmin);
}

}  // namespace nvqual::sim
