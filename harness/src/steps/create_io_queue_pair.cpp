// create_io_queue_pair: creates I/O CQ and SQ `qid` the way a case's `io`
// start state does (Controller::create_io_queue_pair), so the data steps
// (read, write...) can use the pair again after a step that reset the
// controller and with it every I/O queue (NVMe Base 2.0, 3.7.2). The raw
// create_io_cq / create_io_sq steps test the commands themselves; this one
// only re-establishes what the case started with.
#include "nvqual/driver/queue_limits.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

void run(StepContext& ctx, const StepArgs& args, Observations&) {
  const auto& v = ctx.variables();
  ctx.controller().create_io_queue_pair(static_cast<uint16_t>(args.number("qid", v)),
                                        static_cast<uint32_t>(args.number("entries", v)));
}

const StepRegistrar registrar{{
    .name = "create_io_queue_pair",
    .description = "Create I/O CQ and SQ qid for the data steps (as state io does; after a reset)",
    .params =
        {{.name = "qid", .default_value = "1", .description = "the pair's QID", .min = 1, .max = queue_limits::kMaxQid},
         {.name = "entries",
          .default_value = "io_queue_entries",
          .description = "entries in each queue",
          .min = 2,
          .max = 65536}},
    .observations = {},
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
