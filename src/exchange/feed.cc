#include "exchange/feed.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "registry/entity.h"
#include "registry/registry.h"

namespace cfr::exchange {

bool Reshareable(const registry::Entity& e) {
  if (e.sources.empty()) return true;
  return std::any_of(e.sources.begin(), e.sources.end(), [](const std::string& s) {
    return !s.starts_with("xchg:") || s.ends_with(":clear") || s.ends_with(":green");
  });
}

void ExchangeFeed::Apply(const std::vector<store::Change>& changes) {
  std::unique_lock lock(mu_);
  for (const store::Change& c : changes) {
    if (c.collection != registry::kEntityCollection) continue;
    const auto old = latest_.find(c.key);
    if (old != latest_.end()) {
      order_.erase({old->second.updated_ms, c.key});
      latest_.erase(old);
    }
    if (!c.value) continue;
    auto e = registry::DecodeEntity(*c.value);
    if (!e.ok()) continue;
    Facts f;
    f.updated_ms = e->updated_ms;
    f.kind = e->kind;
    f.tier = static_cast<uint8_t>(registry::EffectiveTier(*e));
    f.shareable = Reshareable(*e);
    order_.emplace(f.updated_ms, c.key);
    latest_.emplace(c.key, f);
  }
}

std::vector<ExchangeFeed::Position> ExchangeFeed::Page(const Position& after,
                                                       const std::vector<ident::Kind>& kinds,
                                                       const std::vector<std::string>& tiers, size_t limit,
                                                       bool* more) const {
  std::vector<uint8_t> tier_values;
  for (const std::string& t : tiers) {
    auto parsed = registry::ParseTier(t);
    if (parsed.ok()) tier_values.push_back(static_cast<uint8_t>(*parsed));
  }
  std::vector<Position> out;
  *more = false;
  std::shared_lock lock(mu_);
  for (auto it = order_.upper_bound({after.updated_ms, after.key}); it != order_.end(); ++it) {
    const Facts& f = latest_.at(it->second);
    if (std::find(kinds.begin(), kinds.end(), f.kind) == kinds.end()) continue;
    if (std::find(tier_values.begin(), tier_values.end(), f.tier) == tier_values.end()) continue;
    if (!f.shareable) continue;
    if (out.size() == limit) {
      *more = true;
      break;
    }
    out.push_back({it->first, it->second});
  }
  return out;
}

size_t ExchangeFeed::size() const {
  std::shared_lock lock(mu_);
  return latest_.size();
}

std::string EncodePosition(const ExchangeFeed::Position& p) {
  const std::string raw = std::to_string(p.updated_ms) + ":" + p.key;
  std::string out(sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool DecodePosition(std::string_view token, ExchangeFeed::Position* p) {
  if (token.empty() || token.size() > 1024) return false;
  std::string raw(token.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), token.data(), token.size(),
                        nullptr, &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return false;
  }
  raw.resize(len);
  const size_t colon = raw.find(':');
  const bool negative = !raw.empty() && raw[0] == '-';
  const size_t digits = negative ? 1 : 0;
  if (colon == std::string::npos || colon <= digits || colon > 19) return false;
  int64_t ms = 0;
  for (size_t i = digits; i < colon; ++i) {
    if (raw[i] < '0' || raw[i] > '9') return false;
    ms = ms * 10 + (raw[i] - '0');
  }
  p->updated_ms = negative ? -ms : ms;
  p->key = raw.substr(colon + 1);
  return true;
}

}  // namespace cfr::exchange
