#include "nvqual/harness/step.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace nvqual::harness {

const StepArgs::Arg& StepArgs::get(std::string_view name) const {
  const auto it = args_.find(name);
  if (it == args_.end()) throw std::logic_error(fmt::format("step argument '{}' was not declared", name));
  return it->second;
}

uint64_t StepArgs::number(std::string_view name, const Variables& variables) const {
  const Arg& arg = get(name);
  const uint64_t value = arg.expression.evaluate(variables);
  if (arg.spec != nullptr && (value < arg.spec->min || value > arg.spec->max)) {
    throw CaseInputError(fmt::format("{}: '{}' = {} is {}: expected {}..{} for {}", arg.mark.str(),
                                     arg.expression.text(), value, value < arg.spec->min ? "too small" : "too large",
                                     arg.spec->min, arg.spec->max, name));
  }
  if (arg.spec != nullptr && arg.spec->multiple_of > 1 && value % arg.spec->multiple_of != 0) {
    throw CaseInputError(fmt::format("{}: '{}' = {} is not a multiple of {}: expected one for {}", arg.mark.str(),
                                     arg.expression.text(), value, arg.spec->multiple_of, name));
  }
  return value;
}

std::optional<uint64_t> StepArgs::constant(std::string_view name) const {
  return has(name) ? get(name).expression.constant_value() : std::nullopt;
}

bool StepArgs::flag(std::string_view name) const { return get(name).flag; }

const std::string& StepArgs::choice(std::string_view name) const { return get(name).choice; }

const ParamSpec* StepDefinition::param(std::string_view param_name) const {
  for (const auto& p : params) {
    if (p.name == param_name) return &p;
  }
  return nullptr;
}

const ObservationSpec* StepDefinition::observation(std::string_view observation_name) const {
  for (const auto& o : observations) {
    if (o.name == observation_name) return &o;
  }
  return nullptr;
}

StepRegistry& StepRegistry::instance() {
  static StepRegistry registry;
  return registry;
}

void StepRegistry::add(StepDefinition definition) {
  const std::string name = definition.name;
  if (!steps_.emplace(name, std::move(definition)).second) {
    throw std::logic_error(fmt::format("step '{}' is registered twice", name));
  }
}

const StepDefinition* StepRegistry::find(std::string_view name) const {
  const auto it = steps_.find(name);
  return it == steps_.end() ? nullptr : &it->second;
}

std::vector<const StepDefinition*> StepRegistry::all() const {
  std::vector<const StepDefinition*> out;
  for (const auto& [name, definition] : steps_) out.push_back(&definition);
  return out;
}

}  // namespace nvqual::harness
