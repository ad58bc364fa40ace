#include "identify_print.hpp"

#include <concepts>
#include <span>
#include <type_traits>
#include <variant>

#include <fmt/format.h>

#include "nvqual/driver/identify_fields.hpp"
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

// nvme-cli prints "%#x": 0 stays "0", anything else gets "0x".
std::string hex(uint64_t v) { return v == 0 ? "0" : fmt::format("{:#x}", v); }

// nvme-cli's "field : value" lines, labels padded to one width per structure.
class Lines {
 public:
  explicit Lines(int label_width) : width_(label_width) {}
  void add(std::string_view label, std::string_view value) {
    fmt::format_to(std::back_inserter(out_), "{:<{}}: {}\n", label, width_, value);
  }
  void raw(std::string_view text) { out_ += text; }
  std::string take() { return std::move(out_); }

 private:
  int width_;
  std::string out_;
};

// Power states, three lines each in id-ctrl's layout.
void add_entries(Lines& l, const IdentifyController& /*ctrl*/, std::span<const PowerStateDescriptor> states) {
  for (size_t i = 0; i < states.size(); ++i) {
    const auto& p = states[i];
    l.raw(fmt::format("ps {:>4} : mp:{} {}operational enlat:{} exlat:{} rrt:{} rrl:{}\n", i, max_power(p),
                      p.nops ? "non-" : "", p.enlat, p.exlat, p.rrt, p.rrl));
    l.raw(fmt::format("          rwt:{} rwl:{} idle_power:{} active_power:{}\n", p.rwt, p.rwl,
                      scaled_power(p.idlp, p.ips), scaled_power(p.actp, p.aps)));
    l.raw(fmt::format("          active_power_workload:{}\n", workload(p)));
  }
}

// LBA formats, one line each in id-ns's layout, the active one marked.
void add_entries(Lines& l, const IdentifyNamespace& ns, std::span<const LbaFormat> formats) {
  const uint8_t in_use = ns.active_format_index();
  for (size_t i = 0; i < formats.size(); ++i) {
    const auto& f = formats[i];
    l.raw(fmt::format("lbaf {:>2} : ms:{:<3} lbads:{:<2} rp:{}{}\n", i, f.ms, f.lbads, hex(f.rp),
                      i == in_use ? " (in use)" : ""));
  }
}

// One field's value in the form nvme-cli's text gives it (Show, identify_field_descriptor.hpp).
template <typename S, typename T>
std::string text_value(const IdentifyField<S>& f, const T& value) {
  if constexpr (std::unsigned_integral<T> && !std::is_same_v<T, bool>) {
    switch (f.show) {
      case Show::kHex: return hex(value);
      case Show::kOui: return fmt::format("{:06x}", value);
      default: return fmt::format("{}", uint64_t{value});
    }
  } else if constexpr (std::is_same_v<T, Uint128>) {
    return value.to_decimal();
  } else if constexpr (std::is_same_v<T, std::string>) {
    // Device text: a controller must not be able to write escape sequences to the terminal.
    return harness::terminal_safe(value);
  } else if constexpr (std::is_same_v<T, std::array<uint8_t, 16>>) {
    return f.show == Show::kUuid ? uuid_string(value) : hex_string(value);
  } else if constexpr (std::is_same_v<T, std::array<uint8_t, 8>>) {
    return hex_string(value);
  } else {
    return {};  // bits of a list entry or vendor bytes: not shown as a line of their own
  }
}

template <typename S, size_t N>
void add_fields(Lines& l, const std::array<IdentifyField<S>, N>& table, const S& s) {
  for (const auto& f : table) {
    if (f.show == Show::kNotShown || f.show == Show::kVendorRows) continue;
    std::visit(
        [&](auto member) {
          const auto& value = s.*member;
          if constexpr (EntryArray<std::remove_cvref_t<decltype(value)>>) {
            // Power states in the controller, LBA formats in a namespace: the
            // only lists the tables hold, so the only pairs with a presenter.
            if constexpr (requires { add_entries(l, s, entries_in_use(f, s, value)); }) {
              add_entries(l, s, entries_in_use(f, s, value));
            }
          } else {
            l.add(f.wire.name, text_value(f, value));
          }
        },
        f.member);
  }
}

}  // namespace

std::string uuid_string(const std::array<uint8_t, 16>& b) {
  return fmt::format(
      "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}", b[0],
      b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

std::string format_identify_controller(const IdentifyController& ctrl) {
  Lines l(10);
  l.raw("NVME Identify Controller:\n");
  add_fields(l, kIdentifyControllerFields, ctrl);
  return l.take();
}

std::string format_identify_namespace(const IdentifyNamespace& ns, uint32_t nsid) {
  Lines l(8);
  l.raw(fmt::format("NVME Identify Namespace {}:\n", nsid));
  add_fields(l, kIdentifyNamespaceFields, ns);
  return l.take();
}

}  // namespace nvqual::app
