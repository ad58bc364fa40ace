// Steps are the verbs of a suite (`identify_controller`, `read`, `create_io_sq`...).
// Each step lives in its own file under harness/src/steps/ and registers itself
// by name with a description, its parameters and what it observes - the way
// Catch2 registers reporters: adding a step is adding one file.
//
//   namespace {
//   void run(StepContext& ctx, const StepArgs& args, Observations& out) { ... }
//   const StepRegistrar registrar{{.name = "my_step", .description = "...", .params = {...},
//                                   .observations = {...}, .run = run}};
//   }
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nvqual/harness/expression.hpp"
#include "nvqual/harness/suite_error.hpp"
#include "nvqual/harness/value.hpp"

namespace nvqual::harness {

class StepContext;

enum class ParamKind {
  kNumber,  // an expression, evaluated when the step runs
  kFlag,    // true / false
  kChoice,  // one of ParamSpec::choices
};

struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::kNumber;
  std::string default_value;  // default (expression text, "true"/"false" or a choice); empty: required
  std::string description;
  uint64_t min = 0;  // kNumber: valid range, checked at load time for constants and at run time
  uint64_t max = std::numeric_limits<uint64_t>::max();
  uint64_t multiple_of = 1;  // kNumber: values must be multiples of it (4: a dword-aligned PRP offset)
  std::vector<std::string> choices;
  bool required() const { return default_value.empty(); }
};

struct ObservationSpec {
  std::string name;
  ValueKind kind = ValueKind::kNumber;
  std::string description;
};

// A step's arguments as the loader parsed them.
class StepArgs {
 public:
  struct Arg {
    const ParamSpec* spec = nullptr;
    Expression expression;  // kNumber
    bool flag = false;      // kFlag
    std::string choice;     // kChoice
    SourceMark mark;
  };

  void set(std::string name, Arg arg) { args_[std::move(name)] = std::move(arg); }
  bool has(std::string_view name) const { return args_.find(name) != args_.end(); }
  // Evaluates a number argument; throws CaseInputError (naming the argument's
  // FILE:LINE:COLUMN) when it falls outside the parameter's range or multiple.
  uint64_t number(std::string_view name, const Variables& variables) const;
  // A number argument's value when it depends on no variable (the loader checks those).
  std::optional<uint64_t> constant(std::string_view name) const;
  const SourceMark& mark(std::string_view name) const { return get(name).mark; }
  bool flag(std::string_view name) const;
  const std::string& choice(std::string_view name) const;
  const std::map<std::string, Arg, std::less<>>& all() const { return args_; }

 private:
  const Arg& get(std::string_view name) const;
  std::map<std::string, Arg, std::less<>> args_;
};

using StepFunction = std::function<void(StepContext&, const StepArgs&, Observations&)>;

// A rule between a step's arguments that no single range expresses (an empty
// from..to, a batch a command cannot have). It returns the argument to blame
// and the problem, or nothing. The loader calls it, so it judges only constant
// arguments (StepArgs::constant); the step enforces the same rule on the
// evaluated values when it runs (the case then errors with type input).
struct ArgProblem {
  std::string param;
  std::string problem;
};
using ArgsCheck = std::function<std::optional<ArgProblem>(const StepArgs&)>;

struct StepDefinition {
  std::string name;
  std::string description;
  std::vector<ParamSpec> params;
  std::vector<ObservationSpec> observations;
  StepFunction run;
  ArgsCheck check_args;  // optional

  const ParamSpec* param(std::string_view param_name) const;
  const ObservationSpec* observation(std::string_view observation_name) const;
};

class StepRegistry {
 public:
  static StepRegistry& instance();
  // Throws std::logic_error on a duplicate name: two files claiming one step is a build bug.
  void add(StepDefinition definition);
  const StepDefinition* find(std::string_view name) const;
  // Sorted by name.
  std::vector<const StepDefinition*> all() const;

 private:
  std::map<std::string, StepDefinition, std::less<>> steps_;
};

struct StepRegistrar {
  explicit StepRegistrar(StepDefinition definition) { StepRegistry::instance().add(std::move(definition)); }
};

}  // namespace nvqual::harness
