// What both report writers (JUnit XML, JSON) share: making text safe to put in
// a report, and putting a finished report in place.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace nvqual::harness {

// Decodes `text` as strict UTF-8 and keeps only XML 1.0 Chars (tab, LF, CR,
// U+0020-D7FF, U+E000-FFFD, U+10000-10FFFF), less the controls (DEL and
// C1). Every other byte - controls, stray continuation bytes, overlong forms,
// encoded surrogates, code points above U+10FFFF, U+FFFE/U+FFFF, truncated
// sequences - becomes "\xNN". Device text (serial, model...) and suite text
// then can neither make the XML ill-formed nor the JSON writer throw.
std::string xml_safe(std::string_view text);

// xml_safe, and tab, LF and CR escaped too: device text shown on a terminal
// stays on its line and can carry no escape sequence (ESC is a control).
std::string terminal_safe(std::string_view text);

// Writes `content` to path.tmp, fsyncs it, renames it over path and fsyncs
// the directory, so after a crash the report is the old one or the new one,
// never empty or torn. The directory must exist: nothing is created behind the
// user's back (nvqual run checks it first). Throws std::runtime_error naming
// the file and the reason.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace nvqual::harness
