// The git revision in reports is read at build time by cmake/git_revision.cmake.
// These tests run that script against scratch repositories: a clean commit, a
// changed tracked file (-dirty), and trees that are not a git work tree of
// their own (a tarball, or one unpacked inside another repository: "unknown").
#include "nvqual/harness/build_info.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

namespace nvqual::harness {
namespace {

namespace fs = std::filesystem;

class GitRevisionScript : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nvqual-git-revision-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tree");
  }
  void TearDown() override { fs::remove_all(dir_); }

  static int shell(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }
  void git(const std::string& args) {
    ASSERT_EQ(shell("git -C '" + tree().string() + "' -c user.name=t -c user.email=t@example.org " + args), 0) << args;
  }
  fs::path tree() const { return dir_ / "tree"; }
  static std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // The revision the script writes for `source`.
  std::string revision_of(const fs::path& source) {
    const fs::path out = dir_ / "git_revision.cpp";
    fs::remove(out);
    const std::string command = std::string(NVQUAL_CMAKE_COMMAND) + " -DSOURCE_DIR='" + source.string() +
                                "' -DOUTPUT='" + out.string() + "' -P '" NVQUAL_SOURCE_DIR "/cmake/git_revision.cmake'";
    EXPECT_EQ(shell(command), 0) << command;
    std::smatch match;
    const std::string text = slurp(out);
    static const std::regex kReturn(R"re(return "([^"]*)";)re");
    return std::regex_search(text, match, kReturn) ? match[1].str() : "(no revision in " + text + ")";
  }
  std::string head() {
    const fs::path out = dir_ / "head";
    const std::string command = "git -C '" + tree().string() + "' rev-parse --short=12 HEAD >'" + out.string() + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
    std::string text = slurp(out);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
  }

  fs::path dir_;
};

TEST_F(GitRevisionScript, OutsideAGitWorkTreeItIsUnknown) { EXPECT_EQ(revision_of(tree()), "unknown"); }

TEST_F(GitRevisionScript, ACleanCheckoutIsItsCommitAndAChangedTrackedFileMakesItDirty) {
  git("init -q");
  std::ofstream(tree() / "a.txt") << "one\n";
  git("add a.txt");
  git("commit -q -m one");
  const std::string commit = head();
  ASSERT_EQ(commit.size(), 12u);
  EXPECT_EQ(revision_of(tree()), commit);

  std::ofstream(tree() / "untracked.txt") << "not part of the build's commit\n";
  EXPECT_EQ(revision_of(tree()), commit);  // untracked files do not count

  std::ofstream(tree() / "a.txt") << "two\n";
  EXPECT_EQ(revision_of(tree()), commit + "-dirty");
}

TEST_F(GitRevisionScript, ASourceTreeInsideAnotherRepositoryIsUnknownNotThatRepositorysCommit) {
  git("init -q");
  std::ofstream(tree() / "a.txt") << "one\n";
  git("add a.txt");
  git("commit -q -m one");
  fs::create_directories(tree() / "unpacked-tarball");
  EXPECT_EQ(revision_of(tree() / "unpacked-tarball"), "unknown");
}

TEST(BuildInfo, TheBuildsRevisionIsACommitOrUnknown) {
  static const std::regex kForm("[0-9a-f]{12}(-dirty)?|unknown");
  EXPECT_TRUE(std::regex_match(std::string(git_revision()), kForm)) << git_revision();
}

}  // namespace
}  // namespace nvqual::harness
