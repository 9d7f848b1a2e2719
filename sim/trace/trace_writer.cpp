// TraceWriter (misim/trace_file.hpp): records serialized into one large buffer, written to the
// file when it fills. An event costs one encode into a reused message and one serialization into
// the buffer: no allocation and no system call per event. The checksum is computed over each
// buffer just before it is written, a few hundred kilobytes at a time, where XXH3 is fastest.
#include <fcntl.h>
#include <google/protobuf/io/coded_stream.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "misim/trace_file.hpp"
#include "trace_codec.hpp"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t by value (it never leaves the process)
#include <xxhash.h>

namespace misim {

namespace {

namespace pb = trace_codec::pb;
using google::protobuf::io::CodedOutputStream;

constexpr std::size_t kBufferBytes = std::size_t{1} << 20;
// Room always kept for one event record: its 16 fields take at most 2 + 3 * 11 + 11 + 9 * 6 + 9 + 3
// = 112 bytes, plus Record's tag and length and the length prefix (2 + 2).
constexpr std::size_t kMaxEventRecord = 192;
constexpr std::size_t kMaxVarint32 = 5;

Error io_error(const std::string& path, const std::string& what) {
  return Error{what + ": " + std::strerror(errno), SourcePlace{path, 0, 0}};
}

}  // namespace

struct TraceWriter::Impl {
  Impl(int file, std::string file_path, TraceHeader trace_header)
      : fd(file),
        path(std::move(file_path)),
        header(std::move(trace_header)),
        buffer(std::make_unique_for_overwrite<std::uint8_t[]>(kBufferBytes)) {
    XXH3_64bits_reset(&hash);
  }
  ~Impl() {
    if (fd >= 0) ::close(fd);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void fail(Error e) {
    if (!error) error = std::move(e);
  }

  // Adds the buffered bytes not yet hashed to the checksum (while before the footer), writes the
  // buffer out and empties it. After the first error, output is dropped but counting goes on.
  void flush() {
    if (in_checksum) XXH3_64bits_update(&hash, buffer.get() + hashed, used - hashed);
    std::size_t done = 0;
    while (!error && done < used) {
      const ssize_t n = ::write(fd, buffer.get() + done, used - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail(io_error(path, "cannot write the trace"));
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    used = 0;
    hashed = 0;
  }

  void append_bytes(const std::uint8_t* data, std::size_t size) {
    while (size > 0) {
      if (used == kBufferBytes) flush();
      const std::size_t n = std::min(size, kBufferBytes - used);
      std::memcpy(buffer.get() + used, data, n);
      used += n;
      data += n;
      size -= n;
    }
  }

  // Any record: in place when it fits the buffer, else serialized aside and copied through it.
  void append(const pb::Record& record) {
    const std::size_t size = record.ByteSizeLong();
    bytes += CodedOutputStream::VarintSize64(size) + size;
    if (size + kMaxVarint32 > kBufferBytes - used) flush();
    if (size + kMaxVarint32 <= kBufferBytes - used) {
      std::uint8_t* p = CodedOutputStream::WriteVarint32ToArray(static_cast<std::uint32_t>(size), buffer.get() + used);
      p = record.SerializeWithCachedSizesToArray(p);
      used = static_cast<std::size_t>(p - buffer.get());
      return;
    }
    std::uint8_t prefix[kMaxVarint32];
    const std::uint8_t* end = CodedOutputStream::WriteVarint32ToArray(static_cast<std::uint32_t>(size), prefix);
    append_bytes(prefix, static_cast<std::size_t>(end - prefix));
    const std::string text = record.SerializeAsString();
    append_bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  }

  void write_header() {
    began = true;
    pb::Record record;
    trace_codec::encode(header, *record.mutable_header());
    append(record);
  }

  void write_event(const TraceEvent& e) {
    if (!began) write_header();
    if (kBufferBytes - used < kMaxEventRecord) flush();
    trace_codec::encode(e, event);
    // The Record around the Event is written by hand (its one field: tag, length, the Event's
    // bytes), which saves protobuf's pass over the Record for sizes and its nested serialization:
    // about a tenth of the cost of an event.
    const std::size_t size = event.ByteSizeLong();
    const std::size_t record_size = 1 + CodedOutputStream::VarintSize32(static_cast<std::uint32_t>(size)) + size;
    assert(record_size + kMaxVarint32 <= kMaxEventRecord);
    std::uint8_t* const start = buffer.get() + used;
    std::uint8_t* p = CodedOutputStream::WriteVarint32ToArray(static_cast<std::uint32_t>(record_size), start);
    *p++ = trace_codec::kTagEvent;
    p = CodedOutputStream::WriteVarint32ToArray(static_cast<std::uint32_t>(size), p);
    p = event.SerializeWithCachedSizesToArray(p);
    const auto written = static_cast<std::size_t>(p - start);
    used += written;
    bytes += written;
    ++events;
  }

  void write_footer() {
    // Everything before the footer is in the checksum; the footer itself is not.
    XXH3_64bits_update(&hash, buffer.get() + hashed, used - hashed);
    hashed = used;
    in_checksum = false;
    TraceFooter footer{events, XXH3_64bits_digest(&hash), end_time, interrupted, fingerprint};
    pb::Record record;
    trace_codec::encode(footer, *record.mutable_footer());
    append(record);
  }

  int fd;
  std::string path;
  TraceHeader header;
  std::unique_ptr<std::uint8_t[]> buffer;
  std::size_t used = 0;    // bytes in the buffer
  std::size_t hashed = 0;  // bytes at the start of the buffer already in the checksum
  bool in_checksum = true;
  XXH3_state_t hash{};
  pb::Event event;           // reused for every event: no allocation once warm
  pb::Record entity_record;  // reused for every entity (strings keep their capacity)
  std::uint64_t events = 0;
  std::uint64_t bytes = 0;
  bool began = false;
  bool ended = false;
  bool closed = false;
  SimTime end_time = 0;
  bool interrupted = false;
  std::uint64_t fingerprint = 0;
  std::optional<Error> error;
};

Result<std::unique_ptr<TraceWriter>> TraceWriter::create(const std::string& path, TraceHeader header) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(path, "cannot create the trace file");
  return std::unique_ptr<TraceWriter>(
      new TraceWriter(std::make_unique<Impl>(fd, path, std::move(header))));  // private constructor
}

TraceWriter::TraceWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TraceWriter::~TraceWriter() {
  // Not closed: what was written stays, without a footer, so readers report it as cut short.
  if (impl_ && !impl_->closed) impl_->flush();
}

void TraceWriter::on_begin(const RunInfo& run) {
  if (impl_->began) return;
  impl_->header.run = run;
  impl_->write_header();
}

void TraceWriter::on_entity(const EntityInfo& entity) {
  if (!impl_->began) impl_->write_header();
  trace_codec::encode(entity, *impl_->entity_record.mutable_entity());
  impl_->append(impl_->entity_record);
}

void TraceWriter::on_event(const TraceEvent& event) { impl_->write_event(event); }

void TraceWriter::on_end(SimTime now, bool interrupted) {
  impl_->ended = true;
  impl_->end_time = now;
  impl_->interrupted = interrupted;
}

void TraceWriter::set_fingerprint(std::uint64_t fingerprint) noexcept { impl_->fingerprint = fingerprint; }

Status TraceWriter::close() {
  Impl& w = *impl_;
  if (!w.closed) {
    w.closed = true;
    if (!w.began) w.write_header();
    if (w.ended) w.write_footer();
    w.flush();
    // On disk before the caller renames it into place (OutputDirectory): a crash leaves the old
    // trace or the new one, never a torn one.
    if (::fsync(w.fd) != 0) w.fail(io_error(w.path, "cannot flush the trace to disk"));
    if (::close(w.fd) != 0) w.fail(io_error(w.path, "cannot close the trace"));
    w.fd = -1;
    if (!w.ended) {
      w.fail(Error{"the run did not end (EventSink::on_end was not called), so the trace has no footer",
                   SourcePlace{w.path, 0, 0}});
    }
  }
  if (w.error) return *w.error;
  return {};
}

std::uint64_t TraceWriter::events_written() const noexcept { return impl_->events; }
std::uint64_t TraceWriter::bytes_written() const noexcept { return impl_->bytes; }

}  // namespace misim
