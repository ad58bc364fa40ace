#include "nvqual/vfio/ctest_resources.hpp"

#include <map>
#include <regex>
#include <stdexcept>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/errors.hpp"

namespace nvqual::vfio {
namespace {

using ::testing::HasSubstr;

TEST(CtestResources, EncodesABdf) {
  EXPECT_EQ(resource_id_for_bdf("0000:01:00.0"), "n0000_01_00_0");
  EXPECT_EQ(resource_id_for_bdf("3B:00.1"), "n0000_3b_00_1");
}

TEST(CtestResources, IdsMatchCtestsPattern) {
  const std::regex pattern("^[a-z0-9_]+$");
  for (const char* bdf : {"0000:00:00.0", "ffff:ff:1f.7", "10000:e1:00.0", "0000:AB:0C.3"}) {
    EXPECT_TRUE(std::regex_match(resource_id_for_bdf(bdf), pattern)) << bdf;
  }
}

TEST(CtestResources, RoundTrips) {
  for (const char* bdf : {"0000:00:00.0", "0000:01:00.0", "ffff:ff:1f.7", "10000:e1:00.0", "0000:3b:00.1"}) {
    EXPECT_EQ(bdf_for_resource_id(resource_id_for_bdf(bdf)), bdf);
  }
}

TEST(CtestResources, RejectsIdsItWouldNotProduce) {
  for (const char* id : {"", "n", "0000_01_00_0", "n01_00_0", "n0000_01_00_8", "n0000_01_00", "n0000_AB_00_0",
                         "n0000_01_00_0_0", "x0000_01_00_0", "n0000:01:00.0"}) {
    EXPECT_EQ(bdf_for_resource_id(id), std::nullopt) << id;
  }
}

TEST(CtestResources, EncodingAMalformedBdfThrows) { EXPECT_THROW(resource_id_for_bdf("nvme0"), DriverError); }

TEST(CtestResources, ParsesAnAllocation) {
  const auto one = parse_ctest_resource_allocation("id:n0000_01_00_0,slots:1");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].id, "n0000_01_00_0");
  EXPECT_EQ(one[0].slots, 1u);
  const auto two = parse_ctest_resource_allocation("id:n0000_01_00_0,slots:1;id:n0000_02_00_0,slots:2");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1].id, "n0000_02_00_0");
  EXPECT_EQ(two[1].slots, 2u);
}

TEST(CtestResources, MalformedAllocationsAreInvalidArguments) {
  for (const char* value :
       {"n0000_01_00_0", "id:n0000_01_00_0", "slots:1", "id:,slots:1", "id:x,slots:one", "id:x,slots:1,color:red"}) {
    try {
      parse_ctest_resource_allocation(value);
      ADD_FAILURE() << "accepted " << value;
    } catch (const DriverError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
      EXPECT_THAT(e.what(), HasSubstr("expected id:<id>,slots:<n>")) << value;
    }
  }
}

EnvironmentLookup environment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const char* name) -> const char* {
    const auto found = variables.find(name);
    return found == variables.end() ? nullptr : found->second.c_str();
  };
}

TEST(CtestResources, FindsTheAllocatedBdf) {
  EXPECT_EQ(ctest_allocated_bdf(environment({{"CTEST_RESOURCE_GROUP_COUNT", "1"},
                                             {"CTEST_RESOURCE_GROUP_0", "nvme"},
                                             {"CTEST_RESOURCE_GROUP_0_NVME", "id:n0000_01_00_0,slots:1"}})),
            "0000:01:00.0");
}

TEST(CtestResources, SkipsGroupsOfOtherTypes) {
  EXPECT_EQ(ctest_allocated_bdf(environment({{"CTEST_RESOURCE_GROUP_COUNT", "2"},
                                             {"CTEST_RESOURCE_GROUP_0", "gpu"},
                                             {"CTEST_RESOURCE_GROUP_0_GPU", "id:0,slots:1"},
                                             {"CTEST_RESOURCE_GROUP_1", "nvme"},
                                             {"CTEST_RESOURCE_GROUP_1_NVME", "id:n0000_5e_00_0,slots:1"}})),
            "0000:5e:00.0");
}

TEST(CtestResources, NoSpecFileMeansNoAllocation) { EXPECT_EQ(ctest_allocated_bdf(environment({})), std::nullopt); }

TEST(CtestResources, ABadIdIsReported) {
  try {
    ctest_allocated_bdf(environment({{"CTEST_RESOURCE_GROUP_COUNT", "1"},
                                     {"CTEST_RESOURCE_GROUP_0", "nvme"},
                                     {"CTEST_RESOURCE_GROUP_0_NVME", "id:disk0,slots:1"}}));
    ADD_FAILURE() << "accepted id disk0";
  } catch (const DriverError& e) {
    EXPECT_THAT(e.what(), HasSubstr("resource id 'disk0' does not encode a PCI address"));
  }
}

// Found by fuzz_ctest_resources: a count of -1 (read as 2^32-1) made the
// lookup walk four billion groups. The lookup gives up after 10000 calls, so a
// regression fails here instead of hanging.
TEST(CtestResources, AGarbledGroupCountIsRefusedAtOnce) {
  for (const char* count : {"-1", "4294967295", "1025", "12abc", "", " 1"}) {
    int lookups = 0;
    const EnvironmentLookup lookup = [&](const char* name) -> const char* {
      if (++lookups > 10000) throw std::runtime_error("the group loop did not stop");
      return std::string_view(name) == "CTEST_RESOURCE_GROUP_COUNT" ? count : nullptr;
    };
    try {
      ctest_allocated_bdf(lookup);
      ADD_FAILURE() << "accepted CTEST_RESOURCE_GROUP_COUNT='" << count << "'";
    } catch (const DriverError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
      EXPECT_THAT(e.what(), HasSubstr("is not a group count (0..1024)")) << count;
    }
    EXPECT_EQ(lookups, 1) << count;
  }
  EXPECT_EQ(ctest_allocated_bdf(environment({{"CTEST_RESOURCE_GROUP_COUNT", "1024"}})), std::nullopt);
}

TEST(CtestResources, SpecJson) {
  EXPECT_EQ(ctest_resource_spec_json({"0000:01:00.0", "0000:02:00.0"}),
            "{\n"
            "  \"version\": {\"major\": 1, \"minor\": 0},\n"
            "  \"local\": [\n"
            "    {\n"
            "      \"nvme\": [\n"
            "        {\"id\": \"n0000_01_00_0\", \"slots\": 1},\n"
            "        {\"id\": \"n0000_02_00_0\", \"slots\": 1}\n"
            "      ]\n"
            "    }\n"
            "  ]\n"
            "}\n");
  EXPECT_EQ(
      ctest_resource_spec_json({}),
      "{\n  \"version\": {\"major\": 1, \"minor\": 0},\n  \"local\": [\n    {\n      \"nvme\": []\n    }\n  ]\n}\n");
}

}  // namespace
}  // namespace nvqual::vfio
