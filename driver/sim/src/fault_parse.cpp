// faults: entries. Each `type:` names one reader in kFaultReaders; the table
// is also the list an unknown type's error offers, so adding a fault type is
// adding one row (and its struct in profile.hpp).
#include <string_view>
#include <utility>

#include "nvqual/driver/spec/status.hpp"
#include "profile_sections.hpp"

namespace nvqual::sim::detail {

namespace {

QueueKind parse_queue_kind(MapReader& map) {
  const auto queue = map.optional("queue");
  if (!queue) return QueueKind::kAny;
  const std::string name = read_string(map.source(), *queue, map.field("queue"));
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
      d.value = static_cast<uint32_t>(read_uint(map.source(), *node, map.field(key), 0, 0xFFFFFFFF));
    }
    m.dwords.push_back(d);
  }
  return m;
}

Fault fatal_status(MapReader& map) {
  FatalStatusFault f;
  if (map.has("after_commands")) f.after_commands = map.uint("after_commands", 0, kU64);
  return f;
}

Fault wrong_sqid(MapReader& map) {
  WrongSqidFault f{parse_match(map), std::nullopt};
  if (map.has("sqid")) f.sqid = static_cast<uint16_t>(map.uint("sqid", 0, kU16));
  return f;
}

Fault wrong_sqhd(MapReader& map) {
  WrongSqhdFault f{parse_match(map), std::nullopt};
  if (map.has("sqhd")) f.sqhd = static_cast<uint16_t>(map.uint("sqhd", 0, kU16));
  return f;
}

// status: "SCT/SC" as suites write it (spec::parse_status_code), never success.
Fault status(MapReader& map) {
  StatusFault f;
  f.match = parse_match(map);
  const YAML::Node node = map.required("status");
  const std::string text = read_string(map.source(), node, map.field("status"));
  const auto parsed = spec::parse_status_code(text);
  if (!parsed) {
    map.source().fail(node.Mark(), map.field("status") + " is '" + text + "'",
                      "expected " + std::string(spec::kStatusCodeForm));
  }
  if (parsed->ok()) map.source().fail(node.Mark(), map.field("status") + " is success", "expected an error status");
  f.sct = parsed->sct();
  f.sc = parsed->sc();
  f.dnr = map.flag_or("dnr", true);
  return f;
}

Fault corrupt_identify(MapReader& map) {
  CorruptIdentifyFault f;
  const YAML::Node page = map.required("page");
  const std::string name = read_string(map.source(), page, map.field("page"));
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
  return f;
}

Fault corrupt_read(MapReader& map) {
  CorruptReadFault f;
  f.nsid = static_cast<uint32_t>(map.uint("nsid", 1, 0xFFFFFFFE));
  const YAML::Node lbas = map.required("lbas");
  require_sequence(map.source(), lbas, map.field("lbas"));
  if (lbas.size() == 0) map.source().fail(lbas.Mark(), map.field("lbas") + " is empty", "expected at least one LBA");
  for (size_t i = 0; i < lbas.size(); ++i) {
    f.lbas.push_back(read_uint(map.source(), lbas[i], map.field("lbas") + "[" + std::to_string(i) + "]", 0, kU64));
  }
  f.offset = static_cast<uint32_t>(map.uint_or("offset", 0, 65535, 16));
  f.xor_mask = static_cast<uint8_t>(map.uint_or("xor", 1, kU8, 0xFF));
  return f;
}

Fault bad_read_transfer(MapReader& map) {
  BadReadTransferFault f;
  const YAML::Node effect = map.required("effect");
  const std::string name = read_string(map.source(), effect, map.field("effect"));
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

// self-report: a device whose own reports lie (docs/self-reports.md).
Fault self_report(MapReader& map) {
  struct Named {
    std::string_view name;
    SelfReportEffect effect;
  };
  static constexpr Named kEffects[] = {
      {"aer-never-completes", SelfReportEffect::kAerNeverCompletes},
      {"aer-wrong-type", SelfReportEffect::kAerWrongType},
      {"aer-duplicate-event", SelfReportEffect::kAerDuplicateEvent},
      {"aer-limit-ignored", SelfReportEffect::kAerLimitIgnored},
      {"abort-ignored", SelfReportEffect::kAbortIgnored},
      {"features-forget", SelfReportEffect::kFeaturesForget},
      {"saved-reads-default", SelfReportEffect::kSavedReadsDefault},
      {"error-log-wrong-cid", SelfReportEffect::kErrorLogWrongCid},
      {"smart-counters-frozen", SelfReportEffect::kSmartCountersFrozen},
      {"error-log-misses-failures", SelfReportEffect::kErrorLogMissesFailures},
      {"media-errors-grow", SelfReportEffect::kMediaErrorsGrow},
  };
  const YAML::Node node = map.required("effect");
  const std::string name = read_string(map.source(), node, map.field("effect"));
  std::string names;
  for (const auto& e : kEffects) {
    if (e.name == name) return SelfReportFault{e.effect};
    names += (names.empty() ? "" : ", ") + std::string(e.name);
  }
  map.source().fail(node.Mark(), map.field("effect") + " is '" + name + "'", "expected one of " + names);
}

Fault write_media(MapReader& map) {
  static constexpr std::pair<std::string_view, WriteMediaEffect> kEffects[] = {
      {"lost-write", WriteMediaEffect::kLostWrite},
      {"misdirected-write", WriteMediaEffect::kMisdirectedWrite},
      {"stale-overwrite", WriteMediaEffect::kStaleOverwrite},
      {"zeroes-leave-data", WriteMediaEffect::kZeroesLeaveData},
      {"deallocate-keeps-data", WriteMediaEffect::kDeallocateKeepsData},
      {"compare-always-matches", WriteMediaEffect::kCompareAlwaysMatches},
      {"flush-does-nothing", WriteMediaEffect::kFlushDoesNothing},
      {"write-beyond-nsze", WriteMediaEffect::kWriteBeyondNsze},
      {"power-loss", WriteMediaEffect::kPowerLoss},
  };
  const YAML::Node effect = map.required("effect");
  const std::string name = read_string(map.source(), effect, map.field("effect"));
  std::string names;
  for (const auto& [text, value] : kEffects) {
    if (text == name) return WriteMediaFault{value};
    names += (names.empty() ? "" : ", ") + std::string(text);
  }
  map.source().fail(effect.Mark(), map.field("effect") + " is '" + name + "'", "expected one of: " + names);
}

struct FaultReader {
  std::string_view type;  // as profiles spell it
  Fault (*read)(MapReader& map);
};

// In the order fixtures/sim/README.md lists them.
constexpr FaultReader kFaultReaders[] = {
    {"never-ready", [](MapReader&) -> Fault { return NeverReadyFault{}; }},
    {"cfs", fatal_status},
    {"all-ones", [](MapReader& map) -> Fault { return AllOnesFault{map.uint_or("after_commands", 0, kU64, 0)}; }},
    {"drop-completion", [](MapReader& map) -> Fault { return DropCompletionFault{parse_match(map)}; }},
    {"duplicate-completion", [](MapReader& map) -> Fault { return DuplicateCompletionFault{parse_match(map)}; }},
    {"wrong-phase", [](MapReader& map) -> Fault { return WrongPhaseFault{parse_match(map)}; }},
    {"wrong-sqid", wrong_sqid},
    {"wrong-sqhd", wrong_sqhd},
    {"status", status},
    {"corrupt-identify", corrupt_identify},
    {"corrupt-read", corrupt_read},
    {"bad-read-transfer", bad_read_transfer},
    {"prp1-only", [](MapReader& map) -> Fault { return Prp1OnlyFault{parse_queue_kind(map)}; }},
    {"no-data-transfer", [](MapReader& map) -> Fault { return NoDataTransferFault{parse_match(map)}; }},
    {"stale-sqhd-after-reset", [](MapReader&) -> Fault { return StaleSqhdAfterResetFault{}; }},
    {"stale-sqhd",
     [](MapReader& map) -> Fault {
       StaleSqhdFault fault{parse_match(map), 0};
       fault.nth_after_reset = map.uint_or("nth_after_reset", 0, kU64, 0);
       return fault;
     }},
    {"slow-completion",
     [](MapReader& map) -> Fault {
       // 1 ms .. 1 hour, default 1 s.
       return SlowCompletionFault{parse_match(map),
                                  std::chrono::milliseconds(map.uint_or("delay_ms", 1, 3600000, 1000))};
     }},
    {"write-media", write_media},
    {"overstate-queues",
     [](MapReader& map) -> Fault {
       return OverstateQueuesFault{static_cast<uint16_t>(map.uint_or("extra", 1, 0xFFFE, 1))};
     }},
    {"self-report", self_report},
};

std::string fault_types() {
  std::string names;
  for (const auto& reader : kFaultReaders) names += (names.empty() ? "" : ", ") + std::string(reader.type);
  return names;
}

}  // namespace

Fault parse_fault(MapReader map) {
  const YAML::Node type_node = map.required("type");
  const std::string type = read_string(map.source(), type_node, map.field("type"));
  for (const auto& reader : kFaultReaders) {
    if (reader.type != type) continue;
    Fault fault = reader.read(map);
    map.finish();
    return fault;
  }
  map.source().fail(type_node.Mark(), "unknown fault type '" + type + "'", "expected one of: " + fault_types());
}

}  // namespace nvqual::sim::detail
