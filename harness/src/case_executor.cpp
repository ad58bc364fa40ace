#include "nvqual/harness/case_executor.hpp"

#include <fmt/format.h>

#include "nvqual/driver/errors.hpp"

namespace nvqual::harness {

namespace {

using SteadyTime = std::chrono::steady_clock;

void reach_state(Controller& controller, const Case& test_case, const Variables& v) {
  controller.disable();
  if (test_case.state == StartState::kDisabled) return;
  controller.enable();
  if (test_case.state == StartState::kEnabled) return;
  // No Identify here: admin-state cases may be about Identify itself.
  const auto queues = static_cast<uint16_t>(std::max<uint64_t>(1, v.at("io_queues")));
  controller.set_number_of_queues(queues, queues);
  if (test_case.state == StartState::kAdmin) return;
  controller.identify_controller();  // reads split at MDTS, which Identify reports
  const uint64_t count = v.at("io_queue_count");
  const uint64_t entries = v.at("io_queue_entries");
  for (uint64_t qid = 1; qid <= count; ++qid) {
    controller.create_io_queue_pair(static_cast<uint16_t>(qid), static_cast<uint32_t>(entries));
  }
}

std::string check_line(const CheckResult& r) {
  const char* tag = r.state == CheckState::kPassed ? "PASS" : r.state == CheckState::kFailed ? "FAIL" : "N/A ";
  if (r.state == CheckState::kNotApplicable)
    return fmt::format("{} {}: {} [{}]", tag, r.description, r.expected, r.mark.str());
  return fmt::format("{} {}: expected {}, actual {} [{}]", tag, r.description, r.expected, r.actual, r.mark.str());
}

// Runs every step; returns normally when all steps ran or a step had a failed check.
// Problems a step's arguments cause at run time are the suite's input, never
// the device's: typed `input` (CaseInputError) and placed at the step, also
// when the driver is the one refusing (DriverError kInvalidArgument: a length
// or a range no command can carry).
void run_step(StepContext& ctx, const StepCall& call, Observations& observed) {
  const auto at_step = [&](std::string_view problem) {
    if (problem.starts_with(call.mark.file + ":")) return std::string(problem);  // it names its argument already
    return fmt::format("{}: step {}: {}", call.mark.str(), call.definition->name, problem);
  };
  try {
    call.definition->run(ctx, call.args, observed);
  } catch (const CaseInputError& e) {
    throw CaseInputError(at_step(e.what()));
  } catch (const DriverError& e) {
    if (e.kind() != ErrorKind::kInvalidArgument) throw;
    throw CaseInputError(at_step(e.what()));
  }
}

void run_steps(StepContext& ctx, const Case& test_case, CaseResult& result) {
  for (const StepCall& call : test_case.steps) {
    const uint64_t times = call.repeat ? call.repeat->evaluate(ctx.variables()) : 1;
    bool failed = false;
    for (uint64_t i = 0; i < times && !failed; ++i) {
      ctx.set_variable("iteration", i);
      ctx.checkpoint();
      Observations observed;
      run_step(ctx, call, observed);
      const CheckEnvironment env{ctx.variables(), ctx.settings().model, ctx.saved()};
      for (const Check& check : call.checks) {
        const auto it = observed.find(check.field);
        if (it == observed.end()) {
          throw std::logic_error(
              fmt::format("step {} did not report '{}' it declares", call.definition->name, check.field));
        }
        CheckResult r = apply(check, it->second, env);
        if (times > 1) r.description = fmt::format("{} (iteration {})", r.description, i);
        failed = failed || r.state == CheckState::kFailed;
        result.checks.push_back(std::move(r));
      }
      if (!call.save.empty()) {
        const auto it = observed.find("data");
        if (it != observed.end()) ctx.saved()[call.save] = std::get<DataPtr>(it->second);
      }
    }
    if (failed) return;
  }
}

void classify_checks(const Case& test_case, CaseResult& result) {
  const CheckResult* first_failure = nullptr;
  size_t applicable = 0;
  for (const auto& r : result.checks) {
    if (r.state != CheckState::kNotApplicable) ++applicable;
    if (r.state == CheckState::kFailed && first_failure == nullptr) first_failure = &r;
  }
  if (first_failure != nullptr) {
    result.outcome = Outcome::kFailed;
    result.type = ProblemType::kCheck;
    result.message = fmt::format("{}: expected {}, actual {} (NVMe {}; {})", first_failure->description,
                                 first_failure->expected, first_failure->actual, test_case.spec,
                                 first_failure->mark.str());
  } else if (applicable == 0 && !result.checks.empty()) {
    result.outcome = Outcome::kSkipped;
    result.message = fmt::format("no check applies: {}", result.checks.front().expected);
  } else {
    result.outcome = Outcome::kPassed;
  }
}

void set_error(CaseResult& result, ProblemType type, std::string message, bool in_setup) {
  result.failed_in = in_setup ? FailedIn::kSetup : FailedIn::kSteps;
  result.outcome = Outcome::kError;
  result.type = type;
  result.message = std::move(message);
}

void write_details(CaseResult& result, const Case& test_case) {
  std::string d = fmt::format("{} (NVMe {})\n", test_case.display_name(), test_case.spec);
  if (result.outcome != Outcome::kPassed) d += fmt::format("{}: {}\n", to_string(result.outcome), result.message);
  if (!result.checks.empty()) d += "Checks:\n";
  for (const auto& r : result.checks) d += "  " + check_line(r) + "\n";
  if (!result.measurements.empty()) d += "Measured:\n";
  for (const auto& m : result.measurements) d += fmt::format("  {}: {}\n", m.name, m.value);
  if (!result.command_log.empty()) d += "Command log (oldest first):\n" + result.command_log;
  result.details = std::move(d);
}

// A case exists to compare with the model: when the profile gives none of the
// values it compares, its other checks (the implicit success status) must not
// make it pass as if the model had been checked.
std::string model_skip_reason(const Case& test_case, const ModelProfile& model) {
  std::string keys;
  for (const StepCall& call : test_case.steps) {
    for (const Check& check : call.checks) {
      if (check.op != CheckOp::kModel) continue;
      if (model.find(check.text) != nullptr) return "";
      keys += (keys.empty() ? "" : ", ") + check.text;
    }
  }
  return fmt::format("the model profile '{}' gives none of the values this case compares ({})", model.name, keys);
}

}  // namespace

ProblemType problem_type_for(CancelCause cause) {
  return cause == CancelCause::kDeadline ? ProblemType::kDeadline : ProblemType::kInterrupted;
}

std::string skip_reason(const Case& test_case, const Variables& variables, const RunSettings& settings) {
  // Skipped, never passed: without the opt-in the driver would refuse every
  // write, and a case that cannot run proves nothing (docs/data-integrity.md).
  if (test_case.changes_media && !settings.allow_media_changes) {
    return "the suite changes media (media_changes: true): pass --allow-media-changes to run it (on a real device "
           "also --confirm-serial SN and --scratch FIRST:LAST)";
  }
  if (test_case.changes_media && variables.count("simulator") != 0 && variables.at("simulator") == 0 &&
      !settings.media_change_policy.confirm_serial()) {
    return "the suite changes media and the target is a real device: pass --confirm-serial with its serial number";
  }
  for (const auto& rule : test_case.requires_all) {
    if (rule.expression.evaluate(variables) == 0) {
      return fmt::format("{} (requires {})", rule.reason, rule.expression.text());
    }
  }
  for (const auto& rule : test_case.skip_if) {
    if (rule.expression.evaluate(variables) != 0) return fmt::format("{} ({})", rule.reason, rule.expression.text());
  }
  if (test_case.needs_pattern && !settings.expect_pattern) {
    return "the media is not known to carry the LBA stamp (pass --expect-pattern when it does)";
  }
  if (test_case.needs_model && settings.model == nullptr) return "no model profile given (--model FILE)";
  if (test_case.needs_model) return model_skip_reason(test_case, *settings.model);
  return "";
}

CaseResult execute_case(Controller& controller, const Suite& suite, const Case& test_case, const Variables& variables,
                        const RunSettings& settings, const CancelToken& cancel) {
  CaseResult result;
  const auto started = SteadyTime::now();
  controller.command_log().clear();
  StepContext ctx(controller, variables, settings, cancel);
  std::string phase = "reaching state " + std::string(to_string(test_case.state));
  bool in_setup = true;
  try {
    ctx.checkpoint();
    reach_state(controller, test_case, variables);
    // Condition 1 comes from the suite, 2-4 from the command line; the driver
    // checks all four on every media-changing command (media_change_policy.hpp).
    controller.media_change_policy() = settings.media_change_policy;
    controller.media_change_policy().set_user_allows(settings.allow_media_changes);
    controller.media_change_policy().set_suite_declares(suite.media_changes);
    phase = "running steps";
    in_setup = false;
    run_steps(ctx, test_case, result);
    classify_checks(test_case, result);
    if (result.outcome == Outcome::kFailed) result.failed_in = FailedIn::kSteps;
  } catch (const CaseCancelled& e) {
    set_error(result, problem_type_for(cancel.cause()), fmt::format("{} while {}", e.what(), phase), in_setup);
  } catch (const DriverError& e) {
    set_error(result, ProblemType::kDriverError,
              fmt::format("{} while {}: {} (NVMe {})", to_string(e.kind()), phase, e.what(), test_case.spec), in_setup);
    result.driver_error = e.kind();
  } catch (const CaseInputError& e) {
    set_error(result, ProblemType::kInput, fmt::format("{} while {}", e.what(), phase), in_setup);
  } catch (const std::exception& e) {
    set_error(result, ProblemType::kHarness, fmt::format("harness problem while {}: {}", phase, e.what()), in_setup);
  }
  controller.media_change_policy() = MediaChangePolicy{};  // between cases nothing may change media
  result.measurements = std::move(ctx.measurements());
  result.feature_restores = std::move(ctx.feature_restores());
  result.command_log = controller.command_log().format();
  result.failed_commands = controller.command_log().failures();
  result.failed_commands_dropped = controller.command_log().failures_dropped();
  result.duration = SteadyTime::now() - started;
  write_details(result, test_case);
  return result;
}

std::string health_problem(Controller& controller) {
  try {
    const spec::Csts csts = controller.csts();
    if (csts.all_ones()) return "CSTS reads FFFFFFFFh: the device is not reachable";
    if (csts.cfs() != 0) return "CSTS.CFS=1: the controller reports a fatal status";
    if (!controller.enabled()) controller.enable();
    controller.identify_controller();
    return "";
  } catch (const std::exception& e) {
    return fmt::format("Identify round trip failed: {}", e.what());
  }
}

}  // namespace nvqual::harness
