// cfr demo: writes a realistic, deterministic demo data set through the real intake path —
// synthetic victims (Thai names, valid national IDs), scam types in the demo mix of
// data/scam_types.csv, mule accounts reused across victims (a few take most of the money, as in
// real mule networks), PromptPay mules, scammers' phones, LINE IDs, links and wallets, a few
// duplicate reports, then police confirmations (black) of the busiest mules and a bank's
// light-grey listings. Everything is marked as demo data in the narratives.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <random>

#include "auth/access.h"
#include "auth/sessions.h"
#include "cases/orders.h"
#include "cli/commands.h"
#include "cli/local_store.h"
#include "core/hex.h"
#include "core/text.h"
#include "core/time.h"
#include "ident/bank.h"
#include "intake/intake.h"
#include "ledger/generator.h"
#include "ledger/ledger.h"
#include "mule/dataset.h"
#include "mule/model.h"
#include "registry/registry.h"
#include "store/counter.h"
#include "store/sqlite/sqlite_store.h"

namespace cfr::embedded {
extern const std::string_view kDemoNamesTxt;
}

namespace cfr::cli {
namespace {

// Appends a transfer as the next row. (Built in place: GCC 12 warns, wrongly, that a moved
// Result<Transfer> in an aggregate may be uninitialised.)
void AppendRow(std::vector<ledger::TransferRow>* rows, const ledger::Transfer& t) {
  rows->emplace_back();
  rows->back().line = rows->size();
  rows->back().transfer = t;
}

struct Pools {
  std::vector<std::string> given, surname, province;
};

Pools LoadNames() {
  Pools p;
  std::vector<std::string>* current = nullptr;
  std::string_view text = embedded::kDemoNamesTxt;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string line(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line[0] == '#') continue;
    if (line == "[given]")
      current = &p.given;
    else if (line == "[surname]")
      current = &p.surname;
    else if (line == "[province]")
      current = &p.province;
    else if (current != nullptr)
      current->push_back(line);
  }
  return p;
}

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed), names_(LoadNames()) {
    // Mules: bank accounts at the big banks, and PromptPay mobiles.
    static const char* kMuleBanks[] = {"004", "014", "006", "002", "025", "011", "030", "069"};
    for (int i = 0; i < 60; ++i) {
      const std::string code = kMuleBanks[Uniform(std::size(kMuleBanks))];
      const ident::Bank* bank = ident::FindBank(code);
      mules_.push_back(code + ":" + Digits(bank->account_lengths.front()));
    }
    // Only numbers that the phone normaliser accepts: a generator must never produce bad data.
    auto valid_phone = [&](const std::function<std::string()>& make) {
      while (true) {
        std::string candidate = make();
        if (ident::NormalizePhone(candidate).ok()) return candidate;
      }
    };
    for (int i = 0; i < 15; ++i) {
      promptpay_mules_.push_back(
          valid_phone([&] { return "08" + std::to_string(1 + Uniform(9)) + Digits(7); }));
    }
    for (int i = 0; i < 40; ++i) {
      // Mostly mobiles; some Bangkok landlines (02 and seven digits), as call centres spoof them.
      phones_.push_back(valid_phone([&] { return Uniform(4) == 0 ? "02" + Digits(7) : "09" + Digits(8); }));
    }
    static const char* kLine[] = {"dsi.officer",   "kbank.support",  "shopee.deal",   "job.easy.money",
                                  "loan.fast.th",  "invest.gold.th", "lazada.refund", "police.cyber",
                                  "crypto.profit", "parcel.kerry"};
    for (const char* l : kLine) line_ids_.push_back(std::string(l) + std::to_string(Uniform(90) + 10));
    static const char* kDomains[] = {"kbank-secure-login.com", "dsi-verify.net",     "shopee-flash-sale.shop",
                                     "thai-gold-invest.co",    "easy-job-th.online", "loan-approve-now.com",
                                     "kerry-parcel-fee.info",  "scb-update.net",     "bit.ly",
                                     "shorturl.asia"};
    for (const char* d : kDomains) urls_.push_back("https://" + std::string(d) + "/" + Letters(6));
  }

  size_t Uniform(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  std::string Digits(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + Uniform(10));
    return s;
  }
  std::string Letters(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('a' + Uniform(26));
    return s;
  }
  // A heavy-tailed pick: index 0 is chosen most, like the busiest mules of a network.
  template <typename T>
  const T& Skewed(const std::vector<T>& v) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    // u^1.5: the first of 60 gets about 6 % of picks, the median one well under 1 %.
    return v[std::min(v.size() - 1, static_cast<size_t>(std::pow(u, 1.5) * static_cast<double>(v.size())))];
  }
  std::string NationalId() {
    std::string d = std::to_string(1 + Uniform(8)) + Digits(11);
    int sum = 0;
    for (int i = 0; i < 12; ++i) sum += (d[i] - '0') * (13 - i);
    return d + static_cast<char>('0' + (11 - sum % 11) % 10);
  }
  const intake::ScamType& ScamType() {
    int total = 0;
    for (const auto& t : intake::ScamTypes()) total += t.demo_weight;
    int pick = static_cast<int>(Uniform(static_cast<size_t>(total)));
    for (const auto& t : intake::ScamTypes()) {
      if ((pick -= t.demo_weight) < 0) return t;
    }
    return intake::ScamTypes().back();
  }
  int64_t Amount(const std::string& type) {
    // Typical losses differ by type: shopping in hundreds to thousands of baht, investment and
    // call-centre scams in tens or hundreds of thousands.
    double median_baht = 3000;
    if (type == "investment" || type == "call_centre_impersonation" || type == "romance")
      median_baht = 120000;
    if (type == "job_task" || type == "hybrid") median_baht = 25000;
    if (type == "loan") median_baht = 4000;
    std::lognormal_distribution<double> d(std::log(median_baht), 0.9);
    return std::max<int64_t>(10000, static_cast<int64_t>(d(rng_)) * 100);
  }

  // One report body (JSON) occurring around `when_ms`.
  std::string Report(int64_t when_ms, std::string* victim_nid_out) {
    const auto& type = ScamType();
    const std::string nid = NationalId();
    *victim_nid_out = nid;
    std::string body =
        "{\"victim\":{\"name\":\"" + names_.given[Uniform(names_.given.size())] + " " +
        names_.surname[Uniform(names_.surname.size())] + "\",\"national_id\":\"" + nid + "\",\"phone\":\"08" +
        std::to_string(1 + Uniform(9)) + Digits(7) + "\",\"province\":\"" +
        names_.province[Uniform(names_.province.size())] + "\",\"age_band\":\"" +
        std::string(
            std::vector<const char*>{"18-24", "25-34", "35-44", "45-54", "55-64", "65+"}[Uniform(6)]) +
        "\"},\"channel\":\"" +
        std::string(
            std::vector<const char*>{"hotline", "hotline", "web", "web", "bank", "police"}[Uniform(6)]) +
        "\",\"scam_type\":\"" + type.code + "\",\"occurred_at\":\"" + FormatRfc3339Millis(when_ms) +
        "\",\"narrative\":\"[DEMO DATA] " + type.name_en + " / " + type.name_th + "\",\"loss_transfers\":[";
    const int transfers = 1 + static_cast<int>(Uniform(3));
    int64_t t = when_ms + 5 * 60000;
    for (int i = 0; i < transfers; ++i) {
      if (i > 0) body += ",";
      t += static_cast<int64_t>(Uniform(20) + 1) * 60000;
      std::string to;
      if (Uniform(5) == 0) {
        to = "{\"promptpay\":\"" + Skewed(promptpay_mules_) + "\"}";
      } else {
        const std::string& mule = Skewed(mules_);
        to = "{\"bank\":\"" + mule.substr(0, 3) + "\",\"account\":\"" + mule.substr(4) + "\"}";
      }
      body += "{\"to\":" + to + ",\"amount_satang\":" + std::to_string(Amount(type.code)) + ",\"at\":\"" +
              FormatRfc3339Millis(t) + "\",\"channel\":\"promptpay\"}";
    }
    body += "],\"scammer_identifiers\":[{\"kind\":\"phone\",\"value\":\"" + Skewed(phones_) + "\"}";
    if (Uniform(2) == 0) body += ",{\"kind\":\"line_id\",\"value\":\"@" + Skewed(line_ids_) + "\"}";
    if (type.code == "fake_shopping" || type.code == "phishing_link" || type.code == "investment" ||
        Uniform(4) == 0) {
      body += ",{\"kind\":\"url\",\"value\":\"" + Skewed(urls_) + "\"}";
    }
    body += "]}";
    return body;
  }

  const std::vector<std::string>& mules() const { return mules_; }

 private:
  std::mt19937_64 rng_;
  Pools names_;
  std::vector<std::string> mules_, promptpay_mules_, phones_, line_ids_, urls_;
};

}  // namespace

// The demo fact-checks (demo_factchecks.cc); how many were written.
size_t DemoFactChecks(store::Store& store);

// The demo's evidence files (demo_evidence.cc); how many were stored.
size_t DemoEvidence(store::Store& store, ledger::Ledger& ledger, const auth::PersonalDataCipher& cipher,
                    Clock& clock, const std::vector<std::string>& report_jsons);

// The demo partner and its agreement (demo_partner.cc); the line for demo-keys.txt.
std::string DemoPartner(store::Store& store, registry::Registry& registry,
                        const auth::PersonalDataCipher& cipher);

int RunDemo(const DemoArgs& args) {
  auto store =
      OpenAuditedDataDir(args.data_dir, args.store_url, Actor("cfr demo", "", "admin", "shell"), "cfr demo");
  if (!store.ok()) {
    std::fprintf(stderr, "cfr demo: %s\n", store.status().message().c_str());
    return kExitFailure;
  }
  auto existing = (*store)->Get("counter", "report");
  if (existing.ok() && existing->has_value()) {
    std::fprintf(stderr, "cfr demo: %s already holds reports; demo data goes into a new data directory\n",
                 args.data_dir.c_str());
    return kExitFailure;
  }
  // The demo's own clock: each report is received when a victim would have called (an hour or
  // a few after the scam), holds are issued and banks answer at their own times, so that cases,
  // orders and the dashboards look like a month of work.
  const int64_t now = Clock::Real().NowMillis();
  ManualClock demo_clock(now);
  registry::Registry registry(**store, demo_clock);
  auto keyring = DataDirKeyring(args.data_dir);  // the keyring cfr serve will use by default
  if (!keyring.ok()) {
    std::fprintf(stderr, "cfr demo: %s\n", keyring.status().ToString().c_str());
    return kExitFailure;
  }
  auto key = ReportFingerprintKey(**store, *keyring);  // the key cfr serve will use
  if (!key.ok()) {
    std::fprintf(stderr, "cfr demo: %s\n", key.status().ToString().c_str());
    return kExitFailure;
  }
  const auth::PersonalDataCipher cipher(*keyring);
  intake::Intake intake(**store, registry, demo_clock, *key, cipher);
  Generator gen(args.seed);
  const Actor hotline{"demo.operator", "AOC", "operator"};
  const Actor bank{"demo.kbank", "KBANK", "bank"};
  const Actor police{"demo.police", "RTP-CIB", "police"};
  int saved = 0, duplicates = 0, failed = 0;
  struct Loss {
    std::string mule;
    int64_t amount, at_ms;
  };
  std::vector<Loss> losses;
  // The reports, generated in the generator's order (the same seed gives the same data), then
  // received in time order.
  struct Pending {
    int64_t received_ms;
    std::string body;
    bool again;  // the previous loss reported again, through a bank
  };
  std::vector<Pending> pending;
  for (int i = 0; i < args.reports; ++i) {
    const int64_t when = now - static_cast<int64_t>(gen.Uniform(30 * 24 * 60)) * 60000 - 3600000;
    std::string nid;
    std::string body = gen.Report(when, &nid);
    // About one report in 30 is the same loss reported again through a bank, a little later.
    if (i > 0 && gen.Uniform(30) == 0) {
      pending.push_back(
          {std::min(now - 60000, pending.back().received_ms + 45 * 60000), pending.back().body, true});
      continue;
    }
    // Received 66 minutes to 6 hours after the scam began (its transfers end within 65 minutes).
    const uint64_t h = std::hash<std::string>{}(body);
    int64_t received = when + 66 * 60000 + static_cast<int64_t>(h % 300) * 60000;
    if (received > now - 60000) received = now - 60000 - static_cast<int64_t>(h % 600000);
    pending.push_back({received, std::move(body), false});
  }
  std::stable_sort(pending.begin(), pending.end(),
                   [](const Pending& a, const Pending& b) { return a.received_ms < b.received_ms; });
  struct Received {
    std::string report_json;
    int64_t received_ms;
  };
  std::vector<Received> received_reports;
  for (size_t i = 0; i < pending.size(); ++i) {
    const std::string& body = pending[i].body;
    demo_clock.Set(pending[i].received_ms);
    auto report = intake::ParseReport(body, demo_clock);
    if (!report.ok()) {
      // A bug in the generator: report the first one, count the rest.
      if (failed++ == 0) {
        std::fprintf(stderr, "cfr demo: generated report %zu is invalid: %s\n", i,
                     report.status().ToString().c_str());
      }
      continue;
    }
    auto r = intake.Submit(*report, "", body, pending[i].again ? bank : hotline);
    if (!r.ok()) {
      if (failed++ == 0) std::fprintf(stderr, "cfr demo: report %zu: %s\n", i, r.status().ToString().c_str());
      continue;
    }
    ++saved;
    received_reports.push_back({r->report_json, pending[i].received_ms});
    if (!r->duplicate_of.empty()) ++duplicates;
    if (r->duplicate_of.empty()) {
      for (const auto& t : report->loss_transfers) {
        if (t.to.kind == ident::Kind::kBankAccount)
          losses.push_back({t.to.canonical, t.amount_satang, t.at_ms});
      }
    }
    if (args.progress && saved % 100 == 0) std::fprintf(stderr, "\rcfr demo: %d reports", saved);
  }
  demo_clock.Set(now);
  // The police confirm the five busiest mules; a bank flags two more as light grey.
  int listed = 0;
  for (size_t i = 0; i < 7 && i < gen.mules().size(); ++i) {
    const bool black = i < 5;
    auto e = registry.List(ident::Kind::kBankAccount, gen.mules()[i], "",
                           black ? registry::Tier::kBlack : registry::Tier::kLightGrey, black ? police : bank,
                           black ? "[DEMO DATA] confirmed mule account" : "[DEMO DATA] unusual inflows");
    if (e.ok()) ++listed;
  }
  // The banks' transfers: each mule passed the victim's money on within minutes — to another
  // mule, out as ATM cash or to a crypto exchange, keeping some — so that every demo case has a
  // money trail. And the flow of the example in docs/api.md (BAY 555-1-23456-7 on 2026-11-01).
  ledger::TransferGraph graph(ledger::TransferGraph::StoreChunks(**store));
  ledger::Ledger ledger_store(**store, graph);
  std::vector<ledger::TransferRow> rows;
  auto transfer = [&](const std::string& from, const std::string& to, ledger::Exit exit,
                      const std::string& detail, int64_t amount, int64_t at_ms) {
    ledger::Transfer t;
    t.bank = from.substr(0, 3);
    t.txn_id = "DEMO-" + std::to_string(rows.size() + 1);
    t.from = from;
    t.to = to;
    t.exit = exit;
    t.exit_detail = detail;
    t.amount_satang = amount;
    t.at_ms = at_ms;
    t.channel = exit == ledger::Exit::kNone ? "promptpay" : exit == ledger::Exit::kAtmCash ? "atm" : "crypto";
    AppendRow(&rows, t);
  };
  for (const Loss& loss : losses) {
    int64_t at = loss.at_ms + (3 + static_cast<int64_t>(gen.Uniform(8))) * 60000;
    const int64_t onward = loss.amount * (70 + static_cast<int64_t>(gen.Uniform(25))) / 100;
    const std::string& next = gen.mules()[gen.Uniform(gen.mules().size())];
    if (next != loss.mule) {
      transfer(loss.mule, next, ledger::Exit::kNone, "", onward, at);
      at += (5 + static_cast<int64_t>(gen.Uniform(20))) * 60000;
      const bool crypto = gen.Uniform(2) == 0;
      transfer(next, "", crypto ? ledger::Exit::kCrypto : ledger::Exit::kAtmCash, crypto ? "bitkub" : "",
               onward / 2, at);
    } else {
      transfer(loss.mule, "", ledger::Exit::kAtmCash, "", onward, at);
    }
  }
  const int64_t example = 1793500200000;  // 2026-11-01T09:30:00+07:00
  transfer("025:5551234567", "014:4071111111", ledger::Exit::kNone, "", 3000000, example + 5 * 60000);
  transfer("025:5551234567", "", ledger::Exit::kAtmCash, "", 1000000, example + 8 * 60000);
  transfer("014:4071111111", "", ledger::Exit::kCrypto, "bitkub", 2000000, example + 15 * 60000);
  auto ingested = ledger_store.Ingest(rows, /*atomic=*/true);
  if (!ingested.ok() || ingested->rejected > 0) {
    std::fprintf(stderr, "cfr demo: the demo transfers were refused: %s\n",
                 ingested.ok() ? ingested->rejects[0].status.ToString().c_str()
                               : ingested.status().ToString().c_str());
    ++failed;
  }
  size_t transfers = ingested.ok() ? ingested->saved : 0;

  // A national background over the last three days: ordinary accounts paying salaries, shops and
  // bills, and the generator's scams, whose mules nobody has reported — what the mule monitor
  // finds and alerts on.
  ledger::GeneratorOptions background;
  background.seed = args.seed;
  background.accounts = 5000;
  background.transfers_per_day = 20000;
  background.days = 2;
  background.scams = 40;
  background.start_ms = (now / 86400000 - 3) * 86400000 - 7 * 3600000;  // midnight in Bangkok
  rows.clear();
  Status background_status;
  auto flush = [&] {
    auto r = ledger_store.Ingest(rows, /*atomic=*/true);
    if (!r.ok() || r->rejected > 0) {
      background_status = r.ok() ? r->rejects[0].status : r.status();
    } else {
      transfers += r->saved;
    }
    rows.clear();
  };
  ledger::GenerateTransfers(background, [&](const ledger::Transfer& t) {
    AppendRow(&rows, t);
    if (rows.size() == 10000 && background_status.ok()) flush();
  });
  if (background_status.ok() && !rows.empty()) flush();
  if (!background_status.ok()) {
    std::fprintf(stderr, "cfr demo: the background transfers were refused: %s\n",
                 background_status.ToString().c_str());
    ++failed;
  }

  // Each report's holds, issued as it was received (direct, and down the money trail the banks'
  // transfers show), and the banks' answers: most acknowledge within minutes and report what they
  // could hold; the police file the victim's complaint for some, and half of what is held goes
  // back to its victim. The legal timers run along (expiry, escalation).
  cases::OrderBook orders(**store, demo_clock, cases::OrderRules{});
  int issued_orders = 0;
  for (const Received& rr : received_reports) {
    demo_clock.Set(rr.received_ms);
    // The legal timers as they ran: holds expire and unanswered orders escalate in their time.
    IgnoreError(orders.Sweep().status());
    auto issued = orders.IssueForReport(rr.report_json, &graph);
    if (!issued.ok()) {
      if (failed++ == 0)
        std::fprintf(stderr, "cfr demo: issuing holds: %s\n", issued.status().ToString().c_str());
      continue;
    }
    for (const cases::Order& o : *issued) {
      ++issued_orders;
      const uint64_t h = std::hash<std::string>{}(o.id + std::to_string(args.seed));
      const Actor addressee{"demo.fraud-desk", o.addressee, "bank"};
      const int64_t ack_at = rr.received_ms + static_cast<int64_t>(2 + h % 38) * 60000;
      if (h % 100 >= 85 || ack_at >= now) continue;  // one in seven never answered
      demo_clock.Set(ack_at);
      if (!orders.Acknowledge(o.id, addressee).ok()) continue;
      const int64_t exec_at = ack_at + static_cast<int64_t>(5 + (h >> 8) % 55) * 60000;
      if ((h >> 16) % 100 >= 75 || exec_at >= now) continue;
      demo_clock.Set(exec_at);
      const int64_t held = o.amount_satang * static_cast<int64_t>(10 + (h >> 24) % 80) / 100;
      if (!orders.Execute(o.id, held, "[DEMO DATA] held what was left", addressee).ok()) continue;
      // Half the money held goes back to its victim within days (the bank reports it).
      const int64_t return_at = exec_at + static_cast<int64_t>(1 + (h >> 44) % 5) * 86400000;
      if (held > 0 && (h >> 48) % 2 == 0 && return_at < now) {
        demo_clock.Set(return_at);
        IgnoreError(
            orders.RecordReturn(o.id, held, "[DEMO DATA] returned to the victim", addressee).status());
      }
      const int64_t complaint_at = exec_at + static_cast<int64_t>(2 + (h >> 32) % 22) * 3600000;
      if ((h >> 40) % 3 != 0 || complaint_at >= now) continue;
      demo_clock.Set(complaint_at);
      IgnoreError(
          orders.RecordComplaint(o.id, complaint_at, "[DEMO] BKK-" + o.id.substr(4), police).status());
    }
  }
  demo_clock.Set(now);
  IgnoreError(orders.Sweep().status());

  // The mule model `cfr serve` loads: trained on another generated stream (seed + 1), never on
  // the demo's own accounts.
  const std::string model_path = (std::filesystem::path(args.data_dir) / "mule-model.json").string();
  {
    ledger::GeneratorOptions training = background;
    training.seed = args.seed + 1;
    auto generated = mule::GenerateDataset(training);
    Result<std::unique_ptr<mule::MuleModel>> model = generated.status();
    if (generated.ok()) {
      const mule::Prepared prepared = mule::Prepare(generated->data, generated->labels, 2);
      mule::TrainOptions o;
      o.seed = args.seed;
      o.rounds = 100;
      o.folds = 3;
      model = mule::MuleModel::Train(prepared.x, generated->labels.is_mule, {}, prepared.neighbours, o);
    }
    Status saved_model = model.ok() ? (*model)->Save(model_path) : model.status();
    if (!saved_model.ok()) {
      std::fprintf(stderr, "cfr demo: training the mule model failed: %s\n", saved_model.ToString().c_str());
      ++failed;
    }
  }
  // A key for every role, so that the demo can be tried at once (docs/api.md). Written to
  // DIR/demo-keys.txt (owner-only) as well: this is demo data, not how real keys are handed out.
  auth::AccessControl access(**store, Clock::Real());
  struct DemoKey {
    const char* role;
    const char* agency;
  };
  constexpr DemoKey kDemoKeys[] = {{"admin", "AOC"},      {"operator", "AOC"},  {"analyst", "AOC"},
                                   {"police", "RTP-CIB"}, {"bank", "KBANK"},    {"bank", "SCB"},
                                   {"telco", "AIS"},      {"platform", "LINE"}, {"partner", "KH-NCC"}};
  std::string keys_text;
  for (const DemoKey& k : kDemoKeys) {
    Actor by = Actor::System();
    by.user = "cfr demo";
    auto created = access.CreateKey(k.role, k.agency, std::string("demo ") + k.role + "@" + k.agency, by);
    if (!created.ok()) {
      std::fprintf(stderr, "cfr demo: creating the demo keys failed: %s\n",
                   created.status().ToString().c_str());
      ++failed;
      break;
    }
    keys_text += std::string(k.role) + "\t" + created->info.agency + "\t" + created->token + "\n";
  }
  // And a console user for every role (the console's login), passwords random, in demo-users.txt.
  auth::SessionManager sessions(**store, Clock::Real(), access, {});
  std::string users_text;
  std::random_device random;
  constexpr std::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  for (const DemoKey& k : kDemoKeys) {
    std::string password;
    for (int i = 0; i < 20; ++i) password += kAlphabet[random() % kAlphabet.size()];
    std::string name = std::string("demo.") + k.role;
    if (std::string_view(k.role) == "bank") name += "." + ToLowerAscii(k.agency);
    Actor by = Actor::System();
    by.user = "cfr demo";
    auto user = sessions.CreateUser(name, k.role, k.agency, password, by);
    if (!user.ok()) {
      std::fprintf(stderr, "cfr demo: creating the demo users failed: %s\n",
                   user.status().ToString().c_str());
      ++failed;
      break;
    }
    for (std::string_view part :
         {std::string_view(name), std::string_view(k.role), std::string_view(user->agency)}) {
      users_text += part;
      users_text += '\t';
    }
    users_text += password;
    users_text += '\n';
  }
  const auto users_path = std::filesystem::path(args.data_dir) / "demo-users.txt";
  if (std::FILE* f = std::fopen(users_path.c_str(), "w")) {
    std::filesystem::permissions(users_path,
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::fputs(users_text.c_str(), f);
    std::fclose(f);
  }
  keys_text += DemoPartner(**store, registry, cipher);
  DemoFactChecks(**store);
  {
    std::vector<std::string> report_jsons;
    report_jsons.reserve(received_reports.size());
    for (const Received& rr : received_reports) report_jsons.push_back(rr.report_json);
    DemoEvidence(**store, ledger_store, cipher, demo_clock, report_jsons);
  }
  const auto keys_path = std::filesystem::path(args.data_dir) / "demo-keys.txt";
  if (std::FILE* f = std::fopen(keys_path.c_str(), "w")) {
    std::filesystem::permissions(keys_path,
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::fputs(keys_text.c_str(), f);
    std::fclose(f);
  }
  if (args.progress) std::fprintf(stderr, "\r");
  std::printf(
      "demo data in %s: %d reports (%d duplicates), %d orders, %d listings by police and banks, %zu "
      "transfers, "
      "mule model %s\n",
      args.data_dir.c_str(), saved, duplicates, issued_orders, listed, transfers, model_path.c_str());
  if (failed > 0) std::fprintf(stderr, "cfr demo: %d reports failed (the first is shown above)\n", failed);
  std::printf("demo API keys, one per role (role, agency, key; also in %s):\n%s", keys_path.c_str(),
              keys_text.c_str());
  std::printf("demo console users, one per role (name, role, agency, password): %s\n", users_path.c_str());
  const std::string operator_key = keys_text.substr(keys_text.find("operator\tAOC\t") + 13, 80);
  std::printf(
      "try: curl -s -H 'Authorization: Bearer %s' "
      "'http://127.0.0.1:8080/api/v1/screen?kind=bank_account&value=%s'\n",
      operator_key.substr(0, operator_key.find('\n')).c_str(), gen.mules()[0].c_str());
  IgnoreError((*store)->Close());
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace cfr::cli
