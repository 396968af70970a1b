// End-to-end tests of the `actiondb` CLI: each test runs the built binary (ACTIONDB_CLI_PATH) on
// a temporary data directory and checks stdout (JSON parsed with nlohmann::json), stderr and the
// exit code. The shell is driven twice: from a pipe, and in a real terminal under tmux (prompt,
// Tab completion, history, the progress bar).
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "actiondb/database.h"
#include "actiondb/query.h"
#include "engine/key_format.h"
#include "engine/store.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

using nlohmann::json;
using testing::ReadFile;
using testing::TempDir;

struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
  json Json() const {
    json j = json::parse(out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "stdout is not JSON:\n" << out << "\nstderr:\n" << err;
    return j;
  }
};

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

class CliTest : public ::testing::Test {
 protected:
  std::string data() const { return tmp_.sub("db"); }
  std::string File(const std::string& name, const std::string& content) const {
    std::string path = tmp_.sub(name);
    std::ofstream(path) << content;
    return path;
  }
  std::string BlogSchemaPath() const { return testing::SourceDir() + "/examples/blog/schema.json"; }

  // Runs `actiondb --data <data()> ARGS` (no --data when `with_data` is false), stdin from
  // `input`, in the temporary directory, with HOME there too.
  CliResult Run(const std::vector<std::string>& args, const std::string& input = "",
                bool with_data = true, const std::string& env = "") {
    std::string in = tmp_.sub("stdin"), out = tmp_.sub("stdout"), err = tmp_.sub("stderr");
    std::ofstream(in) << input;
    std::string cmd = "cd " + ShellQuote(tmp_.path()) +
                      " && env -u ACTIONDB_DATA HOME=" + ShellQuote(tmp_.path()) + " " + env + " " +
                      ShellQuote(ACTIONDB_CLI_PATH);
    if (with_data) cmd += " --data " + ShellQuote(data());
    for (const auto& a : args) cmd += " " + ShellQuote(a);
    cmd += " <" + ShellQuote(in) + " >" + ShellQuote(out) + " 2>" + ShellQuote(err);
    int status = std::system(cmd.c_str());
    CliResult r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }
  // Runs and expects exit code 0.
  CliResult Ok(const std::vector<std::string>& args, const std::string& input = "") {
    CliResult r = Run(args, input);
    EXPECT_EQ(r.code, 0) << "actiondb " << ::testing::PrintToString(args) << "\nstdout:\n"
                         << r.out << "\nstderr:\n"
                         << r.err;
    return r;
  }
  void InitBlog() { Ok({"init", "--schema", BlogSchemaPath()}); }

  TempDir tmp_;
};

#define EXPECT_FAILS(result, exit_code, text)                                \
  do {                                                                       \
    const CliResult& r_ = (result);                                          \
    EXPECT_EQ(r_.code, exit_code) << r_.out << r_.err;                       \
    EXPECT_NE(r_.err.find(text), std::string::npos) << "stderr: " << r_.err; \
  } while (0)

// ---- framework: help, usage errors, options anywhere ----

TEST_F(CliTest, HelpAndUsageErrors) {
  CliResult help = Run({"--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* c : {"init", "schema show", "schema apply", "models", "get", "create", "update",
                        "delete", "delete-many", "upsert", "find", "explain", "import", "export",
                        "stats", "check", "compact", "example", "shell"}) {
    EXPECT_NE(help.out.find(std::string("  ") + c + " "), std::string::npos) << c;
  }
  EXPECT_NE(help.out.find("./actiondb-data"), std::string::npos);

  // --help on every command.
  for (const char* c :
       {"init", "models", "get", "create", "update", "delete", "delete-many", "upsert", "find",
        "explain", "import", "export", "stats", "check", "compact", "example", "shell"}) {
    CliResult r = Run({c, "--help"});
    EXPECT_EQ(r.code, 0) << c;
    EXPECT_NE(r.out.find(std::string("usage: actiondb [--data DIR] [--json] ") + c),
              std::string::npos)
        << r.out;
  }
  CliResult sub = Run({"schema", "apply", "--help"});
  EXPECT_EQ(sub.code, 0);
  EXPECT_NE(sub.out.find("--dry-run"), std::string::npos);
  EXPECT_EQ(Run({"help", "get"}).code, 0);

  EXPECT_FAILS(Run({}), 2, "usage: actiondb");
  EXPECT_FAILS(Run({"frobnicate"}), 2, "unknown command \"frobnicate\"");
  EXPECT_FAILS(Run({"get", "post"}), 2, "missing ID");
  EXPECT_FAILS(Run({"get", "post", "1", "2"}), 2, "unexpected argument \"2\"");
  EXPECT_FAILS(Run({"get", "post", "1", "--bogus"}), 2, "unknown option --bogus");
  EXPECT_FAILS(Run({"get", "post", "1", "--select"}), 2, "--select needs a value");
  EXPECT_FAILS(Run({"models", "--json=yes"}), 2, "--json takes no value");
  EXPECT_FAILS(Run({"--data"}, "", false), 2, "--data needs a directory");
  EXPECT_EQ(Run({"--version"}).code, 0);
}

TEST_F(CliTest, NoDatabaseYet) {
  EXPECT_FAILS(Run({"models"}), 1, "GGT_INVALID_ARGUMENT: no database in " + data());
  EXPECT_FAILS(Run({"get", "post", "1"}), 1, "actiondb init");
}

TEST_F(CliTest, DataDirFromOptionAnywhereAndEnvironment) {
  InitBlog();
  // --data and --json after the command.
  CliResult r = Run({"models", "--json", "--data", data()}, "", false);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.Json().size(), 3u);
  // $ACTIONDB_DATA, then the documented default ./actiondb-data.
  r = Run({"models", "--json"}, "", false, "ACTIONDB_DATA=" + ShellQuote(data()));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.Json().size(), 3u);
  EXPECT_FAILS(Run({"models"}, "", false), 1, "no database in ./actiondb-data");
  EXPECT_EQ(Run({"init"}, "", false).code, 0);
  EXPECT_TRUE(std::filesystem::exists(tmp_.sub("actiondb-data/CURRENT")));
}

// ---- init, schema, models ----

TEST_F(CliTest, InitAndSchemaCommands) {
  CliResult init = Ok({"init", "--schema", BlogSchemaPath()});
  EXPECT_NE(init.out.find("initialized a database in " + data()), std::string::npos);
  EXPECT_NE(init.out.find("+ model post"), std::string::npos) << init.out;
  EXPECT_NE(Ok({"init"}).out.find("database already exists"), std::string::npos);

  json schema = Ok({"schema", "show", "--json"}).Json();
  ASSERT_TRUE(schema["models"].contains("post"));
  EXPECT_EQ(schema["models"]["post"]["fields"]["title"]["type"], "string");

  EXPECT_EQ(Ok({"schema", "apply", BlogSchemaPath()}).out, "no changes\n");

  json changed = json::parse(ReadFile(BlogSchemaPath()));
  changed["models"]["post"]["fields"]["subtitle"] = {{"type", "string"}};
  std::string path = File("schema2.json", changed.dump());
  json dry = Ok({"schema", "apply", path, "--dry-run", "--json"}).Json();
  EXPECT_EQ(dry["dryRun"], true);
  EXPECT_EQ(dry["changes"]["fieldsAdded"], json::array({"post.subtitle"}));
  EXPECT_FALSE(
      Ok({"schema", "show", "--json"}).Json()["models"]["post"]["fields"].contains("subtitle"));
  CliResult applied = Ok({"schema", "apply", path});
  EXPECT_NE(applied.out.find("+ field post.subtitle"), std::string::npos) << applied.out;
  EXPECT_NE(applied.out.find("+ index post.subtitle"), std::string::npos) << applied.out;
  EXPECT_TRUE(
      Ok({"schema", "show", "--json"}).Json()["models"]["post"]["fields"].contains("subtitle"));

  EXPECT_FAILS(Run({"schema", "apply", tmp_.sub("missing.json")}), 1, "GGT_IO_ERROR: cannot read");
  EXPECT_FAILS(Run({"schema", "apply", File("bad.json", "{\"models\": 3}")}), 1,
               "GGT_INVALID_SCHEMA");

  // A new unique rule that existing data violates fails and changes nothing.
  Ok({"create", "post", R"({"title": "same"})"});
  Ok({"create", "post", R"({"title": "same"})"});
  changed["models"]["post"]["fields"]["title"]["validations"]["unique"] = true;
  EXPECT_FAILS(Run({"schema", "apply", File("schema3.json", changed.dump())}), 1,
               "GGT_INVALID_RECORD");

  // (The models come in catalog order; look them up by name.)
  json by_name;
  for (const auto& m : Ok({"models", "--json"}).Json()) by_name[m["model"].get<std::string>()] = m;
  ASSERT_EQ(by_name.size(), 3u);
  EXPECT_EQ(by_name["post"]["records"], 2);
  bool has_title = false;
  for (const auto& f : by_name["post"]["fields"]) has_title = has_title || f["name"] == "title";
  EXPECT_TRUE(has_title);
  EXPECT_NE(by_name["user"]["indexes"].dump().find("user.email (unique)"), std::string::npos);
  CliResult table = Ok({"models"});
  EXPECT_NE(table.out.find("model    records"), std::string::npos) << table.out;
}

// ---- single-record commands ----

TEST_F(CliTest, CreateGetUpdateDelete) {
  InitBlog();
  json user = Ok({"create", "user", R"({"name": "Ada", "email": "ada@example.com",
                                        "password": "secret123", "roles": ["admin"]})",
                  "--json"})
                  .Json();
  EXPECT_EQ(user["id"], "1");
  EXPECT_EQ(user["email"], "ada@example.com");
  EXPECT_FALSE(user.contains("password"));
  EXPECT_EQ(user["roles"], json::array({"admin"}));
  EXPECT_EQ(user["createdAt"].get<std::string>().back(), 'Z');

  json post = Ok({"create", "post",
                  R"({"title": "Hello", "body": "# Hi\n\nsome **bold**", "author": "1",
                      "score": 4.5, "createdAt": "2024-02-03T04:05:06Z"})",
                  "--json"})
                  .Json();
  EXPECT_EQ(post["id"], "1");
  EXPECT_EQ(post["authorId"], "1");
  EXPECT_EQ(post["score"], 4.5);
  EXPECT_EQ(post["published"], false);
  EXPECT_EQ(post["createdAt"], "2024-02-03T04:05:06.000Z");
  EXPECT_EQ(post["body"]["markdown"], "# Hi\n\nsome **bold**");
  EXPECT_EQ(post["body"]["truncatedHTML"], "<h1>Hi</h1><p>some <strong>bold</strong></p>");

  // The "<field>Id" form and {"_link": id} are accepted as input too.
  EXPECT_EQ(
      Ok({"create", "post", R"({"title": "Two", "authorId": "1"})", "--json"}).Json()["authorId"],
      "1");
  EXPECT_EQ(Ok({"create", "comment", R"({"body": "c", "post": {"_link": "1"}})", "--json"})
                .Json()["postId"],
            "1");

  json got = Ok({"get", "post", "1", "--json"}).Json();
  EXPECT_EQ(got, post);
  json selected = Ok({"get", "post", "1", "--select", "title,authorId", "--json"}).Json();
  EXPECT_EQ(selected, json({{"id", "1"}, {"title", "Hello"}, {"authorId", "1"}}));
  CliResult human = Ok({"get", "post", "1", "--select", "title"});
  EXPECT_EQ(human.out, "id     1\ntitle  Hello\n");

  json updated = Ok({"update", "post", "1", R"({"published": true})", "--json"}).Json();
  EXPECT_EQ(updated["published"], true);
  EXPECT_EQ(updated["title"], "Hello");
  EXPECT_NE(Ok({"update", "post", "1", R"({"score": 1})"}).out.find("updated post 1"),
            std::string::npos);
  // _atomics: increments and decrements (a list applies in order) on number fields.
  json atomic =
      Ok({"update", "post", "1", R"({"_atomics": {"score": {"increment": 5}}})", "--json"}).Json();
  EXPECT_EQ(atomic["score"], 6);
  atomic =
      Ok({"update", "post", "1",
          R"({"title": "Hello!", "_atomics": {"score": [{"decrement": 2}, {"increment": 0.5}]}})",
          "--json"})
          .Json();
  EXPECT_EQ(atomic["score"], 4.5);
  EXPECT_EQ(atomic["title"], "Hello!");
  EXPECT_EQ(Ok({"get", "post", "1", "--json"}).Json()["score"], 4.5);
  EXPECT_FAILS(Run({"update", "post", "1", R"({"_atomics": {"title": {"increment": 1}}})"}), 1,
               "GGT_INVALID_ARGUMENT: post.title: _atomics only apply to number fields");

  json deleted = Ok({"delete", "post", "2", "--json"}).Json();
  EXPECT_EQ(deleted, json({{"deleted", true}, {"model", "post"}, {"id", "2"}}));
  EXPECT_FAILS(Run({"get", "post", "2"}), 1, "GGT_RECORD_NOT_FOUND");
  EXPECT_FAILS(Run({"delete", "post", "2"}), 1, "GGT_RECORD_NOT_FOUND");
  EXPECT_FAILS(Run({"update", "post", "2", "{}"}), 1, "GGT_RECORD_NOT_FOUND");
}

TEST_F(CliTest, RecordCommandErrors) {
  InitBlog();
  EXPECT_FAILS(Run({"create", "post", R"({"title": "x", "colour": "red"})"}), 1,
               "GGT_UNKNOWN_FIELD: unknown field \"colour\" on model post");
  EXPECT_FAILS(Run({"create", "post", R"({"title": "x", "score": "lots"})"}), 1,
               "GGT_INVALID_ARGUMENT: post.score: expected a number");
  EXPECT_FAILS(Run({"create", "post", R"({"score": 1})"}), 1, "GGT_INVALID_RECORD");
  EXPECT_FAILS(Run({"create", "post", R"({"title": )"}), 1, "GGT_INVALID_ARGUMENT: not valid JSON");
  EXPECT_FAILS(Run({"create", "post", "[1]"}), 1, "expected a JSON object");
  EXPECT_FAILS(Run({"create", "widget", "{}"}), 1, "GGT_UNKNOWN_MODEL: unknown model \"widget\"");
  EXPECT_FAILS(Run({"get", "post", "abc"}), 1,
               "GGT_INVALID_ARGUMENT: id: \"abc\" is not a valid id");
  // --select goes to the query layer, which names the bad path.
  EXPECT_FAILS(Run({"get", "post", "1", "--select", "nope"}), 1,
               "GGT_INVALID_ARGUMENT: select post.nope: unknown field");
  EXPECT_FAILS(Run({"get", "user", "1", "--select", "password"}), 1,
               "a password field cannot be selected");
  Ok({"create", "user", R"({"email": "a@example.com"})"});
  EXPECT_FAILS(Run({"create", "user", R"({"email": "a@example.com"})"}), 1,
               "GGT_INVALID_RECORD: user is invalid and can't be saved. email");
}

TEST_F(CliTest, Upsert) {
  InitBlog();
  // By id: created with that id, then updated.
  CliResult created = Ok({"upsert", "post", R"({"id": "10", "title": "ten"})"});
  EXPECT_NE(created.out.find("created post 10"), std::string::npos) << created.out;
  json again = Ok({"upsert", "post", R"({"id": "10", "title": "TEN"})", "--json"}).Json();
  EXPECT_EQ(again["id"], "10");
  EXPECT_EQ(again["title"], "TEN");

  // On a unique field, through its unique index.
  json u1 = Ok({"upsert", "user", R"({"email": "a@example.com", "name": "A"})", "--on", "email",
                "--json"})
                .Json();
  json u2 = Ok({"upsert", "user", R"({"email": "b@example.com", "name": "B"})", "--on", "email",
                "--json"})
                .Json();
  EXPECT_NE(u1["id"], u2["id"]);
  CliResult u3 =
      Ok({"upsert", "user", R"({"email": "a@example.com", "name": "A2"})", "--on", "email"});
  EXPECT_NE(u3.out.find("updated user " + u1["id"].get<std::string>()), std::string::npos)
      << u3.out;
  EXPECT_EQ(Ok({"get", "user", u1["id"].get<std::string>(), "--json"}).Json()["name"], "A2");
  EXPECT_EQ(Ok({"models", "--json"}).Json()[0]["records"], 2);

  EXPECT_FAILS(Run({"upsert", "post", R"({"title": "x"})", "--on", "title"}), 1,
               "GGT_INVALID_ARGUMENT: upsert on (title) of post: these fields carry no unique "
               "validation");
  EXPECT_FAILS(Run({"upsert", "user", R"({"name": "x"})", "--on", "email"}), 1,
               "needs a value for email");
  EXPECT_FAILS(Run({"upsert", "post", R"({"title": "x"})"}), 1, "needs an id in the input");
  EXPECT_FAILS(Run({"upsert", "user", R"({"email": "c@example.com"})", "--on", ","}), 1,
               "--on needs at least one field");
  EXPECT_FAILS(Run({"upsert", "user", R"({"email": "c@example.com"})", "--on", "nope"}), 1,
               "GGT_UNKNOWN_FIELD");
  Ok({"check"});
}

// ---- import / export ----

TEST_F(CliTest, ImportExportRoundTrip) {
  InitBlog();
  std::string lines;
  for (int i = 1; i <= 7; ++i) {
    lines +=
        R"({"title": "post )" + std::to_string(i) + R"(", "score": )" + std::to_string(i) + "}\n";
    if (i == 3) lines += "   \n";  // blank lines are skipped
  }
  CliResult imported = Ok({"import", "post", File("posts.ndjson", lines), "--batch", "3"});
  EXPECT_EQ(imported.out, "imported 7 posts in 3 batches of up to 3\n");
  EXPECT_EQ(imported.err, "");  // no progress bar when stderr is not a terminal

  CliResult exported = Ok({"export", "post"});
  std::vector<json> rows;
  std::istringstream ss(exported.out);
  for (std::string l; std::getline(ss, l);) rows.push_back(json::parse(l));
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0]["id"], "1");
  EXPECT_EQ(rows[6]["title"], "post 7");
  EXPECT_EQ(rows[6]["score"], 7);

  // The export imports back into another database, ids and timestamps kept; from stdin.
  std::string other = tmp_.sub("db2");
  CliResult r = Run({"--data", other, "init", "--schema", BlogSchemaPath()}, "", false);
  ASSERT_EQ(r.code, 0) << r.err;
  r = Run({"--data", other, "--json", "import", "post", "-"}, exported.out, false);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.Json(), json({{"model", "post"}, {"imported", 7}, {"batches", 1}}));
  r = Run({"--data", other, "export", "post"}, "", false);
  EXPECT_EQ(r.out, exported.out);

  // --filter: only the matching records, in id order.
  CliResult filtered = Ok({"export", "post", "--filter", R"({"score": {"greaterThan": 4}})"});
  std::vector<std::string> ids;
  std::istringstream fs(filtered.out);
  for (std::string l; std::getline(fs, l);) ids.push_back(json::parse(l)["id"]);
  EXPECT_EQ(ids, std::vector<std::string>({"5", "6", "7"}));
  EXPECT_FAILS(Run({"export", "post", "--filter", R"({"colour": {"equals": 1}})"}), 1,
               "GGT_INVALID_FILTER");
  EXPECT_FAILS(Run({"import", "post", tmp_.sub("missing.ndjson")}), 1, "GGT_IO_ERROR");
  EXPECT_FAILS(Run({"import", "post", "-", "--batch", "0"}), 2, "--batch must be a positive");
}

TEST_F(CliTest, ExportPagesThroughEveryRecord) {
  InitBlog();
  // More than two export pages (250 records each).
  std::string lines;
  for (int i = 1; i <= 520; ++i) {
    lines += json({{"title", "p" + std::to_string(i)}, {"published", i % 2 == 0}}).dump() + "\n";
  }
  Ok({"import", "post", File("posts.ndjson", lines)});
  auto exported_ids = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"export", "post"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<uint64_t> ids;
    std::istringstream ss(Ok(args).out);
    for (std::string l; std::getline(ss, l);) {
      ids.push_back(std::stoull(json::parse(l)["id"].get<std::string>()));
    }
    return ids;
  };
  std::vector<uint64_t> all = exported_ids({});
  ASSERT_EQ(all.size(), 520u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], i + 1);
  std::vector<uint64_t> published =
      exported_ids({"--filter", R"({"published": {"equals": true}})"});
  ASSERT_EQ(published.size(), 260u);
  for (size_t i = 0; i < published.size(); ++i) EXPECT_EQ(published[i], 2 * (i + 1));
}

TEST_F(CliTest, ImportBatchIsOneBulkCreate) {
  InitBlog();
  // Line 5 repeats line 1's email: a unique violation found when its batch (lines 4-6) is
  // created; nothing of that batch is written, even the lines before and after it.
  std::string lines;
  for (int i = 1; i <= 7; ++i) {
    int n = i == 5 ? 1 : i;
    lines += json({{"email", "u" + std::to_string(n) + "@example.com"}}).dump() + "\n";
  }
  CliResult r = Run({"import", "user", File("users.ndjson", lines), "--batch", "3", "--json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("GGT_INVALID_RECORD: line 5: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("its batch (lines 4-6) was rolled back whole"), std::string::npos) << r.err;
  json j = r.Json();
  EXPECT_EQ(j["imported"], 3);
  EXPECT_EQ(j["failedLine"], 5);
  EXPECT_EQ(j["rolledBackFromLine"], 4);
  EXPECT_EQ(Ok({"find", "user", "--json"}).Json()["edges"].size(), 3u);
  EXPECT_TRUE(Ok({"check", "--json"}).Json()["ok"]);
}

TEST_F(CliTest, ImportStopsAtABadLineAndRollsBackItsBatch) {
  InitBlog();
  std::string lines;
  for (int i = 1; i <= 10; ++i) {
    if (i == 8) {
      lines += R"({"title": "bad", "colour": "red"})"
               "\n";
    } else {
      lines += R"({"title": "post )" + std::to_string(i) + "\"}\n";
    }
  }
  // Batches: lines 1-3 and 4-6 commit; line 7 is good but shares line 8's batch.
  CliResult r = Run({"import", "post", File("bad.ndjson", lines), "--batch", "3", "--json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("GGT_UNKNOWN_FIELD: line 8: unknown field \"colour\" on model post"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("its batch (lines 7-8) was rolled back whole"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("6 records in 2 earlier batches stay committed"), std::string::npos);
  json j = r.Json();
  EXPECT_EQ(j["imported"], 6);
  EXPECT_EQ(j["failedLine"], 8);
  EXPECT_EQ(j["rolledBackFromLine"], 7);
  EXPECT_EQ(j["error"]["code"], "GGT_UNKNOWN_FIELD");

  EXPECT_EQ(Ok({"models", "--json"}).Json()[1]["records"], 6);
  EXPECT_FAILS(Run({"get", "post", "7"}), 1, "GGT_RECORD_NOT_FOUND");
  EXPECT_TRUE(Ok({"check", "--json"}).Json()["ok"]);

  // Bad JSON reports its line too.
  r = Run({"import", "post", "-"}, "{\"title\": \"ok\"}\n{oops\n");
  EXPECT_FAILS(r, 1, "GGT_INVALID_ARGUMENT: line 2: not valid JSON");
  EXPECT_EQ(Ok({"models", "--json"}).Json()[1]["records"], 6);
}

// ---- find / explain ----

TEST_F(CliTest, FindFiltersSortsAndPagesBothWays) {
  InitBlog();
  struct Post {
    int id, score;
    bool published;
  };
  std::vector<Post> posts;
  std::string lines;
  for (int i = 1; i <= 14; ++i) {
    posts.push_back({i, i % 4, i % 3 != 0});
    lines += json({{"title", "p" + std::to_string(i)}, {"score", i % 4}, {"published", i % 3 != 0}})
                 .dump() +
             "\n";
  }
  Ok({"import", "post", File("posts.ndjson", lines)});
  std::vector<Post> matching;
  for (const Post& p : posts) {
    if (p.published) matching.push_back(p);
  }
  std::stable_sort(matching.begin(), matching.end(),
                   [](const Post& a, const Post& b) { return a.score > b.score; });
  std::vector<std::string> expected;
  for (const Post& p : matching) expected.push_back(std::to_string(p.id));
  ASSERT_EQ(expected.size(), 10u);

  const std::string filter = R"({"published": {"equals": true}})";
  const std::string sort = R"({"score": "Descending"})";
  auto ids_of = [](const json& connection) {
    std::vector<std::string> ids;
    for (const auto& e : connection["edges"]) ids.push_back(e["node"]["id"].get<std::string>());
    return ids;
  };

  // Forwards, 3 at a time, following endCursor.
  std::vector<std::string> forwards;
  std::vector<json> pages;
  std::string after;
  for (int guard = 0; guard < 10; ++guard) {
    std::vector<std::string> args = {"find", "post",    "--filter", filter,  "--sort",
                                     sort,   "--first", "3",        "--json"};
    if (!after.empty()) args.insert(args.end(), {"--after", after});
    json page = Ok(args).Json();
    for (const auto& id : ids_of(page)) forwards.push_back(id);
    EXPECT_EQ(page["pageInfo"]["hasPreviousPage"], !after.empty());
    if (!page["edges"].empty()) {
      EXPECT_EQ(page["pageInfo"]["startCursor"], page["edges"][0]["cursor"]);
      EXPECT_EQ(page["pageInfo"]["endCursor"], page["edges"].back()["cursor"]);
    }
    pages.push_back(page);
    if (!page["pageInfo"]["hasNextPage"].get<bool>()) break;
    after = page["pageInfo"]["endCursor"].get<std::string>();
  }
  EXPECT_EQ(forwards, expected);
  ASSERT_EQ(pages.size(), 4u);  // 3 + 3 + 3 + 1
  EXPECT_EQ(pages.back()["edges"].size(), 1u);

  // Backwards from the last page, 3 at a time, with --last and --before its startCursor.
  std::vector<std::string> backwards = ids_of(pages.back());
  std::string before = pages.back()["pageInfo"]["startCursor"].get<std::string>();
  for (int guard = 0; guard < 10; ++guard) {
    json page = Ok({"find", "post", "--filter", filter, "--sort", sort, "--last", "3", "--before",
                    before, "--json"})
                    .Json();
    std::vector<std::string> ids = ids_of(page);
    backwards.insert(backwards.begin(), ids.begin(), ids.end());
    EXPECT_EQ(page["pageInfo"]["hasNextPage"], true);
    if (!page["pageInfo"]["hasPreviousPage"].get<bool>()) break;
    before = page["pageInfo"]["startCursor"].get<std::string>();
  }
  EXPECT_EQ(backwards, expected);

  // --json is exactly the query layer's ConnectionToJson for the same request.
  std::string cli_out =
      Ok({"find", "post", "--filter", filter, "--sort", sort, "--first", "4", "--json"}).out;
  {
    auto db = Database::Open(data(), testing::TestOptions());
    ASSERT_OK(db);
    FindRequest request;
    request.filter = filter;
    request.sort = sort;
    request.first = 4;
    auto page = Query(**db).FindMany("post", request);
    ASSERT_OK(page);
    EXPECT_EQ(cli_out, ConnectionToJson(*page, 2) + "\n");
  }

  // The human table ends with the page info and the options for the neighbouring pages.
  CliResult human =
      Ok({"find", "post", "--filter", filter, "--sort", sort, "--first", "3", "--after",
          pages[0]["pageInfo"]["endCursor"].get<std::string>(), "--select", "title,score"});
  EXPECT_NE(human.out.find("id  title  score"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("3 posts (hasNextPage: true, hasPreviousPage: true)"), std::string::npos)
      << human.out;
  EXPECT_NE(human.out.find("next page:     --first 3 --after " +
                           pages[1]["pageInfo"]["endCursor"].get<std::string>()),
            std::string::npos)
      << human.out;
  EXPECT_NE(human.out.find("previous page: --last 3 --before " +
                           pages[1]["pageInfo"]["startCursor"].get<std::string>()),
            std::string::npos)
      << human.out;
  EXPECT_EQ(Ok({"find", "comment"}).out,
            "no comments\n\n0 comments (hasNextPage: false, "
            "hasPreviousPage: false)\n");
  json all = Ok({"find", "post", "--json"}).Json();  // default page size 50, id order
  EXPECT_EQ(all["edges"].size(), 14u);
  EXPECT_EQ(all["edges"][0]["node"]["id"], "1");
}

TEST_F(CliTest, FindSelectsNestedPaths) {
  InitBlog();
  Ok({"create", "user", R"({"name": "Ada", "email": "ada@example.com"})"});
  Ok({"create", "post", R"({"title": "by ada", "author": "1"})"});
  Ok({"create", "post", R"({"title": "anonymous"})"});
  json page = Ok({"find", "post", "--select", "title,author.email", "--json"}).Json();
  ASSERT_EQ(page["edges"].size(), 2u);
  EXPECT_EQ(page["edges"][0]["node"],
            json({{"id", "1"},
                  {"title", "by ada"},
                  {"author", {{"id", "1"}, {"email", "ada@example.com"}}}}));
  EXPECT_EQ(page["edges"][1]["node"]["author"], nullptr);
  // The table flattens the related object into author.* columns.
  CliResult human = Ok({"find", "post", "--select", "title,author.email"});
  EXPECT_NE(human.out.find("author.id  author.email"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("ada@example.com"), std::string::npos) << human.out;
  json got = Ok({"get", "post", "1", "--select", "author.name", "--json"}).Json();
  EXPECT_EQ(got, json({{"id", "1"}, {"author", {{"id", "1"}, {"name", "Ada"}}}}));
  EXPECT_FAILS(Run({"find", "post", "--select", "title.x"}), 1,
               "GGT_INVALID_ARGUMENT: select post.title.x: title is not a relationship");
}

TEST_F(CliTest, FindErrorsComeFromTheQueryLayer) {
  InitBlog();
  Ok({"create", "post", R"({"title": "t"})"});
  EXPECT_FAILS(Run({"find", "post", "--filter", R"({"score": {"equals": "abc"}})"}), 1,
               "GGT_INVALID_FILTER: post.score");
  EXPECT_FAILS(Run({"find", "post", "--filter", "{oops"}), 1, "GGT_INVALID_FILTER");
  EXPECT_FAILS(Run({"find", "post", "--sort", R"({"title": "Sideways"})"}), 1, "GGT_INVALID_SORT");
  EXPECT_FAILS(Run({"find", "post", "--after", "bm90IGEgY3Vyc29y"}), 1, "GGT_INVALID_CURSOR");
  EXPECT_FAILS(Run({"find", "post", "--before", "garbage!!"}), 1, "GGT_INVALID_CURSOR");
  // A cursor is only valid for the query shape that made it.
  json page = Ok({"find", "post", "--first", "1", "--json"}).Json();
  EXPECT_FAILS(Run({"find", "post", "--sort", R"({"title": "Ascending"})", "--after",
                    page["pageInfo"]["endCursor"].get<std::string>()}),
               1, "GGT_INVALID_CURSOR");
  EXPECT_FAILS(Run({"find", "post", "--first", "251"}), 1, "GGT_INVALID_ARGUMENT");
  EXPECT_FAILS(Run({"find", "post", "--first", "x"}), 1, "--first must be a whole number");
  EXPECT_FAILS(Run({"find", "post", "--first", "1", "--last", "1"}), 1, "GGT_INVALID_ARGUMENT");
  EXPECT_FAILS(Run({"find", "nope"}), 1, "GGT_UNKNOWN_MODEL");
  EXPECT_FAILS(Run({"explain", "post", "--filter", "{oops"}), 1, "GGT_INVALID_FILTER");
}

// --search is passed through unchanged: the CLI prints exactly what the query layer answers
// for the same request (the ranking itself is tested in tests/query/search_test.cc).
TEST_F(CliTest, FindPassesSearchThroughToTheQueryLayer) {
  InitBlog();
  Ok({"create", "post", R"({"title": "hello world"})"});
  Ok({"create", "post", R"({"title": "goodbye"})"});
  CliResult cli = Run({"find", "post", "--search", "hello", "--json"});
  CliResult cli_explain = Run({"explain", "post", "--search", "hello"});
  auto db = Database::Open(data(), testing::TestOptions());
  ASSERT_OK(db);
  FindRequest request;
  request.search = "hello";
  auto page = Query(**db).FindMany("post", request);
  if (page.ok()) {
    EXPECT_EQ(cli.code, 0) << cli.err;
    EXPECT_EQ(cli.out, ConnectionToJson(*page, 2) + "\n");
  } else {
    EXPECT_EQ(cli.code, 1);
    EXPECT_EQ(cli.err, page.status().ToString() + "\n");
    EXPECT_EQ(cli_explain.code, 1);
    EXPECT_EQ(cli_explain.err, page.status().ToString() + "\n");
  }
}

TEST_F(CliTest, ExplainShowsThePlan) {
  InitBlog();
  for (int i = 1; i <= 6; ++i) {
    Ok({"create", "post", json({{"title", "p" + std::to_string(i)}, {"score", i}}).dump()});
  }
  // An indexed filter reads the score index's range, not the whole model.
  CliResult human = Ok({"explain", "post", "--filter", R"({"score": {"equals": 5}})"});
  EXPECT_NE(human.out.find("access: index range on post.score"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("records returned: 1"), std::string::npos) << human.out;
  json plan = Ok({"explain", "post", "--filter", R"({"score": {"equals": 5}})", "--json"}).Json();
  EXPECT_EQ(plan["accessPath"], "index range");
  EXPECT_EQ(plan["index"], "post.score");
  EXPECT_EQ(plan["residual"], nullptr);
  EXPECT_LT(plan["recordsRead"], 6);  // not every post
  EXPECT_EQ(plan["recordsReturned"], 1);
  EXPECT_TRUE(plan.contains("range") && plan.contains("sort") && plan.contains("keysScanned"));
  // A range on the index with the sort it yields: read in index order, no sort in memory.
  json ranged = Ok({"explain", "post", "--filter", R"({"score": {"greaterThan": 4}})", "--sort",
                    R"({"score": "Descending"})", "--json"})
                    .Json();
  EXPECT_EQ(ranged["accessPath"], "index range");
  EXPECT_EQ(ranged["index"], "post.score");
  EXPECT_NE(ranged["sort"].get<std::string>().find("scan order"), std::string::npos) << ranged;
  EXPECT_EQ(ranged["recordsReturned"], 2);
  // No usable index: a full scan, the filter evaluated on each record.
  json scan = Ok({"explain", "post", "--filter", R"({"body": {"isSet": true}})", "--json"}).Json();
  EXPECT_EQ(scan["accessPath"], "full scan");
  EXPECT_EQ(scan["index"], nullptr);
  EXPECT_NE(scan["residual"], nullptr);
  EXPECT_EQ(scan["recordsRead"], 6);
}

// ---- delete-many ----

TEST_F(CliTest, DeleteManyWithAFilterThenAll) {
  InitBlog();
  // 600 posts: more than two FindMany pages (250) match the filter.
  std::string lines;
  for (int i = 1; i <= 600; ++i) {
    lines += json({{"title", "p" + std::to_string(i)}, {"score", i % 10}}).dump() + "\n";
  }
  Ok({"import", "post", File("posts.ndjson", lines)});
  Ok({"create", "comment", R"({"body": "stays"})"});
  CliResult r = Ok({"delete-many", "post", "--filter", R"({"score": {"lessThan": 7}})"});
  EXPECT_EQ(r.out, "deleted 420 posts\n");
  json rest = Ok({"find", "post", "--first", "250", "--json"}).Json();
  ASSERT_EQ(rest["edges"].size(), 180u);
  for (const auto& e : rest["edges"]) EXPECT_GE(e["node"]["score"], 7);
  EXPECT_TRUE(Ok({"check", "--json"}).Json()["ok"]);
  EXPECT_EQ(
      Ok({"delete-many", "post", "--filter", R"({"score": {"lessThan": 7}})", "--json"}).Json(),
      json({{"model", "post"}, {"deleted", 0}}));

  // Without a filter: every record of the model (deleteAll), other models untouched.
  EXPECT_EQ(Ok({"delete-many", "post", "--json"}).Json(),
            json({{"model", "post"}, {"deleted", 180}}));
  EXPECT_EQ(Ok({"find", "post", "--json"}).Json()["edges"].size(), 0u);
  EXPECT_EQ(Ok({"find", "comment", "--json"}).Json()["edges"].size(), 1u);
  EXPECT_TRUE(Ok({"check", "--json"}).Json()["ok"]);

  EXPECT_FAILS(Run({"delete-many", "post", "--filter", R"({"nope": {"equals": 1}})"}), 1,
               "GGT_INVALID_FILTER");
  EXPECT_FAILS(Run({"delete-many", "widget"}), 1, "GGT_UNKNOWN_MODEL");
}

// ---- stats, check, compact ----

TEST_F(CliTest, StatsCheckCompact) {
  InitBlog();
  Ok({"create", "user", R"({"email": "a@example.com"})"});
  Ok({"create", "post", R"({"title": "t", "author": "1"})"});
  json stats = Ok({"stats", "--json"}).Json();
  EXPECT_EQ(stats["models"][1]["model"], "post");
  EXPECT_EQ(stats["models"][1]["records"], 1);
  bool found = false;
  for (const auto& ix : stats["models"][1]["indexes"]) {
    if (ix["name"] == "post.title") {
      found = true;
      EXPECT_EQ(ix["entries"], 1);
      EXPECT_GT(ix["bytes"], 0);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(stats["searchIndex"].contains("entries"));
  EXPECT_NE(stats["columnFamilies"]["rec"].get<std::string>().find("estimate-num-keys="),
            std::string::npos);
  EXPECT_GT(stats["diskBytes"], 0);
  for (const char* k : {"blockCacheBytes", "blockCachePinnedBytes", "rowCacheBytes",
                        "memtableBytes", "tableReaderBytes"}) {
    EXPECT_TRUE(stats["memory"][k].is_number_unsigned()) << k;
  }
  CliResult human = Ok({"stats"});
  EXPECT_NE(human.out.find("RocksDB column families"), std::string::npos);
  EXPECT_NE(human.out.find("memory: block cache "), std::string::npos);

  json check = Ok({"check", "--json"}).Json();
  EXPECT_EQ(check["ok"], true);
  EXPECT_EQ(check["recordsChecked"], 2);
  EXPECT_NE(Ok({"check"}).out.find("ok: 2 records"), std::string::npos);

  json compact = Ok({"compact", "--json"}).Json();
  EXPECT_EQ(compact["compacted"], true);
  EXPECT_GT(compact["diskBytesAfter"], 0);
}

TEST_F(CliTest, CheckExitsWithThreeOnADiscrepancy) {
  InitBlog();
  Ok({"create", "post", R"({"title": "t", "score": 5})"});
  Ok({"compact"});  // everything in SST files: the raw open below replays no merge operands
  uint32_t score_index = 0;
  {
    auto db = Database::Open(data(), testing::TestOptions());
    ASSERT_OK(db);
    auto catalog = (*db)->store().catalog();
    for (const auto& ix : catalog->FindModel("post")->indexes) {
      if (ix.name == "post.score") score_index = ix.id;
    }
  }
  ASSERT_NE(score_index, 0u);
  {
    // Fault injection: an index entry for a record that does not exist, written under the
    // engine's feet with plain RocksDB.
    rocksdb::DBOptions dbo;
    dbo.avoid_flush_during_shutdown = true;
    rocksdb::ColumnFamilyOptions cfo;
    cfo.disable_auto_compactions = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : {"default", "rec", "idx", "fts", "ctr", "stat"})
      cfs.emplace_back(name, cfo);
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(dbo, data(), cfs, &handles, &raw).ok());
    std::string key = engine::keys::IndexPrefix(score_index);
    engine::keys::AppendValue(&key, Value::Number(5));
    engine::keys::PutBE64(&key, 999);
    ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), handles[2], key, "").ok());
    for (auto* h : handles) ASSERT_TRUE(raw->DestroyColumnFamilyHandle(h).ok());
    ASSERT_TRUE(raw->Close().ok());
    delete raw;
  }
  CliResult r = Run({"check"});
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("post.score"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("999"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 discrepancies"), std::string::npos) << r.out;
  r = Run({"check", "--json"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.Json()["ok"], false);
  EXPECT_EQ(r.Json()["discrepancies"].size(), 1u);
}

// ---- the database lock ----

TEST_F(CliTest, DatabaseHeldByAnotherProcess) {
  InitBlog();
  auto db = Database::Open(data(), testing::TestOptions());
  ASSERT_OK(db);
  CliResult r = Run({"models"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("GGT_DATABASE_LOCKED: the database in " + data() +
                       " is already open in another process"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
}

// ---- example ----

TEST_F(CliTest, ExampleCreatesThenReuses) {
  json first = Ok({"example", "--records", "12", "--json"}).Json();
  EXPECT_EQ(first["created"], true);
  ASSERT_EQ(first["models"].size(), 3u);
  EXPECT_EQ(first["models"][0]["records"], 3);   // max(3, 12/5) users
  EXPECT_EQ(first["models"][1]["records"], 12);  // posts
  // The five newest posts (FindMany sorted by createdAt descending), each with its author's
  // name (a nested select).
  ASSERT_EQ(first["recentPosts"].size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(first["recentPosts"][i]["id"], std::to_string(12 - i));
  const json& newest = first["recentPosts"][0];
  EXPECT_EQ(newest["createdAt"], "2024-01-01T11:00:00.000Z");
  std::vector<std::string> keys;  // (json's keys iterate sorted)
  for (const auto& [k, v] : newest.items()) keys.push_back(k);
  EXPECT_EQ(keys,
            std::vector<std::string>({"author", "createdAt", "id", "published", "score", "title"}));
  EXPECT_EQ(newest["author"].size(), 2u);
  json author = Ok({"get", "user", newest["author"]["id"].get<std::string>(), "--json"}).Json();
  EXPECT_EQ(newest["author"]["name"], author["name"]);
  EXPECT_EQ(first["check"]["ok"], true);

  CliResult second = Ok({"example", "--records", "50"});
  EXPECT_NE(second.out.find("Using the blog database in " + data()), std::string::npos);
  EXPECT_NE(second.out.find("post     12"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("check: ok"), std::string::npos);
  EXPECT_EQ(Ok({"example", "--json"}).Json()["recentPosts"], first["recentPosts"]);

  // Deterministic: another directory gets the same records.
  std::string other = tmp_.sub("db2");
  CliResult r = Run({"--data", other, "--json", "example", "--records", "12"}, "", false);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.Json()["recentPosts"], first["recentPosts"]);

  // The sample users log in with their documented passwords.
  {
    auto db = Database::Open(data(), testing::TestOptions());
    ASSERT_OK(db);
    auto ok = (*db)->VerifyPassword("user", 1, "password", "sample-password-1");
    ASSERT_OK(ok);
    EXPECT_TRUE(*ok);
  }

  EXPECT_FAILS(Run({"example", "--records", "x"}), 2, "--records must be a number");
  std::string foreign = tmp_.sub("db3");
  ASSERT_EQ(Run({"--data", foreign, "init", "--schema",
                 File("one.json", R"({"models": {"thing": {"fields": {}}}})")},
                "", false)
                .code,
            0);
  EXPECT_FAILS(Run({"--data", foreign, "example"}, "", false), 1,
               "without the example's user, post and comment models");
}

// ---- shell ----

TEST_F(CliTest, ShellReadsCommandsFromAPipe) {
  InitBlog();
  CliResult r = Ok({"shell"},
                   "create post '{\"title\": \"from the shell\"}' --json\n"
                   "get post 1 --select title\n"
                   "bogus\n"
                   "get post 99\n"
                   "exit\n"
                   "models\n");
  EXPECT_NE(r.out.find("\"title\": \"from the shell\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("title  from the shell"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("unknown command \"bogus\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("GGT_RECORD_NOT_FOUND"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("model    records"), std::string::npos) << "ran past exit";
}

class Tmux {
 public:
  explicit Tmux(std::string socket) : socket_(std::move(socket)) {}
  ~Tmux() { Cmd("kill-server"); }
  int Cmd(const std::string& args) {
    return std::system(("tmux -L " + socket_ + " " + args + " >/dev/null 2>&1").c_str());
  }
  std::string Capture() {
    std::string out;
    FILE* p = popen(("tmux -L " + socket_ + " capture-pane -p -t adb").c_str(), "r");
    if (p == nullptr) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
  }
  // Waits until the pane shows `text` (up to 15 s); returns the pane.
  std::string WaitFor(const std::string& text) {
    std::string pane;
    for (int i = 0; i < 150; ++i) {
      pane = Capture();
      if (pane.find(text) != std::string::npos) return pane;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "timed out waiting for \"" << text << "\"; pane:\n" << pane;
    return pane;
  }
  // The last non-empty line of the pane.
  std::string LastLine() {
    std::istringstream ss(Capture());
    std::string line, last;
    while (std::getline(ss, line)) {
      if (line.find_first_not_of(' ') != std::string::npos) last = line;
    }
    return last;
  }

 private:
  std::string socket_;
};

TEST_F(CliTest, ShellInATerminalCompletesAndRemembers) {
  ASSERT_EQ(Run({"example", "--records", "5"}).code, 0);
  std::string ndjson = File("more.ndjson", "{\"title\": \"m1\"}\n{\"title\": \"m2\"}\n");
  Tmux tmux("adbcli" + std::to_string(getpid()));
  std::string cmd = "env HOME=" + ShellQuote(tmp_.path()) + " " + ShellQuote(ACTIONDB_CLI_PATH) +
                    " --data " + ShellQuote(data()) + " shell";
  ASSERT_EQ(tmux.Cmd("new-session -d -x 200 -y 50 -s adb " + ShellQuote(cmd)), 0);
  // (capture-pane drops trailing blanks: "actiondb> " shows as "actiondb>".)
  std::string pane = tmux.WaitFor("actiondb>");
  EXPECT_NE(pane.find("actiondb shell on " + data()), std::string::npos) << pane;

  // Tab completes a command name...
  tmux.Cmd("send-keys -t adb mod Tab");
  tmux.WaitFor("actiondb> models");
  tmux.Cmd("send-keys -t adb Enter");
  tmux.WaitFor("comment  ");
  // ...a model name, and a field name after --select.
  tmux.Cmd("send-keys -t adb 'get po' Tab");
  tmux.WaitFor("actiondb> get post");
  tmux.Cmd("send-keys -t adb '1 --select ti' Tab");
  tmux.WaitFor("actiondb> get post 1 --select title");  // the space after "post" was inserted
  tmux.Cmd("send-keys -t adb Enter");
  tmux.WaitFor("title  ");
  // Up recalls the previous command.
  tmux.Cmd("send-keys -t adb Up");
  std::string last;
  for (int i = 0; i < 100 && last.rfind("actiondb> get post", 0) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    last = tmux.LastLine();
  }
  EXPECT_EQ(last.substr(0, 35), "actiondb> get post 1 --select title");
  tmux.Cmd("send-keys -t adb C-u");
  // A progress bar on the terminal (stderr is one here).
  tmux.Cmd("send-keys -t adb " + ShellQuote("import post " + ndjson) + " Enter");
  pane = tmux.WaitFor("imported 2 posts");
  EXPECT_NE(pane.find("import post ["), std::string::npos) << pane;
  EXPECT_NE(pane.find("2/2 100%"), std::string::npos) << pane;
  tmux.Cmd("send-keys -t adb exit Enter");
  for (int i = 0; i < 50 && tmux.Cmd("has-session -t adb") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(tmux.Cmd("has-session -t adb"), 0) << "the shell did not exit";
  // History was saved for the next session.
  std::string history = ReadFile(tmp_.sub(".actiondb_history"));
  // (libedit's history file escapes blanks as \040.)
  EXPECT_NE(history.find("--select"), std::string::npos) << history;
}

}  // namespace
}  // namespace actiondb
