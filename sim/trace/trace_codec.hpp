// Conversions between misim's trace types (misim/trace_file.hpp, misim/trace_event.hpp) and the
// messages generated from trace.proto, shared by the writer and the reader. Private to sim/trace:
// the generated header is included here and nowhere under include/.
//
// The encodings (trace.proto explains them): entity and station indices are stored plus one so
// that "none" is 0 and costs nothing; EntityKind is renumbered so that RESOURCE is 0.
#pragma once

#include <cstdint>
#include <string>

#include "misim/trace_event.hpp"
#include "misim/trace_file.hpp"
#include "trace.pb.h"

namespace misim::trace_codec {

namespace pb = ::misim::trace::v1;

/// "misim.trace": Header.format of every trace.
inline constexpr const char* kFormatName = "misim.trace";

/// Tags (field number << 3 | wire type 2) of Record's four fields, as they appear on the wire as
/// the first byte of a record.
inline constexpr std::uint8_t kTagHeader = (1 << 3) | 2;
inline constexpr std::uint8_t kTagEntity = (2 << 3) | 2;
inline constexpr std::uint8_t kTagEvent = (3 << 3) | 2;
inline constexpr std::uint8_t kTagFooter = (4 << 3) | 2;

/// misim's EntityKind <-> the wire's. Kinds this build does not know keep their number.
[[nodiscard]] pb::EntityKind to_wire(EntityKind kind) noexcept;
[[nodiscard]] EntityKind from_wire(pb::EntityKind kind) noexcept;

void encode(const TraceEvent& event, pb::Event& out) noexcept;
/// False when a field is out of the range of TraceEvent's (only a corrupt or foreign file has that).
[[nodiscard]] bool decode(const pb::Event& in, TraceEvent& out) noexcept;

void encode(const EntityInfo& entity, pb::Entity& out);
[[nodiscard]] bool decode(const pb::Entity& in, TraceEntity& out);

void encode(const TraceHeader& header, pb::Header& out);
[[nodiscard]] bool decode(const pb::Header& in, TraceHeader& out);

void encode(const TraceFooter& footer, pb::Footer& out) noexcept;
void decode(const pb::Footer& in, TraceFooter& out) noexcept;

}  // namespace misim::trace_codec
