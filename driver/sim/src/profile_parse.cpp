// YAML -> Profile. Every section is read with a MapReader, so unknown keys,
// wrong types, out-of-range values and missing fields all stop the load with
// file:line:column. Cross-field rules (NN covers every NSID, MPSMAX >= MPSMIN,
// faults name existing namespaces...) are checked here too, at the node that
// is wrong. The format is documented in fixtures/sim/README.md.
#include <algorithm>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "nvqual/sim/profile.hpp"
#include "yaml_reader.hpp"

namespace nvqual::sim {

namespace {

using detail::MapReader;
using detail::YamlSource;

constexpr uint64_t kU8 = std::numeric_limits<uint8_t>::max();
constexpr uint64_t kU16 = std::numeric_limits<uint16_t>::max();
constexpr uint64_t kU32 = std::numeric_limits<uint32_t>::max();
constexpr uint64_t kU64 = std::numeric_limits<uint64_t>::max();

// "2.0", "1.4.0" or an integer in the VS encoding (NVMe Base 2.0, 3.1.3.2).
uint32_t read_version(MapReader& map, const std::string& key) {
  const YAML::Node node = map.required(key);
  const std::string expected = "expected \"MAJOR.MINOR\" or \"MAJOR.MINOR.TERTIARY\" (e.g. \"2.0\")";
  const std::string text = detail::read_string(map.source(), node, map.field(key));
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
  const std::string text = detail::read_string(map.source(), *node, map.field(key));
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

LbaFormatProfile parse_format(MapReader map) {
  LbaFormatProfile f;
  const YAML::Node size = map.required("data_size");
  f.data_size = static_cast<uint32_t>(detail::read_uint(map.source(), size, map.field("data_size"), 512, 65536));
  if ((f.data_size & (f.data_size - 1)) != 0) {
    map.source().fail(size.Mark(), map.field("data_size") + " is " + std::to_string(f.data_size),
                      "expected a power of two from 512 to 65536");
  }
  f.metadata_size = static_cast<uint16_t>(map.uint_or("metadata_size", 0, kU16, 0));
  f.relative_performance = static_cast<uint8_t>(map.uint_or("relative_performance", 0, 3, 0));
  map.finish();
  return f;
}

template <size_t N>
std::array<uint8_t, N> hex_array(MapReader& map, const std::string& key) {
  std::array<uint8_t, N> out{};
  if (const auto node = map.optional(key)) {
    const auto bytes = detail::read_hex_bytes(map.source(), *node, map.field(key), N);
    std::copy(bytes.begin(), bytes.end(), out.begin());
  }
  return out;
}

NamespaceProfile parse_namespace(MapReader map, const std::filesystem::path& base_dir) {
  NamespaceProfile ns;
  ns.nsid = static_cast<uint32_t>(map.uint("nsid", 1, 0xFFFFFFFE));
  const YAML::Node formats = map.required("formats");
  detail::require_sequence(map.source(), formats, map.field("formats"));
  if (formats.size() == 0 || formats.size() > 16) {
    map.source().fail(formats.Mark(), map.field("formats") + " has " + std::to_string(formats.size()) + " entries",
                      "expected 1 to 16 LBA formats");
  }
  for (size_t i = 0; i < formats.size(); ++i) {
    ns.formats.push_back(
        parse_format(MapReader(map.source(), formats[i], map.field("formats") + "[" + std::to_string(i) + "]")));
  }
  const auto active_node = map.optional("active_format");
  ns.active_format = static_cast<uint8_t>(
      active_node ? detail::read_uint(map.source(), *active_node, map.field("active_format"), 0, ns.formats.size() - 1)
                  : 0);
  if (ns.formats[ns.active_format].metadata_size != 0) {
    map.source().fail(active_node ? active_node->Mark() : map.mark(),
                      map.field("active_format") + " selects a format with metadata",
                      "expected an active format with metadata_size 0 (the simulator transfers no metadata)");
  }
  const uint32_t lba_size = ns.lba_size();

  const YAML::Node content = map.required("content");
  uint64_t file_blocks = 0;
  if (content.IsScalar() && content.Scalar() == "stamp") {
    ns.content = Content::kStamp;
  } else if (content.IsMap()) {
    MapReader file_map(map.source(), content, map.field("content"));
    ns.content = Content::kFile;
    const YAML::Node file_node = file_map.required("file");
    const std::filesystem::path relative = detail::read_string(map.source(), file_node, file_map.field("file"));
    ns.backing_file = relative.is_absolute() ? relative : std::filesystem::absolute(base_dir / relative);
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(ns.backing_file, ec);
    if (ec || !std::filesystem::is_regular_file(ns.backing_file)) {
      map.source().fail(file_node.Mark(), "backing file '" + ns.backing_file.string() + "' cannot be read",
                        "expected a regular file (a relative path is taken from the profile's directory)");
    }
    file_blocks = bytes / lba_size;
    if (file_blocks == 0) {
      map.source().fail(file_node.Mark(), "backing file '" + ns.backing_file.string() + "' is smaller than one block",
                        "expected at least " + std::to_string(lba_size) + " bytes");
    }
    file_map.finish();
  } else {
    map.source().fail(content.Mark(), map.field("content") + " is neither 'stamp' nor a mapping",
                      "expected 'stamp' or {file: PATH}");
  }

  if (ns.content == Content::kFile && !map.has("size_blocks")) {
    ns.size_blocks = file_blocks;
  } else {
    const YAML::Node size = map.required("size_blocks");
    ns.size_blocks = detail::read_uint(map.source(), size, map.field("size_blocks"), 1, kU64 / 65536);
    if (ns.content == Content::kFile && ns.size_blocks > file_blocks) {
      map.source().fail(
          size.Mark(), map.field("size_blocks") + " is larger than the backing file",
          "expected at most " + std::to_string(file_blocks) + " blocks of " + std::to_string(lba_size) + " bytes");
    }
  }
  ns.capacity_blocks = map.uint_or("capacity_blocks", 1, ns.size_blocks, ns.size_blocks);
  ns.utilization_blocks = map.uint_or("utilization_blocks", 0, ns.capacity_blocks, ns.capacity_blocks);
  ns.eui64 = hex_array<8>(map, "eui64");
  ns.nguid = hex_array<16>(map, "nguid");
  if (map.has("uuid")) ns.uuid = hex_array<16>(map, "uuid");
  map.finish();
  return ns;
}

QueueKind parse_queue_kind(MapReader& map) {
  const auto queue = map.optional("queue");
  if (!queue) return QueueKind::kAny;
  const std::string name = detail::read_string(map.source(), *queue, map.field("queue"));
  if (name == "admin") return QueueKind::kAdmin;
  if (name == "io") return QueueKind::kIo;
  if (name != "any")
    map.source().fail(queue->Mark(), map.field("queue") + " is '" + name + "'", "expected admin, io or any");
  return QueueKind::kAny;
}

CommandMatch parse_match(MapReader& map) {
  CommandMatch m;
  m.queue = parse_queue_kind(map);
  if (map.has("opcode")) m.opcode = static_cast<uint8_t>(map.uint("opcode", 0, kU8));
  m.nth = map.uint_or("nth", 0, kU64, 0);
  if (map.has("nsid")) m.nsid = static_cast<uint32_t>(map.uint("nsid", 0, 0xFFFFFFFF));
  if (map.has("fuse")) m.fuse = static_cast<uint8_t>(map.uint("fuse", 0, 3));
  // cdw10..cdw15: a value (the whole dword), or {value: V, mask: M}.
  for (uint8_t index = 10; index <= 15; ++index) {
    const std::string key = "cdw" + std::to_string(index);
    const auto node = map.optional(key);
    if (!node) continue;
    DwordMatch d;
    d.index = index;
    if (node->IsMap()) {
      MapReader dword(map.source(), *node, map.field(key));
      d.value = static_cast<uint32_t>(dword.uint("value", 0, 0xFFFFFFFF));
      d.mask = static_cast<uint32_t>(dword.uint_or("mask", 0, 0xFFFFFFFF, 0xFFFFFFFF));
      dword.finish();
    } else {
      d.value = static_cast<uint32_t>(detail::read_uint(map.source(), *node, map.field(key), 0, 0xFFFFFFFF));
    }
    m.dwords.push_back(d);
  }
  return m;
}

BadReadTransferFault parse_bad_read_transfer(MapReader& map) {
  BadReadTransferFault f;
  const YAML::Node effect = map.required("effect");
  const std::string name = detail::read_string(map.source(), effect, map.field("effect"));
  if (name == "skip") {
    f.effect = ReadTransferEffect::kSkip;
  } else if (name == "xor") {
    f.effect = ReadTransferEffect::kXor;
  } else if (name == "drop-prp1-offset") {
    f.effect = ReadTransferEffect::kDropPrp1Offset;
  } else {
    map.source().fail(effect.Mark(), map.field("effect") + " is '" + name + "'",
                      "expected skip, xor or drop-prp1-offset");
  }
  f.every = map.uint_or("every", 1, kU64, 1);
  f.qid = static_cast<uint16_t>(map.uint_or("qid", 0, kU16, 0));
  f.byte = static_cast<uint32_t>(map.uint_or("byte", 0, 0xFFFFFFFF, 0));
  f.xor_mask = static_cast<uint8_t>(map.uint_or("xor", 1, kU8, 0xFF));
  return f;
}

// "SCT/SC" in hex, e.g. "00/06" or "1/0C".
void read_status(MapReader& map, StatusFault& fault) {
  const YAML::Node node = map.required("status");
  const std::string text = detail::read_string(map.source(), node, map.field("status"));
  const std::string expected = "expected \"SCT/SC\" in hex, e.g. \"00/06\"";
  const auto slash = text.find('/');
  if (slash == std::string::npos) map.source().fail(node.Mark(), map.field("status") + " is '" + text + "'", expected);
  const auto parse = [&](const std::string& part, unsigned max) {
    if (part.empty() || part.size() > 2 || !std::all_of(part.begin(), part.end(), ::isxdigit)) {
      map.source().fail(node.Mark(), map.field("status") + " is '" + text + "'", expected);
    }
    const unsigned value = static_cast<unsigned>(std::stoul(part, nullptr, 16));
    if (value > max)
      map.source().fail(node.Mark(), map.field("status") + " is '" + text + "', out of range",
                        expected + " with SCT 0-7");
    return static_cast<uint8_t>(value);
  };
  fault.sct = parse(text.substr(0, slash), 7);
  fault.sc = parse(text.substr(slash + 1), 0xFF);
  if (fault.sct == 0 && fault.sc == 0) {
    map.source().fail(node.Mark(), map.field("status") + " is success", "expected an error status");
  }
  fault.dnr = map.flag_or("dnr", true);
}

Fault parse_fault(MapReader map) {
  const YAML::Node type_node = map.required("type");
  const std::string type = detail::read_string(map.source(), type_node, map.field("type"));
  Fault fault;
  if (type == "never-ready") {
    fault = NeverReadyFault{};
  } else if (type == "cfs") {
    FatalStatusFault f;
    if (map.has("after_commands")) f.after_commands = map.uint("after_commands", 0, kU64);
    fault = f;
  } else if (type == "all-ones") {
    fault = AllOnesFault{map.uint_or("after_commands", 0, kU64, 0)};
  } else if (type == "drop-completion") {
    fault = DropCompletionFault{parse_match(map)};
  } else if (type == "duplicate-completion") {
    fault = DuplicateCompletionFault{parse_match(map)};
  } else if (type == "wrong-phase") {
    fault = WrongPhaseFault{parse_match(map)};
  } else if (type == "wrong-sqid") {
    WrongSqidFault f{parse_match(map), std::nullopt};
    if (map.has("sqid")) f.sqid = static_cast<uint16_t>(map.uint("sqid", 0, kU16));
    fault = f;
  } else if (type == "wrong-sqhd") {
    WrongSqhdFault f{parse_match(map), std::nullopt};
    if (map.has("sqhd")) f.sqhd = static_cast<uint16_t>(map.uint("sqhd", 0, kU16));
    fault = f;
  } else if (type == "status") {
    StatusFault f;
    f.match = parse_match(map);
    read_status(map, f);
    fault = f;
  } else if (type == "corrupt-identify") {
    CorruptIdentifyFault f;
    const YAML::Node page = map.required("page");
    const std::string name = detail::read_string(map.source(), page, map.field("page"));
    if (name == "controller") {
      f.page = IdentifyPage::kController;
    } else if (name == "namespace") {
      f.page = IdentifyPage::kNamespace;
      f.nsid = static_cast<uint32_t>(map.uint("nsid", 1, 0xFFFFFFFE));
    } else {
      map.source().fail(page.Mark(), map.field("page") + " is '" + name + "'", "expected controller or namespace");
    }
    f.offset = static_cast<uint16_t>(map.uint("offset", 0, 4095));
    f.value = static_cast<uint8_t>(map.uint("value", 0, kU8));
    fault = f;
  } else if (type == "corrupt-read") {
    CorruptReadFault f;
    f.nsid = static_cast<uint32_t>(map.uint("nsid", 1, 0xFFFFFFFE));
    const YAML::Node lbas = map.required("lbas");
    detail::require_sequence(map.source(), lbas, map.field("lbas"));
    if (lbas.size() == 0) map.source().fail(lbas.Mark(), map.field("lbas") + " is empty", "expected at least one LBA");
    for (size_t i = 0; i < lbas.size(); ++i) {
      f.lbas.push_back(
          detail::read_uint(map.source(), lbas[i], map.field("lbas") + "[" + std::to_string(i) + "]", 0, kU64));
    }
    f.offset = static_cast<uint32_t>(map.uint_or("offset", 0, 65535, 16));
    f.xor_mask = static_cast<uint8_t>(map.uint_or("xor", 1, kU8, 0xFF));
    fault = f;
  } else if (type == "bad-read-transfer") {
    fault = parse_bad_read_transfer(map);
  } else if (type == "prp1-only") {
    fault = Prp1OnlyFault{parse_queue_kind(map)};
  } else if (type == "no-data-transfer") {
    fault = NoDataTransferFault{parse_match(map)};
  } else if (type == "stale-sqhd-after-reset") {
    fault = StaleSqhdAfterResetFault{};
  } else if (type == "stale-sqhd") {
    StaleSqhdFault f{parse_match(map), 0};
    f.nth_after_reset = map.uint_or("nth_after_reset", 0, kU64, 0);
    fault = f;
  } else if (type == "overstate-queues") {
    fault = OverstateQueuesFault{static_cast<uint16_t>(map.uint_or("extra", 1, 0xFFFE, 1))};
  } else {
    map.source().fail(
        type_node.Mark(), "unknown fault type '" + type + "'",
        "expected one of: never-ready, cfs, all-ones, drop-completion, duplicate-completion, "
        "wrong-phase, wrong-sqid, wrong-sqhd, status, corrupt-identify, corrupt-read, "
        "bad-read-transfer, prp1-only, no-data-transfer, stale-sqhd-after-reset, overstate-queues, stale-sqhd");
  }
  map.finish();
  return fault;
}

const NamespaceProfile* find_namespace(const Profile& profile, uint32_t nsid) {
  for (const auto& ns : profile.namespaces) {
    if (ns.nsid == nsid) return &ns;
  }
  return nullptr;
}

// Rules that tie faults to namespaces, checked once both are known.
void check_fault_targets(const YamlSource& src, const YAML::Node& faults, const Profile& profile) {
  for (size_t i = 0; i < profile.faults.size(); ++i) {
    const YAML::Node node = faults[i];
    const std::string where = "faults[" + std::to_string(i) + "]";
    if (const auto* f = std::get_if<CorruptIdentifyFault>(&profile.faults[i])) {
      if (f->page == IdentifyPage::kNamespace && find_namespace(profile, f->nsid) == nullptr) {
        src.fail(node["nsid"].Mark(),
                 where + ".nsid " + std::to_string(f->nsid) + " is not a namespace of this profile",
                 "expected the nsid of one of the namespaces");
      }
    }
    if (const auto* f = std::get_if<CorruptReadFault>(&profile.faults[i])) {
      const auto* ns = find_namespace(profile, f->nsid);
      if (ns == nullptr) {
        src.fail(node["nsid"].Mark(),
                 where + ".nsid " + std::to_string(f->nsid) + " is not a namespace of this profile",
                 "expected the nsid of one of the namespaces");
      }
      for (size_t j = 0; j < f->lbas.size(); ++j) {
        if (f->lbas[j] >= ns->size_blocks) {
          src.fail(node["lbas"][j].Mark(), where + ".lbas[" + std::to_string(j) + "] is beyond the namespace",
                   "expected an LBA below " + std::to_string(ns->size_blocks));
        }
      }
      if (f->offset >= ns->lba_size()) {
        src.fail(node["offset"].Mark(), where + ".offset is outside the block",
                 "expected a byte offset below " + std::to_string(ns->lba_size()));
      }
    }
  }
}

Profile parse_document(const YamlSource& src, const YAML::Node& root, const std::filesystem::path& base_dir) {
  MapReader top(src, root, "");
  Profile p;
  p.name = top.text("name");
  p.description = top.text_or("description", "");
  p.registers = parse_registers(MapReader(src, top.required("registers"), "registers"));
  if (const auto node = top.optional("timing")) p.timing = parse_timing(MapReader(src, *node, "timing"));
  if (const auto node = top.optional("queues")) p.queues = parse_queues(MapReader(src, *node, "queues"));
  const YAML::Node controller_node = top.required("controller");
  p.controller = parse_controller(MapReader(src, controller_node, "controller"), p.registers.vs);
  if (const auto node = top.optional("health")) p.health = parse_health(MapReader(src, *node, "health"));

  const YAML::Node namespaces = top.required("namespaces");
  detail::require_sequence(src, namespaces, "namespaces");
  if (namespaces.size() == 0) src.fail(namespaces.Mark(), "namespaces is empty", "expected at least one namespace");
  std::set<uint32_t> nsids;
  for (size_t i = 0; i < namespaces.size(); ++i) {
    const std::string where = "namespaces[" + std::to_string(i) + "]";
    p.namespaces.push_back(parse_namespace(MapReader(src, namespaces[i], where), base_dir));
    if (!nsids.insert(p.namespaces.back().nsid).second) {
      src.fail(namespaces[i]["nsid"].Mark(), where + ".nsid " + std::to_string(p.namespaces.back().nsid) + " repeats",
               "expected each nsid once");
    }
  }
  std::sort(p.namespaces.begin(), p.namespaces.end(), [](const auto& a, const auto& b) { return a.nsid < b.nsid; });
  const uint32_t largest = p.namespaces.back().nsid;
  if (p.controller.nn == 0) {
    p.controller.nn = largest;
  } else if (p.controller.nn < largest) {
    src.fail(controller_node["nn"].Mark(),
             "controller.nn is " + std::to_string(p.controller.nn) + ", below nsid " + std::to_string(largest),
             "expected nn >= every nsid (or 0 to derive it)");
  }

  if (const auto faults = top.optional("faults")) {
    detail::require_sequence(src, *faults, "faults");
    for (size_t i = 0; i < faults->size(); ++i) {
      p.faults.push_back(parse_fault(MapReader(src, (*faults)[i], "faults[" + std::to_string(i) + "]")));
    }
    check_fault_targets(src, *faults, p);
  }
  top.finish();
  return p;
}

}  // namespace

Profile parse_profile(const std::string& yaml_text, const std::string& source_name) {
  const YamlSource src(source_name);
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    src.fail(e.mark, "YAML syntax error: " + e.msg, "expected well-formed YAML");
  }
  const std::filesystem::path base_dir = std::filesystem::path(source_name).parent_path();
  try {
    return parse_document(src, root, base_dir);
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports conversion problems itself in a few corner cases.
    src.fail(e.mark, "unreadable value: " + e.msg, "expected the form fixtures/sim/README.md describes");
  }
}

Profile load_profile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw ProfileError(file.string() +
                       ":0:0: cannot open the profile; expected a readable YAML file (see fixtures/sim/)");
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_profile(text.str(), file.string());
}

}  // namespace nvqual::sim
