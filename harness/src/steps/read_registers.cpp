// read_registers: every controller register, by named field (NVMe Base 2.0, 3.1.3).
#include "nvqual/harness/step.hpp"
#include "nvqual/harness/step_context.hpp"

namespace nvqual::harness::steps {
namespace {

// CC.AMS: 000b round robin (always), 001b weighted round robin with urgent
// class needs CAP.AMS bit 0, 111b vendor specific needs bit 1.
uint64_t ams_offered(uint32_t cc_ams, uint32_t cap_ams) {
  switch (cc_ams) {
    case 0b000: return 1;
    case 0b001: return (cap_ams & 0x1) != 0;
    case 0b111: return (cap_ams & 0x2) != 0;
    default: return 0;
  }
}

struct RegisterField {
  const char* name;
  const char* description;
  uint64_t (*get)(const RegisterSnapshot&);
};

const RegisterField kFields[] = {
    {"cap", "CAP, whole", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.raw; }},
    {"vs", "VS, whole", [](const RegisterSnapshot& r) -> uint64_t { return r.vs.raw; }},
    {"cap_mqes", "CAP.MQES, 0-based", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.mqes(); }},
    {"cap_cqr", "CAP.CQR", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.cqr(); }},
    {"cap_ams", "CAP.AMS", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.ams(); }},
    {"cap_to", "CAP.TO, 500 ms units", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.to(); }},
    {"cap_dstrd", "CAP.DSTRD", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.dstrd(); }},
    {"cap_nssrs", "CAP.NSSRS", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.nssrs(); }},
    {"cap_css", "CAP.CSS", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.css(); }},
    {"cap_bps", "CAP.BPS", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.bps(); }},
    {"cap_mpsmin", "CAP.MPSMIN", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.mpsmin(); }},
    {"cap_mpsmax", "CAP.MPSMAX", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.mpsmax(); }},
    {"cap_pmrs", "CAP.PMRS", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.pmrs(); }},
    {"cap_cmbs", "CAP.CMBS", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.cmbs(); }},
    {"cap_crms", "CAP.CRMS", [](const RegisterSnapshot& r) -> uint64_t { return r.cap.crms(); }},
    {"vs_mjr", "VS.MJR", [](const RegisterSnapshot& r) -> uint64_t { return r.vs.mjr(); }},
    {"vs_mnr", "VS.MNR", [](const RegisterSnapshot& r) -> uint64_t { return r.vs.mnr(); }},
    {"vs_ter", "VS.TER", [](const RegisterSnapshot& r) -> uint64_t { return r.vs.ter(); }},
    {"intms", "INTMS", [](const RegisterSnapshot& r) -> uint64_t { return r.intms.ivms(); }},
    {"intmc", "INTMC", [](const RegisterSnapshot& r) -> uint64_t { return r.intmc.ivmc(); }},
    {"cc", "CC, whole", [](const RegisterSnapshot& r) -> uint64_t { return r.cc.raw; }},
    {"cc_en", "CC.EN", [](const RegisterSnapshot& r) -> uint64_t { return r.cc.en(); }},
    {"cc_css", "CC.CSS", [](const RegisterSnapshot& r) -> uint64_t { return r.cc.css(); }},
    {"cc_mps", "CC.MPS", [](const RegisterSnapshot& r) -> uint64_t { return r.cc.mps(); }},
    {"cc_ams", "CC.AMS", [](const RegisterSnapshot& r) -> uint64_t { return r.cc.ams(); }},
    {"cc_shn", "CC.SHN", [](const RegisterSnapshot& r) -> uint64_t { return r.cc.shn(); }},
    {"cc_iosqes", "CC.IOSQES", [](const RegisterSnapshot& r) -> uint64_t { return r.cc.iosqes(); }},
    {"cc_iocqes", "CC.IOCQES", [](const RegisterSnapshot& r) -> uint64_t { return r.cc.iocqes(); }},
    {"csts", "CSTS, whole", [](const RegisterSnapshot& r) -> uint64_t { return r.csts.raw; }},
    {"csts_rdy", "CSTS.RDY", [](const RegisterSnapshot& r) -> uint64_t { return r.csts.rdy(); }},
    {"csts_cfs", "CSTS.CFS", [](const RegisterSnapshot& r) -> uint64_t { return r.csts.cfs(); }},
    {"csts_shst", "CSTS.SHST", [](const RegisterSnapshot& r) -> uint64_t { return r.csts.shst(); }},
    {"csts_pp", "CSTS.PP", [](const RegisterSnapshot& r) -> uint64_t { return r.csts.pp(); }},
    {"aqa_asqs", "AQA.ASQS, 0-based", [](const RegisterSnapshot& r) -> uint64_t { return r.aqa.asqs(); }},
    {"aqa_acqs", "AQA.ACQS, 0-based", [](const RegisterSnapshot& r) -> uint64_t { return r.aqa.acqs(); }},
    {"asq", "ASQ", [](const RegisterSnapshot& r) -> uint64_t { return r.asq.raw; }},
    {"acq", "ACQ", [](const RegisterSnapshot& r) -> uint64_t { return r.acq.raw; }},
    {"cmbloc", "CMBLOC", [](const RegisterSnapshot& r) -> uint64_t { return r.cmbloc.raw; }},
    {"cmbsz", "CMBSZ", [](const RegisterSnapshot& r) -> uint64_t { return r.cmbsz.raw; }},
    {"crto_crwmt", "CRTO.CRWMT", [](const RegisterSnapshot& r) -> uint64_t { return r.crto.crwmt(); }},
    {"crto_crimt", "CRTO.CRIMT", [](const RegisterSnapshot& r) -> uint64_t { return r.crto.crimt(); }},
    {"cc_css_offered", "1 when CAP.CSS offers the set CC.CSS selects",
     [](const RegisterSnapshot& r) -> uint64_t { return r.cap.offers_cc_css(r.cc.css()); }},
    {"cc_ams_offered", "1 when CAP.AMS offers the arbitration CC.AMS selects",
     [](const RegisterSnapshot& r) -> uint64_t { return ams_offered(r.cc.ams(), r.cap.ams()); }},
};

void run(StepContext& ctx, const StepArgs&, Observations& out) {
  const RegisterSnapshot snapshot = ctx.controller().read_registers();
  for (const auto& f : kFields) out[f.name] = f.get(snapshot);
  // ASQ/ACQ bits 11:0 are reserved (3.1.3.9/10): the base must be 4 KiB aligned.
  out["asq_offset"] = snapshot.asq.raw - snapshot.asq.address();
  out["acq_offset"] = snapshot.acq.raw - snapshot.acq.address();
}

std::vector<ObservationSpec> observations() {
  std::vector<ObservationSpec> specs;
  for (const auto& f : kFields) specs.push_back({f.name, ValueKind::kNumber, f.description});
  specs.push_back({"asq_offset", ValueKind::kNumber, "ASQ bits 11:0 (reserved)"});
  specs.push_back({"acq_offset", ValueKind::kNumber, "ACQ bits 11:0 (reserved)"});
  return specs;
}

const StepRegistrar registrar{{
    .name = "read_registers",
    .description = "Reads CAP, VS, INTMS/INTMC, CC, CSTS, NSSR, AQA, ASQ, ACQ, CMBLOC, CMBSZ and CRTO",
    .params = {},
    .observations = observations(),
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
