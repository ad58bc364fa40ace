#include "perf_options.hpp"

#include <sched.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include <fmt/core.h>

#include "command.hpp"

namespace nvqual::app {

namespace {
std::optional<uint64_t> parse_lba(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  try {
    return std::stoull(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}
// "0-3,6" for the CPUs in `set`.
std::string describe_cpus(const cpu_set_t& set) {
  std::string out;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &set)) continue;
    int last = cpu;
    while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set)) ++last;
    if (!out.empty()) out += ',';
    out += last == cpu ? std::to_string(cpu) : fmt::format("{}-{}", cpu, last);
    cpu = last;
  }
  return out.empty() ? "none" : out;
}
}  // namespace

const char* workload_name(Workload workload) {
  switch (workload) {
    case Workload::kRandRead: return "randread";
    case Workload::kSeqRead: return "seqread";
    case Workload::kRandWrite: return "randwrite";
    case Workload::kSeqWrite: return "seqwrite";
    case Workload::kRandRw: return "randrw";
  }
  return "randread";
}

bool workload_writes(Workload workload) {
  return workload == Workload::kRandWrite || workload == Workload::kSeqWrite || workload == Workload::kRandRw;
}

bool workload_random(Workload workload) { return workload != Workload::kSeqRead && workload != Workload::kSeqWrite; }

void add_perf_options(CLI::App& cli, PerfOptions& o) {
  add_target_options(cli, o.target);
  cli.add_option("--workload", o.workload_text,
                 "randread (seeded random LBAs), seqread (in order, wrapping), randwrite, seqwrite or randrw; the "
                 "write workloads need --allow-media-changes and --scratch (and --confirm-serial on a real device)")
      ->capture_default_str();
  cli.add_option("--rwmixread", o.rwmixread, "randrw: percent of commands that are Reads, 0..100 (default 50)")
      ->check(CLI::Range(0u, 100u));
  cli.add_option("--bs", o.bs_text, "Bytes per command: a multiple of the LBA size up to MDTS; 4096, 4k, 128k, 1m")
      ->capture_default_str();
  cli.add_option("--qd", o.queue_depth, "Commands kept in flight per queue, 1..CAP.MQES (each queue has QD+1 entries)")
      ->check(CLI::Range(1u, 65535u))
      ->capture_default_str();
  cli.add_option("--queues", o.queues, "I/O queue pairs, one thread each; at most what the controller grants")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cli.add_option("--nsid", o.nsid, "Namespace to measure")->check(CLI::Range(1u, 0xFFFFFFFEu))->capture_default_str();
  cli.add_option("--lba-range", o.lba_range_text,
                 "First and last LBA used, A:B inclusive (default: the namespace; for writes the --scratch range)");
  cli.add_option("--time", o.seconds, "Measure for S seconds (give --time or --ios)");
  cli.add_option("--ios", o.ios, "Measure N commands in all, split over the queues (give --time or --ios)");
  cli.add_option("--warmup", o.warmup, "Run S seconds first without measuring")->capture_default_str();
  cli.add_option("--seed", o.seed, "Seed of the random LBAs (queue i uses seed + i)")->capture_default_str();
  cli.add_flag("--verify", o.verify,
               "Check every block read: reads only, against the LBA stamp (the simulator's content); with writes, "
               "against the write stamp of the generation this run last wrote there");
  add_media_change_options(cli, o.media_changes);
  cli.add_option("--json", o.json, "Write fio-shaped JSON (jobs[0].read.iops, bw, clat_ns/lat_ns percentiles)");
  cli.add_option("--histogram", o.histogram, "Write the latency histogram as CSV (lower_ns,upper_ns,count)");
  cli.add_option("--cpus", o.cpus_text,
                 "Pin the queue threads: a CPU list such as 0,2-3; queue i runs on the (i mod N)-th CPU listed");
}

std::optional<std::vector<int>> parse_cpu_list(const std::string& text) {
  std::vector<int> cpus;
  size_t at = 0;
  while (at <= text.size()) {
    const size_t comma = std::min(text.find(',', at), text.size());
    const std::string item = text.substr(at, comma - at);
    const size_t dash = item.find('-');
    const auto first = parse_lba(item.substr(0, dash));
    const auto last = dash == std::string::npos ? first : parse_lba(item.substr(dash + 1));
    if (!first || !last || *first > *last || *last >= CPU_SETSIZE) return std::nullopt;
    for (uint64_t cpu = *first; cpu <= *last; ++cpu) cpus.push_back(static_cast<int>(cpu));
    at = comma + 1;
  }
  if (cpus.empty()) return std::nullopt;
  return cpus;
}

std::optional<uint64_t> parse_size(const std::string& text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text.front())) == 0) return std::nullopt;
  size_t used = 0;
  uint64_t value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const std::string suffix = text.substr(used);
  uint64_t unit = 1;
  if (suffix == "k" || suffix == "K") {
    unit = 1024;
  } else if (suffix == "m" || suffix == "M") {
    unit = 1024 * 1024;
  } else if (!suffix.empty()) {
    return std::nullopt;
  }
  if (value > std::numeric_limits<uint64_t>::max() / unit) return std::nullopt;
  return value * unit;
}

void validate_perf_options(PerfOptions& o) {
  if (o.workload_text == "randread") {
    o.workload = Workload::kRandRead;
  } else if (o.workload_text == "seqread") {
    o.workload = Workload::kSeqRead;
  } else if (o.workload_text == "randwrite") {
    o.workload = Workload::kRandWrite;
  } else if (o.workload_text == "seqwrite") {
    o.workload = Workload::kSeqWrite;
  } else if (o.workload_text == "randrw") {
    o.workload = Workload::kRandRw;
  } else {
    throw UsageError(
        fmt::format("--workload {}: use randread, seqread, randwrite, seqwrite or randrw", o.workload_text));
  }
  if (o.rwmixread && o.workload != Workload::kRandRw) {
    throw UsageError(fmt::format("--rwmixread applies to --workload randrw only, not {}: drop it", o.workload_text));
  }
  o.read_percent = o.workload == Workload::kRandRw ? o.rwmixread.value_or(50) : workload_writes(o.workload) ? 0 : 100;
  if (!workload_writes(o.workload)) {
    if (o.media_changes.allow) {
      throw UsageError(
          fmt::format("--allow-media-changes: --workload {} writes nothing; drop it, or use randwrite, "
                      "seqwrite or randrw",
                      o.workload_text));
    }
    o.policy = media_change_policy_from(o.media_changes, o.nsid);  // --scratch alone: the usual line
  } else {
    if (!o.media_changes.allow) {
      throw UsageError(
          fmt::format("--workload {} writes to the device: pass --allow-media-changes with --scratch "
                      "FIRST:LAST (and --confirm-serial SN on a real device)",
                      o.workload_text));
    }
    o.policy = media_change_policy_from(o.media_changes, o.nsid);
    std::optional<ScratchRange> ours;
    for (const ScratchRange& range : o.policy.scratch()) {
      if (range.nsid == o.nsid) ours = range;
    }
    if (!ours) {
      throw UsageError(
          fmt::format("--workload {} writes only declared scratch blocks: pass --scratch FIRST:LAST "
                      "(or all) for namespace {}",
                      o.workload_text, o.nsid));
    }
    if (!o.target.bdf.empty() && o.media_changes.confirm_serial.empty()) {
      throw UsageError(
          "a real device needs --confirm-serial SN (its Identify Controller serial, see nvqual identify), "
          "so a mistyped BDF cannot destroy the wrong disk");
    }
    o.policy.set_suite_declares(true);  // condition 1: a write workload is itself the declaration
  }
  const std::optional<uint64_t> bs = parse_size(o.bs_text);
  if (!bs || *bs == 0 || *bs > std::numeric_limits<uint32_t>::max()) {
    throw UsageError(fmt::format("--bs {}: give a size in bytes such as 4096, 4k, 128k or 1m", o.bs_text));
  }
  o.block_bytes = static_cast<uint32_t>(*bs);
  if (!o.lba_range_text.empty()) {
    const size_t colon = o.lba_range_text.find(':');
    const auto first = colon == std::string::npos ? std::nullopt : parse_lba(o.lba_range_text.substr(0, colon));
    const auto last = colon == std::string::npos ? std::nullopt : parse_lba(o.lba_range_text.substr(colon + 1));
    if (!first || !last || *first > *last) {
      throw UsageError(fmt::format("--lba-range {}: give FIRST:LAST, two LBAs with FIRST <= LAST, e.g. 0:1048575",
                                   o.lba_range_text));
    }
    o.first_lba = first;
    o.last_lba = last;
  } else if (workload_writes(o.workload)) {
    size_t ranges = 0;
    for (const ScratchRange& range : o.policy.scratch()) {
      if (range.nsid != o.nsid) continue;
      ++ranges;
      if (!range.whole) {
        o.first_lba = range.first;
        o.last_lba = range.last;
      }
    }
    if (ranges > 1) {
      throw UsageError("several --scratch ranges for the namespace: give --lba-range FIRST:LAST inside one of them");
    }
  }
  if (o.seconds.has_value() == o.ios.has_value()) {
    throw UsageError(o.seconds ? "--time and --ios both given: give one, the run's length in seconds or in Reads"
                               : "no run length: give --time S (seconds) or --ios N (Reads)");
  }
  if (o.seconds && !(*o.seconds > 0 && *o.seconds <= 86400 * 7)) {
    throw UsageError(fmt::format("--time {}: give seconds above 0, at most a week", *o.seconds));
  }
  if (o.ios && *o.ios < o.queues) {
    throw UsageError(fmt::format("--ios {}: give at least one Read per queue ({})", *o.ios, o.queues));
  }
  if (!(o.warmup >= 0 && o.warmup <= 3600)) {
    throw UsageError(fmt::format("--warmup {}: give 0..3600 seconds", o.warmup));
  }
  if (!o.cpus_text.empty()) {
    const auto cpus = parse_cpu_list(o.cpus_text);
    if (!cpus) throw UsageError(fmt::format("--cpus {}: give a CPU list such as 0,2-3", o.cpus_text));
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) CPU_ZERO(&allowed);
    for (int cpu : *cpus) {
      if (!CPU_ISSET(cpu, &allowed)) {
        throw UsageError(
            fmt::format("--cpus {}: CPU {} is not one this process may run on (allowed: {}); see nproc "
                        "or taskset -p $$",
                        o.cpus_text, cpu, describe_cpus(allowed)));
      }
    }
    o.cpus = *cpus;
  }
}

void check_against_device(const PerfOptions& o, uint32_t lba_size, uint64_t nsze, uint32_t max_queue_entries,
                          uint64_t max_transfer_bytes) {
  if (o.block_bytes % lba_size != 0) {
    throw UsageError(
        fmt::format("--bs {} is not a multiple of namespace {}'s {}-byte LBA size", o.block_bytes, o.nsid, lba_size));
  }
  if (max_transfer_bytes != 0 && o.block_bytes > max_transfer_bytes) {
    throw UsageError(
        fmt::format("--bs {} is above the controller's MDTS limit of {} bytes", o.block_bytes, max_transfer_bytes));
  }
  if (o.queue_depth + 1 > max_queue_entries) {
    throw UsageError(
        fmt::format("--qd {} needs {}-entry queues; the controller's CAP.MQES allows {}: use --qd {} or less",
                    o.queue_depth, o.queue_depth + 1, max_queue_entries, max_queue_entries - 1));
  }
  const uint64_t first = o.first_lba.value_or(0);
  const uint64_t last = o.last_lba.value_or(nsze == 0 ? 0 : nsze - 1);
  if (last >= nsze) {
    throw UsageError(fmt::format("--lba-range {}:{} runs past the end of namespace {} (NSZE {} blocks, last LBA {})",
                                 first, last, o.nsid, nsze, nsze - 1));
  }
  if (last - first + 1 < o.block_bytes / lba_size) {
    throw UsageError(fmt::format("--lba-range {}:{} holds fewer than the {} blocks of one --bs {} Read", first, last,
                                 o.block_bytes / lba_size, o.block_bytes));
  }
  if (workload_writes(o.workload)) {
    if (const std::string why = o.policy.lba_refusal(!o.target.bdf.empty(), o.nsid, first, last - first + 1);
        !why.empty()) {
      throw UsageError(fmt::format("--lba-range {}:{} is not inside the --scratch range ({}): writes stay inside it",
                                   first, last, why));
    }
  }
}

}  // namespace nvqual::app
