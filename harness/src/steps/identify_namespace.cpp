// identify_namespace: Identify CNS 00h for one NSID, every field by name
// (NVM Command Set 1.0, 4.1.5.1) plus the active LBA format.
#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/identify.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

constexpr const char* kSkipped[] = {"lbaf", "vs", "nguid", "eui64"};

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const uint64_t offset = args.number("buffer_offset", ctx.variables());
  require_dword_aligned(offset, "buffer_offset");
  const auto nsid = static_cast<uint32_t>(args.number("nsid", ctx.variables()));
  // At an offset the page crosses into PRP2: a second page the controller never wrote shows too.
  IdentifyBuffer buffer(ctx, offset);
  const auto cqe = ctx.controller().admin(cmd::identify(spec::Cns::kNamespace, nsid), buffer.dma(), kIdentifyPageSize,
                                          offset);
  out["unwritten_bytes"] = buffer.settle(cqe.status());
  const auto page = buffer.page();
  out["status"] = cqe.status();
  out["nonzero_bytes"] = nonzero_bytes(page);
  out["data"] = page_data(page);
  observe_identify_fields(page, id_ns_layout::all, {}, kSkipped, out);
  const IdentifyNamespace ns = parse_identify_namespace(page);
  out["lba_size"] = ns.lba_size();
  out["metadata_size"] = uint64_t{ns.active_format().ms};
  out["format_count"] = uint64_t{ns.format_count()};
  out["active_format"] = uint64_t{ns.active_format_index()};
  // LBADS below 9 (512 bytes) is not allowed for a format in use (NVM 1.0, Figure 98).
  uint64_t bad = 0;
  for (uint32_t i = 0; i < ns.format_count() && i < ns.lbaf.size(); ++i) {
    if (ns.lbaf[i].lbads < 9) ++bad;
  }
  out["invalid_formats"] = bad;
  std::vector<LbaFormatSize> sizes;
  for (uint32_t i = 0; i < ns.format_count() && i < ns.lbaf.size(); ++i) {
    sizes.push_back({static_cast<uint32_t>(ns.lbaf[i].data_size()), ns.lbaf[i].ms});
  }
  const std::string formats = lba_formats_text(sizes);
  out["lba_formats"] = TextValue{
      formats, std::vector<std::byte>(reinterpret_cast<const std::byte*>(formats.data()),
                                      reinterpret_cast<const std::byte*>(formats.data()) + formats.size())};
  out["active_format_valid"] = ns.active_format_index() < ns.format_count() ? 1u : 0u;
}

std::vector<ObservationSpec> observations() {
  std::vector<ObservationSpec> o = {
      {"status", ValueKind::kStatus, "completion status"},
      unwritten_bytes_observation(),
      {"data", ValueKind::kData, "the whole 4 KiB structure (for same_as against another Identify)"},
      {"nonzero_bytes", ValueKind::kNumber, "bytes of the 4 KiB page that are not zero (0: an all-zero page)"},
      {"lba_size", ValueKind::kNumber, "data bytes per block in the active format"},
      {"metadata_size", ValueKind::kNumber, "metadata bytes per block in the active format"},
      {"format_count", ValueKind::kNumber, "NLBAF + 1"},
      {"active_format", ValueKind::kNumber, "FLBAS format index"},
      {"invalid_formats", ValueKind::kNumber, "formats 0..NLBAF with LBADS < 9"},
      {"active_format_valid", ValueKind::kNumber, "1 when the FLBAS index is at most NLBAF"},
      {"lba_formats", ValueKind::kText, "formats 0..NLBAF as \"512+0, 4096+8\" (data + metadata bytes)"},
  };
  for (auto& spec : identify_observations(id_ns_layout::all, {}, kSkipped)) o.push_back(spec);
  return o;
}

const StepRegistrar registrar{{
    .name = "identify_namespace",
    .description = "Identify Namespace (CNS 00h) of an NSID; observes every field by its spec name",
    .params = {{.name = "nsid", .default_value = "nsid", .description = "namespace ID", .max = 0xFFFFFFFF},
               buffer_offset_param()},
    .observations = observations(),
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
