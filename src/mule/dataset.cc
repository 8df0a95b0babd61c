#include "mule/dataset.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <string_view>
#include <unordered_map>

#include "core/record_reader.h"
#include "core/text.h"
#include "ledger/transfer.h"

namespace cfr::mule {
namespace {

constexpr int64_t kAmlsimStartMs = 1735689600000;  // 2025-01-01T00:00:00Z: step 0
constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr size_t kChunkTransfers = 65536;
constexpr size_t kReadBytes = 1 << 20;

std::string AmlsimAccount(int64_t node) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "000:%010lld", static_cast<long long>(node));
  return buf;
}

// The error at a line of a file; the field is the status's own, or the file's role.
Status AtLine(const std::string& path, size_t line, const Status& s,
              const char* file_field = "transactions") {
  return InvalidArgument(path + ":" + std::to_string(line) + ": " + s.message(),
                         s.field().empty() ? std::string(file_field) : s.field());
}

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  text = TrimSpace(text);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// Reads `path` in chunks and hands each chunk to `feed`.
Status ReadFile(const std::string& path, const char* field,
                const std::function<Status(std::string_view)>& feed) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(std::string(field) + ": cannot read " + path);
  std::string buf(kReadBytes, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    CFR_RETURN_IF_ERROR(feed(std::string_view(buf.data(), n)));
  }
  return Status::Ok();
}

std::string FirstLine(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::getline(in, line);
  if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
  return std::string(TrimSpace(line));
}

// A clock far ahead: data sets are history, never "in the future".
class FarClock final : public Clock {
 public:
  int64_t NowMillis() const override { return 4102444800000; }  // 2100-01-01
};

class Builder {
 public:
  Builder() : graph_(std::make_unique<ledger::TransferGraph>()) { graph_->SetBulkLoad(true); }

  Status Add(const ledger::Transfer& t) {
    ledger::AppendEncoded(t, &chunk_);
    as_of_ = std::max(as_of_, t.at_ms + 1);
    ++transfers_;
    if (++in_chunk_ == kChunkTransfers) return Flush();
    return Status::Ok();
  }

  Result<Dataset> Finish() {
    CFR_RETURN_IF_ERROR(Flush());
    graph_->SetBulkLoad(false);
    Dataset d;
    {
      ledger::TransferGraph::ReadLock lock(*graph_);
      for (uint32_t n = 0; n < graph_->nodes(); ++n) {
        if (!graph_->IsExit(n)) d.accounts.push_back(n);
      }
    }
    d.graph = std::move(graph_);
    d.as_of_ms = as_of_;
    d.transfers = transfers_;
    return d;
  }

 private:
  Status Flush() {
    if (chunk_.empty()) return Status::Ok();
    CFR_RETURN_IF_ERROR(graph_->ApplyChunk(std::to_string(chunks_++), chunk_));
    chunk_.clear();
    in_chunk_ = 0;
    return Status::Ok();
  }

  std::unique_ptr<ledger::TransferGraph> graph_;
  std::string chunk_;
  size_t in_chunk_ = 0, chunks_ = 0, transfers_ = 0;
  int64_t as_of_ = 0;
};

Result<Dataset> LoadAmlsim(const std::string& path) {
  Builder builder;
  CsvReader reader;
  std::vector<TextRecord> records;
  int cols[4] = {-1, -1, -1, -1};  // source, target, value, time
  bool header = true;
  size_t n = 0;
  auto consume = [&]() -> Status {
    for (const TextRecord& r : records) {
      if (!r.error.empty())
        return InvalidArgument(path + ":" + std::to_string(r.line) + ": " + r.error, "transactions");
      if (header) {
        header = false;
        constexpr std::string_view kCols[] = {"sourceNodeId", "targetNodeId", "value", "time"};
        for (size_t i = 0; i < r.fields.size(); ++i) {
          for (int c = 0; c < 4; ++c) {
            if (TrimSpace(r.fields[i]) == kCols[c]) cols[c] = static_cast<int>(i);
          }
        }
        for (int c = 0; c < 4; ++c) {
          if (cols[c] < 0)
            return InvalidArgument(path + ": no column " + std::string(kCols[c]), "transactions");
        }
        continue;
      }
      int64_t source = 0, target = 0, step = 0;
      double value = 0;
      auto field = [&](int c) -> std::string_view {
        return static_cast<size_t>(cols[c]) < r.fields.size() ? std::string_view(r.fields[cols[c]]) : "";
      };
      if (!ParseNumber(field(0), &source) || source < 0 || !ParseNumber(field(1), &target) || target < 0) {
        return AtLine(path, r.line, InvalidArgument("not a node id", "sourceNodeId/targetNodeId"));
      }
      if (!ParseNumber(field(2), &value) || !(value > 0) || value > 1e12) {
        return AtLine(path, r.line, InvalidArgument("not a positive amount", "value"));
      }
      if (!ParseNumber(field(3), &step) || step < 0 || step > 100000) {
        return AtLine(path, r.line, InvalidArgument("not a time step", "time"));
      }
      if (source == target) continue;  // a transfer to oneself moves no money between accounts
      ledger::Transfer t;
      t.bank = "000";
      t.txn_id = "A" + std::to_string(++n);
      t.from = AmlsimAccount(source);
      t.to = AmlsimAccount(target);
      t.amount_satang = std::max<int64_t>(1, std::llround(value * 100));
      t.at_ms = kAmlsimStartMs + step * kDayMs;
      t.channel = "other";
      CFR_RETURN_IF_ERROR(builder.Add(t));
    }
    records.clear();
    return Status::Ok();
  };
  CFR_RETURN_IF_ERROR(ReadFile(path, "transactions", [&](std::string_view chunk) {
    reader.Feed(chunk, &records);
    return consume();
  }));
  reader.Finish(&records);
  CFR_RETURN_IF_ERROR(consume());
  return builder.Finish();
}

Result<Dataset> LoadTransfers(const std::string& path, bool csv) {
  Builder builder;
  FarClock clock;
  ledger::TransferReader reader(csv, "000", clock);
  std::vector<ledger::TransferRow> rows;
  auto consume = [&]() -> Status {
    for (const ledger::TransferRow& row : rows) {
      if (!row.transfer.ok()) return AtLine(path, row.line, row.transfer.status());
      CFR_RETURN_IF_ERROR(builder.Add(*row.transfer));
    }
    rows.clear();
    return Status::Ok();
  };
  auto feed = [&](std::string_view chunk) -> Status {
    if (Status fed = reader.Feed(chunk, &rows); !fed.ok()) return AtLine(path, 1, fed);
    return consume();
  };
  CFR_RETURN_IF_ERROR(ReadFile(path, "transactions", feed));
  if (Status finished = reader.Finish(&rows); !finished.ok()) return AtLine(path, 1, finished);
  CFR_RETURN_IF_ERROR(consume());
  return builder.Finish();
}

}  // namespace

Result<Dataset> LoadTransactions(const std::string& path) {
  if (!std::ifstream(path, std::ios::binary)) return NotFound("transactions: cannot read " + path);
  const std::string first = FirstLine(path);
  if (first.empty()) return InvalidArgument(path + ": empty or unreadable", "transactions");
  if (first.find("sourceNodeId") != std::string::npos) return LoadAmlsim(path);
  if (first.starts_with("{")) return LoadTransfers(path, /*csv=*/false);
  if (first.find("txn_id") != std::string::npos) return LoadTransfers(path, /*csv=*/true);
  return InvalidArgument(path + ": neither AMLSim transactions.csv nor OpenCFR transfers (CSV or NDJSON)",
                         "transactions");
}

Result<Generated> GenerateDataset(const ledger::GeneratorOptions& options) {
  Builder builder;
  Status failed;
  ledger::GeneratorStats stats;
  const auto truth = ledger::GenerateTransfers(
      options,
      [&](const ledger::Transfer& t) {
        if (failed.ok()) failed = builder.Add(t);
      },
      &stats);
  CFR_RETURN_IF_ERROR(failed);
  Generated g;
  CFR_ASSIGN_OR_RETURN(g.data, builder.Finish());
  std::unordered_map<std::string, size_t> index;
  {
    ledger::TransferGraph::ReadLock lock(*g.data.graph);
    for (size_t i = 0; i < g.data.accounts.size(); ++i)
      index.emplace(g.data.graph->NameOf(g.data.accounts[i]), i);
  }
  g.labels.is_mule.assign(g.data.accounts.size(), 0.0f);
  g.labels.reported.assign(g.data.accounts.size(), false);
  for (const std::string& m : stats.mule_accounts) {
    if (auto it = index.find(m); it != index.end()) g.labels.is_mule[it->second] = 1.0f;
  }
  for (const auto& s : truth) {
    if (auto it = index.find(s.first_mule); it != index.end()) g.labels.reported[it->second] = true;
  }
  return g;
}

namespace {

// Account name -> its place in data.accounts.
std::unordered_map<std::string, size_t> AccountIndex(const Dataset& data) {
  std::unordered_map<std::string, size_t> index;
  ledger::TransferGraph::ReadLock lock(*data.graph);
  index.reserve(data.accounts.size());
  for (size_t i = 0; i < data.accounts.size(); ++i) index.emplace(data.graph->NameOf(data.accounts[i]), i);
  return index;
}

// Reads a labels file into `labels`: each account it names gets its label (and its `reported`
// flag when the file has the column); the others keep theirs.
Status ReadLabelFile(const std::string& path, const std::unordered_map<std::string, size_t>& index,
                     Labels* labels, size_t* named) {
  CsvReader reader;
  std::vector<TextRecord> records;
  int account_col = -1, label_col = -1, reported_col = -1;
  bool amlsim = false, header = true;
  auto consume = [&]() -> Status {
    for (const TextRecord& r : records) {
      if (!r.error.empty())
        return InvalidArgument(path + ":" + std::to_string(r.line) + ": " + r.error, "labels");
      if (header) {
        header = false;
        for (size_t i = 0; i < r.fields.size(); ++i) {
          const std::string_view f = TrimSpace(r.fields[i]);
          if (f == "nodeid") account_col = static_cast<int>(i), amlsim = true;
          if (f == "account") account_col = static_cast<int>(i);
          if (f == "isFraud" || f == "is_mule") label_col = static_cast<int>(i);
          if (f == "reported") reported_col = static_cast<int>(i);
        }
        if (account_col < 0 || label_col < 0) {
          return InvalidArgument(path + ": expected columns nodeid,isFraud (AMLSim) or account,is_mule",
                                 "labels");
        }
        continue;
      }
      auto field = [&](int c) -> std::string_view {
        return c >= 0 && static_cast<size_t>(c) < r.fields.size() ? TrimSpace(r.fields[c]) : "";
      };
      std::string account(field(account_col));
      if (amlsim) {
        int64_t node = 0;
        if (!ParseNumber(account, &node) || node < 0)
          return AtLine(path, r.line, InvalidArgument("not a node id", "nodeid"));
        account = AmlsimAccount(node);
      }
      const std::string_view label = field(label_col);
      if (label != "0" && label != "1")
        return AtLine(path, r.line, InvalidArgument("0 or 1", "is_mule"), "labels");
      const std::string_view rep = field(reported_col);
      if (reported_col >= 0 && rep != "0" && rep != "1") {
        return AtLine(path, r.line, InvalidArgument("0 or 1", "reported"), "labels");
      }
      auto it = index.find(account);
      if (it == index.end()) {
        ++labels->unknown_accounts;
        continue;
      }
      ++*named;
      labels->is_mule[it->second] = label == "1" ? 1.0f : 0.0f;
      if (reported_col >= 0) labels->reported[it->second] = rep == "1";
    }
    records.clear();
    return Status::Ok();
  };
  CFR_RETURN_IF_ERROR(ReadFile(path, "labels", [&](std::string_view chunk) {
    reader.Feed(chunk, &records);
    return consume();
  }));
  reader.Finish(&records);
  CFR_RETURN_IF_ERROR(consume());
  if (header) return InvalidArgument(path + ": empty", "labels");
  return Status::Ok();
}

}  // namespace

Result<Labels> LoadLabels(const std::string& path, const Dataset& data) {
  Labels labels;
  labels.is_mule.assign(data.accounts.size(), 0.0f);
  labels.reported.assign(data.accounts.size(), false);
  size_t named = 0;
  CFR_RETURN_IF_ERROR(ReadLabelFile(path, AccountIndex(data), &labels, &named));
  return labels;
}

Result<size_t> ApplyFeedback(const std::string& path, const Dataset& data, Labels* labels) {
  if (labels->is_mule.size() != data.accounts.size() || labels->reported.size() != data.accounts.size())
    return InvalidArgument("labels of another data set", "labels");
  size_t named = 0;
  CFR_RETURN_IF_ERROR(ReadLabelFile(path, AccountIndex(data), labels, &named));
  return named;
}

}  // namespace cfr::mule
