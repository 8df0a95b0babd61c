#include "content/prepare.h"

#include <algorithm>
#include <set>

#include "content/text.h"

namespace cfr::content {
namespace {

std::string Marker(ident::Kind kind) {
  switch (kind) {
    case ident::Kind::kUrl:
    case ident::Kind::kDomain:
      return "__url__";
    case ident::Kind::kPhone:
      return "__phone__";
    case ident::Kind::kLineId:
      return "__line_id__";
    case ident::Kind::kBankAccount:
    case ident::Kind::kPromptPay:
      return "__bank_account__";
    case ident::Kind::kCryptoWallet:
      return "__wallet__";
    case ident::Kind::kEmail:
      return "__email__";
    case ident::Kind::kSocial:
      return "__social__";
    case ident::Kind::kNationalId:
      return "__national_id__";
  }
  return "__identifier__";
}

}  // namespace

Result<Prepared> Prepare(std::string_view text) {
  Prepared p;
  CFR_ASSIGN_OR_RETURN(p.normalized, NormalizeText(text));
  p.language = std::string(DominantScript(p.normalized));
  p.identifiers = ExtractIdentifiers(p.normalized);
  p.brands = FindBrands(p.normalized, p.identifiers);
  // The words around the identifiers: a link's random path or a number's digits say nothing the
  // markers do not say better.
  std::string masked = p.normalized;
  for (const FoundIdentifier& f : p.identifiers) {
    if (f.as_written.empty()) continue;
    for (size_t at = masked.find(f.as_written); at != std::string::npos; at = masked.find(f.as_written, at)) {
      std::fill_n(masked.begin() + static_cast<std::ptrdiff_t>(at), f.as_written.size(), ' ');
    }
  }
  p.tokens = Tokenize(masked);
  // USSD codes ("*172#"): how premium-rate subscriptions are sold.
  for (size_t i = 0; i + 2 < p.normalized.size(); ++i) {
    if (p.normalized[i] != '*' || p.normalized[i + 1] < '0' || p.normalized[i + 1] > '9') continue;
    size_t j = i + 1;
    while (j < p.normalized.size() &&
           ((p.normalized[j] >= '0' && p.normalized[j] <= '9') || p.normalized[j] == '*'))
      ++j;
    if (j < p.normalized.size() && p.normalized[j] == '#') {
      p.markers.push_back("__ussd__");
      break;
    }
  }
  return p;
}

std::string Features(const Prepared& p) {
  std::string out;
  for (const std::string& t : p.tokens) {
    out += t;
    out += ' ';
  }
  std::set<std::string> markers;
  markers.insert(p.markers.begin(), p.markers.end());
  for (const FoundIdentifier& f : p.identifiers) {
    markers.insert(Marker(f.id.kind));
    if (const ident::Attribute* d = f.id.Find("domain");
        d != nullptr && std::holds_alternative<std::string>(d->value)) {
      markers.insert("__domain_" + std::get<std::string>(d->value) + "__");  // the site a link leads to
    }
    if (const ident::Attribute* s = f.id.Find("shortener");
        s != nullptr && std::holds_alternative<bool>(s->value) && std::get<bool>(s->value)) {
      markers.insert("__shortener__");
    }
  }
  for (const BrandMention& b : p.brands) {
    markers.insert("__brand_" + b.brand->category + "__");
    if (b.by_link) markers.insert("__lookalike_link__");
  }
  for (const std::string& m : markers) {
    out += m;
    out += ' ';
  }
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace cfr::content
