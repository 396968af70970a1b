// FindMany for batch loops inside the engine (not part of the public API).
#pragma once

#include <string_view>

#include "actiondb/query.h"
#include "engine/store.h"

namespace actiondb::query {

// FindMany (`request.first` / `after` paging) without the probe behind the page: the
// connection's hasPreviousPage is always false. For loops that walk a whole result forward and
// delete what they read (deleteMany): behind their cursor no match is left, and the probe would
// walk the scan back to the start of the model on every page (quadratic in the model's size).
// `explain`, when given, receives the plan and counters as Explain's would.
Result<Connection> FindManyForward(engine::ReadView& view, std::string_view model,
                                   const FindRequest& request, Explanation* explain = nullptr);

}  // namespace actiondb::query
