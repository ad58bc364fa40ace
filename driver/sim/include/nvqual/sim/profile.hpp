// A simulator profile: everything that makes one simulated controller differ
// from another (registers, Identify data, namespaces, timing, faults), as
// plain data loaded from YAML. fixtures/sim/README.md documents the format.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace nvqual::sim {

// "FILE:LINE:COL: what is wrong; what was expected".
class ProfileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// CAP, VS and CRTO as the controller reports them (NVMe Base 2.0, 3.1.3.1,
// 3.1.3.2, 3.1.3.20). Values are the raw register fields.
struct RegisterProfile {
  uint16_t mqes = 1023;  // 0-based: 1023 means 1024 entries per queue
  bool cqr = true;       // queues must be physically contiguous
  uint8_t ams = 0;       // extra arbitration mechanisms (bit 0 WRR, bit 1 vendor)
  uint8_t to = 20;       // ready timeout, 500 ms units
  uint8_t dstrd = 0;     // doorbell stride 4 << dstrd bytes
  bool nssrs = false;    // NVM subsystem reset supported
  uint8_t css = 0x01;    // command sets supported, bit 0 NVM
  uint8_t mpsmin = 0;    // page size 2^(12+mpsmin)
  uint8_t mpsmax = 4;
  uint8_t crms = 0;          // bit 0 CRWMS, bit 1 CRIMS; nonzero makes CRTO meaningful
  uint32_t vs = 0x00020000;  // VS: major 31:16, minor 15:8, tertiary 7:0
  uint16_t crwmt = 0;        // CRTO.CRWMT, 500 ms units
  uint16_t crimt = 0;        // CRTO.CRIMT, 500 ms units

  friend bool operator==(const RegisterProfile&, const RegisterProfile&) = default;
};

// How long state changes take, measured on the Clock given to the simulator.
struct TimingProfile {
  std::chrono::microseconds ready_latency{0};     // CC.EN 0->1 until CSTS.RDY=1
  std::chrono::microseconds disable_latency{0};   // CC.EN 1->0 until CSTS.RDY=0
  std::chrono::microseconds shutdown_latency{0};  // CC.SHN until CSTS.SHST=10b
  std::chrono::microseconds command_latency{0};   // per command, threaded mode only

  friend bool operator==(const TimingProfile&, const TimingProfile&) = default;
};

struct QueueProfile {
  uint16_t max_io_queues = 64;      // most I/O SQs (and CQs) Set Features Number of Queues grants
  uint16_t interrupt_vectors = 65;  // MSI-X vectors: valid IV values are 0..n-1

  friend bool operator==(const QueueProfile&, const QueueProfile&) = default;
};

// The Identify Controller fields a profile sets (2.0, Figure 275); the rest
// are derived (SQES/CQES, NN when not given) or zero.
struct ControllerProfile {
  uint16_t vid = 0;
  uint16_t ssvid = 0;
  std::string serial;    // SN, up to 20 ASCII characters
  std::string model;     // MN, up to 40
  std::string firmware;  // FR, up to 8
  uint32_t ieee = 0;     // 24-bit OUI
  uint8_t cmic = 0;
  uint8_t mdts = 0;  // 2^MDTS x CAP.MPSMIN pages; 0 = no limit
  uint16_t cntlid = 0;
  uint32_t ver = 0;    // VER; the same encoding as VS
  uint32_t rtd3r = 0;  // microseconds
  uint32_t rtd3e = 0;  // microseconds
  uint32_t oaes = 0;
  uint32_t ctratt = 0;
  uint16_t oacs = 0;
  uint8_t acl = 3;      // 0-based
  uint8_t aerl = 3;     // 0-based
  uint8_t frmw = 0x02;  // bits 3:1 number of firmware slots
  uint8_t lpa = 0;
  uint8_t elpe = 63;      // 0-based error log entries
  uint16_t wctemp = 343;  // Kelvin
  uint16_t cctemp = 358;
  uint32_t nn = 0;  // 0 in YAML means "the largest NSID of the namespaces"
  uint16_t oncs = 0;
  uint8_t vwc = 0;
  std::string subnqn;
  uint16_t max_power_cw = 900;  // power state 0 maximum power, centiwatts

  friend bool operator==(const ControllerProfile&, const ControllerProfile&) = default;
};

// SMART / Health Information (2.0, 5.16.1.3) values the log reports.
struct HealthProfile {
  uint16_t temperature = 313;  // Kelvin
  uint8_t available_spare = 100;
  uint8_t spare_threshold = 10;
  uint8_t percentage_used = 0;
  uint64_t power_cycles = 1;
  uint64_t power_on_hours = 0;

  friend bool operator==(const HealthProfile&, const HealthProfile&) = default;
};

struct LbaFormatProfile {
  uint32_t data_size = 512;  // bytes, a power of two from 512
  uint16_t metadata_size = 0;
  uint8_t relative_performance = 0;  // 0 best .. 3 degraded

  friend bool operator==(const LbaFormatProfile&, const LbaFormatProfile&) = default;
};

enum class Content { kStamp, kFile };

struct NamespaceProfile {
  uint32_t nsid = 1;
  uint64_t size_blocks = 0;         // NSZE
  uint64_t capacity_blocks = 0;     // NCAP
  uint64_t utilization_blocks = 0;  // NUSE
  std::vector<LbaFormatProfile> formats;
  uint8_t active_format = 0;  // index into formats (FLBAS)
  uint8_t dlfeat = 0;         // Identify Namespace DLFEAT: 2:0 what a deallocated block reads, 3 Write Zeroes DEAC
  Content content = Content::kStamp;
  std::filesystem::path backing_file;  // absolute; Content::kFile only
  std::array<uint8_t, 8> eui64{};
  std::array<uint8_t, 16> nguid{};
  std::optional<std::array<uint8_t, 16>> uuid;

  uint32_t lba_size() const { return formats.at(active_format).data_size; }
  friend bool operator==(const NamespaceProfile&, const NamespaceProfile&) = default;
};

// ---- faults: each makes the simulator misbehave in one documented way ----

enum class QueueKind { kAny, kAdmin, kIo };

// One command dword a fault matches: (CDWindex & mask) == value.
struct DwordMatch {
  uint8_t index = 10;  // 10..15
  uint32_t value = 0;
  uint32_t mask = 0xFFFFFFFF;
  friend bool operator==(const DwordMatch&, const DwordMatch&) = default;
};

// Which commands a completion fault applies to. nth counts matching commands
// since the simulator was created (1-based); 0 means every matching command.
// nsid, fuse and dwords narrow a fault to one kind of command (one invalid
// request a conformance case sends), so it leaves every other command alone.
struct CommandMatch {
  QueueKind queue = QueueKind::kAny;
  std::optional<uint8_t> opcode;
  uint64_t nth = 0;
  std::optional<uint32_t> nsid;
  std::optional<uint8_t> fuse;
  std::vector<DwordMatch> dwords;

  friend bool operator==(const CommandMatch&, const CommandMatch&) = default;
};

struct NeverReadyFault {  // CSTS.RDY never becomes 1 after CC.EN=1
  friend bool operator==(const NeverReadyFault&, const NeverReadyFault&) = default;
};
struct FatalStatusFault {  // CSTS.CFS=1 at enable, or once N commands completed
  std::optional<uint64_t> after_commands;
  friend bool operator==(const FatalStatusFault&, const FatalStatusFault&) = default;
};
struct AllOnesFault {  // every register reads all ones (device gone) once N commands completed
  uint64_t after_commands = 0;
  friend bool operator==(const AllOnesFault&, const AllOnesFault&) = default;
};
struct DropCompletionFault {  // the command runs, its completion is never posted
  CommandMatch match;
  friend bool operator==(const DropCompletionFault&, const DropCompletionFault&) = default;
};
struct DuplicateCompletionFault {  // the completion is posted twice
  CommandMatch match;
  friend bool operator==(const DuplicateCompletionFault&, const DuplicateCompletionFault&) = default;
};
struct WrongPhaseFault {  // the completion carries the previous pass's phase tag
  CommandMatch match;
  friend bool operator==(const WrongPhaseFault&, const WrongPhaseFault&) = default;
};
struct WrongSqidFault {  // the completion names another SQ (default: the right one + 1)
  CommandMatch match;
  std::optional<uint16_t> sqid;
  friend bool operator==(const WrongSqidFault&, const WrongSqidFault&) = default;
};
struct WrongSqhdFault {  // the completion's SQHD is outside the queue (or the given value)
  CommandMatch match;
  std::optional<uint16_t> sqhd;
  friend bool operator==(const WrongSqhdFault&, const WrongSqhdFault&) = default;
};
struct StatusFault {  // the command completes with this status and moves no data
  CommandMatch match;
  uint8_t sct = 0;
  uint8_t sc = 0;
  bool dnr = false;
  friend bool operator==(const StatusFault&, const StatusFault&) = default;
};
enum class IdentifyPage { kController, kNamespace };
struct CorruptIdentifyFault {  // one byte of an Identify page is replaced
  IdentifyPage page = IdentifyPage::kController;
  uint32_t nsid = 0;  // kNamespace only
  uint16_t offset = 0;
  uint8_t value = 0;
  friend bool operator==(const CorruptIdentifyFault&, const CorruptIdentifyFault&) = default;
};
struct CorruptReadFault {  // reads of these LBAs return one byte XORed with the mask
  uint32_t nsid = 1;
  std::vector<uint64_t> lbas;
  uint32_t offset = 16;  // byte inside the block
  uint8_t xor_mask = 0xFF;
  friend bool operator==(const CorruptReadFault&, const CorruptReadFault&) = default;
};

// How a bad-read-transfer fault spoils a Read that still completes with success.
enum class ReadTransferEffect {
  kSkip,            // no data is moved at all
  kXor,             // one byte of the transfer is XORed with a mask
  kDropPrp1Offset,  // the data is placed as if PRP1 had no page offset
};
struct BadReadTransferFault {  // every Nth Read (through one I/O queue, or any) moves wrong data, status success
  ReadTransferEffect effect = ReadTransferEffect::kXor;
  uint64_t every = 1;       // 1: every Read; N: the Nth, 2Nth, ... Read this fault matches
  uint16_t qid = 0;         // 0: any I/O queue
  uint32_t byte = 0;        // kXor: which byte of the transfer
  uint8_t xor_mask = 0xFF;  // kXor
  friend bool operator==(const BadReadTransferFault&, const BadReadTransferFault&) = default;
};
struct Prp1OnlyFault {  // data transfers write only the bytes PRP1 covers; PRP2 and PRP lists are ignored
  QueueKind queue = QueueKind::kAny;
  friend bool operator==(const Prp1OnlyFault&, const Prp1OnlyFault&) = default;
};
// An admin command (Identify, Get Log Page...) completes with success but
// writes nothing to host memory: only a host that poisons its buffers notices.
struct NoDataTransferFault {
  CommandMatch match;
  friend bool operator==(const NoDataTransferFault&, const NoDataTransferFault&) = default;
};
struct StaleSqhdAfterResetFault {  // after a reset the first admin completion reports SQHD one behind
  friend bool operator==(const StaleSqhdAfterResetFault&, const StaleSqhdAfterResetFault&) = default;
};
// The completion reports the SQ head one behind the head after this command's
// fetch (as if the entry were not consumed yet); commands are still fetched
// correctly. nth_after_reset N: only the Nth matching command after each
// controller reset (CC.EN 1->0), so a case's own commands can be aimed at.
struct StaleSqhdFault {
  CommandMatch match;
  uint64_t nth_after_reset = 0;  // 0: every matching command
  friend bool operator==(const StaleSqhdFault&, const StaleSqhdFault&) = default;
};
// The command completes `delay` after it was fetched, measured on the
// simulator's Clock: a device that retries internally for longer than the
// Error Recovery feature's TLER lets it (Base 2.0, 5.27.1.5).
struct SlowCompletionFault {
  CommandMatch match;
  std::chrono::microseconds delay{0};
  friend bool operator==(const SlowCompletionFault&, const SlowCompletionFault&) = default;
};
struct OverstateQueuesFault {  // Number of Queues reports `extra` more I/O SQs/CQs than it allocates
  uint16_t extra = 1;
  friend bool operator==(const OverstateQueuesFault&, const OverstateQueuesFault&) = default;
};

// A device whose own reports lie (docs/self-reports.md): its events, Abort,
// features or error log misbehave while every status stays plausible.
enum class SelfReportEffect {
  kAerNeverCompletes,       // events are raised but no AER ever completes
  kAerWrongType,            // an AER completes with event type Notice instead of SMART / Health
  kAerDuplicateEvent,       // every event is reported twice
  kAerLimitIgnored,         // AERs beyond AERL+1 are held instead of refused with 01/05
  kAbortIgnored,            // Abort says "aborted" (DW0 bit 0 clear) and aborts nothing
  kFeaturesForget,          // Set Features succeeds, Get Features still reads the old value
  kSavedReadsDefault,       // Get Features SEL=saved reads the default, not the saved value
  kErrorLogWrongCid,        // Error Information log entries name the wrong CID (the failed command's + 1)
  kSmartCountersFrozen,     // SMART Data Units Read and Host Read Commands never move from 0
  kErrorLogMissesFailures,  // failures are counted in SMART's error log entries, but no entry is written
  kMediaErrorsGrow,         // SMART Media and Data Integrity Errors grow with every Read, which all succeed
};
struct SelfReportFault {
  SelfReportEffect effect = SelfReportEffect::kAerNeverCompletes;
  friend bool operator==(const SelfReportFault&, const SelfReportFault&) = default;
};

// How a write-media fault breaks what writes leave on the media (docs/data-integrity.md).
enum class WriteMediaEffect {
  kLostWrite,             // a Write completes with success and stores nothing
  kMisdirectedWrite,      // a Write stores its blocks one LBA higher
  kStaleOverwrite,        // a Write over a block written before keeps the old data
  kZeroesLeaveData,       // Write Zeroes completes with success and changes nothing
  kDeallocateKeepsData,   // deallocated blocks keep their data, whatever DLFEAT says
  kCompareAlwaysMatches,  // Compare completes 00/00 whatever the data
  kFlushDoesNothing,      // Flush and FUA make nothing durable
  kWriteBeyondNsze,       // a Write past NSZE completes with success instead of 00/80
  kPowerLoss,             // non-FUA writes are volatile even without VWC; every controller reset drops them
};
struct WriteMediaFault {
  WriteMediaEffect effect = WriteMediaEffect::kLostWrite;
  friend bool operator==(const WriteMediaFault&, const WriteMediaFault&) = default;
};

using Fault =
    std::variant<NeverReadyFault, FatalStatusFault, AllOnesFault, DropCompletionFault, DuplicateCompletionFault,
                 WrongPhaseFault, WrongSqidFault, WrongSqhdFault, StatusFault, CorruptIdentifyFault, CorruptReadFault,
                 BadReadTransferFault, Prp1OnlyFault, StaleSqhdAfterResetFault, OverstateQueuesFault,
                 NoDataTransferFault, StaleSqhdFault, SelfReportFault, WriteMediaFault, SlowCompletionFault>;

struct Profile {
  std::string name;
  std::string description;
  RegisterProfile registers;
  TimingProfile timing;
  QueueProfile queues;
  ControllerProfile controller;
  HealthProfile health;
  std::vector<NamespaceProfile> namespaces;
  std::vector<Fault> faults;
  // Hostile mode (driver/sim/src/hostile_device.hpp, docs/robustness.md): from
  // this seed the controller lies in completions, register reads, Identify,
  // log and read data. Set by `nvqual run --sim-hostile SEED`, not by YAML.
  std::optional<uint64_t> hostile_seed;

  friend bool operator==(const Profile&, const Profile&) = default;
};

// Throws ProfileError for YAML syntax errors, unknown keys, wrong types,
// out-of-range values and missing fields, naming file:line:column.
Profile load_profile(const std::filesystem::path& file);
// `source_name` goes into error messages; backing files resolve relative to
// its directory (or to the current directory when it has none).
Profile parse_profile(const std::string& yaml_text, const std::string& source_name);
// The embedded default (fixtures/sim/default.yaml, compiled in).
Profile default_profile();
// Directory holding the shipped profiles: find_data_dir("sim") (fixtures/sim from a build tree).
std::filesystem::path profile_directory();

}  // namespace nvqual::sim
