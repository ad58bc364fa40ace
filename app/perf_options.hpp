// `nvqual perf`'s command line: the options, their parsing (sizes such as
// "4k", ranges "A:B") and the checks that need no device, then the ones that
// need the namespace and the controller's limits. Every refusal is one
// UsageError line (exit 2) naming the option and what would work.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "media_change_options.hpp"
#include "nvqual/driver/media_change_policy.hpp"
#include "target.hpp"

namespace nvqual::app {

enum class Workload { kRandRead, kSeqRead, kRandWrite, kSeqWrite, kRandRw };
// fio's names: "randread", "seqread" ("read" in fio), "randwrite", "seqwrite" ("write"), "randrw".
const char* workload_name(Workload workload);
bool workload_writes(Workload workload);
bool workload_random(Workload workload);

struct PerfOptions {
  TargetOptions target;
  std::string workload_text = "randread";
  Workload workload = Workload::kRandRead;
  std::string bs_text = "4k";
  uint32_t block_bytes = 4096;
  uint32_t queue_depth = 32;
  uint16_t queues = 1;
  uint32_t nsid = 1;
  std::string lba_range_text;
  std::optional<uint64_t> first_lba;
  std::optional<uint64_t> last_lba;
  std::optional<double> seconds;
  std::optional<uint64_t> ios;
  double warmup = 0;
  uint64_t seed = 1;
  bool verify = false;
  std::optional<uint32_t> rwmixread;  // randrw: percent of Reads (fio's default 50)
  uint32_t read_percent = 100;        // what the engines get: 100 reads only, 0 writes only
  MediaChangeOptions media_changes;   // write workloads: all four conditions (docs/data-integrity.md)
  MediaChangePolicy policy;           // from media_changes, set by validate_perf_options
  std::string json;
  std::string histogram;
  std::string cpus_text;  // --cpus "0,2-3": queue thread i runs on cpus[i % size]
  std::vector<int> cpus;
};

void add_perf_options(CLI::App& command, PerfOptions& options);
// "4096", "4k", "128K", "1m" (KiB and MiB): bytes; nullopt when malformed.
std::optional<uint64_t> parse_size(const std::string& text);
// "0,2-5" into CPU numbers; nullopt when malformed.
std::optional<std::vector<int>> parse_cpu_list(const std::string& text);
// Parses the text options and checks what needs no device (--cpus against
// the CPUs this process may run on; a write workload's --allow-media-changes,
// --scratch and, on a real device, --confirm-serial; --lba-range inside the
// scratch range, which is its default).
void validate_perf_options(PerfOptions& options);
// Checks against the namespace and the controller: block size against the
// LBA size and MDTS, the range against NSZE, QD against CAP.MQES; a write
// workload's range against the scratch ranges (`all` needs NSZE).
void check_against_device(const PerfOptions& options, uint32_t lba_size, uint64_t nsze, uint32_t max_queue_entries,
                          uint64_t max_transfer_bytes);

}  // namespace nvqual::app
