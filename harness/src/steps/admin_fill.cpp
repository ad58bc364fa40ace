// admin_fill: fills the admin queue (all but the one slot that must stay empty,
// also when ASQ and ACQ differ in size), rings the doorbell once, and collects
// every completion (NVMe Base 2.0, 3.3.1.5 full queue, 4.1 queue sizes).
//
// What the host posted proves nothing about the controller, so the step
// measures what the controller reports: one command first gives the SQ head
// before the fill, and the SQHD values of the fill's completions must then
// have moved it past every posted entry (sqhd_advance == posted). The batch
// goes through Controller::submit_batch, so a timeout disables the controller
// before the error propagates, as for every other command.
#include <algorithm>

#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

void run(StepContext& ctx, const StepArgs&, Observations& out) {
  Controller& controller = ctx.controller();
  QueuePair& queue = controller.admin_queue();
  const uint32_t entries = queue.geometry().sq_entries;
  const spec::SubmissionEntry probe = cmd::get_features(static_cast<uint8_t>(spec::FeatureId::kNumberOfQueues));
  const spec::CompletionEntry before = controller.admin(probe);
  spec::Status first_bad = before.status();

  // Every slot post() would accept now, in one batch behind one doorbell write.
  const std::vector<spec::SubmissionEntry> posted(queue.free_slots(), probe);
  uint64_t completed = 0;
  uint64_t advance = 0;
  for (const auto& cqe : controller.submit_batch(queue, posted)) {
    if (!cqe.status().ok() && first_bad.ok()) first_bad = cqe.status();
    // Distance the head moved from where it was before the fill (SQHD is the
    // controller's, so a controller that skips or repeats entries shows here).
    advance = std::max<uint64_t>(advance, (cqe.sqhd() + entries - before.sqhd()) % entries);
    ++completed;
  }
  out["status"] = first_bad;
  out["posted"] = posted.size();
  out["completed"] = completed;
  out["sqhd_advance"] = advance;
  out["capacity"] = uint64_t{queue.capacity()};
  ctx.measure("full admin queue", fmt::format("{} commands in one doorbell write; SQHD {} -> +{}; {}", posted.size(),
                                              before.sqhd(), advance, queue.describe_state()));
}

const StepRegistrar registrar{{
    .name = "admin_fill",
    .description = "Posts admin commands until the queue is full, rings once, collects every completion",
    .params = {},
    .observations =
        {
            {"status", ValueKind::kStatus, "the first non-success status, else success"},
            {"posted", ValueKind::kNumber, "commands the host posted in one doorbell write (host side: not a check)"},
            {"completed", ValueKind::kNumber, "completions the host consumed (host side: not a check)"},
            {"sqhd_advance", ValueKind::kNumber,
             "how far the controller's SQHD moved past the head before the fill (all consumed: == posted)"},
            {"capacity", ValueKind::kNumber, "min(ASQ, ACQ entries) - 1"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
