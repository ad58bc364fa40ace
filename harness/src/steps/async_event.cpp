// async_event: Asynchronous Event Requests (NVMe Base 2.0, 5.2).
//
// mode limit: AERL+1 AERs (AERL is 0-based) are held; one more completes
// at once with 01/05h Asynchronous Event Request Limit Exceeded.
//
// mode temperature (the SPDK aer test's trigger): read SMART / Health (RAE
// clear, so no earlier event stays masked), post an AER, enable the
// temperature warning in Asynchronous Event Configuration (5.27.1.10), set
// the composite over-temperature threshold (5.27.1.3) one Kelvin below the
// composite temperature, and wait: the AER must complete with event type
// SMART / Health (1h), information Temperature Threshold (01h) and log page
// 02h. Then the log is read with RAE clear (acknowledging the event), the
// threshold restored, a new AER posted, and no second event may arrive.
// Both features are restored again after the case by the runner.
//
// Every wait is bounded by wait_ms (for an event) or quiet_ms (for silence).
#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/log_pages.hpp"
#include "nvqual/driver/spec/bits.hpp"
#include "set_features_support.hpp"
#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr uint8_t kFidTemperature = 0x04;
constexpr uint8_t kFidAsyncEventConfig = 0x0B;
constexpr uint32_t kAecTemperature = 1u << 1;
constexpr uint8_t kLidSmart = 0x02;

struct PostedAer {
  uint16_t cid = 0;
  Clock::time_point posted{};
};

PostedAer post(StepContext& ctx) {
  Controller& c = ctx.controller();
  return {c.post_async_event_request(), c.clock().now()};
}

// Waits until `bound` from now (not from the AER's submission).
std::optional<spec::CompletionEntry> wait(StepContext& ctx, const PostedAer& aer, nanoseconds bound) {
  Controller& c = ctx.controller();
  return c.wait_async_event(aer.cid, (c.clock().now() - aer.posted) + bound);
}

SmartLog read_smart(StepContext& ctx, bool rae) {
  constexpr size_t kBytes = 512;
  DmaBuffer buffer = buffer_for(ctx, kBytes);
  const auto cqe = ctx.controller().admin(cmd::get_log_page(kLidSmart, 0xFFFFFFFF, kBytes / 4, 0, rae), buffer, kBytes);
  if (!cqe.status().ok()) {
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("Get Log Page 02h (SMART / Health) failed: {}", cqe.status().describe()));
  }
  return parse_smart_log(std::span<const std::byte>(buffer.data(), kBytes));
}

void observe_event(const std::optional<spec::CompletionEntry>& cqe, Observations& out) {
  using spec::detail::get_bits;
  const uint32_t dw0 = cqe ? cqe->dw0 : 0;
  out["completed"] = cqe ? 1u : 0u;
  out["status"] = cqe ? cqe->status() : spec::status::kSuccess;
  out["event_type"] = uint64_t{get_bits<2, 0>(dw0)};
  out["event_info"] = uint64_t{get_bits<15, 8>(dw0)};
  out["log_page"] = uint64_t{get_bits<23, 16>(dw0)};
}

void run_limit(StepContext& ctx, const StepArgs& args, Observations& out) {
  const uint64_t held = args.number("count", ctx.variables());
  const nanoseconds bound = milliseconds(args.number("wait_ms", ctx.variables()));
  std::vector<PostedAer> aers;
  for (uint64_t i = 0; i < held; ++i) aers.push_back(post(ctx));
  const PostedAer extra = post(ctx);
  const auto extra_cqe = wait(ctx, extra, bound);
  uint64_t early = 0;
  for (const auto& aer : aers) early += wait(ctx, aer, nanoseconds{0}) ? 1 : 0;  // already completed?
  out["extra_completed"] = extra_cqe ? 1u : 0u;
  out["extra_status"] = extra_cqe ? extra_cqe->status() : spec::status::kSuccess;
  out["early_completions"] = early;
  ctx.measure("AER beyond AERL+1", extra_cqe ? extra_cqe->status().describe() : "held (no completion)");
}

void run_temperature(StepContext& ctx, const StepArgs& args, Observations& out) {
  const nanoseconds bound = milliseconds(args.number("wait_ms", ctx.variables()));
  const nanoseconds quiet = milliseconds(args.number("quiet_ms", ctx.variables()));
  const SmartLog before = read_smart(ctx, false);
  const uint16_t temperature = before.composite_temperature;
  out["temperature"] = uint64_t{temperature};
  if (temperature < 2) {
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("composite temperature {} K: no threshold below it to cross", temperature));
  }
  const PostedAer aer = post(ctx);
  const auto aec = read_feature(ctx, kFidAsyncEventConfig, 0, 0, 0);
  const auto aec_set =
      set_feature_remembered(ctx, kFidAsyncEventConfig, 0, aec.value_or(0) | kAecTemperature, false).completion;
  const auto threshold_set = set_feature_remembered(ctx, kFidTemperature, 0, uint32_t{temperature} - 1u, false);
  out["config_status"] = aec_set.status().ok() ? threshold_set.completion.status() : aec_set.status();
  const auto event = wait(ctx, aer, bound);
  observe_event(event, out);
  const SmartLog after = read_smart(ctx, false);  // RAE clear: acknowledges the event
  out["temperature_warning"] = after.temperature_warning() ? 1u : 0u;
  if (threshold_set.previous) {
    ctx.controller().admin(cmd::set_features(kFidTemperature, *threshold_set.previous & 0xFFFFu));
  }
  const PostedAer next = post(ctx);
  const auto second = wait(ctx, next, quiet);
  out["second_event"] = second ? 1u : 0u;
  ctx.measure("temperature event", event ? fmt::format("DW0 {:#010x}", event->dw0) : "no completion");
}

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  for (const char* n : {"completed", "event_type", "event_info", "log_page", "temperature", "temperature_warning",
                        "second_event", "extra_completed", "early_completions"}) {
    out[n] = uint64_t{0};
  }
  for (const char* n : {"status", "extra_status", "config_status"}) out[n] = spec::status::kSuccess;
  if (args.choice("mode") == "limit") {
    run_limit(ctx, args, out);
  } else {
    run_temperature(ctx, args, out);
  }
}

const StepRegistrar registrar{{
    .name = "async_event",
    .description = "Asynchronous Event Requests: the AERL limit, or a temperature threshold event end to end",
    .params = {{.name = "mode",
                .kind = ParamKind::kChoice,
                .description = "limit (AERL+1 held, one more refused) or temperature (a threshold crossing)",
                .choices = {"limit", "temperature"}},
               {.name = "count",
                .default_value = "aerl + 1",
                .description = "limit: AERs posted before the extra one",
                .min = 1,
                .max = 256},
               {.name = "wait_ms",
                .default_value = "2000",
                .description = "bound on the wait for a completion",
                .min = 1,
                .max = 60000},
               {.name = "quiet_ms",
                .default_value = "500",
                .description = "temperature: how long no second event may arrive",
                .min = 1,
                .max = 60000}},
    .observations =
        {
            {"status", ValueKind::kStatus, "temperature: the AER's completion status (success when none came)"},
            {"config_status", ValueKind::kStatus, "temperature: the first failing Set Features (AEC, threshold)"},
            {"completed", ValueKind::kNumber, "temperature: 1 when the AER completed within wait_ms"},
            {"event_type", ValueKind::kNumber, "AER DW0 bits 2:0 (1: SMART / Health)"},
            {"event_info", ValueKind::kNumber, "AER DW0 bits 15:8 (01h: temperature threshold)"},
            {"log_page", ValueKind::kNumber, "AER DW0 bits 23:16: the log page to read"},
            {"temperature", ValueKind::kNumber, "composite temperature before, Kelvin"},
            {"temperature_warning", ValueKind::kNumber, "SMART critical warning bit 1 after the crossing"},
            {"second_event", ValueKind::kNumber, "1 when another AER completed within quiet_ms after the restore"},
            {"extra_completed", ValueKind::kNumber, "limit: 1 when the AER beyond AERL+1 completed"},
            {"extra_status", ValueKind::kStatus, "limit: its status"},
            {"early_completions", ValueKind::kNumber, "limit: held AERs that completed (no event was raised)"},
        },
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
