#include "nvqual/harness/media_journal.hpp"

#include <nlohmann/json.hpp>

#include "nvqual/harness/report_output.hpp"

namespace nvqual::harness {

namespace {

const char* holds_name(MediaJournalEntry::Holds holds) {
  switch (holds) {
    case MediaJournalEntry::Holds::kWriteStamp: return "write_stamp";
    case MediaJournalEntry::Holds::kWriteStampAnyGeneration: return "write_stamp_any_generation";
    case MediaJournalEntry::Holds::kZeroes: return "zeroes";
    case MediaJournalEntry::Holds::kDeallocated: return "deallocated";
    case MediaJournalEntry::Holds::kDigest: return "digest";
    case MediaJournalEntry::Holds::kUnknown: return "unknown";
  }
  return "unknown";
}

}  // namespace

void MediaJournal::add(MediaJournalEntry entry) {
  const std::lock_guard lock(mutex_);
  entries_.push_back(std::move(entry));
}

std::vector<MediaJournalEntry> MediaJournal::entries() const {
  const std::lock_guard lock(mutex_);
  return entries_;
}

std::string MediaJournal::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const MediaJournalEntry& e : entries()) {
    nlohmann::json j{
        {"nsid", e.nsid}, {"first_lba", e.first_lba}, {"last_lba", e.last_lba}, {"holds", holds_name(e.holds)}};
    switch (e.holds) {
      case MediaJournalEntry::Holds::kWriteStamp:
        j["generation"] = e.generation;
        j["seed"] = e.seed;
        break;
      case MediaJournalEntry::Holds::kWriteStampAnyGeneration:
        j["seed"] = e.seed;
        j["or_previous"] = e.or_previous;
        break;
      case MediaJournalEntry::Holds::kDeallocated:
        j["reads_as"] = e.deallocated_byte ? nlohmann::json(*e.deallocated_byte) : nlohmann::json(nullptr);
        break;
      case MediaJournalEntry::Holds::kDigest: j["sha256"] = e.sha256; break;
      case MediaJournalEntry::Holds::kZeroes:
      case MediaJournalEntry::Holds::kUnknown: break;
    }
    list.push_back(std::move(j));
  }
  return nlohmann::json{{"format", "nvqual-media-journal"}, {"version", 1}, {"entries", std::move(list)}}.dump(1) +
         "\n";
}

void MediaJournal::write(const std::filesystem::path& path) const { write_file_atomically(path, to_json()); }

}  // namespace nvqual::harness
