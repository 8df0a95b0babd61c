#include "mule/monitor.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/thread_name.h"
#include "ledger/transfer.h"

namespace cfr::mule {
namespace {

using nlohmann::json;

constexpr std::string_view kStatusNames[] = {"open", "acknowledged", "dismissed"};

// Reason names point into the static name tables; an alert read back from JSON maps its names
// onto them (a name this build does not know is dropped).
std::string_view StaticName(std::string_view name) {
  for (std::string_view n : FeatureNames()) {
    if (n == name) return n;
  }
  for (std::string_view n : NeighbourFeatureNames()) {
    if (n == name) return n;
  }
  return {};
}

json NumberOrNull(float v) { return std::isnan(v) ? json(nullptr) : json(v); }

}  // namespace

std::string_view AlertStatusName(Alert::Status status) { return kStatusNames[static_cast<int>(status)]; }

std::optional<Alert::Status> ParseAlertStatus(std::string_view name) {
  for (int i = 0; i < 3; ++i) {
    if (kStatusNames[i] == name) return static_cast<Alert::Status>(i);
  }
  return std::nullopt;
}

std::string AlertToJson(const Alert& a) {
  json reasons = json::array();
  for (const Reason& r : a.reasons) {
    reasons.push_back(
        {{"feature", r.feature}, {"value", NumberOrNull(r.value)}, {"contribution", r.contribution}});
  }
  json j = {{"account", a.account},         {"score", a.score},
            {"first_stage", a.first_stage}, {"threshold", a.threshold},
            {"reasons", reasons},           {"raised_at_ms", a.raised_at_ms},
            {"as_of_ms", a.as_of_ms},       {"status", AlertStatusName(a.status)}};
  if (a.status != Alert::Status::kOpen) {
    j["decision"] = {
        {"by", a.decided_by}, {"agency", a.decided_agency}, {"reason", a.reason}, {"at_ms", a.decided_at_ms}};
  }
  return j.dump();
}

Result<Alert> AlertFromJson(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Internal("mule alert: not JSON");
  Alert a;
  try {
    a.account = j.at("account").get<std::string>();
    a.score = j.at("score").get<float>();
    a.first_stage = j.at("first_stage").get<float>();
    a.threshold = j.at("threshold").get<float>();
    a.raised_at_ms = j.at("raised_at_ms").get<int64_t>();
    a.as_of_ms = j.at("as_of_ms").get<int64_t>();
    auto status = ParseAlertStatus(j.at("status").get<std::string>());
    if (!status) return Internal("mule alert: unknown status");
    a.status = *status;
    for (const json& r : j.at("reasons")) {
      const std::string_view name = StaticName(r.at("feature").get<std::string>());
      if (name.empty()) continue;
      a.reasons.push_back({name, r.at("value").is_null() ? std::nanf("") : r.at("value").get<float>(),
                           r.at("contribution").get<float>()});
    }
    if (j.contains("decision")) {
      const json& d = j["decision"];
      a.decided_by = d.at("by").get<std::string>();
      a.decided_agency = d.at("agency").get<std::string>();
      a.reason = d.at("reason").get<std::string>();
      a.decided_at_ms = d.at("at_ms").get<int64_t>();
    }
  } catch (const json::exception& e) {
    return Internal(std::string("mule alert: ") + e.what());
  }
  return a;
}

MuleMonitor::MuleMonitor(const ledger::TransferGraph& graph, store::Store& store,
                         std::shared_ptr<const MuleModel> model, KnownFn known, const Clock& clock,
                         Options options)
    : graph_(graph),
      store_(store),
      model_(std::move(model)),
      known_(std::move(known)),
      clock_(clock),
      options_(options) {}

MuleMonitor::MuleMonitor(const ledger::TransferGraph& graph, store::Store& store,
                         std::shared_ptr<const MuleModel> model, KnownFn known, const Clock& clock)
    : MuleMonitor(graph, store, std::move(model), std::move(known), clock, Options()) {}

MuleMonitor::~MuleMonitor() { Stop(); }

void MuleMonitor::Apply(const std::vector<store::Change>& changes) {
  std::vector<uint32_t> touched;
  std::vector<std::pair<std::string, std::optional<Alert>>> alerts;
  int64_t latest = 0;
  bool catching_up = false;
  {
    std::lock_guard lock(mu_);
    catching_up = catching_up_;
  }
  {
    // While catching up the graph is bulk loading and must not be read (nor locked).
    std::optional<ledger::TransferGraph::ReadLock> lock;
    if (!catching_up) lock.emplace(graph_);
    for (const store::Change& c : changes) {
      if (c.collection == kAlertCollection) {
        std::optional<Alert> a;
        if (c.value) {
          auto parsed = AlertFromJson(*c.value);
          if (!parsed.ok()) continue;  // a record this build cannot read is not shown
          a = std::move(*parsed);
          a->seq = c.seq;
        }
        alerts.emplace_back(c.key, std::move(a));
        continue;
      }
      // With the graph's listener, chunks are read here only while catching up, for the stream time.
      if (model_ == nullptr || (options_.graph_listener && !catching_up) ||
          c.collection != ledger::kTransferChunkCollection || !c.value) {
        continue;
      }
      ledger::TransferView v;
      for (size_t offset = 0; offset < c.value->size();) {
        if (!ledger::DecodeNextView(*c.value, &offset, &v)) break;  // the graph reports corrupt chunks
        latest = std::max(latest, v.at_ms);
        if (catching_up) continue;
        for (std::string_view name : {v.from, v.to}) {
          if (name.empty()) continue;
          const int64_t node = graph_.NodeOf(name);
          if (node >= 0) touched.push_back(static_cast<uint32_t>(node));
        }
      }
    }
  }
  std::lock_guard lock(mu_);
  dirty_.insert(touched.begin(), touched.end());
  stream_ms_ = std::max(stream_ms_, latest);
  for (auto& [key, alert] : alerts) {
    if (alert) {
      alerts_[key] = std::move(*alert);
    } else {
      alerts_.erase(key);
    }
  }
}

void MuleMonitor::Touched(const std::vector<uint32_t>& nodes, int64_t latest_ms) {
  if (model_ == nullptr) return;
  std::lock_guard lock(mu_);
  if (catching_up_) return;  // every account is marked when the catch-up ends
  dirty_.insert(nodes.begin(), nodes.end());
  stream_ms_ = std::max(stream_ms_, latest_ms);
}

void MuleMonitor::SetCatchingUp(bool on) {
  std::vector<uint32_t> all;
  if (!on && model_ != nullptr) {
    ledger::TransferGraph::ReadLock lock(graph_);
    for (uint32_t n = 0; n < graph_.nodes(); ++n) {
      if (!graph_.IsExit(n)) all.push_back(n);
    }
  }
  std::lock_guard lock(mu_);
  catching_up_ = on;
  dirty_.insert(all.begin(), all.end());
}

Status MuleMonitor::ScoreSlice(const std::vector<uint32_t>& nodes, int64_t as_of,
                               std::vector<uint32_t>* propagate, std::vector<Alert>* raise) {
  const size_t n = nodes.size();
  std::vector<float> x(n * kFeatureCount);
  std::vector<std::vector<Neighbour>> neighbours(n);
  std::vector<std::string> names(n);
  absl::flat_hash_map<uint32_t, bool> listed_cache;
  ledger::TransferGraph::ReadLock graph_lock(graph_);
  auto listed = [&](uint32_t node) {
    auto [it, fresh] = listed_cache.emplace(node, false);
    if (fresh) it->second = known_(graph_.NameOf(node)).listed;
    return it->second;
  };
  FeatureExtractor fx(graph_, listed);
  auto identity = [](uint32_t node) -> int64_t { return node; };
  for (size_t i = 0; i < n; ++i) {
    fx.Compute(nodes[i], as_of, std::span<float>(x).subspan(i * kFeatureCount, kFeatureCount));
    fx.LastNeighbours(identity, &neighbours[i]);
    names[i] = graph_.NameOf(nodes[i]);
  }
  CFR_ASSIGN_OR_RETURN(std::vector<float> first, model_->FirstStage(x));
  const float t1 = model_->first_stage_threshold();
  std::vector<float> x2(n * kSecondStageColumns);
  {
    std::lock_guard lock(mu_);
    if (first_stage_.size() < graph_.nodes()) first_stage_.resize(graph_.nodes(), 0.0f);
    for (size_t i = 0; i < n; ++i) {
      float& kept = first_stage_[nodes[i]];
      if ((kept >= t1) != (first[i] >= t1)) {
        for (const Neighbour& nb : neighbours[i]) propagate->push_back(nb.index);
      }
      kept = first[i];
    }
    for (size_t i = 0; i < n; ++i) {
      float* row = &x2[i * kSecondStageColumns];
      std::copy_n(&x[i * kFeatureCount], kFeatureCount, row);
      NeighbourFeatures(neighbours[i], first_stage_, t1,
                        std::span<float>(row + kFeatureCount, kNeighbourFeatureCount));
    }
  }
  CFR_ASSIGN_OR_RETURN(std::vector<float> scores, model_->SecondStage(x2));
  const float threshold = model_->threshold();
  for (size_t i = 0; i < n; ++i) {
    if (scores[i] < threshold) continue;
    {
      std::lock_guard lock(mu_);
      if (alerts_.contains(names[i])) continue;
    }
    if (known_(names[i]).reported) continue;
    Alert a;
    a.account = names[i];
    a.score = scores[i];
    a.first_stage = first[i];
    a.threshold = threshold;
    a.raised_at_ms = clock_.NowMillis();
    a.as_of_ms = as_of;
    CFR_ASSIGN_OR_RETURN(a.reasons, model_->Explain(std::span<const float>(x2).subspan(
                                                        i * kSecondStageColumns, kSecondStageColumns),
                                                    options_.top_reasons));
    raise->push_back(std::move(a));
  }
  return Status::Ok();
}

Result<size_t> MuleMonitor::RunRound() {
  if (model_ == nullptr) return size_t{0};
  std::lock_guard round(round_mu_);
  std::vector<uint32_t> nodes;
  int64_t as_of = 0;
  {
    std::lock_guard lock(mu_);
    nodes.assign(dirty_.begin(), dirty_.end());
    dirty_.clear();
    as_of = stream_ms_ + 1;
  }
  std::sort(nodes.begin(), nodes.end());
  std::vector<uint32_t> propagate, slice;
  std::vector<Alert> raise;
  for (size_t begin = 0; begin < nodes.size(); begin += options_.slice) {
    slice.assign(nodes.begin() + static_cast<std::ptrdiff_t>(begin),
                 nodes.begin() + static_cast<std::ptrdiff_t>(std::min(nodes.size(), begin + options_.slice)));
    // Between slices the graph's lock is free: let a waiting writer (ingest) in before the next
    // slice takes it again (std::shared_mutex prefers readers on glibc).
    if (begin > 0) std::this_thread::yield();
    Status s = ScoreSlice(slice, as_of, &propagate, &raise);
    if (!s.ok()) {
      std::lock_guard lock(mu_);
      dirty_.insert(nodes.begin() + static_cast<std::ptrdiff_t>(begin), nodes.end());  // retried next round
      return s;
    }
  }
  size_t raised = 0;
  for (const Alert& a : raise) {
    store::WriteBatch batch;
    batch.Insert(kAlertCollection, a.account, AlertToJson(a));
    auto seq = store_.Commit(batch);
    if (!seq.ok() && seq.status().code() == StatusCode::kConflict) continue;  // raised by another server
    if (!seq.ok()) return seq.status();
    ++raised;
    std::lock_guard lock(mu_);
    Alert& kept = alerts_[a.account];
    kept = a;
    kept.seq = *seq;
  }
  std::lock_guard lock(mu_);
  dirty_.insert(propagate.begin(), propagate.end());
  ++stats_.rounds;
  stats_.scored += nodes.size();
  stats_.alerts_raised += raised;
  return nodes.size();
}

void MuleMonitor::Start() {
  if (model_ == nullptr || thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    NameThisThread("cfr-mule-watch");
    Run();
  });
}

void MuleMonitor::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MuleMonitor::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    wake_.wait_for(lock, options_.interval, [this] { return stop_.load(); });
    if (stop_) break;
    lock.unlock();
    // A failed round (the store unavailable) keeps its accounts dirty and is retried next round.
    auto r = RunRound();
    if (!r.ok()) IgnoreError(r.status());
    lock.lock();
  }
}

Result<AccountScore> MuleMonitor::ScoreOf(std::string_view account) const {
  if (model_ == nullptr) return Unavailable("no mule model is loaded (cfr train mules; [mule] model)");
  std::vector<float> x2(kSecondStageColumns);
  AccountScore out;
  {
    ledger::TransferGraph::ReadLock graph_lock(graph_);
    const int64_t node = graph_.NodeOf(account);
    if (node < 0) return NotFound("no transfers of " + std::string(account));
    {
      std::lock_guard lock(mu_);
      out.as_of_ms = stream_ms_ + 1;
    }
    FeatureExtractor fx(graph_, [this](uint32_t n) { return known_(graph_.NameOf(n)).listed; });
    fx.Compute(static_cast<uint32_t>(node), out.as_of_ms, std::span<float>(x2).subspan(0, kFeatureCount));
    std::vector<Neighbour> neighbours;
    CollectNeighbours(
        graph_, static_cast<uint32_t>(node), out.as_of_ms, [](uint32_t n) -> int64_t { return n; },
        &neighbours);
    // The counterparties' kept first-stage scores, renumbered 0..k-1.
    std::vector<float> kept(neighbours.size(), 0.0f);
    {
      std::lock_guard lock(mu_);
      for (size_t i = 0; i < neighbours.size(); ++i) {
        if (neighbours[i].index < first_stage_.size()) kept[i] = first_stage_[neighbours[i].index];
        neighbours[i].index = static_cast<uint32_t>(i);
      }
    }
    NeighbourFeatures(neighbours, kept, model_->first_stage_threshold(),
                      std::span<float>(x2).subspan(kFeatureCount, kNeighbourFeatureCount));
  }
  CFR_ASSIGN_OR_RETURN(std::vector<float> first,
                       model_->FirstStage(std::span<const float>(x2).subspan(0, kFeatureCount)));
  CFR_ASSIGN_OR_RETURN(std::vector<float> score, model_->SecondStage(x2));
  out.first_stage = first[0];
  out.score = score[0];
  out.threshold = model_->threshold();
  CFR_ASSIGN_OR_RETURN(out.reasons, model_->Explain(x2, options_.top_reasons));
  return out;
}

std::vector<Alert> MuleMonitor::Alerts(const std::vector<Alert::Status>& statuses,
                                       std::string_view bank_code) const {
  std::vector<Alert> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, a] : alerts_) {
      if (!statuses.empty() && std::find(statuses.begin(), statuses.end(), a.status) == statuses.end())
        continue;
      if (!bank_code.empty() &&
          !(key.size() > bank_code.size() && key.starts_with(bank_code) && key[bank_code.size()] == ':')) {
        continue;
      }
      out.push_back(a);
    }
  }
  std::sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    return a.score != b.score ? a.score > b.score : a.account < b.account;
  });
  return out;
}

std::optional<Alert> MuleMonitor::AlertOf(std::string_view account) const {
  std::lock_guard lock(mu_);
  auto it = alerts_.find(account);
  if (it == alerts_.end()) return std::nullopt;
  return it->second;
}

Result<Alert> MuleMonitor::Decide(std::string_view account, Alert::Status decision, const Actor& by,
                                  std::string_view reason) {
  if (decision == Alert::Status::kOpen) return InvalidArgument("acknowledge or dismiss", "decision");
  CFR_ASSIGN_OR_RETURN(auto record, store_.Get(kAlertCollection, account));
  if (!record) return NotFound("no alert for " + std::string(account));
  CFR_ASSIGN_OR_RETURN(Alert a, AlertFromJson(record->value));
  if (a.status != Alert::Status::kOpen) {
    return Conflict("the alert was already " + std::string(AlertStatusName(a.status)) + " by " +
                    a.decided_by);
  }
  a.status = decision;
  a.decided_by = by.user;
  a.decided_agency = by.agency;
  a.reason = std::string(reason);
  a.decided_at_ms = clock_.NowMillis();
  store::WriteBatch batch;
  batch.PutIfSeq(kAlertCollection, account, AlertToJson(a), record->seq);
  CFR_ASSIGN_OR_RETURN(a.seq, store_.Commit(batch));
  std::lock_guard lock(mu_);
  alerts_[a.account] = a;
  return a;
}

MuleMonitor::Stats MuleMonitor::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.dirty = dirty_.size();
  s.stream_ms = stream_ms_;
  return s;
}

}  // namespace cfr::mule
