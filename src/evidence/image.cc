#include "evidence/image.h"

#include <vips/vips.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>

namespace cfr::evidence {
namespace {

// libvips once per process: no operation cache (every upload is new; the cache would only hold
// memory), one worker thread per pipeline (requests already run in parallel), and every loader
// blocked but the four this module calls.
void EnsureVips() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (vips_init("cfr") != 0) return;  // the first DecodeImage reports it
    // A damaged upload is the uploader's error, answered to them: not a warning in the server's log.
    g_log_set_handler(
        "VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO),
        [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_concurrency_set(1);
    vips_operation_block_set("VipsForeignLoad", TRUE);
    for (const char* allowed :
         {"VipsForeignLoadPngBuffer", "VipsForeignLoadSpngBuffer", "VipsForeignLoadJpegBuffer",
          "VipsForeignLoadWebpBuffer", "VipsForeignLoadPdfBuffer", "VipsForeignLoadPdfiumBuffer"}) {
      vips_operation_block_set(allowed, FALSE);
    }
  });
}

struct Unref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, Unref>;

// The libvips error of this failure, for the message (its buffer is shared, so it is cleared).
std::string VipsMessage() {
  std::string m = vips_error_buffer();
  vips_error_clear();
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  if (const size_t nl = m.find('\n'); nl != std::string::npos) m.resize(nl);
  if (m.size() > 200) m.resize(200);
  return m;
}

Status Corrupt(std::string_view what) {
  std::string m = VipsMessage();
  return InvalidArgument("cannot be read as " + std::string(what) + (m.empty() ? "" : ": " + m), "file");
}

// An EXIF string field as libvips gives it: "Apple (Apple, ASCII, 6 components, 6 bytes)".
std::string ExifField(VipsImage* image, const char* name) {
  if (vips_image_get_typeof(image, name) == 0) return "";
  const char* value = nullptr;
  if (vips_image_get_string(image, name, &value) != 0 || value == nullptr) {
    vips_error_clear();
    return "";
  }
  std::string v = value;
  if (const size_t paren = v.find(" ("); paren != std::string::npos) v.resize(paren);
  // Printable ASCII only, at most 64 characters: it is shown to people and put in JSON.
  std::string out;
  for (char c : v) {
    if (c >= 0x20 && c < 0x7f) out += c;
    if (out.size() == 64) break;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// "2026:11:30 14:02:11" → "2026-11-30T14:02:11"; empty when it is not that shape.
std::string ExifTime(std::string_view v) {
  if (v.size() < 19 || v[4] != ':' || v[7] != ':' || v[10] != ' ' || v[13] != ':' || v[16] != ':') return "";
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (v[i] < '0' || v[i] > '9') return "";
  }
  std::string out(v.substr(0, 19));
  out[4] = '-';
  out[7] = '-';
  out[10] = 'T';
  if (out.starts_with("0000")) return "";
  return out;
}

Status CheckSize(int64_t width, int64_t height, const ImageLimits& limits) {
  if (width <= 0 || height <= 0) return InvalidArgument("has no pixels", "file");
  if (width > limits.max_side || height > limits.max_side || width * height > limits.max_pixels) {
    return InvalidArgument("is " + std::to_string(width) + "×" + std::to_string(height) +
                               " pixels: over the limit of " + std::to_string(limits.max_side) +
                               " a side and " + std::to_string(limits.max_pixels) + " in all",
                           "file");
  }
  return Status::Ok();
}

// Opens the header (no pixels yet). For a PDF, the first page at a scale that keeps it within
// the limits (up to 3×: a slip's QR is small).
Result<ImagePtr> Open(std::string_view bytes, FileType type, const ImageLimits& limits) {
  void* buf = const_cast<char*>(bytes.data());
  VipsImage* out = nullptr;
  int rc = -1;
  switch (type) {
    case FileType::kPng:
      rc = vips_pngload_buffer(buf, bytes.size(), &out, "fail_on", VIPS_FAIL_ON_TRUNCATED, "access",
                               VIPS_ACCESS_SEQUENTIAL, nullptr);
      break;
    case FileType::kJpeg:
      rc = vips_jpegload_buffer(buf, bytes.size(), &out, "fail_on", VIPS_FAIL_ON_TRUNCATED, "access",
                                VIPS_ACCESS_SEQUENTIAL, nullptr);
      break;
    case FileType::kWebp:
      rc = vips_webpload_buffer(buf, bytes.size(), &out, "fail_on", VIPS_FAIL_ON_TRUNCATED, "access",
                                VIPS_ACCESS_SEQUENTIAL, nullptr);
      break;
    case FileType::kPdf: {
      rc = vips_pdfload_buffer(buf, bytes.size(), &out, "page", 0, "n", 1, "fail_on", VIPS_FAIL_ON_TRUNCATED,
                               nullptr);
      if (rc != 0) break;
      ImagePtr first(out);
      const double w = vips_image_get_width(out), h = vips_image_get_height(out);
      double scale = 3.0;
      scale = std::min(scale, std::sqrt(static_cast<double>(limits.max_pixels) / std::max(1.0, w * h)));
      scale = std::min(scale, limits.max_side / std::max(w, h));
      if (scale < 0.01) return InvalidArgument("has a page too large to render", "file");
      out = nullptr;
      rc = vips_pdfload_buffer(buf, bytes.size(), &out, "page", 0, "n", 1, "scale", scale, "fail_on",
                               VIPS_FAIL_ON_TRUNCATED, nullptr);
      break;
    }
  }
  if (rc != 0 || out == nullptr) return Corrupt(MediaType(type));
  return ImagePtr(out);
}

}  // namespace

std::string_view MediaType(FileType type) {
  switch (type) {
    case FileType::kPng:
      return "image/png";
    case FileType::kJpeg:
      return "image/jpeg";
    case FileType::kWebp:
      return "image/webp";
    case FileType::kPdf:
      return "application/pdf";
  }
  return "application/octet-stream";
}

Result<FileType> SniffType(std::string_view b) {
  if (b.starts_with("\x89PNG\r\n\x1a\n")) return FileType::kPng;
  if (b.starts_with("\xff\xd8\xff")) return FileType::kJpeg;
  if (b.size() >= 12 && b.starts_with("RIFF") && b.substr(8, 4) == "WEBP") return FileType::kWebp;
  if (b.starts_with("%PDF-")) return FileType::kPdf;
  std::string_view looks;
  if (b.starts_with("GIF8")) looks = "a GIF image";
  if (b.starts_with("II*") || b.starts_with("MM\0*")) looks = "a TIFF image";
  if (b.starts_with("BM")) looks = "a BMP image";
  if (b.size() >= 12 && b.substr(4, 4) == "ftyp") looks = "an HEIF/AVIF image or a video";
  if (b.starts_with("PK\x03\x04")) looks = "a ZIP archive (or an Office document)";
  if (b.starts_with("<") || b.starts_with("\xef\xbb\xbf<")) looks = "HTML, XML or SVG";
  if (b.empty()) return InvalidArgument("is empty", "file");
  return InvalidArgument(std::string("is not PNG, JPEG, WebP or PDF") +
                             (looks.empty() ? "" : " (it looks like " + std::string(looks) + ")"),
                         "file");
}

Result<ImageInfo> DecodeImageInto(std::string_view bytes, const ImageLimits& limits, GrayImage* out_gray) {
  CFR_ASSIGN_OR_RETURN(FileType type, SniffType(bytes));
  EnsureVips();
  CFR_ASSIGN_OR_RETURN(ImagePtr image, Open(bytes, type, limits));
  ImageInfo info;
  info.type = type;
  info.width = vips_image_get_width(image.get());
  info.height = vips_image_get_height(image.get());
  CFR_RETURN_IF_ERROR(CheckSize(info.width, info.height, limits));
  if (type == FileType::kPdf) {
    int pages = 1;
    if (vips_image_get_typeof(image.get(), "n-pages") != 0 &&
        vips_image_get_int(image.get(), "n-pages", &pages) == 0) {
      info.pages = pages;
    }
    vips_error_clear();
  } else {
    info.exif_make = ExifField(image.get(), "exif-ifd0-Make");
    info.exif_model = ExifField(image.get(), "exif-ifd0-Model");
    info.exif_software = ExifField(image.get(), "exif-ifd0-Software");
    info.exif_captured_at = ExifTime(ExifField(image.get(), "exif-ifd2-DateTimeOriginal"));
    if (info.exif_captured_at.empty())
      info.exif_captured_at = ExifTime(ExifField(image.get(), "exif-ifd0-DateTime"));
  }
  // To 8-bit greyscale: transparency over white, any colour space to B_W, any depth to 8 bits.
  VipsImage* current = image.get();
  ImagePtr flat, grey, cast;
  if (vips_image_hasalpha(current)) {
    VipsImage* out = nullptr;
    VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
    const int rc = vips_flatten(current, &out, "background", white, nullptr);
    vips_area_unref(VIPS_AREA(white));
    if (rc != 0) return Corrupt(MediaType(type));
    flat.reset(out);
    current = out;
  }
  {
    VipsImage* out = nullptr;
    if (vips_colourspace(current, &out, VIPS_INTERPRETATION_B_W, nullptr) != 0)
      return Corrupt(MediaType(type));
    grey.reset(out);
    current = out;
  }
  if (vips_image_get_bands(current) != 1) {
    VipsImage* out = nullptr;
    if (vips_extract_band(current, &out, 0, nullptr) != 0) return Corrupt(MediaType(type));
    cast.reset(out);
    current = out;
  }
  ImagePtr as_uchar;
  if (vips_image_get_format(current) != VIPS_FORMAT_UCHAR) {
    VipsImage* out = nullptr;
    if (vips_cast_uchar(current, &out, nullptr) != 0) return Corrupt(MediaType(type));
    as_uchar.reset(out);
    current = out;
  }
  // Written straight into the caller's buffer (kept between calls: a 2-megapixel buffer taken
  // fresh each time costs more in page faults than the decoding).
  out_gray->width = info.width;
  out_gray->height = info.height;
  out_gray->pixels.resize(static_cast<size_t>(info.width) * static_cast<size_t>(info.height));
  VipsImage* target = vips_image_new_from_memory(out_gray->pixels.data(), out_gray->pixels.size(), info.width,
                                                 info.height, 1, VIPS_FORMAT_UCHAR);
  if (target == nullptr) return Corrupt(MediaType(type));
  ImagePtr target_owner(target);
  if (vips_image_write(current, target) != 0) return Corrupt(MediaType(type));
  return info;
}

Result<DecodedImage> DecodeImage(std::string_view bytes, const ImageLimits& limits) {
  DecodedImage d;
  CFR_ASSIGN_OR_RETURN(d.info, DecodeImageInto(bytes, limits, &d.gray));
  return d;
}

Result<std::string> EncodeImage(const uint8_t* pixels, int width, int height, int channels, FileType type,
                                int quality, double scale) {
  EnsureVips();
  if (channels != 1 && channels != 3) return InvalidArgument("channels must be 1 or 3", "channels");
  VipsImage* raw = vips_image_new_from_memory_copy(pixels, static_cast<size_t>(width) * height * channels,
                                                   width, height, channels, VIPS_FORMAT_UCHAR);
  if (raw == nullptr) return Internal("encode: " + VipsMessage());
  ImagePtr image(raw);
  if (channels == 3) image->Type = VIPS_INTERPRETATION_sRGB;
  if (scale != 1.0) {
    VipsImage* out = nullptr;
    if (vips_resize(image.get(), &out, scale, nullptr) != 0) return Internal("encode: " + VipsMessage());
    image.reset(out);
  }
  void* buf = nullptr;
  size_t len = 0;
  int rc = -1;
  switch (type) {
    case FileType::kPng:
      rc = vips_pngsave_buffer(image.get(), &buf, &len, nullptr);
      break;
    case FileType::kJpeg:
      rc = vips_jpegsave_buffer(image.get(), &buf, &len, "Q", quality, nullptr);
      break;
    case FileType::kWebp:
      rc = vips_webpsave_buffer(image.get(), &buf, &len, "Q", quality, nullptr);
      break;
    case FileType::kPdf:
      return InvalidArgument("cannot write PDF", "type");
  }
  if (rc != 0) return Internal("encode: " + VipsMessage());
  std::string out(static_cast<const char*>(buf), len);
  g_free(buf);
  return out;
}

}  // namespace cfr::evidence
