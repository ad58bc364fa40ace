// nvqual features: Get Features (NVMe Base 2.0, 5.27) of one FID, or of
// every mandatory feature and the optional ones the controller advertises,
// with SEL current, default, saved or supported capabilities; printed like
// nvme-cli's get-feature, or as JSON with its keys.
#include <cstdio>
#include <memory>

#include <fmt/core.h>

#include "command.hpp"
#include "device_session.hpp"
#include "feature_output.hpp"
#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/dma_buffer.hpp"
#include "stop_signal.hpp"

namespace nvqual::app {

namespace {

struct FeaturesOptions {
  TargetOptions target;
  std::optional<unsigned> fid;
  std::string sel = "current";
  uint32_t nsid = 0;
  bool json = false;
};

uint8_t select_code(const std::string& sel) {
  if (sel == "default") return 1;
  if (sel == "saved") return 2;
  if (sel == "supported") return 3;
  return 0;
}

FeatureReading read_feature(DeviceSession& session, const FeatureInfo& info, const FeaturesOptions& options) {
  FeatureReading r{info, options.sel, std::nullopt, {}, {}};
  Controller& controller = session.controller();
  // CDW11 0: the composite over-temperature threshold (04h), interrupt vector 0 (09h).
  const uint32_t nsid = options.nsid == 0 && info.per_namespace ? 1 : options.nsid;
  const auto sqe = cmd::get_features(info.fid, select_code(options.sel), nsid);
  spec::CompletionEntry cqe;
  if (info.data_bytes != 0 && options.sel != "supported") {
    DmaBuffer buffer(controller.transport(), DmaBuffer::kHostPage);
    cqe = controller.admin(sqe, buffer, info.data_bytes);
    if (cqe.status().ok()) r.data.assign(buffer.data(), buffer.data() + info.data_bytes);
  } else {
    cqe = controller.admin(sqe);
  }
  if (cqe.status().ok()) {
    r.dw0 = cqe.dw0;
  } else {
    r.refusal = cqe.status().describe();
  }
  return r;
}

}  // namespace

Command add_features_command(CLI::App& root) {
  auto options = std::make_shared<FeaturesOptions>();
  CLI::App* cli = root.add_subcommand(
      "features",
      "Get Features: one FID, or every mandatory feature and the optional ones the controller advertises\n"
      "(Volatile Write Cache, Timestamp, Keep Alive Timer); printed like nvme-cli get-feature");
  add_target_options(*cli, options->target);
  cli->add_option("--fid", options->fid, "Feature Identifier (decimal or 0x hex); default: the list above")
      ->check(CLI::Range(1u, 0xFFu));
  cli->add_option("--sel", options->sel, "SEL: current (default), default, saved or supported (capabilities)")
      ->check(CLI::IsMember({"current", "default", "saved", "supported"}));
  cli->add_option("--nsid", options->nsid,
                  "NSID of the request (default 0; 1 for Error Recovery, a namespace's feature)")
      ->check(CLI::Range(0u, 0xFFFFFFFFu));
  cli->add_flag("--json", options->json, "Print JSON with nvme-cli get-feature's keys (feature, name, value)");
  cli->footer(
      "Exit codes: 0 read, 1 the controller refused a feature (its status is printed), 2 bad input,\n"
      "3 device or environment error, 77 no device configured, 130/143 interrupted.");

  return {cli, [options]() {
            StopOnSignal stop;
            DeviceSession session(options->target);
            StopOnSignal::check("identifying the controller");
            std::vector<FeatureInfo> wanted;
            if (options->fid) {
              wanted.push_back(feature_info(static_cast<uint8_t>(*options->fid)));
            } else {
              wanted = features_to_read(session.identity());
            }
            std::vector<FeatureReading> readings;
            for (const auto& info : wanted) {
              readings.push_back(read_feature(session, info, *options));
              StopOnSignal::check(fmt::format("reading feature {:02x}h", info.fid));
            }
            if (options->fid && !readings.front().dw0) {
              // The one feature asked for was refused: one line, exit 1.
              const auto& r = readings.front();
              fmt::print(stderr, "nvqual: Get Features {:02x}h ({}) SEL {}: the controller refused it: {}\n",
                         r.info.fid, r.info.name, r.sel, r.refusal);
              return kExitFailed;
            }
            bool refused = false;
            if (options->json) {
              nlohmann::json out = nlohmann::json::array();
              for (const auto& r : readings) out.push_back(feature_json(r));
              fmt::print("{}\n", (options->fid ? out.front() : out).dump(2));
            } else {
              for (const auto& r : readings) fmt::print("{}", format_feature(r));
            }
            for (const auto& r : readings) {
              if (r.dw0) continue;
              refused = true;
              fmt::print(stderr, "nvqual: Get Features {:02x}h ({}) SEL {} was refused: {}\n", r.info.fid, r.info.name,
                         r.sel, r.refusal);
            }
            std::fflush(stdout);
            return refused ? kExitFailed : kExitPassed;
          }};
}

}  // namespace nvqual::app
