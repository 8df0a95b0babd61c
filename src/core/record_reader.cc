#include "core/record_reader.h"

#include <csv.h>

#include <algorithm>

#include "core/text.h"

namespace cfr {
namespace {

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

std::string_view WithoutLineBreak(std::string_view s) {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

// Only "\n" ends a record (so a line count is exact); a "\r" before it is trimmed like a space.
int IsTerminator(unsigned char c) { return c == '\n' ? 1 : 0; }
int IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' ? 1 : 0; }

}  // namespace

struct CsvReader::Impl {
  explicit Impl(size_t max) : max_record_bytes(max) { Init(); }
  ~Impl() { csv_free(&parser); }

  void Init() {
    csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI);
    csv_set_term_func(&parser, IsTerminator);
    csv_set_space_func(&parser, IsSpace);
  }
  void Reset() {
    csv_free(&parser);
    Init();
    fields.clear();
    raw.clear();
  }

  static void OnField(void* s, size_t len, void* self) {
    auto* impl = static_cast<Impl*>(self);
    impl->fields.emplace_back(s == nullptr ? "" : std::string(static_cast<const char*>(s), len));
  }
  static void OnRecord(int /*terminator*/, void* self) {
    auto* impl = static_cast<Impl*>(self);
    TextRecord r;
    r.line = impl->record_line;
    r.fields = std::move(impl->fields);
    r.raw = std::string(WithoutLineBreak(impl->raw));
    impl->out->push_back(std::move(r));
    impl->fields.clear();
    impl->raw.clear();
  }

  void EmitError(std::string message) {
    TextRecord r;
    r.line = record_line;
    r.raw = std::string(WithoutLineBreak(raw));
    r.error = std::move(message);
    out->push_back(std::move(r));
    Reset();
  }

  // `segment` is a whole line (ends with "\n") or the start of one (the chunk ended).
  void FeedSegment(std::string_view segment) {
    const bool ends_line = segment.back() == '\n';
    if (skipping) {  // the rest of a line after an error
      if (ends_line) {
        skipping = false;
        ++line;
      }
      return;
    }
    if (raw.empty()) {  // between records: blank lines (or the blank start of one) are skipped
      if (IsBlank(segment)) {
        if (ends_line) ++line;
        return;
      }
      record_line = line;
    }
    raw.append(segment);
    if (raw.size() > max_record_bytes) {
      EmitError("record longer than " + std::to_string(max_record_bytes) + " bytes");
      skipping = !ends_line;
    } else if (csv_parse(&parser, segment.data(), segment.size(), OnField, OnRecord, this) !=
               segment.size()) {
      EmitError(std::string("malformed CSV: ") + csv_strerror(csv_error(&parser)) +
                " (a quote inside an unquoted field, or text after a closing quote)");
      skipping = !ends_line;
    }
    if (ends_line && !skipping) ++line;
  }

  csv_parser parser{};
  const size_t max_record_bytes;
  std::vector<TextRecord>* out = nullptr;
  std::vector<std::string> fields;
  std::string raw;
  size_t line = 1;
  size_t record_line = 1;
  bool skipping = false;
  bool started = false;  // past a byte-order mark, if any
  size_t bom_seen = 0;
};

CsvReader::CsvReader(size_t max_record_bytes) : impl_(std::make_unique<Impl>(max_record_bytes)) {}
CsvReader::~CsvReader() = default;

void CsvReader::Feed(std::string_view chunk, std::vector<TextRecord>* out) {
  impl_->out = out;
  // A UTF-8 byte-order mark (spreadsheet exports) may arrive split over chunks.
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";
  while (!impl_->started && !chunk.empty()) {
    if (chunk[0] == kBom[impl_->bom_seen]) {
      chunk.remove_prefix(1);
      impl_->started = ++impl_->bom_seen == kBom.size();
    } else {
      impl_->started = true;
      FeedLines(kBom.substr(0, impl_->bom_seen));
    }
  }
  FeedLines(chunk);
}

void CsvReader::FeedLines(std::string_view chunk) {
  while (!chunk.empty()) {
    const size_t nl = chunk.find('\n');
    const std::string_view segment = nl == std::string_view::npos ? chunk : chunk.substr(0, nl + 1);
    chunk.remove_prefix(segment.size());
    impl_->FeedSegment(segment);
  }
}

void CsvReader::Finish(std::vector<TextRecord>* out) {
  impl_->out = out;
  if (!impl_->started) {
    impl_->started = true;
    FeedLines(std::string_view("\xEF\xBB\xBF").substr(0, impl_->bom_seen));
  }
  if (impl_->skipping) return;
  if (csv_fini(&impl_->parser, Impl::OnField, Impl::OnRecord, impl_.get()) != 0) {
    impl_->EmitError("malformed CSV: the input ends inside a quoted field");
    return;
  }
  impl_->Reset();
}

Result<std::vector<int>> MapCsvHeader(const std::vector<std::string>& header,
                                      std::span<const std::string_view> known,
                                      std::initializer_list<std::string_view> required) {
  std::vector<int> columns;
  std::vector<bool> seen(known.size(), false);
  for (const std::string& raw : header) {
    const std::string_view name = TrimSpace(raw);
    const auto it = std::find(known.begin(), known.end(), name);
    if (it == known.end()) {
      std::string all;
      for (std::string_view c : known) all += (all.empty() ? "" : ", ") + std::string(c);
      return InvalidArgument("unknown column " + QuoteForMessage(name) + "; the columns are " + all,
                             "header");
    }
    const auto col = static_cast<size_t>(it - known.begin());
    if (seen[col]) return InvalidArgument("column " + std::string(*it) + " appears twice", "header");
    seen[col] = true;
    columns.push_back(static_cast<int>(col));
  }
  for (std::string_view name : required) {
    const auto it = std::find(known.begin(), known.end(), name);
    if (it == known.end() || !seen[static_cast<size_t>(it - known.begin())]) {
      return InvalidArgument("the header has no column " + std::string(name), "header");
    }
  }
  return columns;
}

LineReader::LineReader(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

void LineReader::Emit(std::vector<TextRecord>* out) {
  const std::string_view text = WithoutLineBreak(pending_);
  if (too_long_) {
    out->push_back({line_,
                    {},
                    std::string(text.substr(0, 200)),
                    "line longer than " + std::to_string(max_line_bytes_) + " bytes"});
  } else if (!IsBlank(text)) {
    out->push_back({line_, {std::string(text)}, std::string(text), {}});
  }
  pending_.clear();
  too_long_ = false;
  ++line_;
}

void LineReader::Feed(std::string_view chunk, std::vector<TextRecord>* out) {
  while (!chunk.empty()) {
    const size_t nl = chunk.find('\n');
    const std::string_view part = nl == std::string_view::npos ? chunk : chunk.substr(0, nl);
    if (!too_long_) {
      if (pending_.size() + part.size() > max_line_bytes_) {
        too_long_ = true;
        pending_.append(part.substr(0, 200 - std::min<size_t>(200, pending_.size())));
      } else {
        pending_.append(part);
      }
    }
    if (nl == std::string_view::npos) return;
    chunk.remove_prefix(nl + 1);
    Emit(out);
  }
}

void LineReader::Finish(std::vector<TextRecord>* out) {
  if (!pending_.empty() || too_long_) Emit(out);
}

}  // namespace cfr
