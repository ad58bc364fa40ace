#include "nvqual/harness/check.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nvqual/driver/identify.hpp"
#include "nvqual/driver/lba_stamp.hpp"
#include "nvqual/driver/write_stamp.hpp"

namespace nvqual::harness {

namespace {

std::string number_text(uint64_t v) { return describe(Value{v}); }

std::string trim_right(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
  return text;
}

std::string accept_list(const std::vector<spec::Status>& accept) {
  std::string out;
  for (const auto& s : accept) out += (out.empty() ? "" : ", ") + s.code();
  return "{" + out + "}";
}

CheckResult result(const Check& check, bool passed, std::string expected, std::string actual) {
  return CheckResult{passed ? CheckState::kPassed : CheckState::kFailed, check.describe(), std::move(expected),
                     std::move(actual), check.mark};
}

CheckResult not_applicable(const Check& check, std::string why) {
  return CheckResult{CheckState::kNotApplicable, check.describe(), std::move(why), "", check.mark};
}

const ModelExpectation* model_expectation(const Check& check, const CheckEnvironment& env) {
  return env.model == nullptr ? nullptr : env.model->find(check.text);
}

CheckResult model_not_applicable(const Check& check, const CheckEnvironment& env) {
  if (env.model == nullptr) return not_applicable(check, "no model profile given (--model)");
  return not_applicable(check, fmt::format("{} gives no {}", env.model->name, check.text));
}

// "0x1b36 (6966) (QEMU NVMe Ctrl identify_controller.vid, qemu-7.2.yaml:9:3)"
std::string model_text(const ModelExpectation& expected, const Check& check, const CheckEnvironment& env) {
  const std::string where = expected.mark.file.empty() ? "" : ", " + expected.mark.str();
  return fmt::format("{} ({} {}{})", expected.describe(), env.model->name, check.text, where);
}

CheckResult apply_number(const Check& check, uint64_t v, const CheckEnvironment& env) {
  std::vector<uint64_t> operands;
  for (const auto& e : check.operands) operands.push_back(e.evaluate(env.variables));
  const std::string actual = number_text(v);
  switch (check.op) {
    case CheckOp::kEq: return result(check, v == operands[0], "== " + number_text(operands[0]), actual);
    case CheckOp::kNe: return result(check, v != operands[0], "!= " + number_text(operands[0]), actual);
    case CheckOp::kGe: return result(check, v >= operands[0], ">= " + number_text(operands[0]), actual);
    case CheckOp::kGt: return result(check, v > operands[0], "> " + number_text(operands[0]), actual);
    case CheckOp::kLe: return result(check, v <= operands[0], "<= " + number_text(operands[0]), actual);
    case CheckOp::kLt: return result(check, v < operands[0], "< " + number_text(operands[0]), actual);
    case CheckOp::kRange:
      return result(check, v >= operands[0] && v <= operands[1],
                    fmt::format("in [{}, {}]", number_text(operands[0]), number_text(operands[1])), actual);
    case CheckOp::kBitsSet:
      return result(check, (v & operands[0]) == operands[0], fmt::format("bits {:#x} set", operands[0]),
                    fmt::format("{:#x}", v));
    case CheckOp::kBitsClear:
      return result(check, (v & operands[0]) == 0, fmt::format("bits {:#x} clear", operands[0]),
                    fmt::format("{:#x}", v));
    case CheckOp::kOneOf: {
      std::string list;
      for (uint64_t o : operands) list += (list.empty() ? "" : ", ") + number_text(o);
      return result(check, std::find(operands.begin(), operands.end(), v) != operands.end(), "one of {" + list + "}",
                    actual);
    }
    case CheckOp::kModel: {
      const ModelExpectation* expected = model_expectation(check, env);
      if (expected == nullptr) return model_not_applicable(check, env);
      return result(check, expected->matches(v), model_text(*expected, check, env), actual);
    }
    default: break;
  }
  throw std::logic_error("check op does not apply to numbers");
}

CheckResult apply_text(const Check& check, const TextValue& v, const CheckEnvironment& env) {
  const std::string actual = fmt::format("\"{}\"", v.text);
  switch (check.op) {
    case CheckOp::kPrintable: {
      const bool ok = is_printable_ascii_padded(std::span<const std::byte>(v.raw));
      std::string shown = actual;
      if (!ok) {
        shown += " raw:";
        for (std::byte b : v.raw) shown += fmt::format(" {:02x}", static_cast<unsigned>(b));
      }
      return result(check, ok, "printable ASCII (20h-7Eh) padded with spaces", shown);
    }
    case CheckOp::kText:
      return result(check, trim_right(v.text) == trim_right(check.text), fmt::format("\"{}\"", check.text), actual);
    case CheckOp::kModel: {
      const ModelExpectation* expected = model_expectation(check, env);
      if (expected == nullptr) return model_not_applicable(check, env);
      return result(check, expected->matches(v.text), model_text(*expected, check, env), actual);
    }
    default: break;
  }
  throw std::logic_error("check op does not apply to text");
}

uint64_t le_at(const std::vector<std::byte>& bytes, size_t at, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= static_cast<uint64_t>(bytes[at + i]) << (8 * i);
  return v;
}

// The blocks read must be blocks the saved write wrote (same NSID, inside its
// LBAs); each then must carry that write's stamp. The saved block's own header
// gives the NSID, generation and seed (write_stamp.hpp).
CheckResult apply_written_by(const Check& check, const DataBlock& data, const CheckEnvironment& env) {
  const auto it = env.saved.find(check.text);
  if (it == env.saved.end() || !it->second || it->second->lba_size == 0 ||
      it->second->bytes.size() < write_stamp::kHeaderBytes) {
    return result(check, false, fmt::format("data a write saved as '{}'", check.text),
                  "no written blocks were saved under that name");
  }
  const DataBlock& written = *it->second;
  const uint64_t data_end = data.first_lba + data.blocks();
  const uint64_t written_end = written.first_lba + written.blocks();
  if (data.lba_size != written.lba_size || data.nsid != written.nsid || data.first_lba < written.first_lba ||
      data_end > written_end || data.blocks() == 0) {
    return result(check, false,
                  fmt::format("blocks '{}' wrote: nsid {} LBA {}..{}", check.text, written.nsid, written.first_lba,
                              written_end - 1),
                  fmt::format("nsid {} LBA {}..{} were read", data.nsid, data.first_lba, data_end - 1));
  }
  const write_stamp::Stamp first{.lba = data.first_lba,
                                 .nsid = static_cast<uint32_t>(le_at(written.bytes, 8, 4)),
                                 .generation = static_cast<uint32_t>(le_at(written.bytes, 12, 4)),
                                 .seed = le_at(written.bytes, 16, 8)};
  const std::string expected = fmt::format("write stamp of '{}' (generation {})", check.text, first.generation);
  const auto failure = write_stamp::check(std::span<const std::byte>(data.bytes), data.lba_size, first);
  if (!failure)
    return result(check, true, expected, fmt::format("{} blocks from LBA {}", data.blocks(), data.first_lba));
  return result(check, false, fmt::format("{} at LBA {}", expected, failure->lba),
                fmt::format("{}: {}", write_stamp::to_string(failure->verdict), failure->detail));
}

CheckResult apply_every_byte(const Check& check, const DataBlock& data, const CheckEnvironment& env) {
  const uint64_t value = check.operands[0].evaluate(env.variables);
  if (value > 0xFF) {
    throw CaseInputError(
        fmt::format("every_byte '{}' is {}: a byte is 0..255 ({})", check.operands[0].text(), value, check.mark.str()));
  }
  const auto want = static_cast<std::byte>(value);
  const auto bad = std::find_if(data.bytes.begin(), data.bytes.end(), [&](std::byte b) { return b != want; });
  const std::string expected = fmt::format("every byte {:02x}h", value);
  if (data.bytes.empty()) return result(check, false, expected, "no bytes were read");
  if (bad == data.bytes.end()) return result(check, true, expected, fmt::format("{} bytes", data.bytes.size()));
  const size_t at = static_cast<size_t>(bad - data.bytes.begin());
  const size_t count = static_cast<size_t>(
      std::count_if(bad, data.bytes.end(), [&](std::byte b) { return b != want; }));
  const std::string where = data.lba_size == 0 ? fmt::format("byte {}", at)
                                               : fmt::format("byte {} of LBA {}", at % data.lba_size,
                                                             data.first_lba + at / data.lba_size);
  return result(check, false, expected,
                fmt::format("{} = {:02x}h ({} of {} bytes differ)", where, static_cast<unsigned>(*bad), count,
                            data.bytes.size()));
}

CheckResult apply_data(const Check& check, const DataPtr& data, const CheckEnvironment& env) {
  if (!data) return result(check, false, check.describe(), "no data was read");
  switch (check.op) {
    case CheckOp::kPattern: {
      const auto mismatch = lba_stamp::check(std::span<const std::byte>(data->bytes), data->lba_size, data->first_lba,
                                             data->nsid);
      if (!mismatch) return result(check, true, "LBA stamp", describe(Value{data}));
      return result(
          check, false,
          fmt::format("LBA stamp: byte {} of LBA {} = {:02x}h", mismatch->byte, mismatch->lba, mismatch->expected),
          fmt::format("{:02x}h", mismatch->actual));
    }
    case CheckOp::kSameAs: {
      const auto it = env.saved.find(check.text);
      if (it == env.saved.end() || !it->second) {
        return result(check, false, fmt::format("data saved as '{}'", check.text), "nothing was saved under that name");
      }
      const DataBlock& other = *it->second;
      if (other.bytes.size() != data->bytes.size()) {
        return result(check, false, fmt::format("{} bytes like '{}'", other.bytes.size(), check.text),
                      fmt::format("{} bytes", data->bytes.size()));
      }
      const auto diff = std::mismatch(data->bytes.begin(), data->bytes.end(), other.bytes.begin());
      if (diff.first == data->bytes.end())
        return result(check, true, "same bytes as " + check.text, describe(Value{data}));
      const size_t at = static_cast<size_t>(diff.first - data->bytes.begin());
      // Identify structures carry no LBA (lba_size 0): name the byte only.
      const std::string where = data->lba_size == 0
                                    ? fmt::format("byte {}", at)
                                    : fmt::format("byte {} (LBA {})", at, data->first_lba + at / data->lba_size);
      return result(check, false,
                    fmt::format("{} = {:02x}h as in '{}'", where, static_cast<unsigned>(*diff.second), check.text),
                    fmt::format("{:02x}h", static_cast<unsigned>(*diff.first)));
    }
    case CheckOp::kWrittenBy: return apply_written_by(check, *data, env);
    case CheckOp::kEveryByte: return apply_every_byte(check, *data, env);
    case CheckOp::kModel: {
      const ModelExpectation* expected = model_expectation(check, env);
      if (expected == nullptr) return model_not_applicable(check, env);
      const std::string actual = sha256_of(*data);
      return result(check, expected->matches(actual), "sha256 " + model_text(*expected, check, env),
                    "sha256 " + actual);
    }
    default: break;
  }
  throw std::logic_error("check op does not apply to data");
}

}  // namespace

std::string_view op_name(CheckOp op) {
  switch (op) {
    case CheckOp::kAccept: return "accept";
    case CheckOp::kEq: return "eq";
    case CheckOp::kNe: return "ne";
    case CheckOp::kGe: return "ge";
    case CheckOp::kGt: return "gt";
    case CheckOp::kLe: return "le";
    case CheckOp::kLt: return "lt";
    case CheckOp::kRange: return "range";
    case CheckOp::kBitsSet: return "bits_set";
    case CheckOp::kBitsClear: return "bits_clear";
    case CheckOp::kOneOf: return "one_of";
    case CheckOp::kPrintable: return "printable";
    case CheckOp::kText: return "text";
    case CheckOp::kModel: return "model";
    case CheckOp::kWithin: return "within";
    case CheckOp::kPattern: return "pattern";
    case CheckOp::kSameAs: return "same_as";
    case CheckOp::kWrittenBy: return "written_by";
    case CheckOp::kEveryByte: return "every_byte";
  }
  return "?";
}

bool op_applies_to(CheckOp op, ValueKind kind) {
  switch (op) {
    case CheckOp::kAccept: return kind == ValueKind::kStatus;
    case CheckOp::kEq:
    case CheckOp::kNe:
    case CheckOp::kGe:
    case CheckOp::kGt:
    case CheckOp::kLe:
    case CheckOp::kLt:
    case CheckOp::kRange:
    case CheckOp::kBitsSet:
    case CheckOp::kBitsClear:
    case CheckOp::kOneOf: return kind == ValueKind::kNumber;
    case CheckOp::kPrintable:
    case CheckOp::kText: return kind == ValueKind::kText;
    case CheckOp::kModel: return kind == ValueKind::kNumber || kind == ValueKind::kText || kind == ValueKind::kData;
    case CheckOp::kWithin: return kind == ValueKind::kDuration;
    case CheckOp::kPattern:
    case CheckOp::kSameAs:
    case CheckOp::kWrittenBy:
    case CheckOp::kEveryByte: return kind == ValueKind::kData;
  }
  return false;
}

std::string Check::describe() const {
  auto operand = [&](size_t i) { return i < operands.size() ? operands[i].text() : std::string("?"); };
  switch (op) {
    case CheckOp::kAccept: return fmt::format("{} in {}", field, accept_list(accept));
    case CheckOp::kEq: return fmt::format("{} == {}", field, operand(0));
    case CheckOp::kNe: return fmt::format("{} != {}", field, operand(0));
    case CheckOp::kGe: return fmt::format("{} >= {}", field, operand(0));
    case CheckOp::kGt: return fmt::format("{} > {}", field, operand(0));
    case CheckOp::kLe: return fmt::format("{} <= {}", field, operand(0));
    case CheckOp::kLt: return fmt::format("{} < {}", field, operand(0));
    case CheckOp::kRange: return fmt::format("{} in [{}, {}]", field, operand(0), operand(1));
    case CheckOp::kBitsSet: return fmt::format("{} has bits {} set", field, operand(0));
    case CheckOp::kBitsClear: return fmt::format("{} has bits {} clear", field, operand(0));
    case CheckOp::kOneOf: {
      std::string list;
      for (const auto& e : operands) list += (list.empty() ? "" : ", ") + e.text();
      return fmt::format("{} is one of {{{}}}", field, list);
    }
    case CheckOp::kPrintable: return fmt::format("{} is printable ASCII", field);
    case CheckOp::kText: return fmt::format("{} is \"{}\"", field, text);
    case CheckOp::kModel: return fmt::format("{} matches the model profile's {}", field, text);
    case CheckOp::kWithin: return fmt::format("{} within {} ms", field, operand(0));
    case CheckOp::kPattern: return fmt::format("{} matches the LBA stamp", field);
    case CheckOp::kSameAs: return fmt::format("{} agrees with '{}'", field, text);
    case CheckOp::kWrittenBy: return fmt::format("{} carries the write stamp '{}' wrote", field, text);
    case CheckOp::kEveryByte: return fmt::format("{} is all {} bytes", field, operand(0));
  }
  return field;
}

bool parse_status_code(std::string_view text, spec::Status& status) {
  const auto parsed = spec::parse_status_code(text);
  if (parsed) status = *parsed;
  return parsed.has_value();
}

CheckResult apply(const Check& check, const Value& value, const CheckEnvironment& environment) {
  if (const auto* n = std::get_if<uint64_t>(&value)) return apply_number(check, *n, environment);
  if (const auto* t = std::get_if<TextValue>(&value)) return apply_text(check, *t, environment);
  if (const auto* d = std::get_if<DataPtr>(&value)) return apply_data(check, *d, environment);
  if (const auto* s = std::get_if<spec::Status>(&value)) {
    const bool ok = std::any_of(check.accept.begin(), check.accept.end(),
                                [&](const spec::Status& a) { return a.same_code(*s); });
    return result(check, ok, accept_list(check.accept), s->describe());
  }
  const auto duration = std::get<std::chrono::nanoseconds>(value);
  const uint64_t bound_ms = check.operands.at(0).evaluate(environment.variables);
  // Clamped so a huge bound cannot overflow the nanosecond comparison.
  const auto bound = std::chrono::milliseconds(std::min<uint64_t>(bound_ms, uint64_t{1} << 40));
  return result(check, duration <= bound, fmt::format("<= {} ms", bound_ms), format_duration(duration));
}

}  // namespace nvqual::harness
