// Typed Identify values -> 4096-byte pages, the inverse of identify_parse.cpp.
// The simulated controller builds its Identify data with these.
#include <string>

#include "field_codec.hpp"
#include "identify_codec.hpp"
#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/identify_fields.hpp"
#include "nvqual/driver/identify_layout.hpp"

namespace nvqual {

std::vector<std::byte> encode_identify_controller(const IdentifyController& ctrl) {
  std::vector<std::byte> page(kIdentifyPageSize);
  detail::bind_fields(detail::FieldWriter(page), kIdentifyControllerFields, ctrl);
  return page;
}

std::vector<std::byte> encode_identify_namespace(const IdentifyNamespace& ns) {
  std::vector<std::byte> page(kIdentifyPageSize);
  detail::bind_fields(detail::FieldWriter(page), kIdentifyNamespaceFields, ns);
  return page;
}

std::vector<std::byte> encode_active_namespace_list(const std::vector<uint32_t>& nsids) {
  constexpr size_t kMaxEntries = kIdentifyPageSize / 4;
  if (nsids.size() > kMaxEntries) {
    throw DriverError(ErrorKind::kInvalidArgument, "an active namespace list holds at most 1024 NSIDs, got " +
                                                       std::to_string(nsids.size()) + "; split it by starting NSID");
  }
  std::vector<std::byte> page(kIdentifyPageSize);
  const detail::FieldWriter writer(page);
  for (size_t i = 0; i < nsids.size(); ++i) {
    writer.field(FieldSpec{"nsid", static_cast<uint16_t>(i * 4), 4}, nsids[i]);
  }
  return page;
}

std::vector<std::byte> encode_namespace_descriptors(const std::vector<NamespaceIdDescriptor>& descriptors) {
  namespace L = ns_id_desc_layout;
  std::vector<std::byte> page(kIdentifyPageSize);
  const std::span<std::byte> bytes(page);
  size_t offset = 0;
  for (const auto& d : descriptors) {
    if (d.id.empty() || d.id.size() > 0xFF) {
      throw DriverError(ErrorKind::kInvalidArgument, "namespace descriptor NIDT " + std::to_string(d.type) + " has a " +
                                                         std::to_string(d.id.size()) + "-byte ID; NIDL must be 1..255");
    }
    const size_t end = offset + L::kHeaderSize + d.id.size();
    if (end > kIdentifyPageSize) {
      throw DriverError(ErrorKind::kInvalidArgument, "namespace descriptors need more than 4096 bytes; drop some");
    }
    const detail::FieldWriter header(bytes.subspan(offset, L::kHeaderSize));
    header.field(L::nidt, d.type);
    header.field(L::nidl, static_cast<uint8_t>(d.id.size()));
    detail::FieldWriter(bytes.subspan(offset + L::kHeaderSize, d.id.size()))
        .field(FieldSpec{"nid", 0, static_cast<uint16_t>(d.id.size())}, d.id);
    offset = end;
  }
  return page;
}

}  // namespace nvqual
