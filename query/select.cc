// Select stage: Nodes, batched relationship loading, connections (see select.h).
#include "query/select.h"

#include <map>
#include <unordered_map>
#include <unordered_set>

#include "query/cursor.h"

namespace actiondb::query {

using engine::FieldInfo;
using engine::ModelInfo;
using engine::RecordView;

Result<PageArgs> MakePageArgs(const ListArgs& args, int max_page, const std::string& shape,
                              const BoundSort& sort, const ModelInfo& model) {
  PageArgs out;
  auto check = [&](const char* name, std::optional<int> n) -> Status {
    if (n && (*n < 0 || *n > max_page)) {
      return Status(Code::kInvalidArgument,
                    model.api_identifier + ": \"" + name + "\" must be between 0 and " +
                        std::to_string(max_page) + ", got " + std::to_string(*n));
    }
    return Status::OK();
  };
  RETURN_IF_ERROR(check("first", args.first));
  RETURN_IF_ERROR(check("last", args.last));
  if (args.first && args.last) {
    return Status(Code::kInvalidArgument,
                  model.api_identifier + ": pass either \"first\" or \"last\", not both");
  }
  out.from_end =
      args.last.has_value() || (!args.first && !args.before.empty() && args.after.empty());
  out.limit = args.first ? *args.first : (args.last ? *args.last : kDefaultPageSize);
  if (args.after.empty() && args.before.empty()) return out;
  CursorCodec codec(shape, sort);
  if (!args.after.empty()) {
    ASSIGN_OR_RETURN(Position p, codec.Decode(args.after, model));
    out.after = std::move(p);
  }
  if (!args.before.empty()) {
    ASSIGN_OR_RETURN(Position p, codec.Decode(args.before, model));
    out.before = std::move(p);
  }
  return out;
}

Connection MakeConnection(const ModelInfo& model, const Page& page, std::vector<Node> nodes,
                          const std::string& shape, const BoundSort& sort) {
  Connection c;
  c.model = model.api_identifier;
  CursorCodec codec(shape, sort);  // hashes the shape once for every edge
  c.edges.reserve(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    c.edges.push_back(Edge{codec.Encode(page.positions[i]), std::move(nodes[i])});
  }
  c.page_info.has_next_page = page.has_next;
  c.page_info.has_previous_page = page.has_previous;
  if (!c.edges.empty()) {
    c.page_info.start_cursor = c.edges.front().cursor;
    c.page_info.end_cursor = c.edges.back().cursor;
  }
  return c;
}

namespace {

BoundFilter IdSetPred(const FieldInfo* f, std::shared_ptr<std::unordered_set<uint64_t>> ids) {
  BoundFilter p;
  p.kind = BoundFilter::Kind::kPredicate;
  p.field = f;
  p.field_id = f->id();
  p.op = Op::kInIdSet;
  p.id_set = std::move(ids);
  return p;
}

// Loads the hasMany / hasManyThrough lists of `parents` (per parent, a page per `args`).
Status LoadLists(ExecContext& ctx, const engine::Catalog& cat, const ModelInfo& model,
                 const BoundSelection::Related& rs, const std::vector<RecordView>& parents,
                 std::vector<Node>* nodes) {
  const FieldInfo& f = *rs.field;
  const ModelInfo& rel = *rs.selection->model;
  std::string filter_text, sort_text;
  ASSIGN_OR_RETURN(BoundFilter filter, BindFilter(cat, rel, rs.args.filter, &filter_text));
  RETURN_IF_ERROR(ResolveRelations(ctx, rel, &filter));
  ASSIGN_OR_RETURN(BoundSort sort, BindSort(rel, rs.args.sort, &sort_text));
  std::string shape =
      QueryShape(rel, filter_text, sort_text) + "\n" + model.api_identifier + "." + f.name();
  ASSIGN_OR_RETURN(PageArgs pargs, MakePageArgs(rs.args, kMaxRelatedPageSize, shape, sort, rel));
  auto parent_ids = std::make_shared<std::unordered_set<uint64_t>>();
  for (const auto& p : parents) parent_ids->insert(p.id());
  // children by parent id
  std::unordered_map<uint64_t, std::vector<std::pair<RecordView, Position>>> groups;
  if (f.type() == FieldType::kHasMany) {
    const FieldInfo* inv = rel.FindField(f.def.inverse_field);
    if (!inv) return Status(Code::kInternal, "missing inverse field " + f.def.inverse_field);
    BoundFilter both;
    both.kind = BoundFilter::Kind::kAnd;
    both.children.push_back(IdSetPred(inv, parent_ids));
    both.children.push_back(std::move(filter));
    std::vector<RecordView> children;
    RETURN_IF_ERROR(CollectMatches(ctx, rel, both, &children));
    for (auto& c : children) {
      uint64_t pid = c.Get(inv->id()).as_id();
      Position pos = PositionOf(sort, c);
      groups[pid].emplace_back(std::move(c), std::move(pos));
    }
  } else {
    const ModelInfo* through = cat.FindModel(f.def.through_model);
    const FieldInfo* a = through ? through->FindField(f.def.inverse_field) : nullptr;
    const FieldInfo* b = through ? through->FindField(f.def.through_field) : nullptr;
    if (!a || !b) return Status(Code::kInternal, "incomplete join model " + f.def.through_model);
    std::vector<RecordView> joins;
    RETURN_IF_ERROR(CollectMatches(ctx, *through, IdSetPred(a, parent_ids), &joins));
    auto target_ids = std::make_shared<std::unordered_set<uint64_t>>();
    std::multimap<uint64_t, uint64_t> target_parents;
    for (const auto& j : joins) {
      Value t = j.Get(b->id());
      if (t.is_null()) continue;
      target_ids->insert(t.as_id());
      target_parents.emplace(t.as_id(), j.Get(a->id()).as_id());
    }
    BoundFilter both;
    both.kind = BoundFilter::Kind::kAnd;
    both.children.push_back(IdSetPred(rel.FieldById(kIdFieldId), target_ids));
    both.children.push_back(std::move(filter));
    std::vector<RecordView> targets;
    RETURN_IF_ERROR(CollectMatches(ctx, rel, both, &targets));
    for (auto& t : targets) {
      auto [lo, hi] = target_parents.equal_range(t.id());
      std::unordered_set<uint64_t> seen;
      for (auto it = lo; it != hi; ++it) {
        if (seen.insert(it->second).second) groups[it->second].emplace_back(t, PositionOf(sort, t));
      }
    }
  }
  // Page each group, then build every listed record's Node in one batch.
  std::vector<Page> pages(parents.size());
  std::vector<RecordView> all;
  for (size_t i = 0; i < parents.size(); ++i) {
    auto& g = groups[parents[i].id()];
    std::sort(g.begin(), g.end(), [&](const auto& x, const auto& y) {
      return ComparePositions(sort, x.second, y.second) < 0;
    });
    pages[i] = PageOfSorted(g, sort, pargs);
    all.insert(all.end(), pages[i].records.begin(), pages[i].records.end());
  }
  ASSIGN_OR_RETURN(std::vector<Node> built, BuildNodes(ctx, *rs.selection, all));
  size_t next = 0;
  for (size_t i = 0; i < parents.size(); ++i) {
    std::vector<Node> mine(std::make_move_iterator(built.begin() + next),
                           std::make_move_iterator(built.begin() + next + pages[i].records.size()));
    next += pages[i].records.size();
    Node::Related r;
    r.field = f.name();
    r.is_list = true;
    r.connection =
        std::make_shared<Connection>(MakeConnection(rel, pages[i], std::move(mine), shape, sort));
    (*nodes)[i].related.push_back(std::move(r));
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<Node>> BuildNodes(ExecContext& ctx, const BoundSelection& sel,
                                     const std::vector<RecordView>& records) {
  const ModelInfo& m = *sel.model;
  const engine::Catalog& cat = ctx.view.catalog();
  std::vector<const FieldInfo*> fields;
  fields.reserve(sel.fields.size());
  for (uint16_t fid : sel.fields) fields.push_back(m.FieldById(fid));
  std::vector<Node> nodes(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    Node& n = nodes[i];
    n.record.model = m.api_identifier;
    n.record.id = records[i].id();
    n.record.fields.reserve(fields.size());
    n.field_types.reserve(fields.size());
    records[i].GetEach(sel.fields, [&](size_t k, Value v) {
      n.record.fields.emplace_back(fields[k]->name(), std::move(v));
      n.field_types.push_back(fields[k]->type());
    });
  }
  for (const auto& rs : sel.related) {
    const FieldInfo& f = *rs.field;
    const ModelInfo& rel = *rs.selection->model;
    if (f.type() == FieldType::kHasMany || f.type() == FieldType::kHasManyThrough) {
      RETURN_IF_ERROR(LoadLists(ctx, cat, m, rs, records, &nodes));
      continue;
    }
    std::vector<RecordView> targets;
    std::vector<std::optional<size_t>> target_of(records.size());  // index into targets
    if (f.type() == FieldType::kBelongsTo) {
      std::vector<uint64_t> ids;
      std::unordered_map<uint64_t, size_t> slot;
      for (const auto& r : records) {
        Value v = r.Get(f.id());
        if (!v.is_null() && slot.emplace(v.as_id(), ids.size()).second) ids.push_back(v.as_id());
      }
      std::vector<std::optional<RecordView>> got;
      RETURN_IF_ERROR(ctx.view.MultiGetRecords(rel, ids, &got));
      std::unordered_map<uint64_t, size_t> found;
      for (auto& g : got) {
        if (!g) continue;
        ++ctx.records_read;
        found[g->id()] = targets.size();
        targets.push_back(std::move(*g));
      }
      for (size_t i = 0; i < records.size(); ++i) {
        Value v = records[i].Get(f.id());
        if (v.is_null()) continue;
        auto it = found.find(v.as_id());
        if (it != found.end()) target_of[i] = it->second;
      }
    } else {  // hasOne: the child (lowest id) whose inverse belongsTo points at the parent
      const FieldInfo* inv = rel.FindField(f.def.inverse_field);
      if (!inv) return Status(Code::kInternal, "missing inverse field " + f.def.inverse_field);
      auto parent_ids = std::make_shared<std::unordered_set<uint64_t>>();
      for (const auto& r : records) parent_ids->insert(r.id());
      RETURN_IF_ERROR(CollectMatches(ctx, rel, IdSetPred(inv, parent_ids), &targets));
      std::unordered_map<uint64_t, size_t> first;
      for (size_t t = 0; t < targets.size(); ++t)
        first.emplace(targets[t].Get(inv->id()).as_id(), t);
      for (size_t i = 0; i < records.size(); ++i) {
        auto it = first.find(records[i].id());
        if (it != first.end()) target_of[i] = it->second;
      }
    }
    ASSIGN_OR_RETURN(std::vector<Node> built, BuildNodes(ctx, *rs.selection, targets));
    std::vector<std::shared_ptr<Node>> shared;
    for (auto& b : built) shared.push_back(std::make_shared<Node>(std::move(b)));
    for (size_t i = 0; i < records.size(); ++i) {
      Node::Related r;
      r.field = f.name();
      if (target_of[i]) r.object = shared[*target_of[i]];
      nodes[i].related.push_back(std::move(r));
    }
  }
  return nodes;
}

}  // namespace actiondb::query
