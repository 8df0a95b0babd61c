#include "ident/bank.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

#include "core/text.h"

namespace cfr::embedded {
extern const std::string_view kBanksCsv;
}

namespace cfr::ident {
namespace {

std::vector<std::string_view> SplitComma(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    out.push_back(line.substr(start, comma == std::string_view::npos ? line.npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

class BankList {
 public:
  static const BankList& Get() {
    static const BankList* list = new BankList();  // leaked on purpose: used until exit
    return *list;
  }
  const std::vector<Bank>& banks() const { return banks_; }
  const Bank* ByCode(int code) const {
    return code >= 0 && code < 1000 && by_code_[code] >= 0 ? &banks_[by_code_[code]] : nullptr;
  }

 private:
  BankList() {
    by_code_.fill(-1);
    std::string_view csv = embedded::kBanksCsv;
    while (!csv.empty()) {
      const size_t nl = csv.find('\n');
      std::string_view line = csv.substr(0, nl);
      csv.remove_prefix(nl == std::string_view::npos ? csv.size() : nl + 1);
      if (line.empty() || line[0] == '#') continue;
      const auto f = SplitComma(line);
      if (f.size() != 6 || f[0].size() != 3) {
        // The file is ours and compiled in; a malformed line is a build-time mistake.
        std::fprintf(stderr, "data/banks.csv: malformed line: %.*s\n", static_cast<int>(line.size()),
                     line.data());
        std::abort();
      }
      Bank b{std::string(f[0]), std::string(f[1]), std::string(f[2]),
             std::string(f[3]), std::string(f[4]), {}};
      std::string_view lengths = f[5];
      while (!lengths.empty()) {
        const size_t bar = lengths.find('|');
        b.account_lengths.push_back(std::atoi(std::string(lengths.substr(0, bar)).c_str()));
        lengths.remove_prefix(bar == std::string_view::npos ? lengths.size() : bar + 1);
      }
      by_code_[std::atoi(b.code.c_str())] = static_cast<int>(banks_.size());
      banks_.push_back(std::move(b));
    }
  }

  std::vector<Bank> banks_;
  std::array<int, 1000> by_code_;
};

}  // namespace

const std::vector<Bank>& AllBanks() { return BankList::Get().banks(); }

const Bank* FindBank(std::string_view name) {
  name = TrimSpace(name);
  if (name.size() == 3 && IsAsciiDigit(name[0]) && IsAsciiDigit(name[1]) && IsAsciiDigit(name[2])) {
    return BankList::Get().ByCode((name[0] - '0') * 100 + (name[1] - '0') * 10 + (name[2] - '0'));
  }
  constexpr std::string_view kThaiBankWord = "ธนาคาร";
  for (const Bank& b : AllBanks()) {
    if (EqualsIgnoreCase(name, b.short_name)) return &b;
    if ((name.size() == 8 || name.size() == 11) && EqualsIgnoreCase(name.substr(0, 8), b.swift_bic)) {
      return &b;
    }
    if (name == b.name_th) return &b;
    if (!name.starts_with(kThaiBankWord) && b.name_th.size() > kThaiBankWord.size() &&
        name == std::string_view(b.name_th).substr(kThaiBankWord.size())) {
      return &b;
    }
  }
  return nullptr;
}

}  // namespace cfr::ident
