// abort: Abort (NVMe Base 2.0, 5.1). DW0 bit 0 is 0 when the command was
// aborted, 1 when not; the spec lets a controller decline any Abort.
//
// mode aer: abort an outstanding AER. Either it is aborted and completes
// with 00/07h Command Abort Requested, or it is not and stays outstanding:
// `consistent` says the answer and the AER agree (QEMU 7.2 aborts nothing).
// mode unknown: abort a CID nothing uses: success with "not aborted".
// mode burst: `count` (ACL+2) Aborts of unused CIDs behind one doorbell. A
// controller that keeps Aborts outstanding refuses those beyond ACL+1 with
// 01/03h Abort Command Limit Exceeded; one that completes each at once never
// reaches the limit. Which happened is recorded; any other status is not allowed.
#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

constexpr spec::Status kAbortLimitExceeded = spec::Status::make(0x1, 0x03);
constexpr uint16_t kUnusedCid = 0xFFF0;  // far above the CIDs the admin queue hands out

bool not_aborted(const spec::CompletionEntry& cqe) { return (cqe.dw0 & 1u) != 0; }

void run_aer(StepContext& ctx, const StepArgs& args, Observations& out) {
  Controller& c = ctx.controller();
  const uint16_t cid = c.post_async_event_request();
  const auto posted = c.clock().now();
  const auto abort = c.abort(0, cid);
  out["status"] = abort.status();
  const bool aborted = abort.status().ok() && !not_aborted(abort);
  out["aborted"] = aborted ? 1u : 0u;
  const auto bound = std::chrono::milliseconds(args.number("wait_ms", ctx.variables()));
  const auto victim = c.wait_async_event(cid, (c.clock().now() - posted) + bound);
  out["victim_completed"] = victim ? 1u : 0u;
  out["victim_status"] = victim ? victim->status() : spec::status::kSuccess;
  const bool victim_aborted = victim && victim->status().same_code(spec::status::kAbortRequested);
  out["consistent"] = (aborted ? victim_aborted : !victim) ? 1u : 0u;
  ctx.measure("Abort of an outstanding AER", aborted ? "aborted" : "not aborted (the spec allows declining)");
}

void run_unknown(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto& v = ctx.variables();
  const auto abort = ctx.controller().abort(static_cast<uint16_t>(args.number("sqid", v)),
                                            static_cast<uint16_t>(args.number("cid", v)));
  out["status"] = abort.status();
  out["aborted"] = abort.status().ok() && !not_aborted(abort) ? 1u : 0u;
}

void run_burst(StepContext& ctx, const StepArgs& args, Observations& out) {
  const uint64_t count = args.number("count", ctx.variables());
  std::vector<spec::SubmissionEntry> batch;
  for (uint64_t i = 0; i < count; ++i) batch.push_back(cmd::abort(0, static_cast<uint16_t>(kUnusedCid - i)));
  Controller& c = ctx.controller();
  const auto completions = c.submit_batch(c.admin_queue(), batch);
  uint64_t limit = 0;
  uint64_t unexpected = 0;
  uint64_t claimed = 0;
  for (const auto& cqe : completions) {
    if (cqe.status().same_code(kAbortLimitExceeded)) {
      ++limit;
    } else if (!cqe.status().ok()) {
      ++unexpected;
    } else if (!not_aborted(cqe)) {
      ++claimed;  // "aborted" a CID nothing used
    }
  }
  out["limit_exceeded"] = limit;
  out["unexpected_statuses"] = unexpected;
  out["aborted"] = claimed;
  ctx.measure("Aborts beyond ACL+1",
              limit != 0 ? fmt::format("{} refused with 01/03 (kept outstanding)", limit) : "completed at once");
}

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  for (const char* n : {"aborted", "victim_completed", "consistent", "limit_exceeded", "unexpected_statuses"}) {
    out[n] = uint64_t{0};
  }
  out["status"] = spec::status::kSuccess;
  out["victim_status"] = spec::status::kSuccess;
  const std::string& mode = args.choice("mode");
  if (mode == "aer") {
    run_aer(ctx, args, out);
  } else if (mode == "unknown") {
    run_unknown(ctx, args, out);
  } else {
    run_burst(ctx, args, out);
  }
}

const StepRegistrar registrar{{
    .name = "abort",
    .description = "Abort: of an outstanding AER, of an unused CID, or ACL+2 at once",
    .params = {{.name = "mode",
                .kind = ParamKind::kChoice,
                .description = "aer, unknown or burst",
                .choices = {"aer", "unknown", "burst"}},
               {.name = "sqid", .default_value = "0", .description = "unknown: the SQID to name", .max = 0xFFFF},
               {.name = "cid", .default_value = "0xFFF0", .description = "unknown: the CID to name", .max = 0xFFFF},
               {.name = "count",
                .default_value = "acl + 2",
                .description = "burst: Aborts behind one doorbell",
                .min = 1,
                .max = 4095},
               {.name = "wait_ms",
                .default_value = "1000",
                .description = "aer: bound on the wait for the aborted AER's completion",
                .min = 1,
                .max = 60000}},
    .observations =
        {
            {"status", ValueKind::kStatus, "the Abort's completion status (burst: success)"},
            {"aborted", ValueKind::kNumber, "1 when DW0 bit 0 says aborted (burst: how many said so)"},
            {"victim_completed", ValueKind::kNumber, "aer: 1 when the AER completed within wait_ms"},
            {"victim_status", ValueKind::kStatus, "aer: the AER's status (success when it did not complete)"},
            {"consistent", ValueKind::kNumber,
             "aer: 1 when aborted and the AER completed 00/07, or not aborted and the AER is still outstanding"},
            {"limit_exceeded", ValueKind::kNumber, "burst: Aborts refused with 01/03"},
            {"unexpected_statuses", ValueKind::kNumber, "burst: Aborts with a status other than 00/00 or 01/03"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
