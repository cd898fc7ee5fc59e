// `cmake --install BUILD --prefix P` puts the binary, the man page and the documentation
// where the README says: P/bin/calm, P/share/man/man1/calm.1, P/share/doc/calm/.

#include <doctest/doctest.h>

#include "support/docs_support.h"

namespace calm::docs_test {
namespace {

TEST_CASE("cmake --install installs calm, its man page and its documentation") {
  TempDir prefix("install");
  const auto install = calm::test::run_command(shell_quote(CALM_CMAKE_COMMAND) + " --install " +
                                               shell_quote(CALM_BUILD_DIR) + " --prefix " +
                                               shell_quote(prefix.path().string()) + " 2>&1");
  REQUIRE_MESSAGE(install.status == 0, install.out);

  const fs::path p = prefix.path();
  const auto version =
      calm::test::run_command(shell_quote((p / "bin" / "calm").string()) + " --version 2>&1");
  CHECK(version.status == 0);
  CHECK(version.out == std::string("calm ") + CALM_PROJECT_VERSION + "\n");

  const fs::path man = p / "share" / "man" / "man1" / "calm.1";
  REQUIRE(fs::exists(man));
  CHECK(read_text(man) == read_text(source_dir() / "docs" / "calm.1"));

  const fs::path doc = p / "share" / "doc" / "calm";
  for (const char* f :
       {"guide.md", "architecture.md", "report.md", "report.schema.json", "findings.md",
        "findings.schema.json", "ci.md", "diagrams.md", "checks/calm-point-of-order.md",
        "images/guide/basic_kvs.svg", "LICENSE.tree-sitter-ruby"})
    CHECK_MESSAGE(fs::is_regular_file(doc / f), "missing share/doc/calm/" << f);
  // Every page of docs/ is installed.
  for (const auto& e : fs::recursive_directory_iterator(source_dir() / "docs")) {
    if (e.path().extension() != ".md") continue;
    const fs::path rel = fs::relative(e.path(), source_dir() / "docs");
    CHECK_MESSAGE(fs::is_regular_file(doc / rel), "missing share/doc/calm/" << rel.string());
  }
}

}  // namespace
}  // namespace calm::docs_test
