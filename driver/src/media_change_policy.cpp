#include "nvqual/driver/media_change_policy.hpp"

#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "nvqual/driver/errors.hpp"

namespace nvqual {

namespace {

constexpr uint32_t kEveryNamespace = 0xFFFFFFFF;

uint64_t parse_lba(std::string_view text, std::string_view whole) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    throw DriverError(
        ErrorKind::kInvalidArgument,
        fmt::format("scratch range '{}': '{}' is not an LBA; write FIRST:LAST (e.g. 0:1023) or all", whole, text));
  }
  return value;
}

bool same_namespace(uint32_t a, uint32_t b) { return a == b || a == kEveryNamespace || b == kEveryNamespace; }

}  // namespace

bool ScratchRange::covers(uint32_t ns, uint64_t slba, uint64_t blocks) const {
  if (!same_namespace(nsid, ns)) return false;
  if (whole) return true;
  // Written so that slba + blocks cannot overflow.
  return blocks != 0 && slba >= first && slba <= last && blocks - 1 <= last - slba;
}

std::string ScratchRange::text() const {
  const std::string ns = nsid == kEveryNamespace ? "every nsid" : fmt::format("nsid {}", nsid);
  if (whole) return ns + " all";
  // The simulator's default past NSZE ends at the largest LBA: "from N on" says so readably.
  if (last == std::numeric_limits<uint64_t>::max()) return fmt::format("{} LBA {} on", ns, first);
  return fmt::format("{} LBA {}:{}", ns, first, last);
}

ScratchRange parse_scratch_range(std::string_view text, uint32_t nsid) {
  ScratchRange range;
  range.nsid = nsid;
  if (text == "all") {
    range.whole = true;
    return range;
  }
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("scratch range '{}' has no ':': write FIRST:LAST (e.g. 0:1023) or all", text));
  }
  range.first = parse_lba(text.substr(0, colon), text);
  range.last = parse_lba(text.substr(colon + 1), text);
  if (range.first > range.last) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("scratch range '{}' ends before it starts: FIRST must be <= LAST", text));
  }
  return range;
}

void MediaChangePolicy::add_scratch(const ScratchRange& range) {
  if (!range.whole && range.first > range.last) {
    throw DriverError(ErrorKind::kInvalidArgument, fmt::format("scratch range {} ends before it starts", range.text()));
  }
  for (const auto& other : scratch_) {
    if (!same_namespace(other.nsid, range.nsid)) continue;
    const bool overlap = other.whole || range.whole || (range.first <= other.last && other.first <= range.last);
    if (overlap) {
      throw DriverError(
          ErrorKind::kInvalidArgument,
          fmt::format("scratch ranges {} and {} overlap: declare each block once", other.text(), range.text()));
    }
  }
  scratch_.push_back(range);
}

bool MediaChangePolicy::lbas_allowed(bool real_device, uint32_t nsid, uint64_t slba, uint64_t blocks) const {
  if (scratch_.empty()) return !real_device;
  for (const auto& range : scratch_) {
    if (range.covers(nsid, slba, blocks)) return true;
  }
  return false;
}

std::string MediaChangePolicy::refusal(bool real_device, const std::optional<std::string>& serial) const {
  if (!suite_declares_) return "the suite does not declare media_changes: true";
  if (!user_allows_) return "the command line does not pass --allow-media-changes";
  if (!real_device) return "";
  if (!confirm_serial_) return "a real device needs --confirm-serial SN (its Identify Controller serial)";
  if (!serial) return "Identify Controller has not been read, so --confirm-serial cannot be checked";
  if (*serial != *confirm_serial_) {
    return fmt::format("--confirm-serial {} does not match the device's serial '{}'", *confirm_serial_, *serial);
  }
  return "";
}

std::string MediaChangePolicy::lba_refusal(bool real_device, uint32_t nsid, uint64_t slba, uint64_t blocks) const {
  if (lbas_allowed(real_device, nsid, slba, blocks)) return "";
  if (scratch_.empty()) return "no scratch range is declared (--scratch FIRST:LAST or all)";
  return fmt::format("LBAs {}..{} of nsid {} are outside every declared scratch range", slba,
                     blocks == 0 ? slba : slba + (blocks - 1), nsid);
}

std::string MediaChangePolicy::whole_namespace_refusal(bool real_device, uint32_t nsid) const {
  if (scratch_.empty()) {
    return real_device ? "no scratch range is declared (--scratch all covers a whole namespace)" : "";
  }
  for (const auto& range : scratch_) {
    if (range.whole && same_namespace(range.nsid, nsid)) return "";
  }
  return fmt::format("it can change all of nsid {:#x}, which only --scratch all declares scratch", nsid);
}

}  // namespace nvqual
