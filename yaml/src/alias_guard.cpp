// Why aliases are refused rather than counted: an alias is a pointer to an
// earlier node, so ten lines of lists that each name the previous list ten
// times describe 10^10 nodes. yaml-cpp builds them cheaply (shared), but every
// walk over the tree (duplicate keys, quotes, the loaders) then visits each
// one: minutes of CPU for a file of a few hundred bytes. No suite, model or
// simulator profile nvqual ships uses anchors or aliases, so refusing them
// costs nothing and bounds every walk by the size of the file.
#include "alias_guard.hpp"

#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "marks.hpp"

namespace nvqual::yaml::detail {

namespace {

class AliasRefuser : public YAML::EventHandler {
 public:
  explicit AliasRefuser(const std::string& file) : file_(file) {}

  // yaml-cpp numbers a document's anchors 1, 2, ... in the order it reports
  // them, and starts again in each document; the names are kept for messages.
  //
  // yaml-cpp 0.7 stalls on a token that starts no value (a ',' at block
  // level): each call reports one more empty document at the same place and
  // consumes nothing, so a document loop (this one, YAML::LoadAll) never ends.
  // Every real document consumes text, so a second start at the same position
  // is that stall (found by fuzz/fuzz_suite_loader.cpp).
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents_ > 0 && mark.pos == last_start_) {
      throw error_at(file_, mark,
                     "YAML syntax error: this character starts no YAML value (a stray ','?); expected well-formed "
                     "YAML");
    }
    ++documents_;
    last_start_ = mark.pos;
    anchors_.clear();
  }
  void OnAnchor(const YAML::Mark&, const std::string& name) override { anchors_.push_back(name); }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const std::string name = anchor >= 1 && anchor <= anchors_.size() ? anchors_[anchor - 1] : "?";
    throw error_at(file_, mark,
                   fmt::format("YAML alias '*{}': anchors and aliases are not accepted (nested aliases can make a "
                               "small file expand without bound); write the value out in full instead",
                               name));
  }

  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  const std::string& file_;
  std::vector<std::string> anchors_;
  int documents_ = 0;
  int last_start_ = 0;  // YAML::Mark::pos of the last document's start
};

}  // namespace

void reject_aliases(std::string_view text, const std::string& file) {
  std::istringstream stream{std::string(text)};
  YAML::Parser parser(stream);
  AliasRefuser refuser(file);
  while (parser.HandleNextDocument(refuser)) {
  }
}

}  // namespace nvqual::yaml::detail
