#include "raw_host.hpp"

#include <atomic>
#include <thread>

namespace nvqual::sim_test {

sim::Profile fixture(const std::string& relative) { return sim::load_profile(sim::profile_directory() / relative); }

sim::Profile default_with(sim::Fault fault) {
  sim::Profile profile = sim::default_profile();
  profile.faults.push_back(std::move(fault));
  return profile;
}

std::string violations_text(const sim::SimulatedController& sim) {
  return fmt::format("{}", fmt::join(sim.violations(), "\n"));
}

bool has_violation(const sim::SimulatedController& sim, const std::string& part) {
  for (const auto& line : sim.violations()) {
    if (line.find(part) != std::string::npos) return true;
  }
  return false;
}

RawHost::~RawHost() {
  if (!leave_enabled_ && cc().en() != 0) {
    write_cc(cc().set_en(0));
    wait_ready(false);
  }
}

spec::Cc RawHost::enabled_cc() {
  return spec::Cc{}
      .set_en(1)
      .set_css(spec::Cc::kCssNvm)
      .set_mps(0)
      .set_ams(spec::Cc::kAmsRoundRobin)
      .set_iosqes(spec::Cc::kSqEntrySizeLog2)
      .set_iocqes(spec::Cc::kCqEntrySizeLog2);
}

void RawHost::configure_admin(uint32_t sq_entries, uint32_t cq_entries, size_t alignment) {
  admin_ = std::make_unique<Ring>();
  admin_->qid = 0;
  admin_->sq_entries = sq_entries;
  admin_->cq_entries = cq_entries;
  admin_->sq = DmaBuffer(sim_, sq_entries * sizeof(spec::SubmissionEntry), alignment);
  admin_->cq = DmaBuffer(sim_, cq_entries * sizeof(spec::CompletionEntry), alignment);
  sim_.write32(spec::reg::kAqa, spec::Aqa::for_entries(sq_entries, cq_entries).raw);
  sim_.write64(spec::reg::kAsq, admin_->sq.iova());
  sim_.write64(spec::reg::kAcq, admin_->cq.iova());
}

bool RawHost::wait_ready(bool ready, std::chrono::nanoseconds bound) {
  const auto deadline = clock_.now() + bound;
  for (;;) {
    const spec::Csts s = csts();
    if (s.all_ones()) return false;
    if ((s.rdy() != 0) == ready) return true;
    if (s.cfs() != 0 || clock_.now() >= deadline) return false;
    clock_.pause(1ms);
  }
}

void RawHost::bring_up(uint32_t admin_entries) {
  configure_admin(admin_entries, admin_entries);
  write_cc(enabled_cc());
  ASSERT_TRUE(wait_ready(true)) << "controller not ready; violations:\n" << violations_text(sim_);
}

void RawHost::disable() {
  write_cc(cc().set_en(0));
  EXPECT_TRUE(wait_ready(false));
  admin_.reset();
}

uint16_t RawHost::post(Ring& ring, spec::SubmissionEntry sqe) {
  const uint16_t cid = ring.next_cid++;
  sqe.set_cid(cid);
  ring.sq.as<spec::SubmissionEntry>()[ring.sq_tail] = sqe;
  ring.sq_tail = (ring.sq_tail + 1) % ring.sq_entries;
  return cid;
}

void RawHost::ring(Ring& ring) {
  std::atomic_thread_fence(std::memory_order_release);
  sim_.write32(spec::sq_tail_doorbell(ring.qid, stride()), ring.sq_tail);
}

std::optional<spec::CompletionEntry> RawHost::take(Ring& ring) {
  auto& slot = ring.cq.as<spec::CompletionEntry>()[ring.cq_head];
  // The phase-carrying dword first (acquire), the rest only once it is new.
  const uint32_t dw3 = std::atomic_ref<uint32_t>(slot.dw3).load(std::memory_order_acquire);
  if (spec::CompletionEntry{0, 0, 0, dw3}.phase() != ring.phase) return std::nullopt;
  const spec::CompletionEntry cqe{slot.dw0, slot.dw1, slot.dw2, dw3};
  if (++ring.cq_head == ring.cq_entries) {
    ring.cq_head = 0;
    ring.phase = !ring.phase;
  }
  sim_.write32(spec::cq_head_doorbell(ring.qid, stride()), ring.cq_head);
  return cqe;
}

spec::CompletionEntry RawHost::wait(Ring& ring) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    if (auto cqe = take(ring)) return *cqe;
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "no completion on queue " << ring.qid << " within 10 s; violations:\n" << violations_text(sim_);
      return spec::CompletionEntry{0, 0, 0, 0xFFFFFFFF};
    }
    std::this_thread::yield();
  }
}

spec::CompletionEntry RawHost::execute(Ring& ring, spec::SubmissionEntry sqe, const DmaBuffer& buffer, size_t offset) {
  sqe.prp1 = buffer.iova() + offset;
  const uint64_t second_page = (sqe.prp1 / 4096 + 1) * 4096;
  if (second_page < buffer.iova() + buffer.size()) sqe.prp2 = second_page;
  return execute(ring, sqe);
}

Ring RawHost::create_io_pair(uint16_t qid, uint32_t entries) {
  Ring ring;
  ring.qid = qid;
  ring.sq_entries = entries;
  ring.cq_entries = entries;
  ring.sq = DmaBuffer(sim_, entries * sizeof(spec::SubmissionEntry));
  ring.cq = DmaBuffer(sim_, entries * sizeof(spec::CompletionEntry));
  const auto cq_done = execute(admin(), cmd::create_io_cq(qid, entries, ring.cq.iova(), true));
  EXPECT_TRUE(cq_done.status().ok()) << "Create I/O CQ " << qid << ": " << cq_done.status().describe();
  const auto sq_done = execute(admin(), cmd::create_io_sq(qid, entries, ring.sq.iova(), qid, true));
  EXPECT_TRUE(sq_done.status().ok()) << "Create I/O SQ " << qid << ": " << sq_done.status().describe();
  return ring;
}

void RawHost::delete_io_pair(Ring& ring) {
  EXPECT_TRUE(execute(admin(), cmd::delete_io_sq(ring.qid)).status().ok());
  EXPECT_TRUE(execute(admin(), cmd::delete_io_cq(ring.qid)).status().ok());
}

}  // namespace nvqual::sim_test
