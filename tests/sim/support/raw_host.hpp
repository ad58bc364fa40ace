// A deliberately small, hand-written host for testing the simulator through
// the Transport interface alone: raw register writes, hand-built SQEs (the
// commands.hpp builders), rings it manages itself. It follows the protocol
// exactly, so a correct sequence must leave the simulator with no violations.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "nvqual/driver/clock.hpp"
#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/dma_buffer.hpp"
#include "nvqual/driver/spec/registers.hpp"
#include "nvqual/sim/profile.hpp"
#include "nvqual/sim/simulated_controller.hpp"

namespace nvqual::sim_test {

using namespace std::chrono_literals;

// A shipped profile, e.g. fixture("faults/never-ready.yaml").
sim::Profile fixture(const std::string& relative);
sim::Profile default_with(sim::Fault fault);
std::string violations_text(const sim::SimulatedController& sim);
#define EXPECT_NO_VIOLATIONS(sim) EXPECT_TRUE((sim).violations().empty()) << ::nvqual::sim_test::violations_text(sim)
// True when some violation line contains `part`.
bool has_violation(const sim::SimulatedController& sim, const std::string& part);

// One SQ/CQ pair as the host sees it. Phase convention: `phase` is the value
// a new completion carries; 1 on a new CQ, flipped when the head wraps.
struct Ring {
  uint16_t qid = 0;
  uint32_t sq_entries = 0;
  uint32_t cq_entries = 0;
  DmaBuffer sq;
  DmaBuffer cq;
  uint32_t sq_tail = 0;
  uint32_t cq_head = 0;
  bool phase = true;
  uint16_t next_cid = 0;
};

class RawHost {
 public:
  RawHost(sim::SimulatedController& sim, Clock& clock) : sim_(sim), clock_(clock) {}
  ~RawHost();  // disables the controller before the rings are freed
  // For tests of teardown itself: leave the controller running on exit.
  void leave_enabled_on_exit() { leave_enabled_ = true; }

  sim::SimulatedController& sim() { return sim_; }
  spec::Cap cap() { return spec::Cap{sim_.read64(spec::reg::kCap)}; }
  spec::Cc cc() { return spec::Cc{sim_.read32(spec::reg::kCc)}; }
  spec::Csts csts() { return spec::Csts{sim_.read32(spec::reg::kCsts)}; }
  uint32_t stride() { return cap().doorbell_stride_bytes(); }

  // MPS 0 (4 KiB), NVM command set, round robin, 64/16-byte entries, EN=1.
  static spec::Cc enabled_cc();
  // Allocates the admin rings and programs AQA, ASQ, ACQ (64-bit writes).
  void configure_admin(uint32_t sq_entries = 16, uint32_t cq_entries = 16, size_t alignment = 4096);
  void write_cc(spec::Cc cc) { sim_.write32(spec::reg::kCc, cc.raw); }
  // Polls CSTS.RDY, pausing the clock between reads, up to `bound` of clock time.
  bool wait_ready(bool ready, std::chrono::nanoseconds bound = 60s);
  // configure_admin + EN=1 + wait for RDY=1; fails the test if it does not come.
  void bring_up(uint32_t admin_entries = 16);
  // EN=0 and wait for RDY=0; forgets every ring.
  void disable();
  Ring& admin() { return *admin_; }

  // Stores the entry with the next CID; ring() writes the tail doorbell.
  uint16_t post(Ring& ring, spec::SubmissionEntry sqe);
  void ring(Ring& ring);
  uint16_t submit(Ring& ring, spec::SubmissionEntry sqe) {
    const uint16_t cid = post(ring, sqe);
    this->ring(ring);
    return cid;
  }
  // The next completion when its phase matches (then the head doorbell is written).
  std::optional<spec::CompletionEntry> take(Ring& ring);
  // Polls host memory until a completion arrives; fails after 10 s of real time.
  spec::CompletionEntry wait(Ring& ring);
  spec::CompletionEntry execute(Ring& ring, spec::SubmissionEntry sqe) {
    submit(ring, sqe);
    return wait(ring);
  }
  // PRP1 (and PRP2 for a second page) describe `buffer` from `offset`.
  spec::CompletionEntry execute(Ring& ring, spec::SubmissionEntry sqe, const DmaBuffer& buffer, size_t offset = 0);

  Ring create_io_pair(uint16_t qid, uint32_t entries);
  void delete_io_pair(Ring& ring);

 private:
  sim::SimulatedController& sim_;
  Clock& clock_;
  std::unique_ptr<Ring> admin_;
  bool leave_enabled_ = false;
};

// A simulator and its test host on one virtual clock.
struct Rig {
  explicit Rig(sim::Profile profile, sim::Mode mode = sim::Mode::kInline)
      : sim(std::move(profile), mode, clock), host(sim, clock) {}
  VirtualClock clock;
  sim::SimulatedController sim;
  RawHost host;
};

// SCT/SC of a completion as the spec writes them: "00/0B".
inline std::string code(const spec::CompletionEntry& cqe) {
  return fmt::format("{:02X}/{:02X}", cqe.status().sct(), cqe.status().sc());
}

}  // namespace nvqual::sim_test
