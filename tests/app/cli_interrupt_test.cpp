// SIGINT/SIGTERM during the one-shot commands (identify, read, pattern): one
// "interrupted" line, exit 128 + signal, no output file and no .partial file
// left behind. And `run`: a signal while its suites load ends it at once,
// with no report (nothing ran).
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/run_cli.hpp"
#include "support/spawn_cli.hpp"

namespace nvqual {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing_support::ChildEnd;
using testing_support::CliChild;
using testing_support::file_names;
using testing_support::line_count;
using testing_support::scratch_dir;
using testing_support::slurp;

// Waits (bounded) until a file whose name contains `part` is created in the
// directory `watch` was set up on; true when one was.
bool wait_for_created(int watch, const std::string& part) {
  alignas(inotify_event) char buffer[4096];
  pollfd ready{watch, POLLIN, 0};
  while (::poll(&ready, 1, 30'000) == 1) {
    const ssize_t n = ::read(watch, buffer, sizeof buffer);
    for (ssize_t at = 0; at < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      if (event->len > 0 && std::string(event->name).find(part) != std::string::npos) return true;
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
  return false;
}

// The signal arrives while the pattern is being written: 4 PiB cannot be
// finished, so the command must stop on the signal, between two chunks.
TEST(CliInterrupt, PatternStoppedMidWayRemovesItsPartialFile) {
  const auto dir = scratch_dir("interrupt-pattern");
  const auto logs = scratch_dir("interrupt-pattern-logs");
  const int watch = ::inotify_init1(IN_CLOEXEC);
  ASSERT_GE(watch, 0);
  ASSERT_GE(::inotify_add_watch(watch, dir.c_str(), IN_CREATE), 0);
  CliChild child({"pattern", "--nsid", "1", "--lba-size", "4096", "--blocks", "1099511627776", "--out",
                  (dir / "image.bin").string()},
                 logs);
  ASSERT_TRUE(child.started());
  const bool created = wait_for_created(watch, ".partial-");
  ::close(watch);
  ASSERT_TRUE(created) << "the temporary file never appeared";
  child.signal(SIGINT);
  const auto r = child.wait();
  EXPECT_EQ(r.end, ChildEnd::exit(130)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("interrupted by SIGINT while writing the pattern"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_THAT(file_names(dir), IsEmpty()) << "no output and no .partial file";
}

// Sent before nvqual could install a handler (pending at exec): with the
// default action it would have died at once; it must stop cleanly instead.
TEST(CliInterrupt, ReadStopsOnAnEarlySigtermLeavingNoFile) {
  const auto dir = scratch_dir("interrupt-read");
  const auto logs = scratch_dir("interrupt-read-logs");
  CliChild child({"read", "--sim", "--nsid", "1", "--lba", "0", "--blocks", "64", "--out", (dir / "out.bin").string()},
                 logs, SIGTERM);
  ASSERT_TRUE(child.started());
  const auto r = child.wait();
  EXPECT_EQ(r.end, ChildEnd::exit(143)) << r.err;
  // Where it stops depends on how far the command got: the ready wait or the read.
  EXPECT_THAT(r.err, HasSubstr("interrupted by SIGTERM while"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_THAT(file_names(dir), IsEmpty());
}

TEST(CliInterrupt, IdentifyStopsOnSigintWithoutPrinting) {
  const auto logs = scratch_dir("interrupt-identify-logs");
  CliChild child({"identify", "--sim"}, logs, SIGINT);
  ASSERT_TRUE(child.started());
  const auto r = child.wait();
  EXPECT_EQ(r.end, ChildEnd::exit(130)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("interrupted by SIGINT while"));
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// A controller that never becomes ready keeps the driver in its ready wait for
// CAP.TO (10 s here): the signal must end that wait, not wait for it to run out
// (which would end in a ready timeout, exit 3).
TEST(CliInterrupt, IdentifyStopsInsideTheReadyWait) {
  const auto logs = scratch_dir("interrupt-ready-wait-logs");
  CliChild child({"identify", "--sim-profile", testing_support::sim_fixture("faults/never-ready.yaml")}, logs, SIGINT);
  ASSERT_TRUE(child.started());
  const auto r = child.wait();
  EXPECT_EQ(r.end, ChildEnd::exit(130)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("interrupted by SIGINT while waiting for the controller"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
}

TEST(CliInterrupt, HelpListsTheInterruptExitCodes) {
  const auto r = testing_support::run_cli("read --help");
  EXPECT_THAT(r.out, HasSubstr("130 interrupted by SIGINT"));
  EXPECT_THAT(r.out, HasSubstr("143 interrupted by SIGTERM"));
}

// A SIGTERM that arrives while the suites load (here: sent before main even
// runs, so it is pending the moment loading starts) ends the run at once with
// exit 143 and one line, and leaves no report: nothing ran.
TEST(CliInterrupt, RunSignalledWhileSuitesLoadExits143AndWritesNoReport) {
  const auto dir = scratch_dir("interrupt-run");
  const auto json = dir / "r.json";
  const auto junit = dir / "r.xml";
  CliChild child({"run", "identify", "--sim", "--quiet", "--json", json.string(), "--junit", junit.string()}, dir,
                 SIGTERM);
  ASSERT_TRUE(child.started());
  const auto r = child.wait();
  EXPECT_EQ(r.end, ChildEnd::exit(143)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("interrupted by SIGTERM while loading the suites"));
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_FALSE(std::filesystem::exists(json));
  EXPECT_FALSE(std::filesystem::exists(junit));
  EXPECT_THAT(file_names(dir), ::testing::Not(::testing::Contains(::testing::HasSubstr(".xml"))));
}

TEST(CliInterrupt, RunHelpListsTheLoadingInterruptExitCodes) {
  const auto r = testing_support::run_cli("run --help");
  EXPECT_THAT(r.out, HasSubstr("130/143 interrupted by SIGINT/SIGTERM while the suites were loading"));
}

}  // namespace
}  // namespace nvqual
