// The check table: stable kebab-case ids, each with a doc page that has a Limitations
// section.

#include "checks/check_registry.h"

#include "checks/loader_findings.h"
#include "support/check_test_support.h"

namespace calm::test {
namespace {

TEST_CASE("every check has a stable id and a doc page with Limitations") {
  std::set<std::string> ids;
  for (const auto& e : check_table()) {
    std::string id = e.id;
    INFO(id);
    CHECK(ids.insert(id).second);
    CHECK(id.rfind("calm-", 0) == 0);
    CHECK(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") == std::string::npos);
    CHECK(find_check(id) == &e);
    fs::path doc = fs::path(CALM_SOURCE_DIR) / "docs" / "checks" / (id + ".md");
    REQUIRE(fs::exists(doc));
    std::string text = slurp(doc);
    CHECK(text.rfind("# " + id + "\n", 0) == 0);
    CHECK(text.find("\n## Limitations\n") != std::string::npos);
    CHECK(text.find("\n## How to fix it\n") != std::string::npos);
  }
  CHECK(find_check("calm-no-such-check") == nullptr);
  for (const auto& id : loader_check_ids()) CHECK(find_check(id) == nullptr);
}

}  // namespace
}  // namespace calm::test
