#include "nvqual/harness/expression.hpp"

#include <bit>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "nvqual/harness/suite_error.hpp"

namespace nvqual::harness {

// One node of the parsed tree. Binary operators keep both operands; a call keeps
// its arguments; a name is looked up at evaluation time.
struct Expression::Node {
  enum class Kind { kNumber, kName, kUnary, kBinary, kCall };
  Kind kind = Kind::kNumber;
  uint64_t number = 0;
  std::string name;  // variable, function, or operator spelling
  std::vector<std::shared_ptr<const Node>> operands;
  size_t offset = 0;  // kBinary: where the operator is in the text
};

namespace {

using NodePtr = std::shared_ptr<const Expression::Node>;
using Kind = Expression::Node::Kind;

struct Function {
  std::string_view name;
  size_t arity;
};
constexpr Function kFunctions[] = {{"min", 2}, {"max", 2}, {"pow2", 1}, {"log2", 1}};

// The work one expression can cause is bounded: the parser and the evaluator
// recurse, once per nesting level (parentheses, unary operators, calls) and once
// per operator in a chain. Found by fuzz/fuzz_expression.cpp: a few thousand '('
// overflowed the stack. Suite expressions are a line long and nest a few levels.
constexpr size_t kMaxLength = 4096;
constexpr size_t kMaxNesting = 64;

// Binary operators by precedence level, lowest first.
const std::vector<std::vector<std::string_view>> kLevels = {
    {"||"},       {"&&"},     {"|"},           {"^"}, {"&"}, {"==", "!="}, {"<=", ">=", "<", ">"},
    {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  NodePtr parse_all() {
    if (text_.size() > kMaxLength) {
      throw ExpressionError(0, fmt::format("expression of {} characters: at most {}; split it, or save a step's "
                                           "result and use that",
                                           text_.size(), kMaxLength));
    }
    skip_space();
    if (at_end()) throw ExpressionError(0, "empty expression: expected a number, a variable or a parenthesis");
    NodePtr root = parse_level(0);
    skip_space();
    if (!at_end()) {
      throw ExpressionError(pos_, fmt::format("unexpected '{}' after a complete expression: expected an operator",
                                              text_.substr(pos_, 1)));
    }
    return root;
  }

  std::vector<std::string> names;
  std::vector<size_t> name_offsets;

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0) ++pos_;
  }
  // Matches an operator token, taking care that "<" does not match "<<" or "<=", "|" not "||".
  bool take_operator(std::string_view op) {
    if (text_.substr(pos_, op.size()) != op) return false;
    if (op.size() == 1 && pos_ + 1 < text_.size()) {
      const char next = text_[pos_ + 1];
      const char c = op[0];
      if ((c == '<' || c == '>') && (next == c || next == '=')) return false;
      if ((c == '|' || c == '&') && next == c) return false;
      if ((c == '=' || c == '!') && next == '=') return false;
    }
    pos_ += op.size();
    return true;
  }

  NodePtr parse_level(size_t level) {
    if (level == kLevels.size()) return parse_unary();
    NodePtr left = parse_level(level + 1);
    for (;;) {
      skip_space();
      bool matched = false;
      for (std::string_view op : kLevels[level]) {
        const size_t at = pos_;
        if (take_operator(op)) {
          skip_space();
          if (at_end()) throw ExpressionError(pos_, fmt::format("expression ends after '{}': expected an operand", op));
          NodePtr right = parse_level(level + 1);
          auto node = std::make_shared<Expression::Node>();
          node->kind = Kind::kBinary;
          node->name = std::string(op);
          node->operands = {left, right};
          node->offset = at;
          left = node;
          matched = true;
          break;
        }
      }
      if (!matched) return left;
    }
  }

  // One nesting level deeper for as long as it lives.
  class Nested {
   public:
    explicit Nested(Parser& parser) : parser_(parser) {
      if (++parser_.depth_ > kMaxNesting) {
        throw ExpressionError(parser_.pos_, fmt::format("expression nests deeper than {} levels (parentheses, unary "
                                                        "operators and calls): simplify it",
                                                        kMaxNesting));
      }
    }
    ~Nested() { --parser_.depth_; }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;

   private:
    Parser& parser_;
  };

  NodePtr parse_unary() {
    skip_space();
    if (!at_end() && (text_[pos_] == '-' || text_[pos_] == '!' || text_[pos_] == '~')) {
      const Nested nested(*this);
      auto node = std::make_shared<Expression::Node>();
      node->kind = Kind::kUnary;
      node->name = std::string(1, text_[pos_++]);
      node->operands = {parse_unary()};
      return node;
    }
    return parse_primary();
  }

  NodePtr parse_primary() {
    skip_space();
    if (at_end()) throw ExpressionError(pos_, "expression ends early: expected a number, a variable or '('");
    const char c = text_[pos_];
    if (c == '(') {
      const Nested nested(*this);
      ++pos_;
      NodePtr inner = parse_level(0);
      skip_space();
      if (at_end() || text_[pos_] != ')') throw ExpressionError(pos_, "missing ')'");
      ++pos_;
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) return parse_number();
    if (std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_') return parse_name();
    throw ExpressionError(pos_, fmt::format("unexpected '{}': expected a number, a variable or '('", c));
  }

  NodePtr parse_number() {
    const size_t start = pos_;
    int base = 10;
    if (text_.substr(pos_, 2) == "0x" || text_.substr(pos_, 2) == "0X") {
      base = 16;
      pos_ += 2;
    } else if (text_.substr(pos_, 2) == "0b" || text_.substr(pos_, 2) == "0B") {
      base = 2;
      pos_ += 2;
    }
    std::string digits;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 || text_[pos_] == '_')) {
      if (text_[pos_] != '_') digits += text_[pos_];
      ++pos_;
    }
    uint64_t value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (digits.empty() || ec == std::errc::invalid_argument || end != digits.data() + digits.size()) {
      throw ExpressionError(
          start, fmt::format("'{}' is not a number (decimal, 0x hex or 0b binary)", text_.substr(start, pos_ - start)));
    }
    if (ec == std::errc::result_out_of_range) {
      throw ExpressionError(start, fmt::format("'{}' does not fit 64 bits", text_.substr(start, pos_ - start)));
    }
    auto node = std::make_shared<Expression::Node>();
    node->number = value;
    return node;
  }

  NodePtr parse_name() {
    const size_t start = pos_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 || text_[pos_] == '_')) ++pos_;
    std::string name(text_.substr(start, pos_ - start));
    skip_space();
    if (!at_end() && text_[pos_] == '(') return parse_call(std::move(name), start);
    auto node = std::make_shared<Expression::Node>();
    node->kind = Kind::kName;
    node->name = name;
    bool seen = false;
    for (const auto& existing : names) seen = seen || existing == name;
    if (!seen) {
      names.push_back(name);
      name_offsets.push_back(start);
    }
    return node;
  }

  NodePtr parse_call(std::string name, size_t start) {
    const Function* function = nullptr;
    for (const auto& f : kFunctions) {
      if (f.name == name) function = &f;
    }
    if (function == nullptr) {
      throw ExpressionError(start, fmt::format("unknown function '{}': expected min, max, pow2 or log2", name));
    }
    const Nested nested(*this);
    ++pos_;  // '('
    auto node = std::make_shared<Expression::Node>();
    node->kind = Kind::kCall;
    node->name = name;
    for (;;) {
      node->operands.push_back(parse_level(0));
      skip_space();
      if (!at_end() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (!at_end() && text_[pos_] == ')') {
        ++pos_;
        break;
      }
      throw ExpressionError(pos_, fmt::format("expected ',' or ')' in the call of {}()", name));
    }
    if (node->operands.size() != function->arity) {
      throw ExpressionError(
          start, fmt::format("{}() takes {} argument(s), got {}", name, function->arity, node->operands.size()));
    }
    return node;
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t depth_ = 0;  // nesting levels open at pos_
};

uint64_t evaluate_node(const Expression::Node& node, const Variables& variables, const std::string& text) {
  switch (node.kind) {
    case Kind::kNumber: return node.number;
    case Kind::kName: {
      const auto it = variables.find(node.name);
      if (it == variables.end()) {
        throw CaseInputError(fmt::format("variable '{}' in '{}' has no value on this device", node.name, text));
      }
      return it->second;
    }
    case Kind::kUnary: {
      const uint64_t v = evaluate_node(*node.operands[0], variables, text);
      if (node.name == "-") return uint64_t{0} - v;
      if (node.name == "!") return v == 0 ? 1 : 0;
      return ~v;
    }
    case Kind::kCall: {
      const uint64_t a = evaluate_node(*node.operands[0], variables, text);
      if (node.name == "pow2") return a >= 64 ? 0 : uint64_t{1} << a;
      if (node.name == "log2") return a == 0 ? 0 : static_cast<uint64_t>(std::bit_width(a) - 1);
      const uint64_t b = evaluate_node(*node.operands[1], variables, text);
      return node.name == "min" ? std::min(a, b) : std::max(a, b);
    }
    case Kind::kBinary: break;
  }
  const std::string& op = node.name;
  const uint64_t a = evaluate_node(*node.operands[0], variables, text);
  if (op == "&&") return a != 0 && evaluate_node(*node.operands[1], variables, text) != 0 ? 1 : 0;
  if (op == "||") return a != 0 || evaluate_node(*node.operands[1], variables, text) != 0 ? 1 : 0;
  const uint64_t b = evaluate_node(*node.operands[1], variables, text);
  if (op == "+") return a + b;
  if (op == "-") return a - b;
  if (op == "*") return a * b;
  if (op == "/" || op == "%") {
    if (b == 0) throw CaseInputError(fmt::format("division by zero in '{}'", text));
    return op == "/" ? a / b : a % b;
  }
  if (op == "<<") return b >= 64 ? 0 : a << b;
  if (op == ">>") return b >= 64 ? 0 : a >> b;
  if (op == "&") return a & b;
  if (op == "|") return a | b;
  if (op == "^") return a ^ b;
  if (op == "==") return a == b ? 1 : 0;
  if (op == "!=") return a != b ? 1 : 0;
  if (op == "<") return a < b ? 1 : 0;
  if (op == "<=") return a <= b ? 1 : 0;
  if (op == ">") return a > b ? 1 : 0;
  return a >= b ? 1 : 0;  // ">="
}

bool uses_names(const Expression::Node& node) {
  if (node.kind == Kind::kName) return true;
  for (const auto& operand : node.operands) {
    if (uses_names(*operand)) return true;
  }
  return false;
}

bool same_tree(const Expression::Node& a, const Expression::Node& b) {
  if (a.kind != b.kind || a.number != b.number || a.name != b.name || a.operands.size() != b.operands.size()) {
    return false;
  }
  for (size_t i = 0; i < a.operands.size(); ++i) {
    if (!same_tree(*a.operands[i], *b.operands[i])) return false;
  }
  return true;
}

// True when the node is 0 whatever values its variables take: a constant 0,
// or a form that cancels (`x - x`, `x ^ x`, `x != x`, `x < x`, `x > x`) or is
// absorbed by a zero (`0 * x`, `x & 0`, `0 << x`, `0 / x`, `min(x, 0)`, `-0`,
// `0 && x`). Conservative: false means "may be non-zero".
bool always_zero(const Expression::Node& node, const std::string& text) {
  if (!uses_names(node)) return evaluate_node(node, {}, text) == 0;
  const auto zero = [&](size_t i) { return always_zero(*node.operands[i], text); };
  const std::string& op = node.name;
  switch (node.kind) {
    case Kind::kUnary: return (op == "-") && zero(0);
    case Kind::kCall: return op == "min" && (zero(0) || zero(1));
    case Kind::kBinary:
      if ((op == "-" || op == "^" || op == "!=" || op == "<" || op == ">") &&
          same_tree(*node.operands[0], *node.operands[1])) {
        return true;
      }
      if (op == "*" || op == "&" || op == "&&") return zero(0) || zero(1);
      if (op == "<<" || op == ">>" || op == "/" || op == "%") return zero(0);
      return false;
    default: return false;
  }
}

// A divisor that is 0 whatever the device reports is a mistake in the suite,
// not something to find when the case runs: refuse it while parsing.
void reject_constant_zero_divisors(const Expression::Node& node, const std::string& text) {
  for (const auto& operand : node.operands) reject_constant_zero_divisors(*operand, text);
  if (node.kind != Kind::kBinary || (node.name != "/" && node.name != "%")) return;
  const Expression::Node& divisor = *node.operands[1];
  if (always_zero(divisor, text)) {
    throw ExpressionError(node.offset, fmt::format("'{}' divides by zero whatever the device reports", node.name));
  }
}

}  // namespace

Expression::Expression() : root_(std::make_shared<Node>()), text_("0") {}

Expression Expression::constant(uint64_t value) {
  Expression e;
  auto node = std::make_shared<Node>();
  node->number = value;
  e.root_ = node;
  e.text_ = std::to_string(value);
  return e;
}

Expression Expression::parse(std::string_view text) {
  Parser parser(text);
  Expression e;
  e.root_ = parser.parse_all();
  e.text_ = std::string(text);
  reject_constant_zero_divisors(*e.root_, e.text_);
  e.names_ = std::move(parser.names);
  e.name_offsets_ = std::move(parser.name_offsets);
  return e;
}

uint64_t Expression::evaluate(const Variables& variables) const { return evaluate_node(*root_, variables, text_); }

std::optional<uint64_t> Expression::constant_value() const {
  if (!names_.empty()) return std::nullopt;
  try {
    return evaluate({});
  } catch (const CaseInputError&) {
    return std::nullopt;  // not reached: parse() refuses constant zero divisors
  }
}

}  // namespace nvqual::harness
