// Where nvqual finds the files it ships. The installed case (a binary under
// <prefix>/bin finding <prefix>/share/nvqual) runs the real package in
// tests/lab/package_test.sh; here: the override and the build-tree fallback.
#include "nvqual/driver/data_dir.hpp"

#include <cstdlib>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace nvqual {
namespace {

// Sets or clears NVQUAL_DATA_DIR for one test and restores it afterwards.
class DataDirVariable {
 public:
  explicit DataDirVariable(const char* value) {
    if (const char* old = std::getenv("NVQUAL_DATA_DIR")) old_ = old;
    if (value == nullptr) {
      ::unsetenv("NVQUAL_DATA_DIR");
    } else {
      ::setenv("NVQUAL_DATA_DIR", value, 1);
    }
  }
  ~DataDirVariable() {
    if (old_) {
      ::setenv("NVQUAL_DATA_DIR", old_->c_str(), 1);
    } else {
      ::unsetenv("NVQUAL_DATA_DIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

const std::filesystem::path kSuites = std::filesystem::path(NVQUAL_SOURCE_DIR) / "suites";

TEST(DataDir, NvqualDataDirWinsAndIsUsedAsGiven) {
  DataDirVariable set("/nonexistent/nvqual-data");
  EXPECT_EQ(find_data_dir("suites", kSuites), std::filesystem::path("/nonexistent/nvqual-data/suites"));
  EXPECT_EQ(find_data_dir("sim", kSuites), std::filesystem::path("/nonexistent/nvqual-data/sim"));
}

TEST(DataDir, AnEmptyNvqualDataDirIsUnset) {
  DataDirVariable set("");
  EXPECT_EQ(find_data_dir("suites", kSuites), kSuites);
}

TEST(DataDir, FromTheBuildTreeTheSourceTreeIsUsed) {
  DataDirVariable unset(nullptr);
  ASSERT_TRUE(std::filesystem::exists(std::filesystem::path(NVQUAL_BINARY_DIR) / "CMakeCache.txt"));
  EXPECT_EQ(find_data_dir("suites", kSuites), kSuites);
}

TEST(DataDir, WithoutASourceTreeTheInstalledPlaceIsNamed) {
  DataDirVariable unset(nullptr);
  const auto exe = std::filesystem::read_symlink("/proc/self/exe");
  EXPECT_EQ(find_data_dir("suites", "/nonexistent/source/suites"),
            exe.parent_path().parent_path() / "share" / "nvqual" / "suites");
}

}  // namespace
}  // namespace nvqual
