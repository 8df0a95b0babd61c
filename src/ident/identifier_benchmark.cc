// Throughput of each normaliser, and libphonenumber's own Parse + Format as the baseline for the
// phone path (docs/benchmarks.md).
#include <benchmark/benchmark.h>
#include <phonenumbers/phonenumberutil.h>

#include <random>
#include <string>
#include <vector>

#include "ident/identifier.h"

namespace cfr::ident {
namespace {

// Random Thai mobile numbers as people write them ("081-234-5678"). With valid_only, numbers
// outside the allocated ranges (libphonenumber decides) are skipped.
std::vector<std::string> ThaiMobiles(size_t n, bool valid_only = true) {
  std::mt19937_64 rng(42);
  std::vector<std::string> out;
  static const char* kPrefixes[] = {"08", "09", "06"};
  while (out.size() < n) {
    std::string s = kPrefixes[rng() % 3];
    s.push_back(static_cast<char>('1' + rng() % 9));
    s += "-";
    for (int k = 0; k < 3; ++k) s.push_back(static_cast<char>('0' + rng() % 10));
    s += "-";
    for (int k = 0; k < 4; ++k) s.push_back(static_cast<char>('0' + rng() % 10));
    if (valid_only && !NormalizePhone(s).ok()) continue;
    out.push_back(s);
  }
  return out;
}

template <typename F>
void RunOver(benchmark::State& state, const std::vector<std::string>& inputs, F f) {
  size_t i = 0;
  for (auto _ : state) {
    auto r = f(inputs[i]);
    benchmark::DoNotOptimize(r);
    if (++i == inputs.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_PhoneThaiMobile(benchmark::State& state) {
  const auto inputs = ThaiMobiles(4096);
  IgnoreError(NormalizePhone("0812345678").status());  // build the table outside the loop
  RunOver(state, inputs, [](const std::string& s) { return NormalizePhone(s); });
}
BENCHMARK(BM_PhoneThaiMobile);

// Mistyped and unallocated numbers: libphonenumber explains the error.
void BM_PhoneThaiInvalid(benchmark::State& state) {
  const std::vector<std::string> inputs = {"069-123-4567", "081-234-567", "0812345678901"};
  RunOver(state, inputs, [](const std::string& s) { return NormalizePhone(s); });
}
BENCHMARK(BM_PhoneThaiInvalid);

const std::vector<std::string>& ForeignNumbers() {
  static const std::vector<std::string> kNumbers = {"+1 650-253-0000", "+44 20 7946 0958",
                                                    "+86 138 0013 8000", "+855 12 345 678"};
  return kNumbers;
}

// Foreign numbers take libphonenumber's path (Parse, IsValidNumber, GetNumberType, region,
// Format E.164 and international).
void BM_PhoneForeign(benchmark::State& state) {
  RunOver(state, ForeignNumbers(), [](const std::string& s) { return NormalizePhone(s); });
}
BENCHMARK(BM_PhoneForeign);

// Baseline for the foreign path: the same calls made directly, without our cleaning and result.
void BM_LibphonenumberForeignSameCalls(benchmark::State& state) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  RunOver(state, ForeignNumbers(), [&](const std::string& s) {
    PhoneNumber pn;
    util.Parse(s, "TH", &pn);
    std::string e164, intl, region;
    if (util.IsValidNumber(pn)) {
      benchmark::DoNotOptimize(util.GetNumberType(pn));
      util.GetRegionCodeForNumber(pn, &region);
      util.Format(pn, PhoneNumberUtil::E164, &e164);
      util.Format(pn, PhoneNumberUtil::INTERNATIONAL, &intl);
    }
    return e164;
  });
}
BENCHMARK(BM_LibphonenumberForeignSameCalls);

// Baseline: what libphonenumber alone costs for Parse + Format(E164) of the same Thai inputs.
void BM_LibphonenumberParseFormat(benchmark::State& state) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const auto inputs = ThaiMobiles(4096);
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  RunOver(state, inputs, [&](const std::string& s) {
    PhoneNumber pn;
    util.Parse(s, "TH", &pn);
    std::string out;
    util.Format(pn, PhoneNumberUtil::E164, &out);
    return out;
  });
}
BENCHMARK(BM_LibphonenumberParseFormat);

// Baseline with validation and type, which our result also carries.
void BM_LibphonenumberParseValidateTypeFormat(benchmark::State& state) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const auto inputs = ThaiMobiles(4096);
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  RunOver(state, inputs, [&](const std::string& s) {
    PhoneNumber pn;
    util.Parse(s, "TH", &pn);
    std::string out;
    if (util.IsValidNumber(pn)) {
      benchmark::DoNotOptimize(util.GetNumberType(pn));
      util.Format(pn, PhoneNumberUtil::E164, &out);
    }
    return out;
  });
}
BENCHMARK(BM_LibphonenumberParseValidateTypeFormat);

void BM_BankAccount(benchmark::State& state) {
  std::mt19937_64 rng(7);
  std::vector<std::string> inputs;
  static const char* kBanks[] = {"004:", "014:", "002:", "006:", "025:"};
  for (int i = 0; i < 4096; ++i) {
    std::string s = kBanks[rng() % 5];
    for (int k = 0; k < 10; ++k) s.push_back(static_cast<char>('0' + rng() % 10));
    inputs.push_back(s);
  }
  RunOver(state, inputs, [](const std::string& s) { return NormalizeBankAccount(s); });
}
BENCHMARK(BM_BankAccount);

void BM_NationalId(benchmark::State& state) {
  const std::vector<std::string> inputs = {"6212509199088", "7-0709-07095-84-1", "2765417902446"};
  RunOver(state, inputs, [](const std::string& s) { return NormalizeNationalId(s); });
}
BENCHMARK(BM_NationalId);

void BM_Url(benchmark::State& state) {
  const std::vector<std::string> inputs = {"https://Example.COM/a/../b?utm_source=x&id=5#frag", "bit.ly/abc",
                                           "https://line-kbank.web.app/login"};
  RunOver(state, inputs, [](const std::string& s) { return NormalizeUrl(s); });
}
BENCHMARK(BM_Url);

void BM_Email(benchmark::State& state) {
  const std::vector<std::string> inputs = {"John.Doe@Example.COM", "j.o.h.n+scam@gmail.com"};
  RunOver(state, inputs, [](const std::string& s) { return NormalizeEmail(s); });
}
BENCHMARK(BM_Email);

void BM_PromptPayQr(benchmark::State& state) {
  const std::vector<std::string> inputs = {
      "00020101021129370016A000000677010111011300668123456785802TH530376463045D82"};
  RunOver(state, inputs, [](const std::string& s) { return NormalizePromptPay(s); });
}
BENCHMARK(BM_PromptPayQr);

void BM_CryptoWallet(benchmark::State& state) {
  const std::vector<std::string> inputs = {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                                           "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
                                           "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"};
  RunOver(state, inputs, [](const std::string& s) { return NormalizeCryptoWallet(s); });
}
BENCHMARK(BM_CryptoWallet);

void BM_Domain(benchmark::State& state) {
  const std::vector<std::string> inputs = {"Login.Kbank-Secure.COM", "ตัวอย่าง.ไทย"};
  RunOver(state, inputs, [](const std::string& s) { return NormalizeDomain(s); });
}
BENCHMARK(BM_Domain);

void BM_LineId(benchmark::State& state) {
  const std::vector<std::string> inputs = {"@ScamShop", "line.me/R/ti/p/@scamshop"};
  RunOver(state, inputs, [](const std::string& s) { return NormalizeLineId(s); });
}
BENCHMARK(BM_LineId);

void BM_Social(benchmark::State& state) {
  const std::vector<std::string> inputs = {"https://www.facebook.com/Scam.Page.TH", "tiktok:@scam.deals"};
  RunOver(state, inputs, [](const std::string& s) { return NormalizeSocial(s); });
}
BENCHMARK(BM_Social);

void BM_PromptPayProxy(benchmark::State& state) {
  const std::vector<std::string> inputs = {"0812345678", "6212509199088", "ewallet:140000123456789"};
  RunOver(state, inputs, [](const std::string& s) { return NormalizePromptPay(s); });
}
BENCHMARK(BM_PromptPayProxy);

void BM_DetectAndNormalize(benchmark::State& state) {
  const std::vector<std::string> inputs = {"081-234-5678", "KBANK 123-4-56789-0", "bit.ly/abc", "@scamshop",
                                           "scam@example.com"};
  RunOver(state, inputs, [](const std::string& s) { return Normalize(s); });
}
BENCHMARK(BM_DetectAndNormalize);

}  // namespace
}  // namespace cfr::ident
