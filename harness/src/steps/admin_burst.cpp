// admin_burst: many admin commands in a row, posted `batch` at a time and rung
// once per batch, so both rings wrap (several times on a 2-entry queue), the
// phase tag flips, SQHD advances and the CID walks the 16-bit space
// (NVMe Base 2.0, 3.3.1, 4.6). The queue itself rejects completions with a
// wrong SQID, an SQHD outside the queue or an unknown CID. Wraps are counted
// from the phase tags the controller wrote, not derived from the count. With
// batches the completions are taken in CID order, which an out-of-order
// controller could make differ from ring order: check cq_wraps with batch 1.
#include <set>

#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/identify.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

constexpr const char* kIdentifyBatch = "command: identify moves data and runs one at a time: use batch: 1";

std::optional<ArgProblem> check_args(const StepArgs& args) {
  const auto batch = args.constant("batch");
  if (args.choice("command") == "identify" && batch && *batch != 1) return ArgProblem{"batch", kIdentifyBatch};
  return std::nullopt;
}

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  Controller& controller = ctx.controller();
  QueuePair& queue = controller.admin_queue();
  const uint64_t count = args.number("count", ctx.variables());
  const uint64_t batch = args.number("batch", ctx.variables());
  const bool identify = args.choice("command") == "identify";
  if (identify && batch != 1) throw CaseInputError(kIdentifyBatch);
  // Get Features (Number of Queues) moves no data: a cheap command to repeat.
  const spec::SubmissionEntry probe = cmd::get_features(static_cast<uint8_t>(spec::FeatureId::kNumberOfQueues));
  DmaBuffer page = identify ? buffer_for(ctx, kIdentifyPageSize) : DmaBuffer();

  std::set<uint16_t> cids;
  spec::Status first_bad = spec::status::kSuccess;
  uint64_t completed = 0;
  uint64_t sqhd_errors = 0;
  std::optional<uint16_t> last_sqhd;
  // The phase tag the controller wrote in each completion, in the order they
  // were consumed: every change is a pass over the CQ ring that really happened.
  std::optional<bool> last_phase;
  uint64_t phase_flips = 0;
  const uint32_t sq_entries = queue.geometry().sq_entries;
  while (completed < count) {
    ctx.checkpoint();
    std::vector<spec::CompletionEntry> done;
    if (identify) {
      done.push_back(controller.admin(cmd::identify(spec::Cns::kController, 0), page, kIdentifyPageSize));
    } else {
      const uint64_t n = std::min<uint64_t>({batch, count - completed, queue.capacity()});
      const std::vector<spec::SubmissionEntry> posted(n, probe);  // one doorbell write for the batch
      done = controller.submit_batch(queue, posted);
    }
    for (const auto& cqe : done) {
      cids.insert(cqe.cid());
      if (!cqe.status().ok() && first_bad.ok()) first_bad = cqe.status();
      // One command at a time: each completion's SQHD is one past the previous one.
      if (batch == 1 && last_sqhd && cqe.sqhd() != (*last_sqhd + 1) % sq_entries) ++sqhd_errors;
      last_sqhd = cqe.sqhd();
      if (last_phase && cqe.phase() != *last_phase) ++phase_flips;
      last_phase = cqe.phase();
      ++completed;
    }
  }
  out["status"] = first_bad;
  out["completed"] = completed;
  out["distinct_cids"] = cids.size();
  out["sqhd_errors"] = sqhd_errors;
  out["cq_wraps"] = phase_flips;
  // Host counts, shown in the report but never worth a check: the driver
  // completes every command or throws, hands out the CIDs, and takes only
  // entries with the phase it expects.
  ctx.measure("admin burst (host side, not a check)",
              fmt::format("{} commands completed, {} distinct CIDs, {} CQ phase changes; queue {}", completed,
                          cids.size(), phase_flips, queue.describe_state()));
}

const StepRegistrar registrar{{
    .name = "admin_burst",
    .description = "Many admin commands (Get Features or Identify) in batches, wrapping both admin rings",
    .params = {{.name = "count", .description = "commands to complete", .min = 1, .max = 1u << 20},
               {.name = "batch",
                .default_value = "1",
                .description = "commands posted per doorbell write (capped at the queue's room)",
                .min = 1,
                .max = 4096},
               {.name = "command",
                .kind = ParamKind::kChoice,
                .default_value = "get_features",
                .description = "get_features (no data) or identify (4 KiB through PRP1)",
                .choices = {"get_features", "identify"}}},
    .observations =
        {
            {"status", ValueKind::kStatus, "the first non-success status, else success"},
            {"completed", ValueKind::kNumber, "completions consumed (host side: not a check)"},
            {"distinct_cids", ValueKind::kNumber, "different CIDs seen in completions (host side: not a check)"},
            {"sqhd_errors", ValueKind::kNumber, "batch 1: completions whose SQHD is not one past the previous"},
            {"cq_wraps", ValueKind::kNumber,
             "phase tag changes between consecutive completions (host side: not a check; the driver takes only the "
             "phase it expects)"},
        },
    .run = run,
    .check_args = check_args,
}};

}  // namespace
}  // namespace nvqual::harness::steps
