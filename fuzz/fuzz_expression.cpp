// Suite expressions (harness/src/expression.cpp): any text parses or throws
// one ExpressionError whose offset lies inside the text; a parsed expression
// evaluates, or throws CaseInputError, for variables at 0, 1 and 2^64-1.
#include <cstdint>
#include <limits>

#include "fuzz_input.hpp"
#include "nvqual/harness/expression.hpp"
#include "nvqual/harness/suite_error.hpp"

using nvqual::fuzz::require;
using nvqual::harness::CaseInputError;
using nvqual::harness::Expression;
using nvqual::harness::ExpressionError;
using nvqual::harness::Variables;

namespace {

void evaluate_with_every_variable_at(const Expression& e, uint64_t value) {
  Variables variables;
  for (const auto& name : e.names()) variables[name] = value;
  try {
    const uint64_t result = e.evaluate(variables);
    if (e.constant_value()) require(result == *e.constant_value(), "a constant evaluates to its constant_value");
  } catch (const CaseInputError&) {
    // division by zero on these values: an error of the case, as documented
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto text = nvqual::fuzz::as_text(data, size);
  Expression e;
  try {
    e = Expression::parse(text);
  } catch (const ExpressionError& error) {
    require(error.offset() <= text.size(), "an ExpressionError offset lies inside the text");
    return 0;
  }
  require(e.names().size() == e.name_offsets().size(), "one offset per name");
  for (size_t i = 0; i < e.names().size(); ++i) {
    require(e.name_offsets()[i] < text.size() && text.substr(e.name_offsets()[i]).starts_with(e.names()[i]),
            "each name offset points at the name in the text");
  }
  evaluate_with_every_variable_at(e, 0);
  evaluate_with_every_variable_at(e, 1);
  evaluate_with_every_variable_at(e, std::numeric_limits<uint64_t>::max());
  return 0;
}
