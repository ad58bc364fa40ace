// identify_controller: Identify CNS 01h through PRP1 (optionally at an offset so
// the 4 KiB page crosses into PRP2), every field by name (NVMe Base 2.0, 5.17.2.1).
#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/identify.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

constexpr const char* kText[] = {"sn", "mn", "fr", "subnqn"};
constexpr const char* kSkipped[] = {"psd", "vs", "fguid"};

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const uint64_t offset = args.number("buffer_offset", ctx.variables());
  require_dword_aligned(offset, "buffer_offset");
  // At an offset the page crosses into PRP2: a second page the controller never wrote shows too.
  IdentifyBuffer buffer(ctx, offset);
  const auto cqe = ctx.controller().admin(cmd::identify(spec::Cns::kController, 0), buffer.dma(), kIdentifyPageSize,
                                          offset);
  out["unwritten_bytes"] = buffer.settle(cqe.status());
  const auto page = buffer.page();
  out["status"] = cqe.status();
  out["nonzero_bytes"] = nonzero_bytes(page);
  out["data"] = page_data(page);
  observe_identify_fields(page, id_ctrl_layout::all, kText, kSkipped, out);
  const IdentifyController id = parse_identify_controller(page);
  out["max_transfer_bytes"] = id.max_transfer_bytes(ctx.controller().cap().min_page_size());
  out["sqes_min"] = uint64_t{id.sqes_min()};
  out["sqes_max"] = uint64_t{id.sqes_max()};
  out["cqes_min"] = uint64_t{id.cqes_min()};
  out["cqes_max"] = uint64_t{id.cqes_max()};
}

std::vector<ObservationSpec> observations() {
  std::vector<ObservationSpec> o = {
      {"status", ValueKind::kStatus, "completion status"},
      unwritten_bytes_observation(),
      {"data", ValueKind::kData, "the whole 4 KiB structure (for same_as against another Identify)"},
      {"nonzero_bytes", ValueKind::kNumber, "bytes of the 4 KiB page that are not zero"},
      {"max_transfer_bytes", ValueKind::kNumber, "2^MDTS x CAP.MPSMIN page size (0: no limit)"},
      {"sqes_min", ValueKind::kNumber, "SQES bits 3:0: required SQ entry size, log2 bytes"},
      {"sqes_max", ValueKind::kNumber, "SQES bits 7:4: maximum SQ entry size, log2 bytes"},
      {"cqes_min", ValueKind::kNumber, "CQES bits 3:0: required CQ entry size, log2 bytes"},
      {"cqes_max", ValueKind::kNumber, "CQES bits 7:4: maximum CQ entry size, log2 bytes"},
  };
  for (auto& spec : identify_observations(id_ctrl_layout::all, kText, kSkipped)) o.push_back(spec);
  return o;
}

const StepRegistrar registrar{{
    .name = "identify_controller",
    .description = "Identify Controller (CNS 01h); observes every field by its spec name",
    .params = {buffer_offset_param()},
    .observations = observations(),
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
