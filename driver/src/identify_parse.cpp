// Identify data pages -> typed values (NVMe Base 2.0, 5.17.2).
#include <string>

#include "field_codec.hpp"
#include "identify_codec.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/identify_fields.hpp"
#include "nvqual/driver/identify_layout.hpp"

namespace nvqual {
namespace {

void require_page(std::span<const std::byte> page, const char* what) {
  if (page.size() < kIdentifyPageSize) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      std::string(what) + ": got " + std::to_string(page.size()) + " bytes, an Identify page is " +
                          std::to_string(kIdentifyPageSize) + "; pass the whole 4 KiB buffer");
  }
}

}  // namespace

IdentifyController parse_identify_controller(std::span<const std::byte> page) {
  require_page(page, "Identify Controller");
  IdentifyController ctrl;
  detail::bind_fields(detail::FieldReader(page.first(kIdentifyPageSize)), kIdentifyControllerFields, ctrl);
  return ctrl;
}

IdentifyNamespace parse_identify_namespace(std::span<const std::byte> page) {
  require_page(page, "Identify Namespace");
  IdentifyNamespace ns;
  detail::bind_fields(detail::FieldReader(page.first(kIdentifyPageSize)), kIdentifyNamespaceFields, ns);
  return ns;
}

std::vector<uint32_t> parse_active_namespace_list(std::span<const std::byte> page) {
  require_page(page, "Active Namespace ID list");
  const detail::FieldReader reader(page.first(kIdentifyPageSize));
  std::vector<uint32_t> nsids;
  for (uint16_t offset = 0; offset < kIdentifyPageSize; offset += 4) {
    uint32_t nsid = 0;
    reader.field(FieldSpec{"nsid", offset, 4}, nsid);
    if (nsid == 0) break;
    nsids.push_back(nsid);
  }
  return nsids;
}

std::vector<NamespaceIdDescriptor> parse_namespace_descriptors(std::span<const std::byte> page) {
  require_page(page, "Namespace Identification Descriptor list");
  namespace L = ns_id_desc_layout;
  std::vector<NamespaceIdDescriptor> descriptors;
  size_t offset = 0;
  // A descriptor needs at least its header; fewer bytes left means the list
  // filled the page exactly.
  while (offset + L::kHeaderSize <= kIdentifyPageSize) {
    const detail::FieldReader header(page.subspan(offset, L::kHeaderSize));
    NamespaceIdDescriptor d;
    uint8_t nidl = 0;
    header.field(L::nidt, d.type);
    header.field(L::nidl, nidl);
    if (nidl == 0) break;
    const size_t end = offset + L::kHeaderSize + nidl;
    if (end > kIdentifyPageSize) {
      throw DriverError(ErrorKind::kProtocolViolation,
                        "Namespace Identification Descriptor at byte " + std::to_string(offset) + " (NIDT " +
                            std::to_string(d.type) + ", NIDL " + std::to_string(nidl) +
                            ") runs past the 4096-byte page; the controller returned a malformed list");
    }
    const detail::FieldReader body(page.subspan(offset + L::kHeaderSize, nidl));
    body.field(FieldSpec{"nid", 0, nidl}, d.id);
    descriptors.push_back(std::move(d));
    offset = end;
  }
  return descriptors;
}

}  // namespace nvqual
