#include "cli/import_file.h"

#include <cstdio>
#include <filesystem>

namespace cfr::cli {

ImportFile::ImportFile(const char* command, const ImportArgs& args, const char* noun)
    : command_(command), args_(args), noun_(noun) {
  reject_path_ = args.reject_file.empty() ? args.file + ".rejects.ndjson" : args.reject_file;
}

int ImportFile::Open() {
  format_ = args_.format;
  if (format_.empty()) {
    const std::string ext = std::filesystem::path(args_.file).extension().string();
    format_ = ext == ".csv" ? "csv" : (ext == ".ndjson" || ext == ".jsonl") ? "ndjson" : "";
  }
  if (format_ == "jsonl") format_ = "ndjson";
  if (format_ != "csv" && format_ != "ndjson") {
    std::fprintf(stderr, "%s: --format: csv or ndjson (%s)\n", command_,
                 args_.format.empty() ? ("cannot tell from " + args_.file).c_str() : "not recognised");
    return kExitUsage;
  }
  if (args_.data_dir.empty() == args_.server.empty()) {
    std::fprintf(stderr, "%s: give either --data DIR (server stopped) or --server URL\n", command_);
    return kExitUsage;
  }
  if (!args_.server.empty() && args_.api_key.empty()) {
    std::fprintf(stderr,
                 "%s: --server needs --api-key KEY (or CFR_API_KEY): the server acts for the key's agency\n",
                 command_);
    return kExitUsage;
  }
  in_.open(args_.file, std::ios::binary);
  if (!in_) {
    std::fprintf(stderr, "%s: cannot open %s\n", command_, args_.file.c_str());
    return kExitFailure;
  }
  std::error_code ec;
  file_size_ = std::filesystem::file_size(args_.file, ec);
  return 0;
}

Status ImportFile::Read(const std::function<Status(std::string_view)>& feed) {
  std::string chunk(1 << 20, '\0');
  while (in_) {
    in_.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto n = static_cast<size_t>(in_.gcount());
    if (n == 0) break;
    bytes_read_ += n;
    CFR_RETURN_IF_ERROR(feed(std::string_view(chunk.data(), n)));
  }
  if (in_.bad()) return Unavailable("reading " + args_.file + " failed");
  return Status::Ok();
}

Status ImportFile::Reject(const std::string& json_line) {
  ++rejected_;
  if (!rejects_.is_open()) {
    rejects_.open(reject_path_, std::ios::binary | std::ios::trunc);
    if (!rejects_) return Unavailable("cannot write the reject file " + reject_path_);
  }
  rejects_ << json_line << '\n';
  return Status::Ok();
}

void ImportFile::Progress(bool done) {
  if (!args_.progress) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() + 1e-9;
  const size_t rows = saved_ + replayed_ + rejected_;
  const double pct =
      file_size_ > 0 ? 100.0 * static_cast<double>(bytes_read_) / static_cast<double>(file_size_) : 0;
  std::fprintf(stderr, "\r%s: %5.1f%%  %zu %s  %zu rejected  %.0f %s/s%s", command_, pct, rows, noun_,
               rejected_, static_cast<double>(rows) / seconds, noun_, done ? "\n" : "");
}

int ImportFile::Finish(const Status& status, const std::string& saved_detail) {
  Progress(true);
  if (rejects_.is_open()) rejects_.close();
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", command_, status.ToString().c_str());
    std::fprintf(stderr, "%s: stopped; %zu %s were saved before (importing the file again skips them)\n",
                 command_, saved_, noun_);
    return kExitFailure;
  }
  std::printf("%s: %zu saved%s, %zu already imported, %zu rejected\n",
              std::filesystem::path(args_.file).filename().c_str(), saved_, saved_detail.c_str(), replayed_,
              rejected_);
  if (rejected_ > 0) {
    std::fprintf(stderr, "%s: %zu rejected %s are in %s with their line and reason\n", command_, rejected_,
                 noun_, reject_path_.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

Status RawRecordBatcher::Feed(std::string_view chunk, const std::function<Status(const Batch&)>& send) {
  size_t from = 0;
  for (size_t i = 0; i < chunk.size(); ++i) {
    const char c = chunk[i];
    if (c == '"' && csv_) in_quotes_ = !in_quotes_;
    if (c != '\n') continue;
    ++line_;
    ++record_lines_;
    if (in_quotes_) continue;
    record_.append(chunk.substr(from, i + 1 - from));
    from = i + 1;
    CFR_RETURN_IF_ERROR(EndRecord(send));
  }
  record_.append(chunk.substr(from));
  return Status::Ok();
}

Status RawRecordBatcher::EndRecord(const std::function<Status(const Batch&)>& send) {
  if (csv_ && !have_header_) {
    have_header_ = true;
    header_ = std::move(record_);
    header_lines_ = record_lines_;
  } else if (!record_.empty()) {
    if (batch_.records == 0) {
      batch_.body = header_;
      batch_.header_lines = header_lines_;
      batch_.first_line = record_line_;
    }
    batch_.body += record_;
    ++batch_.records;
  }
  record_.clear();
  record_line_ = line_;
  record_lines_ = 0;
  if (batch_.records >= per_batch_) {
    CFR_RETURN_IF_ERROR(send(batch_));
    batch_ = Batch();
  }
  return Status::Ok();
}

Status RawRecordBatcher::Finish(const std::function<Status(const Batch&)>& send) {
  if (!record_.empty()) {
    record_ += '\n';
    CFR_RETURN_IF_ERROR(EndRecord(send));
  }
  if (batch_.records > 0) CFR_RETURN_IF_ERROR(send(batch_));
  batch_ = Batch();
  return Status::Ok();
}

}  // namespace cfr::cli
