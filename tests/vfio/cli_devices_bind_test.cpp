// `nvqual devices`, `bind` and `unbind` end to end on a fake tree (the hidden
// --host-root option points them at it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../app/support/run_cli.hpp"
#include "support/fake_host.hpp"

namespace nvqual::vfio {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing_support::run_cli;

class Cli : public ::testing::Test {
 protected:
  // 01:00.0 ready for nvqual; 02:00.0 the boot disk; 03:00.0 a free kernel-bound SSD.
  void SetUp() override {
    host.add_pci_device("0000:01:00.0", 0x010802, 7);
    host.bind("0000:01:00.0", "vfio-pci");
    host.add_pci_device("0000:02:00.0", 0x010802, 12, 0x144d, 0xa808);
    host.bind("0000:02:00.0", "nvme");
    host.add_kernel_controller("0000:02:00.0", "nvme0", "Samsung SSD 970 EVO", "S4EWNX0N", "2B2QEXE7");
    host.add_namespace("0000:02:00.0", "nvme0", "nvme0n1", "259:0");
    host.add_partition("nvme0n1", "nvme0n1p2", "259:2");
    host.add_mount("259:2", "/", "/dev/nvme0n1p2");
    host.add_pci_device("0000:03:00.0", 0x010802, 13);
    host.bind("0000:03:00.0", "nvme");
    host.add_kernel_controller("0000:03:00.0", "nvme1", "QEMU NVMe Ctrl", "nvqual-1", "7.2.0");
    host.add_namespace("0000:03:00.0", "nvme1", "nvme1n1", "259:3");
  }

  std::string root() const { return " --host-root " + host.root().string(); }

  testing::FakeHost host;
};

TEST_F(Cli, DevicesTableShowsStatusAndWhy) {
  const auto result = run_cli("devices" + root());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, AllOf(HasSubstr("0000:01:00.0  1b36:0010  vfio-pci  7 "), HasSubstr("ready"),
                                HasSubstr("0000:02:00.0  144d:a808  nvme      12"), HasSubstr("root disk"),
                                HasSubstr("Samsung SSD 970 EVO"), HasSubstr("bind first"),
                                HasSubstr("0000:02:00.0: /dev/nvme0n1p2 is mounted on / (root filesystem)"),
                                HasSubstr("0000:03:00.0: run `nvqual bind 0000:03:00.0` to use it")));
}

TEST_F(Cli, DevicesJson) {
  const auto result = run_cli("devices --json" + root());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto devices = nlohmann::json::parse(result.out);
  ASSERT_EQ(devices.size(), 3u);
  EXPECT_EQ(devices[0]["bdf"], "0000:01:00.0");
  EXPECT_EQ(devices[0]["driver"], "vfio-pci");
  EXPECT_EQ(devices[0]["ready"], true);
  EXPECT_TRUE(devices[0]["model"].is_null());
  EXPECT_EQ(devices[1]["vendor_id"], "0x144d");
  EXPECT_EQ(devices[1]["iommu_group"], 12);
  EXPECT_EQ(devices[1]["serial"], "S4EWNX0N");
  EXPECT_EQ(devices[1]["holds_root_filesystem"], true);
  EXPECT_EQ(devices[1]["namespaces"][0]["name"], "nvme0n1");
  EXPECT_EQ(devices[1]["namespaces"][0]["mounted"], true);
  EXPECT_EQ(devices[1]["namespaces"][0]["root_filesystem"], true);
  EXPECT_EQ(devices[1]["namespaces"][0]["partitions"][0], "nvme0n1p2");
  EXPECT_EQ(devices[2]["in_use"], false);
  EXPECT_EQ(devices[2]["ctest_resource_id"], "n0000_03_00_0");
}

TEST_F(Cli, CtestResourcesListOnlyReadyControllers) {
  const auto file = host.root() / "resources.json";
  const auto result = run_cli("devices --ctest-resources " + file.string() + root());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("1 vfio-bound controller: n0000_01_00_0 (0000:01:00.0)"));
  const auto spec = nlohmann::json::parse(testing_support::slurp(file));
  EXPECT_EQ(spec["version"], nlohmann::json({{"major", 1}, {"minor", 0}}));
  ASSERT_EQ(spec["local"].size(), 1u);
  EXPECT_EQ(spec["local"][0]["nvme"], nlohmann::json::parse(R"([{"id": "n0000_01_00_0", "slots": 1}])"));
}

TEST_F(Cli, BindDryRunPrintsTheWritesAndChangesNothing) {
  const auto result = run_cli("bind 03:00.0 --dry-run" + root());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string sys = host.paths().sys.string();
  EXPECT_EQ(result.out,
            "0000:03:00.0: nvme -> vfio-pci; would run:\n"
            "  echo vfio-pci > " +
                sys +
                "/bus/pci/devices/0000:03:00.0/driver_override\n"
                "  echo 0000:03:00.0 > " +
                sys +
                "/bus/pci/drivers/nvme/unbind\n"
                "  echo 0000:03:00.0 > " +
                sys + "/bus/pci/drivers_probe\n");
  EXPECT_EQ(testing_support::slurp(host.paths().pci_device("0000:03:00.0") / "driver_override"), "(null)\n");
  EXPECT_EQ(host.driver_of("0000:03:00.0"), "nvme");
}

TEST_F(Cli, BindRefusesTheRootDisk) {
  const auto result = run_cli("bind 0000:02:00.0 --dry-run" + root());
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_THAT(result.err, HasSubstr("refusing to bind 0000:02:00.0: /dev/nvme0n1p2 is mounted on / (root filesystem)"));
  EXPECT_THAT(result.out, Not(HasSubstr("echo")));
}

TEST_F(Cli, BindOfAReadyControllerIsANoOp) {
  const auto result = run_cli("bind 01:00.0" + root());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "0000:01:00.0 is already bound to vfio-pci; nothing to do\n");
}

TEST_F(Cli, MalformedBdfIsBadInput) {
  const auto result = run_cli("unbind 1:0.0" + root());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("expected DDDD:BB:DD.F or BB:DD.F"));
}

TEST_F(Cli, UnbindDryRun) {
  const auto result = run_cli("unbind 0000:01:00.0 --dry-run" + root());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, AllOf(HasSubstr("0000:01:00.0: vfio-pci -> nvme; would run:"),
                                HasSubstr("/bus/pci/drivers/vfio-pci/unbind")));
}

}  // namespace
}  // namespace nvqual::vfio
