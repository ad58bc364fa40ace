#include "nvqual/harness/variables.hpp"

#include <algorithm>

namespace nvqual::harness {

const std::vector<VariableInfo>& known_variables() {
  static const std::vector<VariableInfo> variables = {
      // CAP and VS (NVMe Base 2.0, 3.1.3.1 / 3.1.3.2)
      {"mqes", "CAP.MQES: maximum queue entries, 0-based"},
      {"max_queue_entries", "CAP.MQES + 1: the largest queue, in entries"},
      {"cqr", "CAP.CQR: 1 when queues must be physically contiguous"},
      {"cap_to", "CAP.TO: ready timeout in 500 ms units"},
      {"ready_timeout_ms", "the ready bound in ms: max(CAP.TO, CRTO.CRWMT when used) x 500"},
      {"dstrd", "CAP.DSTRD: doorbell stride exponent"},
      {"css", "CAP.CSS: command sets supported (bit 0 NVM)"},
      {"mpsmin", "CAP.MPSMIN: minimum memory page size exponent"},
      {"mpsmax", "CAP.MPSMAX: maximum memory page size exponent"},
      {"nssrs", "CAP.NSSRS: 1 when NVM subsystem reset is supported"},
      {"crms", "CAP.CRMS: controller ready modes (bit 0 CRWMS, bit 1 CRIMS)"},
      {"page_size", "the memory page size nvqual programs in CC.MPS, bytes"},
      {"vs_major", "VS.MJR"},
      {"vs_minor", "VS.MNR"},
      {"vs", "VS, whole (the encoding Identify Controller VER uses)"},
      // Identify Controller (2.0, 5.17.2.1)
      {"vid", "Identify Controller VID"},
      {"ssvid", "Identify Controller SSVID"},
      {"mdts", "Identify Controller MDTS (0: no limit)"},
      {"max_transfer_bytes", "2^MDTS x CAP.MPSMIN page size; 0 when MDTS is 0"},
      {"max_transfer_blocks", "max_transfer_bytes / lba_size; 0 when MDTS is 0"},
      {"nn", "Identify Controller NN: number of namespaces"},
      {"oacs", "Identify Controller OACS bits"},
      {"oncs", "Identify Controller ONCS bits"},
      {"fuses", "Identify Controller FUSES bits"},
      {"sgls", "Identify Controller SGLS bits"},
      {"maxcmd", "Identify Controller MAXCMD (0: not reported)"},
      {"cntlid", "Identify Controller CNTLID"},
      {"acl", "Identify Controller ACL: abort command limit, 0-based"},
      {"rtd3e_ms", "Identify Controller RTD3E in ms, rounded up (0: not reported)"},
      {"aerl", "Identify Controller AERL: asynchronous event request limit, 0-based"},
      {"lpa", "Identify Controller LPA: log page attributes (bit 0 SMART per namespace, bit 1 effects log)"},
      {"elpe", "Identify Controller ELPE: error log page entries, 0-based"},
      {"oaes", "Identify Controller OAES: optional asynchronous events (bit 8 namespace attribute notices)"},
      {"vwc", "Identify Controller VWC: volatile write cache (bit 0 present)"},
      {"npss", "Identify Controller NPSS: number of power states, 0-based"},
      {"wctemp", "Identify Controller WCTEMP: warning composite temperature threshold, Kelvin"},
      // The namespace under test: the first active NSID (NVM Command Set 1.0, 4.1.5.1)
      {"nsid", "the first active namespace ID"},
      {"namespaces", "the number of active namespaces"},
      {"last_nsid", "the largest active namespace ID"},
      {"nsze", "Identify Namespace NSZE of nsid, in logical blocks"},
      {"ncap", "Identify Namespace NCAP of nsid"},
      {"nuse", "Identify Namespace NUSE of nsid"},
      {"nlbaf", "Identify Namespace NLBAF of nsid (0-based)"},
      {"flbas", "Identify Namespace FLBAS of nsid"},
      {"lba_size", "bytes per logical block in nsid's active format"},
      {"dlfeat", "Identify Namespace DLFEAT of nsid (bits 2:0 what a deallocated block reads, bit 3 DEAC)"},
      // The blocks of nsid media-changing commands may touch (docs/data-integrity.md)
      {"scratch_first", "first LBA of nsid's scratch range (--scratch; the simulator without it: nsze / 4)"},
      {"scratch_last", "last LBA of nsid's scratch range (the simulator without --scratch: nsze / 2 - 1)"},
      {"scratch_blocks", "blocks in nsid's scratch range; 0 when none is declared (a real device without --scratch)"},
      {"scratch_past_end",
       "1 when writes from LBA nsze of nsid are allowed (--scratch all, or the simulator "
       "without --scratch): the out-of-range cases may send them"},
      {"scratch_inactive_nsid",
       "1 when writes to NSID nn + 1 are allowed (--scratch NN+1=all, or the simulator "
       "without --scratch)"},
      // Set Features Number of Queues (2.0, 5.27.1.5)
      {"io_sqs", "I/O submission queues the controller granted (1-based)"},
      {"io_cqs", "I/O completion queues the controller granted (1-based)"},
      {"io_queues", "min(io_sqs, io_cqs): usable I/O queue pairs"},
      // The run and the case
      {"simulator", "1 when the target is the simulated controller"},
      {"pattern", "1 when the media carries the LBA stamp (--expect-pattern)"},
      {"model", "1 when a model profile was given (--model)"},
      {"admin_sq_entries", "this case's admin submission queue depth"},
      {"admin_cq_entries", "this case's admin completion queue depth"},
      {"io_queue_count", "I/O queue pairs this case starts with (state io)"},
      {"io_queue_entries", "entries in each I/O queue this case starts with"},
      {"iteration", "0-based repetition of the current step (see repeat)"},
  };
  return variables;
}

bool is_known_variable(std::string_view name) {
  const auto& all = known_variables();
  return std::any_of(all.begin(), all.end(), [&](const VariableInfo& v) { return v.name == name; });
}

std::string known_variable_names() {
  std::string names;
  for (const auto& v : known_variables()) {
    if (!names.empty()) names += ", ";
    names += v.name;
  }
  return names;
}

}  // namespace nvqual::harness
