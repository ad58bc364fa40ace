// write_register: one 32-bit write to a register whose write semantics the
// spec defines for a controller nvqual drives (polled, MSI-X never enabled),
// then a read of the same register (NVMe Base 2.0, 3.1.3):
//   intms  RW1S: 1 bits set mask bits, 0 bits change nothing (3.1.3.3)
//   intmc  RW1C: 1 bits clear mask bits; it reads the mask (3.1.3.4)
//   csts   read-only but NSSRO (RW1C): writing 0 changes nothing (3.1.3.6)
// CAP, VS and the other read-only registers are not offered: QEMU 7.2 logs
// any write to them as undefined behaviour, and a conformance run must not
// provoke what a correct host never does (Controller::write_register offers
// only these three).
#include <fmt/format.h>

#include "step_support.hpp"

namespace nvqual::harness::steps {
namespace {

Controller::WritableRegister register_named(const std::string& name) {
  if (name == "intms") return Controller::WritableRegister::kIntms;
  if (name == "intmc") return Controller::WritableRegister::kIntmc;
  return Controller::WritableRegister::kCsts;
}

void run(StepContext& ctx, const StepArgs& args, Observations& out) {
  const std::string& name = args.choice("register");
  const uint64_t value = args.number("value", ctx.variables());
  const uint32_t read_back = ctx.controller().write_register(register_named(name), static_cast<uint32_t>(value));
  out["value"] = uint64_t{read_back};
  ctx.measure("register write", fmt::format("{} <- {:#010x}, reads {:#010x}", name, value, read_back));
}

const StepRegistrar registrar{{
    .name = "write_register",
    .description = "Writes INTMS, INTMC or CSTS (32 bits) and reads the register back",
    .params = {{.name = "register",
                .kind = ParamKind::kChoice,
                .description = "the register to write",
                .choices = {"intms", "intmc", "csts"}},
               {.name = "value", .description = "the 32-bit value written", .max = 0xFFFFFFFF}},
    .observations = {{"value", ValueKind::kNumber, "the register read right after the write"}},
    .run = run,
}};

}  // namespace
}  // namespace nvqual::harness::steps
