// Phone numbers to E.164.
//
// libphonenumber is the authority on which numbers exist and of what type, but a full
// Parse + IsValidNumber + GetNumberType + Format costs about 10 µs here. Almost every number
// OpenCFR sees is Thai, and Thai numbering is decided by the first digits and the length of the
// national significant number (NSN). So, once per process, we ask libphonenumber about several
// sample numbers in every (length, first three digits) cell of the Thai plan, and of the four-digit
// cells inside any three-digit cell where the samples disagree; a cell where all samples agree on validity,
// type and grouping answers from the table, every other cell (and every foreign number) goes to
// libphonenumber. phone_test.cc checks the two paths agree on random numbers, so the table can never drift
// from the library's metadata.
#include <phonenumbers/phonenumberutil.h>

#include <array>
#include <mutex>

#include "core/text.h"
#include "ident/identifier.h"
#include "ident/internal/digits.h"
#include "ident/internal/phone_internal.h"

namespace cfr::ident {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

std::string_view TypeName(PhoneNumberUtil::PhoneNumberType type) {
  switch (type) {
    case PhoneNumberUtil::FIXED_LINE:
      return "fixed_line";
    case PhoneNumberUtil::MOBILE:
      return "mobile";
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE:
      return "fixed_line_or_mobile";
    case PhoneNumberUtil::TOLL_FREE:
      return "toll_free";
    case PhoneNumberUtil::PREMIUM_RATE:
      return "premium_rate";
    case PhoneNumberUtil::SHARED_COST:
      return "shared_cost";
    case PhoneNumberUtil::VOIP:
      return "voip";
    case PhoneNumberUtil::PERSONAL_NUMBER:
      return "personal_number";
    case PhoneNumberUtil::PAGER:
      return "pager";
    case PhoneNumberUtil::UAN:
      return "uan";
    case PhoneNumberUtil::VOICEMAIL:
      return "voicemail";
    case PhoneNumberUtil::UNKNOWN:
      return "unknown";
  }
  return "unknown";
}

constexpr int kMinNsn = 8;
constexpr int kMaxNsn = 9;

struct Cell {
  enum State : uint8_t { kUndecided, kInvalid, kValid };
  State state = kUndecided;
  PhoneNumberUtil::PhoneNumberType type = PhoneNumberUtil::UNKNOWN;
  // Group lengths of the national format "0XX-XXX-XXXX", leading 0 included; 0-terminated.
  std::array<uint8_t, 6> groups = {};
};

struct Probe {
  bool valid;
  PhoneNumberUtil::PhoneNumberType type;
  std::array<uint8_t, 6> groups;
  bool operator==(const Probe&) const = default;
};

Probe ProbeNumber(const PhoneNumberUtil& util, uint64_t nsn) {
  PhoneNumber pn;
  pn.set_country_code(66);
  pn.set_national_number(nsn);
  Probe p{util.IsValidNumber(pn), PhoneNumberUtil::UNKNOWN, {}};
  if (!p.valid) return p;
  p.type = util.GetNumberType(pn);
  std::string national;
  util.Format(pn, PhoneNumberUtil::NATIONAL, &national);
  size_t g = 0;
  uint8_t run = 0;
  for (char c : national) {
    if (IsAsciiDigit(c)) {
      ++run;
    } else if (run > 0) {
      if (g + 1 >= p.groups.size()) return Probe{false, PhoneNumberUtil::UNKNOWN, {}};
      p.groups[g++] = run;
      run = 0;
    }
  }
  if (run > 0 && g + 1 < p.groups.size()) p.groups[g++] = run;
  return p;
}

class ThaiTable {
 public:
  static const ThaiTable& Get() {
    static const ThaiTable* table = new ThaiTable();  // leaked on purpose: used until exit
    return *table;
  }

  // Null when the cell is undecided or the NSN is outside the table.
  const Cell* Lookup(std::string_view nsn) const {
    const auto len = static_cast<int>(nsn.size());
    if (len < kMinNsn || len > kMaxNsn || nsn[0] == '0') return nullptr;
    const int prefix = (nsn[0] - '0') * 100 + (nsn[1] - '0') * 10 + (nsn[2] - '0');
    const Cell* cell = &cells_[len - kMinNsn][prefix];
    if (cell->state == Cell::kUndecided) {
      // A three-digit cell the probe could not decide may be decided at four digits.
      cell = &fine_cells_[len - kMinNsn][prefix * 10 + (nsn[3] - '0')];
    }
    return cell->state == Cell::kUndecided ? nullptr : cell;
  }

  internal::ThaiTableStats Stats() const {
    internal::ThaiTableStats s;
    for (size_t len = 0; len < cells_.size(); ++len) {
      for (int p = 100; p < 1000; ++p) {
        if (cells_[len][p].state != Cell::kUndecided) {
          ++(cells_[len][p].state == Cell::kValid ? s.valid : s.invalid);
          continue;
        }
        for (int d = 0; d < 10; ++d) {
          switch (fine_cells_[len][p * 10 + d].state) {
            case Cell::kValid:
              ++s.valid;
              break;
            case Cell::kInvalid:
              ++s.invalid;
              break;
            case Cell::kUndecided:
              ++s.undecided;
              break;
          }
        }
      }
    }
    return s;
  }

 private:
  ThaiTable() {
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    uint64_t lcg = 0x9E3779B97F4A7C15ULL;
    for (int len = kMinNsn; len <= kMaxNsn; ++len) {
      for (int prefix = 100; prefix < 1000; ++prefix) {
        Cell& cell = cells_[len - kMinNsn][prefix];
        if (DecideCell(util, len, prefix, 3, &lcg, &cell)) continue;
        for (int d = 0; d < 10; ++d) {
          IgnoreDecision(
              DecideCell(util, len, prefix * 10 + d, 4, &lcg, &fine_cells_[len - kMinNsn][prefix * 10 + d]));
        }
      }
    }
  }

  static void IgnoreDecision(bool) {}

  // Probes numbers of `len` digits starting with the `prefix_len`-digit `prefix`: the lowest and
  // highest tails and pseudo-random ones in between. Fills `cell` and returns true when all agree.
  static bool DecideCell(const PhoneNumberUtil& util, int len, int prefix, int prefix_len, uint64_t* lcg,
                         Cell* cell) {
    uint64_t scale = 1;
    for (int i = 0; i < len - prefix_len; ++i) scale *= 10;
    std::array<uint64_t, 10> tails = {0, scale - 1};
    for (size_t i = 2; i < tails.size(); ++i) {
      *lcg = *lcg * 6364136223846793005ULL + 1442695040888963407ULL;
      tails[i] = (*lcg >> 17) % scale;
    }
    const uint64_t base = static_cast<uint64_t>(prefix) * scale;
    const Probe first = ProbeNumber(util, base + tails[0]);
    for (size_t i = 1; i < tails.size(); ++i) {
      if (!(ProbeNumber(util, base + tails[i]) == first)) return false;
    }
    cell->state = first.valid ? Cell::kValid : Cell::kInvalid;
    cell->type = first.type;
    cell->groups = first.groups;
    return true;
  }

  std::array<std::array<Cell, 1000>, kMaxNsn - kMinNsn + 1> cells_;
  std::array<std::array<Cell, 10000>, kMaxNsn - kMinNsn + 1> fine_cells_;
};

std::string ReasonForInvalid(const PhoneNumberUtil& util, const PhoneNumber& pn) {
  switch (util.IsPossibleNumberWithReason(pn)) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE:
      return "unknown country calling code";
    case PhoneNumberUtil::TOO_SHORT:
      return "too short for its country";
    case PhoneNumberUtil::TOO_LONG:
      return "too long for its country";
    case PhoneNumberUtil::INVALID_LENGTH:
      return "wrong length for its country";
    default:
      return "no such number range in its country's numbering plan";
  }
}

void AddAttributes(Identifier* id, std::string_view type, std::string_view region, int country_code) {
  id->attributes.reserve(3);
  id->attributes.push_back({"type", std::string(type)});
  id->attributes.push_back({"region", std::string(region)});
  id->attributes.push_back({"country_code", static_cast<int64_t>(country_code)});
}

// The NSN of a Thai number written nationally or with +66, or empty when the number is not
// (recognisably) Thai and must go to libphonenumber.
std::string_view ThaiNsn(const internal::DigitString& d, std::string_view region) {
  std::string_view digits = d.digits;
  if (d.plus || digits.starts_with("00")) {
    digits.remove_prefix(d.plus ? 0 : 2);
    if (!digits.starts_with("66")) return {};
    digits.remove_prefix(2);
    // "+66 (0)81…" and "+66081…" are common; the trunk 0 is not part of the NSN. Two zeros are
    // not a trunk prefix: "+66 001800…" is an international toll-free number, whose NSN keeps them.
    if (digits.starts_with("0") && !digits.starts_with("00")) digits.remove_prefix(1);
    return digits;
  }
  if (region != "TH") return {};
  if (digits.starts_with("0")) digits.remove_prefix(1);
  return digits;
}

}  // namespace

namespace internal {

Result<Identifier> NormalizePhoneSlow(std::string_view value, std::string_view region) {
  CFR_ASSIGN_OR_RETURN(DigitString d, ExtractDigits(value, "phone number", /*allow_plus=*/true));
  if (d.digits.size() > 17) return InvalidArgument("phone number: too many digits", "value");
  std::string input;
  if (d.plus || d.digits.starts_with("00")) {
    input = "+" + d.digits.substr(d.plus ? 0 : 2);
    if (input.starts_with("+660") && !input.starts_with("+6600")) input.erase(3, 1);
  } else {
    input = d.digits;
  }
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber pn;
  const std::string region_code(region);
  const auto err = util.Parse(input, region_code, &pn);
  if (err != PhoneNumberUtil::NO_PARSING_ERROR) {
    switch (err) {
      case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
        return InvalidArgument("phone number: unknown country calling code", "value");
      case PhoneNumberUtil::TOO_SHORT_NSN:
      case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
        return InvalidArgument("phone number: too short", "value");
      case PhoneNumberUtil::TOO_LONG_NSN:
        return InvalidArgument("phone number: too long", "value");
      default:
        return InvalidArgument("phone number: not a phone number", "value");
    }
  }
  if (!util.IsValidNumber(pn)) {
    if (pn.country_code() == 66) {
      const std::string nsn = std::to_string(pn.national_number());
      if (nsn.size() < 8 || nsn.size() > 10) {
        return InvalidArgument(std::string("phone number: ") + (nsn.size() < 8 ? "too short" : "too long") +
                                   " for Thailand (9 digits for fixed lines, 10 for mobiles, "
                                   "with the leading 0)",
                               "value");
      }
    }
    return InvalidArgument("phone number: not a valid number (" + ReasonForInvalid(util, pn) + ")", "value");
  }
  // The canonical form must normalise to itself. For a few plans libphonenumber's E.164 output
  // parses to another number (Mexico's old mobile "1" after +52 is stripped once per parse), so
  // parse the output again until it is stable.
  Identifier id;
  id.kind = Kind::kPhone;
  util.Format(pn, PhoneNumberUtil::E164, &id.canonical);
  for (int round = 0;; ++round) {
    PhoneNumber again;
    if (round == 3 || util.Parse(id.canonical, region_code, &again) != PhoneNumberUtil::NO_PARSING_ERROR ||
        !util.IsValidNumber(again)) {
      return InvalidArgument("phone number: not a valid number (its international form " + id.canonical +
                                 " does not parse back to the same number)",
                             "value");
    }
    std::string e164;
    util.Format(again, PhoneNumberUtil::E164, &e164);
    if (e164 == id.canonical) break;
    pn = again;
    id.canonical = std::move(e164);
  }
  std::string number_region;
  util.GetRegionCodeForNumber(pn, &number_region);
  if (number_region == "TH") {
    util.Format(pn, PhoneNumberUtil::NATIONAL, &id.display);
    for (char& c : id.display) {
      if (c == ' ') c = '-';
    }
  } else {
    util.Format(pn, PhoneNumberUtil::INTERNATIONAL, &id.display);
  }
  AddAttributes(&id, TypeName(util.GetNumberType(pn)), number_region, pn.country_code());
  return id;
}

ThaiTableStats GetThaiTableStats() { return ThaiTable::Get().Stats(); }

}  // namespace internal

Result<Identifier> NormalizePhone(std::string_view value, std::string_view region) {
  CFR_ASSIGN_OR_RETURN(internal::DigitString d,
                       internal::ExtractDigits(value, "phone number", /*allow_plus=*/true));
  const std::string_view nsn = ThaiNsn(d, region);
  const Cell* cell = ThaiTable::Get().Lookup(nsn);
  if (cell == nullptr || cell->state != Cell::kValid) {
    // Foreign, undecided or invalid: libphonenumber decides, and explains the error.
    return internal::NormalizePhoneSlow(value, region);
  }
  Identifier id;
  id.kind = Kind::kPhone;
  id.canonical.reserve(3 + nsn.size());
  id.canonical = "+66";
  id.canonical += nsn;
  id.display.reserve(16);
  id.display.push_back('0');
  size_t pos = 0;
  size_t in_group = 1;  // the leading 0 belongs to the first group
  for (size_t g = 0; g < cell->groups.size() && cell->groups[g] != 0; ++g) {
    if (g > 0) id.display.push_back('-');
    for (; in_group < cell->groups[g] && pos < nsn.size(); ++in_group) id.display.push_back(nsn[pos++]);
    in_group = 0;
  }
  id.display.append(nsn.substr(pos));
  AddAttributes(&id, TypeName(cell->type), "TH", 66);
  return id;
}

}  // namespace cfr::ident
