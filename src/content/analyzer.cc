#include "content/analyzer.h"

#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "content/text.h"
#include "core/time.h"

namespace cfr::content {
namespace {

using nlohmann::json;

}  // namespace

Result<Analysis> Analyzer::Analyze(std::string_view text) const {
  Analysis a;
  CFR_ASSIGN_OR_RETURN(a.prepared, Prepare(text));
  if (classifier_ != nullptr) {
    a.prediction = classifier_->Predict(Features(a.prepared), options_.top_tokens);
    a.label = a.prediction.label;
    a.probability = a.prediction.probability;
    a.label_source = "classifier";
  } else {
    a.label = "unknown";
    a.label_source = "none";
  }
  bool listed_scam = false;
  for (const FoundIdentifier& f : a.prepared.identifiers) {
    IdentifierHit hit{f, false, {}};
    if (screening_ != nullptr) {
      if (auto s = screening_->Lookup(f.id.kind, f.id.canonical)) {
        hit.listed = true;
        hit.summary = *s;
        ++a.registry_hits;
        listed_scam =
            listed_scam || s->tier == registry::Tier::kBlack || s->tier == registry::Tier::kDarkGrey;
      }
    }
    a.identifiers.push_back(std::move(hit));
  }
  if (listed_scam && a.label != "scam") {
    a.label = "scam";
    a.label_source = "registry";
    a.probability = 0;
    for (const auto& [label, p] : a.prediction.probabilities) {
      if (label == "scam") a.probability = p;  // the classifier's own view, for the record
    }
  }
  if (claims_ != nullptr)
    a.fact_checks = claims_->Match(a.prepared.tokens, options_.min_claim_similarity, options_.max_claims);
  return a;
}

std::string AnalysisJson(const Analysis& a, bool with_registry) {
  json probabilities = json::object();
  for (const auto& [label, p] : a.prediction.probabilities) probabilities[label] = p;
  json tokens = json::array();
  for (const auto& [token, weight] : a.prediction.top_tokens)
    tokens.push_back({{"token", token}, {"weight", weight}});
  json identifiers = json::array();
  for (const IdentifierHit& h : a.identifiers) {
    json i = {{"kind", ident::KindName(h.found.id.kind)},
              {"canonical", h.found.id.canonical},
              {"display", h.found.id.display},
              {"as_written", h.found.as_written},
              {"listed", h.listed}};
    if (h.listed) {
      json r = {{"verdict", registry::VerdictName(h.summary.verdict)}};
      if (with_registry) {
        r["tier"] = registry::TierName(h.summary.tier);
        r["reports"] = h.summary.reports;
        r["victims"] = h.summary.victims;
        r["held"] = h.summary.held;
      }
      i["registry"] = std::move(r);
    }
    identifiers.push_back(std::move(i));
  }
  json brands = json::array();
  for (const BrandMention& b : a.prepared.brands) {
    brands.push_back({{"id", b.brand->id},
                      {"category", b.brand->category},
                      {"name_en", b.brand->name_en},
                      {"name_th", b.brand->name_th},
                      {"matched", b.matched},
                      {"by_link", b.by_link}});
  }
  json claims = json::array();
  for (const ClaimMatch& m : a.fact_checks) {
    claims.push_back({{"id", m.check.id},
                      {"claim", m.check.claim},
                      {"verdict", m.check.verdict},
                      {"explanation", m.check.explanation},
                      {"source", m.check.source},
                      {"source_url", m.check.source_url},
                      {"checked_on", m.check.checked_on},
                      {"demo", m.check.demo},
                      {"similarity", m.similarity}});
  }
  const json out = {{"label", a.label},
                    {"probability", a.probability},
                    {"label_source", a.label_source},
                    {"classifier",
                     {{"label", a.prediction.label.empty() ? json(nullptr) : json(a.prediction.label)},
                      {"probability", a.prediction.probability},
                      {"probabilities", probabilities}}},
                    {"language", a.prepared.language},
                    {"normalized", a.prepared.normalized},
                    {"evidence",
                     {{"tokens", tokens},
                      {"identifiers", identifiers},
                      {"registry_hits", a.registry_hits},
                      {"impersonated", brands}}},
                    {"fact_checks", claims}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace cfr::content
