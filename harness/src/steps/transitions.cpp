// disable / enable / reset / shutdown: controller state changes with their
// measured latency and bound (NVMe Base 2.0, 3.5.1 and 3.6: CC.EN, CC.SHN, CAP.TO).
#include <fmt/format.h>

#include "nvqual/harness/step.hpp"
#include "nvqual/harness/step_context.hpp"

namespace nvqual::harness::steps {
namespace {

std::vector<ObservationSpec> observations() {
  return {
      {"latency", ValueKind::kDuration, "how long the transition took"},
      {"bound", ValueKind::kDuration, "the bound the driver waited within (CAP.TO x 500 ms + slack)"},
      {"csts_rdy", ValueKind::kNumber, "CSTS.RDY afterwards"},
      {"csts_cfs", ValueKind::kNumber, "CSTS.CFS afterwards"},
      {"csts_shst", ValueKind::kNumber, "CSTS.SHST afterwards"},
      {"cc_en", ValueKind::kNumber, "CC.EN afterwards"},
  };
}

// The measurement states the driver's own give-up time (the spec bound plus
// its slack for ready transitions), not the bound a `within` check applies.
std::string latency_text(const Transition& t) {
  return fmt::format("{} (the driver waits at most {})", format_duration(t.latency), format_duration(t.bound));
}

void observe(StepContext& ctx, const char* what, const Transition& t, Observations& out) {
  out["latency"] = t.latency;
  out["bound"] = t.bound;
  const spec::Csts csts = ctx.controller().csts();
  out["csts_rdy"] = csts.rdy();
  out["csts_cfs"] = csts.cfs();
  out["csts_shst"] = csts.shst();
  out["cc_en"] = ctx.controller().cc().en();
  ctx.measure(what, latency_text(t));
}

const StepRegistrar disable_step{{
    .name = "disable",
    .description = "CC.EN=0 and wait for CSTS.RDY=0; drops every queue",
    .observations = observations(),
    .run = [](StepContext& ctx, const StepArgs&,
              Observations& out) { observe(ctx, "CC.EN 1->0 latency", ctx.controller().disable(), out); },
}};

const StepRegistrar enable_step{{
    .name = "enable",
    .description = "Program the admin queue and CC, set CC.EN=1 and wait for CSTS.RDY=1 (controller must be disabled)",
    .observations = observations(),
    .run = [](StepContext& ctx, const StepArgs&,
              Observations& out) { observe(ctx, "CC.EN 0->1 latency", ctx.controller().enable(), out); },
}};

const StepRegistrar reset_step{{
    .name = "reset",
    .description = "disable then enable; latency is the enable half, disable_latency the other",
    .observations =
        [] {
          auto o = observations();
          o.push_back({"disable_latency", ValueKind::kDuration, "the CC.EN 1->0 half"});
          return o;
        }(),
    .run =
        [](StepContext& ctx, const StepArgs&, Observations& out) {
          const Transition down = ctx.controller().disable();
          ctx.measure("CC.EN 1->0 latency", latency_text(down));
          out["disable_latency"] = down.latency;
          observe(ctx, "CC.EN 0->1 latency", ctx.controller().enable(), out);
        },
}};

const StepRegistrar shutdown_step{{
    .name = "shutdown",
    .description = "CC.SHN=01b, wait for CSTS.SHST=10b (bounded by RTD3E), then disable",
    .observations = observations(),
    .run = [](StepContext& ctx, const StepArgs&,
              Observations& out) { observe(ctx, "shutdown latency", ctx.controller().shutdown(), out); },
}};

}  // namespace
}  // namespace nvqual::harness::steps
