// Catalog: lookup, FlatBuffers persistence, and planning of schema changes.
#include "engine/catalog.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "catalog_generated.h"
#include "engine/json_value.h"

namespace actiondb::engine {

namespace {

FieldInfo SystemField(const char* name, FieldType type, uint16_t id) {
  FieldInfo f;
  f.def.api_identifier = name;
  f.def.type = type;
  f.def.id = id;
  f.kind = KindOf(type, false);
  return f;
}

std::vector<FieldInfo> SystemFields() {
  return {SystemField("id", FieldType::kId, kIdFieldId),
          SystemField("createdAt", FieldType::kDateTime, kCreatedAtFieldId),
          SystemField("updatedAt", FieldType::kDateTime, kUpdatedAtFieldId),
          SystemField("state", FieldType::kRecordState, kStateFieldId)};
}

Status Bad(const std::string& msg) { return Status(Code::kInvalidSchema, msg); }

}  // namespace

bool Indexable(FieldType type, bool enum_multi) {
  switch (type) {
    case FieldType::kString:
    case FieldType::kNumber:
    case FieldType::kBoolean:
    case FieldType::kDateTime:
    case FieldType::kEmail:
    case FieldType::kUrl:
    case FieldType::kBelongsTo:
    case FieldType::kRecordState:
    case FieldType::kRichText:
      return true;
    case FieldType::kEnum:
      return !enum_multi;
    default:
      return false;
  }
}

bool IndexedByDefault(FieldType type, bool enum_multi) {
  return Indexable(type, enum_multi) && type != FieldType::kRichText;
}

const FieldInfo* ModelInfo::FindField(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.def.api_identifier == name) return &f;
  }
  return nullptr;
}

const FieldInfo* ModelInfo::FieldById(uint16_t field_id) const {
  for (const auto& f : fields) {
    if (f.def.id == field_id) return &f;
  }
  return nullptr;
}

const IndexInfo* ModelInfo::IndexById(uint32_t index_id) const {
  for (const auto& i : indexes) {
    if (i.id == index_id) return &i;
  }
  return nullptr;
}

const IndexInfo* ModelInfo::SingleFieldIndex(uint16_t field_id) const {
  for (const auto& i : indexes) {
    if (i.state == IndexState::kReady && i.field_ids.size() == 1 && i.field_ids[0] == field_id) {
      return &i;
    }
  }
  return nullptr;
}

bool ModelInfo::IsIndexed(uint16_t field_id) const {
  for (const auto& i : indexes) {
    for (uint16_t f : i.field_ids) {
      if (f == field_id) return true;
    }
  }
  return false;
}

void Catalog::Derive() {
  for (ModelInfo& m : models) {
    m.counter_fields.clear();
    m.record_field_ids.clear();
    m.record_field_pos.clear();
    for (size_t i = 0; i < m.fields.size(); ++i) {
      const FieldInfo& f = m.fields[i];
      if (!f.stored() || f.type() == FieldType::kPassword) continue;
      m.record_field_ids.push_back(f.id());
      m.record_field_pos.push_back(static_cast<uint32_t>(i));
    }
    for (const auto& f : m.fields) {
      if (f.def.type != FieldType::kNumber) continue;
      bool ready = false;
      for (const auto& i : m.indexes) {
        for (uint16_t fid : i.field_ids) {
          ready = ready || (fid == f.def.id && i.state == IndexState::kReady);
        }
      }
      if (!ready) m.counter_fields.push_back(f.def.id);
    }
  }
}

const ModelInfo* Catalog::FindModel(std::string_view name) const {
  for (const auto& m : models) {
    if (m.api_identifier == name) return &m;
  }
  return nullptr;
}

const ModelInfo* Catalog::FindModelById(uint32_t id) const {
  for (const auto& m : models) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

Result<const ModelInfo*> Catalog::GetModel(std::string_view name) const {
  const ModelInfo* m = FindModel(name);
  if (!m) return Status(Code::kUnknownModel, "unknown model \"" + std::string(name) + "\"");
  return m;
}

Schema Catalog::ToSchema() const {
  Schema s;
  for (const auto& m : models) {
    ModelDef md;
    md.api_identifier = m.api_identifier;
    md.plural = m.plural;
    md.id = m.id;
    for (const auto& f : m.fields) {
      if (f.def.id < kFirstUserFieldId) continue;
      md.fields.push_back(f.def);
    }
    md.indexes = m.declared_indexes;
    s.models.push_back(std::move(md));
  }
  s.synonyms = synonyms;
  return s;
}

// ---- persistence ----

std::string Catalog::Serialize() const {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::Model>> model_offs;
  for (const auto& m : models) {
    std::vector<flatbuffers::Offset<fb::Field>> field_offs;
    for (const auto& fi : m.fields) {
      if (fi.def.id < kFirstUserFieldId) continue;
      const FieldDef& f = fi.def;
      auto regex = f.validations.regex ? fbb.CreateString(*f.validations.regex) : 0;
      fb::ValidationsBuilder vb(fbb);
      vb.add_required(f.validations.required);
      vb.add_unique(f.validations.unique);
      vb.add_min_length(f.validations.min_length ? static_cast<int32_t>(*f.validations.min_length)
                                                 : -1);
      vb.add_max_length(f.validations.max_length ? static_cast<int32_t>(*f.validations.max_length)
                                                 : -1);
      if (f.validations.regex) vb.add_regex(regex);
      vb.add_has_min_value(f.validations.min_value.has_value());
      vb.add_min_value(f.validations.min_value.value_or(0));
      vb.add_has_max_value(f.validations.max_value.has_value());
      vb.add_max_value(f.validations.max_value.value_or(0));
      auto val = vb.Finish();
      auto name = fbb.CreateString(f.api_identifier);
      auto def = f.default_value ? fbb.CreateString(ValueToJson(*f.default_value).dump()) : 0;
      auto opts = fbb.CreateVectorOfStrings(f.enum_options);
      auto rel = fbb.CreateString(f.related_model);
      auto inv = fbb.CreateString(f.inverse_field);
      auto thr = fbb.CreateString(f.through_model);
      auto thf = fbb.CreateString(f.through_field);
      fb::FieldBuilder fbld(fbb);
      fbld.add_id(f.id);
      fbld.add_api_identifier(name);
      fbld.add_type(static_cast<uint8_t>(f.type));
      fbld.add_validations(val);
      if (f.default_value) fbld.add_default_json(def);
      fbld.add_enum_options(opts);
      fbld.add_enum_multi(f.enum_multi);
      fbld.add_related_model(rel);
      fbld.add_inverse_field(inv);
      fbld.add_through_model(thr);
      fbld.add_through_field(thf);
      fbld.add_indexed(f.indexed ? (*f.indexed ? 1 : 0) : -1);
      field_offs.push_back(fbld.Finish());
    }
    std::vector<flatbuffers::Offset<fb::Index>> index_offs;
    for (const auto& ix : m.indexes) {
      auto name = fbb.CreateString(ix.name);
      auto fids = fbb.CreateVector(ix.field_ids);
      fb::IndexBuilder ib(fbb);
      ib.add_id(ix.id);
      ib.add_name(name);
      ib.add_field_ids(fids);
      ib.add_unique(ix.unique);
      ib.add_state(ix.state == IndexState::kReady ? fb::IndexState::Ready
                                                  : fb::IndexState::Building);
      ib.add_implicit(ix.implicit);
      index_offs.push_back(ib.Finish());
    }
    std::vector<flatbuffers::Offset<fb::DeclaredIndex>> decl_offs;
    for (const auto& d : m.declared_indexes) {
      auto name = fbb.CreateString(d.name);
      auto fields = fbb.CreateVectorOfStrings(d.fields);
      decl_offs.push_back(fb::CreateDeclaredIndex(fbb, name, fields, d.unique));
    }
    auto api = fbb.CreateString(m.api_identifier);
    auto plural = fbb.CreateString(m.plural);
    auto fv = fbb.CreateVector(field_offs);
    auto iv = fbb.CreateVector(index_offs);
    auto dv = fbb.CreateVector(decl_offs);
    model_offs.push_back(fb::CreateModel(fbb, m.id, api, plural, fv, iv, dv));
  }
  std::vector<flatbuffers::Offset<fb::Synonyms>> syn_offs;
  for (const auto& s : synonyms) {
    syn_offs.push_back(fb::CreateSynonyms(fbb, fbb.CreateVectorOfStrings(s.words)));
  }
  auto mv = fbb.CreateVector(model_offs);
  auto sv = fbb.CreateVector(syn_offs);
  fbb.Finish(fb::CreateCatalog(fbb, version, next_model_id, next_field_id, next_index_id, mv, sv));
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

Result<Catalog> Catalog::Deserialize(std::string_view bytes_in) {
  std::string bytes(bytes_in);  // aligned copy
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!verifier.VerifyBuffer<fb::Catalog>(nullptr)) {
    return Status(Code::kInvalidStoredData, "the stored catalog is corrupt");
  }
  const fb::Catalog* c = flatbuffers::GetRoot<fb::Catalog>(bytes.data());
  auto str = [](const flatbuffers::String* s) { return s ? s->str() : std::string(); };
  Catalog out;
  out.version = c->version();
  out.next_model_id = c->next_model_id();
  out.next_field_id = c->next_field_id();
  out.next_index_id = c->next_index_id();
  if (c->models()) {
    for (const fb::Model* m : *c->models()) {
      ModelInfo mi;
      mi.id = m->id();
      mi.api_identifier = str(m->api_identifier());
      mi.plural = str(m->plural());
      mi.fields = SystemFields();
      if (m->fields()) {
        for (const fb::Field* f : *m->fields()) {
          FieldInfo fi;
          FieldDef& d = fi.def;
          d.id = f->id();
          d.api_identifier = str(f->api_identifier());
          d.type = static_cast<FieldType>(f->type());
          if (const fb::Validations* v = f->validations()) {
            d.validations.required = v->required();
            d.validations.unique = v->unique();
            if (v->min_length() >= 0)
              d.validations.min_length = static_cast<uint32_t>(v->min_length());
            if (v->max_length() >= 0)
              d.validations.max_length = static_cast<uint32_t>(v->max_length());
            if (v->regex()) d.validations.regex = v->regex()->str();
            if (v->has_min_value()) d.validations.min_value = v->min_value();
            if (v->has_max_value()) d.validations.max_value = v->max_value();
          }
          if (f->enum_options()) {
            for (const auto* o : *f->enum_options()) d.enum_options.push_back(o->str());
          }
          d.enum_multi = f->enum_multi();
          d.related_model = str(f->related_model());
          d.inverse_field = str(f->inverse_field());
          d.through_model = str(f->through_model());
          d.through_field = str(f->through_field());
          if (f->indexed() >= 0) d.indexed = f->indexed() == 1;
          if (f->default_json()) {
            auto j = nlohmann::json::parse(f->default_json()->str(), nullptr, false);
            if (j.is_discarded())
              return Status(Code::kInvalidStoredData, "corrupt default in catalog");
            auto dv = ValueFromJson(j, d.type, d.enum_multi, d.api_identifier);
            if (!dv.ok()) return Status(Code::kInvalidStoredData, dv.status().message());
            d.default_value = *dv;
          }
          fi.kind = KindOf(d.type, d.enum_multi);
          mi.fields.push_back(std::move(fi));
        }
      }
      if (m->indexes()) {
        for (const fb::Index* ix : *m->indexes()) {
          IndexInfo ii;
          ii.id = ix->id();
          ii.name = str(ix->name());
          if (ix->field_ids())
            ii.field_ids.assign(ix->field_ids()->begin(), ix->field_ids()->end());
          ii.unique = ix->unique();
          ii.state =
              ix->state() == fb::IndexState::Ready ? IndexState::kReady : IndexState::kBuilding;
          ii.implicit = ix->implicit();
          mi.indexes.push_back(std::move(ii));
        }
      }
      if (m->declared_indexes()) {
        for (const fb::DeclaredIndex* d : *m->declared_indexes()) {
          IndexDef def;
          def.name = str(d->name());
          if (d->fields()) {
            for (const auto* s : *d->fields()) def.fields.push_back(s->str());
          }
          def.unique = d->unique();
          mi.declared_indexes.push_back(std::move(def));
        }
      }
      out.models.push_back(std::move(mi));
    }
  }
  if (c->synonyms()) {
    for (const fb::Synonyms* s : *c->synonyms()) {
      SynonymSet set;
      if (s->words()) {
        for (const auto* w : *s->words()) set.words.push_back(w->str());
      }
      out.synonyms.push_back(std::move(set));
    }
  }
  out.Derive();
  return out;
}

// ---- planning ----

namespace {

std::string IndexName(const ModelInfo& m, const std::vector<uint16_t>& fids) {
  std::string name = m.api_identifier + ".";
  for (size_t i = 0; i < fids.size(); ++i) {
    if (i) name += "_";
    const FieldInfo* f = m.FieldById(fids[i]);
    name += f ? f->name() : std::to_string(fids[i]);
  }
  return name;
}

Status ValidateRelationships(const Schema& desired) {
  for (const auto& m : desired.models) {
    for (const auto& f : m.fields) {
      std::string where = "field " + m.api_identifier + "." + f.api_identifier;
      if (f.related_model.empty()) continue;
      const ModelDef* rel = desired.FindModel(f.related_model);
      if (!rel) return Bad(where + ": related model \"" + f.related_model + "\" does not exist");
      if (f.type == FieldType::kHasMany || f.type == FieldType::kHasOne) {
        const FieldDef* inv = rel->FindField(f.inverse_field);
        if (!inv || inv->type != FieldType::kBelongsTo || inv->related_model != m.api_identifier) {
          return Bad(where + ": inverseField \"" + f.inverse_field + "\" must be a belongsTo on " +
                     f.related_model + " pointing at " + m.api_identifier);
        }
      }
      if (f.type == FieldType::kHasManyThrough) {
        const ModelDef* through = desired.FindModel(f.through_model);
        if (!through)
          return Bad(where + ": through model \"" + f.through_model + "\" does not exist");
        const FieldDef* inv = through->FindField(f.inverse_field);
        const FieldDef* thf = through->FindField(f.through_field);
        if (!inv || inv->type != FieldType::kBelongsTo || inv->related_model != m.api_identifier) {
          return Bad(where + ": inverseField \"" + f.inverse_field + "\" must be a belongsTo on " +
                     f.through_model + " pointing at " + m.api_identifier);
        }
        if (!thf || thf->type != FieldType::kBelongsTo || thf->related_model != f.related_model) {
          return Bad(where + ": throughField \"" + f.through_field + "\" must be a belongsTo on " +
                     f.through_model + " pointing at " + f.related_model);
        }
      }
    }
  }
  return Status::OK();
}

}  // namespace

Result<CatalogChange> PlanCatalogChange(const Catalog& current, const Schema& desired) {
  RETURN_IF_ERROR(ValidateRelationships(desired));
  CatalogChange ch;
  Catalog& next = ch.next;
  next.version = current.version + 1;
  next.next_model_id = current.next_model_id;
  next.next_field_id = current.next_field_id;
  next.next_index_id = current.next_index_id;
  next.synonyms = desired.synonyms;

  std::set<uint32_t> kept_models;
  std::set<std::string> seen_models, seen_plurals;
  for (const ModelDef& md : desired.models) {
    if (!seen_models.insert(md.api_identifier).second) {
      return Bad("model " + md.api_identifier + " is declared twice");
    }
    if (!seen_plurals.insert(md.plural).second) {
      return Bad("model " + md.api_identifier + ": plural \"" + md.plural + "\" is used twice");
    }
    const ModelInfo* old = current.FindModel(md.api_identifier);
    if (!old && !md.renamed_from.empty()) old = current.FindModel(md.renamed_from);
    if (old && kept_models.count(old->id)) old = nullptr;
    ModelInfo mi;
    mi.api_identifier = md.api_identifier;
    mi.plural = md.plural;
    if (old) {
      mi.id = old->id;
      kept_models.insert(old->id);
      if (old->api_identifier != md.api_identifier) {
        ch.diff.fields_renamed.push_back("model " + old->api_identifier + " -> " +
                                         md.api_identifier);
      }
    } else {
      mi.id = next.next_model_id++;
      ch.diff.models_added.push_back(md.api_identifier);
    }
    mi.fields = SystemFields();

    std::set<uint16_t> kept_fields;
    std::set<std::string> seen_fields;
    for (const FieldDef& fd : md.fields) {
      std::string where = "field " + md.api_identifier + "." + fd.api_identifier;
      if (!seen_fields.insert(fd.api_identifier).second) return Bad(where + " is declared twice");
      const FieldInfo* of = nullptr;
      if (old) {
        if (fd.id != 0) {
          of = old->FieldById(fd.id);
          if (!of) return Bad(where + ": no existing field has id " + std::to_string(fd.id));
        } else {
          of = old->FindField(fd.api_identifier);
          if (of && of->def.id < kFirstUserFieldId) of = nullptr;
          if (!of && !fd.renamed_from.empty()) of = old->FindField(fd.renamed_from);
          if (of && kept_fields.count(of->def.id)) of = nullptr;
        }
      } else if (fd.id != 0) {
        return Bad(where + ": id " + std::to_string(fd.id) + " does not exist (ids are assigned)");
      }
      FieldInfo fi;
      fi.def = fd;
      fi.def.renamed_from.clear();
      if (of) {
        if (of->def.type != fd.type || of->def.enum_multi != fd.enum_multi) {
          return Bad(where + ": changing a field's type (" + FieldTypeName(of->def.type) + " to " +
                     FieldTypeName(fd.type) + ") is not supported; add a new field instead");
        }
        fi.def.id = of->def.id;
        kept_fields.insert(of->def.id);
        if (of->def.api_identifier != fd.api_identifier) {
          ch.diff.fields_renamed.push_back(md.api_identifier + "." + of->def.api_identifier +
                                           " -> " + md.api_identifier + "." + fd.api_identifier);
        }
        FieldDef a = of->def, b = fi.def;
        a.api_identifier = b.api_identifier;
        a.renamed_from.clear();
        if (!(a == b))
          ch.diff.fields_changed.push_back(md.api_identifier + "." + fd.api_identifier);
      } else {
        if (next.next_field_id == 0xFFFF) return Bad("too many fields (65,519 ever created)");
        fi.def.id = next.next_field_id++;
        ch.diff.fields_added.push_back(md.api_identifier + "." + fd.api_identifier);
      }
      if (fd.indexed.value_or(false) && !Indexable(fd.type, fd.enum_multi)) {
        return Bad(where + ": a " + std::string(FieldTypeName(fd.type)) +
                   " field cannot be indexed");
      }
      if (fd.validations.unique && !Indexable(fd.type, fd.enum_multi)) {
        return Bad(where + ": a " + std::string(FieldTypeName(fd.type)) +
                   " field cannot be unique");
      }
      if (fd.default_value && fd.type == FieldType::kEnum) {
        const Value& dv = *fd.default_value;
        std::vector<std::string> vals = dv.kind() == ValueKind::kStringList
                                            ? dv.as_list()
                                            : std::vector<std::string>{dv.as_string()};
        for (const auto& v : vals) {
          if (std::find(fd.enum_options.begin(), fd.enum_options.end(), v) ==
              fd.enum_options.end()) {
            return Bad(where + ": default \"" + v + "\" is not one of the options");
          }
        }
      }
      fi.kind = KindOf(fd.type, fd.enum_multi);
      mi.fields.push_back(std::move(fi));
    }
    if (old) {
      for (const auto& of : old->fields) {
        if (of.def.id >= kFirstUserFieldId && !kept_fields.count(of.def.id)) {
          ch.diff.fields_removed.push_back(md.api_identifier + "." + of.def.api_identifier);
        }
      }
    }

    // Desired indexes: (field ids, unique) -> implicit?
    struct Want {
      std::vector<uint16_t> fids;
      bool unique;
      bool implicit;
    };
    std::vector<Want> wants;
    auto add_want = [&](std::vector<uint16_t> fids, bool unique, bool implicit) {
      for (auto& w : wants) {
        if (w.fids == fids && w.unique == unique) return;
      }
      wants.push_back({std::move(fids), unique, implicit});
    };
    add_want({kCreatedAtFieldId}, false, true);
    add_want({kUpdatedAtFieldId}, false, true);
    add_want({kStateFieldId}, false, true);
    for (const auto& fi : mi.fields) {
      if (fi.def.id < kFirstUserFieldId) continue;
      const FieldDef& d = fi.def;
      if (d.validations.unique) {
        add_want({d.id}, true, true);
      } else if (d.indexed.value_or(IndexedByDefault(d.type, d.enum_multi))) {
        add_want({d.id}, false, true);
      }
    }
    for (const IndexDef& decl : md.indexes) {
      std::vector<uint16_t> fids;
      for (const auto& fname : decl.fields) {
        const FieldInfo* f = mi.FindField(fname);
        std::string where = "model " + md.api_identifier + " index on " + fname;
        if (!f) return Bad(where + ": no such field");
        if (!Indexable(f->def.type, f->def.enum_multi) && f->def.id != kIdFieldId) {
          return Bad(where + ": a " + std::string(FieldTypeName(f->def.type)) +
                     " field cannot be indexed");
        }
        if (f->def.id == kIdFieldId) return Bad(where + ": id is always indexed; leave it out");
        fids.push_back(f->def.id);
      }
      std::set<uint16_t> uniq(fids.begin(), fids.end());
      if (uniq.size() != fids.size())
        return Bad("model " + md.api_identifier + ": an index names a field twice");
      add_want(fids, decl.unique, false);
      mi.declared_indexes.push_back(decl);
    }
    for (const Want& w : wants) {
      IndexInfo ii;
      ii.field_ids = w.fids;
      ii.unique = w.unique;
      ii.implicit = w.implicit;
      const IndexInfo* oi = nullptr;
      if (old) {
        for (const auto& x : old->indexes) {
          if (x.field_ids == w.fids && x.unique == w.unique) oi = &x;
        }
      }
      if (oi) {
        ii.id = oi->id;
        ii.state = oi->state;
      } else {
        ii.id = next.next_index_id++;
        ii.state = IndexState::kBuilding;
        ch.new_index_ids.push_back(ii.id);
      }
      ii.name = IndexName(mi, w.fids);
      if (!w.implicit) {
        for (const auto& decl : md.indexes) {
          std::vector<uint16_t> fids;
          for (const auto& fname : decl.fields) fids.push_back(mi.FindField(fname)->def.id);
          if (fids == w.fids && decl.unique == w.unique && !decl.name.empty()) ii.name = decl.name;
        }
      }
      if (ii.unique) ii.name += " (unique)";
      if (!oi) ch.diff.indexes_added.push_back(ii.name);
      mi.indexes.push_back(std::move(ii));
    }
    if (old) {
      for (const auto& x : old->indexes) {
        bool kept = false;
        for (const auto& y : mi.indexes) kept = kept || y.id == x.id;
        if (!kept) {
          ch.dropped_index_ids.push_back(x.id);
          ch.diff.indexes_dropped.push_back(x.name);
        }
      }
    }
    next.models.push_back(std::move(mi));
  }
  for (const auto& m : current.models) {
    if (!kept_models.count(m.id)) {
      ch.diff.models_removed.push_back(m.api_identifier);
      ch.dropped_model_ids.push_back(m.id);
      for (const auto& x : m.indexes) ch.dropped_index_ids.push_back(x.id);
    }
  }
  if (current.synonyms != desired.synonyms) ch.diff.fields_changed.push_back("synonyms");
  next.Derive();
  return ch;
}

}  // namespace actiondb::engine
