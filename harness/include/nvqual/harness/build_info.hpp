// Which build wrote a report. The git revision is read at build time (not when
// CMake configured): cmake/git_revision.cmake generates its definition.
#pragma once

namespace nvqual::harness {

// "5b97369fc23f", "5b97369fc23f-dirty" when tracked files differed from that
// commit at build time, or "unknown" outside a git work tree (a tarball).
const char* git_revision();

}  // namespace nvqual::harness
