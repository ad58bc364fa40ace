// nvqual read: read logical blocks of one namespace into a file. The
// namespace is identified first and its active LBA format gives the size.
#include <algorithm>
#include <limits>
#include <memory>

#include <fmt/core.h>

#include "nvqual/driver/queue_limits.hpp"

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
  uint32_t queue_depth = 64;
};

int run_read(const ReadOptions& options) {
  if (options.blocks == 0) throw UsageError("--blocks must be at least 1");
  // Before the output and the device: from then on a signal unwinds through
  // their destructors (temporary removed, controller disabled).
  StopOnSignal stop;
  // Created before the device is touched, so an unwritable path fails fast and nothing is half written.
  AtomicOutputFile out(options.out);
  // The RLIMIT_MEMLOCK pre-flight checks what this read pins at most.
  TargetOptions target = options.target;
  target.dma_estimate_bytes = vfio::dma_estimate::read(kReadChunkBytes, options.queue_depth);
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
  // The option's range starts at 2; the controller's limit is only known now (help text says so).
  const uint32_t depth = std::min<uint32_t>(options.queue_depth, controller.cap().max_queue_entries());
  QueuePair& queue = controller.create_io_queue_pair(1, depth);

  const uint64_t chunk_blocks = read_chunk_blocks(lba_size);
  DmaBuffer buffer(controller.transport(), read_buffer_bytes(options.blocks, lba_size));
  Progress progress(fmt::format("reading namespace {}", options.nsid), options.blocks * lba_size);
  for (uint64_t done = 0; done < options.blocks;) {
    StopOnSignal::check(fmt::format("reading namespace {} ({})", options.nsid, out.unfinished_note()));
    const uint64_t blocks = std::min(chunk_blocks, options.blocks - done);
    // The controller sizes the blocks by the format it resolved (the cache
    // require_namespace() filled), and would refuse one with metadata itself.
    const ReadRequest request{options.nsid, options.lba + done, blocks, std::nullopt};
    const ReadResult result = controller.read(queue, request, buffer);
    if (!result.ok()) {
      // A DriverError, like every other device error: main prints this line, then
      // the command log's tail (kept by the session's destructor), and exits 1.
      throw DriverError(ErrorKind::kCommandFailed,
                        fmt::format("read of namespace {} LBAs {}..{} failed: {}", options.nsid, request.slba,
                                    request.slba + blocks - 1, result.completion.status().describe()));
    }
    out.write(buffer.bytes().first(blocks * lba_size));
    progress.advance(blocks * lba_size);
    done += blocks;
  }
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
                  "I/O queue entries, 2..65536 (default 64); more than the controller's CAP.MQES+1 is lowered to it")
      ->check(CLI::Range(queue_limits::kMinEntries, queue_limits::kMaxIoEntries))
      ->capture_default_str();
  return {cli, [options]() { return run_read(*options); }};
}

}  // namespace nvqual::app
