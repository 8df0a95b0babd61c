// cfr admin: API keys from the shell, on the embedded store of a stopped server (the first
// administrator's key comes from here; later ones can come through the API).
//   cfr admin create-key --data DIR --role admin [--agency AOC] [--name NAME]   prints the token once
//   cfr admin list-keys  --data DIR [--agency CODE]
//   cfr admin revoke-key --data DIR ID
//   cfr admin create-user --data DIR --name N --role R [--agency A]   the password on stdin
//   cfr keys rotate [--data DIR | --key-file F]                                    a new current key
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "auth/access.h"
#include "auth/keyring.h"
#include "auth/sessions.h"
#include "cli/commands.h"
#include "cli/local_store.h"
#include "core/time.h"

namespace cfr::cli {
namespace {

Result<std::unique_ptr<store::Store>> Open(const char* cmd, const AdminArgs& args) {
  auto store =
      OpenAuditedDataDir(args.data_dir, args.store_url, Actor("cli", "", "admin", "shell"), "cfr admin");
  if (!store.ok()) {
    std::fprintf(stderr, "%s: %s (is a server running on it? then use POST /api/v1/admin/keys)\n", cmd,
                 store.status().message().c_str());
  }
  return store;
}

auth::AccessControl::Options OptionsOf(const AdminArgs& args) {
  auth::AccessControl::Options o;
  o.centre_agency = args.centre_agency;
  return o;
}

}  // namespace

int RunAdminCreateKey(const AdminArgs& args) {
  const char* cmd = "cfr admin create-key";
  auto store = Open(cmd, args);
  if (!store.ok()) return kExitFailure;
  auth::AccessControl access(**store, Clock::Real(), OptionsOf(args));
  const std::string agency = args.agency.empty() ? args.centre_agency : args.agency;
  Actor by = Actor::System();
  by.user = "cli";
  auto key = access.CreateKey(args.role, agency, args.name, by);
  IgnoreError((*store)->Close());
  if (!key.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, key.status().ToString().c_str());
    return key.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  std::printf("%s\n", key->token.c_str());
  std::fprintf(stderr, "created key %s (%s at %s); the token above is shown once and is not stored\n",
               key->info.id.c_str(), key->info.role.c_str(), key->info.agency.c_str());
  return kExitOk;
}

int RunAdminListKeys(const AdminArgs& args) {
  const char* cmd = "cfr admin list-keys";
  auto store = Open(cmd, args);
  if (!store.ok()) return kExitFailure;
  auth::AccessControl access(**store, Clock::Real(), OptionsOf(args));
  auto keys = access.ListKeys(args.agency);
  IgnoreError((*store)->Close());
  if (!keys.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, keys.status().ToString().c_str());
    return kExitFailure;
  }
  for (const auto& k : *keys) {
    std::printf("%s\t%s\t%s\t%s\t%s\t%s\n", k.id.c_str(), k.role.c_str(), k.agency.c_str(), k.name.c_str(),
                FormatRfc3339Millis(k.created_ms).c_str(),
                k.revoked_ms == 0 ? "active" : ("revoked " + FormatRfc3339Millis(k.revoked_ms)).c_str());
  }
  return kExitOk;
}

int RunAdminRevokeKey(const AdminArgs& args) {
  const char* cmd = "cfr admin revoke-key";
  auto store = Open(cmd, args);
  if (!store.ok()) return kExitFailure;
  auth::AccessControl access(**store, Clock::Real(), OptionsOf(args));
  Actor by = Actor::System();
  by.user = "cli";
  const Status s = access.RevokeKey(args.id, by);
  IgnoreError((*store)->Close());
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, s.ToString().c_str());
    return kExitFailure;
  }
  std::printf("revoked %s\n", args.id.c_str());
  return kExitOk;
}

int RunAdminCreateUser(const AdminArgs& args) {
  const char* cmd = "cfr admin create-user";
  std::string password;
  if (!std::getline(std::cin, password) || password.empty()) {
    std::fprintf(stderr, "%s: give the password on the first line of stdin\n", cmd);
    return kExitUsage;
  }
  auto store = Open(cmd, args);
  if (!store.ok()) return kExitFailure;
  auth::AccessControl access(**store, Clock::Real(), OptionsOf(args));
  auth::SessionManager sessions(**store, Clock::Real(), access, {});
  Actor by = Actor::System();
  by.user = "cli";
  auto user = sessions.CreateUser(args.name, args.role,
                                  args.agency.empty() ? args.centre_agency : args.agency, password, by);
  IgnoreError((*store)->Close());
  if (!user.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, user.status().ToString().c_str());
    return user.status().code() == StatusCode::kInvalidArgument ||
                   user.status().code() == StatusCode::kConflict
               ? kExitUsage
               : kExitFailure;
  }
  std::printf("created user %s (%s at %s)\n", user->name.c_str(), user->role.c_str(), user->agency.c_str());
  return kExitOk;
}

int RunKeysRotate(const AdminArgs& args) {
  const std::string path =
      args.key_file.empty() ? (std::filesystem::path(args.data_dir) / "keyring").string() : args.key_file;
  auto id = auth::Keyring::Rotate(path);
  if (!id.ok()) {
    std::fprintf(stderr, "cfr keys rotate: %s\n", id.status().ToString().c_str());
    return kExitFailure;
  }
  std::printf("%s\n", id->c_str());
  std::fprintf(stderr,
               "added key %s to %s: new personal data and audit entries use it after the server restarts; "
               "keep the older keys in the file\n",
               id->c_str(), path.c_str());
  return kExitOk;
}

}  // namespace cfr::cli
