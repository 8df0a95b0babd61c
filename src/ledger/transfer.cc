#include "ledger/transfer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>

#include "core/record_reader.h"
#include "core/text.h"
#include "core/time.h"
#include "ident/json_fields.h"

namespace cfr::ledger {
namespace {

using nlohmann::json;
namespace jf = ident::json_fields;

constexpr int64_t kMaxAmountSatang = 100'000'000'000'000;  // THB 1 trillion: anything above is absurd
constexpr int64_t kEarliestMs = 946684800000;              // 2000-01-01
constexpr int64_t kClockSkewMs = 5 * 60 * 1000;
constexpr std::string_view kExitNames[] = {"", "atm_cash", "crypto", "abroad", "card"};
constexpr std::string_view kChannels[] = {"promptpay", "interbank",  "intrabank", "atm",
                                          "crypto",    "remittance", "card",      "other"};

bool ValidTxnId(std::string_view id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < 0x7F; });
}

// One transfer's fields as given, before validation: an NDJSON line and a CSV row are both read
// into it (without building anything else), and Validate applies every rule once. An empty
// field is a missing one. Errors name the NDJSON path; the CSV reader restates it as its column.
struct RawTransfer {
  std::string_view txn_id, from_bank, from_account, to_bank, to_account, exit_type, exit_detail, currency,
      at_text, channel;
  bool from_given = false, to_given = false, exit_given = false;
  std::optional<int64_t> amount;  // missing when not given
  std::optional<int64_t> at_ms;   // given as milliseconds since the epoch
};

// A text field: at most max_bytes, valid UTF-8, and (when required) given and not blank.
Status CheckText(std::string_view value, const char* field, bool required, size_t max_bytes) {
  if (value.empty()) return required ? InvalidArgument("is required", field) : Status::Ok();
  if (value.size() > max_bytes) {
    return InvalidArgument("longer than " + std::to_string(max_bytes) + " bytes", field);
  }
  if (!IsValidUtf8(value)) return InvalidArgument("not valid UTF-8", field);
  if (required && TrimSpace(value).empty()) return InvalidArgument("must not be empty", field);
  return Status::Ok();
}

Result<std::string> Account(std::string_view bank, std::string_view account, const char* bank_field,
                            const char* account_field) {
  CFR_RETURN_IF_ERROR(CheckText(bank, bank_field, true, 1024));
  CFR_RETURN_IF_ERROR(CheckText(account, account_field, true, 1024));
  auto id = jf::NormalizeField(account, ident::Kind::kBankAccount, bank, account_field);
  if (!id.ok() && id.status().message().starts_with("bank:")) return id.status().WithField(bank_field);
  if (!id.ok()) return id.status();
  return std::move(id->canonical);
}

Result<Transfer> Validate(const RawTransfer& r, std::string_view bank, const Clock& clock) {
  Transfer t;
  t.bank = std::string(bank);
  CFR_RETURN_IF_ERROR(CheckText(r.txn_id, "txn_id", true, 64));
  if (!ValidTxnId(r.txn_id)) return InvalidArgument("1 to 64 printable ASCII characters", "txn_id");
  t.txn_id = std::string(r.txn_id);
  if (!r.from_given) return InvalidArgument("is required", "from");
  CFR_ASSIGN_OR_RETURN(t.from, Account(r.from_bank, r.from_account, "from.bank", "from.account"));
  if (r.to_given == r.exit_given) {
    return InvalidArgument("give either to (an account) or exit (cash, crypto, abroad, card)", "to");
  }
  if (r.to_given) {
    CFR_ASSIGN_OR_RETURN(t.to, Account(r.to_bank, r.to_account, "to.bank", "to.account"));
    if (t.to == t.from) return InvalidArgument("is the same account as from", "to.account");
  } else {
    CFR_RETURN_IF_ERROR(CheckText(r.exit_type, "exit.type", true, 20));
    const auto* it = std::find(std::begin(kExitNames) + 1, std::end(kExitNames), r.exit_type);
    if (it == std::end(kExitNames))
      return InvalidArgument("one of atm_cash, crypto, abroad, card", "exit.type");
    t.exit = static_cast<Exit>(it - std::begin(kExitNames));
    CFR_RETURN_IF_ERROR(CheckText(r.exit_detail, "exit.detail", false, 200));
    t.exit_detail = std::string(r.exit_detail);
    if (t.exit == Exit::kAbroad) {
      if (t.exit_detail.size() != 2 || !std::isupper(static_cast<unsigned char>(t.exit_detail[0])) ||
          !std::isupper(static_cast<unsigned char>(t.exit_detail[1]))) {
        return InvalidArgument("the destination country as two capital letters (ISO 3166), e.g. KH",
                               "exit.detail");
      }
    } else if (t.exit == Exit::kCrypto && t.exit_detail.empty()) {
      return InvalidArgument("the exchange and wallet the money went to", "exit.detail");
    }
  }

  if (!r.amount) return InvalidArgument("is required", "amount_satang");
  t.amount_satang = *r.amount;
  if (t.amount_satang <= 0) return InvalidArgument("must be positive", "amount_satang");
  if (t.amount_satang > kMaxAmountSatang) return InvalidArgument("above THB 1 trillion", "amount_satang");

  CFR_RETURN_IF_ERROR(CheckText(r.currency, "currency", false, 3));
  if (!r.currency.empty()) {
    if (r.currency.size() != 3 ||
        !std::all_of(r.currency.begin(), r.currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      return InvalidArgument("an ISO 4217 code such as THB", "currency");
    }
    t.currency = std::string(r.currency);
  }

  if (r.at_ms) {
    t.at_ms = *r.at_ms;
  } else {
    CFR_RETURN_IF_ERROR(CheckText(r.at_text, "at", true, 64));
    auto parsed = ParseRfc3339(r.at_text);
    if (!parsed.ok()) return parsed.status().WithField("at");
    t.at_ms = *parsed;
  }
  if (t.at_ms < kEarliestMs) return InvalidArgument("is before 2000", "at");
  if (t.at_ms > clock.NowMillis() + kClockSkewMs) return InvalidArgument("is in the future", "at");

  CFR_RETURN_IF_ERROR(CheckText(r.channel, "channel", false, 20));
  t.channel = r.channel.empty() ? "other" : std::string(r.channel);
  if (std::find(std::begin(kChannels), std::end(kChannels), t.channel) == std::end(kChannels)) {
    return InvalidArgument("one of promptpay, interbank, intrabank, atm, crypto, remittance, card, other",
                           "channel");
  }
  return t;
}

// A JSON string member as a view into the document; type errors name the path.
Result<std::string_view> JsonText(const json& obj, std::string_view key, const std::string& path) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string_view();
  if (!it->is_string()) {
    return InvalidArgument(std::string("must be a string, not ") + it->type_name(), jf::Path(path, key));
  }
  return std::string_view(it->get_ref<const std::string&>());
}

// An NDJSON line's document into a RawTransfer: unknown fields and wrong types are refused here.
Status FromJson(const json& root, RawTransfer* r) {
  if (!root.is_object()) return InvalidArgument("a transfer must be a JSON object");
  CFR_RETURN_IF_ERROR(
      jf::Unknown(root, {"txn_id", "from", "to", "exit", "amount_satang", "currency", "at", "channel"}, ""));
  CFR_ASSIGN_OR_RETURN(r->txn_id, JsonText(root, "txn_id", ""));
  auto account = [&](const char* key, std::string_view* bank, std::string_view* number,
                     bool* given) -> Status {
    CFR_ASSIGN_OR_RETURN(const json* obj, jf::Object(root, key, "", false));
    if (obj == nullptr) return Status::Ok();
    *given = true;
    CFR_RETURN_IF_ERROR(jf::Unknown(*obj, {"bank", "account"}, key));
    CFR_ASSIGN_OR_RETURN(*bank, JsonText(*obj, "bank", key));
    CFR_ASSIGN_OR_RETURN(*number, JsonText(*obj, "account", key));
    return Status::Ok();
  };
  CFR_RETURN_IF_ERROR(account("from", &r->from_bank, &r->from_account, &r->from_given));
  CFR_RETURN_IF_ERROR(account("to", &r->to_bank, &r->to_account, &r->to_given));
  CFR_ASSIGN_OR_RETURN(const json* exit, jf::Object(root, "exit", "", false));
  if (exit != nullptr) {
    r->exit_given = true;
    CFR_RETURN_IF_ERROR(jf::Unknown(*exit, {"type", "detail"}, "exit"));
    CFR_ASSIGN_OR_RETURN(r->exit_type, JsonText(*exit, "type", "exit"));
    CFR_ASSIGN_OR_RETURN(r->exit_detail, JsonText(*exit, "detail", "exit"));
  }
  const auto amount = root.find("amount_satang");
  if (amount != root.end() && !amount->is_null()) {
    if (!amount->is_number_integer())
      return InvalidArgument("must be an integer number of satang", "amount_satang");
    r->amount = amount->is_number_unsigned() && amount->get<uint64_t>() > uint64_t{INT64_MAX}
                    ? kMaxAmountSatang + 1
                    : amount->get<int64_t>();
  }
  CFR_ASSIGN_OR_RETURN(r->currency, JsonText(root, "currency", ""));
  const auto at = root.find("at");
  if (at != root.end() && at->is_number_integer()) {
    r->at_ms = at->get<int64_t>();
  } else {
    CFR_ASSIGN_OR_RETURN(r->at_text, JsonText(root, "at", ""));
  }
  CFR_ASSIGN_OR_RETURN(r->channel, JsonText(root, "channel", ""));
  return Status::Ok();
}

void PutU8(std::string* out, uint8_t v) { out->push_back(static_cast<char>(v)); }
void PutI64(std::string* out, int64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out->append(b, 8);
}
void PutStr(std::string* out, std::string_view s) {
  PutU8(out, static_cast<uint8_t>(std::min<size_t>(s.size(), 255)));
  out->append(s.substr(0, 255));
}

}  // namespace

std::string_view ExitName(Exit exit) { return kExitNames[static_cast<int>(exit)]; }

Result<Transfer> ParseTransferJson(std::string_view line, std::string_view bank, const Clock& clock) {
  json root;
  try {
    root = json::parse(line);
  } catch (const json::exception& e) {
    std::string what = e.what();
    const size_t tag_end = what.find("] ");
    return InvalidArgument("malformed JSON: " +
                           (tag_end == std::string::npos ? what : what.substr(tag_end + 2)));
  }
  RawTransfer raw;
  CFR_RETURN_IF_ERROR(FromJson(root, &raw));
  return Validate(raw, bank, clock);
}

Result<std::vector<int>> ParseTransferCsvHeader(const std::vector<std::string>& header) {
  return MapCsvHeader(header, kTransferCsvColumns,
                      {"txn_id", "from_bank", "from_account", "amount_satang", "at"});
}

Result<Transfer> ParseTransferCsv(const std::vector<std::string>& fields, const std::vector<int>& columns,
                                  std::string_view bank, const Clock& clock) {
  if (fields.size() != columns.size()) {
    return InvalidArgument("has " + std::to_string(fields.size()) + " fields; the header has " +
                           std::to_string(columns.size()));
  }
  std::string_view v[std::size(kTransferCsvColumns)];
  for (size_t i = 0; i < fields.size(); ++i) v[columns[i]] = TrimSpace(fields[i]);
  enum {
    kTxn,
    kFromBank,
    kFromAccount,
    kToBank,
    kToAccount,
    kExitType,
    kExitDetail,
    kAmount,
    kCurrency,
    kAt,
    kChannel
  };
  RawTransfer r;
  r.txn_id = v[kTxn];
  r.from_given = true;
  r.from_bank = v[kFromBank];
  r.from_account = v[kFromAccount];
  r.to_given = !v[kToBank].empty() || !v[kToAccount].empty();
  r.to_bank = v[kToBank];
  r.to_account = v[kToAccount];
  r.exit_given = !v[kExitType].empty() || !v[kExitDetail].empty();
  r.exit_type = v[kExitType];
  r.exit_detail = v[kExitDetail];
  if (!v[kAmount].empty()) {
    int64_t amount = 0;
    const auto [end, ec] = std::from_chars(v[kAmount].data(), v[kAmount].data() + v[kAmount].size(), amount);
    if (ec == std::errc::result_out_of_range && v[kAmount][0] != '-') {
      amount = kMaxAmountSatang + 1;
    } else if (ec != std::errc() || end != v[kAmount].data() + v[kAmount].size()) {
      return InvalidArgument("must be a whole number of satang, got " + QuoteForMessage(v[kAmount]),
                             "amount_satang");
    }
    r.amount = amount;
  }
  r.currency = v[kCurrency];
  if (!v[kAt].empty() &&
      std::all_of(v[kAt].begin(), v[kAt].end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t ms = 0;
    const auto [end, ec] = std::from_chars(v[kAt].data(), v[kAt].data() + v[kAt].size(), ms);
    r.at_ms = ec == std::errc() ? ms : INT64_MAX;  // too many digits: in the future
  } else {
    r.at_text = v[kAt];
  }
  r.channel = v[kChannel];
  auto t = Validate(r, bank, clock);
  if (t.ok()) return t;
  // Restate the JSON path as the CSV column.
  std::string field = t.status().field();
  for (char& c : field) {
    if (c == '.') c = '_';
  }
  if (field == "to") field = "to_account";
  if (field == "exit_type" || field == "exit_detail" || field == "from_account" || field == "from_bank" ||
      field == "to_account" || field == "to_bank" || field == "txn_id" || field == "amount_satang" ||
      field == "currency" || field == "at" || field == "channel" || field.empty()) {
    return t.status().WithField(field);
  }
  return t.status();
}

std::string TransferToJson(const Transfer& t) {
  auto account = [](const std::string& canonical) {
    const size_t colon = canonical.find(':');
    return json{{"bank", canonical.substr(0, colon)}, {"account", canonical.substr(colon + 1)}};
  };
  json j = {{"txn_id", t.txn_id},     {"from", account(t.from)}, {"amount_satang", t.amount_satang},
            {"currency", t.currency}, {"at", t.at_ms},           {"channel", t.channel}};
  if (t.exit == Exit::kNone) {
    j["to"] = account(t.to);
  } else {
    j["exit"] = {{"type", ExitName(t.exit)}};
    if (!t.exit_detail.empty()) j["exit"]["detail"] = t.exit_detail;
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void AppendEncoded(const Transfer& t, std::string* out) {
  PutU8(out, 1);  // format version
  PutStr(out, t.bank);
  PutStr(out, t.txn_id);
  PutStr(out, t.from);
  PutStr(out, t.to);
  PutU8(out, static_cast<uint8_t>(t.exit));
  PutStr(out, t.exit_detail);
  PutI64(out, t.amount_satang);
  PutStr(out, t.currency);
  PutI64(out, t.at_ms);
  PutStr(out, t.channel);
}

bool DecodeNextView(std::string_view bytes, size_t* offset, TransferView* t) {
  size_t at = *offset;
  auto u8 = [&](uint8_t* v) {
    if (at + 1 > bytes.size()) return false;
    *v = static_cast<uint8_t>(bytes[at++]);
    return true;
  };
  auto i64 = [&](int64_t* v) {
    if (at + 8 > bytes.size()) return false;
    std::memcpy(v, bytes.data() + at, 8);
    at += 8;
    return true;
  };
  auto str = [&](std::string_view* s) {
    uint8_t n;
    if (!u8(&n) || at + n > bytes.size()) return false;
    *s = bytes.substr(at, n);
    at += n;
    return true;
  };
  uint8_t version = 0, exit = 0;
  if (!u8(&version) || version != 1) return false;
  if (!str(&t->bank) || !str(&t->txn_id) || !str(&t->from) || !str(&t->to) || !u8(&exit) || exit > 4 ||
      !str(&t->exit_detail) || !i64(&t->amount_satang) || !str(&t->currency) || !i64(&t->at_ms) ||
      !str(&t->channel)) {
    return false;
  }
  t->exit = static_cast<Exit>(exit);
  *offset = at;
  return true;
}

Result<Transfer> DecodeNext(std::string_view bytes, size_t* offset) {
  TransferView v;
  if (!DecodeNextView(bytes, offset, &v)) return Internal("ledger: corrupt transfer record");
  Transfer t;
  t.bank = std::string(v.bank);
  t.txn_id = std::string(v.txn_id);
  t.from = std::string(v.from);
  t.to = std::string(v.to);
  t.exit = v.exit;
  t.exit_detail = std::string(v.exit_detail);
  t.amount_satang = v.amount_satang;
  t.currency = std::string(v.currency);
  t.at_ms = v.at_ms;
  t.channel = std::string(v.channel);
  return t;
}

struct TransferReader::Impl {
  Impl(bool is_csv, std::string b, const Clock& c) : csv(is_csv), bank(std::move(b)), clock(c) {}
  Status Take(std::vector<TransferRow>* out) {
    for (TextRecord& r : records) {
      TransferRow row;
      row.line = r.line;
      if (!r.error.empty()) {
        row.transfer = InvalidArgument(r.error);
      } else if (!csv) {
        row.transfer = ParseTransferJson(r.fields[0], bank, clock);
      } else if (!have_header) {
        CFR_ASSIGN_OR_RETURN(columns, ParseTransferCsvHeader(r.fields));
        have_header = true;
        continue;
      } else {
        row.transfer = ParseTransferCsv(r.fields, columns, bank, clock);
      }
      out->push_back(std::move(row));
    }
    records.clear();
    return Status::Ok();
  }
  const bool csv;
  const std::string bank;
  const Clock& clock;
  CsvReader csv_reader;
  LineReader line_reader;
  std::vector<TextRecord> records;
  bool have_header = false;
  std::vector<int> columns;
};

TransferReader::TransferReader(bool csv, std::string bank, const Clock& clock)
    : impl_(std::make_unique<Impl>(csv, std::move(bank), clock)) {}
TransferReader::~TransferReader() = default;

Status TransferReader::Feed(std::string_view chunk, std::vector<TransferRow>* out) {
  if (impl_->csv) {
    impl_->csv_reader.Feed(chunk, &impl_->records);
  } else {
    impl_->line_reader.Feed(chunk, &impl_->records);
  }
  return impl_->Take(out);
}

Status TransferReader::Finish(std::vector<TransferRow>* out) {
  if (impl_->csv) {
    impl_->csv_reader.Finish(&impl_->records);
  } else {
    impl_->line_reader.Finish(&impl_->records);
  }
  CFR_RETURN_IF_ERROR(impl_->Take(out));
  if (impl_->csv && !impl_->have_header) {
    return InvalidArgument("the input is empty: a CSV file needs a header row", "header");
  }
  return Status::Ok();
}

}  // namespace cfr::ledger
