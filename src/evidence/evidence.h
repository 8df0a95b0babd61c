// Evidence files (C15): the pictures and PDFs victims and merchants upload with their reports —
// stored once by SHA-256, sealed as personal data, linked to reports and cases — with what can be
// read from them: metadata for investigators, the QR codes (a slip's verification QR, a pasted
// PromptPay QR), and a perceptual hash that finds the same picture used again.
//
// Records (every one written through the audited store, so reads of the personal collections are
// audited):
//   evidence/<sha256>            JSON: type, size, dimensions, EXIF, QR texts, perceptual hash,
//                                who uploaded it and when (personal: EXIF names a device)
//   evidence_file/<sha256>       the bytes, sealed (auth::PersonalDataCipher, bound to the record)
//   evidence_link/<sha256>/<t>   the file is evidence of t ("report:RPT-…" or "case:CFR-…")
// A report that lists a file's SHA-256 in its "evidence" is linked to it, and to its case, as well
// (the index reads reports from the change sequence).
//
// EvidenceIndex follows the change sequence: per file its perceptual hash (ReuseIndex), its slip
// QR, and its links; per report or case its files. Reuse of a file is (a) the same bytes linked
// to another report or case, (b) a visually equal picture (re-compressed, resized, margins
// cropped) linked elsewhere — unless both carry slip QRs that differ (two slips of one bank's app
// look alike; their QRs tell them apart).
//
// Thread-safety: EvidenceBook is thread-safe; the index takes one writer (its follower) and any
// number of readers.
#ifndef CFR_EVIDENCE_EVIDENCE_H_
#define CFR_EVIDENCE_EVIDENCE_H_

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/actor.h"
#include "core/clock.h"
#include "core/status.h"
#include "evidence/image.h"
#include "evidence/phash.h"
#include "store/change_follower.h"
#include "store/store.h"

namespace cfr::auth {
class PersonalDataCipher;
}

namespace cfr::evidence {

inline constexpr std::string_view kEvidenceCollection = "evidence";
inline constexpr std::string_view kEvidenceFileCollection = "evidence_file";
inline constexpr std::string_view kEvidenceLinkCollection = "evidence_link";
// The collections whose reads are audited (besides intake's).
std::vector<std::string> PersonalCollections();

struct EvidenceOptions {
  size_t max_bytes = 8 << 20;  // a file larger than this is refused (413)
  ImageLimits limits;
  ReuseThresholds reuse;
};

struct EvidenceRecord {
  std::string sha256;  // 64 lower-case hex digits
  FileType type = FileType::kPng;
  size_t bytes = 0;
  ImageInfo info;
  std::vector<std::string> qr;  // the texts of the QR codes found
  PerceptualHash phash;
  int64_t received_ms = 0;
  std::string uploaded_by_agency, uploaded_by_user;
};
std::string RecordJson(const EvidenceRecord& r);
Result<EvidenceRecord> RecordFromJson(std::string_view json);

// What a file is evidence of: "report:<id>" or "case:<id>".
std::string ReportTarget(std::string_view report_id);
std::string CaseTarget(std::string_view case_id);

struct Upload {
  EvidenceRecord record;
  bool created = false;              // false: the same bytes were stored before
  std::vector<std::string> targets;  // the links this upload made (report and its case, or case)
};

class EvidenceBook {
 public:
  // `store` should be the audited store; all must outlive the book.
  EvidenceBook(store::Store& store, const auth::PersonalDataCipher& cipher, Clock& clock,
               EvidenceOptions options = {});

  // Stores a file (once per SHA-256) and links it to the report (and its case) or case given.
  // Errors: kPayloadTooLarge (field "file") over max_bytes; kInvalidArgument (field "file") for a
  // wrong type, a corrupt file or one over the pixel limits; kNotFound for an unknown report or
  // case (field report_id / case_id).
  Result<Upload> Add(std::string_view bytes, std::string_view report_id, std::string_view case_id,
                     const Actor& by);
  // Links a stored file to a report (and its case) or a case.
  Result<std::vector<std::string>> Link(std::string_view sha256, std::string_view report_id,
                                        std::string_view case_id, const Actor& by);
  Result<EvidenceRecord> Get(std::string_view sha256);
  // The file's bytes, opened (an audited read of personal data).
  Result<std::string> File(std::string_view sha256);

  const EvidenceOptions& options() const { return options_; }
  // Decodes and reads a file without storing it (slip verification of a picture sent directly).
  Result<EvidenceRecord> Inspect(std::string_view bytes) const;

 private:
  Result<std::vector<std::string>> TargetsOf(std::string_view report_id, std::string_view case_id);
  store::Store& store_;
  const auth::PersonalDataCipher& cipher_;
  Clock& clock_;
  const EvidenceOptions options_;
};

class EvidenceIndex final : public store::ChangeConsumer {
 public:
  explicit EvidenceIndex(ReuseThresholds thresholds = {}) : thresholds_(thresholds) {}
  void Apply(const std::vector<store::Change>& changes) override;

  struct Reuse {
    std::string sha256;
    std::string match;                 // "identical" (the same bytes) or "visual"
    int distance = 0;                  // of the 256-bit perceptual hashes (0 for identical)
    std::vector<std::string> targets;  // where it is used ("report:…", "case:…")
  };
  // Where else this file, or a picture visually the same, is used: targets other than `except`
  // (the report or case being looked at; empty: every target is listed).
  std::vector<Reuse> ReuseOf(std::string_view sha256, const std::vector<std::string>& except) const;
  // The same for a picture not stored (by its hash and QR texts).
  std::vector<Reuse> ReuseOfPicture(const PerceptualHash& hash, const std::vector<std::string>& qr) const;
  // The files linked to a target, in SHA-256 order.
  std::vector<std::string> FilesOf(std::string_view target) const;
  std::vector<std::string> TargetsOf(std::string_view sha256) const;
  size_t size() const;

 private:
  struct File {
    uint32_t id = 0;
    PerceptualHash phash;
    std::string slip_qr;  // the first slip QR's text, or empty
    bool has_record = false;
  };
  std::vector<Reuse> ReuseLocked(std::string_view sha256, const PerceptualHash* hash,
                                 std::string_view slip_qr, const std::vector<std::string>& except) const;
  void LinkLocked(const std::string& sha256, const std::string& target);
  void UnlinkLocked(const std::string& sha256, const std::string& target);

  const ReuseThresholds thresholds_;
  mutable std::shared_mutex mu_;
  absl::flat_hash_map<std::string, File> files_;  // sha256 → file (also files known only by links)
  std::vector<std::string> sha_of_id_;            // ReuseIndex id → sha256
  ReuseIndex reuse_;
  absl::flat_hash_map<std::string, std::set<std::string>> targets_of_;  // sha256 → targets
  absl::flat_hash_map<std::string, std::set<std::string>> files_of_;    // target → sha256s
  // Links read from reports (report id → its files and case), to undo when a report changes.
  absl::flat_hash_map<std::string, std::vector<std::string>> report_links_;
};

// The first slip QR among a file's QR texts (LooksLikeSlipQr), or empty.
std::string FirstSlipQr(const std::vector<std::string>& qr);

}  // namespace cfr::evidence

#endif  // CFR_EVIDENCE_EVIDENCE_H_
