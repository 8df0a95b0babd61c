// cfr audit verify: checks the audit log's hash chain of a data directory against the keyring
// (docs/operations.md). Exit 0 when intact, 1 when broken (where and how on stderr) or unreadable.
#include <cstdio>
#include <filesystem>

#include "auth/audit.h"
#include "auth/keyring.h"
#include "cli/commands.h"
#include "cli/local_store.h"

namespace cfr::cli {

int RunAuditVerify(const AuditArgs& args) {
  const char* cmd = "cfr audit verify";
  const std::string key_file =
      args.key_file.empty() ? (std::filesystem::path(args.data_dir) / "keyring").string() : args.key_file;
  auto keyring = auth::Keyring::Load(key_file);
  if (!keyring.ok() && keyring.status().code() == StatusCode::kNotFound) {
    // A data directory no server has run on yet: no chain, no key; start both.
    auto probe = OpenDataDir(args.data_dir, args.store_url);
    if (probe.ok()) {
      auto head = (*probe)->Get(auth::kAuditHeadCollection, "head");
      IgnoreError((*probe)->Close());
      if (head.ok() && !head->has_value()) keyring = auth::Keyring::LoadOrCreate(key_file);
    }
  }
  if (!keyring.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, keyring.status().ToString().c_str());
    return kExitFailure;
  }
  auto store = OpenDataDir(args.data_dir, args.store_url);
  if (!store.ok()) {
    std::fprintf(stderr, "%s: %s (is a server running on it? then use GET /api/v1/audit/verify)\n", cmd,
                 store.status().message().c_str());
    return kExitFailure;
  }
  // Entries written while the server was down (cfr admin, imports) are sealed first.
  auth::AuditChain chain(**store, *keyring);
  if (Status s = chain.SealAll(); !s.ok()) {
    std::fprintf(stderr, "%s: sealing pending entries: %s\n", cmd, s.ToString().c_str());
    IgnoreError((*store)->Close());
    return kExitFailure;
  }
  auto v = auth::AuditChain::Verify(**store, *keyring);
  IgnoreError((*store)->Close());
  if (!v.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, v.status().ToString().c_str());
    return kExitFailure;
  }
  if (!v->intact) {
    std::fprintf(stderr, "%s: the audit chain is BROKEN at entry %llu: %s\n", cmd,
                 static_cast<unsigned long long>(v->first_bad), v->problem.c_str());
    return kExitFailure;
  }
  std::printf("audit chain intact: %llu entries, head %s\n", static_cast<unsigned long long>(v->entries),
              v->head_hash.c_str());
  return kExitOk;
}

}  // namespace cfr::cli
