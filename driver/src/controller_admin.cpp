// Admin command wrappers: Identify (controller, namespace, lists), Get Log
// Page, Get Features, Set Features (Number of Queues) and Abort. Each throws
// kCommandFailed with the status on a non-success completion, except Abort,
// whose completion is the answer (NVMe Base 2.0, 5.1).
#include <algorithm>

#include <fmt/format.h>

#include "nvqual/driver/commands.hpp"
#include "nvqual/driver/controller.hpp"

namespace nvqual {

std::vector<std::byte> Controller::admin_read_page(spec::SubmissionEntry sqe, size_t bytes, const char* what) {
  require_enabled(what);
  DmaBuffer page(transport_, std::max<size_t>(bytes, DmaBuffer::kHostPage), static_cast<size_t>(page_size_));
  const spec::CompletionEntry completion = admin(sqe, page, bytes);
  if (!completion.status().ok()) {
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("{} (nsid {}) failed: {}", what, sqe.nsid, completion.status().describe()));
  }
  return {page.data(), page.data() + bytes};
}

IdentifyController Controller::identify_controller() {
  const auto page = admin_read_page(cmd::identify(spec::Cns::kController, 0), kIdentifyPageSize,
                                    "Identify Controller (CNS 01h)");
  identity_ = parse_identify_controller(page);
  return *identity_;
}

IdentifyNamespace Controller::identify_namespace(uint32_t nsid) {
  const auto page = admin_read_page(cmd::identify(spec::Cns::kNamespace, nsid), kIdentifyPageSize,
                                    "Identify Namespace (CNS 00h)");
  IdentifyNamespace ns = parse_identify_namespace(page);
  remember_format(nsid, ns);
  return ns;
}

void Controller::remember_format(uint32_t nsid, const IdentifyNamespace& ns) {
  formats_.erase(nsid);
  if (ns.nsze == 0) return;  // not an active namespace: no format
  try {
    formats_.emplace(nsid, checked_active_format(ns, nsid));
  } catch (const DriverError&) {
    // Not usable for reads: active_format() checks again and says why.
  }
}

std::optional<LbaFormat> Controller::active_format(uint32_t nsid) {
  if (const auto it = formats_.find(nsid); it != formats_.end()) return it->second;
  IdentifyNamespace ns;
  try {
    ns = identify_namespace(nsid);
  } catch (const DriverError& e) {
    if (e.kind() == ErrorKind::kCommandFailed) return std::nullopt;  // the device says it is no namespace
    throw;
  }
  if (ns.nsze == 0) return std::nullopt;
  return checked_active_format(ns, nsid);  // the refusal of a format reads cannot use
}

std::vector<uint32_t> Controller::active_namespaces(uint32_t after_nsid) {
  const auto page = admin_read_page(cmd::identify(spec::Cns::kActiveNamespaceList, after_nsid), kIdentifyPageSize,
                                    "Identify Active Namespace ID list (CNS 02h)");
  return parse_active_namespace_list(page);
}

std::vector<NamespaceIdDescriptor> Controller::namespace_descriptors(uint32_t nsid) {
  const auto page = admin_read_page(cmd::identify(spec::Cns::kNamespaceDescriptorList, nsid), kIdentifyPageSize,
                                    "Identify Namespace Identification Descriptor list (CNS 03h)");
  return parse_namespace_descriptors(page);
}

std::vector<std::byte> Controller::get_log_page(uint8_t lid, uint32_t nsid, size_t bytes) {
  if (bytes == 0 || bytes % 4 != 0) {
    throw DriverError(ErrorKind::kInvalidArgument,
                      fmt::format("log page length {} is not a positive multiple of 4", bytes));
  }
  return admin_read_page(cmd::get_log_page(lid, nsid, static_cast<uint32_t>(bytes / 4)), bytes,
                         fmt::format("Get Log Page {:02x}h", lid).c_str());
}

uint32_t Controller::get_features(uint8_t fid, uint32_t nsid, uint8_t select) {
  const auto completion = admin(cmd::get_features(fid, select, nsid));
  if (!completion.status().ok()) {
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("Get Features {:02x}h failed: {}", fid, completion.status().describe()));
  }
  return completion.dw0;
}

cmd::QueueCounts Controller::set_number_of_queues(uint16_t io_sqs, uint16_t io_cqs) {
  const auto completion = admin(cmd::set_number_of_queues(io_sqs, io_cqs));
  if (!completion.status().ok()) {
    throw DriverError(ErrorKind::kCommandFailed,
                      fmt::format("Set Features Number of Queues ({} SQs, {} CQs) failed: {}", io_sqs, io_cqs,
                                  completion.status().describe()));
  }
  return cmd::decode_number_of_queues(completion.dw0);
}

spec::CompletionEntry Controller::abort(uint16_t sqid, uint16_t cid) { return admin(cmd::abort(sqid, cid)); }

uint64_t Controller::max_transfer_bytes() const {
  if (!identity_) {
    throw DriverError(ErrorKind::kInvalidArgument, "max_transfer_bytes() needs identify_controller() first");
  }
  return identity_->max_transfer_bytes(cap_at_enable_.min_page_size());
}

}  // namespace nvqual
