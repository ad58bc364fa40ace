// admin_command: one admin command built from raw dwords, for the checks that
// need what no builder makes on purpose: reserved opcodes, FUSE on admin
// commands (NVMe Base 2.0, 3.3.1, 4.2: FUSE applies to NVM commands only).
// The controller still refuses media-changing opcodes without the double opt-in.
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto& v = ctx.variables();
  spec::SubmissionEntry sqe{};
  sqe.set_opcode(static_cast<uint8_t>(args.number("opcode", v)));
  sqe.set_fuse(static_cast<uint8_t>(args.number("fuse", v)));
  sqe.nsid = static_cast<uint32_t>(args.number("nsid", v));
  sqe.cdw10 = static_cast<uint32_t>(args.number("cdw10", v));
  sqe.cdw11 = static_cast<uint32_t>(args.number("cdw11", v));
  sqe.cdw12 = static_cast<uint32_t>(args.number("cdw12", v));
  sqe.cdw13 = static_cast<uint32_t>(args.number("cdw13", v));
  sqe.cdw14 = static_cast<uint32_t>(args.number("cdw14", v));
  sqe.cdw15 = static_cast<uint32_t>(args.number("cdw15", v));
  const uint64_t bytes = args.number("data_bytes", v);
  spec::CompletionEntry cqe;
  if (bytes == 0) {
    cqe = ctx.controller().admin(sqe);
  } else {
    DmaBuffer buffer = buffer_for(ctx, bytes);
    cqe = ctx.controller().admin(sqe, buffer, bytes);
  }
  out["status"] = cqe.status();
  out["dw0"] = uint64_t{cqe.dw0};
  out["sqhd"] = uint64_t{cqe.sqhd()};
  out["sqid"] = uint64_t{cqe.sqid()};
  out["dnr"] = cqe.status().dnr() ? 1u : 0u;
}

ParamSpec dword(const char* name) {
  return {.name = name, .default_value = "0", .description = "command dword", .max = 0xFFFFFFFF};
}

const StepRegistrar registrar{{
    .name = "admin_command",
    .description = "One admin command from raw fields (opcode, FUSE, NSID, CDW10-15, an optional data buffer)",
    .params = {{.name = "opcode", .description = "CDW0 opcode", .max = 0xFF},
               {.name = "fuse",
                .default_value = "0",
                .description = "CDW0 FUSE (0 normal, 1 first, 2 second fused)",
                .max = 3},
               {.name = "nsid", .default_value = "0", .description = "NSID", .max = 0xFFFFFFFF},
               dword("cdw10"),
               dword("cdw11"),
               dword("cdw12"),
               dword("cdw13"),
               dword("cdw14"),
               dword("cdw15"),
               {.name = "data_bytes",
                .default_value = "0",
                .description = "bytes of data buffer (PRPs set up for it)",
                .max = 1u << 20}},
    .observations =
        {
            {"status", ValueKind::kStatus, "completion status"},
            {"dw0", ValueKind::kNumber, "completion DW0"},
            {"sqhd", ValueKind::kNumber, "completion SQHD"},
            {"sqid", ValueKind::kNumber, "completion SQID"},
            {"dnr", ValueKind::kNumber, "1 when Do Not Retry is set"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
