// nvqual pattern: write the LBA stamp pattern to a file, so a QEMU image or an
// SSD (written through the kernel before binding) carries bytes nvqual can check.
#include <limits>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "command.hpp"
#include "nvqual/driver/lba_stamp.hpp"
#include "nvqual/driver/write_stamp.hpp"
#include "output_file.hpp"
#include "progress.hpp"
#include "stop_signal.hpp"

namespace nvqual::app {

namespace {

struct PatternOptions {
  uint32_t nsid = 1;
  uint32_t lba_size = 512;
  uint64_t blocks = 0;
  uint64_t first_lba = 0;
  std::string out;
  uint32_t generation = 0;  // --generation: 0 = the LBA stamp, N = the write stamp of generation N
  uint64_t seed = 0;        // --seed: the write stamp's run seed
};

int run_pattern(const PatternOptions& options) {
  if (options.lba_size < 512 || options.lba_size > 65536 || (options.lba_size & (options.lba_size - 1)) != 0) {
    throw UsageError("--lba-size must be a power of two from 512 to 65536 (512 and 4096 are usual)");
  }
  if (options.blocks == 0) throw UsageError("--blocks must be at least 1");
  if (options.seed != 0 && options.generation == 0) {
    throw UsageError("--seed belongs to the write stamp: give --generation N (1 or more) with it");
  }
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  if (options.blocks > kMax / options.lba_size) {
    throw UsageError(fmt::format("--blocks {} of {} bytes is more than 2^64 bytes; write fewer blocks", options.blocks,
                                 options.lba_size));
  }
  if (options.blocks - 1 > kMax - options.first_lba) {
    throw UsageError(
        fmt::format("--first-lba {} with --blocks {} runs past the last possible LBA (2^64-1); "
                    "write at most {} blocks from there",
                    options.first_lba, options.blocks, kMax - options.first_lba + 1));
  }
  // Before the output exists: from then on a signal unwinds through its destructor.
  StopOnSignal stop;
  AtomicOutputFile out(options.out);
  constexpr uint64_t kChunkBytes = 4ull << 20;
  const uint64_t chunk_blocks = std::max<uint64_t>(1, kChunkBytes / options.lba_size);
  std::vector<std::byte> chunk(std::min(chunk_blocks, options.blocks) * options.lba_size);
  Progress progress("writing pattern", options.blocks * options.lba_size);
  for (uint64_t done = 0; done < options.blocks;) {
    StopOnSignal::check(fmt::format("writing the pattern ({})", out.unfinished_note()));
    const uint64_t blocks = std::min(chunk_blocks, options.blocks - done);
    const std::span<std::byte> data(chunk.data(), blocks * options.lba_size);
    if (options.generation == 0) {
      lba_stamp::fill(data, options.lba_size, options.first_lba + done, options.nsid);
    } else {
      write_stamp::fill(data, options.lba_size,
                        write_stamp::Stamp{options.first_lba + done, options.nsid, options.generation, options.seed});
    }
    out.write(data);
    progress.advance(data.size());
    done += blocks;
  }
  out.commit();
  return kExitPassed;
}

}  // namespace

Command add_pattern_command(CLI::App& root) {
  auto options = std::make_shared<PatternOptions>();
  CLI::App* cli = root.add_subcommand("pattern",
                                      "Write the LBA stamp pattern: in each block, bytes 0-7 = LBA (LE), 8-11 = NSID "
                                      "(LE), byte i = (LBA*31+i) mod 256");
  cli->add_option("--nsid", options->nsid, "NSID stamped into every block")
      ->required()
      ->check(CLI::Range(1u, 0xFFFFFFFEu));
  cli->add_option("--lba-size", options->lba_size, "Logical block size in bytes")->required();
  cli->add_option("--blocks", options->blocks, "Number of blocks to write")->required();
  cli->add_option("--first-lba", options->first_lba, "LBA of the first block written (default 0)")
      ->capture_default_str();
  cli->add_option("--out", options->out, "Output file (written whole or not at all)")->required();
  cli->add_option("--generation", options->generation,
                  "Write the write stamp of this generation instead (docs/data-integrity.md); 0 = the LBA stamp")
      ->capture_default_str();
  cli->add_option("--seed", options->seed, "The write stamp's run seed (with --generation)")->capture_default_str();
  return {cli, [options]() { return run_pattern(*options); }};
}

}  // namespace nvqual::app
