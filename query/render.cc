// JSON rendering of Nodes and Connections, in the shape of Gadget's GraphQL responses.
#include <nlohmann/json.hpp>

#include "actiondb/query.h"
#include "engine/json_value.h"
#include "engine/rich_text.h"

namespace actiondb {

using json = nlohmann::ordered_json;

namespace {

json ConnectionJson(const Connection& c);

json NodeJson(const Node& n) {
  json j = json::object();
  j["id"] = std::to_string(n.record.id);
  for (size_t i = 0; i < n.record.fields.size(); ++i) {
    const auto& [name, v] = n.record.fields[i];
    FieldType t = i < n.field_types.size() ? n.field_types[i] : FieldType::kString;
    if (t == FieldType::kBelongsTo) {
      j[name + "Id"] = v.is_null() ? json(nullptr) : json(std::to_string(v.as_id()));
    } else if (t == FieldType::kRichText) {
      j[name] = v.is_null() ? json(nullptr)
                            : json{{"markdown", v.as_string()},
                                   {"truncatedHTML", engine::TruncatedHtml(v.as_string())}};
    } else {
      j[name] = json::parse(ValueToJson(v).dump());
    }
  }
  for (const auto& r : n.related) {
    if (r.is_list)
      j[r.field] = r.connection ? ConnectionJson(*r.connection) : json(nullptr);
    else
      j[r.field] = r.object ? NodeJson(*r.object) : json(nullptr);
  }
  return j;
}

json ConnectionJson(const Connection& c) {
  json edges = json::array();
  for (const auto& e : c.edges)
    edges.push_back(json{{"cursor", e.cursor}, {"node", NodeJson(e.node)}});
  const PageInfo& p = c.page_info;
  json page = {{"hasNextPage", p.has_next_page},
               {"hasPreviousPage", p.has_previous_page},
               {"startCursor", p.start_cursor ? json(*p.start_cursor) : json(nullptr)},
               {"endCursor", p.end_cursor ? json(*p.end_cursor) : json(nullptr)}};
  return json{{"edges", std::move(edges)}, {"pageInfo", std::move(page)}};
}

}  // namespace

std::string ConnectionToJson(const Connection& connection, int indent) {
  return ConnectionJson(connection).dump(indent);
}

std::string NodeToJson(const Node& node, int indent) { return NodeJson(node).dump(indent); }

}  // namespace actiondb
