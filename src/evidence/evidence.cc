#include "evidence/evidence.h"

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>

#include "auth/pii.h"
#include "cases/evidence_pack.h"
#include "core/time.h"
#include "evidence/qr_read.h"
#include "evidence/slip_qr.h"

namespace cfr::evidence {
namespace {

using nlohmann::json;

constexpr std::string_view kReportCollection = "report";  // intake's reports
constexpr std::string_view kCaseCollection = "case";      // intake's cases

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool IsSha256(std::string_view s) {
  if (s.size() != 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<FileType> TypeFromMedia(std::string_view media) {
  for (FileType t : {FileType::kPng, FileType::kJpeg, FileType::kWebp, FileType::kPdf}) {
    if (MediaType(t) == media) return t;
  }
  return Internal("evidence record: unknown media type " + std::string(media));
}

// evidence_link/<sha256>/<target>
std::string LinkKey(std::string_view sha256, std::string_view target) {
  std::string key(sha256);
  key += '/';
  key += target;
  return key;
}

Status CheckFileSize(size_t bytes, size_t max_bytes) {
  if (bytes <= max_bytes) return Status::Ok();
  return PayloadTooLarge(
      "is " + std::to_string(bytes) + " bytes: over the limit of " + std::to_string(max_bytes), "file");
}

std::string FileBinding(std::string_view sha256) {
  return std::string(kEvidenceFileCollection) + "/" + std::string(sha256);
}

}  // namespace

std::vector<std::string> PersonalCollections() {
  return {std::string(kEvidenceCollection), std::string(kEvidenceFileCollection)};
}

std::string ReportTarget(std::string_view report_id) { return "report:" + std::string(report_id); }
std::string CaseTarget(std::string_view case_id) { return "case:" + std::string(case_id); }

std::string FirstSlipQr(const std::vector<std::string>& qr) {
  for (const auto& t : qr) {
    if (LooksLikeSlipQr(t)) return t;
  }
  return "";
}

std::string RecordJson(const EvidenceRecord& r) {
  json exif = json::object();
  if (!r.info.exif_captured_at.empty()) exif["captured_at"] = r.info.exif_captured_at;
  if (!r.info.exif_make.empty()) exif["make"] = r.info.exif_make;
  if (!r.info.exif_model.empty()) exif["model"] = r.info.exif_model;
  if (!r.info.exif_software.empty()) exif["software"] = r.info.exif_software;
  const json j = {{"sha256", r.sha256},
                  {"media_type", MediaType(r.type)},
                  {"bytes", r.bytes},
                  {"width", r.info.width},
                  {"height", r.info.height},
                  {"pages", r.info.pages},
                  {"exif", exif},
                  {"qr", r.qr},
                  {"phash", HashHex(r.phash)},
                  {"received_at", FormatRfc3339Millis(r.received_ms)},
                  {"uploaded_by", {{"agency", r.uploaded_by_agency}, {"user", r.uploaded_by_user}}}};
  return Dump(j);
}

Result<EvidenceRecord> RecordFromJson(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Internal("evidence record: not JSON");
  try {
    EvidenceRecord r;
    r.sha256 = j.at("sha256").get<std::string>();
    CFR_ASSIGN_OR_RETURN(r.type, TypeFromMedia(j.at("media_type").get<std::string>()));
    r.info.type = r.type;
    r.bytes = j.at("bytes").get<size_t>();
    r.info.width = j.at("width").get<int>();
    r.info.height = j.at("height").get<int>();
    r.info.pages = j.value("pages", 1);
    const json& exif = j.at("exif");
    r.info.exif_captured_at = exif.value("captured_at", "");
    r.info.exif_make = exif.value("make", "");
    r.info.exif_model = exif.value("model", "");
    r.info.exif_software = exif.value("software", "");
    r.qr = j.at("qr").get<std::vector<std::string>>();
    CFR_ASSIGN_OR_RETURN(r.phash, HashFromHex(j.at("phash").get<std::string>()));
    CFR_ASSIGN_OR_RETURN(r.received_ms, ParseRfc3339(j.at("received_at").get<std::string>()));
    r.uploaded_by_agency = j.at("uploaded_by").value("agency", "");
    r.uploaded_by_user = j.at("uploaded_by").value("user", "");
    return r;
  } catch (const json::exception& e) {
    return Internal(std::string("evidence record: ") + e.what());
  }
}

EvidenceBook::EvidenceBook(store::Store& store, const auth::PersonalDataCipher& cipher, Clock& clock,
                           EvidenceOptions options)
    : store_(store), cipher_(cipher), clock_(clock), options_(options) {}

Result<EvidenceRecord> EvidenceBook::Inspect(std::string_view bytes) const {
  CFR_RETURN_IF_ERROR(CheckFileSize(bytes.size(), options_.max_bytes));
  thread_local GrayImage gray;  // one buffer per worker thread, reused
  EvidenceRecord r;
  CFR_ASSIGN_OR_RETURN(r.info, DecodeImageInto(bytes, options_.limits, &gray));
  r.sha256 = cases::Sha256Hex(bytes);
  r.type = r.info.type;
  r.bytes = bytes.size();
  r.qr = ReadQrCodes(gray);
  r.phash = HashPicture(gray);
  if (gray.pixels.capacity() > (size_t{16} << 20)) gray = GrayImage{};  // a huge one is not kept
  return r;
}

Result<std::vector<std::string>> EvidenceBook::TargetsOf(std::string_view report_id,
                                                         std::string_view case_id) {
  std::vector<std::string> targets;
  if (!report_id.empty()) {
    CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kReportCollection, report_id));
    if (!rec) return NotFound("report " + std::string(report_id) + " does not exist").WithField("report_id");
    const json r = json::parse(rec->value, nullptr, false);
    targets.push_back(ReportTarget(report_id));
    const std::string report_case = r.is_object() ? r.value("case_id", "") : "";
    if (!case_id.empty() && case_id != report_case) {
      return InvalidArgument("report " + std::string(report_id) + " belongs to case " + report_case,
                             "case_id");
    }
    if (!report_case.empty()) targets.push_back(CaseTarget(report_case));
  } else if (!case_id.empty()) {
    CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kCaseCollection, case_id));
    if (!rec) return NotFound("case " + std::string(case_id) + " does not exist").WithField("case_id");
    targets.push_back(CaseTarget(case_id));
  }
  return targets;
}

Result<Upload> EvidenceBook::Add(std::string_view bytes, std::string_view report_id, std::string_view case_id,
                                 const Actor& by) {
  CFR_RETURN_IF_ERROR(CheckFileSize(bytes.size(), options_.max_bytes));
  Upload up;
  CFR_ASSIGN_OR_RETURN(up.targets, TargetsOf(report_id, case_id));
  const std::string sha = cases::Sha256Hex(bytes);
  CFR_ASSIGN_OR_RETURN(auto existing, store_.Get(kEvidenceCollection, sha));
  if (existing) {
    CFR_ASSIGN_OR_RETURN(up.record, RecordFromJson(existing->value));
  } else {
    CFR_ASSIGN_OR_RETURN(up.record, Inspect(bytes));
    up.record.received_ms = clock_.NowMillis();
    up.record.uploaded_by_agency = by.agency;
    up.record.uploaded_by_user = by.user;
  }
  const std::string link = Dump({{"linked_at", FormatRfc3339Millis(clock_.NowMillis())},
                                 {"by", {{"agency", by.agency}, {"user", by.user}}}});
  store::WriteBatch batch;
  if (!existing) {
    batch.Insert(kEvidenceCollection, sha, RecordJson(up.record));
    batch.Insert(kEvidenceFileCollection, sha, cipher_.Seal(bytes, FileBinding(sha)));
  }
  for (const auto& t : up.targets) batch.Put(kEvidenceLinkCollection, LinkKey(sha, t), link);
  if (!batch.empty()) {
    auto committed = store_.Commit(batch);
    if (!committed.ok() && committed.status().code() == StatusCode::kConflict && !existing) {
      // The same bytes arrived at the same moment through another request: link to that one.
      return Add(bytes, report_id, case_id, by);
    }
    CFR_RETURN_IF_ERROR(committed.status());
  }
  up.created = !existing;
  return up;
}

Result<std::vector<std::string>> EvidenceBook::Link(std::string_view sha256, std::string_view report_id,
                                                    std::string_view case_id, const Actor& by) {
  if (!IsSha256(sha256)) return InvalidArgument("must be 64 lower-case hex digits", "sha256");
  if (report_id.empty() && case_id.empty()) return InvalidArgument("give report_id or case_id", "report_id");
  CFR_ASSIGN_OR_RETURN(auto existing, store_.Get(kEvidenceCollection, sha256));
  if (!existing) return NotFound("no evidence file " + std::string(sha256));
  CFR_ASSIGN_OR_RETURN(std::vector<std::string> targets, TargetsOf(report_id, case_id));
  const std::string link = Dump({{"linked_at", FormatRfc3339Millis(clock_.NowMillis())},
                                 {"by", {{"agency", by.agency}, {"user", by.user}}}});
  store::WriteBatch batch;
  for (const auto& t : targets) batch.Put(kEvidenceLinkCollection, LinkKey(sha256, t), link);
  CFR_RETURN_IF_ERROR(store_.Commit(batch).status());
  return targets;
}

Result<EvidenceRecord> EvidenceBook::Get(std::string_view sha256) {
  if (!IsSha256(sha256)) return InvalidArgument("must be 64 lower-case hex digits", "sha256");
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kEvidenceCollection, sha256));
  if (!rec) return NotFound("no evidence file " + std::string(sha256));
  return RecordFromJson(rec->value);
}

Result<std::string> EvidenceBook::File(std::string_view sha256) {
  if (!IsSha256(sha256)) return InvalidArgument("must be 64 lower-case hex digits", "sha256");
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kEvidenceFileCollection, sha256));
  if (!rec) return NotFound("no evidence file " + std::string(sha256));
  return cipher_.Open(rec->value, FileBinding(sha256));
}

// --- EvidenceIndex

void EvidenceIndex::LinkLocked(const std::string& sha256, const std::string& target) {
  targets_of_[sha256].insert(target);
  files_of_[target].insert(sha256);
}

void EvidenceIndex::UnlinkLocked(const std::string& sha256, const std::string& target) {
  if (auto it = targets_of_.find(sha256); it != targets_of_.end()) {
    it->second.erase(target);
    if (it->second.empty()) targets_of_.erase(it);
  }
  if (auto it = files_of_.find(target); it != files_of_.end()) {
    it->second.erase(sha256);
    if (it->second.empty()) files_of_.erase(it);
  }
}

void EvidenceIndex::Apply(const std::vector<store::Change>& changes) {
  std::unique_lock lock(mu_);
  for (const store::Change& c : changes) {
    if (c.collection == kEvidenceCollection) {
      if (!c.value) continue;  // files are not deleted; a tombstone leaves the hash in place
      auto r = RecordFromJson(*c.value);
      if (!r.ok()) continue;
      File& f = files_[c.key];
      if (f.has_record) continue;
      f.has_record = true;
      f.id = static_cast<uint32_t>(sha_of_id_.size());
      f.phash = r->phash;
      f.slip_qr = FirstSlipQr(r->qr);
      sha_of_id_.push_back(c.key);
      reuse_.Add(f.id, f.phash);
    } else if (c.collection == kEvidenceLinkCollection) {
      const size_t slash = c.key.find('/');
      if (slash == std::string::npos) continue;
      const std::string sha = c.key.substr(0, slash), target = c.key.substr(slash + 1);
      if (c.value) {
        LinkLocked(sha, target);
      } else {
        UnlinkLocked(sha, target);
      }
    } else if (c.collection == kReportCollection) {
      // A report's own list of evidence files (by SHA-256) links them to it and its case. Most
      // reports name none: they are not parsed (a catch-up reads millions).
      const bool names_files = c.value && c.value->find("\"sha256\"") != std::string::npos;
      if (!names_files && !report_links_.contains(c.key)) continue;
      if (auto it = report_links_.find(c.key); it != report_links_.end()) {
        for (size_t i = 0; i + 1 < it->second.size(); i += 2) UnlinkLocked(it->second[i], it->second[i + 1]);
        report_links_.erase(it);
      }
      if (!c.value) continue;
      const json r = json::parse(*c.value, nullptr, false);
      if (!r.is_object() || !r.contains("evidence") || !r["evidence"].is_array() || r["evidence"].empty())
        continue;
      std::vector<std::string> made;
      const std::string case_id = r.value("case_id", "");
      for (const json& e : r["evidence"]) {
        if (!e.is_object()) continue;
        std::string sha = e.value("sha256", "");
        std::transform(sha.begin(), sha.end(), sha.begin(),
                       [](char ch) { return static_cast<char>(std::tolower(ch)); });
        if (!IsSha256(sha)) continue;
        for (const std::string& t :
             {ReportTarget(c.key), case_id.empty() ? std::string() : CaseTarget(case_id)}) {
          if (t.empty()) continue;
          LinkLocked(sha, t);
          made.push_back(sha);
          made.push_back(t);
        }
      }
      report_links_[c.key] = std::move(made);
    }
  }
}

std::vector<EvidenceIndex::Reuse> EvidenceIndex::ReuseLocked(std::string_view sha256,
                                                             const PerceptualHash* hash,
                                                             std::string_view slip_qr,
                                                             const std::vector<std::string>& except) const {
  std::vector<Reuse> out;
  auto elsewhere = [&](const std::string& sha) {
    std::vector<std::string> t;
    if (auto it = targets_of_.find(sha); it != targets_of_.end()) {
      for (const auto& target : it->second) {
        if (std::find(except.begin(), except.end(), target) == except.end()) t.push_back(target);
      }
    }
    return t;
  };
  if (!sha256.empty()) {
    if (auto t = elsewhere(std::string(sha256)); !t.empty())
      out.push_back(Reuse{std::string(sha256), "identical", 0, t});
  }
  if (hash != nullptr) {
    for (const ReuseIndex::Match& m : reuse_.Find(*hash, thresholds_)) {
      const std::string& other = sha_of_id_[m.id];
      if (other == sha256) continue;
      const File& f = files_.at(other);
      if (!slip_qr.empty() && !f.slip_qr.empty() && f.slip_qr != slip_qr) continue;  // two different slips
      auto t = elsewhere(other);
      if (t.empty()) continue;
      out.push_back(Reuse{other, "visual", m.distance256, std::move(t)});
    }
  }
  return out;
}

std::vector<EvidenceIndex::Reuse> EvidenceIndex::ReuseOf(std::string_view sha256,
                                                         const std::vector<std::string>& except) const {
  std::shared_lock lock(mu_);
  const auto it = files_.find(std::string(sha256));
  if (it == files_.end() || !it->second.has_record) return ReuseLocked(sha256, nullptr, "", except);
  return ReuseLocked(sha256, &it->second.phash, it->second.slip_qr, except);
}

std::vector<EvidenceIndex::Reuse> EvidenceIndex::ReuseOfPicture(const PerceptualHash& hash,
                                                                const std::vector<std::string>& qr) const {
  std::shared_lock lock(mu_);
  const std::string slip = FirstSlipQr(qr);
  return ReuseLocked("", &hash, slip, {});
}

std::vector<std::string> EvidenceIndex::FilesOf(std::string_view target) const {
  std::shared_lock lock(mu_);
  const auto it = files_of_.find(std::string(target));
  if (it == files_of_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<std::string> EvidenceIndex::TargetsOf(std::string_view sha256) const {
  std::shared_lock lock(mu_);
  const auto it = targets_of_.find(std::string(sha256));
  if (it == targets_of_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

size_t EvidenceIndex::size() const {
  std::shared_lock lock(mu_);
  return reuse_.size();
}

}  // namespace cfr::evidence
