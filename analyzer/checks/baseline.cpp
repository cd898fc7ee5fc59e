#include "checks/baseline.h"

#include <map>
#include <nlohmann/json.hpp>

namespace calm {

std::string baseline_text(const std::vector<Finding>& findings) {
  std::map<std::string, const Finding*> by_fingerprint;
  for (const auto& f : findings)
    if (!f.suppression || f.suppression->kind == SuppressionKind::Baseline)
      by_fingerprint.emplace(f.fingerprint, &f);
  nlohmann::ordered_json j;
  j["calm_baseline"] = kBaselineVersion;
  j["findings"] = nlohmann::ordered_json::array();
  for (const auto& [fp, f] : by_fingerprint)
    j["findings"].push_back(nlohmann::ordered_json{{"fingerprint", fp},
                                                   {"check", f->check},
                                                   {"program", f->program},
                                                   {"message", f->message}});
  return j.dump(2) + "\n";
}

bool parse_baseline(const std::string& text, std::set<std::string>& fingerprints,
                    std::string& error, std::string* pointer) {
  auto at = [&](std::string p) {
    if (pointer) *pointer = std::move(p);
  };
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    error = "not valid JSON";
    return false;
  }
  if (!j.is_object() || !j.contains("calm_baseline") || !j["calm_baseline"].is_number_integer()) {
    error = "not a calm baseline (no \"calm_baseline\" version)";
    at(j.is_object() && j.contains("calm_baseline") ? "/calm_baseline" : "");
    return false;
  }
  if (j["calm_baseline"].get<int>() != kBaselineVersion) {
    error = "unsupported baseline version " + j["calm_baseline"].dump();
    at("/calm_baseline");
    return false;
  }
  if (!j.contains("findings") || !j["findings"].is_array()) {
    error = "\"findings\" must be an array";
    at(j.contains("findings") ? "/findings" : "");
    return false;
  }
  for (size_t i = 0; i < j["findings"].size(); ++i) {
    const auto& f = j["findings"][i];
    if (!f.is_object() || !f.contains("fingerprint") || !f["fingerprint"].is_string()) {
      error = "every entry of \"findings\" needs a string \"fingerprint\"";
      at("/findings/" + std::to_string(i));
      return false;
    }
    fingerprints.insert(f["fingerprint"].get<std::string>());
  }
  return true;
}

size_t apply_baseline(std::vector<Finding>& findings, const std::set<std::string>& fingerprints) {
  size_t n = 0;
  for (auto& f : findings)
    if (!f.suppression && fingerprints.count(f.fingerprint)) {
      f.suppression = Suppression{SuppressionKind::Baseline, "", {}};
      ++n;
    }
  return n;
}

}  // namespace calm
