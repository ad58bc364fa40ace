// The command dwords the simulator decodes, as named fields (the device-side
// mirror of nvqual/driver/commands.hpp). Bit positions live only here.
#pragma once

#include <cstdint>

#include "nvqual/driver/spec/bits.hpp"
#include "nvqual/driver/spec/queue_entries.hpp"

namespace nvqual::sim::fields {

using spec::SubmissionEntry;
using spec::detail::get_bits;
using spec::detail::set_bits;

// 2.0 5.17.1, Figure 270: Identify CDW10.
struct Identify {
  uint8_t cns = 0;
  uint16_t cntid = 0;
  static Identify of(const SubmissionEntry& e) {
    return {static_cast<uint8_t>(get_bits<7, 0>(e.cdw10)), static_cast<uint16_t>(get_bits<31, 16>(e.cdw10))};
  }
};

// 2.0 5.16, Figures 196-199: Get Log Page CDW10-13.
struct GetLogPage {
  uint8_t lid = 0;
  uint8_t lsp = 0;
  bool rae = false;
  uint64_t dwords = 0;  // NUMD + 1
  uint64_t offset = 0;  // bytes
  static GetLogPage of(const SubmissionEntry& e) {
    const uint64_t numd = (uint64_t{get_bits<15, 0>(e.cdw11)} << 16) | get_bits<31, 16>(e.cdw10);
    return {static_cast<uint8_t>(get_bits<7, 0>(e.cdw10)), static_cast<uint8_t>(get_bits<14, 8>(e.cdw10)),
            get_bits<15, 15>(e.cdw10) != 0, numd + 1, (uint64_t{e.cdw13} << 32) | e.cdw12};
  }
};

// 2.0 5.27 / 5.28: Get Features CDW10 (FID, SEL), Set Features CDW10 (FID, SV).
struct Features {
  uint8_t fid = 0;
  uint8_t select = 0;  // Get Features only
  bool save = false;   // Set Features only
  static Features of(const SubmissionEntry& e) {
    return {static_cast<uint8_t>(get_bits<7, 0>(e.cdw10)), static_cast<uint8_t>(get_bits<10, 8>(e.cdw10)),
            get_bits<31, 31>(e.cdw10) != 0};
  }
  static constexpr uint8_t kSelectCurrent = 0;
  static constexpr uint8_t kSelectDefault = 1;
  static constexpr uint8_t kSelectSaved = 2;
  static constexpr uint8_t kSelectCapabilities = 3;
};

// 2.0 5.27.1.5 Number of Queues: CDW11 NSQR 15:0, NCQR 31:16; DW0 result alike. 0-based.
struct NumberOfQueues {
  uint16_t sqs = 0;
  uint16_t cqs = 0;
  static NumberOfQueues of(uint32_t dword) {
    return {static_cast<uint16_t>(get_bits<15, 0>(dword)), static_cast<uint16_t>(get_bits<31, 16>(dword))};
  }
  uint32_t encode() const { return set_bits<31, 16>(set_bits<15, 0>(uint32_t{0}, sqs), cqs); }
};

// 5.27.1.2 Power Management: CDW11 PS 4:0.
inline uint8_t power_state(uint32_t cdw11) { return static_cast<uint8_t>(get_bits<4, 0>(cdw11)); }

// 5.27.1.4 Temperature Threshold: CDW11 TMPTH 15:0, TMPSEL 19:16, THSEL 21:20.
// The selector (TMPSEL, THSEL) names which of the thresholds is meant.
struct TemperatureThreshold {
  uint16_t kelvin = 0;
  uint8_t sensor = 0;
  uint8_t type = 0;  // 0 over-temperature, 1 under-temperature
  static TemperatureThreshold of(uint32_t cdw11) {
    return {static_cast<uint16_t>(get_bits<15, 0>(cdw11)), static_cast<uint8_t>(get_bits<19, 16>(cdw11)),
            static_cast<uint8_t>(get_bits<21, 20>(cdw11))};
  }
  uint32_t selector() const { return set_bits<21, 20>(set_bits<19, 16>(uint32_t{0}, sensor), type); }
  uint32_t with_kelvin(uint16_t k) const { return set_bits<15, 0>(selector(), k); }
};

// 5.27.1.10 Interrupt Vector Configuration: CDW11 IV 15:0, CD 16.
inline uint16_t interrupt_vector(uint32_t cdw11) { return static_cast<uint16_t>(get_bits<15, 0>(cdw11)); }

// 5.27 Figure 326: Get Features with SEL=011b returns these capability bits in DW0.
inline uint32_t feature_capabilities(bool saveable, bool namespace_specific, bool changeable) {
  uint32_t dw0 = set_bits<0, 0>(uint32_t{0}, saveable ? 1u : 0u);
  dw0 = set_bits<1, 1>(dw0, namespace_specific ? 1u : 0u);
  return set_bits<2, 2>(dw0, changeable ? 1u : 0u);
}

// Keys of per-selector feature values: FID in bits 7:0, the selector above.
inline uint32_t feature_key(uint8_t fid, uint32_t selector) { return set_bits<31, 8>(uint32_t{fid}, selector); }

// 2.0 5.4, Figures 149-150: Create I/O Completion Queue.
struct CreateIoCq {
  uint16_t qid = 0;
  uint16_t qsize = 0;  // 0-based
  bool pc = false;
  bool ien = false;
  uint16_t iv = 0;
  static CreateIoCq of(const SubmissionEntry& e) {
    return {static_cast<uint16_t>(get_bits<15, 0>(e.cdw10)), static_cast<uint16_t>(get_bits<31, 16>(e.cdw10)),
            get_bits<0, 0>(e.cdw11) != 0, get_bits<1, 1>(e.cdw11) != 0,
            static_cast<uint16_t>(get_bits<31, 16>(e.cdw11))};
  }
};

// 2.0 5.5, Figures 153-155: Create I/O Submission Queue.
struct CreateIoSq {
  uint16_t qid = 0;
  uint16_t qsize = 0;  // 0-based
  bool pc = false;
  uint8_t qprio = 0;
  uint16_t cqid = 0;
  static CreateIoSq of(const SubmissionEntry& e) {
    return {static_cast<uint16_t>(get_bits<15, 0>(e.cdw10)), static_cast<uint16_t>(get_bits<31, 16>(e.cdw10)),
            get_bits<0, 0>(e.cdw11) != 0, static_cast<uint8_t>(get_bits<2, 1>(e.cdw11)),
            static_cast<uint16_t>(get_bits<31, 16>(e.cdw11))};
  }
};

// 2.0 5.6 / 5.7: Delete I/O SQ / CQ, CDW10 QID 15:0.
inline uint16_t delete_qid(const SubmissionEntry& e) { return static_cast<uint16_t>(get_bits<15, 0>(e.cdw10)); }

// 2.0 5.1: Abort CDW10 SQID 15:0, CID 31:16; DW0 bit 0 = 1 means "not aborted".
struct Abort {
  uint16_t sqid = 0;
  uint16_t cid = 0;
  static Abort of(const SubmissionEntry& e) {
    return {static_cast<uint16_t>(get_bits<15, 0>(e.cdw10)), static_cast<uint16_t>(get_bits<31, 16>(e.cdw10))};
  }
  static uint32_t not_aborted_result() { return set_bits<0, 0>(uint32_t{0}, 1u); }
};

// NVM Command Set 1.0, 3.2.6 Read (and Compare/Verify/Write): SLBA CDW10-11, NLB CDW12 15:0 (0-based).
struct BlockRange {
  uint64_t slba = 0;
  uint32_t blocks = 0;  // NLB + 1
  static BlockRange of(const SubmissionEntry& e) {
    return {(uint64_t{e.cdw11} << 32) | e.cdw10, static_cast<uint32_t>(get_bits<15, 0>(e.cdw12)) + 1};
  }
};

}  // namespace nvqual::sim::fields
