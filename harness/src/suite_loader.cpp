// A suite file -> Suite: the suite's keys and its cases (state, queue
// settings, conditions) here; steps and expectations in suite_step_parse.cpp
// and suite_check_parse.cpp; node helpers in suite_reader.cpp.
#include "nvqual/harness/suite_loader.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "nvqual/driver/data_dir.hpp"
#include "nvqual/driver/queue_limits.hpp"
#include "nvqual/harness/digest.hpp"
#include "suite_parse.hpp"
#include "yaml_document.hpp"

namespace nvqual::harness {

namespace {

using detail::join;
using detail::SuiteReader;
using queue_limits::kMaxAdminEntries;
using queue_limits::kMaxIoEntries;
using queue_limits::kMaxIoQueues;
using queue_limits::kMinEntries;

const std::vector<std::string> kSuiteKeys = {"suite", "description", "area", "spec", "tags", "media_changes", "cases"};
const std::vector<std::string> kCaseKeys = {"id",          "title",     "spec",     "description", "tags",    "state",
                                            "admin_queue", "io_queues", "requires", "skip_if",     "timeout", "steps"};

class SuiteParser {
 public:
  explicit SuiteParser(const SuiteReader& reader) : r_(reader) {}

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
      Case test_case = parse_case(node);
      test_case.changes_media = suite.media_changes;
      if (!ids.insert(test_case.id).second)
        r_.fail(node["id"], fmt::format("duplicate case id '{}': ids must be unique in a suite", test_case.id));
      suite.cases.push_back(std::move(test_case));
    }
    return suite;
  }

 private:
  Case parse_case(const YAML::Node& node) {
    r_.require_map(node, "a case");
    r_.check_keys(node, kCaseKeys, "a case");
    Case test_case;
    test_case.mark = r_.mark(node);
    test_case.id = r_.nonempty_text(r_.required(node, "id", "a case"), "id");
    const std::string what = "case " + test_case.id;
    test_case.title = r_.nonempty_text(r_.required(node, "title", what), "title");
    test_case.spec = r_.nonempty_text(r_.required(node, "spec", what), "spec");
    if (node["description"]) test_case.description = r_.text(node["description"], "description");
    if (node["tags"]) test_case.tags = r_.text_list(node["tags"], "tags");
    test_case.state = parse_state(r_.required(node, "state", what));
    parse_admin_queue(node["admin_queue"], test_case);
    parse_io_queues(node["io_queues"], test_case);
    if (node["requires"]) test_case.requires_all = parse_conditions(node["requires"], "requires", "that");
    if (node["skip_if"]) test_case.skip_if = parse_conditions(node["skip_if"], "skip_if", "when");
    if (node["timeout"]) {
      const auto t = r_.bounded(node["timeout"], "timeout (seconds)", 1, 3600).constant_value();
      if (!t) r_.fail(node["timeout"], "timeout must be a constant number of seconds");
      test_case.timeout = std::chrono::seconds(*t);
    }
    const YAML::Node steps = r_.required(node, "steps", what);
    r_.require_list(steps, "steps");
    if (steps.size() == 0) r_.fail(steps, "steps is empty: expected at least one step");
    std::set<std::string> saved;  // what the case's steps so far saved, for same_as
    for (const auto& step : steps) test_case.steps.push_back(detail::parse_step(r_, step, test_case, saved));
    return test_case;
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

  void parse_admin_queue(const YAML::Node& node, Case& test_case) {
    test_case.admin_sq_entries = Expression::constant(32);
    test_case.admin_cq_entries = Expression::parse("admin_sq_entries");
    if (!node) return;
    r_.require_map(node, "admin_queue");
    r_.check_keys(node, {"entries", "cq_entries"}, "admin_queue");
    if (node["entries"])
      test_case.admin_sq_entries = queue_setting(node["entries"], "admin_queue entries", kMinEntries, kMaxAdminEntries,
                                                 0);
    if (node["cq_entries"]) {
      test_case.admin_cq_entries = queue_setting(node["cq_entries"], "admin_queue cq_entries", kMinEntries,
                                                 kMaxAdminEntries, 1);
    } else {
      test_case.admin_cq_entries = test_case.admin_sq_entries;
    }
  }

  void parse_io_queues(const YAML::Node& node, Case& test_case) {
    test_case.io_queue_count = Expression::constant(1);
    test_case.io_queue_entries = Expression::parse("min(64, max_queue_entries)");
    if (!node) return;
    r_.require_map(node, "io_queues");
    r_.check_keys(node, {"count", "entries"}, "io_queues");
    if (test_case.state != StartState::kIo) r_.fail(node, "io_queues needs state: io");
    if (node["count"]) test_case.io_queue_count = queue_setting(node["count"], "io_queues count", 1, kMaxIoQueues, 2);
    if (node["entries"])
      test_case.io_queue_entries = queue_setting(node["entries"], "io_queues entries", kMinEntries, kMaxIoEntries, 3);
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

  const SuiteReader& r_;
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
  SuiteReader reader(file_label);
  const YAML::Node root = load_one_document(text, file_label, "a suite");
  try {
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
