// Execute stage: relation resolution, access-path scans, ordered streaming and paging.
#include "query/execute.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <span>
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
// within a group in another (e.g. createdAt desc, id asc: groups backwards, ids forwards).
//
// When the two directions agree the range is read straight through. When they differ, the
// scan still moves in group direction and buffers each group (ids arrive in the reverse of
// the wanted order), emitting it reversed once the group ends: one Next/Prev per entry, no
// seeks. A group larger than kMaxBufferedGroup is read by seeking to its first entry in id
// direction and walking it ("zig-zag"), so memory stays bounded for any data.
class ScanStream : public Stream {
 public:
  // `it` iterates plan.access.ranges[0] of the plan's column family; the stream positions it.
  ScanStream(ExecContext& ctx, KvIterator& it, const ModelInfo& m, const Plan& plan,
             const BoundSort& sort, const BoundFilter& residual, bool reverse,
             const Position* start, bool inclusive, size_t batch_hint)
      : ctx_(ctx),
        it_(it),
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
        zigzag_(gf_ != wf_),
        // Record-key scans are one group (the model), so there is nothing to buffer there.
        buffer_groups_(!rec_) {
    if (start) start_ = *start;
    if (EmptyRange(range_)) {
      done_ = true;
      return;
    }
    SeekStart(start);
  }

  Result<bool> Next(RecordView* record, Position* position) override {
    while (next_out_ == out_.size()) {
      if (done_) return false;
      RETURN_IF_ERROR(Refill());
    }
    auto& row = out_[next_out_++];
    *record = std::move(row.first);
    *position = std::move(row.second);
    return true;
  }

 private:
  static constexpr size_t kMaxBufferedGroup = 64;

  void SeekGE(std::string_view t) {
    if (t < range_.lower)
      it_.SeekToFirst();
    else
      it_.Seek(t);
  }
  void SeekLE(std::string_view t) {
    if (!range_.upper.empty() && t >= range_.upper)
      it_.SeekToLast();
    else
      it_.SeekForPrev(t);
  }
  // The group part of the current key: the index tuple without the id, or the model prefix.
  // Valid until the iterator moves.
  std::string_view GroupOf() const {
    std::string_view k = it_.key();
    if (rec_) return k.substr(0, 4);
    if (it_.value().size() == 8) return k;  // unique form: the key is the tuple
    return k.substr(0, k.size() - 8);
  }
  bool InGroup() const { return it_.Valid() && GroupOf() == group_; }
  void StepGroupDir() { gf_ ? it_.Next() : it_.Prev(); }
  void StepIdDir() { wf_ ? it_.Next() : it_.Prev(); }

  // Moves to the first entry of `group` read forwards (its lowest key) or backwards (its
  // highest); with no entries there, to the next group in that direction.
  void SeekGroupEdge(std::string_view group, bool forward) {
    if (forward) {
      SeekGE(group);
    } else {
      std::string s = keys::PrefixSuccessor(group);
      SeekLE(s);
      if (it_.Valid() && it_.key() == s) it_.Prev();
    }
  }
  // Seek mode: moves to the first entry (in id direction) of `group_`, to walk it from there.
  void SeekGroupStart() {
    seek_mode_ = true;
    SeekGroupEdge(group_, wf_);
  }
  // To the start entry (the index key of the start position) or the first after it in id
  // direction.
  void SeekStartEntry() { wf_ ? SeekGE(start_target_) : SeekLE(start_target_); }
  // Enters the group under the iterator, which sits on its first entry in group direction.
  void EnterGroup() {
    if (buffer_groups_) {
      seek_mode_ = false;  // Refill buffers it
    } else {
      group_.assign(GroupOf());
      SeekGroupStart();
    }
  }
  // Seek mode, at the end of group `group_`: moves to the next group in group direction.
  void LeaveGroup() {
    if (gf_) {
      SeekGE(keys::PrefixSuccessor(group_));
    } else {
      SeekLE(group_);
      if (it_.Valid() && it_.key() == group_) it_.Prev();
    }
    if (it_.Valid()) EnterGroup();
  }

  void SeekStart(const query::Position* start) {
    if (!start) {
      if (gf_)
        it_.SeekToFirst();
      else
        it_.SeekToLast();
      if (zigzag_ && it_.Valid()) EnterGroup();
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
    start_target_ = g;
    keys::PutBE64(&start_target_, start->id());
    start_group_ = std::move(g);
    if (zigzag_ && buffer_groups_) {
      // Enter the start group at its first entry in group direction and buffer it like any
      // other group, keeping only the ids after the start: the iterator keeps moving in group
      // direction, where seeking to the start and stepping in id direction would reverse it
      // (a re-seek of every level in RocksDB) and seek once more to leave the group.
      // BufferGroup falls back to the seek below when the group is large.
      SeekGroupEdge(start_group_, gf_);
      return;
    }
    SeekStartEntry();
    if (zigzag_) {
      WalkStartGroupFrom();
    } else {
      start_group_.clear();  // only zig-zag reads it
    }
  }

  // Zig-zag, on the start target: walks the rest of the start group (`start_group_`) in id
  // direction from there; groups after it are entered normally.
  void WalkStartGroupFrom() {
    group_ = std::move(start_group_);
    start_group_.clear();
    seek_mode_ = true;
    if (!InGroup()) LeaveGroup();
  }

  // Whether an entry of the start group with this id comes after the start in stream order
  // (ids run in id direction inside a group).
  bool AfterStart(uint64_t id) const {
    uint64_t s = start_->id();
    if (id == s) return inclusive_;
    return wf_ ? id > s : id < s;
  }

  // Zig-zag buffer mode, on a group's first entry in group direction: reads the group into
  // `pending_` (emitted back to front, i.e. in id direction), leaving the iterator on the next
  // group. A group that does not fit is walked in seek mode instead.
  // The start group (see SeekStart) keeps only the ids after the start, and gives up after
  // kMaxBufferedGroup entries of it for a seek to the start.
  void BufferGroup() {
    group_.assign(GroupOf());
    pending_.clear();
    const bool in_start_group = !start_group_.empty() && group_ == start_group_;
    if (!in_start_group) start_group_.clear();
    size_t seen = 0;
    while (InGroup()) {
      if (seen == kMaxBufferedGroup) {
        pending_.clear();
        if (in_start_group) {
          SeekStartEntry();
          WalkStartGroupFrom();
        } else {
          SeekGroupStart();
        }
        return;
      }
      ++seen;
      uint64_t id = EntryId(it_.key(), it_.value());
      if (!in_start_group || AfterStart(id)) pending_.push_back(id);
      StepGroupDir();
    }
    start_group_.clear();
  }

  // Moves past the entry just taken (plain or seek mode).
  void Advance() {
    StepIdDir();
    if (zigzag_ && !InGroup()) LeaveGroup();
  }

  Status Refill() {
    out_.clear();
    next_out_ = 0;
    ids_.clear();
    direct_.clear();
    while (ids_.size() + direct_.size() < batch_) {
      if (!pending_.empty()) {
        ids_.push_back(pending_.back());
        pending_.pop_back();
        continue;
      }
      if (!it_.Valid()) break;
      if (zigzag_ && !seek_mode_) {
        BufferGroup();
        continue;
      }
      if (rec_) {
        uint32_t mid;
        uint64_t id;
        if (keys::ParseRecordKey(it_.key(), &mid, &id)) {
          ASSIGN_OR_RETURN(RecordView rv,
                           RecordView::Parse(std::string(it_.value()), id, m_.api_identifier));
          ++ctx_.records_read;
          direct_.push_back(std::move(rv));
        }
      } else {
        ids_.push_back(EntryId(it_.key(), it_.value()));
      }
      Advance();
    }
    RETURN_IF_ERROR(it_.status());
    if (!it_.Valid() && pending_.empty()) done_ = true;
    batch_ = std::min<size_t>(batch_ * 2, 1024);
    if (!rec_) {
      RETURN_IF_ERROR(ctx_.view.MultiGetRecords(m_, ids_, &got_));
      for (auto& g : got_) {
        if (!g) continue;
        ++ctx_.records_read;
        direct_.push_back(std::move(*g));
      }
    }
    out_.reserve(direct_.size());
    for (auto& r : direct_) {
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
  KvIterator& it_;
  const ModelInfo& m_;
  const Plan& plan_;
  const BoundSort& sort_;
  const BoundFilter& residual_;
  bool reverse_;
  bool inclusive_;
  size_t batch_;
  const KeyRange& range_;
  bool rec_;
  bool gf_, wf_;
  bool zigzag_;
  bool buffer_groups_;
  bool seek_mode_ = false;  // zig-zag: walking `group_` in id direction
  std::string group_;
  std::vector<uint64_t> pending_;  // zig-zag buffer mode: the group's ids, last one next
  // From a start position: its index key (tuple + id), and in zig-zag until the start's group
  // is read, that group's tuple.
  std::string start_group_;
  std::string start_target_;
  std::optional<query::Position> start_;
  bool started_ = false;
  bool done_ = false;
  // Refill scratch, kept to reuse allocations across batches.
  std::vector<uint64_t> ids_;
  std::vector<RecordView> direct_;
  std::vector<std::optional<RecordView>> got_;
  std::vector<std::pair<RecordView, query::Position>> out_;
  size_t next_out_ = 0;
};

// Streams search hits in relevance order (typos ascending, score descending, then id
// ascending; `reverse` flips it) from a start position. Only the hits after the start are
// considered; each batch is partially sorted out of the rest, so a page costs O(n log k) and
// reads only the records of its batches (filtered through `filter`), not every match. With
// `incomplete` (the hits are only the typo-free tier, RunRankedPage), running out of hits in
// ranking order, or starting against it from the end or a typo'd position, sets *incomplete: the
// answer depends on hits it does not have.
// The hit a ranked position ({Number(tier), Number(score), Id(id)}) stands for.
RankedHit RankedHitAt(const Position& at) {
  return RankedHit{at.values.at(1).as_number(), at.id(),
                   static_cast<uint32_t>(at.values.at(0).as_number())};
}

class RankedStream : public Stream {
 public:
  RankedStream(ExecContext& ctx, const ModelInfo& m, const std::vector<RankedHit>& hits,
               const BoundFilter& filter, bool reverse, const Position* start, bool inclusive,
               size_t batch_hint, bool* incomplete)
      : ctx_(ctx),
        m_(m),
        filter_(filter),
        reverse_(reverse),
        batch_(std::max<size_t>(batch_hint, 1)),
        incomplete_(incomplete) {
    std::optional<RankedHit> from;
    if (start) from = RankedHitAt(*start);
    if (incomplete_ && reverse_ && (!from || from->tier > 0)) *incomplete_ = true;
    for (const auto& h : hits) {
      if (from) {
        bool after = Before(*from, h);
        if (!after && !(inclusive && Same(h, *from))) continue;
      }
      hits_.push_back(h);
    }
  }

  Result<bool> Next(RecordView* record, Position* position) override {
    while (next_ >= out_.size()) {
      if (taken_ == hits_.size()) {
        if (incomplete_ && !reverse_) *incomplete_ = true;
        return false;
      }
      RETURN_IF_ERROR(Refill());
    }
    *record = std::move(out_[next_].first);
    *position = std::move(out_[next_].second);
    ++next_;
    return true;
  }

 private:
  static bool Same(const RankedHit& a, const RankedHit& b) {
    return a.tier == b.tier && a.score == b.score && a.id == b.id;
  }
  // a comes before b in this stream's order.
  bool Before(const RankedHit& a, const RankedHit& b) const {
    bool fwd = a.tier != b.tier     ? a.tier < b.tier
               : a.score != b.score ? a.score > b.score
                                    : a.id < b.id;
    return reverse_ ? (!fwd && !Same(a, b)) : fwd;
  }
  // The next batch: the best `batch_` hits not taken yet, in order, moved to the front of the
  // rest (a partial sort: one comparison with the batch's worst for most hits).
  Status Refill() {
    out_.clear();
    next_ = 0;
    const auto first = hits_.begin() + static_cast<ptrdiff_t>(taken_);
    const size_t n = std::min(batch_, hits_.size() - taken_);
    std::partial_sort(first, first + static_cast<ptrdiff_t>(n), hits_.end(),
                      [this](const RankedHit& a, const RankedHit& b) { return Before(a, b); });
    const std::span<const RankedHit> batch(&*first, n);
    taken_ += n;
    batch_ = std::min<size_t>(batch_ * 2, 1024);
    std::vector<uint64_t> ids;
    for (const auto& h : batch) ids.push_back(h.id);
    std::vector<std::optional<RecordView>> got;
    RETURN_IF_ERROR(ctx_.view.MultiGetRecords(m_, ids, &got));
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!got[i]) continue;
      ++ctx_.records_read;
      if (!Matches(filter_, *got[i])) continue;
      Position p;
      p.values = {Value::Number(batch[i].tier), Value::Number(batch[i].score),
                  Value::Id(batch[i].id)};
      out_.emplace_back(std::move(*got[i]), std::move(p));
    }
    return Status::OK();
  }

  ExecContext& ctx_;
  const ModelInfo& m_;
  const BoundFilter& filter_;
  bool reverse_;
  size_t batch_;
  bool* incomplete_;
  std::vector<RankedHit> hits_;  // after the start; [0, taken_) went out in earlier batches
  size_t taken_ = 0;
  std::vector<std::pair<RecordView, Position>> out_;
  size_t next_ = 0;
};

// Opens streams over one plan; the unordered case sorts every match once and shares it.
// Ordered streams share one iterator: open the next stream only after the previous one is
// gone (PageWith does), which saves creating a second RocksDB iterator for the probe.
class StreamFactory {
 public:
  StreamFactory(ExecContext& ctx, const ModelInfo& m, const Plan& plan, const BoundSort& sort)
      : ctx_(ctx), m_(m), plan_(plan), sort_(sort) {}
  ~StreamFactory() {
    if (scan_iter_) ctx_.keys_scanned += scan_iter_->keys_scanned();
  }

  Result<std::unique_ptr<Stream>> Open(bool reverse, const Position* start, bool inclusive,
                                       size_t batch_hint) {
    if (plan_.ordered && plan_.access.ranges.size() == 1) {
      if (!scan_iter_) {
        const KeyRange& r = plan_.access.ranges[0];
        bool rec = plan_.access.kind == AccessPath::Kind::kFullScan;
        scan_iter_ = ctx_.view.NewIterator(rec ? Cf::kRec : Cf::kIdx, r.lower, r.upper);
      }
      return std::unique_ptr<Stream>(std::make_unique<ScanStream>(ctx_, *scan_iter_, m_, plan_,
                                                                  sort_, plan_.residual, reverse,
                                                                  start, inclusive, batch_hint));
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
  std::unique_ptr<KvIterator> scan_iter_;
  std::shared_ptr<const Sorted> sorted_;
};

// Takes up to `limit`+1 records from `s`, stopping before `stop` (stream order); `*hit_stop`
// tells whether a record at or beyond `stop` exists. `first`, when set, is a record already read
// from `s` and comes before the rest.
Status Take(Stream& s, const BoundSort& sort, bool reverse, int limit,
            const std::optional<Position>& stop,
            std::optional<std::pair<RecordView, Position>> first, Page* page, bool* hit_stop) {
  *hit_stop = false;
  RecordView r;
  Position p;
  while (static_cast<int>(page->records.size()) <= limit) {
    if (first) {
      r = std::move(first->first);
      p = std::move(first->second);
      first.reset();
    } else {
      ASSIGN_OR_RETURN(bool more, s.Next(&r, &p));
      if (!more) break;
    }
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
  // Whether anything lies behind the page (before its first record, or at or before the start
  // cursor), when known without the probe below.
  std::optional<bool> more_behind;
  if (!start || !args.probe_behind) more_behind = false;
  {
    // A page that starts at a cursor reads from the cursor inclusively: when the cursor's record
    // still matches, it comes first, and it is what lies behind the page. That costs one more
    // record in the stream's direction instead of a probe in the other (a second seek, which
    // turns RocksDB's iterator around, and a record read).
    const bool peek = !more_behind.has_value();
    ASSIGN_OR_RETURN(auto s, open(rev, start ? &*start : nullptr, /*inclusive=*/peek,
                                  args.limit + 1 + (peek ? 1 : 0)));
    std::optional<std::pair<RecordView, Position>> first;
    if (peek) {
      RecordView r;
      Position p;
      ASSIGN_OR_RETURN(bool more, s->Next(&r, &p));
      if (more && ComparePositions(sort, p, *start) == 0) {
        more_behind = true;
      } else if (more) {
        first.emplace(std::move(r), std::move(p));
      }
    }
    RETURN_IF_ERROR(Take(*s, sort, rev, args.limit, stop, std::move(first), &page, &hit_stop));
  }
  bool more_ahead = static_cast<int>(page.records.size()) > args.limit || hit_stop;
  if (static_cast<int>(page.records.size()) > args.limit) {
    page.records.pop_back();
    page.positions.pop_back();
  }
  // Probe behind the page when the cursor's record is gone (or no longer matches): anything
  // before the page's first record (or at or before the start cursor). Without a start cursor
  // the stream began at the first match in stream order, so nothing lies behind the page.
  if (!more_behind.has_value()) {
    bool inclusive = page.positions.empty();
    const Position* from = inclusive ? &*start : &page.positions.front();
    ASSIGN_OR_RETURN(auto s, open(!rev, from, inclusive, 1));
    RecordView r;
    Position p;
    ASSIGN_OR_RETURN(bool found, s->Next(&r, &p));
    more_behind = found;
  }
  if (rev) {
    std::reverse(page.records.begin(), page.records.end());
    std::reverse(page.positions.begin(), page.positions.end());
  }
  page.has_next = rev ? *more_behind : more_ahead;
  page.has_previous = rev ? more_ahead : *more_behind;
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
                           const BoundSort& sort, const PageArgs& args, bool* incomplete) {
  if (incomplete) *incomplete = false;
  return PageWith(
      [&](bool rev, const Position* start, bool inclusive,
          size_t hint) -> Result<std::unique_ptr<Stream>> {
        return std::unique_ptr<Stream>(std::make_unique<RankedStream>(
            ctx, model, hits, filter, rev, start, inclusive, hint, incomplete));
      },
      sort, args);
}

bool RankedPageStartsAmongTypos(const PageArgs& args) {
  return args.from_end ? !args.before || RankedHitAt(*args.before).tier > 0
                       : args.after && RankedHitAt(*args.after).tier > 0;
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
