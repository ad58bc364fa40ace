// admin_fill: fills the admin queue (all but the one slot that must stay empty,
// also when ASQ and ACQ differ in size), rings the doorbell once, and collects
// every completion (NVMe Base 2.0, 3.3.1.5 full queue, 4.1 queue sizes).
#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

void run(StepContext& ctx, const StepArgs&, Observations& out) {
  Controller& controller = ctx.controller();
  QueuePair& queue = controller.admin_queue();
  const spec::SubmissionEntry probe = cmd::get_features(static_cast<uint8_t>(spec::FeatureId::kNumberOfQueues));
  std::vector<uint16_t> posted;
  while (!queue.full()) posted.push_back(queue.post(probe));
  queue.ring();
  spec::Status first_bad = spec::status::kSuccess;
  uint64_t completed = 0;
  for (uint16_t cid : posted) {
    const auto cqe = queue.wait(cid, controller.command_timeout());
    if (!cqe.status().ok() && first_bad.ok()) first_bad = cqe.status();
    ++completed;
  }
  out["status"] = first_bad;
  out["posted"] = posted.size();
  out["completed"] = completed;
  out["capacity"] = uint64_t{queue.capacity()};
  ctx.measure("full admin queue", fmt::format("{} commands in one doorbell write; {}", posted.size(), queue.describe_state()));
}

const StepRegistrar registrar{{
    .name = "admin_fill",
    .description = "Posts admin commands until the queue is full, rings once, collects every completion",
    .params = {},
    .observations =
        {
            {"status", ValueKind::kStatus, "the first non-success status, else success"},
            {"posted", ValueKind::kNumber, "commands posted in one doorbell write"},
            {"completed", ValueKind::kNumber, "completions consumed"},
            {"capacity", ValueKind::kNumber, "min(ASQ, ACQ entries) - 1"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
