// libFuzzer target for the slip verification QR parser (evidence/slip_qr.h).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "evidence/slip_qr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  (void)cfr::evidence::LooksLikeSlipQr(payload);
  auto slip = cfr::evidence::ParseSlipQr(payload);
  if (slip.ok()) {
    // What parses builds back into a payload that parses to the same slip.
    auto again = cfr::evidence::ParseSlipQr(cfr::evidence::BuildSlipQr(*slip));
    if (!again.ok() || again->sending_bank != slip->sending_bank || again->trans_ref != slip->trans_ref)
      std::abort();
    if (slip->sending_bank.size() != 3 || slip->trans_ref.empty() || slip->trans_ref.size() > 64)
      std::abort();
  } else if (slip.status().field() != "payload") {
    std::abort();  // every error names the field
  }
  return 0;
}
