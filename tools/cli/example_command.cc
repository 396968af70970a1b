// `example`: the README's first command. On first run it creates a blog database (the schema
// of examples/blog/schema.json, compiled into the binary) filled by a deterministic sample-data
// generator; every run then prints the models with their counts, the most recent posts with
// their authors (one FindMany through the query layer), and the consistency check. A second run
// reuses the data.
//
// Sample data for --records N (N posts, default 100): max(3, N/5) users (name, email, password,
// roles; the first is an admin), N posts (title, markdown body, published, score, author,
// createdAt one hour apart from 2024-01-01), and 0-3 comments per post. The same N always gives
// the same records (a fixed-seed SplitMix64), so docs and tests can show real output.
#include <algorithm>
#include <cstdint>
#include <iostream>

#include "actiondb/query.h"
#include "tools/cli/blog_schema.h"
#include "tools/cli/command.h"
#include "tools/cli/records.h"

namespace actiondb::cli {

namespace {

constexpr uint64_t kDefaultExamplePosts = 100;
constexpr uint64_t kSampleBatch = 500;
constexpr int64_t kSampleEpochMillis = 1704067200000;  // 2024-01-01T00:00:00Z
constexpr int kRecentPosts = 5;

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  uint64_t Below(uint64_t n) { return Next() % n; }
  template <size_t N>
  const char* Pick(const char* const (&items)[N]) {
    return items[Below(N)];
  }

 private:
  uint64_t state_;
};

const char* const kFirstNames[] = {"Ada",     "Grace", "Alan",  "Edsger", "Barbara",  "Donald",
                                   "Frances", "Ken",   "Radia", "Leslie", "Margaret", "Dennis"};
const char* const kLastNames[] = {"Lovelace", "Hopper",  "Turing",   "Dijkstra",
                                  "Liskov",   "Knuth",   "Allen",    "Thompson",
                                  "Perlman",  "Lamport", "Hamilton", "Ritchie"};
const char* const kAdjectives[] = {"Practical", "Gentle", "Hard-won", "Surprising", "Small",
                                   "Durable",   "Honest", "Fast",     "Careful",    "Plain"};
const char* const kTopics[] = {"indexes",        "transactions", "cursors",     "compaction",
                               "write batches",  "snapshots",    "schemas",     "checksums",
                               "crash recovery", "pagination",   "unique keys", "full-text search"};
const char* const kEndings[] = {"in practice", "explained", "from scratch",  "for the impatient",
                                "revisited",   "at scale",  "without tears", "in ten minutes"};
const char* const kSentences[] = {
    "Every write goes through the log before it is acknowledged.",
    "A snapshot gives a reader one consistent view, however long it reads.",
    "Keys sort byte-wise, so encodings must preserve order.",
    "The checker walks records and indexes and compares them both ways.",
    "Batching turns many small writes into one sequential one.",
    "A cursor remembers where a page ended, not how many rows came before.",
    "Unique rules are enforced by the index, inside the same transaction.",
    "Compaction trades background work for cheaper reads later."};
const char* const kComments[] = {"Great post!",
                                 "This cleared up a lot for me, thanks.",
                                 "What about range deletes?",
                                 "I measured the same thing.",
                                 "Could you share the benchmark?",
                                 "Bookmarked.",
                                 "The second example is my favourite.",
                                 "Nicely put."};

struct Generated {
  uint64_t users = 0, posts = 0, comments = 0;
};

// Creates the sample records in batched transactions, drawing a progress bar on a terminal.
Status GenerateSampleData(Context& ctx, Database& db, uint64_t num_posts, Generated* out) {
  SplitMix64 rng(20240101);
  const uint64_t num_users = std::max<uint64_t>(3, num_posts / 5);
  ProgressBar bar(ctx.err(), ctx.progress_enabled(), "generating sample data",
                  num_users + num_posts * 5 / 2);
  uint64_t written = 0, in_batch = 0;
  std::unique_ptr<Transaction> txn = db.BeginTransaction();
  auto create = [&](const char* model, const FieldValues& values) -> Result<uint64_t> {
    ASSIGN_OR_RETURN(Record r, txn->Create(model, values));
    bar.Update(++written);
    if (++in_batch == kSampleBatch) {
      RETURN_IF_ERROR(txn->Commit());
      txn = db.BeginTransaction();
      in_batch = 0;
    }
    return r.id;
  };
  std::vector<uint64_t> user_ids;
  for (uint64_t i = 0; i < num_users; ++i) {
    std::string first = kFirstNames[i % std::size(kFirstNames)];
    std::string last = kLastNames[(i / std::size(kFirstNames) + i) % std::size(kLastNames)];
    std::string email = first + "." + last + std::to_string(i + 1) + "@example.com";
    std::transform(email.begin(), email.end(), email.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::vector<std::string> roles = {"signed-in"};
    if (i == 0) roles.push_back("admin");
    int64_t at = kSampleEpochMillis - 86400000 + static_cast<int64_t>(i) * 60000;
    ASSIGN_OR_RETURN(
        uint64_t id,
        create("user", {{"name", Value::String(first + " " + last)},
                        {"email", Value::String(email)},
                        {"password", Value::String("sample-password-" + std::to_string(i + 1))},
                        {"roles", Value::StringList(roles)},
                        {"createdAt", Value::DateTime(at)},
                        {"updatedAt", Value::DateTime(at)}}));
    user_ids.push_back(id);
  }
  out->users = num_users;
  for (uint64_t i = 0; i < num_posts; ++i) {
    std::string title =
        std::string(rng.Pick(kAdjectives)) + " " + rng.Pick(kTopics) + " " + rng.Pick(kEndings);
    std::string body = "# " + title + "\n\n" + rng.Pick(kSentences) + " **" + rng.Pick(kSentences) +
                       "**\n\n- " + rng.Pick(kSentences) + "\n- *" + rng.Pick(kSentences) + "*\n";
    int64_t at = kSampleEpochMillis + static_cast<int64_t>(i) * 3600000;
    uint64_t author = user_ids[rng.Below(user_ids.size())];
    ASSIGN_OR_RETURN(uint64_t post_id,
                     create("post", {{"title", Value::String(title)},
                                     {"body", Value::String(body)},
                                     {"published", Value::Bool(rng.Below(4) != 0)},
                                     {"score", Value::Number(static_cast<double>(rng.Below(100)))},
                                     {"author", Value::Id(author)},
                                     {"createdAt", Value::DateTime(at)},
                                     {"updatedAt", Value::DateTime(at)}}));
    ++out->posts;
    uint64_t n_comments = rng.Below(4);
    for (uint64_t c = 0; c < n_comments; ++c) {
      int64_t cat = at + static_cast<int64_t>(c + 1) * 600000;
      ASSIGN_OR_RETURN(
          uint64_t unused,
          create("comment", {{"body", Value::String(rng.Pick(kComments))},
                             {"post", Value::Id(post_id)},
                             {"author", Value::Id(user_ids[rng.Below(user_ids.size())])},
                             {"createdAt", Value::DateTime(cat)},
                             {"updatedAt", Value::DateTime(cat)}}));
      (void)unused;
      ++out->comments;
    }
  }
  RETURN_IF_ERROR(txn->Commit());
  bar.Finish();
  return Status::OK();
}

bool HasBlogModels(const Schema& schema) {
  return schema.FindModel("user") && schema.FindModel("post") && schema.FindModel("comment");
}

class ExampleCommand : public Command {
 public:
  std::string name() const override { return "example"; }
  std::string summary() const override {
    return "create (first run) or reuse a sample blog database and show what is in it";
  }
  std::vector<OptionSpec> options() const override {
    return {{"records", OptionValueKind::kText, "N",
             "posts to generate on first run (default " + std::to_string(kDefaultExamplePosts) +
                 "), with N/5 users and 0-3 comments per post"}};
  }
  std::string details() const override {
    return "The first run creates the database with the blog schema (user, post, comment; built\n"
           "in, the same as examples/blog/schema.json) and deterministic sample data. Later runs\n"
           "reuse the data (--records is then ignored). Prints the models with their record\n"
           "counts, the most recent posts with their authors, and the consistency check (exit\n"
           "code 3 if it finds a discrepancy).";
  }
  Status Run(Context& ctx, const Args& args) const override {
    uint64_t num_posts = kDefaultExamplePosts;
    if (args.Has("records")) {
      std::string r = args.Get("records");
      char* end = nullptr;
      unsigned long long v = std::strtoull(r.c_str(), &end, 10);
      if (r.empty() || *end != '\0' || r[0] == '-' || v > 10000000) {
        ctx.set_exit_code(kExitUsage);
        return Status(Code::kInvalidArgument,
                      "--records must be a number from 0 to 10000000, not \"" + r + "\"");
      }
      num_posts = v;
    }
    ctx.set_fast_password_hashing(true);  // sample users only; still a real Argon2id hash
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase(/*create=*/true));
    Schema schema = db->GetSchema();
    bool generate = false;
    if (schema.models.empty()) {
      ASSIGN_OR_RETURN(Schema blog, ParseSchemaJson(kBlogSchemaJson));
      ASSIGN_OR_RETURN(SchemaDiff diff, db->ApplySchema(blog));
      (void)diff;
      generate = true;
    } else if (!HasBlogModels(schema)) {
      return Status(Code::kInvalidArgument,
                    ctx.data_dir() +
                        " holds a database without the example's user, post and comment models; "
                        "run the example in another directory (--data DIR)");
    } else {
      ASSIGN_OR_RETURN(std::unique_ptr<RecordIterator> any, db->NewRecordIterator("post"));
      generate = !any->Valid();
      RETURN_IF_ERROR(any->status());
    }
    Generated made;
    if (generate) RETURN_IF_ERROR(GenerateSampleData(ctx, *db, num_posts, &made));
    return Show(ctx, *db, generate, made);
  }

 private:
  // The most recent posts with their authors' names: one FindMany, sorted by createdAt
  // descending, the author loaded by the query layer's batched relationship read.
  static Result<Connection> RecentPosts(Database& db) {
    FindRequest request;
    request.sort = R"({"createdAt": "Descending"})";
    request.first = kRecentPosts;
    request.select = {"title", "published", "score", "createdAt", "author.name"};
    return Query(db).FindMany("post", request);
  }

  static Status Show(Context& ctx, Database& db, bool generated, const Generated& made) {
    ASSIGN_OR_RETURN(DatabaseStats stats, db.Stats());
    ASSIGN_OR_RETURN(Connection recent_page, RecentPosts(db));
    OrderedJson recent = OrderedJson::array();
    for (const Edge& edge : recent_page.edges) {
      recent.push_back(OrderedJson::parse(NodeToJson(edge.node)));
    }
    ASSIGN_OR_RETURN(CheckReport check, db.Check());

    if (!check.ok()) ctx.set_exit_code(kExitCheckFailed);
    if (ctx.json()) {
      OrderedJson models = OrderedJson::array();
      for (const auto& m : stats.models) {
        models.push_back({{"model", m.model}, {"records", m.record_count}});
      }
      ctx.out() << OrderedJson{{"dataDir", ctx.data_dir()},
                               {"created", generated},
                               {"models", models},
                               {"recentPosts", recent},
                               {"check",
                                {{"ok", check.ok()},
                                 {"recordsChecked", check.records_checked},
                                 {"indexEntriesChecked", check.index_entries_checked},
                                 {"discrepancies", check.discrepancies}}}}
                       .dump(2)
                << "\n";
      return Status::OK();
    }
    std::ostream& out = ctx.out();
    if (generated) {
      out << "Created a blog database in " << ctx.data_dir() << " with " << made.users << " users, "
          << made.posts << " posts and " << made.comments << " comments.\n\n";
    } else {
      out << "Using the blog database in " << ctx.data_dir() << ".\n\n";
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& m : stats.models) {
      rows.push_back({m.model, std::to_string(m.record_count), std::to_string(m.indexes.size())});
    }
    PrintTable(out, {"model", "records", "indexes"}, rows);
    out << "\nMost recent posts:\n";
    rows.clear();
    for (const OrderedJson& p : recent) {
      std::string author = "-";
      if (const OrderedJson& a = p["author"]; a.is_object()) {
        author = a["name"].is_string() ? a["name"].get<std::string>()
                                       : "user " + a["id"].get<std::string>();
      }
      rows.push_back({p["id"].get<std::string>(), CellText(p["title"], 48), author,
                      CellText(p["published"]), CellText(p["score"]), CellText(p["createdAt"])});
    }
    PrintTable(out, {"id", "title", "author", "published", "score", "createdAt"}, rows);
    out << "\ncheck: " << (check.ok() ? "ok" : "FAILED") << " (" << check.records_checked
        << " records, " << check.index_entries_checked << " index entries)\n";
    for (const auto& d : check.discrepancies) out << "  " << d << "\n";
    std::string data = ctx.data_dir() == DefaultDataDir() ? "" : " --data " + ctx.data_dir();
    out << "\nNext: actiondb" << data << " get post "
        << (recent.empty() ? std::string("1") : recent[0]["id"].get<std::string>())
        << "\n      actiondb" << data
        << " find post --filter '{\"published\":{\"equals\":true}}' --select title,author.name"
        << "\n      actiondb" << data << " shell\n";
    return Status::OK();
  }
};

}  // namespace

void AddExampleCommands(std::vector<std::unique_ptr<Command>>* out) {
  out->push_back(std::make_unique<ExampleCommand>());
}

}  // namespace actiondb::cli
