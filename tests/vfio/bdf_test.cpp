#include "nvqual/vfio/bdf.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/errors.hpp"

namespace nvqual::vfio {
namespace {

using ::testing::HasSubstr;

TEST(Bdf, ShortFormGetsDomainZero) { EXPECT_EQ(normalize_bdf("01:00.0"), "0000:01:00.0"); }

TEST(Bdf, FullFormIsKept) { EXPECT_EQ(normalize_bdf("0000:3b:1f.7"), "0000:3b:1f.7"); }

TEST(Bdf, HexIsLowerCased) { EXPECT_EQ(normalize_bdf("0000:AF:00.1"), "0000:af:00.1"); }

TEST(Bdf, FiveDigitVmdDomainIsAccepted) { EXPECT_EQ(normalize_bdf("10000:e1:00.0"), "10000:e1:00.0"); }

TEST(Bdf, MalformedIsInvalidArgumentNamingTheForm) {
  for (const char* text :
       {"", "1:0.0", "01:00", "01:00.8", "01:20.0", "0000:01:00.0:1", "zz:00.0", "0000-01-00.0", " 01:00.0"}) {
    try {
      normalize_bdf(text);
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const DriverError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument) << text;
      EXPECT_THAT(e.what(), HasSubstr("expected DDDD:BB:DD.F or BB:DD.F")) << text;
      EXPECT_THAT(e.what(), HasSubstr("0000:01:00.0")) << text;
    }
  }
}

TEST(Bdf, TryNormaliseDoesNotThrow) {
  EXPECT_EQ(try_normalize_bdf("02:00.0"), "0000:02:00.0");
  EXPECT_EQ(try_normalize_bdf("nvme0"), std::nullopt);
}

}  // namespace
}  // namespace nvqual::vfio
