// The engine registry and small helpers shared by the engines (see engine.h).
#include "bench/engine.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <system_error>

namespace actiondb::bench {
namespace {

std::map<std::string, EngineFactory>& Registry() {
  static auto* const kRegistry = new std::map<std::string, EngineFactory>();
  return *kRegistry;
}

}  // namespace

bool RegisterEngine(const std::string& name, EngineFactory factory) {
  Registry()[name] = std::move(factory);
  return true;
}

std::unique_ptr<Engine> CreateEngine(const std::string& name, const EngineConfig& config) {
  auto it = Registry().find(name);
  if (it == Registry().end()) return nullptr;
  return it->second(config);
}

std::vector<std::string> RegisteredEngines() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : Registry()) names.push_back(name);
  return names;
}

uint64_t DirectoryBytes(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  uint64_t total = 0;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      uint64_t size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

std::string FormatMb(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

}  // namespace actiondb::bench
