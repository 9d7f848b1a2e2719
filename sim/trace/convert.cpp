// convert(): drives a TraceConsumer from a TraceReader (misim/trace_convert.hpp).
#include "misim/trace_convert.hpp"

namespace misim {

Status convert(TraceReader& reader, TraceConsumer& consumer) {
  consumer.on_header(reader.header());
  while (!consumer.done()) {
    Result<TraceItem> item = reader.next();
    if (!item) return std::move(item).error();
    switch (*item) {
      case TraceItem::kEntity:
        consumer.on_entity(reader.entity());
        break;
      case TraceItem::kEvent:
        consumer.on_event(reader.event());
        break;
      case TraceItem::kEnd:
        return consumer.on_footer(reader.footer());
    }
  }
  return {};
}

}  // namespace misim
