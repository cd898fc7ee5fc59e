// `calm graph` and `calm html` under valgrind: no definite or indirect leak and no
// memory error in calm's code. tests/viz/graphviz.supp suppresses what fontconfig,
// pango, cairo, glib and Graphviz's gvconfig() keep (not ours to free). Skipped when
// valgrind is absent, and in sanitizer builds (valgrind cannot run them).

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "support/viz_support.h"

namespace fs = std::filesystem;

TEST_CASE("calm graph and calm html are valgrind-clean") {
#if defined(__SANITIZE_ADDRESS__)
  std::cout << "valgrind test skipped: sanitizer build\n";
  return;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  std::cout << "valgrind test skipped: sanitizer build\n";
  return;
#endif
#endif
  if (!fs::exists("/usr/bin/valgrind")) {
    std::cout << "valgrind test skipped: /usr/bin/valgrind is absent\n";
    return;
  }
  fs::path d = calm::viz::test::temp_dir("valgrind");
  const std::string supp = calm::viz::test::source_dir() + "/tests/viz/graphviz.supp";
  for (const std::string& args :
       {"graph samples/kvs/kvs.rb -o " + (d / "x.svg").string(),
        "graph samples/kvs/paper2011/kvs_2011.rb -m BasicKVS --expanded --legend -o " +
            (d / "x.png").string(),
        "html samples/kvs/paper2011/kvs_2011.rb -m BasicKVS -o " + (d / "x.html").string()}) {
    CAPTURE(args);
    fs::path log = d / "valgrind.log";
    std::string cmd = "cd '" + calm::viz::test::source_dir() +
                      "' && valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect"
                      " --error-exitcode=99 --suppressions='" +
                      supp + "' '" + CALM_BINARY + "' " + args + " > '" + log.string() + "' 2>&1";
    int st = std::system(cmd.c_str());
    int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    CHECK_MESSAGE(rc == 0, calm::viz::test::read_text(log));
  }
  fs::remove_all(d);
}
