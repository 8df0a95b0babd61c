#include "content/extract.h"

#include <libpsl.h>

#include <algorithm>
#include <bitset>
#include <cctype>
#include <optional>
#include <set>

#include <absl/container/flat_hash_map.h>
#include <utility>

#include "core/text.h"
#include "ident/bank.h"

namespace cfr::embedded {
extern const std::string_view kImpersonationTsv;
}  // namespace cfr::embedded

namespace cfr::content {
namespace {

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  return out;
}

// A run of printable ASCII without spaces (Thai letters end it: messages run links into Thai).
struct Chunk {
  size_t begin = 0;
  std::string_view text;
};

std::vector<Chunk> Chunks(std::string_view s) {
  std::vector<Chunk> out;
  size_t i = 0;
  while (i < s.size()) {
    auto printable = [&](size_t k) {
      const auto b = static_cast<unsigned char>(s[k]);
      return b > 0x20 && b < 0x7f;
    };
    if (!printable(i)) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && printable(j)) ++j;
    std::string_view t = s.substr(i, j - i);
    size_t begin = i;
    // Punctuation around it is the sentence's, not the identifier's.
    while (!t.empty() && std::string_view("([{<\"'*:,;").find(t.front()) != std::string_view::npos) {
      t.remove_prefix(1);
      ++begin;
    }
    while (!t.empty() && std::string_view(".,;:!?)]}>\"'*").find(t.back()) != std::string_view::npos) {
      t.remove_suffix(1);
    }
    if (!t.empty()) out.push_back({begin, t});
    i = j;
  }
  return out;
}

// "host.tld" or "host.tld/…" whose last label is a public suffix with a letter in it.
bool LooksLikeHost(std::string_view t) {
  const size_t slash = t.find_first_of("/?#");
  std::string_view host = t.substr(0, slash);
  const size_t dot = host.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 2 > host.size()) return false;
  const std::string tld = Lower(host.substr(dot + 1));
  if (!std::all_of(tld.begin(), tld.end(),
                   [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
    return false;
  if (!std::all_of(host.begin(), host.end(), [](char c) { return IsAlnum(c) || c == '-' || c == '.'; }))
    return false;
  return psl_is_public_suffix2(psl_builtin(), tld.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

// Does `lower` (the text in lower case) say, in the `before` bytes ahead of `at`, any of `words`?
bool SaidBefore(std::string_view lower, size_t at, size_t before,
                std::initializer_list<std::string_view> words) {
  const size_t from = at > before ? at - before : 0;
  const std::string_view window = lower.substr(from, std::min(at, lower.size()) - from);
  return std::any_of(words.begin(), words.end(),
                     [&](std::string_view w) { return window.find(w) != std::string_view::npos; });
}

// Every alias of every brand, indexed by its first three bytes, so that a text is scanned once.
struct AliasIndex {
  struct Alias {
    const Brand* brand;
    std::string_view text;
    bool latin;  // matched as a whole word
  };
  absl::flat_hash_map<uint32_t, std::vector<Alias>> by_prefix;
  std::bitset<1 << 16> first_two;  // the first two bytes of some alias: worth a look-up
  static uint32_t Key(std::string_view s) {
    return static_cast<uint32_t>(static_cast<unsigned char>(s[0])) |
           static_cast<uint32_t>(static_cast<unsigned char>(s[1])) << 8 |
           static_cast<uint32_t>(static_cast<unsigned char>(s[2])) << 16;
  }
};

const AliasIndex& Aliases() {
  static const AliasIndex index = [] {
    AliasIndex x;
    for (const Brand& b : AllBrands()) {
      for (const std::string& a : b.aliases) {
        if (a.size() < 3) continue;  // (the data file keeps aliases specific)
        x.by_prefix[AliasIndex::Key(a)].push_back({&b, a, static_cast<unsigned char>(a[0]) < 0x80});
        x.first_two.set(AliasIndex::Key(a) & 0xFFFF);
      }
    }
    return x;
  }();
  return index;
}

// Brands named in `lower` (the text in lower case), each once, in the order first named.
std::vector<BrandMention> NamedBrands(std::string_view lower) {
  std::vector<BrandMention> out;
  const AliasIndex& index = Aliases();
  for (size_t i = 0; i + 3 <= lower.size(); ++i) {
    // An alias starts with a whole character, never inside one (a UTF-8 continuation byte).
    if ((static_cast<unsigned char>(lower[i]) & 0xC0) == 0x80) continue;
    const uint32_t key = AliasIndex::Key(lower.substr(i, 3));
    if (!index.first_two.test(key & 0xFFFF)) continue;
    const auto it = index.by_prefix.find(key);
    if (it == index.by_prefix.end()) continue;
    for (const AliasIndex::Alias& a : it->second) {
      if (lower.compare(i, a.text.size(), a.text) != 0) continue;
      if (a.latin) {  // a whole word: not "scb" in "describe", nor "pea" in "speak"
        const size_t end = i + a.text.size();
        if ((i > 0 && IsAlnum(lower[i - 1])) || (end < lower.size() && IsAlnum(lower[end]))) continue;
      }
      if (std::none_of(out.begin(), out.end(), [&](const BrandMention& m) { return m.brand == a.brand; }))
        out.push_back({a.brand, std::string(a.text), false});
    }
  }
  return out;
}

// The bank named in the text (its code), when exactly one is.
std::string OnlyBankNamed(std::string_view lower) {
  std::string code;
  for (const BrandMention& m : NamedBrands(lower)) {
    if (m.brand->bank_code.empty()) continue;
    if (!code.empty() && code != m.brand->bank_code) return {};
    code = m.brand->bank_code;
  }
  return code;
}

class Collector {
 public:
  explicit Collector(std::vector<FoundIdentifier>* out) : out_(out) {}
  bool Add(Result<ident::Identifier> id, std::string_view as_written) {
    if (!id.ok()) return false;
    std::string key = std::string(ident::KindName(id->kind)) + ":" + id->canonical;
    if (seen_.insert(std::move(key)).second) out_->push_back({std::move(*id), std::string(as_written)});
    return true;
  }

 private:
  std::vector<FoundIdentifier>* out_;
  std::set<std::string> seen_;
};

void ExtractDigits(std::string_view s, std::string_view lower, Collector* c) {
  std::optional<std::string> bank;  // looked for when a number could be an account
  size_t i = 0;
  while (i < s.size()) {
    const bool plus = s[i] == '+' && i + 1 < s.size() && IsDigit(s[i + 1]);
    if (!(IsDigit(s[i]) || plus) || (i > 0 && (IsAlnum(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == ','))) {
      ++i;
      continue;
    }
    // Digits and single separators (space, '-', '.', parentheses) between them.
    size_t j = plus ? i + 1 : i;
    std::string digits;
    size_t groups = 1;
    while (j < s.size()) {
      if (IsDigit(s[j])) {
        digits += s[j++];
      } else if ((s[j] == '-' || s[j] == ' ' || s[j] == '.' || s[j] == '(' || s[j] == ')') &&
                 j + 1 < s.size() &&
                 (IsDigit(s[j + 1]) || (s[j + 1] == '(' && j + 2 < s.size() && IsDigit(s[j + 2])))) {
        ++groups;
        ++j;
      } else {
        break;
      }
    }
    const std::string_view written = s.substr(i, j - i);
    const bool glued = j < s.size() && (std::isalpha(static_cast<unsigned char>(s[j])) != 0);
    i = j;
    if (glued || digits.size() < 9 || digits.size() > 13) continue;
    const bool promptpay = SaidBefore(lower, static_cast<size_t>(written.data() - s.data()), 60,
                                      {"พร้อมเพย์", "พร้อมเพ", "promptpay", "prompt pay"});
    const bool account_word = SaidBefore(lower, static_cast<size_t>(written.data() - s.data()), 80,
                                         {"บัญชี", "บช", "account", "acc", "a/c", "เลขที่"});
    const bool thai_phone = (!plus && digits[0] == '0' && (digits.size() == 9 || digits.size() == 10)) ||
                            ((plus || digits.starts_with("66")) && digits.starts_with("66") &&
                             (digits.size() == 11 || digits.size() == 10));
    if (promptpay && (thai_phone || digits.size() == 13)) {
      if (c->Add(ident::NormalizePromptPay(digits.size() == 13 ? digits : std::string(written)), written))
        continue;
    }
    // x-x-x groups or the word "account" beside it, 10–12 digits: a bank account.
    const bool account_shape = groups >= 3 && written.find(' ') == std::string_view::npos && digits[0] != '0';
    if ((account_word || account_shape) && digits.size() >= 10 && digits.size() <= 12) {
      if (!bank) bank = OnlyBankNamed(lower);
      if (!bank->empty() && c->Add(ident::NormalizeBankAccount(digits, *bank), written)) continue;
    }
    if (thai_phone && !account_word) c->Add(ident::NormalizePhone(written), written);
  }
}

}  // namespace

std::vector<FoundIdentifier> ExtractIdentifiers(std::string_view s) {
  std::vector<FoundIdentifier> out;
  Collector c(&out);
  const std::string lower_text = Lower(s);
  for (const Chunk& chunk : Chunks(s)) {
    const std::string_view t = chunk.text;
    const std::string lower = Lower(t);
    ident::NormalizeOptions auto_kind;
    const size_t at = lower.find('@');
    if (at != std::string::npos && at > 0 && lower.find("://") == std::string::npos &&
        LooksLikeHost(std::string_view(lower).substr(at + 1))) {
      ident::NormalizeOptions email;
      email.kind = ident::Kind::kEmail;
      c.Add(ident::Normalize(t, email), t);
      continue;
    }
    if (lower.find("://") != std::string::npos || lower.starts_with("www.") || LooksLikeHost(t)) {
      c.Add(ident::Normalize(t, auto_kind), t);  // a link: url, line_id or social by its host
      continue;
    }
    if (t.size() >= 2 && t.front() == '@') {
      ident::NormalizeOptions line;
      line.kind = ident::Kind::kLineId;
      c.Add(ident::Normalize(t, line), t);
      continue;
    }
    if (t.size() >= 25 && (lower.starts_with("0x") || lower.starts_with("bc1") || t.front() == '1' ||
                           t.front() == '3' || t.front() == 'T')) {
      if (c.Add(ident::NormalizeCryptoWallet(t), t)) continue;
    }
    // A LINE ID after the word: "line id: abc", "ไลน์ abc", "ไอดี abc".
    if (t.size() >= 3 &&
        std::all_of(t.begin(), t.end(),
                    [](char ch) { return IsAlnum(ch) || ch == '.' || ch == '_' || ch == '-'; }) &&
        !std::all_of(t.begin(), t.end(), [](char ch) { return IsDigit(ch) || ch == '-' || ch == '.'; }) &&
        SaidBefore(lower_text, chunk.begin, 24, {"line", "ไลน์", "ไอดี", "แอดไลน์"})) {
      ident::NormalizeOptions line;
      line.kind = ident::Kind::kLineId;
      if (lower != "line" && lower != "id") c.Add(ident::Normalize(t, line), t);
    }
  }
  ExtractDigits(s, lower_text, &c);
  return out;
}

const std::vector<Brand>& AllBrands() {
  static const std::vector<Brand> brands = [] {
    std::vector<Brand> out;
    auto split = [](std::string_view field) {
      std::vector<std::string> parts;
      size_t start = 0;
      while (start <= field.size()) {
        const size_t bar = field.find('|', start);
        std::string part(TrimSpace(
            field.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start)));
        if (!part.empty()) parts.push_back(Lower(part));
        if (bar == std::string_view::npos) break;
        start = bar + 1;
      }
      return parts;
    };
    std::string_view rest = embedded::kImpersonationTsv;
    while (!rest.empty()) {
      const size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      if (line.empty() || line.front() == '#') continue;
      std::vector<std::string_view> f;
      size_t start = 0;
      while (true) {
        const size_t tab = line.find('\t', start);
        f.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
        if (tab == std::string_view::npos) break;
        start = tab + 1;
      }
      if (f.size() < 6) continue;
      Brand b;
      b.id = std::string(f[0]);
      b.category = std::string(f[1]);
      b.name_en = std::string(f[2]);
      b.name_th = std::string(f[3]);
      b.aliases = split(f[4]);
      b.official_domains = split(f[5]);
      if (f.size() > 6) b.bank_code = std::string(TrimSpace(f[6]));
      out.push_back(std::move(b));
    }
    return out;
  }();
  return brands;
}

std::vector<BrandMention> FindBrands(std::string_view normalized, const std::vector<FoundIdentifier>& found) {
  std::vector<BrandMention> out = NamedBrands(Lower(normalized));
  // Look-alike links: a registrable domain that spells a brand's Latin alias, not the brand's own.
  for (const FoundIdentifier& f : found) {
    if (f.id.kind != ident::Kind::kUrl) continue;
    const ident::Attribute* domain = f.id.Find("domain");
    if (domain == nullptr || !std::holds_alternative<std::string>(domain->value)) continue;
    const std::string& d = std::get<std::string>(domain->value);
    const std::string label = d.substr(0, d.find('.'));
    for (const Brand& b : AllBrands()) {
      if (std::find(b.official_domains.begin(), b.official_domains.end(), d) != b.official_domains.end())
        continue;
      const bool spelled = std::any_of(b.aliases.begin(), b.aliases.end(), [&](const std::string& alias) {
        return alias.size() >= 4 && static_cast<unsigned char>(alias[0]) < 0x80 &&
               alias.find(' ') == std::string::npos && label.find(alias) != std::string::npos;
      });
      if (!spelled) continue;
      auto it = std::find_if(out.begin(), out.end(), [&](const BrandMention& m) { return m.brand == &b; });
      if (it == out.end()) {
        out.push_back({&b, d, true});
      } else {
        it->by_link = true;
        it->matched = d;
      }
    }
  }
  return out;
}

}  // namespace cfr::content
