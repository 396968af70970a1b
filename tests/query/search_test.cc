// Full-text search end to end: the index kept by every write path (checked by Store::Check),
// relevance order on a fixed corpus, typos at the length thresholds, prefixes, synonyms,
// exclusions, phrases, Unicode, search with filter + sort + pagination both ways, explain,
// transactions and schema changes.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "actiondb/internal_api.h"
#include "actiondb/query.h"
#include "engine/key_format.h"
#include "engine/search/levenshtein.h"
#include "engine/search_index.h"
#include "engine/store.h"
#include "engine/store_internal.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

using ::actiondb::testing::TempDir;
using ::actiondb::testing::TestOptions;
using V = std::vector<uint64_t>;

constexpr const char* kSchema = R"({
  "models": {
    "doc": {
      "plural": "docs",
      "fields": {
        "title": {"type": "string"},
        "body": {"type": "richText"},
        "views": {"type": "number"},
        "likes": {"type": "number", "index": false},
        "secret": {"type": "password"},
        "tags": {"type": "enum", "options": ["red", "green", "blue"], "multi": true},
        "published": {"type": "boolean"},
        "meta": {"type": "json"}
      }
    }
  },
  "synonyms": [["photo", "picture", "image"], ["car", "automobile"]]
})";

// `len` letters drawn from `letters`.
std::string RandomWord(std::mt19937& rng, const std::string& letters, int len) {
  std::string w;
  for (int i = 0; i < len; ++i) w.push_back(letters[rng() % letters.size()]);
  return w;
}

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    auto db = testing::OpenWithSchema(dir_.path(), kSchema);
    ASSERT_OK(db);
    db_ = std::move(db).value();
    q_ = std::make_unique<Query>(*db_);
  }
  void Reopen() {
    q_.reset();
    db_.reset();
    Open();
  }
  uint64_t Doc(const std::string& title, const std::string& body = "", double views = 0) {
    FieldValues v = {{"title", Value::String(title)}, {"views", Value::Number(views)}};
    if (!body.empty()) v.emplace_back("body", Value::String(body));
    auto r = db_->Create("doc", v);
    EXPECT_OK(r);
    return r.ok() ? r->id : 0;
  }
  V Search(const std::string& text, const std::string& filter = "", const std::string& sort = "") {
    FindRequest r;
    r.search = text;
    r.filter = filter;
    r.sort = sort;
    auto c = q_->FindMany("doc", r);
    EXPECT_OK(c);
    V out;
    if (c.ok()) {
      for (const auto& e : c->edges) out.push_back(e.node.record.id);
    }
    return out;
  }
  // Sorted ids: for assertions that do not care about order.
  V Set(const std::string& text) {
    V v = Search(text);
    std::sort(v.begin(), v.end());
    return v;
  }
  void ExpectClean() { testing::ExpectCheckClean(*db_); }
  void RandomPartialUpdates(const std::string& body_pad);
  void NumberUpdatesKeepDigitRunsExact(const std::string& pad);
  bool TimestampsHoldDigitRun(uint64_t id, const std::string& run);

  TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Query> q_;
};

TEST_F(SearchTest, RelevanceOrderOnAFixedCorpus) {
  uint64_t a = Doc("Rust programming",
                   "A long text about systems and memory safety, with many "
                   "other words that make this body long enough to matter.");
  uint64_t b = Doc("Cooking pasta",
                   "Boil water. Rust is not an ingredient, but rust on a pan "
                   "is bad. Clean the rust off.");
  uint64_t c = Doc("Gardening", "Tomatoes and basil. Nothing about metal here at all.");
  uint64_t d = Doc("Rust", "Rust rust rust.");
  uint64_t e = Doc("Programming in Go", "Go is a language; rust is another one.");
  // Short title hits outrank body hits; more occurrences rank higher; ties by id.
  EXPECT_EQ(Search("rust"), (V{d, a, b, e}));
  EXPECT_EQ(Search("programming"), (V{a, e}));
  EXPECT_EQ(Search("rust programming"), (V{a, e}));  // AND
  EXPECT_EQ(Search("basil"), (V{c}));
  EXPECT_EQ(Search("zebra"), V{});
  // Same score: ties broken by id.
  uint64_t f = Doc("Twin");
  uint64_t g = Doc("Twin");
  EXPECT_EQ(Search("twin"), (V{f, g}));
  ExpectClean();
}

// A record matched by several expansions of one word (the word and a typo of it) scores its
// best expansion, not their sum: with equal statistics it ties the record holding only the
// word (ties go by id), and the record holding only the typo scores half (one edit).
TEST_F(SearchTest, ARecordMatchedBySeveralExpansionsScoresItsBest) {
  uint64_t a = Doc("lantern harbor");
  uint64_t b = Doc("lantarn harbor");
  uint64_t c = Doc("lantern lantarn");
  EXPECT_EQ(Search("lantern"), (V{a, c, b}));
  EXPECT_EQ(Search("lantarn"), (V{b, c, a}));
  EXPECT_EQ(Search("lantern harbor"), (V{a, b}));
  EXPECT_EQ(Search("harbor lantern"), (V{a, b}));
  ExpectClean();
}

// The same when the word is not the rarest of the query, so its expansions narrow candidates
// another word made: `a` holds both "lantern" and its typo "lantarn" (which comes first in
// term order), and its exact match must count (no typo), ranking it with `c` above `b`.
// Counting its first expansion instead would put `a` with `b` among the one-typo matches, after
// `b` (whose shorter title scores more).
TEST_F(SearchTest, ALaterWordMatchedBySeveralExpansionsCountsItsBest) {
  uint64_t a = Doc("lantern lantarn harbor");
  uint64_t b = Doc("lantarn harbor");
  uint64_t c = Doc("lantern harbor");
  for (const char* q : {"harbor lantern", "lantern harbor"}) {
    SCOPED_TRACE(q);
    V got = Search(q);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ((std::set<uint64_t>{got[0], got[1]}), (std::set<uint64_t>{a, c}));
    EXPECT_EQ(got[2], b);
  }
  ExpectClean();
}

TEST_F(SearchTest, EverySearchableFieldTypeButPasswordsAndUnindexedNumbers) {
  auto r = db_->Create("doc", {{"title", Value::String("plain")},
                               {"views", Value::Number(1234)},
                               {"likes", Value::Number(777)},
                               {"secret", Value::String("hunter2")},
                               {"tags", Value::StringList({"red", "blue"})},
                               {"published", Value::Bool(true)},
                               {"meta", Value::Json(R"({"color":"magenta"})")},
                               {"createdAt", Value::DateTime(1704448800000)}});  // 2024-01-05 10:00
  ASSERT_OK(r);
  uint64_t id = r->id;
  EXPECT_EQ(Search("1234"), V{id});
  EXPECT_EQ(Search("777"), V{});      // an unindexed number (lock-free _atomics) is not searched
  EXPECT_EQ(Search("hunter2"), V{});  // passwords never
  EXPECT_EQ(Search("blue"), V{id});
  EXPECT_EQ(Search("true"), V{id});
  EXPECT_EQ(Search("magenta"), V{id});
  EXPECT_EQ(Search("created"), V{id});  // record state
  EXPECT_EQ(Search("\"2024-01-05\""), V{id});
  EXPECT_EQ(Search(std::to_string(id)), V{id});
  ExpectClean();
}

// Texts past UnchangedFields::kAnalyzeAllBytes (4 KiB) in all: an update of other fields reads
// the stored postings instead of analyzing them. Holds none of the tests' words.
std::string LongPad() {
  std::string pad;
  while (pad.size() <= 4200) pad += " lorem ipsum dolor sit amet";
  return pad;
}

// Updates re-analyze only the fields whose values changed and patch the other fields' parts
// of shared terms' postings; words shared between changed and unchanged fields (same surface,
// or different surfaces with one stem) must keep every posting, document frequency, surface
// count and token total exact. Random updates of random field subsets (sets, `_atomics`,
// savepoint rollbacks), the checker after each round, and searches against a scan.
// Every body gets `body_pad` appended: empty, an update finds the unchanged fields' parts of a
// term by analyzing them; LongPad(), by reading the term's stored posting.
void SearchTest::RandomPartialUpdates(const std::string& body_pad) {
  const std::vector<std::string> words = {"run", "running", "runs", "red", "42",   "blue",
                                          "the", "cat",     "cats", "7",   "true", "apple"};
  std::mt19937 rng(7);
  auto text = [&](size_t max_words) {
    std::string t;
    size_t n = rng() % (max_words + 1);
    for (size_t i = 0; i < n; ++i) t += (i ? " " : "") + words[rng() % words.size()];
    return t;
  };
  auto body = [&] { return text(8) + body_pad; };
  V ids;
  for (int i = 0; i < 12; ++i) ids.push_back(Doc(text(4), body(), rng() % 50));
  InternalApi api(*db_);
  for (int round = 0; round < 8; ++round) {
    for (int step = 0; step < 25; ++step) {
      uint64_t id = ids[rng() % ids.size()];
      int what = static_cast<int>(rng() % 6);
      if (what == 0) {  // an increment of the searchable (indexed) number
        WriteInput w;
        w.atomics = {{"views", {{AtomicCommand::Op::kIncrement, double(rng() % 3) * 7}}}};
        ASSERT_OK(api.model("doc").Update(id, w));
      } else if (what == 1) {  // a savepoint rolled back inside a committed transaction
        auto txn = db_->BeginTransaction();
        ASSERT_OK(txn->Update("doc", id, {{"title", Value::String(text(4))}}));
        txn->SetSavePoint();
        ASSERT_OK(txn->Update("doc", id, {{"body", Value::String(body())}}));
        ASSERT_OK(txn->Update("doc", id, {{"title", Value::String(text(4))}}));
        ASSERT_OK(txn->RollbackToSavePoint());
        ASSERT_OK(txn->Update("doc", id, {{"views", Value::Number(rng() % 50)}}));
        ASSERT_OK(txn->Commit());
      } else {
        FieldValues v;
        if (rng() % 2) v.emplace_back("title", Value::String(text(4)));
        if (rng() % 2) v.emplace_back("body", Value::String(body()));
        if (rng() % 3 == 0) v.emplace_back("views", Value::Number(rng() % 50));
        if (rng() % 3 == 0) v.emplace_back("published", Value::Bool(rng() % 2));
        if (rng() % 3 == 0) {
          v.emplace_back("tags", rng() % 2 ? Value::StringList({"red"}) : Value());
        }
        ASSERT_OK(db_->Update("doc", id, v));
      }
    }
    SCOPED_TRACE("round " + std::to_string(round));
    ExpectClean();
    // Each word's matches against a scan of the records' texts (exact word search: quoted).
    for (const std::string& w : {std::string("cat"), std::string("blue"), std::string("apple")}) {
      V want;
      for (uint64_t id : ids) {
        auto r = db_->Get("doc", id);
        ASSERT_OK(r);
        std::string all = " ";
        for (const char* field : {"title", "body"}) {
          const Value* v = r->Get(field);
          if (v && !v->is_null()) all += v->as_string() + " ";
        }
        if (all.find(" " + w + " ") != std::string::npos ||
            all.find(" " + w + "s ") != std::string::npos) {
          want.push_back(id);
        }
      }
      EXPECT_EQ(Set("\"" + w + "\""), want) << w;
    }
  }
}

TEST_F(SearchTest, PartialUpdatesKeepTheIndexExact) { RandomPartialUpdates(""); }

TEST_F(SearchTest, PartialUpdatesOfRecordsWithLongTextsKeepTheIndexExact) {
  RandomPartialUpdates(LongPad());
}

// An update whose changed field keeps a term's posting (same stem, same position) but changes
// its surface word: the posting is not rewritten, yet whether the document still holds each
// surface depends on the unchanged fields: analyzed when short, and with a body past 4 KiB
// known from that term's stored posting.
TEST_F(SearchTest, ASurfaceChangeUnderAnUnchangedPostingKeepsTheCountsExact) {
  for (const std::string& pad : {std::string(), LongPad()}) {
    SCOPED_TRACE(pad.empty() ? "short body" : "long body");
    const uint64_t id = Doc("run", "runs fast" + pad, 1);
    ASSERT_OK(
        db_->Update("doc", id, {{"title", Value::String("runs")}}));  // "run" lost, "runs" held
    ExpectClean();
    ASSERT_OK(db_->Update("doc", id, {{"title", Value::String("run")}}));  // and back
    ExpectClean();
    ASSERT_OK(db_->Update("doc", id, {{"body", Value::String("running fast" + pad)}}));
    ExpectClean();
    EXPECT_EQ(Set("\"runs\""), V({id}));  // the stem's matches: every surface of "run"
    ASSERT_OK(db_->Delete("doc", id));    // the next round's record alone holds the words
    ExpectClean();
  }
}

// Whether the record's createdAt or updatedAt, searched as `YYYY-MM-DD HH:MM:SS`, holds `run`
// as a whole digit run: a record written at minute or second 43 matches "43" by its timestamps.
bool SearchTest::TimestampsHoldDigitRun(uint64_t id, const std::string& run) {
  auto r = db_->Get("doc", id);
  EXPECT_OK(r);
  if (!r.ok()) return false;
  for (const char* field : {"createdAt", "updatedAt"}) {
    const Value* v = r->Get(field);
    if (!v || v->is_null()) continue;
    const std::string iso = FormatDateTime(v->as_datetime()).substr(0, 19);  // no milliseconds
    std::string digits;
    for (size_t i = 0; i <= iso.size(); ++i) {
      if (i < iso.size() && iso[i] >= '0' && iso[i] <= '9') {
        digits += iso[i];
      } else {
        if (digits == run) return true;
        digits.clear();
      }
    }
  }
  return false;
}

// An increment changes a number's digit run, and the update finds the other fields' parts of
// that run without reading its posting when no long text can hold it. Long texts that do hold
// it must still count: plainly, inside a number with an apostrophe (`4'3` is the term 43), in
// full-width digits (NFKC makes them ASCII), and one that holds it only inside a longer number
// (no match, but no shortcut either). Each step is checked (postings, frequencies, surfaces)
// and "43" must match exactly the records that hold it. `pad`: past a short field (64 bytes;
// the texts are analyzed), and past 4 KiB in the VeryLongTexts case, where
// the shortcut is the digit run's absence from the text and a text holding it sends the term
// to the posting read.
void SearchTest::NumberUpdatesKeepDigitRunsExact(const std::string& pad) {
  const std::vector<std::string> bodies = {
      "plain ascii with 43 in it" + pad,
      "an apostrophe number 4'3 in it" + pad,
      "full width \xEF\xBC\x94\xEF\xBC\x93 digits in it" + pad,  // "４３"
      "only inside 143 and 430 here" + pad,
      "no digits at all here" + pad,
  };
  std::vector<bool> body_holds = {true, true, true, false, false};
  V ids;
  for (const std::string& b : bodies) ids.push_back(Doc("t", b, 41));
  std::vector<int> views(ids.size(), 41);
  InternalApi api(*db_);
  std::mt19937 rng(43);
  for (int step = 0; step < 60; ++step) {
    const size_t i = rng() % ids.size();
    const int delta = views[i] <= 40 ? 1 : views[i] >= 45 ? -1 : (rng() % 2 ? 1 : -1);
    if (step % 3 == 0) {
      ASSERT_OK(db_->Update("doc", ids[i], {{"views", Value::Number(views[i] + delta)}}));
    } else {
      WriteInput w;
      w.atomics = {{"views", {{AtomicCommand::Op::kIncrement, double(delta)}}}};
      ASSERT_OK(api.model("doc").Update(ids[i], w));
    }
    views[i] += delta;
    SCOPED_TRACE("step " + std::to_string(step));
    ExpectClean();
    V want;
    for (size_t k = 0; k < ids.size(); ++k) {
      if (body_holds[k] || views[k] == 43 || TimestampsHoldDigitRun(ids[k], "43")) {
        want.push_back(ids[k]);
      }
    }
    ASSERT_EQ(Set("\"43\""), want);
  }
}

TEST_F(SearchTest, NumberUpdatesKeepTheDigitRunsOfLongTextsExact) {
  NumberUpdatesKeepDigitRunsExact(
      " and some more words so that this body is longer than a short field");
}

TEST_F(SearchTest, NumberUpdatesKeepTheDigitRunsOfVeryLongTextsExact) {
  NumberUpdatesKeepDigitRunsExact(LongPad());
}

TEST_F(SearchTest, TyposAtTheLengthThresholds) {
  uint64_t cat = Doc("cats");               // 4 letters: no typo allowed
  uint64_t house = Doc("house");            // 5: one edit
  uint64_t elephant = Doc("elephant");      // 8: one edit
  uint64_t mountains = Doc("mountaineer");  // 11: two edits
  uint64_t forgotten = Doc("forgotten");    // 9: two edits
  EXPECT_EQ(Search("cats "), V{cat});
  EXPECT_EQ(Search("cabs "), V{});                // substitution at 4: none
  EXPECT_EQ(Search("hose "), V{});                // 4 typed letters: none
  EXPECT_EQ(Search("houses "), V{house});         // stem
  EXPECT_EQ(Search("hpuse "), V{house});          // substitution at 5
  EXPECT_EQ(Search("housse "), V{house});         // insertion
  EXPECT_EQ(Search("huose "), V{house});          // transposition
  EXPECT_EQ(Search("hpusr "), V{});               // two edits at 5: none
  EXPECT_EQ(Search("elepant "), V{elephant});     // deletion at 7
  EXPECT_EQ(Search("elephnat "), V{elephant});    // transposition at 8
  EXPECT_EQ(Search("eleqhnat "), V{});            // two edits at 8: none
  EXPECT_EQ(Search("forgoten "), V{forgotten});   // deletion at 8 -> one edit
  EXPECT_EQ(Search("frogotetn "), V{forgotten});  // two transpositions at 9
  EXPECT_EQ(Search("muontaineer "), V{mountains});
  // Exact beats typo'd: "house" exact ranks above "horse" one edit away.
  uint64_t horse = Doc("horse");
  EXPECT_EQ(Search("horse "), (V{horse, house}));
  ExpectClean();
}

// Typo'd matches rank below typo-free ones whatever their BM25: a record's typos are the edits
// of its best match per term, summed over the terms.
TEST_F(SearchTest, TypoFreeMatchesRankAboveTypodOnes) {
  // A short title with a typo'd word scores far more BM25 (x0.5 for the edit) than a long body
  // holding the word once, yet ranks below it.
  uint64_t typod = Doc("lantarn");
  uint64_t exact = Doc("notes",
                       "a long body about many things: the harbor, the boats, the nets, "
                       "the weather, the fish, and somewhere a lantern on a hook");
  EXPECT_EQ(Search("lantern"), (V{exact, typod}));
  EXPECT_EQ(Search("lantarn"), (V{typod, exact}));
  // Two terms: 0 typos, then 1 (either term), then 2.
  uint64_t both_typod = Doc("lantarn harbr");
  uint64_t one_typod = Doc("lantern harbr");
  uint64_t other_typod = Doc("lantarn harbor");
  V got = Search("lantern harbor");
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got.front(), exact);
  EXPECT_EQ((std::set<uint64_t>{got[1], got[2]}), (std::set<uint64_t>{one_typod, other_typod}));
  EXPECT_EQ(got.back(), both_typod);
  ExpectClean();
}

// A ranked page tries the typo-free matches first and searches again with typos only when the
// page reaches past them. Whatever the page size, direction, filter or cursor, the pages must
// reproduce the one-page ranking exactly, hasNextPage and hasPreviousPage included.
TEST_F(SearchTest, PagesAcrossTheTypoTierMatchTheWholeRanking) {
  for (int i = 0; i < 40; ++i) {
    std::string title = i % 4 == 3 ? "lantarn" : "lantern";  // 30 exact, 10 typo'd
    for (int j = 0; j < i % 3; ++j) title += " lantern";
    Doc(title + " " + std::to_string(i), "filler words " + std::to_string(i % 5), i);
  }
  for (const std::string& filter : {std::string(), std::string(R"({"views": {"lessThan": 20}})")}) {
    FindRequest whole;
    whole.search = "lantern";
    whole.filter = filter;
    whole.first = 250;
    auto all_c = q_->FindMany("doc", whole);
    ASSERT_OK(all_c);
    V all;
    for (const auto& e : all_c->edges) all.push_back(e.node.record.id);
    ASSERT_EQ(all.size(), filter.empty() ? 40u : 20u);
    for (int size : {1, 3, 7, 29, 30, 31, 50}) {
      SCOPED_TRACE("filter " + filter + ", page size " + std::to_string(size));
      // Forward.
      FindRequest r;
      r.search = "lantern";
      r.filter = filter;
      r.first = size;
      V fwd;
      Connection last_page;
      for (int n = 0;; ++n) {
        ASSERT_LT(n, 100);
        auto c = q_->FindMany("doc", r);
        ASSERT_OK(c);
        for (const auto& e : c->edges) fwd.push_back(e.node.record.id);
        EXPECT_EQ(c->page_info.has_previous_page, n > 0);
        EXPECT_EQ(c->page_info.has_next_page, fwd.size() < all.size());
        last_page = *c;
        if (!c->page_info.has_next_page) break;
        auto next = NextPage(r, *c);
        ASSERT_OK(next);
        r = *next;
      }
      EXPECT_EQ(fwd, all);
      // Backward: `last` from the end, then by cursor.
      FindRequest b;
      b.search = "lantern";
      b.filter = filter;
      b.last = size;
      V back;
      for (int n = 0;; ++n) {
        ASSERT_LT(n, 100);
        auto c = q_->FindMany("doc", b);
        ASSERT_OK(c);
        for (auto it = c->edges.rbegin(); it != c->edges.rend(); ++it)
          back.push_back(it->node.record.id);
        EXPECT_EQ(c->page_info.has_next_page, n > 0);
        EXPECT_EQ(c->page_info.has_previous_page, back.size() < all.size());
        if (!c->page_info.has_previous_page) break;
        auto prev = PreviousPage(b, *c);
        ASSERT_OK(prev);
        b = *prev;
      }
      std::reverse(back.begin(), back.end());
      EXPECT_EQ(back, all);
    }
  }
}

TEST_F(SearchTest, PrefixOfTheLastWord) {
  uint64_t a = Doc("autocomplete widgets");
  uint64_t b = Doc("automobile parts");
  uint64_t c = Doc("autograph");
  EXPECT_EQ(Search("autocom"), V{a});
  EXPECT_EQ(Set("auto"), (V{a, b, c}));
  EXPECT_EQ(Search("auto "), V{});  // a finished word is not a prefix
  EXPECT_EQ(Search("widgets auto"), V{a});
  // An exact word outranks its prefix extensions.
  uint64_t d = Doc("auto");
  EXPECT_EQ(Search("auto").front(), d);
}

TEST_F(SearchTest, SynonymsBothWays) {
  uint64_t a = Doc("A photo of the sea");
  uint64_t b = Doc("Picture gallery");
  uint64_t c = Doc("Image processing");
  uint64_t d = Doc("An automobile");
  EXPECT_EQ(Set("photo "), (V{a, b, c}));
  EXPECT_EQ(Set("picture "), (V{a, b, c}));
  EXPECT_EQ(Set("images "), (V{a, b, c}));  // stems compare
  EXPECT_EQ(Search("car "), V{d});
  EXPECT_EQ(Search("automobile "), V{d});
  // The typed word ranks above its synonyms.
  EXPECT_EQ(Search("picture ").front(), b);
}

TEST_F(SearchTest, ExclusionPhrasesAndEmptyQueries) {
  uint64_t a = Doc("bank of america", "money");
  uint64_t b = Doc("america bank", "money");
  uint64_t c = Doc("river bank", "water");
  EXPECT_EQ(Search("\"bank of america\""), V{a});
  EXPECT_EQ(Search("\"bank america\""), V{});  // the stop word keeps its position
  EXPECT_EQ(Set("bank !water"), (V{a, b}));
  EXPECT_EQ(Set("bank !\"america bank\""), (V{a, c}));
  EXPECT_EQ(Set("money \"america\""), (V{a, b}));
  // "" is no search at all; text with no required term matches nothing.
  EXPECT_EQ(Set(""), (V{a, b, c}));
  EXPECT_EQ(Search("the of"), V{});
  EXPECT_EQ(Search("!bank"), V{});
  EXPECT_EQ(Search("  ,;  "), V{});
}

TEST_F(SearchTest, Unicode) {
  uint64_t a = Doc("Café Crème");
  uint64_t b = Doc("Straße");
  uint64_t c = Doc("Москва столица");
  uint64_t d = Doc("東京タワーに行きました");
  uint64_t e = Doc("😀 emoji only 😀");
  EXPECT_EQ(Search("cafe "), V{a});
  EXPECT_EQ(Search("CRÈME "), V{a});
  EXPECT_EQ(Search("strasse "), V{b});
  EXPECT_EQ(Search("москва "), V{c});
  EXPECT_EQ(Search("Москв"), V{c});  // prefix in Cyrillic
  EXPECT_EQ(Search("東京"), V{d});
  EXPECT_EQ(Search("😀"), V{});
  EXPECT_EQ(Search("emoji"), V{e});
  ExpectClean();
}

TEST_F(SearchTest, FilterSortAndPaginationBothWays) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < 23; ++i) {
    // Relevance varies with the number of "alpha" words.
    std::string body;
    for (int j = 0; j <= i % 5; ++j) body += "alpha ";
    ids.push_back(Doc("item " + std::to_string(i), body + "filler text here", i));
  }
  Doc("unrelated", "beta", 100);
  V all = Search("alpha");
  ASSERT_EQ(all.size(), 23u);
  // Filter intersects.
  V filtered = Search("alpha", R"({"views": {"greaterThanOrEqual": 10}})");
  V expect;
  for (uint64_t id : all) {
    if (id >= ids[10]) expect.push_back(id);
  }
  EXPECT_EQ(filtered, expect);
  // An explicit sort overrides relevance.
  V by_views = Search("alpha", "", R"({"views": "Descending"})");
  V want(ids.rbegin(), ids.rend());
  EXPECT_EQ(by_views, want);

  // Forward pages of 5 in relevance order reproduce the full ranking.
  FindRequest r;
  r.search = "alpha";
  r.first = 5;
  V paged;
  std::vector<Connection> pages;
  while (true) {
    auto c = q_->FindMany("doc", r);
    ASSERT_OK(c);
    for (const auto& e : c->edges) paged.push_back(e.node.record.id);
    pages.push_back(*c);
    if (!c->page_info.has_next_page) break;
    auto next = NextPage(r, *c);
    ASSERT_OK(next);
    r = *next;
  }
  EXPECT_EQ(paged, all);
  EXPECT_EQ(pages.size(), 5u);
  EXPECT_FALSE(pages.front().page_info.has_previous_page);
  EXPECT_TRUE(pages.back().page_info.has_previous_page);
  // Backwards from the last page.
  V back;
  FindRequest br = r;
  Connection cur = pages.back();
  for (auto it = cur.edges.rbegin(); it != cur.edges.rend(); ++it)
    back.push_back(it->node.record.id);
  while (cur.page_info.has_previous_page) {
    auto prev = PreviousPage(br, cur);
    ASSERT_OK(prev);
    br = *prev;
    auto c = q_->FindMany("doc", br);
    ASSERT_OK(c);
    for (auto it = c->edges.rbegin(); it != c->edges.rend(); ++it)
      back.push_back(it->node.record.id);
    cur = *c;
  }
  std::reverse(back.begin(), back.end());
  EXPECT_EQ(back, all);
  // Filtered + paginated.
  FindRequest fr;
  fr.search = "alpha";
  fr.filter = R"({"views": {"greaterThanOrEqual": 10}})";
  fr.first = 4;
  V fpaged;
  while (true) {
    auto c = q_->FindMany("doc", fr);
    ASSERT_OK(c);
    for (const auto& e : c->edges) fpaged.push_back(e.node.record.id);
    if (!c->page_info.has_next_page) break;
    fr = *NextPage(fr, *c);
  }
  EXPECT_EQ(fpaged, filtered);
  // A cursor belongs to its search.
  FindRequest other;
  other.search = "beta";
  other.after = pages[0].page_info.end_cursor.value();
  auto bad = q_->FindMany("doc", other);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidCursor);
  // findFirst follows relevance.
  FindRequest first;
  first.search = "alpha";
  auto n = q_->FindFirst("doc", first);
  ASSERT_OK(n);
  EXPECT_EQ(n->record.id, all.front());
  first.search = "nothingmatches";
  auto none = q_->MaybeFindFirst("doc", first);
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
}

TEST_F(SearchTest, ExplainShowsTheSearchPath) {
  Doc("search engines", "ranking");
  Doc("serach typo", "");
  FindRequest r;
  r.search = "serach";
  auto e = q_->Explain("doc", r);
  ASSERT_OK(e);
  EXPECT_EQ(e->access_path, "search");
  EXPECT_NE(e->search.find("search(1 edit"), std::string::npos) << e->search;
  EXPECT_EQ(e->search_matches, 2u);
  EXPECT_GE(e->search_postings_read, 2u);
  EXPECT_NE(e->ToString().find("search matches: 2"), std::string::npos);
  r.sort = R"({"id": "Descending"})";
  e = q_->Explain("doc", r);
  ASSERT_OK(e);
  EXPECT_EQ(e->access_path.rfind("search + ", 0), 0u) << e->access_path;
  // Enough typo-free matches for the page: the typo expansion is skipped, and says so.
  Doc("serach again", "");
  FindRequest one;
  one.search = "serach";
  one.first = 1;
  e = q_->Explain("doc", one);
  ASSERT_OK(e);
  EXPECT_NE(e->search.find("typo-free tier only"), std::string::npos) << e->search;
  EXPECT_NE(e->search.find("typo expansion skipped"), std::string::npos) << e->search;
  EXPECT_EQ(e->search.find("edit"), std::string::npos) << e->search;
  EXPECT_EQ(e->records_returned, 1u);
  // The page after the last typo-free match runs out of them and searches again with typos.
  FindRequest after = one;
  after.after = q_->FindMany("doc", one)->page_info.end_cursor.value();
  auto c = q_->FindMany("doc", after);
  ASSERT_OK(c);
  ASSERT_EQ(c->edges.size(), 1u);
  after.after = c->page_info.end_cursor.value();
  e = q_->Explain("doc", after);
  ASSERT_OK(e);
  EXPECT_NE(e->search.find("searched again with typos"), std::string::npos) << e->search;
  EXPECT_NE(e->search.find("search(1 edit"), std::string::npos) << e->search;
  EXPECT_EQ(e->records_returned, 1u);  // "search engines", one edit away
}

TEST_F(SearchTest, IndexFollowsEveryWritePath) {
  InternalApi api(*db_);
  auto docs = api.model("doc");
  auto in = [](FieldValues v) {
    WriteInput w;
    w.values = std::move(v);
    return w;
  };
  auto a = docs.Create(in({{"title", Value::String("first words")}, {"views", Value::Number(5)}}));
  ASSERT_OK(a);
  auto bulk = docs.BulkCreate(
      {in({{"title", Value::String("bulk one")}}), in({{"title", Value::String("bulk two")}})});
  ASSERT_OK(bulk);
  EXPECT_EQ(Search("bulk").size(), 2u);
  ExpectClean();
  // Update moves postings.
  ASSERT_OK(docs.Update(a->id, in({{"title", Value::String("second phrase")}})));
  EXPECT_EQ(Search("first"), V{});
  EXPECT_EQ(Search("second"), V{a->id});
  ExpectClean();
  // Atomics on an indexed number keep its postings; on an unindexed one nothing changes.
  WriteInput inc;
  inc.atomics = {{"views", {{AtomicCommand::Op::kIncrement, 4237}}}};  // 4242: never a time
  ASSERT_OK(docs.Update(a->id, inc));
  EXPECT_EQ(Search("4242"), V{a->id});
  EXPECT_EQ(Search("5 "), V{});
  WriteInput like;
  like.atomics = {{"likes", {{AtomicCommand::Op::kIncrement, 3}}}};
  ASSERT_OK(docs.Update(a->id, like));
  ExpectClean();
  // Upsert (by id) updates.
  WriteInput up;
  up.values = {{"id", Value::Id(a->id)}, {"title", Value::String("upserted title")}};
  ASSERT_OK(docs.Upsert(up));
  EXPECT_EQ(Search("upserted"), V{a->id});
  ExpectClean();
  // Delete and delete-all remove postings and statistics.
  ASSERT_OK(docs.Delete(a->id));
  EXPECT_EQ(Search("upserted"), V{});
  ExpectClean();
  ASSERT_OK(docs.DeleteAll());
  EXPECT_EQ(Search("bulk"), V{});
  ExpectClean();
}

// deleteMany by search deletes every match, whatever the batch size: its batches must not be
// paged in relevance order, where each deletion moves the statistics and so the scores of the
// records not yet deleted past the cursor.
TEST_F(SearchTest, DeleteManyBySearchDeletesEveryMatch) {
  std::set<uint64_t> kept;
  for (int i = 0; i < 300; ++i) {
    std::string title = "alpha";
    for (int j = 0; j < i % 7; ++j) title += " alpha";
    Doc(title, "words " + std::string(static_cast<size_t>(i % 11), 'x'));
    if (i % 15 == 0) kept.insert(Doc("beta " + std::to_string(i)));
  }
  InternalApi api(*db_);
  auto n = api.model("doc").DeleteMany("", "alpha", 25);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 300u);
  EXPECT_EQ(Search("alpha"), V{});
  V left = Set("beta");
  EXPECT_EQ(std::set<uint64_t>(left.begin(), left.end()), kept);
  ExpectClean();
}

TEST_F(SearchTest, TransactionsSeeTheirOwnWritesAndRollBack) {
  Doc("committed zebra");
  {
    auto txn = db_->BeginTransaction();
    auto r = txn->Create("doc", {{"title", Value::String("pending giraffe")}});
    ASSERT_OK(r);
    auto* st = dynamic_cast<engine::StoreTransaction*>(txn.get());
    ASSERT_NE(st, nullptr);
    FindRequest req;
    req.search = "girafe";  // a typo: needs the transaction's own dictionary entry
    auto c = FindMany(st->reader(), "doc", req);
    ASSERT_OK(c);
    ASSERT_EQ(c->edges.size(), 1u);
    EXPECT_EQ(c->edges[0].node.record.id, r->id);
    // Savepoint rollback undoes postings and statistics.
    txn->SetSavePoint();
    ASSERT_OK(txn->Create("doc", {{"title", Value::String("rolled back")}}));
    ASSERT_OK(txn->RollbackToSavePoint());
    ASSERT_OK(txn->Commit());
  }
  EXPECT_EQ(Search("giraffe").size(), 1u);
  EXPECT_EQ(Search("rolled").size(), 0u);
  {
    auto txn = db_->BeginTransaction();
    ASSERT_OK(txn->Create("doc", {{"title", Value::String("never committed")}}));
    ASSERT_OK(txn->Rollback());
  }
  EXPECT_EQ(Search("never").size(), 0u);
  ExpectClean();
}

// The ids FindMany returns for `text` (up to 250, in relevance order) through a transaction's
// reader, which reads the whole dictionary from RocksDB (never the in-memory one).
V SearchFromDisk(Database& db, const std::string& text) {
  auto txn = db.BeginTransaction();
  auto* st = dynamic_cast<engine::StoreTransaction*>(txn.get());
  EXPECT_NE(st, nullptr);
  FindRequest req;
  req.search = text;
  req.first = 250;
  auto c = FindMany(st->reader(), "doc", req);
  EXPECT_OK(c);
  V out;
  if (c.ok()) {
    for (const auto& e : c->edges) out.push_back(e.node.record.id);
  }
  EXPECT_OK(txn->Rollback());
  return out;
}

// Searches read the term dictionary from memory (letters and other words) and from RocksDB
// (terms that begin with a digit or punctuation). Typo and prefix expansion must find exactly
// what the RocksDB dictionary finds: after the dictionary is built, with terms that only later
// commits add, with terms whose last record is gone (still in memory, not live), across the
// memory/disk boundary ("ast" is one edit from "1st"), and for non-ASCII words.
TEST_F(SearchTest, InMemoryDictionaryFindsWhatTheDiskDictionaryFinds) {
  std::mt19937 rng(7);
  const std::string letters = "abcde";
  auto word = [&](int len) { return RandomWord(rng, letters, len); };
  std::vector<std::string> words = {"1st",   "2nd",   "3rd",   "9lives", "a1b2",  "café",
                                    "cafés", "naïve", "ärger", "über",   "straße"};
  for (int i = 0; i < 60; ++i) words.push_back(word(4 + static_cast<int>(rng() % 4)));
  std::vector<uint64_t> ids;
  for (size_t i = 0; i < words.size(); ++i) {
    ids.push_back(
        Doc(words[i] + " " + words[(i * 7 + 3) % words.size()], words[(i * 5) % words.size()]));
  }
  auto compare_all = [&](const std::string& when) {
    std::vector<std::string> queries = {"ast",   "1st",   "2md",  "9live",   "cafe", "cafè",
                                        "naive", "arger", "uber", "strasse", "a1b3", "zzzz"};
    for (size_t i = 0; i < words.size(); i += 3) {
      std::string w = words[i];
      queries.push_back(w);
      queries.push_back(w.substr(0, 3));  // a prefix
      std::string typo = w;
      typo[1] = typo[1] == 'x' ? 'y' : 'x';  // a substitution
      queries.push_back(typo);
      queries.push_back(w + " " + words[(i + 1) % words.size()]);
    }
    for (const auto& q : queries) {
      FindRequest r;
      r.search = q;
      r.first = 250;
      auto c = q_->FindMany("doc", r);
      ASSERT_OK(c);
      V mem;
      for (const auto& e : c->edges) mem.push_back(e.node.record.id);
      EXPECT_EQ(mem, SearchFromDisk(*db_, q)) << when << ": \"" << q << "\"";
    }
  };
  compare_all("first searches (the dictionary is built by the first)");
  engine::Store::Rep* rep = db_->store().rep();
  const auto* m = db_->store().catalog()->FindModel("doc");
  ASSERT_NE(m, nullptr);
  auto dict = engine::TermDictionaryFor(rep, m->id);
  ASSERT_NE(dict, nullptr);
  EXPECT_TRUE(dict->Contains(engine::TermDictionary::kSurfaces, words[11]));
  EXPECT_GT(dict->size(engine::TermDictionary::kTerms), 60u);
  EXPECT_FALSE(dict->Contains(engine::TermDictionary::kSurfaces, "1st"));  // on disk only
  // New words after the build; the last records of some words go (their terms stay in memory).
  for (int i = 0; i < 20; ++i) {
    std::string w = word(5);
    words.push_back(w);
    Doc(w + " fresh", "");
  }
  for (size_t i = 0; i < ids.size(); i += 4) ASSERT_OK(db_->Delete("doc", ids[i]));
  compare_all("after creates and deletes");
  ExpectClean();
}

// Single-word queries against a brute-force statement of the matching rules (search.h): a
// record matches word q (typo budget k) through its word x if stem(x) is within k of stem(q),
// x is within k of q, or, while q is being typed, a prefix of x or of stem(x) is within k of
// q. Its typos are the fewest such edits, and typo-free records come first. Few enough
// neighbours that no walk reaches its 64-term cap; an alphabet with "e", "i", "s" so that the
// stemmer changes many words.
TEST_F(SearchTest, SingleWordMatchesAndTyposFollowTheRules) {
  std::mt19937 rng(11);
  const std::string letters = "abdeis";
  auto word = [&](int len) { return RandomWord(rng, letters, len); };
  std::vector<std::string> words;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 300; ++i) {
    words.push_back(
        word(i % 10 == 0 ? 9 + static_cast<int>(rng() % 2) : 5 + static_cast<int>(rng() % 3)));
    ids.push_back(Doc(words.back()));
  }
  const search::Analyzer& analyzer = engine::SearchAnalyzer();
  auto closest_prefix = [](const std::string& x, const std::string& q) {
    int best = 1 << 20;
    for (size_t n = 0; n <= x.size(); ++n)
      best = std::min(best, search::OsaDistance(x.substr(0, n), q));
    return best;
  };
  std::vector<std::string> queries;
  for (int i = 0; i < 120; ++i) {
    std::string w = words[rng() % words.size()];
    if (i % 3 == 1) w[rng() % w.size()] = letters[rng() % letters.size()];  // maybe a typo
    if (i % 3 == 2) w = w.substr(0, w.size() - 1 - rng() % 2);              // being typed
    queries.push_back(w);
  }
  // Typed up to past its stem: only the surface prefix walk finds these without a typo.
  size_t past_stem = 0;
  for (const std::string& x : words) {
    if (analyzer.Stem(x).size() + 2 <= x.size() && past_stem++ < 20) {
      queries.push_back(x.substr(0, x.size() - 1));
    }
  }
  ASSERT_GE(past_stem, 5u);
  for (const std::string& q : queries) {
    for (bool typing : {true, false}) {
      const int k = search::MaxEditsForLength(q.size());
      const std::string qs = analyzer.Stem(q);
      std::map<uint64_t, int> want;  // id -> typos
      for (size_t i = 0; i < words.size(); ++i) {
        const std::string& x = words[i];
        const std::string xs = analyzer.Stem(x);
        int typos = 1 << 20;
        if (int d = search::OsaDistance(xs, qs); d <= k) typos = std::min(typos, d);
        if (int d = search::OsaDistance(x, q); d <= k) typos = std::min(typos, d);
        if (typing) {
          if (int d = closest_prefix(xs, q); d <= k) typos = std::min(typos, d);
          if (int d = closest_prefix(x, q); d <= k) typos = std::min(typos, d);
        }
        if (typos <= k) want[ids[i]] = typos;
      }
      FindRequest r;
      r.search = typing ? q : q + " ";
      r.first = 250;
      auto c = q_->FindMany("doc", r);
      ASSERT_OK(c);
      std::map<uint64_t, int> got;
      int last_typos = 0;
      for (const auto& e : c->edges) {
        auto it = want.find(e.node.record.id);
        ASSERT_NE(it, want.end()) << "\"" << r.search << "\" found " << e.node.record.id;
        EXPECT_GE(it->second, last_typos) << "\"" << r.search << "\": typo'd before typo-free";
        last_typos = it->second;
        got.insert(*it);
      }
      EXPECT_EQ(got, want) << "\"" << r.search << "\"";
    }
  }
}

// The expansion keeps at most 64 terms per query word. Terms that are still in the in-memory
// dictionary but no longer in any record must not take those places: here 70 words one edit
// from the query are deleted, and the one left (sorting after all of them) is still found.
TEST_F(SearchTest, StaleInMemoryTermsDoNotCrowdOutLiveOnes) {
  // 70 substitutions of "qbcdx" after its first letter: all sort before "zbcdx".
  std::vector<uint64_t> gone;
  const std::string query = "qbcdx";
  for (size_t pos = 1; pos < query.size() && gone.size() < 70; ++pos) {
    for (char c = 'a'; c <= 'z' && gone.size() < 70; ++c) {
      if (c == query[pos]) continue;
      std::string w = query;
      w[pos] = c;
      gone.push_back(Doc(w, ""));
    }
  }
  uint64_t kept = Doc("zbcdx", "");
  EXPECT_FALSE(Search("qbcdx").empty());  // builds the dictionary with all of them
  for (uint64_t id : gone) ASSERT_OK(db_->Delete("doc", id));
  EXPECT_EQ(Search("qbcdx"), V{kept});
  EXPECT_EQ(SearchFromDisk(*db_, "qbcdx"), V{kept});
  ExpectClean();
}

// Writers add new words while readers search: a word committed before a search starts is
// found by a typo'd query. First with the dictionary built before the writes, then (after a
// reopen, which drops it) with the reader's first search building it while the writes go on.
TEST_F(SearchTest, InMemoryDictionaryKeepsUpWithConcurrentCommits) {
  constexpr int kWordsPerRound = 150;
  auto word_of = [](int i) {
    std::string w = "w";
    for (int n = i + 1000; n > 0; n /= 10) w.push_back(static_cast<char>('f' + n % 10));
    return w;  // "w" + 4 letters, distinct per i
  };
  auto typo_of = [&](int i) {
    std::string t = word_of(i);
    t[2] = t[2] == 'z' ? 'y' : 'z';
    return t;
  };
  int next_word = 0;
  auto round = [&](const std::string& when) {
    const int first = next_word, end = next_word + kWordsPerRound;
    std::atomic<int> committed{first};
    std::atomic<bool> done{false};
    std::thread writer([&] {
      for (int i = first; i < end; ++i) {
        auto r = db_->Create("doc", {{"title", Value::String(word_of(i) + " common")}});
        EXPECT_OK(r);
        committed.store(i + 1);
      }
      done = true;
    });
    Query q(*db_);
    int searches = 0, misses = 0;
    while (!done.load()) {
      int n = committed.load();  // words [0, n) are committed before this search starts
      if (n == 0) continue;
      int i = n - 1 - searches % std::min(n, 8);  // mostly the newest words
      FindRequest r;
      r.search = typo_of(i);
      auto c = q.FindMany("doc", r);
      ++searches;
      if (!c.ok() || c->edges.empty()) ++misses;
      EXPECT_TRUE(c.ok() && !c->edges.empty())
          << when << ": \"" << typo_of(i) << "\" (word " << i << ", " << n << " committed)";
    }
    writer.join();
    next_word = end;
    EXPECT_GT(searches, 0) << when;
    EXPECT_EQ(misses, 0) << when;
  };
  EXPECT_EQ(Search(typo_of(0)), V{});  // builds the (empty) dictionary first
  round("dictionary built before the writes");
  Reopen();
  round("dictionary built during the writes");
  for (int i = 0; i < next_word; ++i) EXPECT_FALSE(Search(typo_of(i)).empty()) << typo_of(i);
  ExpectClean();
}

TEST_F(SearchTest, SchemaChangesReindexOnlineAndSurviveReopen) {
  uint64_t a = Doc("title words", "", 77);
  auto r = db_->Create("doc", {{"title", Value::String("x")}, {"likes", Value::Number(12)}});
  ASSERT_OK(r);
  WriteInput like;
  like.atomics = {{"likes", {{AtomicCommand::Op::kIncrement, 4230}}}};  // 4242: never a time
  ASSERT_OK(InternalApi(*db_).model("doc").Update(r->id, like));
  EXPECT_EQ(Search("4242"), V{});
  // Index `likes` (it becomes searchable, with its folded value) and add a field.
  auto schema = ParseSchemaJson(kSchema);
  ASSERT_OK(schema);
  for (auto& f : schema->models[0].fields) {
    if (f.api_identifier == "likes") f.indexed = true;
  }
  FieldDef sub;
  sub.api_identifier = "subtitle";
  sub.type = FieldType::kString;
  schema->models[0].fields.push_back(sub);
  ASSERT_OK(db_->ApplySchema(*schema));
  EXPECT_EQ(Search("4242"), V{r->id});
  ASSERT_OK(db_->Update("doc", a, {{"subtitle", Value::String("fresh subtitle")}}));
  EXPECT_EQ(Search("fresh"), V{a});
  ExpectClean();
  // Remove the title field: its postings go.
  auto schema2 = *schema;
  auto& fields = schema2.models[0].fields;
  fields.erase(std::remove_if(fields.begin(), fields.end(),
                              [](const FieldDef& f) { return f.api_identifier == "title"; }),
               fields.end());
  ASSERT_OK(db_->ApplySchema(schema2));
  EXPECT_EQ(Search("words"), V{});
  ExpectClean();
  Reopen();  // Open re-applies kSchema: subtitle goes, title comes back (a new, empty field)
  EXPECT_EQ(Search("fresh"), V{});
  EXPECT_EQ(Search("4242"), V{});  // likes is unindexed again
  ExpectClean();
}

TEST_F(SearchTest, AnalyzerChangeRebuildsOnOpen) {
  uint64_t a = Doc("rebuild me");
  {
    // As if another analyzer version had built the index: a different meta, and a posting
    // this analyzer would never produce.
    engine::Store::Rep* rep = db_->store().rep();
    const auto* m = db_->store().catalog()->FindModel("doc");
    ASSERT_NE(m, nullptr);
    ASSERT_TRUE(rep->db
                    ->Put(rocksdb::WriteOptions(), rep->cf(engine::Cf::kFts),
                          engine::keys::SearchMetaKey(m->id), "old-analyzer/0\n16,")
                    .ok());
    const std::string posting_key = engine::keys::SearchPostingKey(m->id, "zzqqxx", a);
    engine::SegmentBuilder segment;
    segment.Add(static_cast<uint16_t>(a % engine::kSegmentIds),
                engine::EncodePosting({{1, 1, {0}}}));
    ASSERT_TRUE(rep->db
                    ->Put(rocksdb::WriteOptions(), rep->cf(engine::Cf::kFts),
                          engine::SegmentKeyOf(posting_key), segment.Finish())
                    .ok());
    auto rep_before = db_->Check();
    ASSERT_OK(rep_before);
    EXPECT_GE(rep_before->discrepancies.size(), 2u);  // meta and the stray posting
  }
  Reopen();
  EXPECT_EQ(Search("zzqqxx"), V{});
  EXPECT_EQ(Search("rebuild"), V{a});
  ExpectClean();
}

// A store from before the statistics had their own column family (meta without "stats/cf",
// statistics in `ctr`) rebuilds its index on open: the statistics are recounted in `stat` and
// the old ones leave `ctr`.
TEST_F(SearchTest, StatisticsInCounterFamilyMoveOnOpen) {
  uint64_t a = Doc("moving words");
  engine::Store::Rep* rep = db_->store().rep();
  const auto* m = db_->store().catalog()->FindModel("doc");
  ASSERT_NE(m, nullptr);
  const uint32_t model_id = m->id;
  std::string meta = engine::SearchMetaValue(*m);
  const size_t at = meta.find(" stats/cf");
  ASSERT_NE(at, std::string::npos);
  meta.erase(at, std::string(" stats/cf").size());
  const std::string legacy = engine::keys::SearchDfKey(model_id, "legacy");
  ASSERT_TRUE(rep->db
                  ->Put(rocksdb::WriteOptions(), rep->cf(engine::Cf::kFts),
                        engine::keys::SearchMetaKey(model_id), meta)
                  .ok());
  ASSERT_TRUE(rep->db
                  ->Merge(rocksdb::WriteOptions(), rep->cf(engine::Cf::kCtr), legacy,
                          std::string("\x03\0\0\0\0\0\0\0", 8))
                  .ok());
  // The statistics are gone from `stat`, as in a store that kept them in `ctr`.
  const std::string stats = engine::keys::SearchStatsPrefix(model_id);
  ASSERT_TRUE(
      rep->DeleteRange(engine::Cf::kStat, stats, engine::keys::PrefixSuccessor(stats)).ok());
  auto before = db_->Check();
  ASSERT_OK(before);
  EXPECT_FALSE(before->ok());
  Reopen();
  rep = db_->store().rep();
  EXPECT_EQ(Search("moving"), V{a});
  ExpectClean();
  std::string v;
  EXPECT_TRUE(
      rep->db->Get(rocksdb::ReadOptions(), rep->cf(engine::Cf::kCtr), legacy, &v).IsNotFound());
  EXPECT_TRUE(rep->db
                  ->Get(rocksdb::ReadOptions(), rep->cf(engine::Cf::kStat),
                        engine::keys::SearchDfKey(model_id, "move"), &v)
                  .ok());
}

// `actiondb check` reports how many postings it compared: one per logical posting key, counted
// apart from the index entries.
TEST_F(SearchTest, CheckCountsPostingsApartFromIndexEntries) {
  Doc("counted words", "and a body", 3);
  Doc("more counted words");
  auto report = db_->Check();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok());
  const auto* m = db_->store().catalog()->FindModel("doc");
  ASSERT_NE(m, nullptr);
  const std::string p = engine::keys::SearchPostingModelPrefix(m->id);
  auto it = db_->store().NewReadView()->NewIterator(engine::Cf::kFts, p,
                                                    engine::keys::PrefixSuccessor(p));
  uint64_t postings = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++postings;
  ASSERT_OK(it->status());
  ASSERT_GT(postings, 0u);
  EXPECT_EQ(report->postings_checked, postings);
  uint64_t index_entries = 0;
  for (const auto& ix : m->indexes) {
    const std::string ip = engine::keys::IndexPrefix(ix.id);
    auto iit = db_->store().NewReadView()->NewIterator(engine::Cf::kIdx, ip,
                                                       engine::keys::PrefixSuccessor(ip));
    for (iit->SeekToFirst(); iit->Valid(); iit->Next()) ++index_entries;
  }
  EXPECT_EQ(report->index_entries_checked, index_entries);
}

}  // namespace
}  // namespace actiondb
