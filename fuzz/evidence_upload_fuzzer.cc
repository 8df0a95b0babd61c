// libFuzzer target for the upload path of evidence files (POST /api/v1/evidence, a picture sent
// to /api/v1/slips/verify): the type sniffed from the content, libvips's decoding behind the
// header limits, EXIF, QR reading, the perceptual hash, and the QR texts parsed as slip and
// PromptPay QRs. Untrusted bytes must give a picture or an error naming "file", never a crash;
// the limits here are small so that each input stays fast.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "evidence/image.h"
#include "evidence/phash.h"
#include "evidence/qr_read.h"
#include "evidence/slip_qr.h"
#include "ident/identifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  cfr::evidence::ImageLimits limits;
  limits.max_pixels = 4'000'000;
  limits.max_side = 4000;
  auto decoded = cfr::evidence::DecodeImage(bytes, limits);
  if (!decoded.ok()) {
    if (decoded.status().field() != "file") std::abort();
    return 0;
  }
  const auto& g = decoded->gray;
  if (g.width <= 0 || g.height <= 0 || static_cast<int64_t>(g.width) * g.height > limits.max_pixels ||
      g.pixels.size() != static_cast<size_t>(g.width) * static_cast<size_t>(g.height)) {
    std::abort();  // the limits hold and the pixels are all there
  }
  (void)cfr::evidence::HashPicture(g);
  for (const auto& text : cfr::evidence::ReadQrCodes(g)) {
    (void)cfr::evidence::ParseSlipQr(text);
    cfr::ident::NormalizeOptions o;
    o.kind = cfr::ident::Kind::kPromptPay;
    (void)cfr::ident::Normalize(text, o);
  }
  return 0;
}
