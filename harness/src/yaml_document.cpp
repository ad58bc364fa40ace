#include "yaml_document.hpp"

#include "nvqual/harness/suite_error.hpp"
#include "nvqual/yaml/strict_yaml.hpp"

namespace nvqual::harness {

YAML::Node load_one_document(std::string_view text, const std::string& file_label, std::string_view what) {
  try {
    return yaml::load_strict(text, file_label, what);
  } catch (const yaml::Error& e) {
    throw SuiteError(SourceMark{e.file(), e.line(), e.column()}, e.problem());
  }
}

}  // namespace nvqual::harness
