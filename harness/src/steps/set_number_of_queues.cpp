// set_number_of_queues: Set Features, Number of Queues (NVMe Base 2.0, 5.27.1.5):
// counts are 1-based here; the completion's DW0 says what was allocated.
// A count in DW0 is only a claim: with `create_highest: true` the step also
// creates (and deletes) the I/O CQ and SQ with the highest QID granted, so a
// controller that reports more queues than it allocated is caught.
#include <algorithm>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/queue_limits.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

using queue_limits::kMaxIoQueues;
using queue_limits::kMaxQid;

// Create CQ, create SQ, delete SQ, delete CQ at `qid`; the first failing status, else success.
spec::Status create_and_delete(Controller& controller, uint16_t qid) {
  CreateQueueRequest request;
  request.qid = qid;
  request.cqid = qid;
  request.entries = 2;
  spec::Status status = controller.create_io_cq(request).status();
  if (!status.ok()) return status;
  status = controller.create_io_sq(request).status();
  if (!status.ok()) {
    controller.delete_io_cq(qid);
    return status;
  }
  status = controller.delete_io_sq(qid).status();
  const spec::Status cq_deleted = controller.delete_io_cq(qid).status();
  return status.ok() ? cq_deleted : status;
}

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto sqs = static_cast<uint16_t>(args.number("sqs", ctx.variables()));
  const auto cqs = static_cast<uint16_t>(args.number("cqs", ctx.variables()));
  const auto cqe = ctx.controller().admin(cmd::set_number_of_queues(sqs, cqs));
  const cmd::QueueCounts granted = cmd::decode_number_of_queues(cqe.dw0);
  out["status"] = cqe.status();
  out["sqs_granted"] = uint64_t{granted.io_sq};
  out["cqs_granted"] = uint64_t{granted.io_cq};
  spec::Status highest = spec::status::kSuccess;
  if (args.flag("create_highest") && cqe.status().ok()) {
    // QIDs are 16 bits: a grant of 65536 (NSQA FFFFh) cannot be created at all.
    const uint32_t qid = std::min<uint32_t>(granted.io_sq, granted.io_cq);
    highest = qid > kMaxQid ? spec::status::kInvalidQueueIdentifier
                            : create_and_delete(ctx.controller(), static_cast<uint16_t>(qid));
  }
  out["highest_qid_status"] = highest;
}

const StepRegistrar registrar{{
    .name = "set_number_of_queues",
    .description = "Set Features Number of Queues; observes what the controller allocated",
    .params = {{.name = "sqs",
                .default_value = "io_queues",
                .description = "I/O SQs wanted (1-based)",
                .min = 1,
                .max = kMaxIoQueues},
               {.name = "cqs",
                .default_value = "io_queues",
                .description = "I/O CQs wanted (1-based)",
                .min = 1,
                .max = kMaxIoQueues},
               {.name = "create_highest",
                .kind = ParamKind::kFlag,
                .default_value = "false",
                .description = "also create and delete the I/O CQ and SQ with the highest QID granted"}},
    .observations =
        {
            {"status", ValueKind::kStatus, "completion status"},
            {"sqs_granted", ValueKind::kNumber, "I/O SQs allocated (1-based)"},
            {"cqs_granted", ValueKind::kNumber, "I/O CQs allocated (1-based)"},
            {"highest_qid_status", ValueKind::kStatus,
             "create_highest: the first failing status creating/deleting QID min(granted), else success"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
