// The public finders (include/actiondb/query.h): bind → resolve → plan → execute → page →
// select, all against one ReadView.
#include "actiondb/query.h"

#include <optional>
#include <unordered_set>

#include "engine/store.h"
#include "query/bind.h"
#include "query/execute.h"
#include "query/find_forward.h"
#include "query/plan.h"
#include "query/search.h"
#include "query/select.h"

namespace actiondb {

using engine::ModelInfo;
using engine::ReadView;
using engine::RecordView;
using query::BoundFilter;
using query::BoundSort;
using query::ExecContext;

namespace {

struct Prepared {
  const ModelInfo* model = nullptr;
  BoundFilter filter;
  BoundSort sort;
  bool ranked = false;  // a search without an explicit sort: relevance order
  std::shared_ptr<query::BoundSelection> selection;
  std::string shape;
};

Result<Prepared> Prepare(ReadView& view, std::string_view model, const FindRequest& req,
                         bool with_filter) {
  Prepared p;
  ASSIGN_OR_RETURN(p.model, view.catalog().GetModel(model));
  if (with_filter) {
    std::string filter_text, sort_text;
    ASSIGN_OR_RETURN(p.filter,
                     query::BindFilter(view.catalog(), *p.model, req.filter, &filter_text));
    ASSIGN_OR_RETURN(p.sort, query::BindSort(*p.model, req.sort, &sort_text));
    p.shape = query::QueryShape(*p.model, filter_text, sort_text);
    if (!req.search.empty()) {
      // The search string is part of the query shape: a cursor only pages its own search.
      p.shape += "\nsearch:" + req.search;
      if (req.sort.empty()) {
        p.sort = query::RelevanceSort(*p.model);
        p.ranked = true;
      }
    }
  }
  ASSIGN_OR_RETURN(p.selection,
                   query::BindSelection(view.catalog(), *p.model, req.select, req.related_args));
  return p;
}

struct Run {
  query::Page page;
  query::Plan plan;
  ExecContext ctx;
};

Result<Connection> FindManyImpl(ReadView& view, std::string_view model, const FindRequest& req,
                                int max_page, Explanation* explain, bool probe_behind = true) {
  ASSIGN_OR_RETURN(Prepared p, Prepare(view, model, req, true));
  ASSIGN_OR_RETURN(query::PageArgs args,
                   query::MakePageArgs(req, max_page, p.shape, p.sort, *p.model));
  args.probe_behind = probe_behind;
  ExecContext ctx{view};
  RETURN_IF_ERROR(query::ResolveRelations(ctx, *p.model, &p.filter));
  std::optional<query::SearchOutcome> found;
  if (!req.search.empty()) {
    // A ranked page first tries the typo-free matches alone (they rank above every typo'd one)
    // when they look like enough for the page and the look behind or ahead of it; not when it
    // starts among the typo'd ones (after a typo'd match's cursor, or `last` from the end).
    const size_t typo_free_first = p.ranked && !query::RankedPageStartsAmongTypos(args)
                                       ? static_cast<size_t>(args.limit) + 1
                                       : 0;
    ASSIGN_OR_RETURN(query::SearchOutcome o,
                     query::RunSearch(ctx, *p.model, req.search, typo_free_first));
    found = std::move(o);
  }
  query::Page page;
  if (p.ranked) {
    // Relevance order: every match is scored; the page is partially sorted out of the hits after
    // the cursor, reading (and filtering) only the records popped for it. When the typo-free
    // matches did not settle the page, again with the typo expansions.
    bool incomplete = false;
    ASSIGN_OR_RETURN(page, query::RunRankedPage(ctx, *p.model, found->hits, p.filter, p.sort, args,
                                                found->typos_skipped ? &incomplete : nullptr));
    if (incomplete) {
      ASSIGN_OR_RETURN(query::SearchOutcome o, query::RunSearch(ctx, *p.model, req.search));
      o.description += "; searched again with typos: the typo-free tier did not settle the page";
      found = std::move(o);
      ASSIGN_OR_RETURN(page,
                       query::RunRankedPage(ctx, *p.model, found->hits, p.filter, p.sort, args));
    } else if (found->typos_skipped) {
      found->description += "; typo expansion skipped: the typo-free matches settle the page";
    }
    if (explain) {
      explain->access_path = "search";
      explain->index = "fts";
      explain->range = "";
      explain->residual = p.filter.kind == BoundFilter::Kind::kTrue ? "" : p.filter.ToString();
      explain->sort = p.sort.ToString() + " (ranked: top-k partial sort of the matches)";
    }
  } else {
    if (found) {
      // An explicit sort overrides relevance: the matches are an id set ANDed to the filter.
      BoundFilter in_search;
      in_search.kind = BoundFilter::Kind::kPredicate;
      in_search.field = p.model->FieldById(kIdFieldId);
      in_search.field_id = kIdFieldId;
      in_search.op = query::Op::kInIdSet;
      auto ids = std::make_shared<std::unordered_set<uint64_t>>();
      for (const auto& h : found->hits) ids->insert(h.id);
      in_search.id_set = std::move(ids);
      BoundFilter both;
      both.kind = BoundFilter::Kind::kAnd;
      both.children.push_back(std::move(in_search));
      if (p.filter.kind != BoundFilter::Kind::kTrue) both.children.push_back(std::move(p.filter));
      p.filter = std::move(both);
    }
    query::Plan plan = query::MakePlan(*p.model, p.filter, p.sort, explain != nullptr);
    ASSIGN_OR_RETURN(page, query::RunPage(ctx, *p.model, plan, p.sort, args));
    if (explain) {
      explain->access_path = (found ? "search + " : "") + plan.AccessName();
      explain->index = plan.access.index ? plan.access.index->name : "";
      explain->range = plan.access.description;
      explain->residual =
          plan.residual.kind == BoundFilter::Kind::kTrue ? "" : plan.residual.ToString();
      explain->sort = p.sort.ToString() + (plan.ordered ? " (scan order)" : " (sorted in memory)");
    }
  }
  if (explain) {
    if (found) {
      explain->search = found->description;
      explain->search_postings_read = found->postings_read;
      explain->search_matches = found->hits.size();
    }
    explain->keys_scanned = ctx.keys_scanned;
    explain->records_read = ctx.records_read;
    explain->records_returned = page.records.size();
  }
  ASSIGN_OR_RETURN(std::vector<Node> nodes, query::BuildNodes(ctx, *p.selection, page.records));
  return query::MakeConnection(*p.model, page, std::move(nodes), p.shape, p.sort);
}

Status NotFound(const ModelInfo& m, const std::string& what) {
  return Status(Code::kRecordNotFound, m.api_identifier + ": no record " + what);
}

}  // namespace

std::string Explanation::ToString() const {
  std::string s = "access: " + access_path;
  if (!index.empty()) s += " on " + index;
  s += "\nrange: " + range;
  s += "\nresidual: " + (residual.empty() ? std::string("none") : residual);
  s += "\nsort: " + sort;
  if (!search.empty()) {
    s += "\nsearch: " + search + "\nsearch matches: " + std::to_string(search_matches) +
         ", postings read: " + std::to_string(search_postings_read);
  }
  s += "\nkeys scanned: " + std::to_string(keys_scanned) +
       ", records read: " + std::to_string(records_read) +
       ", records returned: " + std::to_string(records_returned) + "\n";
  return s;
}

Result<std::optional<Node>> MaybeFindOne(ReadView& view, std::string_view model, uint64_t id,
                                         const FindRequest& request) {
  ASSIGN_OR_RETURN(Prepared p, Prepare(view, model, request, false));
  ASSIGN_OR_RETURN(std::optional<RecordView> r, view.GetRecord(*p.model, id));
  if (!r) return std::optional<Node>();
  ExecContext ctx{view};
  ASSIGN_OR_RETURN(std::vector<Node> nodes, query::BuildNodes(ctx, *p.selection, {*r}));
  return std::optional<Node>(std::move(nodes[0]));
}

Result<Node> FindOne(ReadView& view, std::string_view model, uint64_t id,
                     const FindRequest& request) {
  ASSIGN_OR_RETURN(std::optional<Node> n, MaybeFindOne(view, model, id, request));
  if (!n) {
    ASSIGN_OR_RETURN(const ModelInfo* m, view.catalog().GetModel(model));
    return NotFound(*m, "with id " + std::to_string(id));
  }
  return std::move(*n);
}

Result<Connection> FindMany(ReadView& view, std::string_view model, const FindRequest& request) {
  return FindManyImpl(view, model, request, kMaxRootPageSize, nullptr);
}

namespace query {

Result<Connection> FindManyForward(ReadView& view, std::string_view model,
                                   const FindRequest& request, Explanation* explain) {
  return FindManyImpl(view, model, request, kMaxRootPageSize, explain, /*probe_behind=*/false);
}

}  // namespace query

Result<std::optional<Node>> MaybeFindFirst(ReadView& view, std::string_view model,
                                           const FindRequest& request) {
  FindRequest r = request;
  r.first = 1;
  r.last.reset();
  r.after.clear();
  r.before.clear();
  ASSIGN_OR_RETURN(Connection c, FindMany(view, model, r));
  if (c.edges.empty()) return std::optional<Node>();
  return std::optional<Node>(std::move(c.edges[0].node));
}

Result<Node> FindFirst(ReadView& view, std::string_view model, const FindRequest& request) {
  ASSIGN_OR_RETURN(std::optional<Node> n, MaybeFindFirst(view, model, request));
  if (!n) {
    ASSIGN_OR_RETURN(const ModelInfo* m, view.catalog().GetModel(model));
    return NotFound(*m, "matches the filter");
  }
  return std::move(*n);
}

Result<Node> FindBy(ReadView& view, std::string_view model, std::string_view field,
                    const Value& value, const FindRequest& request) {
  ASSIGN_OR_RETURN(Prepared p, Prepare(view, model, request, false));
  const ModelInfo& m = *p.model;
  const engine::FieldInfo* f = m.FindField(field);
  if (!f)
    return Status(Code::kUnknownField,
                  m.api_identifier + "." + std::string(field) + ": unknown field");
  if (f->id() != kIdFieldId && !f->def.validations.unique) {
    return Status(Code::kInvalidArgument,
                  m.api_identifier + "." + f->name() + ": findBy needs a unique field");
  }
  ValueKind want = f->id() == kIdFieldId ? ValueKind::kId : f->kind;
  if (value.kind() != want) {
    return Status(Code::kInvalidArgument, m.api_identifier + "." + f->name() + ": expects a " +
                                              ValueKindName(want) + " value, got " +
                                              value.DebugString());
  }
  BoundFilter eq;
  eq.kind = BoundFilter::Kind::kPredicate;
  eq.field = f;
  eq.field_id = f->id();
  eq.op = query::Op::kEquals;
  eq.value = value;
  ASSIGN_OR_RETURN(BoundSort sort, query::BindSort(m, ""));
  query::Plan plan = query::MakePlan(m, eq, sort);
  ExecContext ctx{view};
  query::PageArgs args;
  args.limit = 2;
  ASSIGN_OR_RETURN(query::Page page, query::RunPage(ctx, m, plan, sort, args));
  if (page.records.empty()) return NotFound(m, "with " + f->name() + " = " + value.DebugString());
  if (page.records.size() > 1) {
    return Status(Code::kNonUniqueData, m.api_identifier + "." + f->name() +
                                            ": more than one record has " + value.DebugString());
  }
  ASSIGN_OR_RETURN(std::vector<Node> nodes, query::BuildNodes(ctx, *p.selection, page.records));
  return std::move(nodes[0]);
}

Result<Explanation> Explain(ReadView& view, std::string_view model, const FindRequest& request) {
  Explanation e;
  ASSIGN_OR_RETURN(Connection c, FindManyImpl(view, model, request, kMaxRootPageSize, &e));
  (void)c;
  return e;
}

// ---- Query: one snapshot per call ----

Result<Node> Query::FindOne(std::string_view model, uint64_t id, const FindRequest& request) {
  auto v = db_.store().NewReadView();
  return actiondb::FindOne(*v, model, id, request);
}
Result<std::optional<Node>> Query::MaybeFindOne(std::string_view model, uint64_t id,
                                                const FindRequest& request) {
  auto v = db_.store().NewReadView();
  return actiondb::MaybeFindOne(*v, model, id, request);
}
Result<Connection> Query::FindMany(std::string_view model, const FindRequest& request) {
  auto v = db_.store().NewReadView();
  return actiondb::FindMany(*v, model, request);
}
Result<Node> Query::FindFirst(std::string_view model, const FindRequest& request) {
  auto v = db_.store().NewReadView();
  return actiondb::FindFirst(*v, model, request);
}
Result<std::optional<Node>> Query::MaybeFindFirst(std::string_view model,
                                                  const FindRequest& request) {
  auto v = db_.store().NewReadView();
  return actiondb::MaybeFindFirst(*v, model, request);
}
Result<Node> Query::FindBy(std::string_view model, std::string_view field, const Value& value,
                           const FindRequest& request) {
  auto v = db_.store().NewReadView();
  return actiondb::FindBy(*v, model, field, value, request);
}
Result<Explanation> Query::Explain(std::string_view model, const FindRequest& request) {
  auto v = db_.store().NewReadView();
  return actiondb::Explain(*v, model, request);
}

Result<FindRequest> NextPage(const FindRequest& request, const Connection& page) {
  if (!page.page_info.has_next_page || !page.page_info.end_cursor) {
    return Status(Code::kInvalidArgument, page.model + ": there is no next page");
  }
  FindRequest r = request;
  r.first = request.first ? request.first : request.last;
  r.last.reset();
  r.before.clear();
  r.after = *page.page_info.end_cursor;
  return r;
}

Result<FindRequest> PreviousPage(const FindRequest& request, const Connection& page) {
  if (!page.page_info.has_previous_page || !page.page_info.start_cursor) {
    return Status(Code::kInvalidArgument, page.model + ": there is no previous page");
  }
  FindRequest r = request;
  r.last = request.last ? request.last : request.first;
  r.first.reset();
  r.after.clear();
  r.before = *page.page_info.start_cursor;
  return r;
}

}  // namespace actiondb
