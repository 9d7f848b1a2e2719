#!/usr/bin/env python3
"""Read misim's trace.pb in Python: records one at a time, or the events as a pandas DataFrame.

    import misim_trace
    events = misim_trace.load_events("out/trace.pb")        # a pandas.DataFrame, one row an event
    events[events.kind_name == "attempt"].groupby("status").size()

    python3 tools/python/misim_trace.py --build build out/trace.pb     # a short summary

The file format is in docs/traces.md. The message classes come from trace_pb2, which the build
generates from sim/trace/trace.proto into BUILD/python/trace_pb2.py. It is found, first match wins:
  1. use_build(BUILD) called before reading (the command line's --build BUILD);
  2. the environment variable MISIM_BUILD_DIR=BUILD;
  3. the default build directories of the repository holding this file (build/, build-*/).

Needs Debian's python3-protobuf and python3-pandas (tools/setup installs them). Reading streams:
memory is independent of the trace's length except what load_events keeps. The footer's event count
is always checked; its XXH3 checksum only when the `xxhash` module is installed (python3-xxhash).
"""

import argparse
import glob
import importlib
import operator
import os
import sys

FORMAT_NAME = "misim.trace"
MAJOR_VERSION = 1  # the trace format this reader understands (misim's kTraceMajorVersion)

_CHUNK = 1 << 20
_pb2 = None
_build_dir = None


class TraceError(Exception):
    """A trace that cannot be read: not a trace, truncated, corrupt, or of a newer major version."""


def use_build(build_dir):
    """Read trace_pb2 from BUILD_DIR/python (call before the first read)."""
    global _build_dir, _pb2
    _build_dir = build_dir
    _pb2 = None


def _candidate_dirs():
    if _build_dir:
        return [os.path.join(_build_dir, "python")]
    if os.environ.get("MISIM_BUILD_DIR"):
        return [os.path.join(os.environ["MISIM_BUILD_DIR"], "python")]
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return [os.path.join(repo, "build", "python")] + sorted(glob.glob(os.path.join(repo, "build-*", "python")))


def pb2():
    """The generated module trace_pb2 (see the module's docstring for where it is looked for)."""
    global _pb2
    if _pb2 is None:
        for directory in _candidate_dirs():
            if os.path.isfile(os.path.join(directory, "trace_pb2.py")):
                sys.path.insert(0, directory)
                try:
                    _pb2 = importlib.import_module("trace_pb2")
                finally:
                    sys.path.remove(directory)
                break
        else:
            raise ImportError(
                "trace_pb2.py not found in " + ", ".join(_candidate_dirs()) +
                ": build misim (it generates BUILD/python/trace_pb2.py), then pass --build BUILD, "
                "set MISIM_BUILD_DIR=BUILD or call misim_trace.use_build(BUILD)")
    return _pb2


def _hasher():
    try:
        import xxhash  # optional: python3-xxhash
    except ImportError:
        return None
    return xxhash.xxh3_64()


class _Chunks:
    """A window on a file read in large chunks, so memory stays bounded whatever its length."""

    def __init__(self, f):
        self._f = f
        self.buf = b""
        self.pos = 0

    def need(self, n):
        """At least n bytes from pos; False when the file ends first."""
        while len(self.buf) - self.pos < n:
            chunk = self._f.read(max(_CHUNK, n))
            if not chunk:
                return False
            self.buf = self.buf[self.pos:] + chunk
            self.pos = 0
        return True

    def at_end(self):
        return not self.need(1)


def records(path):
    """Yield (kind, message) for every record: ("header", Header), then ("entity", Entity) and
    ("event", Event) in file order, then ("footer", Footer). Raises TraceError with misim's words
    for a file that is not a trace, cut short, corrupt or too new. Event fields are as stored
    (indices plus one, docs/traces.md); load_events decodes them."""
    m = pb2()
    hasher = _hasher()
    events = 0
    header_seen = False

    def cut_short():
        if not header_seen:
            return TraceError(f"{path}: not a misim trace (no complete header record: was the file cut short?)")
        return TraceError(f"{path}: truncated after {events} events (the run was killed or the file cut short)")

    with open(path, "rb") as f:
        w = _Chunks(f)
        record = m.Record()
        while True:
            length, prefix = 0, 0
            while True:  # the varint length prefix
                if not w.need(prefix + 1):
                    if prefix == 0 and not header_seen and w.pos == len(w.buf):
                        raise TraceError(f"{path}: not a misim trace (the file is empty)")
                    raise cut_short()
                byte = w.buf[w.pos + prefix]
                length |= (byte & 0x7F) << (7 * prefix)
                prefix += 1
                if not byte & 0x80:
                    break
                if prefix == 5:
                    raise TraceError(f"{path}: corrupt: a record length after event {events} is out of range")
            if not w.need(prefix + length):
                raise cut_short()
            start = w.pos
            w.pos += prefix + length
            try:
                record.ParseFromString(w.buf[start + prefix:w.pos])
            except Exception:  # the protobuf runtime's DecodeError, whichever implementation
                if not header_seen:
                    raise TraceError(f"{path}: not a misim trace (it does not start with a misim trace header)")
                raise TraceError(f"{path}: corrupt: a record after event {events} does not parse")
            which = record.WhichOneof("record")
            if which == "footer" and header_seen:
                footer = record.footer
                if not w.at_end():
                    raise TraceError(f"{path}: corrupt: data after the footer")
                if footer.events != events:
                    raise TraceError(f"{path}: corrupt: the footer counts {footer.events} events, "
                                     f"the file holds {events}")
                if hasher is not None and hasher.intdigest() != footer.checksum:
                    raise TraceError(f"{path}: corrupt: checksum mismatch (the footer says {footer.checksum:016x}, "
                                     f"the content hashes to {hasher.intdigest():016x})")
                yield "footer", footer
                return
            if hasher is not None:
                hasher.update(w.buf[start:w.pos])
            if not header_seen:
                h = record.header
                if which != "header" or h.format != FORMAT_NAME or h.major_version == 0:
                    raise TraceError(f"{path}: not a misim trace (it does not start with a misim trace header)")
                if h.major_version > MAJOR_VERSION:
                    raise TraceError(f"{path}: trace.pb was written by format {h.major_version}.x; "
                                     f"this reader reads {MAJOR_VERSION}.x; upgrade misim")
                header_seen = True
                yield "header", h
            elif which == "event":
                events += 1
                yield "event", record.event
            elif which == "entity":
                yield "entity", record.entity
            elif which == "header":
                raise TraceError(f"{path}: corrupt: a second header after event {events}")
            # else: a kind of record added by a later minor version: skipped


def _name(enum, value, prefix):
    try:
        return enum.Name(value)[len(prefix):].lower()
    except ValueError:
        return f"unknown_{value}"


_EVENT_FIELDS = ("time", "begin", "service_start", "request", "value", "resource", "identity", "target", "entity",
                 "count", "busy", "status", "station", "kind", "entity_kind", "flags")
_EVENT_DTYPES = {"request": "uint64", "value": "float64"}  # the others: int64


class Trace:
    """A whole trace in memory: header and footer messages, entities and events as DataFrames."""

    def __init__(self, header, entities, events, footer):
        self.header = header  # trace_pb2.Header
        self.entities = entities  # DataFrame: kind, kind_name, index, type, name, created
        self.events = events  # DataFrame: see load_events
        self.footer = footer  # trace_pb2.Footer


def load(path):
    """The whole trace (header, entities, events, footer); events as load_events describes."""
    import numpy as np
    import pandas as pd

    m = pb2()
    header = footer = None
    entity_rows = []
    event_rows = []
    entity_fields = operator.attrgetter("kind", "index", "type", "name", "created")
    event_fields = operator.attrgetter(*_EVENT_FIELDS)  # one C call a record, not sixteen
    for kind, message in records(path):
        if kind == "event":
            event_rows.append(event_fields(message))
        elif kind == "entity":
            entity_rows.append(entity_fields(message))
        elif kind == "header":
            header = message
        else:
            footer = message

    entities = pd.DataFrame.from_records(entity_rows, columns=["kind", "index", "type", "name", "created"])
    entities = entities.astype({"kind": "int64", "index": "int64", "created": "int64"})
    entities.insert(1, "kind_name", [_name(m.EntityKind, k, "ENTITY_KIND_") for k in entities["kind"]])

    columns = list(zip(*event_rows)) if event_rows else [()] * len(_EVENT_FIELDS)
    del event_rows
    events = pd.DataFrame({
        field: np.array(column, dtype=_EVENT_DTYPES.get(field, "int64"))
        for field, column in zip(_EVENT_FIELDS, columns)
    })
    del columns
    # Stored indices are index + 1, with 0 for none: decoded to the index, or <NA>. The joins below
    # look names up by position on the plain integers (fast), with -1 for none.
    stored = {}
    for field in ("resource", "identity", "target", "entity", "station"):
        stored[field] = events[field].to_numpy()
        events[field] = pd.Series(stored[field] - 1, dtype="Int64").mask(stored[field] == 0)

    def lookup(keys, table_keys, names):
        # names[i] where table_keys[i] == key, else None; keys of -1 (none) find nothing.
        at = pd.Index(table_keys).get_indexer(keys) if len(table_keys) else np.full(len(keys), -1)
        return np.where(at >= 0, np.asarray(names, dtype=object)[np.maximum(at, 0)] if len(names) else None, None)

    def kind_names(column, enum, prefix):
        values = events[column].to_numpy()
        uniques = np.unique(values)
        return pd.Categorical(lookup(values, uniques, [_name(enum, v, prefix) for v in uniques]))

    events["kind_name"] = kind_names("kind", m.Kind, "KIND_")
    events["entity_kind_name"] = kind_names("entity_kind", m.EntityKind, "ENTITY_KIND_")
    events["station_name"] = lookup(stored["station"] - 1, np.arange(len(header.stations)),
                                    [s.name for s in header.stations])
    # Resources and targets are resources; `entity` is of the event's entity_kind.
    kinds = entities["kind"].to_numpy()
    indices = entities["index"].to_numpy()
    names = entities["name"].to_numpy()
    resources = kinds == m.ENTITY_KIND_RESOURCE
    identities = kinds == m.ENTITY_KIND_IDENTITY
    events["resource_name"] = lookup(stored["resource"] - 1, indices[resources], names[resources])
    events["identity_name"] = lookup(stored["identity"] - 1, indices[identities], names[identities])
    events["target_name"] = lookup(stored["target"] - 1, indices[resources], names[resources])
    entity_keys = np.where(stored["entity"] == 0, -1, events["entity_kind"].to_numpy() * 2**32 + stored["entity"] - 1)
    events["entity_name"] = lookup(entity_keys, kinds * 2**32 + indices, names)
    return Trace(header, entities, events, footer)


def load_events(path):
    """The trace's events as a pandas DataFrame, one row an event in file order.

    Columns: the TraceEvent fields (time, begin, service_start in simulated ns; request, value,
    count, busy, status, flags as stored; resource, identity, target, entity, station as indices,
    <NA> for none; kind and entity_kind as numbers), and joined: kind_name ("attempt", ...),
    entity_kind_name, station_name, resource_name, identity_name, target_name, entity_name."""
    return load(path).events


def summary(path):
    """A few lines about a trace: what ran, how it was recorded, what it holds."""
    t = load(path)
    h, f, ev = t.header, t.footer, t.events
    m = pb2()
    lines = [
        f"{path}: misim trace format {h.major_version}.{h.minor_version}, written by misim {h.misim_version}",
        f"scenario {h.scenario!r} ({h.scenario_file}), seed {h.seed}, level {_name(m.Level, h.level, 'LEVEL_')}",
        f"run: {h.duration / 1e9:g} s simulated, stopped at {f.end_time / 1e9:g} s"
        + (" (interrupted)" if f.interrupted else "") + f", fingerprint {f.fingerprint:016x}",
        f"stations: {', '.join(s.name for s in h.stations) or 'none'}",
        f"entities: {len(t.entities)}; events: {len(ev)}",
    ]
    for name, count in ev["kind_name"].value_counts().items():
        if count:
            lines.append(f"  {name:<20} {count}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Summarise a misim trace (trace.pb).")
    parser.add_argument("trace", help="the trace.pb file")
    parser.add_argument("--build", help="misim's build directory (holds python/trace_pb2.py)")
    args = parser.parse_args(argv)
    if args.build:
        use_build(args.build)
    try:
        print(summary(args.trace))
    except (TraceError, OSError) as e:
        print(f"misim_trace: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
