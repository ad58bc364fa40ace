// Registers, timing, queues, controller and health: the sections that are one
// mapping of plain values each.
#include <algorithm>
#include <sstream>
#include <vector>

#include "profile_sections.hpp"

namespace nvqual::sim::detail {

namespace {

// "2.0", "1.4.0" or an integer in the VS encoding (NVMe Base 2.0, 3.1.3.2).
uint32_t read_version(MapReader& map, const std::string& key) {
  const YAML::Node node = map.required(key);
  const std::string expected = "expected \"MAJOR.MINOR\" or \"MAJOR.MINOR.TERTIARY\" (e.g. \"2.0\")";
  const std::string text = read_string(map.source(), node, map.field(key));
  std::vector<uint64_t> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, '.')) {
    if (part.empty() || !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        part.size() > 5) {
      map.source().fail(node.Mark(), map.field(key) + " is '" + text + "'", expected);
    }
    parts.push_back(std::stoull(part));
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0] == 0 || parts[0] > kU16 || parts[1] > kU8 ||
      (parts.size() == 3 && parts[2] > kU8)) {
    map.source().fail(node.Mark(), map.field(key) + " is '" + text + "'", expected);
  }
  return static_cast<uint32_t>((parts[0] << 16) | (parts[1] << 8) | (parts.size() == 3 ? parts[2] : 0));
}

// Printable ASCII of at most `max` characters (SN, MN, FR: 2.0, 1.5 ASCII strings).
std::string read_ascii(MapReader& map, const std::string& key, size_t max, bool required) {
  const auto node = required ? std::optional<YAML::Node>(map.required(key)) : map.optional(key);
  if (!node) return {};
  const std::string text = read_string(map.source(), *node, map.field(key));
  const std::string expected = "expected printable ASCII of at most " + std::to_string(max) + " characters";
  if (text.size() > max) {
    map.source().fail(node->Mark(), map.field(key) + " has " + std::to_string(text.size()) + " characters", expected);
  }
  for (char c : text) {
    if (c < 0x20 || c > 0x7E)
      map.source().fail(node->Mark(), map.field(key) + " has a non-printable character", expected);
  }
  return text;
}

}  // namespace

RegisterProfile parse_registers(MapReader map) {
  RegisterProfile r;
  r.mqes = static_cast<uint16_t>(map.uint("mqes", 1, kU16));
  r.cqr = map.flag_or("cqr", true);
  r.ams = static_cast<uint8_t>(map.uint_or("ams", 0, 3, 0));
  r.to = static_cast<uint8_t>(map.uint("to", 1, kU8));
  r.dstrd = static_cast<uint8_t>(map.uint_or("dstrd", 0, 15, 0));
  r.nssrs = map.flag_or("nssrs", false);
  r.css = static_cast<uint8_t>(map.uint_or("css", 0, kU8, 0x01));
  r.mpsmin = static_cast<uint8_t>(map.uint("mpsmin", 0, 15));
  r.mpsmax = static_cast<uint8_t>(map.uint("mpsmax", 0, 15));
  r.crms = static_cast<uint8_t>(map.uint_or("crms", 0, 3, 0));
  r.vs = read_version(map, "version");
  r.crwmt = static_cast<uint16_t>(map.uint_or("crwmt", 0, kU16, 0));
  r.crimt = static_cast<uint16_t>(map.uint_or("crimt", 0, kU16, 0));
  if (r.mpsmax < r.mpsmin) {
    map.source().fail(map.required("mpsmax").Mark(), "registers.mpsmax is below mpsmin",
                      "expected mpsmax >= mpsmin (" + std::to_string(r.mpsmin) + ")");
  }
  if ((r.css & 0x01) == 0) {
    map.source().fail(map.required("css").Mark(), "registers.css lacks bit 0 (NVM command set)",
                      "expected bit 0 set: the simulator serves NVM namespaces");
  }
  map.finish();
  return r;
}

TimingProfile parse_timing(MapReader map) {
  constexpr uint64_t kHour = 3'600'000'000;
  TimingProfile t;
  t.ready_latency = std::chrono::microseconds(map.uint_or("ready_latency_us", 0, kHour, 0));
  t.disable_latency = std::chrono::microseconds(map.uint_or("disable_latency_us", 0, kHour, 0));
  t.shutdown_latency = std::chrono::microseconds(map.uint_or("shutdown_latency_us", 0, kHour, 0));
  t.command_latency = std::chrono::microseconds(map.uint_or("command_latency_us", 0, 10'000'000, 0));
  map.finish();
  return t;
}

QueueProfile parse_queues(MapReader map) {
  QueueProfile q;
  q.max_io_queues = static_cast<uint16_t>(map.uint_or("max_io_queues", 1, kU16 - 1, 64));
  q.interrupt_vectors = static_cast<uint16_t>(map.uint_or("interrupt_vectors", 1, 2048, 65));
  map.finish();
  return q;
}

ControllerProfile parse_controller(MapReader map, uint32_t register_version) {
  ControllerProfile c;
  c.vid = static_cast<uint16_t>(map.uint("vid", 0, kU16));
  c.ssvid = static_cast<uint16_t>(map.uint_or("ssvid", 0, kU16, c.vid));
  c.serial = read_ascii(map, "serial", 20, true);
  c.model = read_ascii(map, "model", 40, true);
  c.firmware = read_ascii(map, "firmware", 8, true);
  c.ieee = static_cast<uint32_t>(map.uint_or("ieee", 0, 0xFFFFFF, 0));
  c.cmic = static_cast<uint8_t>(map.uint_or("cmic", 0, kU8, 0));
  c.mdts = static_cast<uint8_t>(map.uint("mdts", 0, 20));
  c.cntlid = static_cast<uint16_t>(map.uint_or("cntlid", 0, 0xFFEF, 1));
  c.ver = map.has("version") ? read_version(map, "version") : register_version;
  c.rtd3r = static_cast<uint32_t>(map.uint_or("rtd3r", 0, kU32, 0));
  c.rtd3e = static_cast<uint32_t>(map.uint_or("rtd3e", 0, kU32, 0));
  c.oaes = static_cast<uint32_t>(map.uint_or("oaes", 0, kU32, 0));
  c.ctratt = static_cast<uint32_t>(map.uint_or("ctratt", 0, kU32, 0));
  c.oacs = static_cast<uint16_t>(map.uint_or("oacs", 0, kU16, 0));
  c.acl = static_cast<uint8_t>(map.uint_or("acl", 0, kU8, 3));
  c.aerl = static_cast<uint8_t>(map.uint_or("aerl", 0, kU8, 3));
  c.frmw = static_cast<uint8_t>(map.uint_or("frmw", 0, kU8, 0x02));
  c.lpa = static_cast<uint8_t>(map.uint_or("lpa", 0, kU8, 0));
  c.elpe = static_cast<uint8_t>(map.uint_or("elpe", 0, kU8, 63));
  c.wctemp = static_cast<uint16_t>(map.uint_or("wctemp", 0, kU16, 343));
  c.cctemp = static_cast<uint16_t>(map.uint_or("cctemp", 0, kU16, 358));
  c.nn = static_cast<uint32_t>(map.uint_or("nn", 0, kU32 - 1, 0));
  c.oncs = static_cast<uint16_t>(map.uint_or("oncs", 0, kU16, 0));
  c.vwc = static_cast<uint8_t>(map.uint_or("vwc", 0, kU8, 0));
  c.subnqn = read_ascii(map, "subnqn", 223, false);
  c.max_power_cw = static_cast<uint16_t>(map.uint_or("max_power_cw", 0, kU16, 900));
  const uint8_t slots = static_cast<uint8_t>((c.frmw >> 1) & 0x7);
  if (slots == 0) {
    map.source().fail(map.required("frmw").Mark(), "controller.frmw reports 0 firmware slots",
                      "expected bits 3:1 (the slot count) from 1 to 7");
  }
  map.finish();
  return c;
}

HealthProfile parse_health(MapReader map) {
  HealthProfile h;
  h.temperature = static_cast<uint16_t>(map.uint_or("temperature", 0, kU16, 313));
  h.available_spare = static_cast<uint8_t>(map.uint_or("available_spare", 0, 100, 100));
  h.spare_threshold = static_cast<uint8_t>(map.uint_or("spare_threshold", 0, 100, 10));
  h.percentage_used = static_cast<uint8_t>(map.uint_or("percentage_used", 0, 255, 0));
  h.power_cycles = map.uint_or("power_cycles", 0, kU64, 1);
  h.power_on_hours = map.uint_or("power_on_hours", 0, kU64, 0);
  map.finish();
  return h;
}

}  // namespace nvqual::sim::detail
