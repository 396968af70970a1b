// Test helpers: temporary directories, status assertions, the example schema.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>

#include "actiondb/database.h"
#include "actiondb/schema.h"

namespace actiondb::testing {

// Status has no status() member; adapt so one macro serves Status and Result<T>.
inline const Status& status_of(const Status& s) { return s; }
template <typename T>
const Status& status_of(const Result<T>& r) {
  return r.status();
}
// Each evaluates `expr` (a Status or a Result<T>) exactly once.
#define ASSERT_STATUS_OK(expr)                                      \
  do {                                                              \
    const auto& adb_checked_ = (expr);                              \
    ASSERT_TRUE(::actiondb::testing::status_of(adb_checked_).ok())  \
        << ::actiondb::testing::status_of(adb_checked_).ToString(); \
  } while (0)
#define EXPECT_STATUS_OK(expr)                                      \
  do {                                                              \
    const auto& adb_checked_ = (expr);                              \
    EXPECT_TRUE(::actiondb::testing::status_of(adb_checked_).ok())  \
        << ::actiondb::testing::status_of(adb_checked_).ToString(); \
  } while (0)
#define ASSERT_OK(expr) ASSERT_STATUS_OK(expr)
#define EXPECT_OK(expr) EXPECT_STATUS_OK(expr)

// One value of a column family's "key=value ..." line in Database::Stats; a test failure and
// nullopt when the stats, the column family or the key are missing.
inline std::optional<std::string> CfProperty(Database& db, const std::string& want,
                                             const std::string& key) {
  auto st = db.Stats();
  EXPECT_TRUE(st.ok());
  if (!st.ok()) return std::nullopt;
  for (const auto& [cf, props] : st->column_families) {
    size_t at = props.find(key + "=");
    if (cf != want || at == std::string::npos) continue;
    at += key.size() + 1;
    return props.substr(at, props.find(' ', at) - at);
  }
  ADD_FAILURE() << "no " << key << " for " << want << " in Stats";
  return std::nullopt;
}

// Runs the consistency checker and fails the test with every discrepancy it reports.
inline void ExpectCheckClean(Database& db) {
  auto report = db.Check();
  ASSERT_STATUS_OK(report);
  std::string all;
  for (const auto& d : report->discrepancies) all += d + "\n";
  EXPECT_TRUE(report->ok()) << all;
}

// A volume test's record count: `n` in the normal build, a quarter of it under ASan+UBSan
// (ACTIONDB_SANITIZED), which run ~8x slower. Only for tests whose assertions hold at any size;
// the sanitizers look for memory errors, which a quarter of the records exercises as well.
constexpr size_t SanitizerScaled(size_t n) {
#ifdef ACTIONDB_SANITIZED
  return n / 4;
#else
  return n;
#endif
}

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("actiondb-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
             std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }
  std::string sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string SourceDir() { return ACTIONDB_SOURCE_DIR; }

inline Schema BlogSchema() {
  auto s = ParseSchemaJson(ReadFile(SourceDir() + "/examples/blog/schema.json"));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : Schema{};
}

inline Options TestOptions() {
  Options o;
  o.fast_password_hashing = true;
  o.block_cache_bytes = 8 << 20;
  o.row_cache_bytes = 2 << 20;  // on, small: tests read through it and evict from it
  o.lock_timeout_ms = 200;
  return o;
}

// A database in `dir` (created if missing) with the schema file `schema_json` applied.
inline Result<std::unique_ptr<Database>> OpenWithSchema(const std::string& dir,
                                                        std::string_view schema_json,
                                                        const Options& options = TestOptions()) {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(dir, options));
  ASSIGN_OR_RETURN(Schema schema, ParseSchemaJson(schema_json));
  RETURN_IF_ERROR(db->ApplySchema(schema).status());
  return db;
}

}  // namespace actiondb::testing
