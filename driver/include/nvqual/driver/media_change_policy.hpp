// The four conditions every media-changing command must meet (docs/data-integrity.md).
// The Controller owns one MediaChangePolicy and consults it on every submit
// path, before anything is posted; the app and harness only set it:
//   1. the suite declares media_changes: true        (suite_declares)
//   2. the command line passes --allow-media-changes  (user_allows)
//   3. a real device's Identify Controller serial equals --confirm-serial
//   4. every LBA the command touches lies inside a declared scratch range
// The simulator needs 1 and 2 only; a scratch range declared for it is still
// enforced, so condition 4 can be exercised without hardware.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nvqual {

// Blocks [first, last] of namespace `nsid` may be changed; `whole` means every
// block of it (--scratch all). NSID 0xFFFFFFFF with `whole` covers every namespace.
struct ScratchRange {
  uint32_t nsid = 1;
  uint64_t first = 0;
  uint64_t last = 0;
  bool whole = false;
  bool covers(uint32_t ns, uint64_t slba, uint64_t blocks) const;
  std::string text() const;  // "nsid 1 LBA 0:1023" or "nsid 1 all"
};

// Parses "FIRST:LAST" or "all" (decimal or 0x hex); throws DriverError(kInvalidArgument).
ScratchRange parse_scratch_range(std::string_view text, uint32_t nsid);

class MediaChangePolicy {
 public:
  void set_suite_declares(bool declares) { suite_declares_ = declares; }
  void set_user_allows(bool allows) { user_allows_ = allows; }
  void set_confirm_serial(std::optional<std::string> serial) { confirm_serial_ = std::move(serial); }
  // Throws DriverError(kInvalidArgument) when it overlaps a range already declared
  // for the same namespace, or first > last.
  void add_scratch(const ScratchRange& range);
  void clear_scratch() { scratch_.clear(); }

  bool suite_declares() const { return suite_declares_; }
  bool user_allows() const { return user_allows_; }
  const std::optional<std::string>& confirm_serial() const { return confirm_serial_; }
  const std::vector<ScratchRange>& scratch() const { return scratch_; }
  // Conditions 1 and 2: writes may be attempted at all (steps skip otherwise).
  bool opted_in() const { return suite_declares_ && user_allows_; }
  // Condition 4 for one extent; true when no range is needed (simulator without ranges).
  bool lbas_allowed(bool real_device, uint32_t nsid, uint64_t slba, uint64_t blocks) const;

  // Conditions 1-3: "" when they hold, else one line naming the first missing one.
  // `serial` is Identify Controller's SN (trailing spaces trimmed), nullopt when not read yet.
  std::string refusal(bool real_device, const std::optional<std::string>& serial) const;
  // Condition 4 for blocks [slba, slba + blocks) of `nsid`: "" or one line.
  std::string lba_refusal(bool real_device, uint32_t nsid, uint64_t slba, uint64_t blocks) const;
  // Condition 4 for a command whose extent is the whole namespace (Format, Sanitize, an
  // unknown opcode): only a `whole` range covers it.
  std::string whole_namespace_refusal(bool real_device, uint32_t nsid) const;

 private:
  bool suite_declares_ = false;
  bool user_allows_ = false;
  std::optional<std::string> confirm_serial_;
  std::vector<ScratchRange> scratch_;
};

}  // namespace nvqual
