#include <algorithm>
#include <iterator>
#include <regex>

#include <fmt/format.h>

#include "nvqual/driver/spec/status.hpp"
#include "nvqual/harness/check.hpp"
#include "suite_parse.hpp"

namespace nvqual::harness::detail {

namespace {

// Check operators as suites spell them.
struct OpSpelling {
  std::string_view key;
  CheckOp op;
  size_t operands;  // expressions expected (0: none, 2: a [lo, hi] list, SIZE_MAX: a list)
};
constexpr size_t kList = static_cast<size_t>(-1);
const OpSpelling kOps[] = {
    {"accept", CheckOp::kAccept, 0},
    {"eq", CheckOp::kEq, 1},
    {"ne", CheckOp::kNe, 1},
    {"ge", CheckOp::kGe, 1},
    {"gt", CheckOp::kGt, 1},
    {"le", CheckOp::kLe, 1},
    {"lt", CheckOp::kLt, 1},
    {"range", CheckOp::kRange, 2},
    {"bits_set", CheckOp::kBitsSet, 1},
    {"bits_clear", CheckOp::kBitsClear, 1},
    {"one_of", CheckOp::kOneOf, kList},
    {"printable", CheckOp::kPrintable, 0},
    {"text", CheckOp::kText, 0},
    {"model", CheckOp::kModel, 0},
    {"within", CheckOp::kWithin, 1},
    {"pattern", CheckOp::kPattern, 0},
    {"same_as", CheckOp::kSameAs, 0},
    {"written_by", CheckOp::kWrittenBy, 0},
    {"every_byte", CheckOp::kEveryByte, 1},
};

std::string op_keys() {
  std::vector<std::string> keys;
  for (const auto& o : kOps) keys.emplace_back(o.key);
  return join(keys);
}

void parse_operands(const SuiteReader& r, const YAML::Node& node, const OpSpelling& spelling, Check& check,
                    Case& test_case, const std::set<std::string>& saved) {
  const std::string what = fmt::format("'{}' of {}", spelling.key, check.field);
  switch (check.op) {
    case CheckOp::kAccept: {
      r.require_list(node, fmt::format("{} (an accept-set such as [00/80, 00/81])", what));
      if (node.size() == 0) r.fail(node, "an empty accept-set accepts nothing: list at least one SCT/SC");
      for (const auto& item : node) {
        const auto status = item.IsScalar() ? spec::parse_status_code(item.Scalar()) : std::nullopt;
        if (!status) {
          r.fail(item, fmt::format("'{}' is not a status: expected {}", item.IsScalar() ? item.Scalar() : "?",
                                   spec::kStatusCodeForm));
        }
        check.accept.push_back(*status);
      }
      return;
    }
    case CheckOp::kPrintable:
    case CheckOp::kPattern:
      if (!r.boolean(node, what)) r.fail(node, fmt::format("{} can only be true (leave the check out instead)", what));
      if (check.op == CheckOp::kPattern) test_case.needs_pattern = true;
      return;
    case CheckOp::kText: check.text = r.text(node, what); return;
    case CheckOp::kModel: {
      check.text = r.nonempty_text(node, what);
      static const std::regex kKey("[a-z0-9_]+\\.[a-z0-9_]+");
      if (!std::regex_match(check.text, kKey)) {
        r.fail(node, fmt::format("model key '{}' must be section.field, e.g. identify_controller.mn", check.text));
      }
      test_case.needs_model = true;
      return;
    }
    case CheckOp::kSameAs:
    case CheckOp::kWrittenBy:
      check.text = r.nonempty_text(node, what);
      if (saved.count(check.text) == 0) {
        r.fail(node, fmt::format("nothing is saved as '{}' before this step: add save: {} to an earlier step",
                                 check.text, check.text));
      }
      return;
    default: break;
  }
  if (spelling.operands == 1) {
    check.operands.push_back(r.expression(node, what));
  } else {
    r.require_list(node, what);
    if (spelling.operands == 2 && node.size() != 2) r.fail(node, fmt::format("{} needs [low, high]", what));
    if (node.size() == 0) r.fail(node, fmt::format("{} is empty", what));
    for (const auto& item : node) check.operands.push_back(r.expression(item, what));
    if (check.op == CheckOp::kRange) {
      const auto lo = check.operands[0].constant_value();
      const auto hi = check.operands[1].constant_value();
      if (lo && hi && *lo > *hi) r.fail(node, fmt::format("{}: low {} is above high {}", what, *lo, *hi));
    }
  }
}

}  // namespace

Check parse_check(const SuiteReader& r, const YAML::Node& node, const StepDefinition& def, Case& test_case,
                  const std::set<std::string>& saved) {
  r.require_map(node, "an expectation");
  Check check;
  check.mark = r.mark(node);
  YAML::Node op_node;
  std::string op_key;
  if (node["status"]) {
    r.check_keys(node, {"status"}, "a status expectation");
    check.field = "status";
    check.op = CheckOp::kAccept;
    op_node = node["status"];
    op_key = "accept";
    if (def.observation("status") == nullptr) {
      r.fail(node, fmt::format("step {} observes no status", def.name));
    }
  } else {
    const YAML::Node field = node["field"];
    if (!field)
      r.fail(node, fmt::format("an expectation needs 'status: [...]' or 'field: NAME' with one of {}", op_keys()));
    check.field = r.nonempty_text(field, "field");
    for (const auto& entry : node) {
      const std::string key = entry.first.Scalar();
      if (key == "field") continue;
      const bool known = std::any_of(std::begin(kOps), std::end(kOps),
                                     [&](const OpSpelling& o) { return o.key == key; });
      if (!known) r.fail(entry.first, fmt::format("unknown check '{}': expected one of {}", key, op_keys()));
      if (!op_key.empty())
        r.fail(entry.first, fmt::format("one check per expectation: found '{}' and '{}'", op_key, key));
      op_key = key;
      op_node = entry.second;
    }
    if (op_key.empty())
      r.fail(node, fmt::format("expectation on '{}' has no check: expected one of {}", check.field, op_keys()));
  }
  const ObservationSpec* observed = def.observation(check.field);
  if (observed == nullptr) {
    std::vector<std::string> names;
    for (const auto& o : def.observations) names.push_back(o.name);
    r.fail(node, fmt::format("step {} observes no '{}': expected one of {}", def.name, check.field, join(names)));
  }
  const OpSpelling& spelling = *std::find_if(std::begin(kOps), std::end(kOps),
                                             [&](const OpSpelling& o) { return o.key == op_key; });
  check.op = spelling.op;
  if (!op_applies_to(check.op, observed->kind)) {
    r.fail(node, fmt::format("'{}' does not apply to {} ({} is {})", op_key, check.field, check.field,
                             to_string(observed->kind)));
  }
  parse_operands(r, op_node, spelling, check, test_case, saved);
  return check;
}

}  // namespace nvqual::harness::detail
