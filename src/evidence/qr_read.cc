#include "evidence/qr_read.h"

#define ZX_USE_UTF8 1  // text() as UTF-8 std::string (zxing-cpp 1.4)
#include <ZXing/ReadBarcode.h>

#include <exception>

namespace cfr::evidence {

std::vector<std::string> ReadQrCodes(const GrayImage& image) {
  std::vector<std::string> out;
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * static_cast<size_t>(image.height)) {
    return out;
  }
  ZXing::DecodeHints hints;
  hints.setFormats(ZXing::BarcodeFormat::QRCode);
  hints.setTryHarder(true);
  hints.setTryRotate(true);
  hints.setTryDownscale(true);
  hints.setMaxNumberOfSymbols(8);
  const ZXing::ImageView view(image.pixels.data(), image.width, image.height, ZXing::ImageFormat::Lum);
  ZXing::Results results;
  try {
    results = ZXing::ReadBarcodes(view, hints);
  } catch (const std::exception&) {
    return out;  // a picture zxing cannot read holds no QR we can use
  }
  for (const ZXing::Result& r : results) {
    if (!r.isValid()) continue;
    std::string text = r.text();
    bool seen = false;
    for (const auto& t : out) seen = seen || t == text;
    if (!seen && !text.empty()) out.push_back(std::move(text));
  }
  return out;
}

}  // namespace cfr::evidence
