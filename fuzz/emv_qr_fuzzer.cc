// libFuzzer target for the EMVCo TLV and PromptPay QR parser.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ident/emv_qr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  auto fields = cfr::ident::ParseTlv(payload);
  if (fields.ok()) {
    size_t total = 0;
    for (const auto& f : *fields) total += 4 + f.value.size();
    if (total != size) std::abort();  // TLV fields tile the payload exactly
  }
  auto qr = cfr::ident::ParsePromptPayQr(payload);
  if (qr.ok() && qr->proxy_type.empty() && qr->biller_id.empty()) std::abort();
  return 0;
}
