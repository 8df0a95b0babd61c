// Pictures with QR codes, drawn (libqrencode) for the tests, the demo and the benchmarks: a QR on
// its own, and a synthetic phone screenshot of a transfer slip — a bank's header band, lines of
// "text", the amount in seven-segment digits, and the verification QR. Not for production paths.
#ifndef CFR_EVIDENCE_QR_DRAW_H_
#define CFR_EVIDENCE_QR_DRAW_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "evidence/image.h"

namespace cfr::evidence {

// The QR of `text` (error correction M), `module_px` pixels a module, with a 4-module quiet zone.
Result<GrayImage> DrawQr(std::string_view text, int module_px);

// Copies `src` into `dst` at (x, y), clipped.
void Paste(const GrayImage& src, int x, int y, GrayImage* dst);

struct SlipPicture {
  int width = 1080, height = 1920;
  int header_grey = 60;       // the bank's colour band, as a grey level
  uint64_t seed = 1;          // the layout of the text lines
  int64_t amount_satang = 0;  // drawn in large digits
  std::string qr;             // the slip's verification QR payload (none when empty)
  std::string payment_qr;     // a PromptPay QR drawn as well (none when empty)
};
Result<GrayImage> DrawSlip(const SlipPicture& slip);

// A static PromptPay QR payload paying a mobile number given as "0066812345678" (tag 29 with the
// credit-transfer AID, currency 764, country TH, CRC).
std::string PromptPayQrForMobile(std::string_view mobile_0066);

}  // namespace cfr::evidence

#endif  // CFR_EVIDENCE_QR_DRAW_H_
