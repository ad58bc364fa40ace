// Matching an observed value against what a model profile says it must be.
#include <fnmatch.h>

#include <algorithm>

#include <fmt/format.h>

#include "nvqual/harness/model_profile.hpp"

namespace nvqual::harness {

namespace {

// Identify strings are space padded (2.0 5.17.2.1): padding never decides a match.
std::string_view trim_right(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.remove_suffix(1);
  return text;
}

std::string shown(const ModelValue& v) {
  if (const auto* n = std::get_if<uint64_t>(&v))
    return *n < 10 ? fmt::format("{}", *n) : fmt::format("{:#x} ({})", *n, *n);
  return fmt::format("\"{}\"", std::get<std::string>(v));
}

}  // namespace

ModelExpectation ModelExpectation::glob(std::string pattern) {
  ModelExpectation e;
  e.kind = Kind::kGlob;
  e.pattern = std::move(pattern);
  return e;
}

ModelExpectation ModelExpectation::regex_of(std::string pattern) {
  ModelExpectation e;
  e.kind = Kind::kRegex;
  e.regex = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript);
  e.pattern = std::move(pattern);
  return e;
}

bool ModelExpectation::matches(uint64_t value) const {
  if (kind != Kind::kAnyOf) return false;  // patterns are for text
  return std::any_of(any_of.begin(), any_of.end(), [&](const ModelValue& v) {
    const auto* n = std::get_if<uint64_t>(&v);
    return n != nullptr && *n == value;
  });
}

bool ModelExpectation::matches(std::string_view text) const {
  const std::string trimmed(trim_right(text));
  switch (kind) {
    case Kind::kGlob: return ::fnmatch(pattern.c_str(), trimmed.c_str(), 0) == 0;
    case Kind::kRegex: return regex && std::regex_match(trimmed, *regex);
    case Kind::kAnyOf: break;
  }
  return std::any_of(any_of.begin(), any_of.end(), [&](const ModelValue& v) {
    const std::string want = std::holds_alternative<std::string>(v) ? std::get<std::string>(v)
                                                                    : std::to_string(std::get<uint64_t>(v));
    return trim_right(want) == trimmed;
  });
}

std::string ModelExpectation::describe() const {
  switch (kind) {
    case Kind::kGlob: return fmt::format("glob \"{}\"", pattern);
    case Kind::kRegex: return fmt::format("regex \"{}\"", pattern);
    case Kind::kAnyOf: break;
  }
  if (any_of.size() == 1) return shown(any_of.front()) + (origin.empty() ? "" : " from " + origin);
  std::string list;
  for (const auto& v : any_of) list += (list.empty() ? "" : ", ") + shown(v);
  return "one of {" + list + "}";
}

const ModelExpectation* ModelProfile::find(std::string_view key) const {
  const auto it = values.find(key);
  return it == values.end() ? nullptr : &it->second;
}

std::string lba_formats_text(std::span<const LbaFormatSize> formats) {
  std::string out;
  for (const auto& f : formats) out += fmt::format("{}{}+{}", out.empty() ? "" : ", ", f.data_size, f.metadata_size);
  return out;
}

}  // namespace nvqual::harness
