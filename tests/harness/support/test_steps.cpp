// Steps that exist only in the test binary, to drive the runner into the
// situations its tests are about: a signal arriving mid-case, a case that
// outlives its deadline. They register like any shipped step.
#include <csignal>

#include "nvqual/harness/step.hpp"
#include "nvqual/harness/step_context.hpp"

namespace nvqual::harness::testing {
namespace {

// Raises a signal, then waits (bounded) until the runner has turned it into a
// cancellation, so the test does not depend on thread timing.
const StepRegistrar raise_signal{{
    .name = "test_raise_signal",
    .description = "test only: raise SIGINT or SIGTERM and wait for the runner to cancel the case",
    .params = {{.name = "signal", .kind = ParamKind::kChoice, .fallback = "SIGINT", .description = "which signal",
                .choices = {"SIGINT", "SIGTERM"}}},
    .observations = {},
    .run = [](StepContext& ctx, const StepArgs& args, Observations&) {
      std::raise(args.choice("signal") == "SIGINT" ? SIGINT : SIGTERM);
      ctx.cancel_token().wait_for(std::chrono::seconds(30));
      ctx.checkpoint();
    },
}};

// Waits for a cancellation (the case deadline) for at most `seconds`.
const StepRegistrar wait_for_cancel{{
    .name = "test_wait_for_cancel",
    .description = "test only: block until the runner cancels the case",
    .params = {{.name = "seconds", .fallback = "30", .description = "upper bound", .max = 600}},
    .observations = {},
    .run = [](StepContext& ctx, const StepArgs& args, Observations&) {
      ctx.cancel_token().wait_for(std::chrono::seconds(args.number("seconds", ctx.variables())));
      ctx.checkpoint();
    },
}};

}  // namespace
}  // namespace nvqual::harness::testing
