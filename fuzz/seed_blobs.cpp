// Writes the binary seed corpora of fuzz/corpus/ (docs/fuzzing.md):
//   identify/    the Identify pages the simulator serves for each shipped profile
//                in fixtures/sim/ (Controller, each Namespace, its descriptor
//                list, the active namespace list);
//   log_pages/   Error Information, SMART / Health and Firmware Slot pages from
//                the driver's encoders (the ones the simulator uses);
//   iommu_info/  VFIO_IOMMU_GET_INFO buffers as Linux fills them (<linux/vfio.h>):
//                no capabilities, an IOVA range capability, one behind another.
// Usage: nvqual_fuzz_seeds DIR (e.g. fuzz/corpus). Not a fuzz target.
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "identify_pages.hpp"
#include "nvqual/driver/log_pages.hpp"
#include "nvqual/sim/profile.hpp"
#include "vfio_uapi.hpp"

namespace fs = std::filesystem;
using namespace nvqual;

namespace {

void write(const fs::path& file, const std::vector<std::byte>& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

void identify_seeds(const fs::path& dir) {
  for (const char* name : {"default", "4k", "multi-ns"}) {
    const sim::Profile profile = sim::load_profile(sim::profile_directory() / (std::string(name) + ".yaml"));
    const sim::IdentifyPages pages(profile);
    const std::string stem = (dir / name).string();
    write(stem + "-controller.bin", pages.controller());
    write(stem + "-active-list.bin", pages.active_list(0));
    for (uint32_t nsid = 1; nsid <= 2; ++nsid) {
      if (const auto* page = pages.namespace_page(nsid)) write(stem + "-ns" + std::to_string(nsid) + ".bin", *page);
      if (const auto* page = pages.descriptors(nsid)) {
        write(stem + "-ns" + std::to_string(nsid) + "-descriptors.bin", *page);
      }
    }
  }
}

void log_page_seeds(const fs::path& dir) {
  std::vector<ErrorLogEntry> errors(4);
  errors[0].error_count = 7;
  errors[0].sqid = 1;
  errors[0].cid = 0x12;
  errors[0].status = spec::Status::make(0, 0x80);  // LBA out of range
  errors[0].parm_error_location = 0xFFFF;
  errors[0].lba = 0xFFFFFFFFFFFFFFFF;
  errors[0].nsid = 1;
  write(dir / "error-log.bin", encode_error_log(errors));

  SmartLog smart;
  smart.critical_warning = 0x02;
  smart.composite_temperature = 310;
  smart.avail_spare = 100;
  smart.spare_thresh = 10;
  smart.data_units_read = Uint128{12, 0};
  smart.host_reads = Uint128{4096, 0};
  smart.power_cycles = Uint128{3, 0};
  smart.power_on_hours = Uint128{0xFFFFFFFFFFFFFFFF, 1};  // a counter past 2^64
  smart.temp_sensor[0] = 310;
  write(dir / "smart-log.bin", encode_smart_log(smart));

  FirmwareSlotLog slots;
  slots.afi = 0x21;  // running slot 1, slot 2 at the next reset
  slots.frs[0] = "1.0";
  slots.frs[1] = "NVQ0002";
  write(dir / "firmware-slot-log.bin", encode_firmware_slot_log(slots));
}

template <typename T>
void put(std::vector<std::byte>& buffer, size_t offset, const T& value) {
  if (buffer.size() < offset + sizeof(T)) buffer.resize(offset + sizeof(T));
  std::memcpy(buffer.data() + offset, &value, sizeof(T));
}

// An info structure, then capabilities from `first_cap`; argsz covers them all.
std::vector<std::byte> iommu_info(uint32_t flags, uint32_t first_cap) {
  std::vector<std::byte> buffer;
  vfio_iommu_type1_info info{};
  info.flags = flags;
  info.iova_pgsizes = 0x40201000;  // 4 KiB, 2 MiB, 1 GiB
  info.cap_offset = first_cap;
  put(buffer, 0, info);
  return buffer;
}

void put_iova_ranges(std::vector<std::byte>& buffer, size_t offset, uint32_t next,
                     const std::vector<vfio_iova_range>& ranges) {
  // Field by field: no object of the type with the flexible array member
  // (clang's -Wzero-length-array).
  vfio_info_cap_header header{};
  header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
  header.version = 1;
  header.next = next;
  put(buffer, offset, header);
  put(buffer, offset + offsetof(vfio_iommu_type1_info_cap_iova_range, nr_iovas), static_cast<uint64_t>(ranges.size()));
  constexpr size_t kRanges = offsetof(vfio_iommu_type1_info_cap_iova_range, iova_ranges);
  for (size_t i = 0; i < ranges.size(); ++i) put(buffer, offset + kRanges + i * sizeof(vfio_iova_range), ranges[i]);
}

void finish(std::vector<std::byte>& buffer) {
  const auto argsz = static_cast<uint32_t>(buffer.size());
  std::memcpy(buffer.data(), &argsz, sizeof(argsz));
}

void iommu_info_seeds(const fs::path& dir) {
  constexpr uint32_t kCaps = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
  constexpr uint32_t kFirst = sizeof(vfio_iommu_type1_info);

  auto no_caps = iommu_info(VFIO_IOMMU_INFO_PGSIZES, 0);
  finish(no_caps);
  write(dir / "no-capabilities.bin", no_caps);

  // Intel VT-d with the MSI window reserved: two ranges around 0xfee00000.
  auto ranges = iommu_info(kCaps, kFirst);
  put_iova_ranges(ranges, kFirst, 0, {{0, 0xfedfffff}, {0xfef00000, (uint64_t{1} << 39) - 1}});
  finish(ranges);
  write(dir / "iova-ranges.bin", ranges);

  // A migration capability first, the IOVA range capability behind it.
  auto chain = iommu_info(kCaps, kFirst);
  vfio_iommu_type1_info_cap_migration migration{};
  migration.header.id = VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION;
  migration.header.version = 1;
  migration.header.next = kFirst + sizeof(migration);
  migration.pgsize_bitmap = 0x1000;
  put(chain, kFirst, migration);
  put_iova_ranges(chain, migration.header.next, 0, {{0x1000, (uint64_t{1} << 48) - 1}});
  finish(chain);
  write(dir / "migration-then-iova-ranges.bin", chain);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR (e.g. fuzz/corpus): writes identify/, log_pages/ and iommu_info/ seeds\n",
                 argv[0]);
    return 2;
  }
  try {
    const fs::path dir = argv[1];
    identify_seeds(dir / "identify");
    log_page_seeds(dir / "log_pages");
    iommu_info_seeds(dir / "iommu_info");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "nvqual_fuzz_seeds: %s\n", error.what());
    return 1;
  }
  return 0;
}
