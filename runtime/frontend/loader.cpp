#include "frontend/loader.h"

#include <map>

#include "base/limits.h"
#include "frontend/front_end.h"

namespace calm {

LoadResult load_programs(const LoadOptions& options) {
  LoadResult result;
  if (!options.lang.empty() && !find_front_end(options.lang)) {
    result.diagnostics.error(
        "calm-io-error", "unknown language '" + options.lang + "' (" + front_end_names() + ")", {});
    return result;
  }
  // Each front end reads its files, in the order of the table.
  std::map<const FrontEnd*, std::vector<std::string>> by_front_end;
  for (const auto& f : options.files) by_front_end[&front_end_for(f, options.lang)].push_back(f);
  for (const FrontEnd& fe : front_ends())
    if (auto it = by_front_end.find(&fe); it != by_front_end.end())
      fe.load(it->second, options, result);
  return result;
}

}  // namespace calm
