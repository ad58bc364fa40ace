// The Identify data a profile describes (NVMe Base 2.0, 5.17.2; NVM Command
// Set 1.0, 4.1.5.1), encoded once with the driver's encoders, with the
// corrupt-identify faults applied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "nvqual/driver/identify.hpp"
#include "nvqual/sim/profile.hpp"

namespace nvqual::sim {

IdentifyController identify_controller_of(const Profile& profile);
IdentifyNamespace identify_namespace_of(const NamespaceProfile& ns);
std::vector<NamespaceIdDescriptor> namespace_descriptors_of(const NamespaceProfile& ns, const RegisterProfile& regs);

class IdentifyPages {
 public:
  explicit IdentifyPages(const Profile& profile);

  const std::vector<std::byte>& controller() const { return controller_; }
  // nullptr when nsid is not an active namespace.
  const std::vector<std::byte>* namespace_page(uint32_t nsid) const;
  const std::vector<std::byte>* descriptors(uint32_t nsid) const;
  // CNS 02h: active NSIDs greater than `after`, up to 1024.
  std::vector<std::byte> active_list(uint32_t after) const;

 private:
  std::vector<std::byte> controller_;
  std::map<uint32_t, std::vector<std::byte>> namespaces_;
  std::map<uint32_t, std::vector<std::byte>> descriptors_;
};

}  // namespace nvqual::sim
