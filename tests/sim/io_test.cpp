// NVM Read: data (LBA stamp or a backing file), PRP1/PRP2/PRP lists with
// chained list pages, LBA range, namespace, MDTS and opcode statuses.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nvqual/driver/lba_stamp.hpp"
#include "support/raw_host.hpp"

namespace nvqual::sim {
// Declared in driver/sim/src/namespace_media.hpp, a private header of the library.
void fast_stamp_block(std::span<std::byte> block, uint64_t lba, uint32_t nsid);
}  // namespace nvqual::sim

namespace nvqual::sim_test {
namespace {

struct IoRig : Rig {
  explicit IoRig(sim::Profile profile = sim::default_profile(), uint32_t queue_entries = 32) : Rig(std::move(profile)) {
    host.bring_up();
    io = host.create_io_pair(1, queue_entries);
  }
  ~IoRig() { host.delete_io_pair(io); }
  spec::CompletionEntry read(uint32_t nsid, uint64_t slba, uint32_t blocks, const DmaBuffer& buffer,
                             size_t offset = 0) {
    return host.execute(io, cmd::read(nsid, slba, blocks), buffer, offset);
  }
  spec::CompletionEntry raw(spec::SubmissionEntry sqe) { return host.execute(io, sqe); }
  Ring io;
};

// Writes `entries` as a PRP list starting at `list_iova` inside `pages`
// (list pages of 4 KiB in one buffer): when a page's last slot is reached and
// entries remain, that slot chains to the next page of the buffer.
void lay_out_prp_list(const DmaBuffer& pages, size_t start_offset, const std::vector<uint64_t>& entries) {
  size_t slot = start_offset / 8;
  size_t page = 0;
  auto* words = pages.as<uint64_t>();
  for (size_t i = 0; i < entries.size(); ++i) {
    const bool last_slot_of_page = (slot % 512) == 511;
    if (last_slot_of_page && i + 1 < entries.size()) {
      ++page;
      words[slot] = pages.iova() + page * 4096;
      slot = page * 512;
    }
    words[slot++] = entries[i];
  }
}

TEST(Read, ReturnsTheLbaStamp) {
  IoRig rig;
  DmaBuffer data(rig.sim, 4096);
  for (uint64_t lba : {uint64_t{0}, uint64_t{1}, uint64_t{12345}, uint64_t{2097144}}) {
    const auto done = rig.read(1, lba, 8, data);
    ASSERT_TRUE(done.status().ok()) << code(done);
    EXPECT_EQ(done.sqid(), 1u);
    EXPECT_FALSE(lba_stamp::check(data.bytes(), 512, lba, 1)) << "LBA " << lba;
  }
  EXPECT_EQ(rig.sim.counters().io_commands[0x02], 4u);
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Read, FastStampMatchesTheReferencePattern) {
  std::vector<std::byte> block(4096);
  for (uint32_t size : {512u, 4096u}) {
    for (uint64_t lba : {uint64_t{0}, uint64_t{7}, uint64_t{255}, uint64_t{256}, uint64_t{0xFFFFFFFFFFFFull}}) {
      const std::span<std::byte> b(block.data(), size);
      sim::fast_stamp_block(b, lba, 3);
      EXPECT_FALSE(lba_stamp::check(b, size, lba, 3)) << size << " " << lba;
    }
  }
}

TEST(Read, Prp1OffsetsSweptInDwordSteps) {
  IoRig rig;
  DmaBuffer data(rig.sim, 8192);
  for (size_t offset = 0; offset <= 4096 - 512; offset += 4 * 37) {
    std::fill(data.bytes().begin(), data.bytes().end(), std::byte{0});
    const auto done = rig.read(1, 100, 8, data, offset);  // 4 KiB from an offset: PRP1 + PRP2
    ASSERT_TRUE(done.status().ok()) << "offset " << offset;
    EXPECT_FALSE(lba_stamp::check(data.bytes().subspan(offset, 4096), 512, 100, 1)) << "offset " << offset;
  }
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Read, Prp1NotDwordAlignedIsAnInvalidPrpOffset) {
  IoRig rig;
  DmaBuffer data(rig.sim, 8192);
  EXPECT_EQ(code(rig.read(1, 0, 1, data, 2)), "00/13");
  EXPECT_TRUE(has_violation(rig.sim, "PRP1"));
  EXPECT_TRUE(has_violation(rig.sim, "is not dword aligned"));
}

TEST(Read, SecondPageWithAnOffsetIsAnInvalidPrpOffset) {
  IoRig rig;
  DmaBuffer data(rig.sim, 8192);
  spec::SubmissionEntry read = cmd::read(1, 0, 16);
  read.prp1 = data.iova();
  read.prp2 = data.iova() + 4096 + 512;
  EXPECT_EQ(code(rig.raw(read)), "00/13");
  EXPECT_TRUE(has_violation(rig.sim, "PRP2"));
  EXPECT_TRUE(has_violation(rig.sim, "a second data page must be page aligned"));
}

TEST(Read, PrpListSpanningManyPages) {
  IoRig rig;
  DmaBuffer data(rig.sim, 128 * 1024);  // MDTS 5: 128 KiB = 32 pages
  DmaBuffer list(rig.sim, 4096);
  std::vector<uint64_t> entries;
  for (int i = 1; i < 32; ++i) entries.push_back(data.iova() + i * 4096);
  lay_out_prp_list(list, 0, entries);
  spec::SubmissionEntry read = cmd::read(1, 5000, 256);
  read.prp1 = data.iova();
  read.prp2 = list.iova();
  ASSERT_TRUE(rig.raw(read).status().ok());
  EXPECT_FALSE(lba_stamp::check(data.bytes(), 512, 5000, 1));
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Read, PrpListPagesChainAndTheListMayStartInsideItsPage) {
  IoRig rig(fixture("mdts0.yaml"));
  constexpr size_t kBytes = 3 * 1024 * 1024;  // 768 pages: 767 list entries
  DmaBuffer data(rig.sim, kBytes + 4096);
  DmaBuffer list(rig.sim, 4 * 4096);
  // Data pages in a shuffled order, so a walker that ignores the list fails.
  std::vector<uint64_t> entries;
  for (size_t i = 1; i < 768; ++i) entries.push_back(data.iova() + ((i * 7) % 767 + 1) * 4096);
  // The list starts 4000 bytes into its page: 12 slots there, the last chains on.
  lay_out_prp_list(list, 4000, entries);
  spec::SubmissionEntry read = cmd::read(1, 77, static_cast<uint32_t>(kBytes / 512));
  read.prp1 = data.iova() + 0;
  read.prp2 = list.iova() + 4000;
  ASSERT_TRUE(rig.raw(read).status().ok()) << violations_text(rig.sim);
  EXPECT_FALSE(lba_stamp::check(data.bytes().first(4096), 512, 77, 1));
  for (size_t i = 1; i < 768; ++i) {
    const size_t page = (i * 7) % 767 + 1;
    ASSERT_FALSE(lba_stamp::check(data.bytes().subspan(page * 4096, 4096), 512, 77 + i * 8, 1)) << "page " << i;
  }
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Read, ListEntryWithAnOffsetIsAnInvalidPrpOffset) {
  IoRig rig;
  DmaBuffer data(rig.sim, 16384);
  DmaBuffer list(rig.sim, 4096);
  lay_out_prp_list(list, 0, {data.iova() + 4096, data.iova() + 8192 + 64, data.iova() + 12288});
  spec::SubmissionEntry read = cmd::read(1, 0, 32);
  read.prp1 = data.iova();
  read.prp2 = list.iova();
  EXPECT_EQ(code(rig.raw(read)), "00/13");
  EXPECT_TRUE(has_violation(rig.sim, "PRP list entry 1 of list page 1"));
}

TEST(Read, UnmappedMemoryIsADataTransferError) {
  IoRig rig;
  spec::SubmissionEntry read = cmd::read(1, 0, 1);
  read.prp1 = 0x7700000000;
  const auto done = rig.raw(read);
  EXPECT_EQ(code(done), "00/04");
  EXPECT_FALSE(done.status().dnr());
  EXPECT_TRUE(has_violation(rig.sim, "PRP1 0x7700000000 (+512 bytes) is not mapped DMA memory"));
  rig.sim.clear_violations();
  // A buffer one page too short: the transfer runs past its end.
  DmaBuffer short_buffer(rig.sim, 4096);
  spec::SubmissionEntry longer = cmd::read(1, 0, 16);
  longer.prp1 = short_buffer.iova();
  longer.prp2 = short_buffer.iova() + 4096;
  EXPECT_EQ(code(rig.raw(longer)), "00/04");
  EXPECT_TRUE(has_violation(rig.sim, "PRP2"));
}

TEST(Read, LbaRangeChecksIncludeOverflow) {
  IoRig rig;
  const uint64_t nsze = rig.sim.profile().namespaces[0].size_blocks;
  DmaBuffer data(rig.sim, 4096);
  EXPECT_TRUE(rig.read(1, nsze - 2, 2, data).status().ok());
  EXPECT_FALSE(lba_stamp::check(data.bytes().first(1024), 512, nsze - 2, 1));
  EXPECT_EQ(code(rig.read(1, nsze - 1, 2, data)), "00/80");
  EXPECT_EQ(code(rig.read(1, nsze, 1, data)), "00/80");
  EXPECT_EQ(code(rig.read(1, 0xFFFFFFFF00000000ull, 1, data)), "00/80");
  EXPECT_EQ(code(rig.read(1, ~uint64_t{0}, 2, data)), "00/80");  // SLBA + NLB wraps
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Read, InvalidNamespace) {
  IoRig rig;
  DmaBuffer data(rig.sim, 4096);
  for (uint32_t nsid : {0u, 2u, 0xFFFFFFFFu}) EXPECT_EQ(code(rig.read(nsid, 0, 1, data)), "00/0B") << nsid;
}

TEST(Read, MdtsInUnitsOfTheMinimumPageSize) {
  {
    IoRig rig;  // MDTS 5: 128 KiB
    DmaBuffer data(rig.sim, 132 * 1024), list(rig.sim, 4096);
    std::vector<uint64_t> entries;
    for (int i = 1; i < 33; ++i) entries.push_back(data.iova() + i * 4096);
    lay_out_prp_list(list, 0, entries);
    spec::SubmissionEntry read = cmd::read(1, 0, 256);
    read.prp1 = data.iova();
    read.prp2 = list.iova();
    EXPECT_TRUE(rig.raw(read).status().ok());
    read = cmd::read(1, 0, 257);
    read.prp1 = data.iova();
    read.prp2 = list.iova();
    EXPECT_EQ(code(rig.raw(read)), "00/02");
  }
  {
    sim::Profile profile = fixture("mdts2.yaml");
    profile.registers.mpsmin = 1;  // 8 KiB minimum page: MDTS 2 means 32 KiB
    profile.registers.mpsmax = 1;
    Rig rig(profile);
    rig.host.configure_admin(16, 16, 8192);
    rig.host.write_cc(RawHost::enabled_cc().set_mps(1));
    ASSERT_TRUE(rig.host.wait_ready(true));
    DmaBuffer ring_memory(rig.sim, 8192, 8192);
    DmaBuffer cq_memory(rig.sim, 8192, 8192);
    ASSERT_TRUE(rig.host.execute(rig.host.admin(), cmd::create_io_cq(1, 8, cq_memory.iova(), true)).status().ok());
    ASSERT_TRUE(rig.host.execute(rig.host.admin(), cmd::create_io_sq(1, 8, ring_memory.iova(), 1, true)).status().ok());
    Ring io;
    io.qid = 1;
    io.sq_entries = io.cq_entries = 8;
    io.sq = std::move(ring_memory);
    io.cq = std::move(cq_memory);
    DmaBuffer data(rig.sim, 40 * 1024, 8192), list(rig.sim, 8192, 8192);
    lay_out_prp_list(list, 0, {data.iova() + 8192, data.iova() + 16384, data.iova() + 24576, data.iova() + 32768});
    spec::SubmissionEntry read = cmd::read(1, 0, 64);  // 32 KiB
    read.prp1 = data.iova();
    read.prp2 = list.iova();
    EXPECT_TRUE(rig.host.execute(io, read).status().ok());
    EXPECT_FALSE(lba_stamp::check(data.bytes().first(32768), 512, 0, 1));
    read = cmd::read(1, 0, 65);
    read.prp1 = data.iova();
    read.prp2 = list.iova();
    EXPECT_EQ(code(rig.host.execute(io, read)), "00/02");
    EXPECT_TRUE(rig.host.execute(rig.host.admin(), cmd::delete_io_sq(1)).status().ok());
    EXPECT_TRUE(rig.host.execute(rig.host.admin(), cmd::delete_io_cq(1)).status().ok());
    EXPECT_NO_VIOLATIONS(rig.sim);
  }
}

TEST(Read, NoLimitWhenMdtsIsZero) {
  IoRig rig(fixture("mdts0.yaml"));
  DmaBuffer data(rig.sim, 1024 * 1024), list(rig.sim, 4096);
  std::vector<uint64_t> entries;
  for (int i = 1; i < 256; ++i) entries.push_back(data.iova() + i * 4096);
  lay_out_prp_list(list, 0, entries);
  spec::SubmissionEntry read = cmd::read(1, 0, 2048);
  read.prp1 = data.iova();
  read.prp2 = list.iova();
  EXPECT_TRUE(rig.raw(read).status().ok());
  EXPECT_FALSE(lba_stamp::check(data.bytes(), 512, 0, 1));
}

TEST(Read, OtherOpcodesAndFuse) {
  IoRig rig;
  DmaBuffer data(rig.sim, 4096);
  // Write Uncorrectable is not implemented (ONCS bit 1 clear); Write is (io_write_commands.cpp).
  spec::SubmissionEntry uncorrectable = cmd::read(1, 0, 1);
  uncorrectable.set_opcode(static_cast<uint8_t>(spec::NvmOpcode::kWriteUncorrectable));
  EXPECT_EQ(code(rig.raw(uncorrectable)), "00/01");
  spec::SubmissionEntry unknown{};
  unknown.set_opcode(0x7E);
  unknown.nsid = 1;
  EXPECT_EQ(code(rig.raw(unknown)), "00/01");
  spec::SubmissionEntry fused = cmd::read(1, 0, 1);
  fused.set_fuse(2);
  fused.prp1 = data.iova();
  EXPECT_EQ(code(rig.raw(fused)), "00/02");
  spec::SubmissionEntry flush{};
  flush.set_opcode(static_cast<uint8_t>(spec::NvmOpcode::kFlush));
  flush.nsid = 1;
  EXPECT_TRUE(rig.raw(flush).status().ok());
  flush.nsid = 9;
  EXPECT_EQ(code(rig.raw(flush)), "00/0B");
  EXPECT_NO_VIOLATIONS(rig.sim);
}

TEST(Read, FourKibBlocks) {
  IoRig rig(fixture("4k.yaml"));
  DmaBuffer data(rig.sim, 8192);
  ASSERT_TRUE(rig.read(1, 262142, 2, data).status().ok());
  EXPECT_FALSE(lba_stamp::check(data.bytes(), 4096, 262142, 1));
  EXPECT_EQ(code(rig.read(1, 262143, 2, data)), "00/80");
}

TEST(Read, EveryNamespaceOfAMultiNamespaceProfile) {
  IoRig rig(fixture("multi-ns.yaml"));
  DmaBuffer data(rig.sim, 8192);
  for (const auto& ns : rig.sim.profile().namespaces) {
    const uint32_t blocks = 8192 / ns.lba_size();
    ASSERT_TRUE(rig.read(ns.nsid, ns.size_blocks - blocks, blocks, data).status().ok()) << ns.nsid;
    EXPECT_FALSE(lba_stamp::check(data.bytes(), ns.lba_size(), ns.size_blocks - blocks, ns.nsid)) << ns.nsid;
    EXPECT_EQ(code(rig.read(ns.nsid, ns.size_blocks, 1, data)), "00/80");
  }
  EXPECT_EQ(code(rig.read(4, 0, 1, data)), "00/0B");  // valid NSID, not active
}

TEST(Read, BackingFileContents) {
  const auto dir = std::filesystem::temp_directory_path() / ("nvqual-sim-io-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<char> image(64 * 512);
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<char>((i * 13 + i / 512) & 0xFF);
  std::ofstream(dir / "disk.img", std::ios::binary).write(image.data(), static_cast<std::streamsize>(image.size()));
  std::string text = std::string(
                         "name: file\nregisters: {mqes: 63, to: 10, mpsmin: 0, mpsmax: 0, version: \"1.4\"}\n") +
                     "controller: {vid: 1, serial: S, model: M, firmware: F, mdts: 0}\n" +
                     "namespaces:\n  - nsid: 1\n    formats: [{data_size: 512}]\n    content: {file: disk.img}\n";
  std::ofstream(dir / "file.yaml") << text;
  {
    IoRig rig(sim::load_profile(dir / "file.yaml"));
    EXPECT_EQ(rig.sim.profile().namespaces[0].size_blocks, 64u);
    DmaBuffer data(rig.sim, 8192);
    ASSERT_TRUE(rig.read(1, 48, 16, data).status().ok());
    EXPECT_TRUE(std::equal(data.bytes().begin(), data.bytes().end(),
                           reinterpret_cast<const std::byte*>(image.data()) + 48 * 512));
    EXPECT_EQ(code(rig.read(1, 63, 2, data)), "00/80");
    EXPECT_NO_VIOLATIONS(rig.sim);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nvqual::sim_test
