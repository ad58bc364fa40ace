#include "profile_sections.hpp"

namespace nvqual::sim::detail {

namespace {

const NamespaceProfile* find_namespace(const Profile& profile, uint32_t nsid) {
  for (const auto& ns : profile.namespaces) {
    if (ns.nsid == nsid) return &ns;
  }
  return nullptr;
}

}  // namespace

void check_fault_targets(const YamlSource& src, const YAML::Node& faults, const Profile& profile) {
  for (size_t i = 0; i < profile.faults.size(); ++i) {
    const YAML::Node node = faults[i];
    const std::string where = "faults[" + std::to_string(i) + "]";
    if (const auto* f = std::get_if<CorruptIdentifyFault>(&profile.faults[i])) {
      if (f->page == IdentifyPage::kNamespace && find_namespace(profile, f->nsid) == nullptr) {
        src.fail(node["nsid"].Mark(),
                 where + ".nsid " + std::to_string(f->nsid) + " is not a namespace of this profile",
                 "expected the nsid of one of the namespaces");
      }
    }
    if (const auto* f = std::get_if<CorruptReadFault>(&profile.faults[i])) {
      const auto* ns = find_namespace(profile, f->nsid);
      if (ns == nullptr) {
        src.fail(node["nsid"].Mark(),
                 where + ".nsid " + std::to_string(f->nsid) + " is not a namespace of this profile",
                 "expected the nsid of one of the namespaces");
      }
      for (size_t j = 0; j < f->lbas.size(); ++j) {
        if (f->lbas[j] >= ns->size_blocks) {
          src.fail(node["lbas"][j].Mark(), where + ".lbas[" + std::to_string(j) + "] is beyond the namespace",
                   "expected an LBA below " + std::to_string(ns->size_blocks));
        }
      }
      if (f->offset >= ns->lba_size()) {
        src.fail(node["offset"].Mark(), where + ".offset is outside the block",
                 "expected a byte offset below " + std::to_string(ns->lba_size()));
      }
    }
  }
}

}  // namespace nvqual::sim::detail
