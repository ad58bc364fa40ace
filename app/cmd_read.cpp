// nvqual read: read logical blocks of one namespace into a file. The
// namespace is identified first and its active LBA format gives the size.
#include <algorithm>
#include <limits>
#include <memory>

#include <fmt/core.h>

#include "nvqual/driver/queue_limits.hpp"
#include "nvqual/driver/stream_reader.hpp"

#include "command.hpp"
#include "device_session.hpp"
#include "output_file.hpp"
#include "progress.hpp"
#include "read_plan.hpp"
#include "stop_signal.hpp"

namespace nvqual::app {

namespace {

struct ReadOptions {
  TargetOptions target;
  uint32_t nsid = 0;
  uint64_t lba = 0;
  uint64_t blocks = 0;
  std::string out;
  uint32_t queue_depth = kDefaultReadDepth;  // commands in flight
};

int run_read(const ReadOptions& options) {
  if (options.blocks == 0) throw UsageError("--blocks must be at least 1");
  // Before the output and the device: from then on a signal unwinds through
  // their destructors (temporary removed, controller disabled).
  StopOnSignal stop;
  // Created before the device is touched, so an unwritable path fails fast and nothing is half written.
  AtomicOutputFile out(options.out);
  // The RLIMIT_MEMLOCK pre-flight checks what this read pins at most.
  // The in-flight window lives in the arena, which is sized to hold it.
  TargetOptions target = options.target;
  target.dma_arena_bytes = std::max<uint64_t>(target.dma_arena_bytes, kReadArenaBytes);
  target.dma_estimate_bytes = vfio::dma_estimate::read(0, options.queue_depth + 1);
  DeviceSession session(target);
  Controller& controller = session.controller();
  const IdentifyNamespace ns = session.require_namespace(options.nsid);
  // Checked before anything is sized from it: an unused format (LBADS 0) or a
  // metadata format must stop here with one line, not divide by zero or DMA
  // metadata to an address the driver never set.
  const LbaFormat& format = checked_active_format(ns, options.nsid);
  const uint64_t lba_size = format.data_size();
  if (options.blocks - 1 > std::numeric_limits<uint64_t>::max() - options.lba) {
    throw UsageError(
        fmt::format("--lba {} with --blocks {} runs past the last possible LBA (2^64-1); namespace {} "
                    "has {} blocks (last LBA {})",
                    options.lba, options.blocks, options.nsid, ns.nsze, ns.nsze - 1));
  }
  if (options.lba >= ns.nsze || options.blocks > ns.nsze - options.lba) {
    throw UsageError(fmt::format("LBAs {}..{} are past the end of namespace {} (NSZE {} blocks, last LBA {})",
                                 options.lba, options.lba + options.blocks - 1, options.nsid, ns.nsze, ns.nsze - 1));
  }
  controller.set_number_of_queues(1, 1);
  // One entry more than the commands in flight (one SQ slot always stays
  // empty); the controller's limit is only known now (help text says so).
  const uint32_t entries = std::min<uint32_t>(options.queue_depth + 1, controller.cap().max_queue_entries());
  QueuePair& queue = controller.create_io_queue_pair(1, entries);
  const ReadShape shape = read_shape(options.blocks, lba_size, controller.max_transfer_bytes(), options.queue_depth,
                                     queue.capacity());
  StreamReader reader(
      controller, queue,
      StreamReadOptions{options.nsid, static_cast<uint32_t>(lba_size), shape.command_blocks, shape.depth});
  Progress progress(fmt::format("reading namespace {}", options.nsid), options.blocks * lba_size);
  // The controller's reads arrive in LBA order; each goes to the file as it completes.
  const uint64_t done = reader.read(
      options.lba, options.blocks,
      [&](std::span<const std::byte> data, uint64_t) {
        out.write(data);
        progress.advance(data.size());
      },
      [] { return StopOnSignal::received() != 0; });
  if (done != options.blocks)
    StopOnSignal::check(fmt::format("reading namespace {} ({})", options.nsid, out.unfinished_note()));
  controller.delete_io_queue_pair(1);
  out.commit();
  return kExitPassed;
}

}  // namespace

Command add_read_command(CLI::App& root) {
  auto options = std::make_shared<ReadOptions>();
  CLI::App* cli = root.add_subcommand("read", "Read logical blocks of a namespace into a file");
  add_target_options(*cli, options->target);
  cli->add_option("--nsid", options->nsid, "Namespace to read")->required()->check(CLI::Range(1u, 0xFFFFFFFEu));
  cli->add_option("--lba", options->lba, "First logical block")->required();
  cli->add_option("--blocks", options->blocks, "Number of logical blocks (the namespace's active LBA size each)")
      ->required();
  cli->add_option("--out", options->out, "Output file (written whole or not at all)")->required();
  cli->add_option("--queue-depth", options->queue_depth,
                  "Read commands in flight, 1..65535 (default 32; the I/O queue gets one entry more); a queue "
                  "deeper than the controller's CAP.MQES+1 is lowered to it, and the depth to what a 4 MiB window "
                  "of data buffers holds")
      ->check(CLI::Range(1u, queue_limits::kMaxIoEntries - 1))
      ->capture_default_str();
  return {cli, [options]() { return run_read(*options); }};
}

}  // namespace nvqual::app
