// identify_descriptors: Identify CNS 03h, the Namespace Identification
// Descriptor list of an NSID (NVMe Base 2.0, 5.17.2.3, Figure 278).
#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/identify.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

// NIDL each NIDT must carry (Figure 279).
size_t expected_length(uint8_t type) {
  switch (type) {
    case NamespaceIdDescriptor::kEui64: return 8;
    case NamespaceIdDescriptor::kNguid: return 16;
    case NamespaceIdDescriptor::kUuid: return 16;
    case NamespaceIdDescriptor::kCsi: return 1;
    default: return 0;
  }
}

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto nsid = static_cast<uint32_t>(args.number("nsid", ctx.variables()));
  // Poisoned: a list the controller never wrote must not read as "no descriptors".
  IdentifyBuffer buffer(ctx);
  const auto cqe = ctx.controller().admin(cmd::identify(spec::Cns::kNamespaceDescriptorList, nsid), buffer.dma(),
                                          kIdentifyPageSize);
  const uint64_t unwritten = buffer.settle(cqe.status());
  out["unwritten_bytes"] = unwritten;
  const auto page = buffer.page();
  out["status"] = cqe.status();
  // A list the controller did not write is not parsed: its poison would read
  // as garbage descriptors (or a malformed list) rather than as no data.
  std::vector<NamespaceIdDescriptor> list;
  if (cqe.status().ok() && unwritten == 0) list = parse_namespace_descriptors(page);
  uint64_t types = 0;
  uint64_t bad_lengths = 0;
  uint64_t all_zero_ids = 0;
  for (const auto& d : list) {
    if (d.type < 64) types |= uint64_t{1} << d.type;
    if (expected_length(d.type) != d.id.size()) ++bad_lengths;
    if (d.type != NamespaceIdDescriptor::kCsi &&
        std::all_of(d.id.begin(), d.id.end(), [](uint8_t b) { return b == 0; })) {
      ++all_zero_ids;
    }
  }
  out["count"] = list.size();
  out["types"] = types;
  out["bad_lengths"] = bad_lengths;
  out["zero_ids"] = all_zero_ids;
}

const StepRegistrar registrar{{
    .name = "identify_descriptors",
    .description = "Identify Namespace Identification Descriptor list (CNS 03h) of an NSID",
    .params = {{.name = "nsid", .default_value = "nsid", .description = "namespace ID", .max = 0xFFFFFFFF}},
    .observations =
        {
            {"status", ValueKind::kStatus, "completion status"},
            unwritten_bytes_observation(),
            {"count", ValueKind::kNumber, "descriptors before the first with NIDL 0"},
            {"types", ValueKind::kNumber, "bit n set when a descriptor of NIDT n is present"},
            {"bad_lengths", ValueKind::kNumber, "descriptors whose NIDL does not fit their NIDT"},
            {"zero_ids", ValueKind::kNumber, "EUI64/NGUID/UUID descriptors whose ID is all zero"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
