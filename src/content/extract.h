// What a message names: identifiers (C1) and the agencies, banks and couriers it claims to come
// from. Pure and thread-safe; works on NormalizeText's output.
//
// ExtractIdentifiers finds candidates and keeps those C1 accepts (its canonical value is what the
// registry is keyed by):
// - links: `scheme://…`, `www.…`, and bare `host.tld/…` whose last label is a real top-level
//   domain (the Public Suffix List), also defanged ones (NormalizeText refanged them); line.me and
//   social platforms' links come out as LINE IDs and social handles;
// - e-mail addresses; LINE IDs (`@handle`, or after "line", "ไลน์", "ไอดี");
// - crypto wallets (checksums verified, so random strings are not taken for them);
// - digits with separators: Thai phone numbers (0…, +66…, 66…, 9–10 digits), PromptPay proxies
//   (a phone or 13-digit ID beside "พร้อมเพย์"/"promptpay"), bank accounts (10–12 digits beside a
//   bank's name or the word "บัญชี"/"account", or written x-x-x); 13 digits otherwise are left
//   alone (a national ID is a person's, not a scam's).
//
// Brands: data/impersonation.tsv (compiled in): each brand's aliases in Latin letters (whole words)
// and Thai (anywhere), and its official domains; a link whose registrable domain spells a brand but
// is not one of its own is impersonation "by link".
#ifndef CFR_CONTENT_EXTRACT_H_
#define CFR_CONTENT_EXTRACT_H_

#include <string>
#include <string_view>
#include <vector>

#include "ident/identifier.h"

namespace cfr::content {

struct FoundIdentifier {
  ident::Identifier id;
  std::string as_written;  // the text it was found as
};

// Each identifier once, in the order found.
std::vector<FoundIdentifier> ExtractIdentifiers(std::string_view normalized);

struct Brand {
  std::string id;        // "KBANK"
  std::string category;  // police, agency, bank, courier, utility, telco, platform
  std::string name_en, name_th;
  std::vector<std::string> aliases, official_domains;
  std::string bank_code;  // banks: "004"
};
const std::vector<Brand>& AllBrands();

struct BrandMention {
  const Brand* brand = nullptr;
  std::string matched;   // the alias found, or the link's domain
  bool by_link = false;  // a look-alike link (its domain spells the brand, and is not the brand's)
};

// The brands a message names (each once), and look-alike links among `found`.
std::vector<BrandMention> FindBrands(std::string_view normalized, const std::vector<FoundIdentifier>& found);

}  // namespace cfr::content

#endif  // CFR_CONTENT_EXTRACT_H_
