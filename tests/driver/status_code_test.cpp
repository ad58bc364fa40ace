// spec::parse_status_code(): the one reader of "SCT/SC" text, for suites'
// status expectations and simulator status faults alike.
#include <gtest/gtest.h>

#include "nvqual/driver/spec/status.hpp"

namespace nvqual::spec {
namespace {

TEST(StatusCode, ReadsWhatCodeWrites) {
  for (const Status s : {status::kSuccess, status::kLbaOutOfRange, status::kInvalidQueueDeletion,
                         status::kUnrecoveredReadError, Status::make(0x7, 0xFF)}) {
    const auto parsed = parse_status_code(s.code());
    ASSERT_TRUE(parsed) << s.code();
    EXPECT_TRUE(parsed->same_code(s)) << s.code();
  }
}

TEST(StatusCode, TakesOneOrTwoHexDigitsEitherCase) {
  EXPECT_EQ(parse_status_code("1/c")->raw, Status::make(0x1, 0x0C).raw);
  EXPECT_EQ(parse_status_code("02/8A")->raw, Status::make(0x2, 0x8A).raw);
  // DNR, More and CRD are not part of the text.
  EXPECT_FALSE(parse_status_code("00/80")->dnr());
}

TEST(StatusCode, RefusesAnythingElse) {
  for (const char* text : {"", "/", "0080", "00/", "/80", "8/00", "000/80", "00/100", "0x0/80", "+0/80", "00/80 ",
                           " 00/80", "00/8g", "00//80", "00/-1"}) {
    EXPECT_FALSE(parse_status_code(text)) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace nvqual::spec
