// Execute stage: relation resolution, access-path scans, ordered streaming and paging.
#include "query/execute.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <unordered_set>

#include "engine/key_format.h"

namespace actiondb::query {

using engine::Cf;
using engine::KvIterator;
using engine::ModelInfo;
using engine::RecordView;
namespace keys = engine::keys;

namespace {

constexpr size_t kFetchBatch = 256;

bool EmptyRange(const KeyRange& r) { return !r.upper.empty() && r.lower >= r.upper; }

// Counts an iterator's keys into the context when it goes away.
struct ScopedIter {
  ScopedIter(ExecContext& c, Cf cf, const KeyRange& r)
      : ctx(c), it(c.view.NewIterator(cf, r.lower, r.upper)) {}
  ~ScopedIter() { ctx.keys_scanned += it->keys_scanned(); }
  ExecContext& ctx;
  std::unique_ptr<KvIterator> it;
};

uint64_t EntryId(std::string_view key, std::string_view value) {
  // Unique-form entries carry the id as their value; all others end with it.
  if (value.size() == 8) return keys::GetBE64(value.data());
  return keys::GetBE64(key.data() + key.size() - 8);
}

Status FetchIds(ExecContext& ctx, const ModelInfo& m, const std::vector<uint64_t>& ids,
                const std::function<void(RecordView&&)>& fn) {
  for (size_t i = 0; i < ids.size(); i += kFetchBatch) {
    std::vector<uint64_t> batch(ids.begin() + i,
                                ids.begin() + std::min(ids.size(), i + kFetchBatch));
    std::vector<std::optional<RecordView>> out;
    RETURN_IF_ERROR(ctx.view.MultiGetRecords(m, batch, &out));
    for (auto& r : out) {
      if (!r) continue;
      ++ctx.records_read;
      fn(std::move(*r));
    }
  }
  return Status::OK();
}

Status CollectIds(ExecContext& ctx, const AccessPath& a, std::vector<uint64_t>* ids) {
  switch (a.kind) {
    case AccessPath::Kind::kIdPoints:
      ids->insert(ids->end(), a.ids.begin(), a.ids.end());
      break;
    case AccessPath::Kind::kIndexRange:
    case AccessPath::Kind::kIndexPoints:
      for (const auto& r : a.ranges) {
        if (EmptyRange(r)) continue;
        ScopedIter s(ctx, Cf::kIdx, r);
        for (s.it->SeekToFirst(); s.it->Valid(); s.it->Next()) {
          ids->push_back(EntryId(s.it->key(), s.it->value()));
        }
        RETURN_IF_ERROR(s.it->status());
      }
      break;
    case AccessPath::Kind::kUnion:
      for (const auto& b : a.branches) RETURN_IF_ERROR(CollectIds(ctx, b, ids));
      break;
    default:
      break;
  }
  return Status::OK();
}

// Every record the access path yields (unordered paths: in id order).
Status ForEachCandidate(ExecContext& ctx, const ModelInfo& m, const AccessPath& a,
                        const std::function<void(RecordView&&)>& fn) {
  if (a.kind == AccessPath::Kind::kEmpty) return Status::OK();
  if (a.kind == AccessPath::Kind::kFullScan) {
    for (const auto& r : a.ranges) {
      if (EmptyRange(r)) continue;
      ScopedIter s(ctx, Cf::kRec, r);
      for (s.it->SeekToFirst(); s.it->Valid(); s.it->Next()) {
        uint32_t mid;
        uint64_t id;
        if (!keys::ParseRecordKey(s.it->key(), &mid, &id)) continue;
        ASSIGN_OR_RETURN(RecordView rv,
                         RecordView::Parse(std::string(s.it->value()), id, m.api_identifier));
        ++ctx.records_read;
        fn(std::move(rv));
      }
      RETURN_IF_ERROR(s.it->status());
    }
    return Status::OK();
  }
  std::vector<uint64_t> ids;
  RETURN_IF_ERROR(CollectIds(ctx, a, &ids));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return FetchIds(ctx, m, ids, fn);
}

// ---- streams: matching records in (possibly reversed) sort order from a start position ----

class Stream {
 public:
  virtual ~Stream() = default;
  // False at the end.
  virtual Result<bool> Next(RecordView* record, Position* position) = 0;
};

using Sorted = std::vector<std::pair<RecordView, Position>>;

class SortedStream : public Stream {
 public:
  SortedStream(std::shared_ptr<const Sorted> rows, const BoundSort& sort, bool reverse,
               const Position* start, bool inclusive)
      : rows_(std::move(rows)), reverse_(reverse) {
    // First row at or after the start in stream order.
    auto cmp = [&](const Position& a, const Position& b) { return ComparePositions(sort, a, b); };
    size_t n = rows_->size();
    if (!start) {
      next_ = 0;
    } else if (!reverse) {
      next_ = std::partition_point(rows_->begin(), rows_->end(),
                                   [&](const auto& r) {
                                     int c = cmp(r.second, *start);
                                     return inclusive ? c < 0 : c <= 0;
                                   }) -
              rows_->begin();
    } else {
      size_t after = std::partition_point(rows_->begin(), rows_->end(),
                                          [&](const auto& r) {
                                            int c = cmp(r.second, *start);
                                            return inclusive ? c <= 0 : c < 0;
                                          }) -
                     rows_->begin();
      next_ = n - after;  // count from the end
    }
  }
  Result<bool> Next(RecordView* record, Position* position) override {
    if (next_ >= rows_->size()) return false;
    const auto& row = reverse_ ? (*rows_)[rows_->size() - 1 - next_] : (*rows_)[next_];
    ++next_;
    *record = row.first;
    *position = row.second;
    return true;
  }

 private:
  std::shared_ptr<const Sorted> rows_;
  bool reverse_;
  size_t next_ = 0;
};

// Streams an ordered plan's key range: groups of equal index tuples in one direction, ids
// within a group in another (a "zig-zag" when they differ, e.g. createdAt desc, id asc).
class ScanStream : public Stream {
 public:
  ScanStream(ExecContext& ctx, const ModelInfo& m, const Plan& plan, const BoundSort& sort,
             const BoundFilter& residual, bool reverse, const Position* start, bool inclusive,
             size_t batch_hint)
      : ctx_(ctx),
        m_(m),
        plan_(plan),
        sort_(sort),
        residual_(residual),
        reverse_(reverse),
        inclusive_(inclusive),
        batch_(std::max<size_t>(batch_hint + (start ? 1 : 0), 1)),
        range_(plan.access.ranges.at(0)),
        rec_(plan.access.kind == AccessPath::Kind::kFullScan),
        gf_(plan.group_forward != reverse),
        wf_(plan.id_forward != reverse),
        iter_(ctx, rec_ ? Cf::kRec : Cf::kIdx, range_) {
    if (start) start_ = *start;
    if (EmptyRange(range_)) {
      done_ = true;
      return;
    }
    SeekStart(start);
  }

  Result<bool> Next(RecordView* record, Position* position) override {
    while (out_.empty()) {
      if (done_) return false;
      RETURN_IF_ERROR(Refill());
    }
    *record = std::move(out_.front().first);
    *position = std::move(out_.front().second);
    out_.erase(out_.begin());
    return true;
  }

 private:
  KvIterator& it() { return *iter_.it; }

  void SeekGE(const std::string& t) {
    if (t < range_.lower)
      it().SeekToFirst();
    else
      it().Seek(t);
  }
  void SeekLE(const std::string& t) {
    if (!range_.upper.empty() && t >= range_.upper)
      it().SeekToLast();
    else
      it().SeekForPrev(t);
  }
  std::string GroupOf() {
    std::string_view k = it().key();
    if (rec_) return std::string(k.substr(0, 4));
    if (it().value().size() == 8) return std::string(k);
    return std::string(k.substr(0, k.size() - 8));
  }
  // Moves to the first entry (in id direction) of the current key's group.
  void EnterGroup() {
    group_ = GroupOf();
    if (wf_) {
      SeekGE(group_);
    } else {
      std::string s = keys::PrefixSuccessor(group_);
      SeekLE(s);
      if (it().Valid() && it().key() == s) it().Prev();
    }
  }
  void NextGroupFrom(const std::string& g) {
    if (gf_) {
      SeekGE(keys::PrefixSuccessor(g));
    } else {
      SeekLE(g);
      if (it().Valid() && it().key() == g) it().Prev();
    }
    if (it().Valid()) EnterGroup();
  }
  bool InGroup() {
    return it().Valid() && it().key().substr(0, group_.size()) == group_ && GroupOf() == group_;
  }

  void SeekStart(const query::Position* start) {
    bool zigzag = gf_ != wf_;
    if (!start) {
      if (gf_)
        it().SeekToFirst();
      else
        it().SeekToLast();
      if (zigzag && it().Valid()) EnterGroup();
      return;
    }
    std::string g;
    if (rec_) {
      g = keys::ModelPrefix(m_.id);
    } else {
      g = plan_.eq_prefix;
      for (size_t j = plan_.eq_values.size(); j < plan_.field_sort_key.size(); ++j) {
        int k = plan_.field_sort_key[j];
        keys::AppendValue(&g, k >= 0 ? start->values[k] : Value());
      }
    }
    std::string target = g;
    keys::PutBE64(&target, start->id());
    if (wf_)
      SeekGE(target);
    else
      SeekLE(target);
    if (zigzag) {
      group_ = g;
      if (!InGroup()) NextGroupFrom(g);
    }
  }

  void Advance() {
    if (wf_)
      it().Next();
    else
      it().Prev();
    if (gf_ != wf_ && !InGroup()) NextGroupFrom(group_);
  }

  Status Refill() {
    std::vector<uint64_t> ids;
    std::vector<RecordView> direct;
    while (ids.size() + direct.size() < batch_ && it().Valid()) {
      if (rec_) {
        uint32_t mid;
        uint64_t id;
        if (keys::ParseRecordKey(it().key(), &mid, &id)) {
          ASSIGN_OR_RETURN(RecordView rv,
                           RecordView::Parse(std::string(it().value()), id, m_.api_identifier));
          ++ctx_.records_read;
          direct.push_back(std::move(rv));
        }
      } else {
        ids.push_back(EntryId(it().key(), it().value()));
      }
      Advance();
    }
    RETURN_IF_ERROR(it().status());
    if (!it().Valid()) done_ = true;
    batch_ = std::min<size_t>(batch_ * 2, 1024);
    if (!rec_) {
      std::vector<std::optional<RecordView>> got;
      RETURN_IF_ERROR(ctx_.view.MultiGetRecords(m_, ids, &got));
      for (auto& g : got) {
        if (!g) continue;
        ++ctx_.records_read;
        direct.push_back(std::move(*g));
      }
    }
    for (auto& r : direct) {
      query::Position p = PositionOf(sort_, r);
      if (start_ && !started_) {
        int c = ComparePositions(sort_, p, *start_);
        if (reverse_) c = -c;
        if (c < 0 || (c == 0 && !inclusive_)) continue;
        started_ = true;
      }
      if (!Matches(residual_, r)) continue;
      out_.emplace_back(std::move(r), std::move(p));
    }
    return Status::OK();
  }

  ExecContext& ctx_;
  const ModelInfo& m_;
  const Plan& plan_;
  const BoundSort& sort_;
  const BoundFilter& residual_;
  bool reverse_;
  bool inclusive_;
  size_t batch_;
  KeyRange range_;
  bool rec_;
  bool gf_, wf_;
  ScopedIter iter_;
  std::string group_;
  std::optional<query::Position> start_;
  bool started_ = false;
  bool done_ = false;
  std::vector<std::pair<RecordView, query::Position>> out_;
};

// Streams search hits in relevance order (score descending, then id ascending; `reverse`
// flips it) from a start position. Only the hits after the start are considered; they are
// heap-ordered in O(n) and popped one batch at a time, so a page costs O(n + k log n) and
// reads only the records it pops (filtered through `filter`), not every match.
class RankedStream : public Stream {
 public:
  RankedStream(ExecContext& ctx, const ModelInfo& m, const std::vector<RankedHit>& hits,
               const BoundFilter& filter, bool reverse, const Position* start, bool inclusive,
               size_t batch_hint)
      : ctx_(ctx),
        m_(m),
        filter_(filter),
        reverse_(reverse),
        batch_(std::max<size_t>(batch_hint, 1)) {
    std::optional<RankedHit> from;
    if (start) from = RankedHit{start->values.at(0).as_number(), start->id()};
    for (const auto& h : hits) {
      if (from) {
        bool after = Before(*from, h);
        if (!after && !(inclusive && h.score == from->score && h.id == from->id)) continue;
      }
      heap_.push_back(h);
    }
    std::make_heap(heap_.begin(), heap_.end(), HeapLess{this});
  }

  Result<bool> Next(RecordView* record, Position* position) override {
    while (next_ >= out_.size()) {
      if (heap_.empty()) return false;
      RETURN_IF_ERROR(Refill());
    }
    *record = std::move(out_[next_].first);
    *position = std::move(out_[next_].second);
    ++next_;
    return true;
  }

 private:
  // a comes before b in this stream's order.
  bool Before(const RankedHit& a, const RankedHit& b) const {
    bool fwd = a.score != b.score ? a.score > b.score : a.id < b.id;
    bool equal = a.score == b.score && a.id == b.id;
    return reverse_ ? (!fwd && !equal) : fwd;
  }
  struct HeapLess {
    const RankedStream* s;
    bool operator()(const RankedHit& a, const RankedHit& b) const { return s->Before(b, a); }
  };

  Status Refill() {
    out_.clear();
    next_ = 0;
    std::vector<RankedHit> popped;
    while (!heap_.empty() && popped.size() < batch_) {
      std::pop_heap(heap_.begin(), heap_.end(), HeapLess{this});
      popped.push_back(heap_.back());
      heap_.pop_back();
    }
    batch_ = std::min<size_t>(batch_ * 2, 1024);
    std::vector<uint64_t> ids;
    for (const auto& h : popped) ids.push_back(h.id);
    std::vector<std::optional<RecordView>> got;
    RETURN_IF_ERROR(ctx_.view.MultiGetRecords(m_, ids, &got));
    for (size_t i = 0; i < popped.size(); ++i) {
      if (!got[i]) continue;
      ++ctx_.records_read;
      if (!Matches(filter_, *got[i])) continue;
      Position p;
      p.values = {Value::Number(popped[i].score), Value::Id(popped[i].id)};
      out_.emplace_back(std::move(*got[i]), std::move(p));
    }
    return Status::OK();
  }

  ExecContext& ctx_;
  const ModelInfo& m_;
  const BoundFilter& filter_;
  bool reverse_;
  size_t batch_;
  std::vector<RankedHit> heap_;
  std::vector<std::pair<RecordView, Position>> out_;
  size_t next_ = 0;
};

// Opens streams over one plan; the unordered case sorts every match once and shares it.
class StreamFactory {
 public:
  StreamFactory(ExecContext& ctx, const ModelInfo& m, const Plan& plan, const BoundSort& sort)
      : ctx_(ctx), m_(m), plan_(plan), sort_(sort) {}

  Result<std::unique_ptr<Stream>> Open(bool reverse, const Position* start, bool inclusive,
                                       size_t batch_hint) {
    if (plan_.ordered && plan_.access.ranges.size() == 1) {
      return std::unique_ptr<Stream>(std::make_unique<ScanStream>(
          ctx_, m_, plan_, sort_, plan_.residual, reverse, start, inclusive, batch_hint));
    }
    if (!sorted_) {
      auto rows = std::make_shared<Sorted>();
      RETURN_IF_ERROR(ForEachCandidate(ctx_, m_, plan_.access, [&](RecordView&& r) {
        if (!Matches(plan_.residual, r)) return;
        Position p = PositionOf(sort_, r);
        rows->emplace_back(std::move(r), std::move(p));
      }));
      std::sort(rows->begin(), rows->end(), [&](const auto& a, const auto& b) {
        return ComparePositions(sort_, a.second, b.second) < 0;
      });
      sorted_ = std::move(rows);
    }
    return std::unique_ptr<Stream>(
        std::make_unique<SortedStream>(sorted_, sort_, reverse, start, inclusive));
  }

 private:
  ExecContext& ctx_;
  const ModelInfo& m_;
  const Plan& plan_;
  const BoundSort& sort_;
  std::shared_ptr<const Sorted> sorted_;
};

// Takes up to `limit`+1 records from `s`, stopping before `stop` (stream order); `*hit_stop`
// tells whether a record at or beyond `stop` exists.
Status Take(Stream& s, const BoundSort& sort, bool reverse, int limit,
            const std::optional<Position>& stop, Page* page, bool* hit_stop) {
  *hit_stop = false;
  RecordView r;
  Position p;
  while (static_cast<int>(page->records.size()) <= limit) {
    ASSIGN_OR_RETURN(bool more, s.Next(&r, &p));
    if (!more) break;
    if (stop) {
      int c = ComparePositions(sort, p, *stop);
      if (reverse ? c <= 0 : c >= 0) {
        *hit_stop = true;
        break;
      }
    }
    page->records.push_back(std::move(r));
    page->positions.push_back(std::move(p));
  }
  return Status::OK();
}

template <typename OpenFn>
Result<Page> PageWith(OpenFn open, const BoundSort& sort, const PageArgs& args) {
  Page page;
  bool rev = args.from_end;
  const auto& start = rev ? args.before : args.after;
  const auto& stop = rev ? args.after : args.before;
  bool hit_stop = false;
  {
    ASSIGN_OR_RETURN(auto s, open(rev, start ? &*start : nullptr, false, args.limit + 1));
    RETURN_IF_ERROR(Take(*s, sort, rev, args.limit, stop, &page, &hit_stop));
  }
  bool more_ahead = static_cast<int>(page.records.size()) > args.limit || hit_stop;
  if (static_cast<int>(page.records.size()) > args.limit) {
    page.records.pop_back();
    page.positions.pop_back();
  }
  // Probe behind the page: anything before its first record (or at/before the start cursor).
  bool more_behind = false;
  {
    const Position* from =
        !page.positions.empty() ? &page.positions.front() : (start ? &*start : nullptr);
    if (from) {
      bool inclusive = page.positions.empty();
      ASSIGN_OR_RETURN(auto s, open(!rev, from, inclusive, 1));
      RecordView r;
      Position p;
      ASSIGN_OR_RETURN(more_behind, s->Next(&r, &p));
    }
  }
  if (rev) {
    std::reverse(page.records.begin(), page.records.end());
    std::reverse(page.positions.begin(), page.positions.end());
  }
  page.has_next = rev ? more_behind : more_ahead;
  page.has_previous = rev ? more_ahead : more_behind;
  return page;
}

}  // namespace

Status CollectMatches(ExecContext& ctx, const ModelInfo& model, const BoundFilter& filter,
                      std::vector<RecordView>* out) {
  BoundSort id_sort;
  id_sort.keys.push_back(SortKey{kIdFieldId, model.FieldById(kIdFieldId), false});
  Plan plan = MakePlan(model, filter, id_sort);
  return ForEachCandidate(ctx, model, plan.access, [&](RecordView&& r) {
    if (Matches(plan.residual, r)) out->push_back(std::move(r));
  });
}

Status ResolveRelations(ExecContext& ctx, const ModelInfo& model, BoundFilter* f) {
  for (auto& c : f->children) RETURN_IF_ERROR(ResolveRelations(ctx, model, &c));
  if (f->kind != BoundFilter::Kind::kRelation) return Status::OK();
  RelationFilter& rel = *f->relation;
  BoundFilter inner = *rel.inner;
  RETURN_IF_ERROR(ResolveRelations(ctx, *rel.related, &inner));
  auto set = std::make_shared<std::unordered_set<uint64_t>>();
  bool every = rel.kind == RelationFilter::Kind::kEvery;
  BoundFilter out;
  out.kind = BoundFilter::Kind::kPredicate;
  out.field = model.FieldById(kIdFieldId);
  out.field_id = kIdFieldId;
  out.op = every ? Op::kNotInIdSet : Op::kInIdSet;
  if (rel.kind == RelationFilter::Kind::kBelongsTo) {
    std::vector<RecordView> targets;
    RETURN_IF_ERROR(CollectMatches(ctx, *rel.related, inner, &targets));
    for (const auto& t : targets) set->insert(t.id());
    out.field = rel.field;
    out.field_id = rel.field->id();
  } else if (!rel.through) {
    // hasMany / hasOne: the parents of children that match (some) or fail (every).
    BoundFilter has_parent;
    has_parent.kind = BoundFilter::Kind::kPredicate;
    has_parent.field_id = rel.inverse_field;
    has_parent.field = rel.related->FieldById(rel.inverse_field);
    has_parent.op = Op::kIsSet;
    has_parent.value = Value::Bool(true);
    std::vector<RecordView> children;
    RETURN_IF_ERROR(CollectMatches(ctx, *rel.related, has_parent, &children));
    for (const auto& c : children) {
      if (Matches(inner, c) != every) set->insert(c.Get(rel.inverse_field).as_id());
    }
  } else {
    // hasManyThrough: targets that match (fail), then the join records that point at them.
    std::vector<RecordView> targets;
    RETURN_IF_ERROR(CollectMatches(ctx, *rel.related, BoundFilter{}, &targets));
    auto target_ids = std::make_shared<std::unordered_set<uint64_t>>();
    for (const auto& t : targets) {
      if (Matches(inner, t) != every) target_ids->insert(t.id());
    }
    BoundFilter via;
    via.kind = BoundFilter::Kind::kPredicate;
    via.field_id = rel.through_target_field;
    via.field = rel.through->FieldById(rel.through_target_field);
    via.op = Op::kInIdSet;
    via.id_set = target_ids;
    std::vector<RecordView> joins;
    RETURN_IF_ERROR(CollectMatches(ctx, *rel.through, via, &joins));
    for (const auto& j : joins) {
      Value p = j.Get(rel.through_inverse_field);
      if (!p.is_null()) set->insert(p.as_id());
    }
  }
  out.id_set = std::move(set);
  *f = std::move(out);
  return Status::OK();
}

Result<Page> RunPage(ExecContext& ctx, const ModelInfo& model, const Plan& plan,
                     const BoundSort& sort, const PageArgs& args) {
  StreamFactory factory(ctx, model, plan, sort);
  return PageWith([&](bool rev, const Position* start, bool inclusive,
                      size_t hint) { return factory.Open(rev, start, inclusive, hint); },
                  sort, args);
}

Result<Page> RunRankedPage(ExecContext& ctx, const ModelInfo& model,
                           const std::vector<RankedHit>& hits, const BoundFilter& filter,
                           const BoundSort& sort, const PageArgs& args) {
  return PageWith(
      [&](bool rev, const Position* start, bool inclusive,
          size_t hint) -> Result<std::unique_ptr<Stream>> {
        return std::unique_ptr<Stream>(
            std::make_unique<RankedStream>(ctx, model, hits, filter, rev, start, inclusive, hint));
      },
      sort, args);
}

Page PageOfSorted(const std::vector<std::pair<RecordView, Position>>& sorted, const BoundSort& sort,
                  const PageArgs& args) {
  auto rows = std::make_shared<const Sorted>(sorted);
  auto page = PageWith(
      [&](bool rev, const Position* start, bool inclusive,
          size_t) -> Result<std::unique_ptr<Stream>> {
        return std::unique_ptr<Stream>(
            std::make_unique<SortedStream>(rows, sort, rev, start, inclusive));
      },
      sort, args);
  return page.ok() ? std::move(page).value() : Page{};
}

}  // namespace actiondb::query
