// The classifier, the fact-check store and index, and the whole analysis on a real SQLite store
// with the registry's screening index following it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "content/analyzer.h"
#include "content/evaluate.h"
#include "core/clock.h"
#include "registry/registry.h"
#include "store/change_follower.h"
#include "store/sqlite/sqlite_store.h"
#include "store/testing.h"

namespace cfr::content {
namespace {

const std::string kThai = std::string(CFR_SHARED_DATA) + "/thai-sms/train.tsv";
const std::string kEnglish = std::string(CFR_SHARED_DATA) + "/uci-sms/train.tsv";

// One model for the file, trained once (the tests only read it).
const Classifier& Model() {
  static const std::unique_ptr<Classifier> model = [] {
    auto th = ReadLabelledTsv(kThai);
    auto en = ReadLabelledTsv(kEnglish);
    EXPECT_TRUE(th.ok() && en.ok());
    th->insert(th->end(), en->begin(), en->end());
    auto m = Classifier::Train(FeaturesOf(*th), TrainOptions{});
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return std::move(*m);
  }();
  return *model;
}

TEST(LabelsTest, DataSetsMapToOneLabelSet) {
  EXPECT_EQ(*MapLabel("OTP"), "transactional");
  EXPECT_EQ(*MapLabel("OK"), "legitimate");
  EXPECT_EQ(*MapLabel("ham"), "legitimate");
  EXPECT_EQ(*MapLabel("Spam"), "spam");
  EXPECT_EQ(MapLabel("phishing").status().field(), "label");
  EXPECT_EQ(ReadLabelledTsv("/nonexistent.tsv").status().field(), "data");
}

TEST(ClassifierTest, TrainingIsDeterministicForASeed) {
  auto th = ReadLabelledTsv(kThai);
  ASSERT_TRUE(th.ok());
  th->resize(400);
  const auto features = FeaturesOf(*th);
  auto a = Classifier::Train(features, TrainOptions{});
  auto b = Classifier::Train(features, TrainOptions{});
  ASSERT_TRUE(a.ok() && b.ok());
  for (size_t i = 0; i < features.size(); i += 7) {
    const Prediction pa = (*a)->Predict(features[i].second), pb = (*b)->Predict(features[i].second);
    EXPECT_EQ(pa.label, pb.label);
    EXPECT_DOUBLE_EQ(pa.probability, pb.probability);
  }
}

// The fast path (per-row scores) answers what fastText's own prediction answers.
TEST(ClassifierTest, AnswersAsFastTextDoes) {
  auto th = ReadLabelledTsv(kThai);
  auto en = ReadLabelledTsv(kEnglish);
  ASSERT_TRUE(th.ok() && en.ok());
  th->insert(th->end(), en->begin(), en->end());
  const auto features = FeaturesOf(*th);
  for (size_t i = 0; i < features.size(); i += 3) {
    const Prediction fast = Model().Predict(features[i].second, 3);
    const Prediction reference = Model().PredictWithFastText(features[i].second);
    ASSERT_EQ(fast.label, reference.label) << features[i].second;
    for (const auto& [label, p] : reference.probabilities) {
      for (const auto& [l2, p2] : fast.probabilities) {
        if (l2 == label) {
          EXPECT_NEAR(p, p2, 2e-5) << label << " " << features[i].second;
        }
      }
    }
  }
}

// The line reader without streams reads every message as fastText's Dictionary::getLine does:
// the same rows, in the same order (words, subwords, word bigram hashes, end of sentence).
TEST(ClassifierTest, ReadsLinesAsFastTextDoes) {
  auto th = ReadLabelledTsv(kThai);
  auto en = ReadLabelledTsv(kEnglish);
  ASSERT_TRUE(th.ok() && en.ok());
  th->insert(th->end(), en->begin(), en->end());
  for (const auto& [label, features] : FeaturesOf(*th)) {
    ASSERT_TRUE(Model().ReadsAsFastText(features)) << features;
  }
  for (const std::string& odd : std::vector<std::string>{
           "", " ", "\n", "</s>", "a </s> b", "__label__scam hello", "__label__nonesuch hello",
           "a\tb\vc\fd\re", "two  spaces", "stops\nhere and not here", std::string("nul\0inside", 11),
           "ไม่รู้จักคำนี้เลยสักนิด xyzzyq", "\xff\xfe broken utf8 \xe0\xb8", "ยินดีด้วย __url__ __phone__"}) {
    EXPECT_TRUE(Model().ReadsAsFastText(odd)) << odd;
  }
}

TEST(ClassifierTest, SavedAndLoadedItAnswersTheSame) {
  const std::string path = ::testing::TempDir() + "/cfr-content-model-" + std::to_string(::getpid()) + ".bin";
  ASSERT_TRUE(Model().Save(path).ok());
  auto loaded = Classifier::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const std::string f = Features(*Prepare("URGENT! You have won a 1 week FREE membership, call 09061701461"));
  EXPECT_EQ((*loaded)->Predict(f).label, Model().Predict(f).label);
  EXPECT_DOUBLE_EQ((*loaded)->Predict(f).probability, Model().Predict(f).probability);
  std::filesystem::remove(path);
  EXPECT_EQ(Classifier::Load(path).status().code(), StatusCode::kNotFound);
  const std::string junk = path + ".junk";
  { std::ofstream(junk) << "not a model"; }
  EXPECT_FALSE(Classifier::Load(junk).ok());
  std::filesystem::remove(junk);
}

TEST(ClassifierTest, TellsTheKindsOfMessageApart) {
  auto label = [](std::string_view text) { return Model().Predict(Features(*Prepare(text)), 5); };
  const Prediction otp = label("รหัส OTP ของคุณคือ 482913 ห้ามบอกรหัสนี้กับผู้อื่น");
  EXPECT_EQ(otp.label, "transactional");
  EXPECT_EQ(label("Hey, are we still meeting for lunch at noon tomorrow?").label, "legitimate");
  const Prediction scam = label("ยินดีด้วย คุณได้รับสิทธิ์สินเชื่อ 50,000 บาท ไม่ต้องค้ำ คลิก bit.ly/3xYzAbc");
  EXPECT_EQ(scam.label, "scam");
  EXPECT_GT(scam.probability, 0.5);
  EXPECT_FALSE(scam.top_tokens.empty());  // the evidence: the words that weighed most
  double sum = 0;
  for (const auto& [l, p] : scam.probabilities) sum += p;
  EXPECT_NEAR(sum, 1.0, 1e-3);
}

class AnalyzerTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-content-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(*store::OpenTestStore((dir_ / "cfr.db").string()));
    registry_ = std::make_unique<registry::Registry>(*store_, clock_);
    checks_ = std::make_unique<FactChecks>(*store_, clock_);
  }
  void TearDown() override {
    checks_.reset();
    registry_.reset();
    IgnoreError(store_->Close());
    std::filesystem::remove_all(dir_);
  }
  void CatchUp() {
    store::ChangeFollower follower(*store_, {&screening_, &claims_});
    ASSERT_TRUE(follower.CatchUp().ok());
  }
  FactCheck Check(const std::string& claim, const std::string& verdict) {
    auto f = FactCheckFromJson(
        R"({"claim":")" + claim + R"(","verdict":")" + verdict +
        R"j(","source":"Anti-Fake News Center (demo)","checked_on":"2026-11-01","demo":true})j");
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    auto saved = checks_->Create(*f, Actor{"analyst.a", "AOC", "analyst"});
    EXPECT_TRUE(saved.ok());
    return *saved;
  }
  std::filesystem::path dir_;
  ManualClock clock_{1795789445123};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<FactChecks> checks_;
  registry::ScreeningIndex screening_;
  FactCheckIndex claims_;
};

// The issue's "done when": a pasted Thai scam SMS comes back as scam with its link found in the
// registry and the impersonated bank named.
TEST_F(AnalyzerTest, AThaiScamSmsWithItsLinkInTheRegistryAndTheBankNamed) {
  auto link = ident::NormalizeUrl("https://krungthai-refund.com/login");
  ASSERT_TRUE(link.ok());
  ASSERT_TRUE(registry_
                  ->List(ident::Kind::kUrl, link->canonical, link->display, registry::Tier::kBlack,
                         Actor{"cib.k", "RTP-CIB", "police"}, "phishing kit seized")
                  .ok());
  CatchUp();
  const Analyzer analyzer(&Model(), &screening_, &claims_);
  auto a = analyzer.Analyze(
      "ธนาคารกรุงไทยแจ้ง บัญชีของท่านถูกระงับชั่วคราว กรุณายืนยันตัวตนภายใน 24 ชม. "
      "ที่ hxxps://krungthai-refund[.]com/login มิฉะนั้นบัญชีจะถูกปิด");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->label, "scam");
  ASSERT_EQ(a->identifiers.size(), 1u);
  EXPECT_TRUE(a->identifiers[0].listed);
  EXPECT_EQ(a->identifiers[0].summary.tier, registry::Tier::kBlack);
  EXPECT_EQ(a->registry_hits, 1u);
  ASSERT_FALSE(a->prepared.brands.empty());
  EXPECT_EQ(a->prepared.brands[0].brand->id, "KTB");
  EXPECT_TRUE(a->prepared.brands[0].by_link);
  const std::string json = AnalysisJson(*a);
  EXPECT_NE(json.find("\"label\":\"scam\""), std::string::npos);
  EXPECT_NE(json.find("\"tier\":\"black\""), std::string::npos);
  EXPECT_NE(json.find("\"id\":\"KTB\""), std::string::npos);
  EXPECT_EQ(AnalysisJson(*a, false).find("\"reports\""), std::string::npos);  // figures left out
  EXPECT_EQ(AnalysisJson(*a, false).find("\"tier\""), std::string::npos);
}

TEST_F(AnalyzerTest, AListedIdentifierMakesItAScamWhateverTheText) {
  ASSERT_TRUE(registry_
                  ->List(ident::Kind::kPhone, "+66812345678", "081-234-5678", registry::Tier::kDarkGrey,
                         Actor{"op", "AOC", "operator"}, "reported by 12 victims")
                  .ok());
  CatchUp();
  const Analyzer analyzer(&Model(), &screening_, &claims_);
  auto a = analyzer.Analyze("Hi it's me, call me back on 081-234-5678 when you can");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->label, "scam");
  EXPECT_EQ(a->label_source, "registry");
  EXPECT_NE(a->prediction.label, "scam");  // the text alone looked harmless
}

TEST_F(AnalyzerTest, AMessageRepeatingACheckedClaimReturnsIt) {
  const FactCheck notes =
      Check("ธนาคารแห่งประเทศไทยจะยกเลิกธนบัตรใบละ 1000 บาททั้งหมดภายในสิ้นเดือนนี้ ให้รีบนำไปฝากธนาคาร", "false");
  Check("Drinking hot water every 15 minutes prevents coronavirus infection", "false");
  CatchUp();
  EXPECT_EQ(claims_.size(), 2u);
  const Analyzer analyzer(&Model(), &screening_, &claims_);
  auto a = analyzer.Analyze(
      "ด่วน!! ธนาคารแห่งประเทศไทยจะยกเลิกธนบัตรใบละ 1000 บาท ภายในสิ้นเดือนนี้ รีบนำไปฝากธนาคารด่วน ส่งต่อด้วย");
  ASSERT_TRUE(a.ok());
  ASSERT_FALSE(a->fact_checks.empty());
  EXPECT_EQ(a->fact_checks[0].check.id, notes.id);
  EXPECT_EQ(a->fact_checks[0].check.verdict, "false");
  EXPECT_GT(a->fact_checks[0].similarity, 0.4);
  auto unrelated = analyzer.Analyze("รหัส OTP ของคุณคือ 482913");
  ASSERT_TRUE(unrelated.ok());
  EXPECT_TRUE(unrelated->fact_checks.empty());
  // Changed and deleted claims follow the change sequence.
  ASSERT_TRUE(checks_->Delete(notes.id).ok());
  CatchUp();
  EXPECT_EQ(claims_.size(), 1u);
}

TEST_F(AnalyzerTest, FactChecksAreValidated) {
  EXPECT_EQ(FactCheckFromJson(R"({"claim":"x","verdict":"maybe","source":"s","checked_on":"2026-11-01"})")
                .status()
                .field(),
            "verdict");
  EXPECT_EQ(FactCheckFromJson(R"({"claim":"x","verdict":"false","source":"s","checked_on":"2026-13-01"})")
                .status()
                .field(),
            "checked_on");
  EXPECT_EQ(FactCheckFromJson(R"({"claim":"","verdict":"false","source":"s","checked_on":"2026-11-01"})")
                .status()
                .field(),
            "claim");
  EXPECT_EQ(
      FactCheckFromJson(R"({"claim":"x","verdict":"false","source":"s","checked_on":"2026-11-01","x":1})")
          .status()
          .field(),
      "x");
  EXPECT_EQ(checks_->Get("FC-none").status().code(), StatusCode::kNotFound);
}

TEST(MinHashTest, EstimatesJaccardSimilarity) {
  const std::vector<std::string> a = {"the", "bank", "will", "cancel", "all", "notes", "this", "month"};
  std::vector<std::string> b = a;
  EXPECT_DOUBLE_EQ(EstimatedSimilarity(SignatureOf(a), SignatureOf(b)), 1.0);
  b = {"completely", "different", "words", "here"};
  EXPECT_LT(EstimatedSimilarity(SignatureOf(a), SignatureOf(b)), 0.1);
  EXPECT_EQ(EstimatedSimilarity(SignatureOf({}), SignatureOf({})), 0.0);
}

TEST(EvaluateTest, ScoresPerClassAndTheConfusionMatrix) {
  const EvalReport r = Score({"scam", "scam", "spam", "legitimate"}, {"scam", "spam", "spam", "legitimate"});
  ASSERT_EQ(r.labels, (std::vector<std::string>{"scam", "spam", "legitimate"}));
  EXPECT_EQ(r.confusion[0][1], 1u);
  EXPECT_DOUBLE_EQ(r.classes[0].precision, 1.0);
  EXPECT_DOUBLE_EQ(r.classes[0].recall, 0.5);
  EXPECT_DOUBLE_EQ(r.classes[1].precision, 0.5);
  EXPECT_DOUBLE_EQ(r.accuracy, 0.75);
  EXPECT_DOUBLE_EQ(r.unwanted_vs_rest.f1, 1.0);  // scam or spam: all three found, none wrong
}

}  // namespace
}  // namespace cfr::content
