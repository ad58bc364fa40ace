// Accessors on the Identify values and the ASCII string rule.
#include "nvqual/driver/identify.hpp"

#include <fmt/format.h>

#include "nvqual/driver/errors.hpp"
#include "nvqual/driver/spec/bits.hpp"

namespace nvqual {

uint8_t IdentifyNamespace::active_format_index() const {
  const uint8_t low = spec::detail::get_bits<3, 0>(flbas);
  // NVM Command Set 1.0, FLBAS bits 6:5: the two upper bits of the format
  // index, meaningful only when more than 16 formats exist; with 16 or fewer
  // they are reserved and ignored here.
  if (format_count() <= 16) return low;
  const uint8_t high = spec::detail::get_bits<6, 5>(flbas);
  return static_cast<uint8_t>(spec::detail::set_bits<5, 4>(low, high));
}

bool IdentifyNamespace::metadata_extended() const { return spec::detail::get_bits<4, 4>(flbas) != 0; }

const LbaFormat& checked_active_format(const IdentifyNamespace& ns, uint32_t nsid) {
  const uint8_t index = ns.active_format_index();
  if (index >= ns.format_count()) {
    throw DriverError(ErrorKind::kProtocolViolation,
                      fmt::format("namespace {}: Identify FLBAS selects LBA format {} but NLBAF allows only formats "
                                  "0..{}; the device's Identify Namespace data is inconsistent (check its firmware, "
                                  "or reformat the namespace)",
                                  nsid, index, ns.nlbaf));
  }
  const LbaFormat& format = ns.lbaf[index];
  if (format.lbads < kMinLbads || format.lbads > kMaxLbads) {
    throw DriverError(ErrorKind::kProtocolViolation,
                      fmt::format("namespace {}: active LBA format {} has LBADS {}, outside {}..{} (512 B..64 KiB "
                                  "blocks); the device's Identify Namespace data is not usable for reads",
                                  nsid, index, format.lbads, kMinLbads, kMaxLbads));
  }
  if (format.ms != 0) {
    throw DriverError(
        ErrorKind::kUnsupported,
        fmt::format("namespace {}: active LBA format {} carries {} bytes of metadata per block ({}); "
                    "nvqual moves data only: use a namespace formatted without metadata (MS=0)",
                    nsid, index, format.ms, ns.metadata_extended() ? "extended LBAs" : "separate buffer"));
  }
  return format;
}

bool is_printable_ascii_padded(std::span<const std::byte> field) {
  // Padding is spaces, which are printable too, so the rule reduces to "every
  // byte in 20h-7Eh": a NUL terminator, a control byte or 8-bit text fails.
  for (std::byte b : field) {
    const auto c = std::to_integer<unsigned char>(b);
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

}  // namespace nvqual
