// cfr backup / cfr restore (docs/operations.md, "Backup and restore").
//
// A backup is a directory: cfr.db (an embedded-store database holding the store's state at one
// moment), the keyring (without it the personal data in the backup cannot be read; --no-keyring
// leaves it out, for keyrings kept apart), the models found in the data directory, and
// manifest.json naming each file with its size and SHA-256, the records and the source's seq.
//
// backup, embedded store: a snapshot of the database file while the server goes on serving
//   (SQLite VACUUM INTO in one read transaction). PostgreSQL: the change sequence followed from
//   the start until caught up (store/backup.h), into a new embedded-store file.
// restore: the files checked against the manifest; the embedded store gets the database file
//   (the data directory must have none); PostgreSQL gets every record copied into the (empty)
//   database. The record count is checked against the manifest at the end.
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/local_store.h"
#include "core/clock.h"
#include "core/hex.h"
#include "core/time.h"
#include "store/backup.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace cfr::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kFormat = "cfr-backup-1";
// Files of a data directory that travel with the store (when present).
constexpr const char* kModelFiles[] = {"mule-model.json", "content-model.bin"};

Result<std::string> Sha256File(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path.string());
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buf.data()),
                              static_cast<unsigned long long>(in.gcount()));
  }
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, out);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

Status CopyFile(const fs::path& from, const fs::path& to, bool secret) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::none, ec);
  if (ec) return Unavailable("cannot copy " + from.string() + " to " + to.string() + ": " + ec.message());
  if (secret) fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, ec);
  return Status::Ok();
}

// fsyncs a file or directory, so that a finished backup survives a crash.
void SyncPath(const fs::path& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return;
  ::fsync(fileno(f));
  std::fclose(f);
}

std::string KeyFileOf(const BackupArgs& args) {
  return args.key_file.empty() ? (fs::path(args.data_dir) / "keyring").string() : args.key_file;
}

int Fail(const char* cmd, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", cmd, message.c_str());
  return kExitFailure;
}

}  // namespace

int RunBackup(const BackupArgs& args) {
  const char* cmd = "cfr backup";
  if (args.out.empty()) return Fail(cmd, "--out: the backup directory is required");
  const fs::path out(args.out);
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_empty(out, ec)) {
    return Fail(cmd, "--out: " + args.out + " exists and is not empty; a backup goes into a new directory");
  }
  fs::create_directories(out, ec);
  if (ec) return Fail(cmd, "--out: cannot create " + args.out + ": " + ec.message());
  const fs::path db = out / "cfr.db";
  const auto started = std::chrono::steady_clock::now();

  store::CopyStats stats;
  int schema = 0;
  std::string source;
  if (args.store_url.empty()) {
    source = "embedded:" + fs::absolute(fs::path(args.data_dir) / "cfr.db").string();
    if (Status s = store::SnapshotSqliteFile((fs::path(args.data_dir) / "cfr.db").string(), db.string());
        !s.ok()) {
      return Fail(cmd, s.message());
    }
    store::SqliteOptions o;
    o.path = db.string();
    o.read_connections = 1;
    auto copy = store::OpenSqliteStore(o);
    if (!copy.ok()) return Fail(cmd, "the snapshot does not open: " + copy.status().message());
    stats.source_seq = (*copy)->LastSeq();
    schema = (*copy)->SchemaVersion();
    auto n = store::CountLiveRecords(**copy);
    IgnoreError((*copy)->Close());
    if (!n.ok()) return Fail(cmd, n.status().message());
    stats.records = *n;
    fs::remove(fs::path(db.string() + ".lock"), ec);
  } else {
    source = store::RedactPostgresUrl(args.store_url);
    auto from = OpenDataDir(args.data_dir, args.store_url);
    if (!from.ok()) return Fail(cmd, from.status().message());
    store::SqliteOptions o;
    o.path = db.string();
    o.read_connections = 1;
    auto to = store::OpenSqliteStore(o);
    if (!to.ok()) return Fail(cmd, to.status().message());
    const bool tty = ::isatty(fileno(stderr)) != 0;
    auto copied = store::CopyStore(**from, **to, [tty](uint64_t n) {
      if (tty) std::fprintf(stderr, "\r%s: %llu records", "cfr backup", static_cast<unsigned long long>(n));
    });
    if (tty) std::fprintf(stderr, "\n");
    schema = (*from)->SchemaVersion();
    IgnoreError((*from)->Close());
    if (Status s = (*to)->Close(); copied.ok() && !s.ok()) copied = s;
    fs::remove(fs::path(db.string() + ".lock"), ec);
    if (!copied.ok()) return Fail(cmd, copied.status().message());
    stats = *copied;
  }

  json files = json::object();
  std::vector<std::pair<fs::path, bool>> extra;  // (file, secret)
  if (!args.no_keyring) extra.emplace_back(KeyFileOf(args), true);
  for (const char* model : kModelFiles) extra.emplace_back(fs::path(args.data_dir) / model, false);
  for (const auto& [path, secret] : extra) {
    if (!fs::exists(path, ec)) {
      if (secret)
        return Fail(cmd,
                    "no keyring at " + path.string() + " (--key-file names it; --no-keyring leaves it out)");
      continue;
    }
    const std::string name = secret ? "keyring" : path.filename().string();
    if (Status s = CopyFile(path, out / name, secret); !s.ok()) return Fail(cmd, s.message());
  }
  for (const auto& entry : fs::directory_iterator(out)) {
    if (!entry.is_regular_file()) continue;
    auto sha = Sha256File(entry.path());
    if (!sha.ok()) return Fail(cmd, sha.status().message());
    SyncPath(entry.path());
    files[entry.path().filename().string()] = {{"bytes", entry.file_size()}, {"sha256", *sha}};
  }
  const json manifest = {{"format", kFormat},
                         {"created_at", FormatRfc3339Millis(Clock::Real().NowMillis())},
                         {"source", source},
                         {"schema_version", schema},
                         {"source_seq", stats.source_seq},
                         {"records", stats.records},
                         {"keyring", !args.no_keyring},
                         {"files", files}};
  {
    std::ofstream m(out / "manifest.json");
    m << manifest.dump(2) << "\n";
    if (!m) return Fail(cmd, "cannot write " + (out / "manifest.json").string());
  }
  SyncPath(out / "manifest.json");
  SyncPath(out);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("backup of %s: %llu records (seq %llu), %zu files in %s (%.1f s)\n", source.c_str(),
              static_cast<unsigned long long>(stats.records),
              static_cast<unsigned long long>(stats.source_seq), files.size() + 1, args.out.c_str(), seconds);
  return kExitOk;
}

int RunRestore(const BackupArgs& args) {
  const char* cmd = "cfr restore";
  if (args.from.empty()) return Fail(cmd, "--from: the backup directory is required");
  const fs::path from(args.from);
  json manifest;
  {
    std::ifstream m(from / "manifest.json");
    if (!m) return Fail(cmd, "--from: no manifest.json in " + args.from + " (not a cfr backup)");
    manifest = json::parse(m, nullptr, false);
  }
  if (!manifest.is_object() || manifest.value("format", "") != kFormat || !manifest.contains("files") ||
      !manifest["files"].is_object()) {
    return Fail(cmd, "--from: " + (from / "manifest.json").string() + " is not a " + kFormat + " manifest");
  }
  // Every file as the backup wrote it.
  for (const auto& [name, info] : manifest["files"].items()) {
    if (name.find('/') != std::string::npos || name == ".." || !info.is_object()) {
      return Fail(cmd, "manifest.json: bad file entry " + name);
    }
    auto sha = Sha256File(from / name);
    if (!sha.ok()) return Fail(cmd, "the backup is incomplete: " + sha.status().message());
    if (*sha != info.value("sha256", "")) {
      return Fail(cmd, "the backup is damaged: " + name + " does not match its SHA-256 in manifest.json");
    }
  }
  if (!manifest["files"].contains("cfr.db")) return Fail(cmd, "the backup has no cfr.db");
  const uint64_t expected = manifest.value("records", uint64_t{0});
  std::error_code ec;
  fs::create_directories(args.data_dir, ec);
  if (ec) return Fail(cmd, "--data: cannot create " + args.data_dir + ": " + ec.message());

  // The keyring first: without it the restored personal data cannot be read.
  const fs::path key_file = KeyFileOf(args);
  if (manifest["files"].contains("keyring")) {
    if (fs::exists(key_file, ec)) {
      auto have = Sha256File(key_file);
      if (!have.ok() || *have != manifest["files"]["keyring"].value("sha256", "")) {
        return Fail(cmd, "a different keyring is already at " + key_file.string() +
                             "; restore into a new data directory, or move it away first");
      }
    } else if (Status s = CopyFile(from / "keyring", key_file, true); !s.ok()) {
      return Fail(cmd, s.message());
    }
  } else if (!fs::exists(key_file, ec)) {
    std::fprintf(stderr, "%s: the backup holds no keyring; put the keyring kept apart at %s before serving\n",
                 cmd, key_file.c_str());
  }

  // A private working copy of the backup's database (opening a store file writes to it).
  const fs::path work = fs::path(args.data_dir) / ".restore.cfr.db";
  fs::remove(work, ec);
  if (Status s = CopyFile(from / "cfr.db", work, true); !s.ok()) return Fail(cmd, s.message());
  auto cleanup = [&] {
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) fs::remove(fs::path(work.string() + suffix), ec);
  };
  uint64_t restored = 0;
  if (args.store_url.empty()) {
    const fs::path target = fs::path(args.data_dir) / "cfr.db";
    if (fs::exists(target, ec)) {
      cleanup();
      return Fail(cmd,
                  "--data: " + args.data_dir + " already holds a store; restore into a new data directory");
    }
    store::SqliteOptions o;
    o.path = work.string();
    o.read_connections = 1;
    auto opened = store::OpenSqliteStore(o);  // migrates a backup made by an older cfr
    if (!opened.ok()) {
      cleanup();
      return Fail(cmd, "the backup's database does not open: " + opened.status().message());
    }
    auto n = store::CountLiveRecords(**opened);
    IgnoreError((*opened)->Close());
    if (!n.ok()) {
      cleanup();
      return Fail(cmd, n.status().message());
    }
    restored = *n;
    fs::rename(work, target, ec);
    if (ec) {
      cleanup();
      return Fail(cmd, "cannot move the restored database into place: " + ec.message());
    }
    SyncPath(target);
    SyncPath(args.data_dir);
  } else {
    store::SqliteOptions o;
    o.path = work.string();
    o.read_connections = 1;
    auto source = store::OpenSqliteStore(o);
    if (!source.ok()) {
      cleanup();
      return Fail(cmd, "the backup's database does not open: " + source.status().message());
    }
    auto target = OpenDataDir(args.data_dir, args.store_url);
    if (!target.ok()) {
      IgnoreError((*source)->Close());
      cleanup();
      return Fail(cmd, target.status().message());
    }
    const bool tty = ::isatty(fileno(stderr)) != 0;
    auto copied = store::CopyStore(**source, **target, [tty](uint64_t n) {
      if (tty) std::fprintf(stderr, "\r%s: %llu records", "cfr restore", static_cast<unsigned long long>(n));
    });
    if (tty) std::fprintf(stderr, "\n");
    IgnoreError((*source)->Close());
    IgnoreError((*target)->Close());
    cleanup();
    if (!copied.ok()) {
      return Fail(cmd, copied.status().code() == StatusCode::kConflict
                           ? "the database already holds data; restore into a new, empty database"
                           : copied.status().message());
    }
    restored = copied->records;
  }
  for (const char* model : kModelFiles) {
    const fs::path target = fs::path(args.data_dir) / model;
    if (manifest["files"].contains(model) && !fs::exists(target, ec)) {
      if (Status s = CopyFile(from / model, target, false); !s.ok()) return Fail(cmd, s.message());
    }
  }
  if (restored != expected) {
    return Fail(cmd, "restored " + std::to_string(restored) + " records where the manifest says " +
                         std::to_string(expected));
  }
  std::printf(
      "restored %llu records from %s into %s\n", static_cast<unsigned long long>(restored), args.from.c_str(),
      args.store_url.empty() ? args.data_dir.c_str() : store::RedactPostgresUrl(args.store_url).c_str());
  return kExitOk;
}

}  // namespace cfr::cli
