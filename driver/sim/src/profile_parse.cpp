// YAML -> Profile. The text is read by the strict reader shared with suites
// and model profiles (one document, no repeated keys, aliases or unterminated
// quotes); every section is then read with a MapReader, so unknown keys, wrong
// types, out-of-range values and missing fields all stop the load with
// file:line:column. Cross-field rules (NN covers every NSID, MPSMAX >= MPSMIN,
// faults name existing namespaces...) are checked at the node that is wrong.
// The format is documented in fixtures/sim/README.md.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "nvqual/sim/profile.hpp"
#include "nvqual/yaml/strict_yaml.hpp"
#include "profile_sections.hpp"
#include "yaml_reader.hpp"

namespace nvqual::sim {

namespace {

using detail::MapReader;
using detail::YamlSource;

Profile parse_document(const YamlSource& src, const YAML::Node& root, const std::filesystem::path& base_dir) {
  MapReader top(src, root, "");
  Profile p;
  p.name = top.text("name");
  p.description = top.text_or("description", "");
  p.registers = detail::parse_registers(MapReader(src, top.required("registers"), "registers"));
  if (const auto node = top.optional("timing")) p.timing = detail::parse_timing(MapReader(src, *node, "timing"));
  if (const auto node = top.optional("queues")) p.queues = detail::parse_queues(MapReader(src, *node, "queues"));
  const YAML::Node controller_node = top.required("controller");
  p.controller = detail::parse_controller(MapReader(src, controller_node, "controller"), p.registers.vs);
  if (const auto node = top.optional("health")) p.health = detail::parse_health(MapReader(src, *node, "health"));

  const YAML::Node namespaces = top.required("namespaces");
  detail::require_sequence(src, namespaces, "namespaces");
  if (namespaces.size() == 0) src.fail(namespaces.Mark(), "namespaces is empty", "expected at least one namespace");
  std::set<uint32_t> nsids;
  for (size_t i = 0; i < namespaces.size(); ++i) {
    const std::string where = "namespaces[" + std::to_string(i) + "]";
    p.namespaces.push_back(detail::parse_namespace(MapReader(src, namespaces[i], where), base_dir));
    if (!nsids.insert(p.namespaces.back().nsid).second) {
      src.fail(namespaces[i]["nsid"].Mark(), where + ".nsid " + std::to_string(p.namespaces.back().nsid) + " repeats",
               "expected each nsid once");
    }
  }
  std::sort(p.namespaces.begin(), p.namespaces.end(), [](const auto& a, const auto& b) { return a.nsid < b.nsid; });
  const uint32_t largest = p.namespaces.back().nsid;
  if (p.controller.nn == 0) {
    p.controller.nn = largest;
  } else if (p.controller.nn < largest) {
    src.fail(controller_node["nn"].Mark(),
             "controller.nn is " + std::to_string(p.controller.nn) + ", below nsid " + std::to_string(largest),
             "expected nn >= every nsid (or 0 to derive it)");
  }

  if (const auto faults = top.optional("faults")) {
    detail::require_sequence(src, *faults, "faults");
    for (size_t i = 0; i < faults->size(); ++i) {
      p.faults.push_back(detail::parse_fault(MapReader(src, (*faults)[i], "faults[" + std::to_string(i) + "]")));
    }
    detail::check_fault_targets(src, *faults, p);
  }
  top.finish();
  return p;
}

}  // namespace

Profile parse_profile(const std::string& yaml_text, const std::string& source_name) {
  const YamlSource src(source_name);
  YAML::Node root;
  try {
    root = yaml::load_strict(yaml_text, source_name, "a simulator profile");
  } catch (const yaml::Error& e) {
    throw ProfileError(e.what());
  }
  const std::filesystem::path base_dir = std::filesystem::path(source_name).parent_path();
  try {
    return parse_document(src, root, base_dir);
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports conversion problems itself in a few corner cases.
    src.fail(e.mark, "unreadable value: " + e.msg, "expected the form fixtures/sim/README.md describes");
  }
}

Profile load_profile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw ProfileError(file.string() +
                       ":0:0: cannot open the profile; expected a readable YAML file (see fixtures/sim/)");
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_profile(text.str(), file.string());
}

}  // namespace nvqual::sim
