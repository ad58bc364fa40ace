// nvqual perf: keep QD Read and/or Write commands in flight on each of N I/O queue pairs
// (one thread each, nvqual/driver/io_engine.hpp), time every completion into a
// latency histogram per thread, merge them, and report IOPS, bandwidth and
// percentiles as a table and, on request, fio-shaped JSON and a histogram CSV.
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "nvqual/driver/io_engine.hpp"
#include "nvqual/driver/latency_histogram.hpp"
#include "nvqual/driver/media_change_target.hpp"

#include "command.hpp"
#include "device_session.hpp"
#include "output_file.hpp"
#include "perf_options.hpp"
#include "stop_signal.hpp"

namespace nvqual::app {

namespace {

using std::chrono::duration;
using std::chrono::steady_clock;

// The percentiles fio reports by default, plus 99.99.
constexpr double kPercentiles[] = {1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};

struct Worker {
  QueuePair* queue = nullptr;
  std::unique_ptr<CommandLog> log;  // queues > 1: each thread logs to its own
  std::unique_ptr<IoEngine> engine;
  LatencyHistogram latencies;        // Reads
  LatencyHistogram write_latencies;  // Writes
  IoRunResult result;
  std::exception_ptr error;
};

// --cpus: the calling queue thread runs on `cpu` only (checked against the
// process's allowed CPUs before the device was opened).
void pin_this_thread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (const int error = pthread_setaffinity_np(pthread_self(), sizeof(set), &set); error != 0) {
    throw DriverError(ErrorKind::kEnvironment,
                      fmt::format("cannot pin a queue thread to CPU {}: {}", cpu, std::strerror(error)));
  }
}

// Runs every worker's engine on its own thread until the limits end it,
// printing progress on a terminal once a second and turning SIGINT/SIGTERM
// into the engines' stop flag (so what was measured is still reported).
void run_phase(std::vector<Worker>& workers, const PerfOptions& options, std::optional<double> seconds,
               std::optional<uint64_t> ios, bool measure) {
  std::atomic<bool> stop{false};
  std::atomic<size_t> running{workers.size()};
  const auto start = steady_clock::now();
  const auto until = seconds ? Clock::time_point(std::chrono::duration_cast<Clock::duration>(
                                   (start + duration<double>(*seconds)).time_since_epoch()))
                             : Clock::time_point::max();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers.size(); ++i) {
    IoLimits limits;
    limits.until = until;
    limits.stop = &stop;
    if (ios) limits.ios = *ios / workers.size() + (i < *ios % workers.size() ? 1 : 0);
    threads.emplace_back([&, i, limits] {
      Worker& w = workers[i];
      try {
        if (!options.cpus.empty()) pin_this_thread(options.cpus[i % options.cpus.size()]);
        LatencyHistogram scratch;
        w.result = measure ? w.engine->run(limits, w.latencies, &w.write_latencies) : w.engine->run(limits, scratch);
      } catch (...) {
        w.error = std::current_exception();
        stop.store(true);  // the siblings stop too: one failure ends the run
      }
      running.fetch_sub(1);
    });
  }
  const bool terminal = measure && ::isatty(STDERR_FILENO) == 1;
  auto next_print = start + std::chrono::seconds(1);
  uint64_t last_ios = 0;
  uint64_t last_writes = 0;
  auto last_time = start;
  // The last second's p99: the difference of two snapshots of the workers' buckets.
  using Counts = std::array<uint64_t, LatencyHistogram::kBuckets>;
  auto previous = std::make_unique<Counts>();
  auto current = std::make_unique<Counts>();
  auto last_second = std::make_unique<Counts>();
  while (running.load() != 0) {
    // The monitor's own wait: bounded by the workers, which are bounded by
    // the command timeout and the run's limits.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (StopOnSignal::received() != 0) stop.store(true);
    const auto now = steady_clock::now();
    if (terminal && now >= next_print) {
      uint64_t done = 0;
      uint64_t writes = 0;
      for (const Worker& w : workers) {
        writes += w.engine->writes_completed();
        done += w.engine->completed();  // after writes: done - writes never goes below 0
      }
      const double interval = duration<double>(now - last_time).count();
      const double iops = static_cast<double>(done - last_ios) / interval;
      const double write_iops = static_cast<double>(writes - last_writes) / interval;
      current->fill(0);
      for (const Worker& w : workers) {
        w.latencies.add_counts_to(*current);
        w.write_latencies.add_counts_to(*current);
      }
      for (size_t b = 0; b < current->size(); ++b) (*last_second)[b] = (*current)[b] - (*previous)[b];
      std::swap(previous, current);
      const double p99_us = static_cast<double>(LatencyHistogram::percentile_of(*last_second, 99)) / 1e3;
      const double mib = 1024.0 * 1024.0 / options.block_bytes;
      if (workload_writes(options.workload)) {
        fmt::print(
            stderr,
            "\r{:6.0f} s  read {:>9.0f} IOPS {:>8.1f} MiB/s  write {:>9.0f} IOPS {:>8.1f} MiB/s  p99 {:>9.1f} us ",
            duration<double>(now - start).count(), iops - write_iops, (iops - write_iops) / mib, write_iops,
            write_iops / mib, p99_us);
      } else {
        fmt::print(stderr, "\r{:6.0f} s  {:>10.0f} IOPS  {:>9.1f} MiB/s  p99 {:>9.1f} us ",
                   duration<double>(now - start).count(), iops, iops / mib, p99_us);
      }
      std::fflush(stderr);
      last_ios = done;
      last_writes = writes;
      last_time = now;
      next_print = now + std::chrono::seconds(1);
    }
  }
  for (auto& t : threads) t.join();
  if (terminal) fmt::print(stderr, "\n");
  for (const Worker& w : workers) {
    if (w.error) std::rethrow_exception(w.error);
  }
}

nlohmann::json latency_json(const LatencyHistogram& h) {
  nlohmann::json percentiles = nlohmann::json::object();
  for (double p : kPercentiles) percentiles[fmt::format("{:f}", p)] = h.percentile(p);
  return {{"min", h.min()},       {"max", h.max()}, {"mean", h.mean()},
          {"stddev", h.stddev()}, {"N", h.count()}, {"percentile", percentiles}};
}

// fio's --output-format=json for the fields both have, one job as with
// fio's group_reporting; "nvqual" holds what fio has no field for.
// One direction of a fio job ("read" or "write").
nlohmann::json direction_json(const PerfOptions& options, const LatencyHistogram& h, uint64_t ios, double seconds) {
  const uint64_t bytes = ios * options.block_bytes;
  const double bw_bytes = seconds > 0 ? static_cast<double>(bytes) / seconds : 0.0;
  const double iops = seconds > 0 ? static_cast<double>(ios) / seconds : 0.0;
  const nlohmann::json lat = latency_json(h);
  return {{"io_bytes", bytes},
          {"io_kbytes", bytes / 1024},
          {"bw_bytes", static_cast<uint64_t>(bw_bytes)},
          {"bw", static_cast<uint64_t>(bw_bytes / 1024)},
          {"iops", iops},
          {"runtime", static_cast<uint64_t>(seconds * 1000)},
          {"total_ios", ios},
          {"clat_ns", lat},
          {"lat_ns", lat}};
}

struct Measured {
  LatencyHistogram reads;
  LatencyHistogram writes;
  uint64_t read_ios = 0;
  uint64_t write_ios = 0;
  double seconds = 0;
};

nlohmann::json fio_json(const PerfOptions& options, const Measured& m, bool simulator, const std::string& target,
                        uint64_t media_changing_commands, uint64_t read_back_verified) {
  const double seconds = m.seconds;
  nlohmann::json job_options = {{"rw", workload_name(options.workload)},
                                {"bs", std::to_string(options.block_bytes)},
                                {"iodepth", std::to_string(options.queue_depth)},
                                {"numjobs", std::to_string(options.queues)}};
  if (options.workload == Workload::kRandRw) job_options["rwmixread"] = std::to_string(options.read_percent);
  nlohmann::json job = {{"jobname", workload_name(options.workload)},
                        {"groupid", 0},
                        {"error", 0},
                        {"job options", job_options},
                        {"read", direction_json(options, m.reads, m.read_ios, seconds)},
                        {"write", direction_json(options, m.writes, m.write_ios, seconds)},
                        {"job_runtime", static_cast<uint64_t>(seconds * 1000)}};
  return {{"fio version", "nvqual-" NVQUAL_VERSION},
          {"timestamp", std::time(nullptr)},
          {"global options", job_options},
          {"jobs", nlohmann::json::array({job})},
          {"nvqual",
           {{"target", target},
            {"queues", options.queues},
            {"seed", options.seed},
            {"verify", options.verify},
            {"media_changing_commands", media_changing_commands},
            {"read_back_verified", read_back_verified},
            {"note", simulator ? "simulator: not a measurement" : ""}}}};
}

void print_direction(const char* name, const PerfOptions& options, const LatencyHistogram& h, uint64_t ios,
                     double seconds) {
  const double iops = seconds > 0 ? static_cast<double>(ios) / seconds : 0.0;
  const char* indent = name[0] == '\0' ? "  " : "    ";
  if (name[0] != '\0') fmt::print("  {}: {} I/Os\n", name, ios);
  fmt::print("{}IOPS {:.0f}   bandwidth {:.1f} MiB/s\n", indent, iops, iops * options.block_bytes / (1024.0 * 1024.0));
  fmt::print("{}latency us: min {:.2f}  mean {:.2f}  stddev {:.2f}  max {:.2f}\n", indent, h.min() / 1e3,
             h.mean() / 1e3, h.stddev() / 1e3, h.max() / 1e3);
  fmt::print("{}percentiles us:", indent);
  for (double p : {50.0, 90.0, 99.0, 99.9, 99.99}) fmt::print("  p{} {:.2f}", p, h.percentile(p) / 1e3);
  fmt::print("\n");
}

void print_table(const PerfOptions& options, const Measured& m, bool simulator) {
  fmt::print("{} bs={} qd={} queues={}: {} I/Os in {:.2f} s{}\n", workload_name(options.workload), options.block_bytes,
             options.queue_depth, options.queues, m.read_ios + m.write_ios, m.seconds,
             simulator ? " (simulator: not a measurement)" : "");
  if (!workload_writes(options.workload)) {
    print_direction("", options, m.reads, m.read_ios, m.seconds);
    return;
  }
  if (m.read_ios != 0 || options.read_percent != 0) print_direction("read", options, m.reads, m.read_ios, m.seconds);
  print_direction("write", options, m.writes, m.write_ios, m.seconds);
}

int run_perf(PerfOptions options) {
  validate_perf_options(options);  // input alone: before anything opens
  StopOnSignal stop;
  std::optional<AtomicOutputFile> json_out;
  std::optional<AtomicOutputFile> histogram_out;
  if (!options.json.empty()) json_out.emplace(options.json);
  if (!options.histogram.empty()) histogram_out.emplace(options.histogram);

  TargetOptions target = options.target;
  target.dma_estimate_bytes = vfio::dma_estimate::identify() +
                              options.queues *
                                  (vfio::dma_estimate::queue_pair(options.queue_depth + 1, options.queue_depth + 1) +
                                   options.queue_depth * vfio::dma_estimate::transfer(options.block_bytes));
  DeviceSession session(target);
  Controller& controller = session.controller();
  const IdentifyNamespace ns = session.require_namespace(options.nsid);
  const LbaFormat& format = checked_active_format(ns, options.nsid);
  const uint32_t lba_size = static_cast<uint32_t>(format.data_size());
  check_against_device(options, lba_size, ns.nsze, controller.cap().max_queue_entries(),
                       controller.max_transfer_bytes());
  const bool writes = workload_writes(options.workload);
  if (writes) {
    // --confirm-serial against Identify, the scratch range against the namespace; nothing written yet.
    if (const std::string problem = media_change_target_problem(controller, options.policy); !problem.empty()) {
      throw UsageError(problem);
    }
    controller.media_change_policy() = options.policy;
  }
  const cmd::QueueCounts granted = controller.set_number_of_queues(options.queues, options.queues);
  if (granted.io_sq < options.queues || granted.io_cq < options.queues) {
    throw UsageError(fmt::format("--queues {} is more than the controller granted ({} SQs, {} CQs): use at most {}",
                                 options.queues, granted.io_sq, granted.io_cq, std::min(granted.io_sq, granted.io_cq)));
  }

  IoEngineOptions engine_options;
  engine_options.nsid = options.nsid;
  engine_options.lba_size = lba_size;
  engine_options.first_lba = options.first_lba.value_or(0);
  engine_options.last_lba = options.last_lba.value_or(ns.nsze - 1);
  engine_options.block_bytes = options.block_bytes;
  engine_options.queue_depth = options.queue_depth;
  engine_options.pattern = workload_random(options.workload) ? IoPattern::kRandom : IoPattern::kSequential;
  engine_options.verify = options.verify;
  engine_options.read_percent = options.read_percent;
  engine_options.stamp_seed = options.seed;
  // Writes: each queue gets its own slice of the range, so no two queues write
  // (or verify) the same blocks and each engine's generation table is the truth.
  const uint64_t range_first = engine_options.first_lba;
  const uint64_t blocks_per_command = options.block_bytes / lba_size;
  const uint64_t positions = (engine_options.last_lba - range_first + 1) / blocks_per_command;
  if (writes && positions < options.queues) {
    throw UsageError(
        fmt::format("--lba-range {}:{} holds {} --bs {} commands, fewer than --queues {}: each queue "
                    "writes a slice of its own",
                    range_first, engine_options.last_lba, positions, options.block_bytes, options.queues));
  }
  std::vector<Worker> workers(options.queues);
  for (uint16_t i = 0; i < options.queues; ++i) {
    Worker& w = workers[i];
    w.queue = &controller.create_io_queue_pair(static_cast<uint16_t>(i + 1), options.queue_depth + 1);
    if (options.queues > 1) {
      w.log = std::make_unique<CommandLog>(controller.options().command_log_entries);
      w.queue->set_command_log(w.log.get());
    }
    engine_options.seed = options.seed + i;  // each queue its own sequence, all from --seed
    if (writes) {
      const uint64_t begin = positions * i / options.queues;
      const uint64_t end = positions * (i + 1) / options.queues;
      engine_options.first_lba = range_first + begin * blocks_per_command;
      engine_options.last_lba = range_first + end * blocks_per_command - 1;
    }
    w.engine = std::make_unique<IoEngine>(controller, *w.queue, engine_options);
  }

  try {
    if (options.warmup > 0) run_phase(workers, options, options.warmup, std::nullopt, false);
    if (StopOnSignal::received() == 0) run_phase(workers, options, options.seconds, options.ios, true);
  } catch (const DriverError& e) {
    for (const Worker& w : workers) {
      if (w.log && w.error) {
        // The failing queue's own log: the controller's holds only the admin commands.
        throw DriverError(e.kind(), fmt::format("{}\nI/O queue {}'s last commands:\n{}", e.what(), w.queue->qid(),
                                                w.log->format(16)));
      }
    }
    throw;
  }

  // --verify with writes: every position written is read back once and checked (not timed, not reported as I/O).
  uint64_t read_back = 0;
  if (writes && options.verify && StopOnSignal::received() == 0) {
    for (Worker& w : workers) {
      LatencyHistogram untimed;
      read_back += w.engine->read_back(untimed).verified;
    }
  }

  Measured measured;
  std::chrono::nanoseconds elapsed{0};
  for (Worker& w : workers) {
    measured.reads.merge(w.latencies);
    measured.writes.merge(w.write_latencies);
    measured.read_ios += w.result.ios - w.result.writes;
    measured.write_ios += w.result.writes;
    elapsed = std::max(elapsed, w.result.elapsed);
    if (w.log) w.queue->set_command_log(&controller.command_log());
  }
  const uint64_t ios = measured.read_ios + measured.write_ios;
  // Complete: the engines add the Writes they rang for (warm-up included) to this count.
  const uint64_t media_changing = controller.media_changing_commands_sent();
  measured.seconds = duration<double>(elapsed).count();
  const bool simulator = session.target().simulator != nullptr;
  print_table(options, measured, simulator);
  if (writes && options.verify) {
    uint64_t checked = 0;
    for (const Worker& w : workers) checked += w.result.verified;
    fmt::print(
        "  verified: {} reads during the run and {} command positions read back after it match the "
        "generation last written\n",
        checked, read_back);
  }
  const auto as_bytes = [](const std::string& text) { return std::as_bytes(std::span(text.data(), text.size())); };
  if (json_out) {
    json_out->write(as_bytes(
        fio_json(options, measured, simulator, session.target().description, media_changing, read_back).dump(2) +
        "\n"));
    json_out->commit();
  }
  if (histogram_out) {
    LatencyHistogram both;  // the CSV: every completion, both directions
    both.merge(measured.reads);
    both.merge(measured.writes);
    histogram_out->write(as_bytes(both.to_csv()));
    histogram_out->commit();
  }
  // After the report: a signal still ends the command with its exit code.
  StopOnSignal::check(fmt::format("measuring ({} I/Os reported)", ios));
  for (const Worker& w : workers) controller.delete_io_queue_pair(w.queue->qid());
  return kExitPassed;
}

}  // namespace

Command add_perf_command(CLI::App& root) {
  auto options = std::make_shared<PerfOptions>();
  CLI::App* cli = root.add_subcommand(
      "perf",
      "Measure performance: keep --qd Reads (or Writes, or both) in flight on each of --queues I/O queue pairs\n"
      "(one thread each) and report IOPS, MiB/s and completion latency percentiles (about 1% resolution) per\n"
      "direction. Write workloads need --allow-media-changes and --scratch (the range written), and on a real\n"
      "device --confirm-serial. On the simulator the figures measure nvqual's own path, not a device.");
  add_perf_options(*cli, *options);
  return {cli, [options]() { return run_perf(*options); }};
}

}  // namespace nvqual::app
