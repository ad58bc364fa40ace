// create_io_cq / create_io_sq / delete_io_sq / delete_io_cq: the raw queue
// commands with whatever fields the case asks for, valid or not
// (NVMe Base 2.0, 5.4 - 5.7). Each observes the completion status.
#include "nvqual/driver/queue_limits.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

const std::vector<ObservationSpec> kStatusOnly = {{"status", ValueKind::kStatus, "completion status"}};

ParamSpec qid_param() { return {.name = "qid", .description = "queue identifier", .max = queue_limits::kMaxQid}; }
ParamSpec entries_param() {
  return {.name = "entries",
          .default_value = "io_queue_entries",
          .description = "queue entries, 1-based (sent 0-based as QSIZE: 1 sends QSIZE 0)",
          .min = 1,
          .max = queue_limits::kMaxIoEntries};
}
ParamSpec contiguous_param() {
  return {.name = "contiguous",
          .kind = ParamKind::kFlag,
          .default_value = "true",
          .description = "PC: physically contiguous"};
}
ParamSpec base_offset_param() {
  return {.name = "base_offset",
          .default_value = "0",
          .description = "bytes added to PRP1 (nonzero is invalid)",
          .max = 4095};
}

CreateQueueRequest request_from(StepContext& ctx, const StepArgs& args) {
  const auto& v = ctx.variables();
  CreateQueueRequest r;
  r.qid = static_cast<uint16_t>(args.number("qid", v));
  r.entries = static_cast<uint32_t>(args.number("entries", v));
  r.physically_contiguous = args.flag("contiguous");
  r.base_offset = static_cast<uint32_t>(args.number("base_offset", v));
  return r;
}

const StepRegistrar create_cq{{
    .name = "create_io_cq",
    .description = "Create I/O Completion Queue with the given QID, size and flags",
    .params = {qid_param(),
               entries_param(),
               contiguous_param(),
               base_offset_param(),
               {.name = "interrupts", .kind = ParamKind::kFlag, .default_value = "false", .description = "IEN"},
               {.name = "vector", .default_value = "0", .description = "IV: interrupt vector", .max = 0xFFFF}},
    .observations = kStatusOnly,
    .run =
        [](StepContext& ctx, const StepArgs& args, Observations& out) {
          CreateQueueRequest r = request_from(ctx, args);
          r.interrupts_enabled = args.flag("interrupts");
          r.interrupt_vector = static_cast<uint16_t>(args.number("vector", ctx.variables()));
          out["status"] = ctx.controller().create_io_cq(r).status();
        },
}};

const StepRegistrar create_sq{{
    .name = "create_io_sq",
    .description = "Create I/O Submission Queue with the given QID, size, CQID and flags",
    .params = {qid_param(),
               entries_param(),
               {.name = "cqid", .description = "the completion queue it posts to", .max = queue_limits::kMaxQid},
               contiguous_param(),
               base_offset_param()},
    .observations = kStatusOnly,
    .run =
        [](StepContext& ctx, const StepArgs& args, Observations& out) {
          CreateQueueRequest r = request_from(ctx, args);
          r.cqid = static_cast<uint16_t>(args.number("cqid", ctx.variables()));
          out["status"] = ctx.controller().create_io_sq(r).status();
        },
}};

const StepRegistrar delete_sq{{
    .name = "delete_io_sq",
    .description = "Delete I/O Submission Queue",
    .params = {qid_param()},
    .observations = kStatusOnly,
    .run =
        [](StepContext& ctx, const StepArgs& args, Observations& out) {
          out["status"] =
              ctx.controller().delete_io_sq(static_cast<uint16_t>(args.number("qid", ctx.variables()))).status();
        },
}};

const StepRegistrar delete_cq{{
    .name = "delete_io_cq",
    .description = "Delete I/O Completion Queue",
    .params = {qid_param()},
    .observations = kStatusOnly,
    .run =
        [](StepContext& ctx, const StepArgs& args, Observations& out) {
          out["status"] =
              ctx.controller().delete_io_cq(static_cast<uint16_t>(args.number("qid", ctx.variables()))).status();
        },
}};

}  // namespace
}  // namespace nvqual::harness::steps
