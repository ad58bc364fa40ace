#include "identify_json.hpp"

#include <string>

#include "identify_print.hpp"  // uuid_string, hex_string

namespace nvqual::app {
namespace {

nlohmann::json wide(const Uint128& v) {
  if (v.fits_64()) return v.lo;
  return v.to_decimal();
}

// nvme-cli's "vs" for a namespace: the vendor bytes up to the first NUL, in
// rows of 16 characters, non-printable bytes shown as '.'.
nlohmann::json vendor_rows(const std::vector<uint8_t>& vs) {
  nlohmann::json rows = nlohmann::json::array();
  std::string row;
  for (uint8_t b : vs) {
    if (b == 0) break;
    row.push_back(b >= '!' && b <= '~' ? static_cast<char>(b) : '.');
    if (row.size() == 16) {
      rows.push_back(row);
      row.clear();
    }
  }
  if (!row.empty()) rows.push_back(row);
  return rows;
}

// NVMe Base 2.0 Figure 276; key names from nvme-cli's psds entries.
nlohmann::json power_state_json(const PowerStateDescriptor& p) {
  return {
      {"max_power", p.mp},
      {"max_power_scale", p.mxps ? 1 : 0},
      {"non-operational_state", p.nops ? 1 : 0},
      {"entry_lat", p.enlat},
      {"exit_lat", p.exlat},
      {"read_tput", p.rrt},
      {"read_lat", p.rrl},
      {"write_tput", p.rwt},
      {"write_lat", p.rwl},
      {"idle_power", p.idlp},
      {"idle_scale", p.ips},
      {"active_power", p.actp},
      {"active_power_work", p.apw},
      {"active_scale", p.aps},
  };
}

}  // namespace

nlohmann::json identify_controller_json(const IdentifyController& c) {
  nlohmann::json j;
  j["vid"] = c.vid;
  j["ssvid"] = c.ssvid;
  j["sn"] = c.sn;
  j["mn"] = c.mn;
  j["fr"] = c.fr;
  j["rab"] = c.rab;
  j["ieee"] = c.ieee;
  j["cmic"] = c.cmic;
  j["mdts"] = c.mdts;
  j["cntlid"] = c.cntlid;
  j["ver"] = c.ver;
  j["rtd3r"] = c.rtd3r;
  j["rtd3e"] = c.rtd3e;
  j["oaes"] = c.oaes;
  j["ctratt"] = c.ctratt;
  j["rrls"] = c.rrls;
  j["cntrltype"] = c.cntrltype;
  j["fguid"] = uuid_string(c.fguid);
  j["crdt1"] = c.crdt1;
  j["crdt2"] = c.crdt2;
  j["crdt3"] = c.crdt3;
  j["nvmsr"] = c.nvmsr;
  j["vwci"] = c.vwci;
  j["mec"] = c.mec;
  j["oacs"] = c.oacs;
  j["acl"] = c.acl;
  j["aerl"] = c.aerl;
  j["frmw"] = c.frmw;
  j["lpa"] = c.lpa;
  j["elpe"] = c.elpe;
  j["npss"] = c.npss;
  j["avscc"] = c.avscc;
  j["apsta"] = c.apsta;
  j["wctemp"] = c.wctemp;
  j["cctemp"] = c.cctemp;
  j["mtfa"] = c.mtfa;
  j["hmpre"] = c.hmpre;
  j["hmmin"] = c.hmmin;
  j["tnvmcap"] = wide(c.tnvmcap);
  j["unvmcap"] = wide(c.unvmcap);
  j["rpmbs"] = c.rpmbs;
  j["edstt"] = c.edstt;
  j["dsto"] = c.dsto;
  j["fwug"] = c.fwug;
  j["kas"] = c.kas;
  j["hctma"] = c.hctma;
  j["mntmt"] = c.mntmt;
  j["mxtmt"] = c.mxtmt;
  j["sanicap"] = c.sanicap;
  j["hmminds"] = c.hmminds;
  j["hmmaxd"] = c.hmmaxd;
  j["nsetidmax"] = c.nsetidmax;
  j["endgidmax"] = c.endgidmax;
  j["anatt"] = c.anatt;
  j["anacap"] = c.anacap;
  j["anagrpmax"] = c.anagrpmax;
  j["nanagrpid"] = c.nanagrpid;
  j["pels"] = c.pels;
  j["domainid"] = c.domainid;
  j["megcap"] = wide(c.megcap);
  j["sqes"] = c.sqes;
  j["cqes"] = c.cqes;
  j["maxcmd"] = c.maxcmd;
  j["nn"] = c.nn;
  j["oncs"] = c.oncs;
  j["fuses"] = c.fuses;
  j["fna"] = c.fna;
  j["vwc"] = c.vwc;
  j["awun"] = c.awun;
  j["awupf"] = c.awupf;
  j["icsvscc"] = c.icsvscc;
  j["nwpc"] = c.nwpc;
  j["acwu"] = c.acwu;
  j["ocfs"] = c.ocfs;
  j["sgls"] = c.sgls;
  j["mnan"] = c.mnan;
  j["maxdna"] = wide(c.maxdna);
  j["maxcna"] = c.maxcna;
  j["subnqn"] = c.subnqn;
  j["ioccsz"] = c.ioccsz;
  j["iorcsz"] = c.iorcsz;
  j["icdoff"] = c.icdoff;
  j["fcatt"] = c.fcatt;
  j["msdbd"] = c.msdbd;
  j["ofcs"] = c.ofcs;
  j["dctype"] = c.dctype;
  // NPSS is 0-based: states 0..NPSS.
  nlohmann::json psds = nlohmann::json::array();
  for (size_t i = 0; i <= c.npss && i < c.psd.size(); ++i) psds.push_back(power_state_json(c.psd[i]));
  j["psds"] = std::move(psds);
  return j;
}

nlohmann::json identify_namespace_json(const IdentifyNamespace& n) {
  nlohmann::json j;
  j["nsze"] = n.nsze;
  j["ncap"] = n.ncap;
  j["nuse"] = n.nuse;
  j["nsfeat"] = n.nsfeat;
  j["nlbaf"] = n.nlbaf;
  j["flbas"] = n.flbas;
  j["mc"] = n.mc;
  j["dpc"] = n.dpc;
  j["dps"] = n.dps;
  j["nmic"] = n.nmic;
  j["rescap"] = n.rescap;
  j["fpi"] = n.fpi;
  j["dlfeat"] = n.dlfeat;
  j["nawun"] = n.nawun;
  j["nawupf"] = n.nawupf;
  j["nacwu"] = n.nacwu;
  j["nabsn"] = n.nabsn;
  j["nabo"] = n.nabo;
  j["nabspf"] = n.nabspf;
  j["noiob"] = n.noiob;
  j["nvmcap"] = wide(n.nvmcap);
  j["npwg"] = n.npwg;
  j["npwa"] = n.npwa;
  j["npdg"] = n.npdg;
  j["npda"] = n.npda;
  j["nows"] = n.nows;
  j["mssrl"] = n.mssrl;
  j["mcl"] = n.mcl;
  j["msrc"] = n.msrc;
  j["nulbaf"] = n.nulbaf;
  j["anagrpid"] = n.anagrpid;
  j["nsattr"] = n.nsattr;
  j["nvmsetid"] = n.nvmsetid;
  j["endgid"] = n.endgid;
  j["nguid"] = hex_string(n.nguid);
  j["eui64"] = hex_string(n.eui64);
  // NLBAF is 0-based: formats 0..NLBAF.
  nlohmann::json lbafs = nlohmann::json::array();
  for (uint32_t i = 0; i < n.format_count() && i < n.lbaf.size(); ++i) {
    lbafs.push_back({{"ms", n.lbaf[i].ms}, {"ds", n.lbaf[i].lbads}, {"rp", n.lbaf[i].rp}});
  }
  j["lbafs"] = std::move(lbafs);
  j["vs"] = vendor_rows(n.vs);
  return j;
}

}  // namespace nvqual::app
