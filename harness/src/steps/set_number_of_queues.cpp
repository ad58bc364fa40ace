// set_number_of_queues: Set Features, Number of Queues (NVMe Base 2.0, 5.27.1.5):
// counts are 1-based here; the completion's DW0 says what was allocated.
#include "nvqual/driver/commands.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto sqs = static_cast<uint16_t>(args.number("sqs", ctx.variables()));
  const auto cqs = static_cast<uint16_t>(args.number("cqs", ctx.variables()));
  const auto cqe = ctx.controller().admin(cmd::set_number_of_queues(sqs, cqs));
  const cmd::QueueCounts granted = cmd::decode_number_of_queues(cqe.dw0);
  out["status"] = cqe.status();
  out["sqs_granted"] = uint64_t{granted.io_sq};
  out["cqs_granted"] = uint64_t{granted.io_cq};
}

const StepRegistrar registrar{{
    .name = "set_number_of_queues",
    .description = "Set Features Number of Queues; observes what the controller allocated",
    .params = {{.name = "sqs", .fallback = "io_queues", .description = "I/O SQs wanted (1-based)", .min = 1, .max = 65535},
               {.name = "cqs", .fallback = "io_queues", .description = "I/O CQs wanted (1-based)", .min = 1, .max = 65535}},
    .observations =
        {
            {"status", ValueKind::kStatus, "completion status"},
            {"sqs_granted", ValueKind::kNumber, "I/O SQs allocated (1-based)"},
            {"cqs_granted", ValueKind::kNumber, "I/O CQs allocated (1-based)"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
