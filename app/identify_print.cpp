#include "identify_print.hpp"

#include <fmt/format.h>

#include "nvqual/harness/report_output.hpp"

namespace nvqual::app {
namespace {

// Power figures: MP in 0.01 W or (MXPS) 0.0001 W units; IDLP/ACTP carry
// their own scale (2.0 Figure 276): 0 = not reported, 1 = 0.0001 W, 2 = 0.01 W.
std::string max_power(const PowerStateDescriptor& p) {
  return p.mxps ? fmt::format("{}.{:04}W", p.mp / 10000, p.mp % 10000)
                : fmt::format("{}.{:02}W", p.mp / 100, p.mp % 100);
}

std::string scaled_power(uint16_t value, uint8_t scale) {
  switch (scale) {
    case 1: return fmt::format("{}.{:04}W", value / 10000, value % 10000);
    case 2: return fmt::format("{}.{:02}W", value / 100, value % 100);
    default: return "-";
  }
}

std::string workload(const PowerStateDescriptor& p) {
  if (p.aps == 0) return "-";  // active power not reported, workload meaningless
  switch (p.apw) {
    case 0: return "No Workload";
    case 1: return "Extended Idle Period with a Burst of Random Write";
    case 2: return "Heavy Sequential Writes";
    default: return "Reserved";
  }
}

class Lines {
 public:
  explicit Lines(int label_width) : width_(label_width) {}
  template <typename... Args>
  void add(std::string_view label, fmt::format_string<Args...> value_format, Args&&... args) {
    fmt::format_to(std::back_inserter(out_), "{:<{}}: ", label, width_);
    fmt::format_to(std::back_inserter(out_), value_format, std::forward<Args>(args)...);
    out_.push_back('\n');
  }
  void raw(std::string_view text) { out_ += text; }
  std::string take() { return std::move(out_); }

 private:
  int width_;
  std::string out_;
};

// nvme-cli prints "%#x": 0 stays "0", anything else gets "0x".
std::string hex(uint64_t v) { return v == 0 ? "0" : fmt::format("{:#x}", v); }

}  // namespace

std::string uuid_string(const std::array<uint8_t, 16>& b) {
  return fmt::format(
      "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}", b[0],
      b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

std::string format_identify_controller(const IdentifyController& c) {
  Lines l(10);
  l.raw("NVME Identify Controller:\n");
  l.add("vid", "{}", hex(c.vid));
  l.add("ssvid", "{}", hex(c.ssvid));
  // Device text: a controller must not be able to write escape sequences to the terminal.
  l.add("sn", "{}", harness::terminal_safe(c.sn));
  l.add("mn", "{}", harness::terminal_safe(c.mn));
  l.add("fr", "{}", harness::terminal_safe(c.fr));
  l.add("rab", "{}", c.rab);
  l.add("ieee", "{:06x}", c.ieee);
  l.add("cmic", "{}", hex(c.cmic));
  l.add("mdts", "{}", c.mdts);
  l.add("cntlid", "{}", hex(c.cntlid));
  l.add("ver", "{}", hex(c.ver));
  l.add("rtd3r", "{}", hex(c.rtd3r));
  l.add("rtd3e", "{}", hex(c.rtd3e));
  l.add("oaes", "{}", hex(c.oaes));
  l.add("ctratt", "{}", hex(c.ctratt));
  l.add("rrls", "{}", hex(c.rrls));
  l.add("cntrltype", "{}", c.cntrltype);
  l.add("fguid", "{}", uuid_string(c.fguid));
  l.add("crdt1", "{}", c.crdt1);
  l.add("crdt2", "{}", c.crdt2);
  l.add("crdt3", "{}", c.crdt3);
  l.add("nvmsr", "{}", c.nvmsr);
  l.add("vwci", "{}", c.vwci);
  l.add("mec", "{}", c.mec);
  l.add("oacs", "{}", hex(c.oacs));
  l.add("acl", "{}", c.acl);
  l.add("aerl", "{}", c.aerl);
  l.add("frmw", "{}", hex(c.frmw));
  l.add("lpa", "{}", hex(c.lpa));
  l.add("elpe", "{}", c.elpe);
  l.add("npss", "{}", c.npss);
  l.add("avscc", "{}", hex(c.avscc));
  l.add("apsta", "{}", hex(c.apsta));
  l.add("wctemp", "{}", c.wctemp);
  l.add("cctemp", "{}", c.cctemp);
  l.add("mtfa", "{}", c.mtfa);
  l.add("hmpre", "{}", c.hmpre);
  l.add("hmmin", "{}", c.hmmin);
  l.add("tnvmcap", "{}", c.tnvmcap.to_decimal());
  l.add("unvmcap", "{}", c.unvmcap.to_decimal());
  l.add("rpmbs", "{}", hex(c.rpmbs));
  l.add("edstt", "{}", c.edstt);
  l.add("dsto", "{}", c.dsto);
  l.add("fwug", "{}", c.fwug);
  l.add("kas", "{}", c.kas);
  l.add("hctma", "{}", hex(c.hctma));
  l.add("mntmt", "{}", c.mntmt);
  l.add("mxtmt", "{}", c.mxtmt);
  l.add("sanicap", "{}", hex(c.sanicap));
  l.add("hmminds", "{}", c.hmminds);
  l.add("hmmaxd", "{}", c.hmmaxd);
  l.add("nsetidmax", "{}", c.nsetidmax);
  l.add("endgidmax", "{}", c.endgidmax);
  l.add("anatt", "{}", c.anatt);
  l.add("anacap", "{}", c.anacap);
  l.add("anagrpmax", "{}", c.anagrpmax);
  l.add("nanagrpid", "{}", c.nanagrpid);
  l.add("pels", "{}", c.pels);
  l.add("domainid", "{}", c.domainid);
  l.add("megcap", "{}", c.megcap.to_decimal());
  l.add("sqes", "{}", hex(c.sqes));
  l.add("cqes", "{}", hex(c.cqes));
  l.add("maxcmd", "{}", c.maxcmd);
  l.add("nn", "{}", c.nn);
  l.add("oncs", "{}", hex(c.oncs));
  l.add("fuses", "{}", hex(c.fuses));
  l.add("fna", "{}", hex(c.fna));
  l.add("vwc", "{}", hex(c.vwc));
  l.add("awun", "{}", c.awun);
  l.add("awupf", "{}", c.awupf);
  l.add("icsvscc", "{}", c.icsvscc);
  l.add("nwpc", "{}", c.nwpc);
  l.add("acwu", "{}", c.acwu);
  l.add("ocfs", "{}", hex(c.ocfs));
  l.add("sgls", "{}", hex(c.sgls));
  l.add("mnan", "{}", c.mnan);
  l.add("maxdna", "{}", c.maxdna.to_decimal());
  l.add("maxcna", "{}", c.maxcna);
  l.add("subnqn", "{}", harness::terminal_safe(c.subnqn));
  l.add("ioccsz", "{}", c.ioccsz);
  l.add("iorcsz", "{}", c.iorcsz);
  l.add("icdoff", "{}", c.icdoff);
  l.add("fcatt", "{}", hex(c.fcatt));
  l.add("msdbd", "{}", c.msdbd);
  l.add("ofcs", "{}", c.ofcs);
  l.add("dctype", "{}", c.dctype);
  // NPSS is 0-based: power states 0..NPSS are described.
  for (size_t i = 0; i <= c.npss && i < c.psd.size(); ++i) {
    const auto& p = c.psd[i];
    l.raw(fmt::format("ps {:>4} : mp:{} {}operational enlat:{} exlat:{} rrt:{} rrl:{}\n", i, max_power(p),
                      p.nops ? "non-" : "", p.enlat, p.exlat, p.rrt, p.rrl));
    l.raw(fmt::format("          rwt:{} rwl:{} idle_power:{} active_power:{}\n", p.rwt, p.rwl,
                      scaled_power(p.idlp, p.ips), scaled_power(p.actp, p.aps)));
    l.raw(fmt::format("          active_power_workload:{}\n", workload(p)));
  }
  return l.take();
}

std::string format_identify_namespace(const IdentifyNamespace& n, uint32_t nsid) {
  Lines l(8);
  l.raw(fmt::format("NVME Identify Namespace {}:\n", nsid));
  l.add("nsze", "{}", hex(n.nsze));
  l.add("ncap", "{}", hex(n.ncap));
  l.add("nuse", "{}", hex(n.nuse));
  l.add("nsfeat", "{}", hex(n.nsfeat));
  l.add("nlbaf", "{}", n.nlbaf);
  l.add("flbas", "{}", hex(n.flbas));
  l.add("mc", "{}", hex(n.mc));
  l.add("dpc", "{}", hex(n.dpc));
  l.add("dps", "{}", hex(n.dps));
  l.add("nmic", "{}", hex(n.nmic));
  l.add("rescap", "{}", hex(n.rescap));
  l.add("fpi", "{}", hex(n.fpi));
  l.add("dlfeat", "{}", n.dlfeat);
  l.add("nawun", "{}", n.nawun);
  l.add("nawupf", "{}", n.nawupf);
  l.add("nacwu", "{}", n.nacwu);
  l.add("nabsn", "{}", n.nabsn);
  l.add("nabo", "{}", n.nabo);
  l.add("nabspf", "{}", n.nabspf);
  l.add("noiob", "{}", n.noiob);
  l.add("nvmcap", "{}", n.nvmcap.to_decimal());
  // Unlike nvme-cli (which hides them unless NSFEAT bit 4 is set), the
  // preferred granularity fields are always shown: a conformance tool wants
  // to see a value the device should have left zero.
  l.add("npwg", "{}", n.npwg);
  l.add("npwa", "{}", n.npwa);
  l.add("npdg", "{}", n.npdg);
  l.add("npda", "{}", n.npda);
  l.add("nows", "{}", n.nows);
  l.add("mssrl", "{}", n.mssrl);
  l.add("mcl", "{}", n.mcl);
  l.add("msrc", "{}", n.msrc);
  l.add("nulbaf", "{}", n.nulbaf);
  l.add("anagrpid", "{}", n.anagrpid);
  l.add("nsattr", "{}", n.nsattr);
  l.add("nvmsetid", "{}", n.nvmsetid);
  l.add("endgid", "{}", n.endgid);
  l.add("nguid", "{}", hex_string(n.nguid));
  l.add("eui64", "{}", hex_string(n.eui64));
  const uint8_t in_use = n.active_format_index();
  for (uint32_t i = 0; i < n.format_count() && i < n.lbaf.size(); ++i) {
    const auto& f = n.lbaf[i];
    l.raw(fmt::format("lbaf {:>2} : ms:{:<3} lbads:{:<2} rp:{}{}\n", i, f.ms, f.lbads, hex(f.rp),
                      i == in_use ? " (in use)" : ""));
  }
  return l.take();
}

}  // namespace nvqual::app
