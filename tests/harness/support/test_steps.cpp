// Steps that exist only in the test binary, to drive the runner into the
// situations its tests are about: a signal arriving mid-case, a case that
// outlives its deadline. They register like any shipped step.
#include <csignal>

#include "hook_transport.hpp"
#include "nvqual/harness/step.hpp"
#include "nvqual/harness/step_context.hpp"

namespace nvqual::harness::testing {

std::atomic<int>& test_marks() {
  static std::atomic<int> marks{0};
  return marks;
}

namespace {

// Raises a signal, then waits (bounded) until the runner has turned it into a
// cancellation, so the test does not depend on thread timing. With times: 2 it
// raises it again and then blocks (bounded): the runner must exit the process.
const StepRegistrar raise_signal{{
    .name = "test_raise_signal",
    .description = "test only: raise SIGINT or SIGTERM and wait for the runner to cancel the case",
    .params = {{.name = "signal",
                .kind = ParamKind::kChoice,
                .default_value = "SIGINT",
                .description = "which signal",
                .choices = {"SIGINT", "SIGTERM"}},
               {.name = "times", .default_value = "1", .description = "how often", .min = 1, .max = 2, .choices = {}}},
    .observations = {},
    .run =
        [](StepContext& ctx, const StepArgs& args, Observations&) {
          const int signal = args.choice("signal") == "SIGINT" ? SIGINT : SIGTERM;
          std::raise(signal);
          ctx.cancel_token().wait_for(std::chrono::seconds(30));
          if (args.number("times", ctx.variables()) == 2) {
            std::raise(signal);
            const CancelToken never;
            never.wait_for(std::chrono::seconds(30));  // the process ends before this does
          }
          ctx.checkpoint();
        },
    .check_args = {},
}};

// Counts itself in test_marks(), for hooks that act only after it ran.
const StepRegistrar mark{{
    .name = "test_mark",
    .description = "test only: count this step in test_marks()",
    .params = {},
    .observations = {},
    .run = [](StepContext&, const StepArgs&, Observations&) { ++test_marks(); },
    .check_args = {},
}};

// Waits for a cancellation (the case deadline) for at most `seconds`.
const StepRegistrar wait_for_cancel{{
    .name = "test_wait_for_cancel",
    .description = "test only: block until the runner cancels the case",
    .params = {{.name = "seconds", .default_value = "30", .description = "upper bound", .max = 600, .choices = {}}},
    .observations = {},
    .run =
        [](StepContext& ctx, const StepArgs& args, Observations&) {
          ctx.cancel_token().wait_for(std::chrono::seconds(args.number("seconds", ctx.variables())));
          ctx.checkpoint();
        },
    .check_args = {},
}};

}  // namespace
}  // namespace nvqual::harness::testing
