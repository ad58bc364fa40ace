// nvqual identify: Identify Controller (or, with --nsid, Identify Namespace),
// decoded like nvme-cli's id-ctrl / id-ns, or as JSON with nvme-cli's keys.
#include <cstdio>
#include <memory>

#include <fmt/core.h>

#include "command.hpp"
#include "device_session.hpp"
#include "identify_json.hpp"
#include "identify_print.hpp"
#include "stop_signal.hpp"

namespace nvqual::app {

namespace {
// Device strings may hold bytes that are not UTF-8: shown as U+FFFD rather
// than failing the whole output.
constexpr auto kReplaceBadUtf8 = nlohmann::json::error_handler_t::replace;

struct IdentifyOptions {
  TargetOptions target;
  uint32_t nsid = 0;
  bool json = false;
};
}  // namespace

Command add_identify_command(CLI::App& root) {
  auto options = std::make_shared<IdentifyOptions>();
  CLI::App* cli = root.add_subcommand("identify", "Identify the controller, or a namespace with --nsid");
  add_target_options(*cli, options->target);
  cli->add_option("--nsid", options->nsid, "Identify this namespace instead of the controller")
      ->check(CLI::Range(1u, 0xFFFFFFFEu));
  cli->add_flag("--json", options->json, "Print one JSON object with nvme-cli's keys (id-ctrl / id-ns -o json)");

  return {cli, [options]() {
            // Checked after each step: the session's destructor then disables the controller.
            StopOnSignal stop;
            DeviceSession session(options->target);
            StopOnSignal::check("identifying the controller");
            if (options->nsid == 0) {
              const auto& id = session.identity();
              const std::string text = options->json
                                           ? identify_controller_json(id).dump(2, ' ', false, kReplaceBadUtf8) + "\n"
                                           : format_identify_controller(id);
              fmt::print("{}", text);
            } else {
              const auto ns = session.require_namespace(options->nsid);
              StopOnSignal::check(fmt::format("identifying namespace {}", options->nsid));
              const std::string text = options->json
                                           ? identify_namespace_json(ns).dump(2, ' ', false, kReplaceBadUtf8) + "\n"
                                           : format_identify_namespace(ns, options->nsid);
              fmt::print("{}", text);
            }
            std::fflush(stdout);
            return kExitPassed;
          }};
}

}  // namespace nvqual::app
