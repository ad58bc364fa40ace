// BAR0 register access (NVMe Base 2.0, 3.1.3): decoding offsets and widths,
// reserved bits, and the lazy advance of timed state on each access. The CC/CSTS
// state machine the writes drive is in device_state_machine.cpp.
#include <fmt/format.h>

#include "device.hpp"

namespace nvqual::sim {

namespace {

using spec::Cc;
using spec::Csts;
namespace reg = spec::reg;

// 64-bit registers are also reachable as two 32-bit halves (low dword first).
constexpr uint32_t low_dword(uint64_t v) { return static_cast<uint32_t>(v); }
constexpr uint32_t high_dword(uint64_t v) { return static_cast<uint32_t>(v >> 32); }
constexpr uint64_t with_low_dword(uint64_t v, uint32_t low) { return (v & 0xFFFFFFFF00000000ull) | low; }
constexpr uint64_t with_high_dword(uint64_t v, uint32_t high) { return (v & 0xFFFFFFFFull) | (uint64_t{high} << 32); }

constexpr uint32_t kCapHigh = reg::kCap + 4;
constexpr uint32_t kAsqHigh = reg::kAsq + 4;
constexpr uint32_t kAcqHigh = reg::kAcq + 4;
// 2.0 Figure 35: optional 64-bit registers this controller does not implement.
constexpr uint32_t kBpmbl = 0x48;
constexpr uint32_t kCmbmsc = 0x50;

bool is_64bit_register(uint32_t offset) {
  return offset == reg::kCap || offset == reg::kAsq || offset == reg::kAcq || offset == kBpmbl || offset == kCmbmsc;
}

}  // namespace

std::string Device::register_name(uint32_t offset) const {
  switch (offset) {
    case reg::kCap: return "CAP";
    case kCapHigh: return "CAP (upper dword)";
    case reg::kVs: return "VS";
    case reg::kIntms: return "INTMS";
    case reg::kIntmc: return "INTMC";
    case reg::kCc: return "CC";
    case reg::kCsts: return "CSTS";
    case reg::kNssr: return "NSSR";
    case reg::kAqa: return "AQA";
    case reg::kAsq: return "ASQ";
    case kAsqHigh: return "ASQ (upper dword)";
    case reg::kAcq: return "ACQ";
    case kAcqHigh: return "ACQ (upper dword)";
    case reg::kCmbloc: return "CMBLOC";
    case reg::kCmbsz: return "CMBSZ";
    case 0x40: return "BPINFO";
    case 0x44: return "BPRSEL";
    case kBpmbl: return "BPMBL";
    case kCmbmsc: return "CMBMSC";
    case 0x58: return "CMBSTS";
    case 0x5C: return "CMBEBS";
    case 0x60: return "CMBSWTP";
    case 0x64: return "NSSD";
    case reg::kCrto: return "CRTO";
    default: break;
  }
  if (offset >= reg::kDoorbellBase && offset < bar_size_) return "a doorbell";
  if (offset >= bar_size_) return "outside BAR0";
  return "a reserved offset";
}

void Device::power_on_registers() {
  const RegisterProfile& r = profile_.registers;
  regs_.cap = spec::Cap{}
                  .set_mqes(r.mqes)
                  .set_cqr(r.cqr ? 1 : 0)
                  .set_ams(r.ams)
                  .set_to(r.to)
                  .set_dstrd(r.dstrd)
                  .set_nssrs(r.nssrs ? 1 : 0)
                  .set_css(r.css)
                  .set_mpsmin(r.mpsmin)
                  .set_mpsmax(r.mpsmax)
                  .set_crms(r.crms);
  regs_.vs = spec::Version{r.vs};
  regs_.crto = spec::Crto{}.set_crwmt(r.crwmt).set_crimt(r.crimt);
  regs_.intms = 0;
  regs_.cc = Cc{};
  regs_.csts = Csts{};
  regs_.aqa = spec::Aqa{};
  regs_.asq = spec::QueueBase{};
  regs_.acq = spec::QueueBase{};
  phase_ = Phase::kDisabled;
}

spec::Csts Device::csts_value() const {
  const bool ready = phase_ == Phase::kReady || phase_ == Phase::kDisabling;
  return regs_.csts.set_rdy(ready ? 1 : 0);
}

void Device::advance(Lock& /*held*/) {
  if (phase_ != Phase::kEnabling && phase_ != Phase::kDisabling && !shutdown_pending_) return;  // nothing timed
  const auto now = clock_.now();
  const TimingProfile& t = profile_.timing;
  if (phase_ == Phase::kEnabling && !faults_.never_ready() && now - phase_since_ >= t.ready_latency) {
    phase_ = Phase::kReady;
    ++counters_.ready_transitions;
  }
  if (phase_ == Phase::kDisabling && now - phase_since_ >= t.disable_latency) phase_ = Phase::kDisabled;
  // Shutdown completes once the latency passed and every fetched command finished.
  if (shutdown_pending_ && now - shutdown_since_ >= t.shutdown_latency && in_flight_count_ == 0) {
    regs_.csts = regs_.csts.set_shst(Csts::kShstComplete);
    shutdown_pending_ = false;
  }
  update_accepting();
}

// ---- Transport entry points -------------------------------------------------

uint32_t Device::read32(uint32_t offset) {
  Lock lock(mutex_);
  if (gone_) return spec::kAllOnes32;
  advance(lock);
  if (offset % 4 != 0) {
    violation(fmt::format("32-bit read at 0x{:x} is not dword aligned; registers are read at dword offsets", offset));
    return 0;
  }
  if (offset >= reg::kDoorbellBase) {
    violation(fmt::format("32-bit read at 0x{:x} ({}): doorbells are write-only and nothing lies beyond them", offset,
                          register_name(offset)));
    return 0;
  }
  return hostile_.register_value(offset, register_read(offset));
}

uint64_t Device::read64(uint32_t offset) {
  Lock lock(mutex_);
  if (gone_) return spec::kAllOnes64;
  advance(lock);
  if (offset % 4 != 0 || offset >= reg::kDoorbellBase) {
    violation(fmt::format("64-bit read at 0x{:x} ({}): only the 64-bit registers (CAP, ASQ, ACQ) take 64-bit reads",
                          offset, register_name(offset)));
    return 0;
  }
  if (!is_64bit_register(offset)) {
    violation(
        fmt::format("64-bit read at 0x{:x} spans {} and the register after it; {} is a 32-bit register, read "
                    "it with a 32-bit access",
                    offset, register_name(offset), register_name(offset)));
  }
  return hostile_.register_value64(offset, register_read(offset) | (uint64_t{register_read(offset + 4)} << 32));
}

void Device::write32(uint32_t offset, uint32_t value) {
  // Threaded mode: a valid doorbell write needs no lock (the I/O hot path).
  if (mode_ == Mode::kThreaded && offset >= reg::kDoorbellBase && offset < bar_size_ &&
      doorbell_fast_path(offset, value)) {
    return;
  }
  Lock lock(mutex_);
  if (gone_) return;
  advance(lock);
  if (offset % 4 != 0) {
    violation(fmt::format("32-bit write of 0x{:x} at 0x{:x} is not dword aligned; ignored", value, offset));
    return;
  }
  if (offset >= bar_size_) {
    violation(
        fmt::format("32-bit write of 0x{:x} at 0x{:x} is outside BAR0 ({} bytes); ignored", value, offset, bar_size_));
    return;
  }
  if (offset >= reg::kDoorbellBase) {
    doorbell_write(offset, value, lock);
  } else {
    register_write(offset, value, lock);
  }
  update_accepting();
}

void Device::write64(uint32_t offset, uint64_t value) {
  Lock lock(mutex_);
  if (gone_) return;
  advance(lock);
  if (offset == reg::kAsq || offset == reg::kAcq) {
    spec::QueueBase& base = offset == reg::kAsq ? regs_.asq : regs_.acq;
    write_queue_base(base, offset == reg::kAsq ? "ASQ" : "ACQ", false, low_dword(value));
    write_queue_base(base, offset == reg::kAsq ? "ASQ" : "ACQ", true, high_dword(value));
    return;
  }
  if (offset == reg::kCap) {
    violation(fmt::format("64-bit write of 0x{:x} to CAP, a read-only register; ignored", value));
    return;
  }
  violation(fmt::format("64-bit write of 0x{:x} at 0x{:x} ({}); {} takes 32-bit writes only; ignored", value, offset,
                        register_name(offset),
                        offset >= reg::kDoorbellBase ? std::string("a doorbell") : register_name(offset)));
}

// ---- registers --------------------------------------------------------------

uint32_t Device::register_read(uint32_t offset) {
  switch (offset) {
    case reg::kCap: return low_dword(regs_.cap.raw);
    case kCapHigh: return high_dword(regs_.cap.raw);
    case reg::kVs: return regs_.vs.raw;
    case reg::kIntms:
    case reg::kIntmc: return regs_.intms;
    case reg::kCc: return regs_.cc.raw;
    case reg::kCsts: return csts_value().raw;
    case reg::kAqa: return regs_.aqa.raw;
    case reg::kAsq: return low_dword(regs_.asq.raw);
    case kAsqHigh: return high_dword(regs_.asq.raw);
    case reg::kAcq: return low_dword(regs_.acq.raw);
    case kAcqHigh: return high_dword(regs_.acq.raw);
    case reg::kCrto: return regs_.crto.raw;
    default: return 0;  // NSSR reads 0; reserved and unimplemented registers read 0
  }
}

void Device::register_write(uint32_t offset, uint32_t value, Lock& lock) {
  hostile_.register_written();
  switch (offset) {
    case reg::kIntms: regs_.intms |= value; return;   // write 1 to set a mask bit
    case reg::kIntmc: regs_.intms &= ~value; return;  // write 1 to clear it
    case reg::kCc: write_cc(Cc{value}, lock); return;
    case reg::kCsts: {
      const Csts written{value};
      if (written.set_nssro(0).raw != 0) {
        violation(
            fmt::format("CSTS written with 0x{:x}; CSTS is read-only except NSSRO (write 1 to clear); the "
                        "other bits are ignored",
                        value));
      }
      if (written.nssro() != 0) regs_.csts = regs_.csts.set_nssro(0);
      return;
    }
    case reg::kNssr:
      if (value != spec::Nssr::kResetValue) return;  // other values have no effect (3.1.3.7)
      if (regs_.cap.nssrs() == 0) {
        violation("NSSR written with \"NVMe\" but CAP.NSSRS=0 (no NVM subsystem reset); ignored");
        return;
      }
      controller_reset(lock);
      power_on_registers();
      regs_.csts = regs_.csts.set_nssro(1);
      return;
    case reg::kAqa: {
      const spec::Aqa written{value};
      const spec::Aqa clean = spec::Aqa{}.set_asqs(written.asqs()).set_acqs(written.acqs());
      if (clean.raw != written.raw) {
        violation(fmt::format("AQA written with 0x{:x}: reserved bits 15:12 or 31:28 set; they read 0", value));
      }
      if (regs_.cc.en() != 0) {
        violation(
            fmt::format("AQA written (0x{:x}) while CC.EN=1; program the admin queue only while disabled", value));
      }
      regs_.aqa = clean;
      return;
    }
    case reg::kAsq: write_queue_base(regs_.asq, "ASQ", false, value); return;
    case kAsqHigh: write_queue_base(regs_.asq, "ASQ", true, value); return;
    case reg::kAcq: write_queue_base(regs_.acq, "ACQ", false, value); return;
    case kAcqHigh: write_queue_base(regs_.acq, "ACQ", true, value); return;
    case reg::kCap:
    case kCapHigh:
    case reg::kVs:
    case reg::kCmbloc:
    case reg::kCmbsz:
    case reg::kCrto:
      violation(fmt::format("write of 0x{:x} to {} (0x{:x}), a read-only register; ignored", value,
                            register_name(offset), offset));
      return;
    default:
      violation(fmt::format("write of 0x{:x} to 0x{:x} ({}), which this controller does not implement; ignored", value,
                            offset, register_name(offset)));
      return;
  }
}

void Device::write_queue_base(spec::QueueBase& base, const char* name, bool high_half, uint32_t value) {
  if (regs_.cc.en() != 0) {
    violation(
        fmt::format("{} written (0x{:x}) while CC.EN=1; program the admin queue only while disabled", name, value));
  }
  if (high_half) {
    base.raw = with_high_dword(base.raw, value);
    return;
  }
  const uint32_t reserved = static_cast<uint32_t>(spec::QueueBase::kAlignment - 1);
  if ((value & reserved) != 0) {
    violation(fmt::format("{} written with 0x{:x}: bits 11:0 are reserved (the base is 4 KiB aligned); they read 0",
                          name, value));
  }
  base.raw = with_low_dword(base.raw, value & ~reserved);
}

}  // namespace nvqual::sim
