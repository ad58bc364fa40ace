// identify_active_list: Identify CNS 02h, the active namespace ID list above an
// NSID (NVMe Base 2.0, 5.17.2.2): increasing order, ends at the first 0.
#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/identify.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const auto after = static_cast<uint32_t>(args.number("after", ctx.variables()));
  // Poisoned: a list the controller never wrote must not read as "no namespaces".
  IdentifyBuffer buffer(ctx);
  const auto cqe = ctx.controller().admin(cmd::identify(spec::Cns::kActiveNamespaceList, after), buffer.dma(),
                                          kIdentifyPageSize);
  out["unwritten_bytes"] = buffer.settle(cqe.status());
  const auto page = buffer.page();
  const std::vector<uint32_t> list = parse_active_namespace_list(page);
  const auto& vars = ctx.variables();
  const uint64_t nn = vars.count("nn") != 0 ? vars.at("nn") : 0;
  const uint64_t nsid = vars.count("nsid") != 0 ? vars.at("nsid") : 0;
  uint64_t out_of_order = 0;
  uint64_t above_nn = 0;
  uint64_t not_above_after = 0;
  bool has_nsid = false;
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0 && list[i] <= list[i - 1]) ++out_of_order;
    if (list[i] > nn) ++above_nn;
    if (list[i] <= after) ++not_above_after;
    has_nsid = has_nsid || list[i] == nsid;
  }
  out["status"] = cqe.status();
  out["count"] = list.size();
  out["first"] = list.empty() ? uint64_t{0} : list.front();
  out["out_of_order"] = out_of_order;
  out["above_nn"] = above_nn;
  out["not_above_after"] = not_above_after;
  out["contains_nsid"] = has_nsid ? 1u : 0u;
}

const StepRegistrar registrar{{
    .name = "identify_active_list",
    .description = "Identify Active Namespace ID list (CNS 02h)",
    .params =
        {{.name = "after", .default_value = "0", .description = "list NSIDs greater than this", .max = 0xFFFFFFFF}},
    .observations =
        {
            {"status", ValueKind::kStatus, "completion status"},
            unwritten_bytes_observation(),
            {"count", ValueKind::kNumber, "NSIDs listed"},
            {"first", ValueKind::kNumber, "the first NSID listed (0: none)"},
            {"out_of_order", ValueKind::kNumber, "entries not greater than the one before"},
            {"above_nn", ValueKind::kNumber, "entries greater than NN"},
            {"not_above_after", ValueKind::kNumber, "entries not greater than 'after'"},
            {"contains_nsid", ValueKind::kNumber, "1 when the namespace under test is listed"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
