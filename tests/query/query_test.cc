// Query layer tests on the example blog schema: filters, sort, pagination, cursors, explain,
// select and relationships, JSON rendering, errors.
#include "actiondb/query.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/store.h"
#include "query/find_forward.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

using ::actiondb::testing::BlogSchema;
using ::actiondb::testing::TempDir;
using ::actiondb::testing::TestOptions;
using json = nlohmann::json;

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenAt(dir_.path()); }
  // A new database with the blog schema in `path` as db_ (and q_ over it).
  void OpenAt(const std::string& path) {
    q_.reset();
    db_.reset();
    auto db = Database::Open(path, TestOptions());
    ASSERT_OK(db);
    db_ = std::move(db).value();
    ASSERT_OK(db_->ApplySchema(BlogSchema()));
    q_ = std::make_unique<Query>(*db_);
  }
  uint64_t User(const std::string& name, const std::string& email) {
    auto r = db_->Create("user", {{"name", Value::String(name)}, {"email", Value::String(email)}});
    EXPECT_OK(r);
    return r.ok() ? r->id : 0;
  }
  uint64_t Post(const std::string& title, double score, std::optional<uint64_t> author,
                int64_t created = 0, bool published = false) {
    FieldValues v = {{"title", Value::String(title)},
                     {"score", Value::Number(score)},
                     {"published", Value::Bool(published)}};
    if (author) v.emplace_back("author", Value::Id(*author));
    if (created) v.emplace_back("createdAt", Value::DateTime(created));
    auto r = db_->Create("post", v);
    EXPECT_OK(r);
    return r.ok() ? r->id : 0;
  }
  std::vector<uint64_t> Ids(const FindRequest& req, const std::string& model = "post") {
    auto c = q_->FindMany(model, req);
    EXPECT_OK(c);
    std::vector<uint64_t> out;
    if (c.ok()) {
      for (const auto& e : c->edges) out.push_back(e.node.record.id);
    }
    return out;
  }
  static FindRequest F(const std::string& filter, const std::string& sort = "") {
    FindRequest r;
    r.filter = filter;
    r.sort = sort;
    return r;
  }
  TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Query> q_;
};

TEST_F(QueryTest, FiltersByOperator) {
  uint64_t u = User("ann", "ann@x.com");
  uint64_t p1 = Post("Hello world", 5, u);
  uint64_t p2 = Post("Hello there", -2, std::nullopt);
  uint64_t p3 = Post("Goodbye", 10, u, 0, true);
  using V = std::vector<uint64_t>;
  EXPECT_EQ(Ids(F(R"({"title": {"startsWith": "Hello"}})")), (V{p1, p2}));
  EXPECT_EQ(Ids(F(R"({"score": {"greaterThan": 0}})")), (V{p1, p3}));
  EXPECT_EQ(Ids(F(R"({"score": {"lessThanOrEqual": 5, "greaterThan": -2}})")), (V{p1}));
  EXPECT_EQ(Ids(F(R"({"published": {"equals": true}})")), (V{p3}));
  EXPECT_EQ(Ids(F(R"({"authorId": {"isSet": false}})")), (V{p2}));
  EXPECT_EQ(Ids(F(R"({"authorId": {"equals": ")" + std::to_string(u) + R"("}})")), (V{p1, p3}));
  EXPECT_EQ(Ids(F(R"({"id": {"in": [")" + std::to_string(p3) + R"(", 999]}})")), (V{p3}));
  EXPECT_EQ(Ids(F(R"([{"score": {"greaterThan": 0}}, {"title": {"startsWith": "G"}}])")), (V{p3}));
  EXPECT_EQ(Ids(F(R"({"OR": [{"score": {"equals": -2}}, {"title": {"equals": "Goodbye"}}]})")),
            (V{p2, p3}));
  EXPECT_EQ(Ids(F(R"({"NOT": [{"title": {"startsWith": "Hello"}}]})")), (V{p3}));
  EXPECT_EQ(Ids(F(R"({"author": {"name": {"equals": "ann"}}})")), (V{p1, p3}));
  EXPECT_EQ(Ids(F(R"({"author": {"isSet": false}})")), (V{p2}));
  EXPECT_EQ(Ids(F(R"({"createdAt": {"before": "2100-01-01T00:00:00Z"}})")), (V{p1, p2, p3}));
  EXPECT_EQ(Ids(F(R"({"state": {"inState": "created"}})")), (V{p1, p2, p3}));
  // hasMany some / every
  ASSERT_OK(db_->Create("comment", {{"body", Value::String("nice")}, {"post", Value::Id(p1)}}));
  ASSERT_OK(db_->Create("comment", {{"body", Value::String("meh")}, {"post", Value::Id(p1)}}));
  ASSERT_OK(db_->Create("comment", {{"body", Value::String("nice")}, {"post", Value::Id(p3)}}));
  EXPECT_EQ(Ids(F(R"({"comments": {"some": {"body": {"equals": "meh"}}}})")), (V{p1}));
  EXPECT_EQ(Ids(F(R"({"comments": {"every": {"body": {"equals": "nice"}}}})")), (V{p2, p3}));
  EXPECT_EQ(Ids(F(R"({"posts": {"some": {"score": {"equals": 10}}}})"), "user"), (V{u}));
}

TEST_F(QueryTest, NullSemantics) {
  uint64_t u = User("ann", "ann@x.com");
  uint64_t a = Post("a", 1, u);
  uint64_t b = Post("b", 1, std::nullopt);
  using V = std::vector<uint64_t>;
  std::string uid = std::to_string(u);
  // notEquals / notIn never match null; NOT of a comparison with null is still unknown.
  EXPECT_EQ(Ids(F(R"({"authorId": {"notEquals": "999"}})")), (V{a}));
  EXPECT_EQ(Ids(F(R"({"authorId": {"notIn": ["999"]}})")), (V{a}));
  EXPECT_EQ(Ids(F(R"({"NOT": {"authorId": {"equals": ")" + uid + R"("}}})")), (V{}));
  EXPECT_EQ(Ids(F(R"({"authorId": {"equals": null}})")), (V{b}));
  EXPECT_EQ(Ids(F(R"({"OR": [{"authorId": {"equals": "999"}}, {"authorId": {"isSet": false}}]})")),
            (V{b}));
  // A relationship filter is EXISTS: its NOT matches posts without an author.
  EXPECT_EQ(Ids(F(R"({"NOT": {"author": {"name": {"equals": "ann"}}}})")), (V{b}));
}

TEST_F(QueryTest, SortNullsAndTieBreak) {
  uint64_t u = User("ann", "ann@x.com");
  uint64_t p1 = Post("b", 2, u);
  uint64_t p2 = Post("a", 2, std::nullopt);
  uint64_t p3 = Post("c", 1, u);
  using V = std::vector<uint64_t>;
  EXPECT_EQ(Ids(F("", R"({"score": "Descending"})")), (V{p1, p2, p3}));  // ties: id asc
  EXPECT_EQ(Ids(F("", R"({"score": "Ascending"})")), (V{p3, p1, p2}));
  EXPECT_EQ(Ids(F("", R"({"authorId": "Ascending"})")), (V{p2, p1, p3}));  // nulls first
  EXPECT_EQ(Ids(F("", R"({"author": "Descending"})")), (V{p1, p3, p2}));   // nulls last
  EXPECT_EQ(Ids(F("", R"([{"score": "Descending"}, {"title": "Descending"}])")), (V{p1, p2, p3}));
  EXPECT_EQ(Ids(F("", R"({"id": "Descending"})")), (V{p3, p2, p1}));
}

// hasPreviousPage is exact: a page after a cursor probes behind it for a match. Behind a
// deleteMany's cursor every match is gone, so its page loop (FindManyForward) skips the probe,
// which would otherwise scan back to the start of the model on every page.
TEST_F(QueryTest, ForwardPagingSkipsTheProbeBehindThePage) {
  for (int i = 0; i < 300; ++i) Post("t" + std::to_string(i), i < 250 ? 0 : 1, std::nullopt);
  // notEquals has no index range: a full scan in id order with a residual filter.
  FindRequest req = F(R"({"score": {"notEquals": 0}})");
  req.first = 10;
  req.select = {"id"};
  auto first = q_->FindMany("post", req);
  ASSERT_OK(first);
  ASSERT_EQ(first->edges.size(), 10u);
  for (const auto& e : first->edges) ASSERT_OK(db_->Delete("post", e.node.record.id));
  auto next = NextPage(req, *first);
  ASSERT_OK(next);

  auto view = db_->store().NewReadView();
  auto exact = Explain(*view, "post", *next);
  ASSERT_OK(exact);
  auto probed = FindMany(*view, "post", *next);
  ASSERT_OK(probed);
  EXPECT_FALSE(probed->page_info.has_previous_page);
  EXPECT_GE(exact->records_read, 250u);  // the probe walked back over every non-match

  Explanation e;
  auto forward = query::FindManyForward(*view, "post", *next, &e);
  ASSERT_OK(forward);
  ASSERT_EQ(forward->edges.size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(forward->edges[i].node.record.id, probed->edges[i].node.record.id);
    EXPECT_EQ(forward->edges[i].cursor, probed->edges[i].cursor);
  }
  EXPECT_EQ(forward->page_info.has_next_page, probed->page_info.has_next_page);
  EXPECT_EQ(forward->page_info.end_cursor, probed->page_info.end_cursor);
  EXPECT_FALSE(forward->page_info.has_previous_page);
  EXPECT_LE(e.records_read, 30u);  // the page and its look-ahead only
}

// A page that starts at a cursor knows something lies behind it when the cursor's record is
// still where the cursor says (read first, inclusively, and not returned); when that record is
// gone, moved or no longer matches, the probe behind the page decides. Both directions, with an
// index scan (score range) and with a residual filter.
TEST_F(QueryTest, WhatLiesBehindAPageThatStartsAtACursor) {
  struct Case {
    std::string filter;
    double unmatched;  // a score the filter rejects
  };
  for (const Case& k : {Case{R"({"score": {"greaterThanOrEqual": 10}})", 1},
                        Case{R"({"score": {"notEquals": 0}})", 0}}) {
    const std::string& filter = k.filter;
    SCOPED_TRACE(filter);
    TempDir dir;
    OpenAt(dir.path());
    std::vector<uint64_t> ids;
    for (int i = 0; i < 6; ++i) ids.push_back(Post("t", 10 + i, std::nullopt));
    FindRequest req = F(filter, R"({"score": "Ascending"})");
    req.first = 2;
    auto p1 = q_->FindMany("post", req);
    ASSERT_OK(p1);
    ASSERT_EQ(p1->edges.size(), 2u);
    auto next = NextPage(req, *p1);  // after ids[1]
    ASSERT_OK(next);
    FindRequest back = F(filter, R"({"score": "Ascending"})");
    back.last = 2;
    back.before = p1->edges[0].cursor;  // before ids[0]: the page backwards is empty
    auto page = [&](const FindRequest& r) {
      auto c = q_->FindMany("post", r);
      EXPECT_OK(c);
      return c.ok() ? *c : Connection();
    };
    auto ids_of = [](const Connection& c) {
      std::vector<uint64_t> out;
      for (const auto& e : c.edges) out.push_back(e.node.record.id);
      return out;
    };
    // The cursor's record is in place: it is behind the page, and not on it.
    Connection c = page(*next);
    EXPECT_EQ(ids_of(c), (std::vector<uint64_t>{ids[2], ids[3]}));
    EXPECT_TRUE(c.page_info.has_previous_page);
    EXPECT_TRUE(c.page_info.has_next_page);
    // Only the cursor's record is behind the page: ids[0] goes.
    ASSERT_OK(db_->Delete("post", ids[0]));
    c = page(*next);
    EXPECT_EQ(ids_of(c), (std::vector<uint64_t>{ids[2], ids[3]}));
    EXPECT_TRUE(c.page_info.has_previous_page);
    // The cursor's record moves ahead of the page's records: nothing is behind any more.
    ASSERT_OK(db_->Update("post", ids[1], {{"score", Value::Number(12.5)}}));
    c = page(*next);
    EXPECT_EQ(ids_of(c), (std::vector<uint64_t>{ids[2], ids[1]}));
    EXPECT_FALSE(c.page_info.has_previous_page);
    // It stops matching (and moves back): still nothing behind.
    ASSERT_OK(db_->Update("post", ids[1], {{"score", Value::Number(k.unmatched)}}));
    c = page(*next);
    EXPECT_EQ(ids_of(c), (std::vector<uint64_t>{ids[2], ids[3]}));
    EXPECT_FALSE(c.page_info.has_previous_page);
    // Backwards from ids[0]'s cursor (deleted): empty, with everything ahead.
    c = page(back);
    EXPECT_TRUE(c.edges.empty());
    EXPECT_FALSE(c.page_info.has_previous_page);
    EXPECT_TRUE(c.page_info.has_next_page);
    // Backwards from ids[3]'s cursor, in place: ids[2], and nothing behind it (ids[0] is gone,
    // ids[1] no longer matches).
    FindRequest from3 = F(filter, R"({"score": "Ascending"})");
    from3.last = 1;
    from3.before = page(*next).edges[1].cursor;
    c = page(from3);
    EXPECT_EQ(ids_of(c), (std::vector<uint64_t>{ids[2]}));
    EXPECT_FALSE(c.page_info.has_previous_page);
    EXPECT_TRUE(c.page_info.has_next_page);  // ids[3] itself, and after it
    testing::ExpectCheckClean(*db_);
    q_.reset();
    db_.reset();  // before `dir` goes
  }
}

TEST_F(QueryTest, PaginatesBothWays) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < 23; ++i) ids.push_back(Post("t" + std::to_string(i), i % 4, std::nullopt));
  FindRequest req = F("", R"({"score": "Descending"})");
  req.first = 5;
  std::vector<uint64_t> seen;
  auto page = q_->FindMany("post", req);
  ASSERT_OK(page);
  EXPECT_FALSE(page->page_info.has_previous_page);
  std::vector<Connection> pages;
  while (true) {
    for (const auto& e : page->edges) seen.push_back(e.node.record.id);
    pages.push_back(*page);
    if (!page->page_info.has_next_page) break;
    auto next = NextPage(req, *page);
    ASSERT_OK(next);
    req = *next;
    page = q_->FindMany("post", req);
    ASSERT_OK(page);
    EXPECT_TRUE(page->page_info.has_previous_page);
  }
  EXPECT_EQ(seen.size(), 23u);
  EXPECT_EQ(pages.size(), 5u);
  // Back from the last page.
  std::vector<uint64_t> back;
  FindRequest breq = req;
  auto cur = *page;
  while (cur.page_info.has_previous_page) {
    auto prev = PreviousPage(breq, cur);
    ASSERT_OK(prev);
    breq = *prev;
    auto p = q_->FindMany("post", breq);
    ASSERT_OK(p);
    EXPECT_TRUE(p->page_info.has_next_page);
    for (auto it = p->edges.rbegin(); it != p->edges.rend(); ++it)
      back.push_back(it->node.record.id);
    cur = *p;
  }
  std::reverse(back.begin(), back.end());
  std::vector<uint64_t> expect(seen.begin(), seen.end() - static_cast<long>(page->edges.size()));
  EXPECT_EQ(back, expect);
  // Empty page: null cursors.
  FindRequest none = F(R"({"score": {"greaterThan": 100}})");
  auto empty = q_->FindMany("post", none);
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->edges.empty());
  EXPECT_FALSE(empty->page_info.start_cursor.has_value());
  EXPECT_FALSE(empty->page_info.has_next_page);
}

TEST_F(QueryTest, CursorsSurviveConcurrentWrites) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(Post("t", i, std::nullopt));
  FindRequest req = F("", R"({"score": "Ascending"})");
  req.first = 3;
  auto p1 = q_->FindMany("post", req);
  ASSERT_OK(p1);
  ASSERT_OK(db_->Delete("post", ids[3]));  // the next page's first record
  Post("t", 0.5, std::nullopt);            // lands before the cursor: not seen
  auto next = NextPage(req, *p1);
  ASSERT_OK(next);
  auto p2 = q_->FindMany("post", *next);
  ASSERT_OK(p2);
  ASSERT_EQ(p2->edges.size(), 3u);
  EXPECT_EQ(p2->edges[0].node.record.id, ids[4]);
  EXPECT_TRUE(p2->page_info.has_previous_page);
}

// Descending sorts read groups of equal values backwards and emit each reversed; a group
// larger than the stream's buffer is walked by seeking instead. Pages that start inside
// either kind of group must continue in (score desc, id asc) order, both ways.
TEST_F(QueryTest, DescendingPagesThroughSmallAndLargeGroups) {
  std::vector<std::pair<double, uint64_t>> all;
  auto add = [&](double score, int count) {
    for (int i = 0; i < count; ++i) all.emplace_back(score, Post("t", score, std::nullopt));
  };
  add(1, 3);
  add(2, 150);  // larger than the buffered group bound
  add(3, 40);
  add(4, 1);
  add(2, 5);  // more of the large group, with higher ids
  add(5, 70);
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::vector<uint64_t> want;
  for (const auto& [score, id] : all) want.push_back(id);
  for (int page_size : {1, 7, 50}) {
    SCOPED_TRACE("page size " + std::to_string(page_size));
    FindRequest req = F("", R"({"score": "Descending"})");
    req.first = page_size;
    std::vector<uint64_t> got;
    for (int guard = 0; guard < 400; ++guard) {
      auto c = q_->FindMany("post", req);
      ASSERT_OK(c);
      EXPECT_EQ(c->page_info.has_previous_page, !got.empty());
      for (const auto& e : c->edges) got.push_back(e.node.record.id);
      if (!c->page_info.has_next_page) break;
      auto next = NextPage(req, *c);
      ASSERT_OK(next);
      req = *next;
    }
    EXPECT_EQ(got, want);
    FindRequest back = F("", R"({"score": "Descending"})");
    back.last = page_size;
    std::vector<uint64_t> rgot;
    for (int guard = 0; guard < 400; ++guard) {
      auto c = q_->FindMany("post", back);
      ASSERT_OK(c);
      EXPECT_EQ(c->page_info.has_next_page, !rgot.empty());
      for (auto it = c->edges.rbegin(); it != c->edges.rend(); ++it)
        rgot.push_back(it->node.record.id);
      if (!c->page_info.has_previous_page) break;
      auto prev = PreviousPage(back, *c);
      ASSERT_OK(prev);
      back = *prev;
    }
    std::reverse(rgot.begin(), rgot.end());
    EXPECT_EQ(rgot, want);
  }
  // The planner reads the score index in scan order (no in-memory sort).
  auto e = q_->Explain("post", F("", R"({"score": "Descending"})"));
  ASSERT_OK(e);
  EXPECT_NE(e->sort.find("scan order"), std::string::npos) << e->ToString();
}

// A descending page that starts at a cursor enters the cursor's group of equal values from
// its far end and keeps only the ids after the cursor; when the cursor's record, or its whole
// group, is gone, the page starts at the next group. Both directions, exact page info.
TEST_F(QueryTest, DescendingCursorsWhoseGroupChanged) {
  std::vector<uint64_t> two, three;
  for (int i = 0; i < 4; ++i) Post("t", 1, std::nullopt);
  for (int i = 0; i < 5; ++i) two.push_back(Post("t", 2, std::nullopt));
  for (int i = 0; i < 3; ++i) three.push_back(Post("t", 3, std::nullopt));
  FindRequest req = F("", R"({"score": "Descending"})");
  req.first = 4;  // page 1: the three 3s and the first 2
  auto p1 = q_->FindMany("post", req);
  ASSERT_OK(p1);
  ASSERT_EQ(p1->edges.size(), 4u);
  EXPECT_EQ(p1->edges[3].node.record.id, two[0]);
  // The cursor's own record goes, and one after it: the page goes on with the rest of its group.
  ASSERT_OK(db_->Delete("post", two[0]));
  ASSERT_OK(db_->Delete("post", two[1]));
  auto next = NextPage(req, *p1);
  ASSERT_OK(next);
  next->first = 2;
  auto p2 = q_->FindMany("post", *next);
  ASSERT_OK(p2);
  ASSERT_EQ(p2->edges.size(), 2u);
  EXPECT_EQ(p2->edges[0].node.record.id, two[2]);
  EXPECT_EQ(p2->edges[1].node.record.id, two[3]);
  EXPECT_TRUE(p2->page_info.has_previous_page);
  EXPECT_TRUE(p2->page_info.has_next_page);
  // The whole group of the cursor goes: the next page starts at the next group (score 1).
  for (size_t i = 2; i < two.size(); ++i) ASSERT_OK(db_->Delete("post", two[i]));
  auto p3 = q_->FindMany("post", *next);
  ASSERT_OK(p3);
  ASSERT_EQ(p3->edges.size(), 2u);
  EXPECT_EQ(p3->edges[0].node.record.Get("score")->as_number(), 1);
  EXPECT_TRUE(p3->page_info.has_previous_page);  // the 3s are still behind
  // Backwards from the same cursor: the 3s, newest id last in page order.
  FindRequest back = F("", R"({"score": "Descending"})");
  back.last = 5;
  back.before = *p1->page_info.end_cursor;
  auto b = q_->FindMany("post", back);
  ASSERT_OK(b);
  ASSERT_EQ(b->edges.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(b->edges[i].node.record.id, three[i]);
  EXPECT_FALSE(b->page_info.has_previous_page);
  EXPECT_TRUE(b->page_info.has_next_page);
  testing::ExpectCheckClean(*db_);
}

TEST_F(QueryTest, Errors) {
  Post("t", 1, std::nullopt);
  auto code = [&](const FindRequest& r) { return q_->FindMany("post", r).status().code(); };
  EXPECT_EQ(code(F(R"({"nope": {"equals": 1}})")), Code::kInvalidFilter);
  EXPECT_EQ(code(F(R"({"score": {"startsWith": "a"}})")), Code::kInvalidFilter);
  EXPECT_EQ(code(F(R"({"score": {"equals": "abc"}})")), Code::kInvalidFilter);
  EXPECT_EQ(code(F(R"({"published": {"greaterThan": true}})")), Code::kInvalidFilter);
  EXPECT_EQ(code(F("{")), Code::kInvalidFilter);
  EXPECT_EQ(code(F("", R"({"nope": "Ascending"})")), Code::kInvalidSort);
  EXPECT_EQ(code(F("", R"({"score": "Up"})")), Code::kInvalidSort);
  auto msg = q_->FindMany("post", F(R"({"score": {"equals": "abc"}})")).status().message();
  EXPECT_NE(msg.find("post.score"), std::string::npos) << msg;
  EXPECT_NE(msg.find("equals"), std::string::npos) << msg;
  EXPECT_NE(msg.find("abc"), std::string::npos) << msg;
  FindRequest r;
  r.first = 251;
  EXPECT_EQ(code(r), Code::kInvalidArgument);
  r.first = 5;
  r.after = "garbage!";
  EXPECT_EQ(code(r), Code::kInvalidCursor);
  FindRequest sorted = F("", R"({"score": "Ascending"})");
  sorted.first = 1;
  auto page = q_->FindMany("post", sorted);
  ASSERT_OK(page);
  FindRequest other;
  other.after = *page->page_info.end_cursor;  // a cursor from another sort
  EXPECT_EQ(code(other), Code::kInvalidCursor);
  FindRequest s;
  s.search = "hello";
  s.after = *page->page_info.end_cursor;  // a cursor from a query without this search
  EXPECT_EQ(code(s), Code::kInvalidCursor);
  EXPECT_EQ(q_->FindOne("post", 999).status().code(), Code::kRecordNotFound);
  EXPECT_EQ(q_->FindMany("nope").status().code(), Code::kUnknownModel);
}

// A cursor belongs to its query's shape: the same filter and sort written differently
// (spacing, key order inside the filter, a sort object vs a one-element list) page on with it;
// a sort whose keys come in another order is another query.
TEST_F(QueryTest, CursorsFollowTheCanonicalShape) {
  std::vector<uint64_t> t;  // scores 0, 1, 0, 1: the order is t2 t0 t3 t1
  for (int i = 0; i < 4; ++i) t.push_back(Post("t" + std::to_string(i), i % 2, std::nullopt));
  FindRequest first = F(R"({"score": {"greaterThanOrEqual": 0, "lessThan": 5}})",
                        R"({"score": "Ascending", "title": "Descending"})");
  first.first = 2;
  auto p1 = q_->FindMany("post", first);
  ASSERT_OK(p1);
  ASSERT_EQ(p1->edges.size(), 2u);
  FindRequest same = F(R"({ "score" : { "lessThan": 5, "greaterThanOrEqual": 0 } })",
                       R"([{"score": "Ascending", "title": "Descending"}])");
  same.first = 2;
  same.after = *p1->page_info.end_cursor;
  auto p2 = q_->FindMany("post", same);
  ASSERT_OK(p2);
  ASSERT_EQ(p2->edges.size(), 2u);
  EXPECT_EQ(p1->edges[0].node.record.id, t[2]);
  EXPECT_EQ(p1->edges[1].node.record.id, t[0]);
  EXPECT_EQ(p2->edges[0].node.record.id, t[3]);
  EXPECT_EQ(p2->edges[1].node.record.id, t[1]);
  FindRequest swapped = F(R"({"score": {"greaterThanOrEqual": 0, "lessThan": 5}})",
                          R"({"title": "Descending", "score": "Ascending"})");
  swapped.after = *p1->page_info.end_cursor;
  EXPECT_EQ(q_->FindMany("post", swapped).status().code(), Code::kInvalidCursor);
}

TEST_F(QueryTest, FindersAndFindBy) {
  uint64_t u = User("ann", "ann@x.com");
  uint64_t p = Post("only", 3, u);
  auto one = q_->FindOne("post", p);
  ASSERT_OK(one);
  EXPECT_EQ(one->record.Get("title")->as_string(), "only");
  auto maybe = q_->MaybeFindOne("post", 12345);
  ASSERT_OK(maybe);
  EXPECT_FALSE(maybe->has_value());
  EXPECT_EQ(q_->FindFirst("post", F(R"({"score": {"equals": 99}})")).status().code(),
            Code::kRecordNotFound);
  auto first = q_->MaybeFindFirst("post", F(R"({"score": {"equals": 3}})"));
  ASSERT_OK(first);
  ASSERT_TRUE(first->has_value());
  auto by = q_->FindBy("user", "email", Value::String("ann@x.com"));
  ASSERT_OK(by);
  EXPECT_EQ(by->record.id, u);
  EXPECT_EQ(q_->FindBy("user", "email", Value::String("no@x.com")).status().code(),
            Code::kRecordNotFound);
  EXPECT_EQ(q_->FindBy("post", "title", Value::String("only")).status().code(),
            Code::kInvalidArgument);
  // Inside a transaction: sees its own writes.
  auto txn = db_->store().BeginTransaction();
  ASSERT_OK(txn->Create("post", {{"title", Value::String("draft")}}));
  auto c = FindMany(txn->reader(), "post", F(R"({"title": {"equals": "draft"}})"));
  ASSERT_OK(c);
  EXPECT_EQ(c->edges.size(), 1u);
  ASSERT_OK(txn->Rollback());
}

TEST_F(QueryTest, FindById) {
  uint64_t p = Post("x", 1, std::nullopt);
  auto by = q_->FindBy("post", "id", Value::Id(p));
  ASSERT_OK(by);
  EXPECT_EQ(by->record.id, p);
}

TEST_F(QueryTest, SortedPageOverCompositeIndexReadsOPageKeys) {
  uint64_t a = User("a", "a@x.com");
  uint64_t b = User("b", "b@x.com");
  for (int i = 0; i < 5000; ++i) Post("t", i % 7, i % 2 ? a : b, 1700000000000 + i);
  FindRequest req =
      F(R"({"author": {"equals": null}, "authorId": {"equals": ")" + std::to_string(a) + R"("}})",
        R"({"createdAt": "Descending"})");
  req.filter = R"({"authorId": {"equals": ")" + std::to_string(a) + R"("}})";
  req.first = 10;
  auto e = q_->Explain("post", req);
  ASSERT_OK(e);
  EXPECT_EQ(e->index, "post.author_createdAt") << e->ToString();
  EXPECT_NE(e->sort.find("scan order"), std::string::npos) << e->ToString();
  EXPECT_LT(e->keys_scanned, 100u) << e->ToString();
  EXPECT_EQ(e->records_returned, 10u);
  // Page ~100 costs about the same as page 1.
  for (int i = 0; i < 100; ++i) {
    auto c = q_->FindMany("post", req);
    ASSERT_OK(c);
    auto n = NextPage(req, *c);
    ASSERT_OK(n);
    req = *n;
  }
  auto late = q_->Explain("post", req);
  ASSERT_OK(late);
  EXPECT_LT(late->keys_scanned, 100u) << late->ToString();
  // A range filter with its sort on a single-field index; a lookup by id.
  FindRequest r2 = F(R"({"score": {"greaterThan": 3}})", R"({"score": "Ascending"})");
  r2.first = 10;
  auto e2 = q_->Explain("post", r2);
  ASSERT_OK(e2);
  EXPECT_EQ(e2->index, "post.score") << e2->ToString();
  EXPECT_LT(e2->keys_scanned, 100u) << e2->ToString();
  auto e3 = q_->Explain("post", F(R"({"id": {"in": ["1", "2"]}})"));
  ASSERT_OK(e3);
  EXPECT_EQ(e3->access_path, "id lookup");
  auto e4 =
      q_->Explain("post", F(R"({"OR": [{"score": {"equals": 1}}, {"title": {"equals": "zz"}}]})"));
  ASSERT_OK(e4);
  EXPECT_EQ(e4->access_path, "index union") << e4->ToString();
}

TEST_F(QueryTest, SelectRelationshipsAndJson) {
  uint64_t u = User("ann", "ann@x.com");
  uint64_t p1 = Post("one", 1, u, 1700000000000);
  ASSERT_OK(db_->Update("post", p1, {{"body", Value::String("**hi** there")}}));
  uint64_t p2 = Post("two", 2, u, 1700000001000);
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(db_->Create(
        "comment", {{"body", Value::String("c" + std::to_string(i))}, {"post", Value::Id(p1)}}));
  }
  FindRequest req;
  req.select = {"title", "body", "author.name", "comments.body"};
  req.related_args = {{"comments", ListArgs{"", R"({"body": "Descending"})", 2, {}, "", ""}}};
  auto c = q_->FindMany("post", req);
  ASSERT_OK(c);
  json j = json::parse(ConnectionToJson(*c));
  ASSERT_EQ(j["edges"].size(), 2u);
  json n = j["edges"][0]["node"];
  EXPECT_EQ(n["id"], std::to_string(p1));
  EXPECT_EQ(n["title"], "one");
  EXPECT_EQ(n["body"]["markdown"], "**hi** there");
  EXPECT_NE(n["body"]["truncatedHTML"].get<std::string>().find("<strong>hi</strong>"),
            std::string::npos);
  EXPECT_EQ(n["author"]["name"], "ann");
  EXPECT_EQ(n["author"]["id"], std::to_string(u));
  ASSERT_EQ(n["comments"]["edges"].size(), 2u);
  EXPECT_EQ(n["comments"]["edges"][0]["node"]["body"], "c2");
  EXPECT_TRUE(n["comments"]["pageInfo"]["hasNextPage"].get<bool>());
  EXPECT_EQ(j["edges"][1]["node"]["comments"]["edges"].size(), 0u);
  EXPECT_TRUE(j["edges"][1]["node"]["comments"]["pageInfo"]["startCursor"].is_null());
  EXPECT_FALSE(j["pageInfo"]["hasNextPage"].get<bool>());
  // Default selection: every stored field, belongsTo as <field>Id, ISO dates.
  auto one = q_->FindOne("post", p2);
  ASSERT_OK(one);
  json d = json::parse(NodeToJson(*one));
  EXPECT_EQ(d["authorId"], std::to_string(u));
  EXPECT_EQ(d["createdAt"], "2023-11-14T22:13:21.000Z");
  EXPECT_EQ(d["state"], "created");
  EXPECT_FALSE(d.contains("password"));
  // users → posts (hasMany) with a filter.
  FindRequest ur;
  ur.select = {"name", "posts.title"};
  ur.related_args = {{"posts", ListArgs{R"({"score": {"greaterThan": 1}})", "", {}, {}, "", ""}}};
  auto users = q_->FindMany("user", ur);
  ASSERT_OK(users);
  json uj = json::parse(ConnectionToJson(*users));
  ASSERT_EQ(uj["edges"][0]["node"]["posts"]["edges"].size(), 1u);
  EXPECT_EQ(uj["edges"][0]["node"]["posts"]["edges"][0]["node"]["title"], "two");
  FindRequest bad;
  bad.select = {"nope"};
  EXPECT_EQ(q_->FindMany("post", bad).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace actiondb
