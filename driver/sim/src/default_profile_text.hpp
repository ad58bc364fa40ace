// The text of fixtures/sim/default.yaml, compiled in (see driver/sim/CMakeLists.txt).
#pragma once

namespace nvqual::sim::detail {
extern const char* const kDefaultProfileText;
}
