#include "profile_validate.hpp"

#include <set>
#include <string>

namespace nvqual::sim {

namespace {

[[noreturn]] void fail(const Profile& p, const std::string& problem, const std::string& expected) {
  throw ProfileError("profile " + (p.name.empty() ? std::string("(unnamed)") : p.name) + ": " + problem + "; " +
                     expected);
}

const NamespaceProfile* find(const Profile& p, uint32_t nsid) {
  for (const auto& ns : p.namespaces) {
    if (ns.nsid == nsid) return &ns;
  }
  return nullptr;
}

}  // namespace

void validate_profile(const Profile& p) {
  const RegisterProfile& r = p.registers;
  if (r.mqes == 0) fail(p, "registers.mqes is 0", "expected at least 1 (two entries per queue)");
  if (r.to == 0) fail(p, "registers.to is 0", "expected a ready timeout of at least 1 (500 ms)");
  if (r.mpsmin > 15 || r.mpsmax > 15 || r.mpsmax < r.mpsmin) {
    fail(p, "registers.mpsmin/mpsmax are " + std::to_string(r.mpsmin) + "/" + std::to_string(r.mpsmax),
         "expected 0 <= mpsmin <= mpsmax <= 15");
  }
  if (r.dstrd > 15) fail(p, "registers.dstrd is " + std::to_string(r.dstrd), "expected 0..15");
  if ((r.css & 0x01) == 0) fail(p, "registers.css lacks bit 0 (NVM)", "expected bit 0 set");
  if (p.queues.max_io_queues == 0 || p.queues.max_io_queues == 0xFFFF) {
    fail(p, "queues.max_io_queues is " + std::to_string(p.queues.max_io_queues), "expected 1..65534");
  }
  if (p.queues.interrupt_vectors == 0) fail(p, "queues.interrupt_vectors is 0", "expected at least 1");
  if (p.namespaces.empty()) fail(p, "there are no namespaces", "expected at least one");
  std::set<uint32_t> nsids;
  for (const auto& ns : p.namespaces) {
    const std::string where = "namespace " + std::to_string(ns.nsid);
    if (ns.nsid == 0 || ns.nsid >= 0xFFFFFFFF) fail(p, where + " has an invalid NSID", "expected 1..FFFFFFFEh");
    if (!nsids.insert(ns.nsid).second) fail(p, where + " appears twice", "expected each NSID once");
    if (ns.nsid > p.controller.nn) {
      fail(p, where + " is above controller.nn " + std::to_string(p.controller.nn), "expected nn >= every NSID");
    }
    if (ns.formats.empty() || ns.formats.size() > 16) fail(p, where + " has no or too many formats", "expected 1..16");
    if (ns.active_format >= ns.formats.size())
      fail(p, where + " selects a format it does not list", "expected an index into formats");
    for (const auto& f : ns.formats) {
      if (f.data_size < 512 || f.data_size > 65536 || (f.data_size & (f.data_size - 1)) != 0) {
        fail(p, where + " has a format of " + std::to_string(f.data_size) + " bytes",
             "expected a power of two from 512 to 65536");
      }
    }
    if (ns.formats[ns.active_format].metadata_size != 0) {
      fail(p, where + " has an active format with metadata", "expected metadata_size 0 in the active format");
    }
    if (ns.size_blocks == 0 || ns.capacity_blocks > ns.size_blocks || ns.utilization_blocks > ns.capacity_blocks) {
      fail(p,
           where + " has NSZE/NCAP/NUSE " + std::to_string(ns.size_blocks) + "/" + std::to_string(ns.capacity_blocks) +
               "/" + std::to_string(ns.utilization_blocks),
           "expected NSZE > 0 and NSZE >= NCAP >= NUSE");
    }
    if (ns.content == Content::kFile && ns.backing_file.empty())
      fail(p, where + " has no backing file", "expected a path");
  }
  for (const auto& fault : p.faults) {
    if (const auto* f = std::get_if<CorruptIdentifyFault>(&fault)) {
      if (f->offset >= 4096) fail(p, "a corrupt-identify offset is " + std::to_string(f->offset), "expected 0..4095");
      if (f->page == IdentifyPage::kNamespace && find(p, f->nsid) == nullptr) {
        fail(p, "a corrupt-identify fault names namespace " + std::to_string(f->nsid), "expected an existing NSID");
      }
    }
    if (const auto* f = std::get_if<NoDataTransferFault>(&fault); f != nullptr && f->match.queue == QueueKind::kIo) {
      // I/O Reads that move nothing are bad-read-transfer's effect: skip (it also counts per queue).
      fail(p, "a no-data-transfer fault names the I/O queues",
           "expected queue admin or any (for Reads: bad-read-transfer, effect skip)");
    }
    if (const auto* f = std::get_if<BadReadTransferFault>(&fault)) {
      if (f->qid > p.queues.max_io_queues) {
        fail(p, "a bad-read-transfer fault names I/O queue " + std::to_string(f->qid),
             "expected 0 (any) or a QID up to max_io_queues");
      }
      if (f->every == 0) fail(p, "a bad-read-transfer fault has every 0", "expected every >= 1");
    }
    if (const auto* f = std::get_if<CorruptReadFault>(&fault)) {
      const NamespaceProfile* ns = find(p, f->nsid);
      if (ns == nullptr)
        fail(p, "a corrupt-read fault names namespace " + std::to_string(f->nsid), "expected an existing NSID");
      for (uint64_t lba : f->lbas) {
        if (lba >= ns->size_blocks)
          fail(p, "a corrupt-read LBA " + std::to_string(lba) + " is beyond the namespace", "expected LBAs below NSZE");
      }
      if (f->offset >= ns->lba_size())
        fail(p, "a corrupt-read offset is outside the block", "expected an offset below the LBA size");
    }
  }
}

}  // namespace nvqual::sim
