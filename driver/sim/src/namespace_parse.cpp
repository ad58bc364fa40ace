// One namespace: its LBA formats, its content (the stamp or a backing file)
// and its sizes, which must fit that content.
#include <algorithm>
#include <array>

#include "profile_sections.hpp"

namespace nvqual::sim::detail {

namespace {

LbaFormatProfile parse_format(MapReader map) {
  LbaFormatProfile f;
  const YAML::Node size = map.required("data_size");
  f.data_size = static_cast<uint32_t>(read_uint(map.source(), size, map.field("data_size"), 512, 65536));
  if ((f.data_size & (f.data_size - 1)) != 0) {
    map.source().fail(size.Mark(), map.field("data_size") + " is " + std::to_string(f.data_size),
                      "expected a power of two from 512 to 65536");
  }
  f.metadata_size = static_cast<uint16_t>(map.uint_or("metadata_size", 0, kU16, 0));
  f.relative_performance = static_cast<uint8_t>(map.uint_or("relative_performance", 0, 3, 0));
  map.finish();
  return f;
}

template <size_t N>
std::array<uint8_t, N> hex_array(MapReader& map, const std::string& key) {
  std::array<uint8_t, N> out{};
  if (const auto node = map.optional(key)) {
    const auto bytes = read_hex_bytes(map.source(), *node, map.field(key), N);
    std::copy(bytes.begin(), bytes.end(), out.begin());
  }
  return out;
}

}  // namespace

NamespaceProfile parse_namespace(MapReader map, const std::filesystem::path& base_dir) {
  NamespaceProfile ns;
  ns.nsid = static_cast<uint32_t>(map.uint("nsid", 1, 0xFFFFFFFE));
  const YAML::Node formats = map.required("formats");
  require_sequence(map.source(), formats, map.field("formats"));
  if (formats.size() == 0 || formats.size() > 16) {
    map.source().fail(formats.Mark(), map.field("formats") + " has " + std::to_string(formats.size()) + " entries",
                      "expected 1 to 16 LBA formats");
  }
  for (size_t i = 0; i < formats.size(); ++i) {
    ns.formats.push_back(
        parse_format(MapReader(map.source(), formats[i], map.field("formats") + "[" + std::to_string(i) + "]")));
  }
  const auto active_node = map.optional("active_format");
  ns.active_format = static_cast<uint8_t>(
      active_node ? read_uint(map.source(), *active_node, map.field("active_format"), 0, ns.formats.size() - 1) : 0);
  if (ns.formats[ns.active_format].metadata_size != 0) {
    map.source().fail(active_node ? active_node->Mark() : map.mark(),
                      map.field("active_format") + " selects a format with metadata",
                      "expected an active format with metadata_size 0 (the simulator transfers no metadata)");
  }
  const uint32_t lba_size = ns.lba_size();

  const YAML::Node content = map.required("content");
  uint64_t file_blocks = 0;
  if (content.IsScalar() && content.Scalar() == "stamp") {
    ns.content = Content::kStamp;
  } else if (content.IsMap()) {
    MapReader file_map(map.source(), content, map.field("content"));
    ns.content = Content::kFile;
    const YAML::Node file_node = file_map.required("file");
    const std::filesystem::path relative = read_string(map.source(), file_node, file_map.field("file"));
    ns.backing_file = relative.is_absolute() ? relative : std::filesystem::absolute(base_dir / relative);
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(ns.backing_file, ec);
    if (ec || !std::filesystem::is_regular_file(ns.backing_file)) {
      map.source().fail(file_node.Mark(), "backing file '" + ns.backing_file.string() + "' cannot be read",
                        "expected a regular file (a relative path is taken from the profile's directory)");
    }
    file_blocks = bytes / lba_size;
    if (file_blocks == 0) {
      map.source().fail(file_node.Mark(), "backing file '" + ns.backing_file.string() + "' is smaller than one block",
                        "expected at least " + std::to_string(lba_size) + " bytes");
    }
    file_map.finish();
  } else {
    map.source().fail(content.Mark(), map.field("content") + " is neither 'stamp' nor a mapping",
                      "expected 'stamp' or {file: PATH}");
  }

  if (ns.content == Content::kFile && !map.has("size_blocks")) {
    ns.size_blocks = file_blocks;
  } else {
    const YAML::Node size = map.required("size_blocks");
    ns.size_blocks = read_uint(map.source(), size, map.field("size_blocks"), 1, kU64 / 65536);
    if (ns.content == Content::kFile && ns.size_blocks > file_blocks) {
      map.source().fail(
          size.Mark(), map.field("size_blocks") + " is larger than the backing file",
          "expected at most " + std::to_string(file_blocks) + " blocks of " + std::to_string(lba_size) + " bytes");
    }
  }
  ns.capacity_blocks = map.uint_or("capacity_blocks", 1, ns.size_blocks, ns.size_blocks);
  ns.utilization_blocks = map.uint_or("utilization_blocks", 0, ns.capacity_blocks, ns.capacity_blocks);
  ns.dlfeat = static_cast<uint8_t>(map.uint_or("dlfeat", 0, kU8, 0));
  ns.eui64 = hex_array<8>(map, "eui64");
  ns.nguid = hex_array<16>(map, "nguid");
  if (map.has("uuid")) ns.uuid = hex_array<16>(map, "uuid");
  map.finish();
  return ns;
}

}  // namespace nvqual::sim::detail
