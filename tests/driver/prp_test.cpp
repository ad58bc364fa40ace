#include "nvqual/driver/prp.hpp"

#include <gtest/gtest.h>

namespace nvqual::prp {
namespace {

constexpr size_t kPage = 4096;
constexpr uint64_t kBase = 0x100000000ull;

struct PlanCase {
  const char* name;
  uint64_t offset;  // PRP1 offset into the first page
  size_t length;
  uint64_t prp2;  // expected PRP2 when no list; 0 when none
  size_t list_entries;
};

// ctest lists parameterised tests with their parameter: print its name, not its bytes.
void PrintTo(const PlanCase& c, std::ostream* os) { *os << c.name; }

class PrpPlanTable : public testing::TestWithParam<PlanCase> {};

// Boundary table after libvfn's rq_test.c: transfers that end exactly on a page,
// one dword past it, and across several pages, with and without a PRP1 offset.
TEST_P(PrpPlanTable, MatchesSpecRules) {
  const PlanCase& c = GetParam();
  const Plan plan = prp::plan(kBase + c.offset, c.length, kPage);
  EXPECT_EQ(plan.prp1, kBase + c.offset);
  EXPECT_EQ(plan.prp2, c.prp2);
  ASSERT_EQ(plan.list_entries.size(), c.list_entries);
  for (size_t i = 0; i < plan.list_entries.size(); ++i) {
    EXPECT_EQ(plan.list_entries[i], kBase + (i + 1) * kPage) << "entry " << i;
    EXPECT_EQ(plan.list_entries[i] % kPage, 0u) << "list entries carry no offset";
  }
}

INSTANTIATE_TEST_SUITE_P(Boundaries, PrpPlanTable,
                         testing::Values(PlanCase{"half_page", 0, 0x200, 0, 0}, PlanCase{"one_page", 0, 0x1000, 0, 0},
                                         PlanCase{"page_plus_dword", 0, 0x1004, kBase + kPage, 0},
                                         PlanCase{"page_plus_8", 0, 0x1008, kBase + kPage, 0},
                                         PlanCase{"two_pages", 0, 0x2000, kBase + kPage, 0},
                                         PlanCase{"two_pages_plus_16", 0, 0x2010, 0, 2},
                                         PlanCase{"offset_fits_first_page", 0x200, 0xE00, 0, 0},
                                         PlanCase{"offset_spills_one_byte_page", 0x204, 0xE00, kBase + kPage, 0},
                                         PlanCase{"offset_4k_spans_two", 0x4, 0x1000, kBase + kPage, 0},
                                         PlanCase{"offset_8k_spans_three", 0x4, 0x2000, 0, 2},
                                         PlanCase{"eight_pages", 0, 8 * kPage, 0, 7}),
                         [](const testing::TestParamInfo<PlanCase>& info) { return std::string(info.param.name); });

TEST(PrpPlan, RejectsUnalignedAndEmpty) {
  EXPECT_THROW(prp::plan(kBase + 2, 512, kPage), std::invalid_argument);
  EXPECT_THROW(prp::plan(kBase, 0, kPage), std::invalid_argument);
}

TEST(PrpPlan, LargerControllerPageSize) {
  const Plan plan = prp::plan(kBase, 0x4000, 0x2000);
  EXPECT_EQ(plan.prp2, kBase + 0x2000);
  EXPECT_FALSE(plan.needs_list());
}

TEST(PrpLists, OnePageHoldsAllSlotsWithoutChain) {
  EXPECT_EQ(list_pages_needed(1, kPage), 1u);
  EXPECT_EQ(list_pages_needed(512, kPage), 1u);
  // 513 entries: page one carries 511 and a chain pointer, page two the other 2.
  EXPECT_EQ(list_pages_needed(513, kPage), 2u);
  EXPECT_EQ(list_pages_needed(511 + 512, kPage), 2u);
  EXPECT_EQ(list_pages_needed(511 + 513, kPage), 3u);
}

TEST(PrpLists, ChainsThroughTheLastSlot) {
  std::vector<uint64_t> entries;
  for (uint64_t i = 0; i < 600; ++i) entries.push_back(0x200000000ull + i * kPage);
  const std::vector<uint64_t> list_pages{0x300000000ull, 0x300001000ull};
  const auto pages = lay_out_lists(entries, list_pages, kPage);
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0][0], entries[0]);
  EXPECT_EQ(pages[0][510], entries[510]);
  EXPECT_EQ(pages[0][511], list_pages[1]) << "last slot of a full list page points at the next list page";
  EXPECT_EQ(pages[1][0], entries[511]);
  EXPECT_EQ(pages[1][88], entries[599]);
  EXPECT_EQ(pages[1][89], 0u);
}

TEST(PrpLists, ExactlyFullPageHasNoChain) {
  std::vector<uint64_t> entries(512, 0);
  for (size_t i = 0; i < entries.size(); ++i) entries[i] = (i + 1) * kPage;
  const auto pages = lay_out_lists(entries, {0x9000}, kPage);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0][511], entries[511]);
}

TEST(PrpLists, WrongNumberOfListPagesIsRejected) {
  std::vector<uint64_t> entries(600, kPage);
  EXPECT_THROW(lay_out_lists(entries, {0x9000}, kPage), std::invalid_argument);
}

TEST(PrpPages, Spanned) {
  EXPECT_EQ(pages_spanned(0, 1, kPage), 1u);
  EXPECT_EQ(pages_spanned(kPage - 4, 8, kPage), 2u);
  EXPECT_EQ(pages_spanned(4, 2 * kPage, kPage), 3u);
  EXPECT_EQ(pages_spanned(0, 0, kPage), 0u);
}

}  // namespace
}  // namespace nvqual::prp
