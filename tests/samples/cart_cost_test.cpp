// The paper's cart comparison (CIDR 2011, section 5.4) as a golden table: the
// destructive cart pays distributed coordination per shopping action, the disorderly
// cart only once per checkout. `CALM_UPDATE_GOLDEN=1` rewrites tests/golden/cart_costs.txt.

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "frontend/loader.h"
#include "reporters/cost_summary.h"

namespace fs = std::filesystem;

TEST_CASE("golden: coordination cost of the destructive and disorderly carts") {
  const fs::path root = CALM_SOURCE_DIR;
  const std::pair<const char*, const char*> carts[] = {
      {"samples/cart/destructive_cart.rb", "DestructiveCartServer"},
      {"samples/cart/disorderly_cart.rb", "DisorderlyCartServer"},
      {"samples/cart/paper2011/destructive_cart_2011.rb", "DestructiveCartServer"},
      {"samples/cart/paper2011/disorderly_cart_2011.rb", "ReplicatedDisorderlyCart"},
  };
  std::string table;
  for (auto [file, module] : carts) {
    calm::LoadOptions o;
    o.files = {(root / file).string()};
    o.modules = {module};
    calm::LoadResult r = calm::load_programs(o);
    REQUIRE(r.programs.size() == 1);
    table += std::string("# ") + file + "\n" + calm::cost_summary_text(r.programs) + "\n";
  }
  const fs::path golden = root / "tests" / "golden" / "cart_costs.txt";
  const char* update = std::getenv("CALM_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(golden) << table;
    MESSAGE("rewrote " << golden.string());
    return;
  }
  std::ifstream in(golden);
  REQUIRE_MESSAGE(in, golden.string() << " is missing; run with CALM_UPDATE_GOLDEN=1");
  std::stringstream want;
  want << in.rdbuf();
  CHECK(table == want.str());
}
