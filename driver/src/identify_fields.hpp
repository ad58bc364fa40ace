// Which member of each Identify structure lives in which layout field. One
// binding per field, shared by the parsers (with a FieldReader) and the
// encoders (with a FieldWriter): adding a field means adding one line here.
// Private to the driver library.
#pragma once

#include "field_codec.hpp"
#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/identify_layout.hpp"

namespace nvqual::detail {

// Psd is PowerStateDescriptor or const PowerStateDescriptor.
template <typename Io, typename Psd>
void bind_power_state(const Io& io, Psd& p) {
  namespace L = id_psd_layout;
  io.field(L::mp, p.mp);
  io.bits(L::flags, 0, 1, p.mxps);
  io.bits(L::flags, 1, 1, p.nops);
  io.field(L::enlat, p.enlat);
  io.field(L::exlat, p.exlat);
  io.bits(L::rrt, 0, 5, p.rrt);  // bits 7:5 reserved
  io.bits(L::rrl, 0, 5, p.rrl);  // bits 7:5 reserved
  io.bits(L::rwt, 0, 5, p.rwt);  // bits 7:5 reserved
  io.bits(L::rwl, 0, 5, p.rwl);  // bits 7:5 reserved
  io.field(L::idlp, p.idlp);
  io.bits(L::ips, 6, 2, p.ips);
  io.field(L::actp, p.actp);
  io.bits(L::apws, 0, 3, p.apw);
  io.bits(L::apws, 6, 2, p.aps);
}

template <typename Io, typename Ctrl>
void bind_identify_controller(const Io& io, Ctrl& c) {
  namespace L = id_ctrl_layout;
  io.field(L::vid, c.vid);
  io.field(L::ssvid, c.ssvid);
  io.text(L::sn, c.sn, Pad::kSpace);
  io.text(L::mn, c.mn, Pad::kSpace);
  io.text(L::fr, c.fr, Pad::kSpace);
  io.field(L::rab, c.rab);
  io.field(L::ieee, c.ieee);
  io.field(L::cmic, c.cmic);
  io.field(L::mdts, c.mdts);
  io.field(L::cntlid, c.cntlid);
  io.field(L::ver, c.ver);
  io.field(L::rtd3r, c.rtd3r);
  io.field(L::rtd3e, c.rtd3e);
  io.field(L::oaes, c.oaes);
  io.field(L::ctratt, c.ctratt);
  io.field(L::rrls, c.rrls);
  io.field(L::cntrltype, c.cntrltype);
  io.field(L::fguid, c.fguid);
  io.field(L::crdt1, c.crdt1);
  io.field(L::crdt2, c.crdt2);
  io.field(L::crdt3, c.crdt3);
  io.field(L::nvmsr, c.nvmsr);
  io.field(L::vwci, c.vwci);
  io.field(L::mec, c.mec);
  io.field(L::oacs, c.oacs);
  io.field(L::acl, c.acl);
  io.field(L::aerl, c.aerl);
  io.field(L::frmw, c.frmw);
  io.field(L::lpa, c.lpa);
  io.field(L::elpe, c.elpe);
  io.field(L::npss, c.npss);
  io.field(L::avscc, c.avscc);
  io.field(L::apsta, c.apsta);
  io.field(L::wctemp, c.wctemp);
  io.field(L::cctemp, c.cctemp);
  io.field(L::mtfa, c.mtfa);
  io.field(L::hmpre, c.hmpre);
  io.field(L::hmmin, c.hmmin);
  io.field(L::tnvmcap, c.tnvmcap);
  io.field(L::unvmcap, c.unvmcap);
  io.field(L::rpmbs, c.rpmbs);
  io.field(L::edstt, c.edstt);
  io.field(L::dsto, c.dsto);
  io.field(L::fwug, c.fwug);
  io.field(L::kas, c.kas);
  io.field(L::hctma, c.hctma);
  io.field(L::mntmt, c.mntmt);
  io.field(L::mxtmt, c.mxtmt);
  io.field(L::sanicap, c.sanicap);
  io.field(L::hmminds, c.hmminds);
  io.field(L::hmmaxd, c.hmmaxd);
  io.field(L::nsetidmax, c.nsetidmax);
  io.field(L::endgidmax, c.endgidmax);
  io.field(L::anatt, c.anatt);
  io.field(L::anacap, c.anacap);
  io.field(L::anagrpmax, c.anagrpmax);
  io.field(L::nanagrpid, c.nanagrpid);
  io.field(L::pels, c.pels);
  io.field(L::domainid, c.domainid);
  io.field(L::megcap, c.megcap);
  io.field(L::sqes, c.sqes);
  io.field(L::cqes, c.cqes);
  io.field(L::maxcmd, c.maxcmd);
  io.field(L::nn, c.nn);
  io.field(L::oncs, c.oncs);
  io.field(L::fuses, c.fuses);
  io.field(L::fna, c.fna);
  io.field(L::vwc, c.vwc);
  io.field(L::awun, c.awun);
  io.field(L::awupf, c.awupf);
  io.field(L::icsvscc, c.icsvscc);
  io.field(L::nwpc, c.nwpc);
  io.field(L::acwu, c.acwu);
  io.field(L::ocfs, c.ocfs);
  io.field(L::sgls, c.sgls);
  io.field(L::mnan, c.mnan);
  io.field(L::maxdna, c.maxdna);
  io.field(L::maxcna, c.maxcna);
  io.text(L::subnqn, c.subnqn, Pad::kNul);
  io.field(L::ioccsz, c.ioccsz);
  io.field(L::iorcsz, c.iorcsz);
  io.field(L::icdoff, c.icdoff);
  io.field(L::fcatt, c.fcatt);
  io.field(L::msdbd, c.msdbd);
  io.field(L::ofcs, c.ofcs);
  io.field(L::dctype, c.dctype);
  for (size_t i = 0; i < L::kPsdCount; ++i) {
    bind_power_state(io.at(L::psd.offset + i * id_psd_layout::kSize, id_psd_layout::kSize), c.psd[i]);
  }
  io.field(L::vs, c.vs);
}

template <typename Io, typename Lbaf>
void bind_lba_format(const Io& io, Lbaf& f) {
  namespace L = id_lbaf_layout;
  io.field(L::ms, f.ms);
  io.field(L::lbads, f.lbads);
  io.bits(L::rp, 0, 2, f.rp);
}

template <typename Io, typename Ns>
void bind_identify_namespace(const Io& io, Ns& n) {
  namespace L = id_ns_layout;
  io.field(L::nsze, n.nsze);
  io.field(L::ncap, n.ncap);
  io.field(L::nuse, n.nuse);
  io.field(L::nsfeat, n.nsfeat);
  io.field(L::nlbaf, n.nlbaf);
  io.field(L::flbas, n.flbas);
  io.field(L::mc, n.mc);
  io.field(L::dpc, n.dpc);
  io.field(L::dps, n.dps);
  io.field(L::nmic, n.nmic);
  io.field(L::rescap, n.rescap);
  io.field(L::fpi, n.fpi);
  io.field(L::dlfeat, n.dlfeat);
  io.field(L::nawun, n.nawun);
  io.field(L::nawupf, n.nawupf);
  io.field(L::nacwu, n.nacwu);
  io.field(L::nabsn, n.nabsn);
  io.field(L::nabo, n.nabo);
  io.field(L::nabspf, n.nabspf);
  io.field(L::noiob, n.noiob);
  io.field(L::nvmcap, n.nvmcap);
  io.field(L::npwg, n.npwg);
  io.field(L::npwa, n.npwa);
  io.field(L::npdg, n.npdg);
  io.field(L::npda, n.npda);
  io.field(L::nows, n.nows);
  io.field(L::mssrl, n.mssrl);
  io.field(L::mcl, n.mcl);
  io.field(L::msrc, n.msrc);
  io.field(L::nulbaf, n.nulbaf);
  io.field(L::anagrpid, n.anagrpid);
  io.field(L::nsattr, n.nsattr);
  io.field(L::nvmsetid, n.nvmsetid);
  io.field(L::endgid, n.endgid);
  io.field(L::nguid, n.nguid);
  io.field(L::eui64, n.eui64);
  for (size_t i = 0; i < L::kLbafCount; ++i) {
    bind_lba_format(io.at(L::lbaf.offset + i * id_lbaf_layout::kSize, id_lbaf_layout::kSize), n.lbaf[i]);
  }
  io.field(L::vs, n.vs);
}

}  // namespace nvqual::detail
