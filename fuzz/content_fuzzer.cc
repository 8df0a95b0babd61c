// Forwarded messages (POST /api/v1/content/analyze, cfr content analyze): normalising, segmenting,
// extracting identifiers and brands and making the classifier's features must answer every input
// — invalid UTF-8, control characters, mixed scripts, huge texts — with a result or an error
// naming the field, never a crash; and what it answers is well-formed. The fast paths of
// normalisation and tokenisation must answer exactly what the ICU paths answer.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "content/prepare.h"
#include "content/text.h"

namespace {

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The fast paths (Thai-and-ASCII normalisation, ASCII tokenisation) answer what ICU answers.
  const auto fast = cfr::content::NormalizeText(text);
  const auto icu = cfr::content::internal::NormalizeTextWithIcu(text);
  if (fast.ok() != icu.ok() || (fast.ok() && *fast != *icu)) std::abort();
  if (fast.ok() && cfr::content::Tokenize(*fast) != cfr::content::internal::TokenizeWithIcu(*fast))
    std::abort();
  auto p = cfr::content::Prepare(text);
  if (!p.ok()) {
    if (p.status().field() != "text") std::abort();  // every refusal names the text
    return 0;
  }
  if (p->normalized.empty() || !ValidUtf8(p->normalized)) std::abort();
  for (char c : p->normalized) {
    if (static_cast<unsigned char>(c) < 0x20) std::abort();  // control characters became spaces
  }
  for (const auto& t : p->tokens) {
    if (t.empty() || t.find(' ') != std::string::npos || !ValidUtf8(t)) std::abort();
  }
  for (const auto& f : p->identifiers) {
    if (f.id.canonical.empty() || f.as_written.empty()) std::abort();
  }
  for (const auto& b : p->brands) {
    if (b.brand == nullptr) std::abort();
  }
  const std::string features = cfr::content::Features(*p);
  if (features.find('\n') != std::string::npos) std::abort();  // one line per example for fastText
  return 0;
}
