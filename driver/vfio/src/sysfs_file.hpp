// Small readers for sysfs, procfs and devfs files. A file that is missing or
// unreadable yields std::nullopt / an empty list: callers decide what that means.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nvqual::vfio::detail {

// The file's text with trailing whitespace (sysfs's newline) removed.
std::optional<std::string> read_trimmed(const std::filesystem::path& file);

// The last component of a symlink's target: for .../driver -> ../../bus/pci/drivers/nvme, "nvme".
std::optional<std::string> link_target_name(const std::filesystem::path& link);

// Names of the entries in a directory, sorted; empty when it does not exist.
std::vector<std::string> list_names(const std::filesystem::path& directory);

// The lines of a text file; empty when it cannot be read.
std::vector<std::string> read_lines(const std::filesystem::path& file);

// procfs escapes space, tab, newline and backslash in names as \ooo (proc(5)).
std::string unescape_octal(std::string_view text);

// strerror(errno) without the thread-safety trap.
std::string errno_text(int error);

}  // namespace nvqual::vfio::detail
