// The HTML report in a real browser: headless Chromium opens a sample's page, runs its
// script and takes a screenshot. Skipped (with the reason printed) when
// /usr/bin/chromium is absent; CI installs it (scripts/deps.sh, TEST_PACKAGES).
//
// Checks: the page loads from file:// with no network; the script ran and found every
// element its points of order point at (data-calm-ready="ok" on <html> in the DOM
// after scripts); no "Uncaught" error or console error in Chromium's log; the
// screenshot is a non-trivial PNG. Set CALM_KEEP_SCREENSHOT=DIR to keep it. Then a
// copy of a cart's page, with a few lines of script appended, clicks the cause of an
// output's label and records what the page highlighted.

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "support/viz_support.h"

namespace fs = std::filesystem;
using calm::viz::test::read_text;
using calm::viz::test::run_calm;
using calm::viz::test::temp_dir;

namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

/// Runs a shell command, capturing stdout and stderr into files under `dir`.
int shell(const std::string& command) {
  int st = std::system(command.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

std::string chromium_command(const fs::path& profile, const std::string& extra) {
  return std::string("timeout 120 ") + kChromium +
         " --headless --no-sandbox --disable-gpu --disable-background-networking"
         " --no-first-run --disable-component-update --disable-sync --disable-extensions"
         " --virtual-time-budget=10000 --user-data-dir='" +
         profile.string() + "' " + extra;
}

}  // namespace

TEST_CASE("headless Chromium renders the HTML report with no script errors") {
  if (!fs::exists(kChromium)) {
    std::cout << "browser test skipped: " << kChromium << " is absent (apt-get install chromium)\n";
    return;
  }
  fs::path d = temp_dir("browser");
  fs::path page = d / "report.html";
  auto r =
      run_calm("html samples/kvs/paper2011/kvs_2011.rb -m BasicKVS -o '" + page.string() + "'");
  REQUIRE(r.status == 0);
  std::string url = "file://" + page.string();

  // 1. The DOM after scripts ran.
  fs::path dom = d / "dom.html";
  int rc = shell(chromium_command(d / "profile1", "--dump-dom '" + url + "'") + " > '" +
                 dom.string() + "' 2> '" + (d / "dom.err").string() + "'");
  REQUIRE_MESSAGE(rc == 0, read_text(d / "dom.err"));
  std::string after = read_text(dom);
  CHECK(after.find("data-calm-ready=\"ok\"") != std::string::npos);
  CHECK(after.find("id=\"BasicKVS--diagram\"") != std::string::npos);
  CHECK(after.find("id=\"BasicKVS--cluster-kvstate-prev\"") != std::string::npos);

  // 2. A screenshot, with Chromium's log on stderr.
  fs::path shot = d / "report.png";
  fs::path log = d / "shot.err";
  rc = shell(chromium_command(d / "profile2", "--enable-logging=stderr --v=0 --screenshot='" +
                                                  shot.string() + "' --window-size=1200,900 '" +
                                                  url + "'") +
             " > /dev/null 2> '" + log.string() + "'");
  REQUIRE_MESSAGE(rc == 0, read_text(log));
  std::string messages = read_text(log);
  CHECK_MESSAGE(messages.find("Uncaught") == std::string::npos, messages);
  CHECK_MESSAGE(messages.find(":CONSOLE(") == std::string::npos, messages);
  REQUIRE(fs::exists(shot));
  std::string png = read_text(shot);
  CHECK(png.rfind("\x89PNG\r\n\x1a\n", 0) == 0);
  CHECK(png.size() > 20000);  // a blank 1200x900 page compresses to a few KB
  if (const char* keep = std::getenv("CALM_KEEP_SCREENSHOT"))
    fs::copy_file(shot, fs::path(keep) / "report.png", fs::copy_options::overwrite_existing);

  // 3. Clicking a cause of client_response's label highlights its edge in the diagram.
  fs::path cart = d / "cart.html";
  r = run_calm("html samples/cart/disorderly_cart.rb -m DisorderlyCartServer -o '" + cart.string() +
               "'");
  REQUIRE(r.status == 0);
  std::string html = read_text(cart);
  // The page's script finishes after the load event (it inflates the packed views first):
  // act on its `calm-ready` event.
  const std::string click = R"JS(<script>
document.addEventListener('calm-ready', function () {
  var link = document.querySelector(
      'tr[data-output="client_response"] a.cause-point-of-order[data-target]');
  var result = 'no-link';
  if (link) {
    link.click();
    var target = document.getElementById(link.getAttribute('data-target'));
    var lit = document.querySelectorAll('.highlight');
    result = (link.classList.contains('selected') && target &&
              target.classList.contains('highlight') && lit.length === 1)
                 ? 'ok:' + target.id : 'not-highlighted';
  }
  document.documentElement.setAttribute('data-test-click', result);
});
</script>
</body>)JS";
  auto body_end = html.rfind("</body>");
  REQUIRE(body_end != std::string::npos);
  html.replace(body_end, 7, click);
  fs::path clicked = d / "clicked.html";
  { std::ofstream(clicked, std::ios::binary) << html; }
  fs::path dom2 = d / "dom2.html";
  fs::path log2 = d / "dom2.err";
  rc = shell(chromium_command(d / "profile3", "--enable-logging=stderr --v=0 --dump-dom 'file://" +
                                                  clicked.string() + "'") +
             " > '" + dom2.string() + "' 2> '" + log2.string() + "'");
  REQUIRE_MESSAGE(rc == 0, read_text(log2));
  after = read_text(dom2);
  CHECK(after.find("data-calm-ready=\"ok\"") != std::string::npos);
  CHECK_MESSAGE(
      after.find("data-test-click=\"ok:DisorderlyCartServer--edge-cart_action-action_cnt\"") !=
          std::string::npos,
      after.substr(0, 300));
  messages = read_text(log2);
  CHECK_MESSAGE(messages.find("Uncaught") == std::string::npos, messages);
  CHECK_MESSAGE(messages.find(":CONSOLE(") == std::string::npos, messages);
  fs::remove_all(d);
}
