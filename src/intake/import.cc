#include "intake/import.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <optional>

#include "core/json_escape.h"
#include "core/record_reader.h"
#include "core/text.h"
#include "ident/identifier.h"

namespace cfr::intake {
namespace {

using nlohmann::json;

enum Col : int {
  kReportRef,
  kVictimName,
  kVictimNationalId,
  kVictimPhone,
  kVictimEmail,
  kVictimProvince,
  kVictimAgeBand,
  kChannel,
  kScamType,
  kOccurredAt,
  kNarrative,
  kFromBank,
  kFromAccount,
  kToBank,
  kToAccount,
  kToPromptPay,
  kAmountSatang,
  kTransferAt,
  kTransferChannel,
  kBankReference,
  kScammerIdentifiers,
  kEvidenceFileName,
  kEvidenceSha256,
  kEvidenceMediaType,
  kColumnCount
};
static_assert(std::size(kReportCsvColumns) == kColumnCount);

// Columns that describe the report as a whole (taken from a report's first row).
constexpr Col kReportColumns[] = {kVictimName,     kVictimNationalId, kVictimPhone, kVictimEmail,
                                  kVictimProvince, kVictimAgeBand,    kChannel,     kScamType,
                                  kOccurredAt,     kNarrative};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A JSON path "loss_transfers[2].to.account" split into ("loss_transfers", 2, "to.account").
struct IndexedPath {
  std::string_view array;
  size_t index = 0;
  std::string_view rest;
};
std::optional<IndexedPath> SplitIndexedPath(std::string_view path) {
  const size_t open = path.find('[');
  const size_t close = path.find(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  IndexedPath p;
  p.array = path.substr(0, open);
  const auto [end, ec] = std::from_chars(path.data() + open + 1, path.data() + close, p.index);
  if (ec != std::errc() || end != path.data() + close) return std::nullopt;
  p.rest = path.substr(close + 1);
  if (!p.rest.empty() && p.rest.front() == '.') p.rest.remove_prefix(1);
  return p;
}

}  // namespace

Result<ImportFormat> ParseImportFormat(std::string_view name, std::string_view field) {
  if (name == "csv") return ImportFormat::kCsv;
  if (name == "ndjson" || name == "jsonl") return ImportFormat::kNdjson;
  return InvalidArgument("must be csv or ndjson", std::string(field));
}

struct ReportRowReader::Impl {
  explicit Impl(ImportFormat f) : format(f) {}

  Status Take(std::vector<ImportRow>* out) {
    for (TextRecord& r : records) {
      if (format == ImportFormat::kNdjson) {
        ImportRow row;
        row.line = r.line;
        row.source = std::move(r.raw);
        if (!r.error.empty()) {
          row.error = InvalidArgument(r.error);
        } else {
          row.body = std::move(r.fields[0]);
        }
        out->push_back(std::move(row));
        continue;
      }
      CFR_RETURN_IF_ERROR(TakeCsv(r, out));
    }
    records.clear();
    return Status::Ok();
  }

  Status Header(const TextRecord& r) {
    if (!r.error.empty()) return InvalidArgument("line " + std::to_string(r.line) + ": " + r.error, "header");
    CFR_ASSIGN_OR_RETURN(columns,
                         MapCsvHeader(r.fields, kReportCsvColumns, {"channel", "scam_type", "occurred_at"}));
    have_header = true;
    return Status::Ok();
  }

  Status TakeCsv(TextRecord& r, std::vector<ImportRow>* out) {
    if (!have_header) return Header(r);
    if (!r.error.empty() || r.fields.size() != columns.size()) {
      Flush(out);
      ImportRow row;
      row.line = r.line;
      row.source = std::move(r.raw);
      row.error = !r.error.empty()
                      ? InvalidArgument(r.error)
                      : InvalidArgument("has " + std::to_string(r.fields.size()) +
                                        " fields; the header has " + std::to_string(columns.size()));
      out->push_back(std::move(row));
      return Status::Ok();
    }
    std::string_view v[kColumnCount];
    for (size_t i = 0; i < columns.size(); ++i) v[columns[i]] = Trim(r.fields[i]);

    if (open && (v[kReportRef].empty() || v[kReportRef] != ref)) Flush(out);
    if (!open)
      Start(r, v);
    else {
      pending.source += '\n';
      pending.source += r.raw;
      for (Col c : kReportColumns) {
        if (!v[c].empty() && v[c] != first[c]) {
          Fail(InvalidArgument("differs from the first row of report_ref " + QuoteForMessage(ref),
                               std::string(kReportCsvColumns[c])),
               r.line);
        }
      }
    }
    AddParts(r.line, v);
    if (ref.empty()) Flush(out);
    return Status::Ok();
  }

  void Start(const TextRecord& r, const std::string_view (&v)[kColumnCount]) {
    open = true;
    ref = std::string(v[kReportRef]);
    pending = ImportRow();
    pending.line = r.line;
    pending.source = r.raw;
    for (Col c : kReportColumns) first[c] = std::string(v[c]);
    report = json::object();
    json victim = json::object();
    auto put = [&](json* obj, const char* key, std::string_view value) {
      if (!value.empty()) (*obj)[key] = std::string(value);
    };
    put(&victim, "name", v[kVictimName]);
    put(&victim, "national_id", v[kVictimNationalId]);
    put(&victim, "phone", v[kVictimPhone]);
    put(&victim, "email", v[kVictimEmail]);
    put(&victim, "province", v[kVictimProvince]);
    put(&victim, "age_band", v[kVictimAgeBand]);
    report["victim"] = std::move(victim);
    put(&report, "channel", v[kChannel]);
    put(&report, "scam_type", v[kScamType]);
    put(&report, "occurred_at", v[kOccurredAt]);
    put(&report, "narrative", v[kNarrative]);
  }

  void Fail(Status s, size_t line) {
    if (!pending.error.ok()) return;  // the first error of a report is the one told
    pending.error = std::move(s);
    pending.error_line = line;
  }

  void AddParts(size_t line, const std::string_view (&v)[kColumnCount]) {
    auto put = [](json* obj, const char* key, std::string_view value) {
      if (!value.empty()) (*obj)[key] = std::string(value);
    };
    if (!v[kToBank].empty() || !v[kToAccount].empty() || !v[kToPromptPay].empty() ||
        !v[kAmountSatang].empty() || !v[kTransferAt].empty()) {
      json t = json::object();
      json to = json::object();
      put(&to, "bank", v[kToBank]);
      put(&to, "account", v[kToAccount]);
      put(&to, "promptpay", v[kToPromptPay]);
      t["to"] = std::move(to);
      if (!v[kFromAccount].empty() || !v[kFromBank].empty()) {
        json from = json::object();
        put(&from, "bank", v[kFromBank]);
        put(&from, "account", v[kFromAccount]);
        t["from"] = std::move(from);
      }
      if (!v[kAmountSatang].empty()) {
        int64_t amount = 0;
        const std::string_view a = v[kAmountSatang];
        const auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), amount);
        if (ec != std::errc() || end != a.data() + a.size()) {
          Fail(InvalidArgument("must be a whole number of satang (THB 1 = 100), got " + QuoteForMessage(a),
                               "amount_satang"),
               line);
        }
        t["amount_satang"] = amount;
      }
      put(&t, "at", v[kTransferAt]);
      put(&t, "channel", v[kTransferChannel]);
      put(&t, "bank_reference", v[kBankReference]);
      report["loss_transfers"].push_back(std::move(t));
      pending.transfer_lines.push_back(line);
    }
    std::string_view ids = v[kScammerIdentifiers];
    while (!ids.empty()) {
      const size_t semi = ids.find(';');
      const std::string_view item = Trim(ids.substr(0, semi));
      ids = semi == std::string_view::npos ? std::string_view() : ids.substr(semi + 1);
      if (item.empty()) continue;
      json id = json::object();
      const size_t colon = item.find(':');
      if (colon != std::string_view::npos && ident::ParseKind(item.substr(0, colon)).ok()) {
        id["kind"] = std::string(item.substr(0, colon));
        id["value"] = std::string(item.substr(colon + 1));
      } else {
        id["value"] = std::string(item);
      }
      report["scammer_identifiers"].push_back(std::move(id));
      pending.identifier_lines.push_back(line);
    }
    if (!v[kEvidenceFileName].empty() || !v[kEvidenceSha256].empty() || !v[kEvidenceMediaType].empty()) {
      json e = json::object();
      put(&e, "file_name", v[kEvidenceFileName]);
      put(&e, "sha256", v[kEvidenceSha256]);
      put(&e, "media_type", v[kEvidenceMediaType]);
      report["evidence"].push_back(std::move(e));
      pending.evidence_lines.push_back(line);
    }
  }

  void Flush(std::vector<ImportRow>* out) {
    if (!open) return;
    open = false;
    if (pending.error.ok()) pending.body = report.dump(-1, ' ', false, json::error_handler_t::replace);
    out->push_back(std::move(pending));
    pending = ImportRow();
  }

  const ImportFormat format;
  CsvReader csv;
  LineReader lines;
  std::vector<TextRecord> records;
  bool have_header = false;
  std::vector<int> columns;  // the column of each field position
  // The report being assembled from consecutive rows.
  bool open = false;
  std::string ref;
  std::string first[kColumnCount];
  json report;
  ImportRow pending;  // the report being assembled
};

ReportRowReader::ReportRowReader(ImportFormat format) : impl_(std::make_unique<Impl>(format)) {}
ReportRowReader::~ReportRowReader() = default;

Status ReportRowReader::Feed(std::string_view chunk, std::vector<ImportRow>* out) {
  if (impl_->format == ImportFormat::kCsv) {
    impl_->csv.Feed(chunk, &impl_->records);
  } else {
    impl_->lines.Feed(chunk, &impl_->records);
  }
  return impl_->Take(out);
}

Status ReportRowReader::Finish(std::vector<ImportRow>* out) {
  if (impl_->format == ImportFormat::kCsv) {
    impl_->csv.Finish(&impl_->records);
  } else {
    impl_->lines.Finish(&impl_->records);
  }
  CFR_RETURN_IF_ERROR(impl_->Take(out));
  if (impl_->format == ImportFormat::kCsv && !impl_->have_header) {
    return InvalidArgument("the input is empty: a CSV import needs a header row", "header");
  }
  impl_->Flush(out);
  return Status::Ok();
}

RowError LocateRowError(const ImportRow& row, const Status& error, ImportFormat format) {
  RowError e;
  e.line = row.line;
  e.field = error.field();
  if (format == ImportFormat::kCsv) {
    if (!row.error.ok() && row.error_line != 0) {
      e.line = row.error_line;
    } else if (e.field.rfind("victim.", 0) == 0) {
      e.field = "victim_" + e.field.substr(7);
    } else if (auto p = SplitIndexedPath(e.field)) {
      auto line_of = [&](const std::vector<size_t>& lines) {
        if (p->index < lines.size()) e.line = lines[p->index];
      };
      if (p->array == "loss_transfers") {
        line_of(row.transfer_lines);
        static constexpr std::pair<std::string_view, std::string_view> kMap[] = {
            {"to.bank", "to_bank"},
            {"to.account", "to_account"},
            {"to.promptpay", "to_promptpay"},
            {"to", "to_account"},
            {"from.bank", "from_bank"},
            {"from.account", "from_account"},
            {"from", "from_account"},
            {"amount_satang", "amount_satang"},
            {"at", "transfer_at"},
            {"channel", "transfer_channel"},
            {"bank_reference", "bank_reference"}};
        for (const auto& [path, column] : kMap) {
          if (p->rest == path) e.field = std::string(column);
        }
      } else if (p->array == "scammer_identifiers") {
        line_of(row.identifier_lines);
        e.field = "scammer_identifiers";
      } else if (p->array == "evidence") {
        line_of(row.evidence_lines);
        e.field = "evidence_" + std::string(p->rest);
      }
    } else if (e.field == "loss_transfers") {
      e.field = "to_account";
    }
  }
  e.status = error.WithField(e.field);
  return e;
}

std::string RowOutcomeJson(const RowOutcome& o, std::string_view source) {
  std::string out = "{\"line\":" + std::to_string(o.line);
  if (o.status.ok()) {
    out += ",\"report_id\":";
    AppendJsonString(o.report_id, &out);
    out += ",\"case_id\":";
    AppendJsonString(o.case_id, &out);
    out += ",\"duplicate_of\":";
    if (o.duplicate_of.empty()) {
      out += "null";
    } else {
      AppendJsonString(o.duplicate_of, &out);
    }
    out += o.replayed ? ",\"replayed\":true" : ",\"replayed\":false";
  } else {
    out += ",\"error\":" + ErrorObjectJson(o.status);
    if (!source.empty()) {
      out += ",\"row\":";
      AppendJsonString(source, &out);
    }
  }
  out += '}';
  return out;
}

}  // namespace cfr::intake
