#include "nvqual/harness/suite_loader.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "nvqual/driver/data_dir.hpp"
#include "nvqual/harness/digest.hpp"
#include "nvqual/harness/variables.hpp"
#include "yaml_document.hpp"
#include "yaml_duplicate_keys.hpp"

namespace nvqual::harness {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string_view node_type_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "nothing (null)";
    default: return "nothing";
  }
}

// Reads one file; every helper raises SuiteError with the node's position.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  SourceMark mark(const YAML::Node& node) const {
    const YAML::Mark m = node.Mark();
    if (m.is_null()) return SourceMark{file_, 0, 0};
    return SourceMark{file_, m.line + 1, m.column + 1};
  }
  [[noreturn]] void fail(const YAML::Node& node, const std::string& problem) const {
    throw SuiteError(mark(node), problem);
  }
  [[noreturn]] void fail(SourceMark where, const std::string& problem) const {
    throw SuiteError(std::move(where), problem);
  }

  void require_map(const YAML::Node& node, std::string_view what) const {
    if (!node.IsMap())
      fail(node, fmt::format("{} must be a mapping (key: value), found {}", what, node_type_name(node)));
  }
  void require_list(const YAML::Node& node, std::string_view what) const {
    if (!node.IsSequence()) fail(node, fmt::format("{} must be a list, found {}", what, node_type_name(node)));
  }
  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, std::string_view what) const {
    for (const auto& entry : map) {
      const auto key = entry.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        fail(entry.first, fmt::format("unknown key '{}' in {}: expected one of {}", key, what, join(allowed)));
      }
    }
  }
  YAML::Node required(const YAML::Node& map, const std::string& key, std::string_view what) const {
    const YAML::Node node = map[key];
    if (!node) fail(map, fmt::format("{} has no '{}': it is required", what, key));
    return node;
  }
  std::string text(const YAML::Node& node, std::string_view what) const {
    if (!node.IsScalar()) fail(node, fmt::format("{} must be text, found {}", what, node_type_name(node)));
    return node.Scalar();
  }
  std::string nonempty_text(const YAML::Node& node, std::string_view what) const {
    std::string value = text(node, what);
    if (value.empty()) fail(node, fmt::format("{} must not be empty", what));
    return value;
  }
  bool boolean(const YAML::Node& node, std::string_view what) const {
    if (node.IsScalar()) {
      const std::string& s = node.Scalar();
      if (s == "true") return true;
      if (s == "false") return false;
    }
    fail(node, fmt::format("{} must be true or false, found '{}'", what, node.IsScalar() ? node.Scalar() : "?"));
  }
  std::vector<std::string> text_list(const YAML::Node& node, std::string_view what) const {
    std::vector<std::string> out;
    if (node.IsScalar()) {
      out.push_back(node.Scalar());
      return out;
    }
    require_list(node, what);
    for (const auto& item : node) out.push_back(nonempty_text(item, what));
    return out;
  }

  // Parses an expression and checks every variable name against the catalog.
  Expression expression(const YAML::Node& node, std::string_view what) const {
    if (!node.IsScalar())
      fail(node,
           fmt::format("{} must be an expression (a number or e.g. 'nsze - 1'), found {}", what, node_type_name(node)));
    SourceMark where = mark(node);
    // Quoted scalars start one column later than their mark.
    const int quote = node.Tag() == "!" ? 1 : 0;
    try {
      Expression e = Expression::parse(node.Scalar());
      for (size_t i = 0; i < e.names().size(); ++i) {
        if (!is_known_variable(e.names()[i])) {
          where.column += quote + static_cast<int>(e.name_offsets()[i]);
          fail(where, fmt::format("unknown variable '{}' in {} '{}': expected one of {}", e.names()[i], what,
                                  node.Scalar(), known_variable_names()));
        }
      }
      return e;
    } catch (const ExpressionError& e) {
      where.column += quote + static_cast<int>(e.offset());
      fail(where, fmt::format("bad {} '{}': {}", what, node.Scalar(), e.what()));
    }
  }
  Expression bounded(const YAML::Node& node, std::string_view what, uint64_t min, uint64_t max) const {
    Expression e = expression(node, what);
    if (const auto v = e.constant_value(); v && (*v < min || *v > max)) {
      fail(node, fmt::format("{} = {} is out of range: expected {}..{}", what, *v, min, max));
    }
    return e;
  }

  void reject_duplicate_keys(const YAML::Node& node) const {
    if (const auto duplicate = find_duplicate_key(node)) fail(duplicate->key, duplicate->problem);
  }

  // Refuses variables that have no value where the expression is evaluated
  // (a case's queue settings are computed before the case, in order).
  void reject_names(const YAML::Node& node, const Expression& e, std::string_view what,
                    const std::vector<std::string>& unavailable, std::string_view why) const {
    for (size_t i = 0; i < e.names().size(); ++i) {
      if (std::find(unavailable.begin(), unavailable.end(), e.names()[i]) == unavailable.end()) continue;
      SourceMark where = mark(node);
      where.column += (node.Tag() == "!" ? 1 : 0) + static_cast<int>(e.name_offsets()[i]);
      fail(where, fmt::format("'{}' cannot be used in {} '{}': {}", e.names()[i], what, node.Scalar(), why));
    }
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

const std::vector<std::string> kSuiteKeys = {"suite", "description", "area", "spec", "tags", "media_changes", "cases"};
const std::vector<std::string> kCaseKeys = {"id",          "title",     "spec",     "description", "tags",    "state",
                                            "admin_queue", "io_queues", "requires", "skip_if",     "timeout", "steps"};
const std::vector<std::string> kReservedStepKeys = {"step", "expect", "save", "repeat"};

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
};

std::string op_keys() {
  std::vector<std::string> keys;
  for (const auto& o : kOps) keys.emplace_back(o.key);
  return join(keys);
}

class SuiteParser {
 public:
  SuiteParser(const Reader& reader) : r_(reader) {}

  Suite parse(const YAML::Node& root, const std::string& expected_name) {
    if (!root || root.IsNull()) r_.fail(SourceMark{r_.file(), 1, 1}, "the file is empty: expected a suite mapping");
    r_.require_map(root, "a suite");
    r_.check_keys(root, kSuiteKeys, "the suite");
    Suite suite;
    const YAML::Node name = r_.required(root, "suite", "the suite");
    suite.name = r_.nonempty_text(name, "suite");
    static const std::regex kName("[a-z0-9_]+");
    if (!std::regex_match(suite.name, kName)) {
      r_.fail(name, fmt::format("suite name '{}' must be lower-case letters, digits and '_' (it becomes a ctest name)",
                                suite.name));
    }
    if (!expected_name.empty() && suite.name != expected_name) {
      r_.fail(name, fmt::format("suite '{}' is in {}.yaml: expected suite: {} (files are named after their suite)",
                                suite.name, expected_name, expected_name));
    }
    suite.description = r_.nonempty_text(r_.required(root, "description", "the suite"), "description");
    suite.area = r_.nonempty_text(r_.required(root, "area", "the suite"), "area");
    suite.spec = r_.text_list(r_.required(root, "spec", "the suite"), "spec");
    if (root["tags"]) suite.tags = r_.text_list(root["tags"], "tags");
    if (root["media_changes"]) suite.media_changes = r_.boolean(root["media_changes"], "media_changes");
    const YAML::Node cases = r_.required(root, "cases", "the suite");
    r_.require_list(cases, "cases");
    if (cases.size() == 0) r_.fail(cases, "cases is empty: expected at least one case");
    std::set<std::string> ids;
    for (const auto& node : cases) {
      Case c = parse_case(node);
      if (!ids.insert(c.id).second)
        r_.fail(node["id"], fmt::format("duplicate case id '{}': ids must be unique in a suite", c.id));
      suite.cases.push_back(std::move(c));
    }
    return suite;
  }

 private:
  Case parse_case(const YAML::Node& node) {
    r_.require_map(node, "a case");
    r_.check_keys(node, kCaseKeys, "a case");
    Case c;
    c.mark = r_.mark(node);
    c.id = r_.nonempty_text(r_.required(node, "id", "a case"), "id");
    const std::string what = "case " + c.id;
    c.title = r_.nonempty_text(r_.required(node, "title", what), "title");
    c.spec = r_.nonempty_text(r_.required(node, "spec", what), "spec");
    if (node["description"]) c.description = r_.text(node["description"], "description");
    if (node["tags"]) c.tags = r_.text_list(node["tags"], "tags");
    c.state = parse_state(r_.required(node, "state", what));
    parse_admin_queue(node["admin_queue"], c);
    parse_io_queues(node["io_queues"], c);
    if (node["requires"]) c.requires_all = parse_conditions(node["requires"], "requires", "that");
    if (node["skip_if"]) c.skip_if = parse_conditions(node["skip_if"], "skip_if", "when");
    if (node["timeout"]) {
      const auto t = r_.bounded(node["timeout"], "timeout (seconds)", 1, 3600).constant_value();
      if (!t) r_.fail(node["timeout"], "timeout must be a constant number of seconds");
      c.timeout = std::chrono::seconds(*t);
    }
    const YAML::Node steps = r_.required(node, "steps", what);
    r_.require_list(steps, "steps");
    if (steps.size() == 0) r_.fail(steps, "steps is empty: expected at least one step");
    saved_.clear();
    for (const auto& step : steps) c.steps.push_back(parse_step(step, c));
    return c;
  }

  StartState parse_state(const YAML::Node& node) {
    const std::string s = r_.text(node, "state");
    if (s == "disabled") return StartState::kDisabled;
    if (s == "enabled") return StartState::kEnabled;
    if (s == "admin") return StartState::kAdmin;
    if (s == "io") return StartState::kIo;
    r_.fail(node, fmt::format("unknown state '{}': expected disabled, enabled, admin or io", s));
  }

  // A queue setting: range-checked now when constant, else when the case runs.
  // It may use the device's values and the settings computed before it
  // (admin_sq_entries, admin_cq_entries, io_queue_count, io_queue_entries, in
  // that order), never itself or a later one, nor `iteration` (steps only).
  Expression queue_setting(const YAML::Node& node, const std::string& what, uint64_t min, uint64_t max,
                           size_t position) const {
    static const std::vector<std::string> kOrder = {"admin_sq_entries", "admin_cq_entries", "io_queue_count",
                                                    "io_queue_entries"};
    Expression e = r_.bounded(node, what, min, max);
    std::vector<std::string> unavailable(kOrder.begin() + static_cast<std::ptrdiff_t>(position), kOrder.end());
    unavailable.push_back("iteration");
    r_.reject_names(node, e, what, unavailable,
                    fmt::format("a case's queue settings are computed in the order {} before the case runs, and "
                                "'iteration' exists only in steps",
                                join(kOrder)));
    return e;
  }

  void parse_admin_queue(const YAML::Node& node, Case& c) {
    c.admin_sq_entries = Expression::constant(32);
    c.admin_cq_entries = Expression::parse("admin_sq_entries");
    if (!node) return;
    r_.require_map(node, "admin_queue");
    r_.check_keys(node, {"entries", "cq_entries"}, "admin_queue");
    if (node["entries"]) c.admin_sq_entries = queue_setting(node["entries"], "admin_queue entries", 2, 4096, 0);
    if (node["cq_entries"]) {
      c.admin_cq_entries = queue_setting(node["cq_entries"], "admin_queue cq_entries", 2, 4096, 1);
    } else {
      c.admin_cq_entries = c.admin_sq_entries;
    }
  }

  void parse_io_queues(const YAML::Node& node, Case& c) {
    c.io_queue_count = Expression::constant(1);
    c.io_queue_entries = Expression::parse("min(64, max_queue_entries)");
    if (!node) return;
    r_.require_map(node, "io_queues");
    r_.check_keys(node, {"count", "entries"}, "io_queues");
    if (c.state != StartState::kIo) r_.fail(node, "io_queues needs state: io");
    if (node["count"]) c.io_queue_count = queue_setting(node["count"], "io_queues count", 1, 65535, 2);
    if (node["entries"]) c.io_queue_entries = queue_setting(node["entries"], "io_queues entries", 2, 65536, 3);
  }

  std::vector<Condition> parse_conditions(const YAML::Node& node, std::string_view what, const std::string& key) {
    r_.require_list(node, what);
    std::vector<Condition> out;
    for (const auto& item : node) {
      r_.require_map(item, fmt::format("an entry of {}", what));
      r_.check_keys(item, {key, "reason"}, fmt::format("an entry of {}", what));
      Condition condition;
      condition.mark = r_.mark(item);
      const YAML::Node rule = r_.required(item, key, what);
      condition.expression = r_.expression(rule, key);
      r_.reject_names(rule, condition.expression, fmt::format("{} {}", what, key), {"iteration"},
                      "'iteration' exists only in a step's arguments and checks");
      condition.reason = r_.nonempty_text(r_.required(item, "reason", what), "reason");
      out.push_back(std::move(condition));
    }
    return out;
  }

  StepCall parse_step(const YAML::Node& node, Case& c) {
    r_.require_map(node, "a step");
    StepCall call;
    call.mark = r_.mark(node);
    const YAML::Node name = r_.required(node, "step", "a step");
    const std::string step_name = r_.nonempty_text(name, "step");
    call.definition = StepRegistry::instance().find(step_name);
    if (call.definition == nullptr) {
      std::vector<std::string> names;
      for (const auto* d : StepRegistry::instance().all()) names.push_back(d->name);
      r_.fail(name, fmt::format("unknown step '{}': expected one of {}", step_name, join(names)));
    }
    const StepDefinition& def = *call.definition;
    std::vector<std::string> allowed = kReservedStepKeys;
    for (const auto& p : def.params) allowed.push_back(p.name);
    r_.check_keys(node, allowed, fmt::format("step {}", def.name));
    for (const auto& p : def.params) call.args.set(p.name, parse_arg(node, p, def, call.mark));
    if (def.check_args) {
      if (const auto problem = def.check_args(call.args)) {
        r_.fail(call.args.mark(problem->param),
                fmt::format("'{}' of step {}: {}", problem->param, def.name, problem->problem));
      }
    }
    if (node["repeat"]) call.repeat = r_.bounded(node["repeat"], "repeat", 1, 1'000'000);
    if (node["expect"]) {
      r_.require_list(node["expect"], "expect");
      for (const auto& item : node["expect"]) call.checks.push_back(parse_check(item, def, c));
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
      call.save = r_.nonempty_text(node["save"], "save");
      const ObservationSpec* data = def.observation("data");
      if (data == nullptr || data->kind != ValueKind::kData) {
        r_.fail(node["save"], fmt::format("step {} reads no data: save needs a step that observes 'data'", def.name));
      }
      saved_.insert(call.save);
    }
    return call;
  }

  StepArgs::Arg parse_arg(const YAML::Node& step, const ParamSpec& p, const StepDefinition& def, const SourceMark& at) {
    StepArgs::Arg arg;
    arg.spec = &p;
    const YAML::Node node = step[p.name];
    if (!node && p.required()) {
      r_.fail(at, fmt::format("step {} needs '{}' ({})", def.name, p.name, p.description));
    }
    arg.mark = node ? r_.mark(node) : at;
    const std::string what = fmt::format("'{}' of step {}", p.name, def.name);
    switch (p.kind) {
      case ParamKind::kNumber:
        arg.expression = node ? r_.bounded(node, what, p.min, p.max) : Expression::parse(p.fallback);
        if (const auto v = arg.expression.constant_value(); node && v && p.multiple_of > 1 && *v % p.multiple_of != 0) {
          r_.fail(node, fmt::format("{} = {} is not a multiple of {}: expected a multiple of {}{}", what, *v,
                                    p.multiple_of, p.multiple_of,
                                    p.multiple_of == 4 ? " (PRP entries are dword aligned, NVMe Base 2.0 4.1.1)" : ""));
        }
        break;
      case ParamKind::kFlag: arg.flag = node ? r_.boolean(node, what) : p.fallback == "true"; break;
      case ParamKind::kChoice: {
        arg.choice = node ? r_.text(node, what) : p.fallback;
        if (std::find(p.choices.begin(), p.choices.end(), arg.choice) == p.choices.end()) {
          r_.fail(node, fmt::format("{} is '{}': expected one of {}", what, arg.choice, join(p.choices)));
        }
        break;
      }
    }
    return arg;
  }

  Check parse_check(const YAML::Node& node, const StepDefinition& def, Case& c) {
    r_.require_map(node, "an expectation");
    Check check;
    check.mark = r_.mark(node);
    YAML::Node op_node;
    std::string op_key;
    if (node["status"]) {
      r_.check_keys(node, {"status"}, "a status expectation");
      check.field = "status";
      check.op = CheckOp::kAccept;
      op_node = node["status"];
      op_key = "accept";
      if (def.observation("status") == nullptr) {
        r_.fail(node, fmt::format("step {} observes no status", def.name));
      }
    } else {
      const YAML::Node field = node["field"];
      if (!field)
        r_.fail(node, fmt::format("an expectation needs 'status: [...]' or 'field: NAME' with one of {}", op_keys()));
      check.field = r_.nonempty_text(field, "field");
      for (const auto& entry : node) {
        const std::string key = entry.first.Scalar();
        if (key == "field") continue;
        const bool known = std::any_of(std::begin(kOps), std::end(kOps),
                                       [&](const OpSpelling& o) { return o.key == key; });
        if (!known) r_.fail(entry.first, fmt::format("unknown check '{}': expected one of {}", key, op_keys()));
        if (!op_key.empty())
          r_.fail(entry.first, fmt::format("one check per expectation: found '{}' and '{}'", op_key, key));
        op_key = key;
        op_node = entry.second;
      }
      if (op_key.empty())
        r_.fail(node, fmt::format("expectation on '{}' has no check: expected one of {}", check.field, op_keys()));
    }
    const ObservationSpec* observed = def.observation(check.field);
    if (observed == nullptr) {
      std::vector<std::string> names;
      for (const auto& o : def.observations) names.push_back(o.name);
      r_.fail(node, fmt::format("step {} observes no '{}': expected one of {}", def.name, check.field, join(names)));
    }
    const OpSpelling& spelling = *std::find_if(std::begin(kOps), std::end(kOps),
                                               [&](const OpSpelling& o) { return o.key == op_key; });
    check.op = spelling.op;
    if (!op_applies_to(check.op, observed->kind)) {
      r_.fail(node, fmt::format("'{}' does not apply to {} ({} is {})", op_key, check.field, check.field,
                                to_string(observed->kind)));
    }
    parse_operands(op_node, spelling, check, c);
    return check;
  }

  void parse_operands(const YAML::Node& node, const OpSpelling& spelling, Check& check, Case& c) {
    const std::string what = fmt::format("'{}' of {}", spelling.key, check.field);
    switch (check.op) {
      case CheckOp::kAccept: {
        r_.require_list(node, fmt::format("{} (an accept-set such as [00/80, 00/81])", what));
        if (node.size() == 0) r_.fail(node, "an empty accept-set accepts nothing: list at least one SCT/SC");
        for (const auto& item : node) {
          spec::Status status;
          if (!item.IsScalar() || !parse_status_code(item.Scalar(), status)) {
            r_.fail(item, fmt::format("'{}' is not a status: expected SCT/SC in hex, e.g. 00/80",
                                      item.IsScalar() ? item.Scalar() : "?"));
          }
          check.accept.push_back(status);
        }
        return;
      }
      case CheckOp::kPrintable:
      case CheckOp::kPattern:
        if (!r_.boolean(node, what))
          r_.fail(node, fmt::format("{} can only be true (leave the check out instead)", what));
        if (check.op == CheckOp::kPattern) c.needs_pattern = true;
        return;
      case CheckOp::kText: check.text = r_.text(node, what); return;
      case CheckOp::kModel: {
        check.text = r_.nonempty_text(node, what);
        static const std::regex kKey("[a-z0-9_]+\\.[a-z0-9_]+");
        if (!std::regex_match(check.text, kKey)) {
          r_.fail(node, fmt::format("model key '{}' must be section.field, e.g. identify_controller.mn", check.text));
        }
        c.needs_model = true;
        return;
      }
      case CheckOp::kSameAs:
        check.text = r_.nonempty_text(node, what);
        if (saved_.count(check.text) == 0) {
          r_.fail(node, fmt::format("nothing is saved as '{}' before this step: add save: {} to an earlier step",
                                    check.text, check.text));
        }
        return;
      default: break;
    }
    if (spelling.operands == 1) {
      check.operands.push_back(r_.expression(node, what));
    } else {
      r_.require_list(node, what);
      if (spelling.operands == 2 && node.size() != 2) r_.fail(node, fmt::format("{} needs [low, high]", what));
      if (node.size() == 0) r_.fail(node, fmt::format("{} is empty", what));
      for (const auto& item : node) check.operands.push_back(r_.expression(item, what));
      if (check.op == CheckOp::kRange) {
        const auto lo = check.operands[0].constant_value();
        const auto hi = check.operands[1].constant_value();
        if (lo && hi && *lo > *hi) r_.fail(node, fmt::format("{}: low {} is above high {}", what, *lo, *hi));
      }
    }
  }

  const Reader& r_;
  std::set<std::string> saved_;
};

}  // namespace

std::string_view to_string(StartState state) {
  switch (state) {
    case StartState::kDisabled: return "disabled";
    case StartState::kEnabled: return "enabled";
    case StartState::kAdmin: return "admin";
    case StartState::kIo: return "io";
  }
  return "?";
}

Suite load_suite_text(std::string_view text, const std::string& file_label, const std::string& expected_name) {
  Reader reader(file_label);
  const YAML::Node root = load_one_document(std::string(text), file_label, "a suite");
  try {
    reader.reject_duplicate_keys(root);
    SuiteParser parser(reader);
    Suite suite = parser.parse(root, expected_name);
    suite.path = file_label;
    suite.sha256 = sha256_hex(text);
    return suite;
  } catch (const YAML::Exception& e) {
    // yaml-cpp conversion errors (e.g. a key that is itself a mapping).
    throw SuiteError(SourceMark{file_label, e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
}

Suite load_suite_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SuiteError(SourceMark{path.string()}, "cannot read the suite file: check the path and permissions");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return load_suite_text(text, path.string(), path.stem().string());
}

std::filesystem::path default_suite_dir() {
  if (const char* dir = std::getenv("NVQUAL_SUITE_DIR"); dir != nullptr && *dir != '\0') return dir;
  return find_data_dir("suites", NVQUAL_SUITE_DIR);
}

std::vector<std::filesystem::path> list_suite_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  if (ec) throw SuiteError(SourceMark{dir.string()}, fmt::format("cannot list suites: {}", ec.message()));
  std::sort(files.begin(), files.end());
  return files;
}

std::filesystem::path resolve_suite(const std::string& name_or_path, const std::filesystem::path& dir) {
  const std::filesystem::path as_path(name_or_path);
  const bool looks_like_path = name_or_path.find('/') != std::string::npos || as_path.extension() == ".yaml" ||
                               as_path.extension() == ".yml";
  const std::filesystem::path candidate = looks_like_path ? as_path : dir / (name_or_path + ".yaml");
  if (std::filesystem::is_regular_file(candidate)) return candidate;
  std::string names;
  for (const auto& f : list_suite_files(dir)) names += (names.empty() ? "" : ", ") + f.stem().string();
  throw SuiteError(SourceMark{candidate.string()},
                   looks_like_path ? "no such suite file"
                                   : fmt::format("no suite named '{}': expected one of {}", name_or_path, names));
}

}  // namespace nvqual::harness
