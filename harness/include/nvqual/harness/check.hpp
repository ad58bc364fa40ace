// Expectations are data: each names a field a step observed and one test of it.
//
//   - status: [00/80, 00/81]              accept-set on the step's `status`
//   - {field: nsze, ge: ncap}             ge gt le lt eq ne (expressions)
//   - {field: vs_major, range: [1, 2]}    inclusive
//   - {field: oncs, bits_clear: 0xFF00}   bits_set / bits_clear (expressions)
//   - {field: nlbaf, one_of: [0, 1]}
//   - {field: mn, printable: true}        printable ASCII, space padded
//   - {field: mn, text: "QEMU NVMe Ctrl"} exact text (trailing spaces ignored)
//   - {field: mn, model: identify_controller.mn}    equals the model profile's value
//   - {field: latency, within: ready_timeout_ms}    a duration within N ms (recorded)
//   - {field: data, pattern: true}        the LBA stamp (needs --expect-pattern)
//   - {field: data, same_as: whole}       agrees with data an earlier step saved
//   - {field: data, written_by: w1}       carries the write stamp the `write` saved as w1 put there
//   - {field: data, every_byte: 0}        every byte is that value (Write Zeroes, deallocated blocks)
//   - {field: data, model: golden.first_blocks}     SHA-256 equals the profile's digest
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nvqual/harness/expression.hpp"
#include "nvqual/harness/model_profile.hpp"
#include "nvqual/harness/suite_error.hpp"
#include "nvqual/harness/value.hpp"

namespace nvqual::harness {

enum class CheckOp {
  kAccept,  // status accept-set
  kEq,
  kNe,
  kGe,
  kGt,
  kLe,
  kLt,
  kRange,      // operands[0] <= v <= operands[1]
  kBitsSet,    // (v & m) == m
  kBitsClear,  // (v & m) == 0
  kOneOf,
  kPrintable,
  kText,
  kModel,
  kWithin,  // duration <= operands[0] ms
  kPattern,
  kSameAs,
  kWrittenBy,  // the write stamp of a saved write (write_stamp::check: stale, misdirected, corruption)
  kEveryByte,  // every byte == operands[0]
};

struct Check {
  SourceMark mark;
  std::string field;
  CheckOp op = CheckOp::kEq;
  std::vector<Expression> operands;
  std::vector<spec::Status> accept;
  std::string text;       // kText value, kModel key, kSameAs / kWrittenBy saved name
  bool implicit = false;  // added by the loader: status [00/00] (no status check named), unwritten_bytes == 0

  // "status in {00/80, 00/81}", "nsze >= ncap", "data matches the LBA stamp".
  std::string describe() const;
};

enum class CheckState { kPassed, kFailed, kNotApplicable };

struct CheckResult {
  CheckState state = CheckState::kPassed;
  std::string description;  // Check::describe()
  std::string expected;     // with expressions evaluated: ">= 0x800 (2048)"
  std::string actual;
  SourceMark mark;
};

// What checks need besides the observed value.
struct CheckEnvironment {
  const Variables& variables;
  const ModelProfile* model = nullptr;  // null: no --model
  const std::map<std::string, DataPtr, std::less<>>& saved;
};

// Applies one check. Throws CaseInputError when an operand cannot be evaluated.
CheckResult apply(const Check& check, const Value& value, const CheckEnvironment& environment);

// Parses "00/80" (SCT/SC, hex). Returns false when the text is not of that form.
bool parse_status_code(std::string_view text, spec::Status& status);
// Which value kinds an op applies to ("number", "text"...), for loader messages.
bool op_applies_to(CheckOp op, ValueKind kind);
std::string_view op_name(CheckOp op);

}  // namespace nvqual::harness
