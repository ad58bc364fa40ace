// Register reads: the typed accessors and the snapshot of every register.
// The writes and reserved reads only conformance checks need are in
// controller_register_checks.cpp.
#include "csts_wait.hpp"
#include "nvqual/driver/controller.hpp"

namespace nvqual {

void Controller::check_not_gone(uint32_t raw, const char* register_name) {
  detail::throw_if_gone(transport_, raw, register_name);
}

spec::Cap Controller::cap() { return spec::Cap{transport_.read64(spec::reg::kCap)}; }
spec::Cc Controller::cc() { return spec::Cc{transport_.read32(spec::reg::kCc)}; }
spec::Csts Controller::csts() { return spec::Csts{transport_.read32(spec::reg::kCsts)}; }
spec::Version Controller::version() { return spec::Version{transport_.read32(spec::reg::kVs)}; }

spec::Cap Controller::cap_checked() { return detail::read_cap_checked(transport_); }

RegisterSnapshot Controller::read_registers() {
  RegisterSnapshot s;
  s.cap = cap();
  s.vs = version();
  s.intms = spec::Intms{transport_.read32(spec::reg::kIntms)};
  s.intmc = spec::Intmc{transport_.read32(spec::reg::kIntmc)};
  s.cc = cc();
  s.csts = csts();
  s.nssr = spec::Nssr{transport_.read32(spec::reg::kNssr)};
  s.aqa = spec::Aqa{transport_.read32(spec::reg::kAqa)};
  s.asq = spec::QueueBase{transport_.read64(spec::reg::kAsq)};
  s.acq = spec::QueueBase{transport_.read64(spec::reg::kAcq)};
  s.cmbloc = spec::Cmbloc{transport_.read32(spec::reg::kCmbloc)};
  s.cmbsz = spec::Cmbsz{transport_.read32(spec::reg::kCmbsz)};
  s.crto = spec::Crto{transport_.read32(spec::reg::kCrto)};
  return s;
}

}  // namespace nvqual
