// nvqual fill: write the LBA stamp (or, with --generation, the write stamp)
// over the scratch ranges of one namespace, so a lab can prepare an SSD
// without the kernel (docs/data-integrity.md). The same four conditions as
// `nvqual run` apply, and the driver enforces them on every Write: the
// command itself stands for condition 1 (it exists to change media), the user
// gives --allow-media-changes, a real device's --confirm-serial and a --scratch
// range. Everything that can be wrong is checked before the first Write:
// bad input is one line and exit 2 with nothing written.
#include <chrono>
#include <limits>
#include <memory>

#include <fmt/core.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/media_change_target.hpp"
#include "nvqual/driver/queue_limits.hpp"
#include "nvqual/vfio/dma_estimate.hpp"

#include "command.hpp"
#include "device_session.hpp"
#include "media_change_options.hpp"
#include "progress.hpp"
#include "stamp_fill.hpp"
#include "stop_signal.hpp"

namespace nvqual::app {

namespace {

// The most a fill pins for data: a few MDTS-sized commands in flight, well
// inside Debian's default 8 MiB RLIMIT_MEMLOCK with the queues.
constexpr uint64_t kMaxChunkBytes = 4ull << 20;

struct FillOptions {
  TargetOptions target;
  uint32_t nsid = 0;
  MediaChangeOptions media_changes;
  uint32_t generation = 0;
  uint64_t seed = 0;
  uint32_t queue_depth = 32;
  bool verify = false;
};

// The checks that need no device.
MediaChangePolicy checked_policy(const FillOptions& options) {
  if (options.seed != 0 && options.generation == 0) {
    throw UsageError("--seed belongs to the write stamp: give --generation N (1 or more) with it");
  }
  if (!options.media_changes.allow) {
    throw UsageError(
        "fill writes to the device: pass --allow-media-changes (with --scratch, and --confirm-serial SN "
        "on a real device)");
  }
  MediaChangePolicy policy = media_change_policy_from(options.media_changes, options.nsid);
  if (policy.scratch().empty()) {
    throw UsageError(
        fmt::format("fill writes only declared scratch blocks: pass --scratch FIRST:LAST (or all) for "
                    "namespace {}",
                    options.nsid));
  }
  for (const ScratchRange& range : policy.scratch()) {
    if (range.nsid != options.nsid) {
      throw UsageError(
          fmt::format("--scratch {} is not for namespace {}, the one fill writes (--nsid): drop it or "
                      "run fill once per namespace",
                      range.text(), options.nsid));
    }
  }
  const bool real = !options.target.bdf.empty();
  if (real && options.media_changes.confirm_serial.empty()) {
    throw UsageError(
        "a real device needs --confirm-serial SN (its Identify Controller serial, see nvqual identify), "
        "so a mistyped BDF cannot destroy the wrong disk");
  }
  policy.set_suite_declares(true);  // condition 1: fill is itself the declaration
  return policy;
}

int run_fill(const FillOptions& options) {
  MediaChangePolicy policy = checked_policy(options);
  StopOnSignal stop;
  TargetOptions target = options.target;
  target.dma_estimate_bytes = vfio::dma_estimate::identify() +
                              vfio::dma_estimate::queue_pair(options.queue_depth + 1, options.queue_depth + 1) +
                              vfio::dma_estimate::transfer(kMaxChunkBytes);
  DeviceSession session(target);
  Controller& controller = session.controller();
  const IdentifyNamespace ns = session.require_namespace(options.nsid);
  const LbaFormat& format = checked_active_format(ns, options.nsid);
  if (const std::string problem = media_change_target_problem(controller, policy); !problem.empty()) {
    throw UsageError(problem);
  }

  FillPlan plan;
  plan.nsid = options.nsid;
  plan.lba_size = static_cast<uint32_t>(format.data_size());
  plan.generation = options.generation;
  plan.seed = options.seed;
  uint64_t total_blocks = 0;
  for (const ScratchRange& range : policy.scratch()) {
    const FillRange fill = range.whole ? FillRange{0, ns.nsze - 1} : FillRange{range.first, range.last};
    plan.ranges.push_back(fill);
    total_blocks += fill.blocks();
  }
  controller.media_change_policy() = policy;

  controller.set_number_of_queues(1, 1);
  const uint32_t entries = std::min<uint32_t>(options.queue_depth + 1, controller.cap().max_queue_entries());
  QueuePair& queue = controller.create_io_queue_pair(1, entries);
  uint64_t per_command = cmd::kMaxBlocksPerRead;
  if (const uint64_t mdts = controller.max_transfer_bytes(); mdts != 0) {
    per_command = std::min<uint64_t>(per_command, std::max<uint64_t>(1, mdts / plan.lba_size));
  }
  const uint64_t chunk = std::min(total_blocks, fill_chunk_blocks(per_command, queue.capacity(), plan.lba_size,
                                                                  std::max<uint64_t>(kMaxChunkBytes, plan.lba_size)));
  DmaBuffer buffer(controller.transport(), chunk * plan.lba_size);  // once, for every chunk

  const auto start = std::chrono::steady_clock::now();
  {
    Progress progress(fmt::format("filling namespace {}", options.nsid), total_blocks * plan.lba_size);
    fill_ranges(controller, queue, buffer, plan, [&](uint64_t bytes) {
      progress.advance(bytes);
      if (StopOnSignal::received() != 0) {
        StopOnSignal::check(
            fmt::format("filling namespace {} (what was written stays written; run fill again)", options.nsid));
      }
    });
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const ScratchRange& range : policy.scratch()) {
    fmt::print("filled {} with {}\n", range.text(), plan.stamp_name());
  }
  fmt::print("{} blocks ({:.1f} MiB) written in {:.2f} s with {} Write commands, then flushed\n", total_blocks,
             static_cast<double>(total_blocks * plan.lba_size) / (1 << 20), seconds,
             controller.media_changing_commands_sent());
  if (options.verify) {
    Progress progress(fmt::format("verifying namespace {}", options.nsid), total_blocks * plan.lba_size);
    const std::string problem = verify_ranges(controller, queue, buffer, plan, [&](uint64_t bytes) {
      progress.advance(bytes);
      if (StopOnSignal::received() != 0) {
        StopOnSignal::check(fmt::format("reading namespace {} back", options.nsid));
      }
    });
    if (!problem.empty()) {
      fmt::print(stderr, "nvqual: read back after the fill: {}\n", problem);
      return kExitFailed;
    }
    fmt::print("read back: every block holds {}\n", plan.stamp_name());
  }
  controller.delete_io_queue_pair(1);
  return kExitPassed;
}

}  // namespace

Command add_fill_command(CLI::App& root) {
  auto options = std::make_shared<FillOptions>();
  CLI::App* cli = root.add_subcommand(
      "fill",
      "Write the LBA stamp (or, with --generation, the write stamp) over the --scratch ranges of a namespace.\n"
      "Needs --allow-media-changes and --scratch; a real device also --confirm-serial SN. Ctrl-C stops between\n"
      "chunks (what was written stays written).");
  add_target_options(*cli, options->target);
  cli->add_option("--nsid", options->nsid, "Namespace to write")->required()->check(CLI::Range(1u, 0xFFFFFFFEu));
  add_media_change_options(*cli, options->media_changes);
  cli->add_option("--generation", options->generation,
                  "Write the write stamp of this generation (docs/data-integrity.md); 0 = the LBA stamp")
      ->capture_default_str();
  cli->add_option("--seed", options->seed, "The write stamp's run seed (with --generation)")->capture_default_str();
  cli->add_option("--queue-depth", options->queue_depth,
                  "Writes in flight at most (each up to MDTS; at most 4 MiB in flight); lowered to the controller's "
                  "CAP.MQES")
      ->check(CLI::Range(1u, queue_limits::kMaxIoEntries - 1))
      ->capture_default_str();
  cli->add_flag("--verify", options->verify,
                "Read every written block back and check it holds the stamp (exit 1 if not)");
  return {cli, [options]() { return run_fill(*options); }};
}

}  // namespace nvqual::app
