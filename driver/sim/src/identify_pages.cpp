#include "identify_pages.hpp"

#include <algorithm>
#include <bit>

namespace nvqual::sim {

IdentifyController identify_controller_of(const Profile& profile) {
  const ControllerProfile& c = profile.controller;
  IdentifyController id;
  id.vid = c.vid;
  id.ssvid = c.ssvid;
  id.sn = c.serial;
  id.mn = c.model;
  id.fr = c.firmware;
  id.rab = 6;
  id.ieee = c.ieee;
  id.cmic = c.cmic;
  id.mdts = c.mdts;
  id.cntlid = c.cntlid;
  id.ver = c.ver;
  id.rtd3r = c.rtd3r;
  id.rtd3e = c.rtd3e;
  id.oaes = c.oaes;
  id.ctratt = c.ctratt;
  id.cntrltype = 1;  // I/O controller
  id.oacs = c.oacs;
  id.acl = c.acl;
  id.aerl = c.aerl;
  id.frmw = c.frmw;
  id.lpa = c.lpa;
  id.elpe = c.elpe;
  id.npss = 0;
  id.wctemp = c.wctemp;
  id.cctemp = c.cctemp;
  uint64_t capacity_bytes = 0;
  for (const auto& ns : profile.namespaces) capacity_bytes += ns.size_blocks * ns.lba_size();
  id.tnvmcap = Uint128{capacity_bytes, 0};
  id.sqes = 0x66;  // required and maximum 64-byte entries (2^6)
  id.cqes = 0x44;  // 16-byte entries (2^4)
  id.nn = c.nn;
  id.oncs = c.oncs;
  id.vwc = c.vwc;
  id.subnqn = c.subnqn;
  id.psd[0].mp = c.max_power_cw;
  return id;
}

IdentifyNamespace identify_namespace_of(const NamespaceProfile& ns) {
  IdentifyNamespace id;
  id.nsze = ns.size_blocks;
  id.dlfeat = ns.dlfeat;
  id.ncap = ns.capacity_blocks;
  id.nuse = ns.utilization_blocks;
  id.nlbaf = static_cast<uint8_t>(ns.formats.size() - 1);
  id.flbas = ns.active_format;  // profiles hold at most 16 formats: bits 3:0 suffice
  for (size_t i = 0; i < ns.formats.size(); ++i) {
    id.lbaf[i].ms = ns.formats[i].metadata_size;
    id.lbaf[i].lbads = static_cast<uint8_t>(std::countr_zero(ns.formats[i].data_size));
    id.lbaf[i].rp = ns.formats[i].relative_performance;
  }
  id.nvmcap = Uint128{ns.size_blocks * ns.lba_size(), 0};
  std::copy(ns.nguid.begin(), ns.nguid.end(), id.nguid.begin());
  std::copy(ns.eui64.begin(), ns.eui64.end(), id.eui64.begin());
  return id;
}

std::vector<NamespaceIdDescriptor> namespace_descriptors_of(const NamespaceProfile& ns, const RegisterProfile& regs) {
  std::vector<NamespaceIdDescriptor> out;
  const auto nonzero = [](const auto& bytes) {
    return std::any_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b != 0; });
  };
  if (nonzero(ns.eui64)) out.push_back({NamespaceIdDescriptor::kEui64, {ns.eui64.begin(), ns.eui64.end()}});
  if (nonzero(ns.nguid)) out.push_back({NamespaceIdDescriptor::kNguid, {ns.nguid.begin(), ns.nguid.end()}});
  if (ns.uuid) out.push_back({NamespaceIdDescriptor::kUuid, {ns.uuid->begin(), ns.uuid->end()}});
  // 2.0 5.17.2.3: the Command Set Identifier descriptor comes with CAP.CSS bit 6.
  if ((regs.css & 0x40) != 0) out.push_back({NamespaceIdDescriptor::kCsi, {0x00}});
  return out;
}

IdentifyPages::IdentifyPages(const Profile& profile)
    : controller_(encode_identify_controller(identify_controller_of(profile))) {
  for (const auto& ns : profile.namespaces) {
    namespaces_[ns.nsid] = encode_identify_namespace(identify_namespace_of(ns));
    descriptors_[ns.nsid] = encode_namespace_descriptors(namespace_descriptors_of(ns, profile.registers));
  }
  for (const auto& fault : profile.faults) {
    const auto* corrupt = std::get_if<CorruptIdentifyFault>(&fault);
    if (corrupt == nullptr) continue;
    auto& page = corrupt->page == IdentifyPage::kController ? controller_ : namespaces_.at(corrupt->nsid);
    page.at(corrupt->offset) = static_cast<std::byte>(corrupt->value);
  }
}

const std::vector<std::byte>* IdentifyPages::namespace_page(uint32_t nsid) const {
  const auto it = namespaces_.find(nsid);
  return it == namespaces_.end() ? nullptr : &it->second;
}

const std::vector<std::byte>* IdentifyPages::descriptors(uint32_t nsid) const {
  const auto it = descriptors_.find(nsid);
  return it == descriptors_.end() ? nullptr : &it->second;
}

std::vector<std::byte> IdentifyPages::active_list(uint32_t after) const {
  std::vector<uint32_t> nsids;
  for (auto it = namespaces_.upper_bound(after); it != namespaces_.end() && nsids.size() < 1024; ++it) {
    nsids.push_back(it->first);
  }
  return encode_active_namespace_list(nsids);
}

}  // namespace nvqual::sim
