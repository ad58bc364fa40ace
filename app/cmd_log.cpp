// nvqual log: Get Log Page (NVMe Base 2.0, 5.16) of one of the pages nvqual
// decodes (01h Error Information, 02h SMART / Health, 03h Firmware Slot, 04h
// Changed Namespace List, 05h Commands Supported and Effects), printed like
// nvme-cli's smart-log / error-log / fw-log, or as JSON with nvme-cli's keys.
#include <algorithm>
#include <cstdio>
#include <memory>

#include <fmt/core.h>

#include "command.hpp"
#include "device_session.hpp"
#include "log_output.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/log_page_layout.hpp"
#include "stop_signal.hpp"

namespace nvqual::app {

namespace {

struct LogOptions {
  TargetOptions target;
  unsigned lid = 0;
  uint32_t nsid = 0xFFFFFFFFu;  // 2.0 5.16: FFFFFFFFh for the controller's log
  bool json = false;
};

enum Lid : uint8_t {
  kErrorInformation = 0x01,
  kSmartHealth = 0x02,
  kFirmwareSlot = 0x03,
  kChangedNamespaces = 0x04,
  kCommandEffects = 0x05,
};

constexpr size_t kFourKiB = 4096;        // 04h (1024 NSIDs) and 05h (ACS, IOCS, reserved) are 4 KiB
constexpr size_t kMaxErrorEntries = 64;  // what nvme-cli's error-log reads by default, at most ELPE+1

const char* lid_name(unsigned lid) {
  switch (lid) {
    case kErrorInformation: return "Error Information";
    case kSmartHealth: return "SMART / Health Information";
    case kFirmwareSlot: return "Firmware Slot Information";
    case kChangedNamespaces: return "Changed Namespace List";
    case kCommandEffects: return "Commands Supported and Effects";
    default: return nullptr;
  }
}

// How many bytes of the page to read: the whole page, or for the Error log
// ELPE+1 entries (0-based, Identify Controller byte 262) up to 64, within MDTS.
size_t log_bytes(unsigned lid, const IdentifyController& id, uint64_t max_transfer) {
  size_t bytes = kFourKiB;
  if (lid == kSmartHealth) bytes = smart_log_layout::kSize;
  if (lid == kFirmwareSlot) bytes = firmware_slot_layout::kSize;
  if (lid == kErrorInformation) {
    bytes = std::min<size_t>(size_t{id.elpe} + 1, kMaxErrorEntries) * error_log_layout::kEntrySize;
  }
  if (max_transfer != 0 && bytes > max_transfer) {
    bytes = lid == kErrorInformation ? max_transfer / error_log_layout::kEntrySize * error_log_layout::kEntrySize
                                     : static_cast<size_t>(max_transfer);
  }
  return bytes;
}

std::string render(unsigned lid, std::span<const std::byte> page, const std::string& device, uint32_t nsid, bool json) {
  auto dump = [](const nlohmann::json& j) {
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  };
  switch (lid) {
    case kErrorInformation: {
      const auto entries = parse_error_log(page);
      return json ? dump(error_log_json(entries)) : format_error_log(entries, device);
    }
    case kSmartHealth: {
      const auto smart = parse_smart_log(page);
      return json ? dump(smart_log_json(smart)) : format_smart_log(smart, device, nsid);
    }
    case kFirmwareSlot: {
      const auto slots = parse_firmware_slot_log(page);
      return json ? dump(firmware_log_json(slots, page, device)) : format_firmware_log(slots, page, device);
    }
    case kChangedNamespaces:
      return json ? dump(changed_namespace_json(page, device)) : format_changed_namespaces(page, device);
    default: return json ? dump(effects_log_json(page)) : format_effects_log(page, device);
  }
}

}  // namespace

Command add_log_command(CLI::App& root) {
  auto options = std::make_shared<LogOptions>();
  CLI::App* cli = root.add_subcommand(
      "log",
      "Read a log page: 01h Error Information, 02h SMART / Health, 03h Firmware Slot, 04h Changed Namespace List,\n"
      "05h Commands Supported and Effects; printed like nvme-cli (smart-log, error-log, fw-log)");
  add_target_options(*cli, options->target);
  cli->add_option("--lid", options->lid, "Log Identifier: 1-5 (decimal or 0x hex)")->required();
  cli->add_option("--nsid", options->nsid,
                  "NSID of the request (default 0xFFFFFFFF, the controller; a namespace's SMART log where LPA bit 0 "
                  "says so)")
      ->check(CLI::Range(0u, 0xFFFFFFFFu));
  cli->add_flag("--json", options->json, "Print JSON with nvme-cli's keys (smart-log / error-log / fw-log -o json)");
  cli->footer(
      "Exit codes: 0 read, 1 the controller refused the page (its status is printed), 2 bad input (a LID other than\n"
      "1-5), 3 device or environment error, 77 no device configured, 130/143 interrupted.");

  return {cli, [options]() {
            const char* name = lid_name(options->lid);
            if (name == nullptr) {
              throw UsageError(
                  fmt::format("--lid {:#04x}: nvqual decodes log pages 0x01-0x05 only "
                              "(Error, SMART / Health, Firmware Slot, Changed Namespace List, "
                              "Commands Supported and Effects)",
                              options->lid));
            }
            StopOnSignal stop;
            DeviceSession session(options->target);
            StopOnSignal::check("identifying the controller");
            const auto lid = static_cast<uint8_t>(options->lid);
            const size_t bytes = log_bytes(lid, session.identity(), session.controller().max_transfer_bytes());
            std::vector<std::byte> page;
            try {
              page = session.controller().get_log_page(lid, options->nsid, bytes);
            } catch (const DriverError& e) {
              if (e.kind() != ErrorKind::kCommandFailed) throw;
              // The device refused the page (e.g. 01/09h Invalid Log Page): one line, exit 1.
              fmt::print(stderr, "nvqual: the controller refused the {} log: {}\n", name, e.what());
              return kExitFailed;
            }
            StopOnSignal::check(fmt::format("reading log page {:02x}h", lid));
            const std::string device = options->target.bdf.empty() ? "sim" : options->target.bdf;
            fmt::print("{}", render(lid, page, device, options->nsid, options->json));
            std::fflush(stdout);
            return kExitPassed;
          }};
}

}  // namespace nvqual::app
