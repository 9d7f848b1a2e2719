// The sweep journal (DIR/journal.jsonl): one JSON line per finished run, synced as it is written,
// so a sweep killed at any moment resumes with every run that had finished.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "misim/sweep.hpp"

namespace misim {

namespace {

using Json = nlohmann::ordered_json;

constexpr int kJournalFormat = 1;

Error system_error(const std::string& what, const std::string& path) {
  return Error{what + " '" + path + "': " + std::strerror(errno), {}};
}

Status write_all(int fd, const std::string& text, const std::string& path) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return system_error("cannot write the journal", path);
    }
    written += static_cast<std::size_t>(n);
  }
  // fdatasync: the line must survive a crash of the machine, not only of misim.
  if (::fdatasync(fd) != 0) return system_error("cannot sync the journal", path);
  return {};
}

std::string header_line(const SweepDefinition& sweep) {
  Json h;
  h["misim_sweep_journal"] = kJournalFormat;
  h["definition"] = sweep_definition_hash(sweep);
  h["sweep"] = sweep.name;
  h["scenario"] = sweep.scenario_file;
  return h.dump() + "\n";
}

/// The definition hash a journal's first line names, or nothing when it is not a journal header.
std::optional<std::string> header_hash(const std::string& line) {
  const Json h = Json::parse(line, nullptr, false);
  if (h.is_discarded() || !h.is_object() || !h.contains("misim_sweep_journal") || !h.contains("definition") ||
      !h["definition"].is_string()) {
    return std::nullopt;
  }
  return h["definition"].get<std::string>();
}

}  // namespace

std::string run_record_json(const RunRecord& record) {
  Json j;
  j["point"] = record.run.point;
  j["replication"] = record.run.replication;
  j["seed"] = record.run.seed;
  j["status"] = record.ok ? "ok" : "failed";
  if (record.ok) {
    j["expectations_met"] = record.expectations_met;
    j["events"] = record.events;
    Json metrics = Json::array();
    // nlohmann writes doubles so that reading them back gives the same bits: a resumed sweep's
    // statistics are those of one that never stopped.
    for (const std::optional<double>& m : record.metrics) metrics.push_back(m ? Json(*m) : Json(nullptr));
    j["metrics"] = metrics;
  } else {
    j["error"] = record.error;
  }
  j["wall_s"] = record.wall_seconds;
  return j.dump();
}

std::optional<RunRecord> parse_run_record(std::string_view line, std::size_t metric_count) {
  const Json j = Json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const auto unsigned_field = [&](const char* name) -> std::optional<std::uint64_t> {
    if (!j.contains(name) || !j[name].is_number_unsigned()) return std::nullopt;
    return j[name].get<std::uint64_t>();
  };
  const auto point = unsigned_field("point");
  const auto replication = unsigned_field("replication");
  const auto seed = unsigned_field("seed");
  if (!point || !replication || !seed || !j.contains("status") || !j["status"].is_string()) return std::nullopt;
  RunRecord r;
  r.run = {*point, *replication, *seed};
  r.ok = j["status"] == "ok";
  if (j.contains("wall_s") && j["wall_s"].is_number()) r.wall_seconds = j["wall_s"].get<double>();
  if (!r.ok) {
    if (j["status"] != "failed") return std::nullopt;
    r.error = j.contains("error") && j["error"].is_string() ? j["error"].get<std::string>() : "failed";
    r.metrics.assign(metric_count, std::nullopt);
    return r;
  }
  if (!j.contains("metrics") || !j["metrics"].is_array() || j["metrics"].size() != metric_count) return std::nullopt;
  for (const Json& m : j["metrics"]) {
    if (m.is_null()) {
      r.metrics.emplace_back();
    } else if (m.is_number()) {
      r.metrics.emplace_back(m.get<double>());
    } else {
      return std::nullopt;
    }
  }
  r.expectations_met = j.contains("expectations_met") && j["expectations_met"] == true;
  r.events = unsigned_field("events").value_or(0);
  return r;
}

Result<SweepJournal> SweepJournal::open(const std::string& directory, const SweepDefinition& sweep, Mode mode) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return Error{"cannot create output directory '" + directory + "': " + ec.message(), {}};
  SweepJournal journal;
  journal.path_ = (std::filesystem::path(directory) / "journal.jsonl").string();
  const std::string hash = sweep_definition_hash(sweep);

  std::string text;
  if (mode != Mode::kFresh) {
    std::ifstream in(journal.path_, std::ios::binary);
    if (in) {
      std::ostringstream bytes;
      bytes << in.rdbuf();
      text = bytes.str();
    }
  }
  // Only lines with their newline count: a line cut short by a crash is dropped (and cut off).
  std::size_t kept = 0;  // bytes of whole lines
  bool resume = false;
  if (!text.empty()) {
    const std::size_t first_end = text.find('\n');
    const std::optional<std::string> old_hash =
        first_end == std::string::npos ? std::nullopt : header_hash(text.substr(0, first_end));
    if (old_hash == hash) {
      resume = true;
      kept = first_end + 1;
      while (kept < text.size()) {
        const std::size_t end = text.find('\n', kept);
        if (end == std::string::npos) break;
        if (auto record = parse_run_record(std::string_view(text).substr(kept, end - kept), sweep.metrics.size())) {
          journal.finished_.push_back(std::move(*record));
        }
        kept = end + 1;
      }
    } else {
      const std::string why = journal.path_ + " holds the runs of another sweep definition (" +
                              old_hash.value_or("no header") + "; this sweep is " + hash + ")";
      if (mode == Mode::kResume) {
        return Error{why + ": rerun with --fresh to discard them, or give another --out", {}};
      }
      journal.discarded_ = why;
    }
  }

  if (resume) {
    journal.fd_ = ::open(journal.path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (journal.fd_ < 0) return system_error("cannot open the journal", journal.path_);
    if (kept < text.size() && ::ftruncate(journal.fd_, static_cast<off_t>(kept)) != 0) {
      return system_error("cannot cut the unfinished last line of the journal", journal.path_);
    }
    return journal;
  }
  journal.fd_ = ::open(journal.path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (journal.fd_ < 0) return system_error("cannot create the journal", journal.path_);
  if (Status s = write_all(journal.fd_, header_line(sweep), journal.path_); !s) return s.error();
  // The new file's name must reach the disk too, or a crash could lose the whole journal.
  const int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return journal;
}

SweepJournal::SweepJournal(SweepJournal&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      finished_(std::move(other.finished_)),
      discarded_(std::move(other.discarded_)) {}

SweepJournal& SweepJournal::operator=(SweepJournal&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    finished_ = std::move(other.finished_);
    discarded_ = std::move(other.discarded_);
  }
  return *this;
}

SweepJournal::~SweepJournal() {
  if (fd_ >= 0) ::close(fd_);
}

Status SweepJournal::append(const RunRecord& record) {
  if (fd_ < 0) return Error{"the journal is not open", {}};
  return write_all(fd_, run_record_json(record) + "\n", path_);
}

Status SweepJournal::append(const std::vector<RunRecord>& records) {
  if (fd_ < 0) return Error{"the journal is not open", {}};
  std::string lines;
  for (const RunRecord& r : records) lines += run_record_json(r) + "\n";
  return write_all(fd_, lines, path_);
}

}  // namespace misim
