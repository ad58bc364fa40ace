// A case's variables: the run's facts plus the queue settings the case asks
// for, evaluated on this device.
#pragma once

#include "nvqual/harness/suite.hpp"
#include "nvqual/harness/expression.hpp"

namespace nvqual::harness {

// `facts` with iteration 0 and the case's admin_sq_entries, admin_cq_entries,
// io_queue_count and io_queue_entries. Throws CaseInputError when a setting
// the case's start state uses is out of its range on this device.
Variables case_variables(const Variables& facts, const Case& test_case);

}  // namespace nvqual::harness
