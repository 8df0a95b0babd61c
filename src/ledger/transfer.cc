#include "ledger/transfer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>

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

// The checks shared by both formats, on a JSON object shaped like an NDJSON line.
Result<Transfer> FromJson(const json& root, std::string_view bank, const Clock& clock) {
  if (!root.is_object()) return InvalidArgument("a transfer must be a JSON object");
  CFR_RETURN_IF_ERROR(
      jf::Unknown(root, {"txn_id", "from", "to", "exit", "amount_satang", "currency", "at", "channel"}, ""));
  Transfer t;
  t.bank = std::string(bank);
  CFR_ASSIGN_OR_RETURN(t.txn_id, jf::String(root, "txn_id", "", true, 64));
  if (!ValidTxnId(t.txn_id)) return InvalidArgument("1 to 64 printable ASCII characters", "txn_id");

  CFR_ASSIGN_OR_RETURN(const json* from, jf::Object(root, "from", "", true));
  CFR_ASSIGN_OR_RETURN(auto from_id, jf::AccountRef(*from, "from", /*allow_promptpay=*/false));
  t.from = std::move(from_id.canonical);

  CFR_ASSIGN_OR_RETURN(const json* to, jf::Object(root, "to", "", false));
  CFR_ASSIGN_OR_RETURN(const json* exit, jf::Object(root, "exit", "", false));
  if ((to == nullptr) == (exit == nullptr)) {
    return InvalidArgument("give either to (an account) or exit (cash, crypto, abroad, card)", "to");
  }
  if (to != nullptr) {
    CFR_ASSIGN_OR_RETURN(auto to_id, jf::AccountRef(*to, "to", /*allow_promptpay=*/false));
    t.to = std::move(to_id.canonical);
    if (t.to == t.from) return InvalidArgument("is the same account as from", "to.account");
  } else {
    CFR_RETURN_IF_ERROR(jf::Unknown(*exit, {"type", "detail"}, "exit"));
    CFR_ASSIGN_OR_RETURN(std::string type, jf::String(*exit, "type", "exit", true, 20));
    const auto* it = std::find(std::begin(kExitNames) + 1, std::end(kExitNames), type);
    if (it == std::end(kExitNames))
      return InvalidArgument("one of atm_cash, crypto, abroad, card", "exit.type");
    t.exit = static_cast<Exit>(it - std::begin(kExitNames));
    CFR_ASSIGN_OR_RETURN(t.exit_detail, jf::String(*exit, "detail", "exit", false, 200));
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

  const auto amount = root.find("amount_satang");
  if (amount == root.end() || amount->is_null()) return InvalidArgument("is required", "amount_satang");
  if (!amount->is_number_integer())
    return InvalidArgument("must be an integer number of satang", "amount_satang");
  t.amount_satang = amount->is_number_unsigned() && amount->get<uint64_t>() > uint64_t{INT64_MAX}
                        ? kMaxAmountSatang + 1
                        : amount->get<int64_t>();
  if (t.amount_satang <= 0) return InvalidArgument("must be positive", "amount_satang");
  if (t.amount_satang > kMaxAmountSatang) return InvalidArgument("above THB 1 trillion", "amount_satang");

  CFR_ASSIGN_OR_RETURN(std::string currency, jf::String(root, "currency", "", false, 3));
  if (!currency.empty()) {
    if (currency.size() != 3 ||
        !std::all_of(currency.begin(), currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      return InvalidArgument("an ISO 4217 code such as THB", "currency");
    }
    t.currency = currency;
  }

  const auto at = root.find("at");
  if (at != root.end() && at->is_number_integer()) {  // milliseconds since the epoch
    t.at_ms = at->get<int64_t>();
    if (t.at_ms < kEarliestMs) return InvalidArgument("is before 2000", "at");
    if (t.at_ms > clock.NowMillis() + kClockSkewMs) return InvalidArgument("is in the future", "at");
  } else {
    CFR_ASSIGN_OR_RETURN(t.at_ms, jf::Time(root, "at", "", clock, kEarliestMs, kClockSkewMs));
  }

  CFR_ASSIGN_OR_RETURN(t.channel, jf::String(root, "channel", "", false, 20));
  if (t.channel.empty()) t.channel = "other";
  if (std::find(std::begin(kChannels), std::end(kChannels), t.channel) == std::end(kChannels)) {
    return InvalidArgument("one of promptpay, interbank, intrabank, atm, crypto, remittance, card, other",
                           "channel");
  }
  return t;
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
  return FromJson(root, bank, clock);
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
  json root = json::object();
  auto put = [](json* obj, const char* key, std::string_view value) {
    if (!value.empty()) (*obj)[key] = std::string(value);
  };
  put(&root, "txn_id", v[kTxn]);
  json from = json::object();
  put(&from, "bank", v[kFromBank]);
  put(&from, "account", v[kFromAccount]);
  root["from"] = std::move(from);
  if (!v[kToBank].empty() || !v[kToAccount].empty()) {
    json to = json::object();
    put(&to, "bank", v[kToBank]);
    put(&to, "account", v[kToAccount]);
    root["to"] = std::move(to);
  }
  if (!v[kExitType].empty() || !v[kExitDetail].empty()) {
    json exit = json::object();
    put(&exit, "type", v[kExitType]);
    put(&exit, "detail", v[kExitDetail]);
    root["exit"] = std::move(exit);
  }
  if (!v[kAmount].empty()) {
    int64_t amount = 0;
    const auto [end, ec] = std::from_chars(v[kAmount].data(), v[kAmount].data() + v[kAmount].size(), amount);
    if (ec != std::errc() || end != v[kAmount].data() + v[kAmount].size()) {
      return InvalidArgument("must be a whole number of satang, got " + QuoteForMessage(v[kAmount]),
                             "amount_satang");
    }
    root["amount_satang"] = amount;
  }
  put(&root, "currency", v[kCurrency]);
  if (!v[kAt].empty() &&
      std::all_of(v[kAt].begin(), v[kAt].end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t ms = 0;
    std::from_chars(v[kAt].data(), v[kAt].data() + v[kAt].size(), ms);
    root["at"] = ms;
  } else {
    put(&root, "at", v[kAt]);
  }
  put(&root, "channel", v[kChannel]);
  auto t = FromJson(root, bank, clock);
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
