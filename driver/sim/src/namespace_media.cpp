#include "namespace_media.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "nvqual/driver/errors.hpp"

namespace nvqual::sim {

namespace {

// ramp[k] = k mod 256, long enough for any block: a block's bytes from 12 on
// are (lba x 31 + i) mod 256, i.e. a slice of the ramp.
constexpr size_t kMaxBlock = 65536;
const std::array<std::byte, kMaxBlock + 256>& ramp() {
  static const auto table = [] {
    std::array<std::byte, kMaxBlock + 256> t{};
    for (size_t k = 0; k < t.size(); ++k) t[k] = static_cast<std::byte>(k & 0xFF);
    return t;
  }();
  return table;
}

void put_le(std::byte* out, uint64_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out[i] = static_cast<std::byte>((value >> (8 * i)) & 0xFF);
}

}  // namespace

void fast_stamp_block(std::span<std::byte> block, uint64_t lba, uint32_t nsid) {
  std::array<std::byte, 12> head{};
  put_le(head.data(), lba, 8);
  put_le(head.data() + 8, nsid, 4);
  const size_t head_bytes = std::min(block.size(), head.size());
  std::memcpy(block.data(), head.data(), head_bytes);
  if (block.size() > head.size()) {
    const size_t start = static_cast<size_t>((lba * 31 + head.size()) & 0xFF);
    std::memcpy(block.data() + head.size(), ramp().data() + start, block.size() - head.size());
  }
}

NamespaceMedia::NamespaceMedia(const NamespaceProfile& profile, const std::vector<CorruptReadFault>& corruptions)
    : nsid_(profile.nsid),
      size_blocks_(profile.size_blocks),
      lba_size_(profile.lba_size()),
      dlfeat_(profile.dlfeat),
      // DLFEAT 2:0 = 010b: a deallocated block reads FFh; otherwise 00h (NVM 1.0, Figure 97).
      written_(std::make_unique<WrittenMedia>(lba_size_,
                                              (profile.dlfeat & 0x7) == 0x2 ? std::byte{0xFF} : std::byte{0x00})) {
  if (profile.content == Content::kFile) {
    fd_ = ::open(profile.backing_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      throw DriverError(ErrorKind::kEnvironment, "cannot open backing file '" + profile.backing_file.string() +
                                                     "' of namespace " + std::to_string(nsid_) + ": " +
                                                     std::strerror(errno) + "; check the path in the profile");
    }
  }
  for (const auto& fault : corruptions) {
    if (fault.nsid != nsid_) continue;
    for (uint64_t lba : fault.lbas) corruptions_.push_back({lba, fault.offset, fault.xor_mask});
  }
  std::sort(corruptions_.begin(), corruptions_.end(), [](const auto& a, const auto& b) { return a.lba < b.lba; });
}

NamespaceMedia::~NamespaceMedia() {
  if (fd_ >= 0) ::close(fd_);
}

NamespaceMedia::NamespaceMedia(NamespaceMedia&& other) noexcept
    : nsid_(other.nsid_),
      size_blocks_(other.size_blocks_),
      lba_size_(other.lba_size_),
      dlfeat_(other.dlfeat_),
      written_(std::move(other.written_)),
      fd_(std::exchange(other.fd_, -1)),
      corruptions_(std::move(other.corruptions_)) {}

bool NamespaceMedia::read(uint64_t slba, std::span<std::byte> out) const {
  const uint64_t blocks = out.size() / lba_size_;
  if (fd_ >= 0) {
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(slba * lba_size_ + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
  } else {
    for (uint64_t i = 0; i < blocks; ++i) {
      fast_stamp_block(out.subspan(i * lba_size_, lba_size_), slba + i, nsid_);
    }
  }
  written_->overlay(slba, out);
  // Corruptions in [slba, slba + blocks).
  auto it = std::lower_bound(corruptions_.begin(), corruptions_.end(), slba,
                             [](const Corruption& c, uint64_t lba) { return c.lba < lba; });
  for (; it != corruptions_.end() && it->lba < slba + blocks; ++it) {
    auto& byte = out[(it->lba - slba) * lba_size_ + it->offset];
    byte ^= static_cast<std::byte>(it->xor_mask);
  }
  return true;
}

}  // namespace nvqual::sim
