// The one place commands are posted, rung and collected (private to the
// driver): submit_and_wait, submit_batch and read all come through here, so
// the doorbell ordering and the stop-on-failure live once.
#pragma once

#include "nvqual/driver/controller.hpp"
#include "queue_memory.hpp"

namespace nvqual {

template <typename OnComplete>
void Controller::post_ring_collect(QueuePair& queue, std::span<const spec::SubmissionEntry> batch,
                                   std::span<uint16_t> cids, const detail::InFlight& in_flight,
                                   OnComplete&& on_complete) {
  // The media-change guard, on the one path every command takes: each entry
  // is checked before any is posted, so a refusal leaves nothing on the queue.
  uint64_t changing = 0;
  for (const auto& sqe : batch) changing += guard_media_change(queue.qid(), sqe, detail::data_at_prp1(in_flight, sqe));
  size_t posted = 0;
  try {
    for (; posted < batch.size(); ++posted) cids[posted] = queue.post(batch[posted]);
  } catch (...) {
    // Nothing of this batch was rung: withdraw it so no later ring submits it.
    if (posted != 0) queue.discard_unrung();
    throw;
  }
  queue.ring();  // one doorbell write for the whole batch
  if (changing != 0) media_changing_sent_.fetch_add(changing, std::memory_order_relaxed);
  for (const auto& sqe : batch) count_sent(queue.qid(), sqe);
  try {
    for (size_t i = 0; i < batch.size(); ++i) {
      const spec::CompletionEntry cqe = queue.wait(cids[i], options_.command_timeout);
      count_completed(queue.qid(), batch[i], cqe);
      on_complete(cqe);
    }
  } catch (...) {
    // Commands of this batch may still be in flight: stop the controller
    // before the buffers they may write are released by unwinding.
    disable_after_failure(in_flight);
    throw;
  }
}

}  // namespace nvqual
