#include "case_variables.hpp"

#include <fmt/format.h>

namespace nvqual::harness {

Variables case_variables(const Variables& facts, const Case& test_case) {
  Variables variables = facts;
  variables["iteration"] = 0;
  struct Setting {
    const char* name;
    const char* key;
    const Expression* expression;
    uint64_t min, max;
    bool used;  // I/O queue settings matter (and are range-checked) in state io only
  };
  const bool io = test_case.state == StartState::kIo;
  // In this order: each may use the ones before it (the loader checks that).
  const Setting settings[] = {
      {"admin_sq_entries", "admin_queue entries", &test_case.admin_sq_entries, 2, 4096, true},
      {"admin_cq_entries", "admin_queue cq_entries", &test_case.admin_cq_entries, 2, 4096, true},
      {"io_queue_count", "io_queues count", &test_case.io_queue_count, 1, 65535, io},
      {"io_queue_entries", "io_queues entries", &test_case.io_queue_entries, 2, 65536, io},
  };
  for (const Setting& setting : settings) {
    const uint64_t value = setting.expression->evaluate(variables);
    if (setting.used && (value < setting.min || value > setting.max)) {
      throw CaseInputError(fmt::format("{} '{}' is {} on this device: expected {}..{} ({})", setting.key,
                                       setting.expression->text(), value, setting.min, setting.max,
                                       test_case.mark.str()));
    }
    variables[setting.name] = value;
  }
  return variables;
}

}  // namespace nvqual::harness
