// What a step sees while it runs: the controller (through its public API only),
// the run's variables, the data earlier steps saved, and cancellation.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "nvqual/driver/controller.hpp"
#include "nvqual/driver/media_change_policy.hpp"
#include "nvqual/harness/expression.hpp"
#include "nvqual/harness/media_journal.hpp"
#include "nvqual/harness/model_profile.hpp"
#include "nvqual/harness/results.hpp"
#include "nvqual/harness/value.hpp"

namespace nvqual::harness {

// Raised at a checkpoint when the runner asked the case to stop (deadline or signal).
class CaseCancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Why the runner asked a case (or the run) to stop.
enum class CancelCause {
  kInterrupted,  // a signal or Runner::request_stop
  kDeadline,     // the case ran past its timeout
};

// Shared between the runner (which requests) and the case thread (which obeys).
// A StopRequest, so the driver's waits can watch it (InterruptibleClock).
class CancelToken final : public StopRequest {
 public:
  // The first request wins: its cause and reason stay until reset().
  void request(CancelCause cause, std::string reason);
  bool requested() const override { return requested_.load(); }
  std::string reason() const override;
  CancelCause cause() const;  // once requested()
  // Blocks until a stop is requested or `timeout` passes; true when requested.
  bool wait_for(std::chrono::nanoseconds timeout) const;
  void reset();

 private:
  std::atomic<bool> requested_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::string reason_;
  CancelCause cause_ = CancelCause::kInterrupted;
};

struct RunSettings {
  bool expect_pattern = false;          // the media carries the LBA stamp
  const ModelProfile* model = nullptr;  // --model
  bool allow_media_changes = false;     // --allow-media-changes
  // The user's side of the media-change policy (--allow-media-changes,
  // --confirm-serial, --scratch); the executor adds the suite's
  // media_changes per case and hands it to the controller, which enforces it.
  MediaChangePolicy media_change_policy;
  // --media-journal: where media-changing steps record what they left (null: nowhere).
  MediaJournal* media_journal = nullptr;
};

class StepContext {
 public:
  StepContext(Controller& controller, Variables variables, const RunSettings& settings, const CancelToken& cancel)
      : controller_(controller), variables_(std::move(variables)), settings_(settings), cancel_(cancel) {}

  Controller& controller() { return controller_; }
  const Variables& variables() const { return variables_; }
  void set_variable(const std::string& name, uint64_t value) { variables_[name] = value; }
  const RunSettings& settings() const { return settings_; }

  std::map<std::string, DataPtr, std::less<>>& saved() { return saved_; }

  // Throws CaseCancelled when the runner asked this case to stop. Steps that
  // loop call it between commands so a deadline or Ctrl-C is honoured quickly.
  void checkpoint() const;
  const CancelToken& cancel_token() const { return cancel_; }

  // A value worth recording in the report whatever the outcome (latencies, counts).
  void measure(std::string name, std::string value) { measurements_.push_back({std::move(name), std::move(value)}); }
  std::vector<Measurement>& measurements() { return measurements_; }

  // A Set Features step calls this before it changes a value: the first call
  // for a value wins, so the value from before the case is the one restored.
  void remember_feature(const FeatureRestore& restore);
  std::vector<FeatureRestore>& feature_restores() { return feature_restores_; }

  // A new seed for every buffer a step poisons before a transfer (1, 2, ...):
  // two reads of one case never start from the same bytes.
  uint64_t next_poison_seed() { return ++poison_seeds_; }

  // The run seed of every write stamp this case writes (write_stamp.hpp): one
  // per case, unlike any other case's or run's, so a lost write never reads
  // back as an earlier case's (or an earlier run's) identical block.
  uint64_t write_seed() const { return write_seed_; }

  // A media-changing step calls this once its command(s) completed, with what
  // the blocks now hold (media_journal.hpp); in order, so a later entry
  // overrides an earlier one. Nothing happens without --media-journal.
  void record_media_change(MediaJournalEntry entry) {
    if (settings_.media_journal != nullptr) settings_.media_journal->add(std::move(entry));
  }

  // The namespace under test and its block size, from the variables.
  uint32_t nsid() const;
  uint32_t lba_size() const;

 private:
  Controller& controller_;
  Variables variables_;
  const RunSettings& settings_;
  const CancelToken& cancel_;
  std::map<std::string, DataPtr, std::less<>> saved_;
  std::vector<Measurement> measurements_;
  std::vector<FeatureRestore> feature_restores_;
  uint64_t poison_seeds_ = 0;
  uint64_t write_seed_ = fresh_write_seed();
  static uint64_t fresh_write_seed();
};

}  // namespace nvqual::harness
