// Integer expressions in suites: `lba: nsze - 1`, `blocks: max_transfer_blocks + 1`,
// `when: (oacs & 0x8) == 0`. Values the device reports are variables, so no suite
// hard-codes a device's numbers.
//
// Grammar (C precedence, lowest first): ?: is not supported on purpose.
//   || && | ^ & (== !=) (< <= > >=) (<< >>) (+ -) (* / %) unary(- ! ~) primary
//   primary: number (decimal, 0x hex, 0b binary, '_' separators) | name | name(args) | ( expr )
//   functions: min(a, b), max(a, b), pow2(n) = 2^n, log2(n) = floor(log2 n)
// Arithmetic is unsigned 64-bit and wraps (so `0 - 1` is 2^64-1, the overflow LBA);
// comparisons and logic give 0 or 1; a divisor that is always 0 is a parse
// error, one that is 0 on a given device an error when the case runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nvqual::harness {

using Variables = std::map<std::string, uint64_t, std::less<>>;

// A syntax error; `offset` is the byte in the expression text where it was found.
class ExpressionError : public std::runtime_error {
 public:
  ExpressionError(size_t offset, const std::string& message) : std::runtime_error(message), offset_(offset) {}
  size_t offset() const { return offset_; }

 private:
  size_t offset_;
};

class Expression {
 public:
  struct Node;

  Expression();                                    // the constant 0
  static Expression parse(std::string_view text);  // throws ExpressionError
  static Expression constant(uint64_t value);

  // Throws CaseInputError on division by zero or a variable missing from `variables`.
  uint64_t evaluate(const Variables& variables) const;
  // Set when the expression uses no variables (so a loader can range-check it).
  std::optional<uint64_t> constant_value() const;
  // Every variable name the expression reads, in order of first use.
  const std::vector<std::string>& names() const { return names_; }
  // Byte offset of each name in text(), parallel to names().
  const std::vector<size_t>& name_offsets() const { return name_offsets_; }
  const std::string& text() const { return text_; }

 private:
  std::shared_ptr<const Node> root_;
  std::string text_;
  std::vector<std::string> names_;
  std::vector<size_t> name_offsets_;
};

}  // namespace nvqual::harness
