// TraceReader (misim/trace_file.hpp): one record at a time through a buffer that holds a few
// hundred kilobytes of the file (more only for a record larger than that), so reading a trace of
// any length takes the same memory.
//
// The reader frames the records itself rather than through protobuf's CodedInputStream: the
// checksum is defined over the file's bytes, which it must see exactly as they are, and a corrupt
// length prefix must not make it allocate more than the file holds. protobuf parses each record's
// bytes. Event and entity records are parsed straight into reused messages (a Record's oneof would
// free and reallocate its message whenever the kind changes), so reading allocates nothing per event.
#include <fcntl.h>
#include <google/protobuf/stubs/logging.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "misim/fingerprint.hpp"
#include "misim/trace_file.hpp"
#include "trace_codec.hpp"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t by value (it never leaves the process)
#include <xxhash.h>

namespace misim {

namespace {

namespace pb = trace_codec::pb;

constexpr std::size_t kInitialBuffer = std::size_t{256} << 10;
constexpr std::size_t kMaxVarint32 = 5;
// protobuf parses at most 2 GiB at once; no record misim writes comes near this (the largest is the
// header, a few bytes per timeline operation).
constexpr std::uint64_t kMaxRecordBytes = std::uint64_t{1} << 30;

std::string hex(std::uint64_t value) { return to_hex64(value); }

// Parses a message that has string fields. protobuf logs an invalid UTF-8 string to stderr before
// failing; the reader reports the damaged record itself, so the log line would only be noise.
// (Event has no string field and is parsed without this.)
bool parse_quietly(google::protobuf::MessageLite& message, const std::uint8_t* data, std::size_t size) {
  const google::protobuf::LogSilencer quiet;
  return message.ParseFromArray(data, static_cast<int>(size));
}

}  // namespace

struct TraceReader::Impl {
  Impl(int file, std::string file_path) : fd(file), path(std::move(file_path)), buffer(kInitialBuffer) {
    XXH3_64bits_reset(&hash);
  }
  ~Impl() {
    if (fd >= 0) ::close(fd);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Error error_here(std::string message) const { return Error{std::move(message), SourcePlace{path, 0, 0}}; }
  Error truncated() const {
    return error_here("truncated after " + std::to_string(events) +
                      " events (the run was killed or the file cut short)");
  }
  Error corrupt(const std::string& what) const { return error_here("corrupt: " + what); }

  // Makes `n` bytes available from buffer[begin]. False when the file ends first; an Error when
  // reading fails. Bytes consumed since the last call are added to the checksum before they are
  // moved out of the buffer.
  Result<bool> fill(std::size_t n) {
    if (end - begin >= n) return true;
    if (in_checksum) XXH3_64bits_update(&hash, buffer.data() + hash_from, begin - hash_from);
    std::memmove(buffer.data(), buffer.data() + begin, end - begin);
    end -= begin;
    begin = 0;
    hash_from = 0;
    while (end < n) {
      // Grow only as data arrives, so a corrupt length cannot make the buffer outgrow the file.
      if (end == buffer.size()) buffer.resize(buffer.size() * 2);
      const ssize_t got = ::read(fd, buffer.data() + end, buffer.size() - end);
      if (got < 0) {
        if (errno == EINTR) continue;
        return error_here(std::string("cannot read the trace: ") + std::strerror(errno));
      }
      if (got == 0) return false;
      end += static_cast<std::size_t>(got);
    }
    return true;
  }

  enum class Framed { kRecord, kEndOfFile, kTruncated, kBadLength };

  // Frames the next record: its bytes are buffer[record, record + record_size) and `begin` moves
  // past it. kEndOfFile only at a record boundary.
  Result<Framed> frame() {
    std::uint64_t length = 0;
    std::size_t prefix = 0;
    while (true) {
      Result<bool> have = fill(prefix + 1);
      if (!have) return std::move(have).error();
      if (!*have) return prefix == 0 && end == begin ? Framed::kEndOfFile : Framed::kTruncated;
      const std::uint8_t byte = buffer[begin + prefix];
      length |= std::uint64_t{byte & 0x7FU} << (7 * prefix);
      ++prefix;
      if ((byte & 0x80U) == 0) break;
      if (prefix == kMaxVarint32) return Framed::kBadLength;
    }
    if (length > kMaxRecordBytes) return Framed::kBadLength;
    Result<bool> have = fill(prefix + length);
    if (!have) return std::move(have).error();
    if (!*have) return Framed::kTruncated;
    record_start = begin;
    record = begin + prefix;
    record_size = static_cast<std::size_t>(length);
    begin = record + record_size;
    return Framed::kRecord;
  }

  // The record's one field, when it is written the way misim writes it: a tag byte, then a length
  // that covers the rest. Sets `body` and `body_size`, or returns 0 for anything else.
  std::uint8_t single_field() {
    if (record_size < 2) return 0;
    const std::uint8_t* p = buffer.data() + record;
    std::uint64_t length = 0;
    std::size_t i = 1;
    for (; i <= kMaxVarint32 && i < record_size; ++i) {
      length |= std::uint64_t{p[i] & 0x7FU} << (7 * (i - 1));
      if ((p[i] & 0x80U) == 0) break;
    }
    if (i > kMaxVarint32 || i >= record_size || length != record_size - i - 1) return 0;
    body = p + i + 1;
    body_size = static_cast<int>(length);
    return p[0];
  }

  Result<TraceItem> read_event(const std::uint8_t* data, int size) {
    if (!event_message.ParseFromArray(data, size)) return bad_event();
    return accept_event();
  }
  Result<TraceItem> accept_event() {
    if (!trace_codec::decode(event_message, event)) return bad_event();
    ++events;
    return TraceItem::kEvent;
  }
  Error bad_event() const { return corrupt("event record " + std::to_string(events + 1) + " does not parse"); }

  Result<TraceItem> read_entity(const std::uint8_t* data, int size) {
    if (!parse_quietly(entity_message, data, static_cast<std::size_t>(size)) ||
        !trace_codec::decode(entity_message, entity)) {
      return corrupt("an entity record after event " + std::to_string(events) + " does not parse");
    }
    return TraceItem::kEntity;
  }

  Result<TraceItem> read_footer(const pb::Footer& message) {
    trace_codec::decode(message, footer);
    // The checksum covers every byte before the footer record.
    XXH3_64bits_update(&hash, buffer.data() + hash_from, record_start - hash_from);
    in_checksum = false;
    Result<bool> more = fill(1);
    if (!more) return std::move(more).error();
    if (*more) return corrupt("data after the footer");
    if (footer.events != events) {
      return corrupt("the footer counts " + std::to_string(footer.events) + " events, the file holds " +
                     std::to_string(events));
    }
    const std::uint64_t computed = XXH3_64bits_digest(&hash);
    if (footer.checksum != computed) {
      return corrupt("checksum mismatch (the footer says " + hex(footer.checksum) + ", the content hashes to " +
                     hex(computed) + ")");
    }
    done = true;
    return TraceItem::kEnd;
  }

  Result<TraceItem> next() {
    if (done) return TraceItem::kEnd;
    if (error) return *error;
    Result<TraceItem> item = read_record();
    if (!item) error = item.error();
    return item;
  }

  Result<TraceItem> read_record() {
    while (true) {
      Result<Framed> framed = frame();
      if (!framed) return std::move(framed).error();
      switch (*framed) {
        case Framed::kRecord:
          break;
        case Framed::kEndOfFile:
        case Framed::kTruncated:
          return truncated();
        case Framed::kBadLength:
          return corrupt("a record length after event " + std::to_string(events) + " is out of range");
      }
      switch (single_field()) {
        case trace_codec::kTagEvent:
          return read_event(body, body_size);
        case trace_codec::kTagEntity:
          return read_entity(body, body_size);
        default:
          break;
      }
      // Any other layout: the whole Record through protobuf (rare, so its allocations do not matter).
      if (!parse_quietly(any_record, buffer.data() + record, record_size)) {
        return corrupt("a record after event " + std::to_string(events) + " does not parse");
      }
      switch (any_record.record_case()) {
        case pb::Record::kEvent:
          event_message.Swap(any_record.mutable_event());
          return accept_event();
        case pb::Record::kEntity:
          if (!trace_codec::decode(any_record.entity(), entity)) return corrupt("an entity record does not parse");
          return TraceItem::kEntity;
        case pb::Record::kFooter:
          return read_footer(any_record.footer());
        case pb::Record::kHeader:
          return corrupt("a second header after event " + std::to_string(events));
        case pb::Record::RECORD_NOT_SET:
          continue;  // a kind of record added by a later minor version: skipped, still checksummed
      }
    }
  }

  // The header, checked in two steps: its version fields alone (fixed in every major version) so a
  // newer trace is rejected by name even if the rest of its header no longer parses as 1.x, then the
  // whole record.
  Status read_header() {
    const auto not_a_trace = [this](const std::string& why) { return error_here("not a misim trace (" + why + ")"); };
    Result<Framed> framed = frame();
    if (!framed) return std::move(framed).error();
    switch (*framed) {
      case Framed::kRecord:
        break;
      case Framed::kEndOfFile:
        return not_a_trace("the file is empty");
      case Framed::kTruncated:
        return not_a_trace("no complete header record: was the file cut short?");
      case Framed::kBadLength:
        return not_a_trace("it does not start with a record length");
    }
    const std::uint8_t* data = buffer.data() + record;
    pb::RecordVersion version;
    if (!parse_quietly(version, data, record_size) || !version.has_header() ||
        version.header().format() != trace_codec::kFormatName || version.header().major_version() == 0) {
      return not_a_trace("it does not start with a misim trace header");
    }
    const std::uint32_t major = version.header().major_version();
    if (major > kTraceMajorVersion) {
      return error_here("trace.pb was written by format " + std::to_string(major) + ".x; this misim reads " +
                        std::to_string(kTraceMajorVersion) + ".x; upgrade misim");
    }
    if (major < kTraceMajorVersion) {
      return error_here("trace.pb was written by format " + std::to_string(major) + ".x, which this misim (" +
                        std::to_string(kTraceMajorVersion) + ".x) no longer reads");
    }
    if (!parse_quietly(any_record, data, record_size) || !any_record.has_header() ||
        !trace_codec::decode(any_record.header(), header)) {
      return corrupt("the header does not parse");
    }
    any_record.Clear();
    return {};
  }

  int fd;
  std::string path;
  std::vector<std::uint8_t> buffer;
  std::size_t begin = 0;      // next unread byte
  std::size_t end = 0;        // end of the bytes read from the file
  std::size_t hash_from = 0;  // consumed bytes from here to `begin` are not yet in the checksum
  bool in_checksum = true;
  XXH3_state_t hash{};
  std::size_t record_start = 0;  // the framed record: its length prefix,
  std::size_t record = 0;        // its bytes
  std::size_t record_size = 0;
  const std::uint8_t* body = nullptr;  // the one field of the record (single_field)
  int body_size = 0;

  pb::Event event_message;
  pb::Entity entity_message;
  pb::Record any_record;
  TraceHeader header;
  TraceEvent event;
  TraceEntity entity;
  TraceFooter footer;
  std::uint64_t events = 0;
  bool done = false;
  std::optional<Error> error;
};

Result<TraceReader> TraceReader::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{std::string("cannot open the trace: ") + std::strerror(errno), SourcePlace{path, 0, 0}};
  auto impl = std::make_unique<Impl>(fd, path);
  if (Status s = impl->read_header(); !s) return s.error();
  return TraceReader(std::move(impl));
}

TraceReader::TraceReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TraceReader::~TraceReader() = default;
TraceReader::TraceReader(TraceReader&&) noexcept = default;
TraceReader& TraceReader::operator=(TraceReader&&) noexcept = default;

const TraceHeader& TraceReader::header() const noexcept { return impl_->header; }
Result<TraceItem> TraceReader::next() { return impl_->next(); }
const TraceEvent& TraceReader::event() const noexcept { return impl_->event; }
const TraceEntity& TraceReader::entity() const noexcept { return impl_->entity; }
const TraceFooter& TraceReader::footer() const noexcept { return impl_->footer; }

}  // namespace misim
