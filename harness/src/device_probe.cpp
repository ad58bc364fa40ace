#include "nvqual/harness/device_probe.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nvqual/harness/value.hpp"

namespace nvqual::harness {

TargetInfo probe_device(Controller& controller, uint16_t io_queues_wanted) {
  TargetInfo info;
  Transport& transport = controller.transport();
  info.simulator = transport.is_simulator();
  info.description = transport.name();
  if (!info.simulator) info.bdf = transport.name();

  controller.disable();  // from whatever state the device was left in
  // Capabilities as the controller reports them while disabled; cases compare
  // what they read in other states against these.
  const RegisterSnapshot regs = controller.read_registers();
  const Transition enabled = controller.enable();
  // The driver waits CAP.TO/CRTO plus a slack before giving up; the bound a
  // device must meet (and `within: ready_timeout_ms` checks) is without it.
  const std::chrono::nanoseconds slack = controller.options().ready_slack;
  const auto latency = [&](const Transition& t) {
    return fmt::format("{} (bound {} from CAP.TO/CRTO; the driver waits {} more before giving up)",
                       format_duration(t.latency), format_duration(t.bound - slack), format_duration(slack));
  };
  info.ready_latency = latency(enabled);

  Variables& f = info.facts;
  f["mqes"] = regs.cap.mqes();
  f["max_queue_entries"] = regs.cap.max_queue_entries();
  f["cqr"] = regs.cap.cqr();
  f["cap_to"] = regs.cap.to();
  f["ready_timeout_ms"] = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(enabled.bound - slack).count());
  f["dstrd"] = regs.cap.dstrd();
  f["css"] = regs.cap.css();
  f["mpsmin"] = regs.cap.mpsmin();
  f["mpsmax"] = regs.cap.mpsmax();
  f["nssrs"] = regs.cap.nssrs();
  f["crms"] = regs.cap.crms();
  f["page_size"] = controller.page_size();
  f["vs_major"] = regs.vs.mjr();
  f["vs_minor"] = regs.vs.mnr();
  f["vs"] = regs.vs.raw;
  info.nvme_version = fmt::format("{}.{}.{}", regs.vs.mjr(), regs.vs.mnr(), regs.vs.ter());

  const IdentifyController id = controller.identify_controller();
  info.vid = fmt::format("{:#06x}", id.vid);
  info.ssvid = fmt::format("{:#06x}", id.ssvid);
  info.serial = id.sn;
  info.model = id.mn;
  info.firmware = id.fr;
  f["vid"] = id.vid;
  f["ssvid"] = id.ssvid;
  f["mdts"] = id.mdts;
  f["max_transfer_bytes"] = controller.max_transfer_bytes();
  f["nn"] = id.nn;
  f["oacs"] = id.oacs;
  f["oncs"] = id.oncs;
  f["fuses"] = id.fuses;
  f["sgls"] = id.sgls;
  f["maxcmd"] = id.maxcmd;
  f["cntlid"] = id.cntlid;
  f["acl"] = id.acl;
  // RTD3E is in microseconds; a `within:` bound is in milliseconds, and rounding
  // down would make a device that meets its own figure fail by a fraction.
  f["rtd3e_ms"] = (uint64_t{id.rtd3e} + 999) / 1000;
  f["aerl"] = id.aerl;
  f["lpa"] = id.lpa;
  f["elpe"] = id.elpe;
  f["oaes"] = id.oaes;
  f["vwc"] = id.vwc;
  f["npss"] = id.npss;
  f["wctemp"] = id.wctemp;

  const std::vector<uint32_t> nsids = controller.active_namespaces();
  f["namespaces"] = nsids.size();
  if (!nsids.empty()) {
    const IdentifyNamespace ns = controller.identify_namespace(nsids.front());
    f["nsid"] = nsids.front();
    f["last_nsid"] = nsids.back();
    f["nsze"] = ns.nsze;
    f["ncap"] = ns.ncap;
    f["nuse"] = ns.nuse;
    f["nlbaf"] = ns.nlbaf;
    f["flbas"] = ns.flbas;
    f["lba_size"] = ns.lba_size();
    f["dlfeat"] = ns.dlfeat;
    f["max_transfer_blocks"] = ns.lba_size() == 0 ? 0 : controller.max_transfer_bytes() / ns.lba_size();
  }

  const cmd::QueueCounts granted = controller.set_number_of_queues(io_queues_wanted, io_queues_wanted);
  f["io_sqs"] = granted.io_sq;
  f["io_cqs"] = granted.io_cq;
  f["io_queues"] = std::min(granted.io_sq, granted.io_cq);
  const Transition disabled = controller.disable();  // from enabled: a real CC.EN 1->0 to measure
  info.reset_latency = latency(disabled);
  return info;
}

}  // namespace nvqual::harness
