// Uploaded images and PDFs, read safely: the type from the content (never the name), the header
// checked against size limits before any pixel is decoded (a decompression bomb is refused
// without allocating its pixels), metadata useful to investigators (dimensions, EXIF capture time
// and device), and the picture as 8-bit greyscale for the QR reader and the perceptual hash.
// Decoding is libvips's (its PNG, JPEG, WebP and PDF loaders called directly, untrusted loaders
// blocked, truncated files refused). Thread-safe.
#ifndef CFR_EVIDENCE_IMAGE_H_
#define CFR_EVIDENCE_IMAGE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cfr::evidence {

enum class FileType { kPng, kJpeg, kWebp, kPdf };
// "image/png", "image/jpeg", "image/webp", "application/pdf".
std::string_view MediaType(FileType type);

// The type from the file's first bytes. kInvalidArgument (field "file") for anything else, naming
// what it looks like when that is known (GIF, TIFF, ZIP, …).
Result<FileType> SniffType(std::string_view bytes);

struct ImageLimits {
  int64_t max_pixels = 40'000'000;  // width × height of the decoded picture
  int max_side = 20'000;            // either side, in pixels
};

struct ImageInfo {
  FileType type = FileType::kPng;
  int width = 0, height = 0;  // of the picture as decoded (a PDF's first page as rendered)
  int pages = 1;              // a PDF's page count; 1 for images
  // EXIF, when the file has it (empty otherwise). Captured: "2026-11-30T14:02:11" (local time of
  // the device: EXIF has no zone).
  std::string exif_captured_at, exif_make, exif_model, exif_software;
};

struct GrayImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // row-major, width × height
};

struct DecodedImage {
  ImageInfo info;
  GrayImage gray;
};

// Sniffs, checks the limits on the header, reads the metadata and decodes to greyscale (a PDF's
// first page rendered at up to 3× its 72-dpi size, within the limits). kInvalidArgument (field
// "file") for a wrong type, a corrupt or truncated file, or a picture over the limits.
Result<DecodedImage> DecodeImage(std::string_view bytes, const ImageLimits& limits);
// The same into `gray`, whose buffer is reused (a caller decoding many files keeps one).
Result<ImageInfo> DecodeImageInto(std::string_view bytes, const ImageLimits& limits, GrayImage* gray);

// Encodes greyscale or RGB pixels (tests, the demo, benchmarks): PNG, JPEG (quality 1–100) or
// WebP; `channels` is 1 or 3. Resizes by `scale` first when it is not 1.
Result<std::string> EncodeImage(const uint8_t* pixels, int width, int height, int channels, FileType type,
                                int quality = 90, double scale = 1.0);

}  // namespace cfr::evidence

#endif  // CFR_EVIDENCE_IMAGE_H_
