// I/O queue lifecycle: create and delete queue pairs (CQ before its SQ,
// SQ before its CQ: NVMe Base 2.0, 3.5.1 and 5.6), look them up, and the raw
// create/delete forms conformance checks use. Queue memory is released only
// when the controller can no longer reach it.
#include <algorithm>

#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/controller.hpp"
#include "nvqual/driver/queue_limits.hpp"
#include "queue_memory.hpp"

namespace nvqual {

QueuePair& Controller::create_io_queue_pair(uint16_t qid, uint32_t entries) {
  require_enabled("creating an I/O queue");
  if (qid == 0 || queues_->io.count(qid) != 0) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("I/O queue pair {} exists already or is the admin queue", qid));
  }
  const spec::Cap cap = cap_at_enable_;
  if (entries < queue_limits::kMinEntries || entries > cap.max_queue_entries()) {
    throw DriverError(ErrorKind::kInvalidArgument, fmt::format("I/O queue depth {} is outside 2..{} (CAP.MQES + 1)",
                                                               entries, cap.max_queue_entries()));
  }
  // Registered before the device hears of it: if a create command fails
  // without an answer, disable_after_failure() must find the rings to keep.
  auto created = std::make_unique<QueuePair>(
      transport_, clock_, &log_,
      QueueGeometry{qid, entries, entries, cap.doorbell_stride_bytes(), static_cast<size_t>(page_size_)});
  QueuePair& queue = *created;
  queues_->io.emplace(qid, std::move(created));
  // Create the CQ before the SQ that completes to it (NVMe Base 2.0, 3.5.1).
  const auto cq = admin(cmd::create_io_cq(qid, entries, queue.cq_iova(), true));
  if (!cq.status().ok()) {
    // Refused, says the device; but a device that lies (or is wrong) may have
    // created the CQ anyway: keep its memory until the controller is disabled.
    queues_->retired.push_back(std::move(queues_->io[qid]));
    queues_->io.erase(qid);
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("Create I/O CQ {} ({} entries) failed: {}", qid, entries, cq.status().describe()));
  }
  const auto sq = admin(cmd::create_io_sq(qid, entries, queue.sq_iova(), qid, true));
  if (!sq.status().ok()) {
    admin(cmd::delete_io_cq(qid));
    // Whatever either status says, the controller may still know the SQ or
    // the CQ (a refused create the device carried out): keep the memory until disable.
    queues_->retired.push_back(std::move(queues_->io[qid]));
    queues_->io.erase(qid);
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("Create I/O SQ {} ({} entries) failed: {}", qid, entries, sq.status().describe()));
  }
  return queue;
}

void Controller::delete_io_queue_pair(uint16_t qid) {
  require_enabled("deleting an I/O queue");
  // Delete the SQ before its CQ (2.0, 5.6); memory is released only when both are gone.
  const auto sq = admin(cmd::delete_io_sq(qid));
  if (!sq.status().ok()) {
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("Delete I/O SQ {} failed: {}", qid, sq.status().describe()));
  }
  const auto cq = admin(cmd::delete_io_cq(qid));
  if (!cq.status().ok()) {
    queues_->retired.push_back(std::move(queues_->io[qid]));
    queues_->io.erase(qid);
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("Delete I/O CQ {} failed: {}", qid, cq.status().describe()));
  }
  queues_->io.erase(qid);
}

QueuePair& Controller::io_queue(uint16_t qid) {
  const auto it = queues_->io.find(qid);
  if (it == queues_->io.end()) {
    throw DriverError(ErrorKind::kInvalidArgument, fmt::format("no I/O queue pair {} was created", qid));
  }
  return *it->second;
}

std::vector<uint16_t> Controller::io_queue_ids() const {
  std::vector<uint16_t> ids;
  for (const auto& [qid, queue] : queues_->io) ids.push_back(qid);
  return ids;
}

spec::CompletionEntry Controller::create_io_cq(const CreateQueueRequest& request) {
  require_enabled("creating an I/O CQ");
  const size_t bytes = std::max<uint32_t>(request.entries, 2) * spec::kCompletionEntrySize + request.base_offset;
  // Kept before the command goes out, so a failure without an answer finds it.
  const uint64_t iova = queues_->raw.emplace_back(transport_, bytes, static_cast<size_t>(page_size_)).iova();
  return admin(cmd::create_io_cq(request.qid, request.entries, iova + request.base_offset,
                                 request.physically_contiguous, request.interrupts_enabled, request.interrupt_vector));
}

spec::CompletionEntry Controller::create_io_sq(const CreateQueueRequest& request) {
  require_enabled("creating an I/O SQ");
  const size_t bytes = std::max<uint32_t>(request.entries, 2) * spec::kSubmissionEntrySize + request.base_offset;
  const uint64_t iova = queues_->raw.emplace_back(transport_, bytes, static_cast<size_t>(page_size_)).iova();
  return admin(cmd::create_io_sq(request.qid, request.entries, iova + request.base_offset, request.cqid,
                                 request.physically_contiguous));
}

spec::CompletionEntry Controller::delete_io_sq(uint16_t qid) { return admin(cmd::delete_io_sq(qid)); }
spec::CompletionEntry Controller::delete_io_cq(uint16_t qid) { return admin(cmd::delete_io_cq(qid)); }

}  // namespace nvqual
