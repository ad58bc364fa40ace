#include <algorithm>

#include <fmt/format.h>

#include "suite_parse.hpp"

namespace nvqual::harness::detail {

namespace {

// Keys of a step that are not its parameters.
const std::vector<std::string> kReservedStepKeys = {"step", "expect", "save", "repeat"};

StepArgs::Arg parse_arg(const SuiteReader& r, const YAML::Node& step, const ParamSpec& p, const StepDefinition& def,
                        const SourceMark& at) {
  StepArgs::Arg arg;
  arg.spec = &p;
  const YAML::Node node = step[p.name];
  if (!node && p.required()) {
    r.fail(at, fmt::format("step {} needs '{}' ({})", def.name, p.name, p.description));
  }
  arg.mark = node ? r.mark(node) : at;
  const std::string what = fmt::format("'{}' of step {}", p.name, def.name);
  switch (p.kind) {
    case ParamKind::kNumber:
      arg.expression = node ? r.bounded(node, what, p.min, p.max) : Expression::parse(p.default_value);
      if (const auto v = arg.expression.constant_value(); node && v && p.multiple_of > 1 && *v % p.multiple_of != 0) {
        r.fail(node, fmt::format("{} = {} is not a multiple of {}: expected a multiple of {}{}", what, *v,
                                 p.multiple_of, p.multiple_of,
                                 p.multiple_of == 4 ? " (PRP entries are dword aligned, NVMe Base 2.0 4.1.1)" : ""));
      }
      break;
    case ParamKind::kFlag: arg.flag = node ? r.boolean(node, what) : p.default_value == "true"; break;
    case ParamKind::kChoice: {
      arg.choice = node ? r.text(node, what) : p.default_value;
      if (std::find(p.choices.begin(), p.choices.end(), arg.choice) == p.choices.end()) {
        r.fail(node, fmt::format("{} is '{}': expected one of {}", what, arg.choice, join(p.choices)));
      }
      break;
    }
  }
  return arg;
}

}  // namespace

StepCall parse_step(const SuiteReader& r, const YAML::Node& node, Case& test_case, std::set<std::string>& saved) {
  r.require_map(node, "a step");
  StepCall call;
  call.mark = r.mark(node);
  const YAML::Node name = r.required(node, "step", "a step");
  const std::string step_name = r.nonempty_text(name, "step");
  call.definition = StepRegistry::instance().find(step_name);
  if (call.definition == nullptr) {
    std::vector<std::string> names;
    for (const auto* d : StepRegistry::instance().all()) names.push_back(d->name);
    r.fail(name, fmt::format("unknown step '{}': expected one of {}", step_name, join(names)));
  }
  const StepDefinition& def = *call.definition;
  std::vector<std::string> allowed = kReservedStepKeys;
  for (const auto& p : def.params) allowed.push_back(p.name);
  r.check_keys(node, allowed, fmt::format("step {}", def.name));
  for (const auto& p : def.params) call.args.set(p.name, parse_arg(r, node, p, def, call.mark));
  if (def.check_args) {
    if (const auto problem = def.check_args(call.args)) {
      r.fail(call.args.mark(problem->param),
             fmt::format("'{}' of step {}: {}", problem->param, def.name, problem->problem));
    }
  }
  if (node["repeat"]) call.repeat = r.bounded(node["repeat"], "repeat", 1, 1'000'000);
  if (node["expect"]) {
    r.require_list(node["expect"], "expect");
    for (const auto& item : node["expect"]) call.checks.push_back(parse_check(r, item, def, test_case, saved));
  }
  const bool names_status = std::any_of(call.checks.begin(), call.checks.end(),
                                        [](const Check& k) { return k.field == "status"; });
  if (!names_status && def.observation("status") != nullptr) {
    // A status nobody looks at is a discarded error: require success unless the suite says otherwise.
    Check implicit;
    implicit.mark = call.mark;
    implicit.field = "status";
    implicit.op = CheckOp::kAccept;
    implicit.accept = {spec::status::kSuccess};
    implicit.implicit = true;
    call.checks.insert(call.checks.begin(), implicit);
  }
  const bool names_unwritten = std::any_of(call.checks.begin(), call.checks.end(),
                                           [](const Check& k) { return k.field == "unwritten_bytes"; });
  if (!names_unwritten && def.observation("unwritten_bytes") != nullptr) {
    // A success whose data never arrived is no success: every Identify step
    // requires the whole structure written. Last, so a case's own checks
    // still give its failure message.
    Check implicit;
    implicit.mark = call.mark;
    implicit.field = "unwritten_bytes";
    implicit.op = CheckOp::kEq;
    implicit.operands = {Expression::constant(0)};
    implicit.implicit = true;
    call.checks.push_back(implicit);
  }
  if (node["save"]) {
    call.save = r.nonempty_text(node["save"], "save");
    const ObservationSpec* data = def.observation("data");
    if (data == nullptr || data->kind != ValueKind::kData) {
      r.fail(node["save"], fmt::format("step {} reads no data: save needs a step that observes 'data'", def.name));
    }
    saved.insert(call.save);
  }
  return call;
}

}  // namespace nvqual::harness::detail
