// admin_command: one admin command built from raw dwords, for the checks that
// need what no builder makes on purpose: reserved opcodes, FUSE on admin
// commands (NVMe Base 2.0, 3.3.1, 4.2: FUSE applies to NVM commands only).
// The controller still refuses media-changing opcodes without the four
// conditions (docs/data-integrity.md); one it sent is recorded in the media
// journal as having left its namespace unknown.
#include <limits>

#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

// Format NVM, Sanitize, Namespace Management and the other media-changing
// admin opcodes name no LBAs: once one is posted, any block of its namespace
// (of every namespace for NSID FFFFFFFFh or 0) may hold anything, whatever the
// completion says, so the host's replay of the journal must expect nothing
// there. Nothing is recorded when the driver refused it before posting.
template <class Send>
spec::CompletionEntry journaled_whole_namespace(StepContext& ctx, const spec::SubmissionEntry& sqe, Send&& send) {
  if (!spec::admin_opcode_changes_media(sqe.opcode())) return send();
  const auto record_unknown = [&] {
    ctx.record_media_change({.nsid = sqe.nsid == 0 ? kEveryNamespace : sqe.nsid,
                             .first_lba = 0,
                             .last_lba = std::numeric_limits<uint64_t>::max(),
                             .holds = MediaJournalEntry::Holds::kUnknown});
  };
  try {
    const spec::CompletionEntry cqe = send();
    record_unknown();
    return cqe;
  } catch (const DriverError& e) {
    if (e.kind() != ErrorKind::kMediaChangeRefused) record_unknown();
    throw;
  } catch (...) {
    record_unknown();
    throw;
  }
}

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
  const spec::CompletionEntry cqe = journaled_whole_namespace(ctx, sqe, [&] {
    if (bytes == 0) return ctx.controller().admin(sqe);
    DmaBuffer buffer = buffer_for(ctx, bytes);
    return ctx.controller().admin(sqe, buffer, bytes);
  });
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
