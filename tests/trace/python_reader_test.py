#!/usr/bin/env python3
"""tools/python/misim_trace.py against a trace written by misim's TraceWriter (the tests' sample,
written by misim_trace_sample): counts, decoded fields, joined names, and errors for a cut file.

    python_reader_test.py --build BUILD --writer BUILD/tests/trace/misim_trace_sample --work DIR
"""
import argparse
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "python"))
import misim_trace  # noqa: E402

# trace_sample.hpp: event i has kind KINDS[i % 13], except event 5 (all defaults: operation).
KINDS = ["operation", "fault", "role_visibility", "identity_replicated", "certificate", "access_change",
         "token_request", "attempt", "station_visit", "rejected", "call", "sample", "station_totals"]
EVENTS = 1000


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--writer", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    misim_trace.use_build(args.build)
    path = os.path.join(args.work, "trace.pb")
    subprocess.run([args.writer, path, str(EVENTS)], check=True)

    trace = misim_trace.load(path)
    ev = trace.events
    check(len(ev) == EVENTS, f"{len(ev)} events, expected {EVENTS}")
    check(trace.footer.events == EVENTS, "footer count")
    check(trace.header.scenario == "sample" and trace.header.seed == 42, "header")
    check([(p.name, p.value) for p in trace.header.params] == [("vms", "100"), ("call_rate", "1/min"), ("empty", "")],
          "params")
    check(len(trace.entities) == 6, "entities")

    expected = {}
    for i in range(EVENTS):
        name = "operation" if i == 5 else KINDS[i % len(KINDS)]
        expected[name] = expected.get(name, 0) + 1
    got = {k: int(v) for k, v in ev["kind_name"].value_counts().items() if v}
    check(got == expected, f"kind counts {got}, expected {expected}")

    e0, e1, e3 = ev.iloc[0], ev.iloc[1], ev.iloc[3]
    check(e0["begin"] == -2**63 and e0["value"] == 0.0 and math.copysign(1.0, e0["value"]) < 0, "event 0")
    check(e1["time"] == 2**63 - 1 and int(e1["request"]) == 2**64 - 1 and math.isnan(e1["value"]), "event 1")
    check(e3["identity"] == 2**32 - 2 and e3["identity_name"] == "web-id", "event 3: identity and its name")
    check(e0["entity"] == 0 and e0["entity_name"] == "contoso", "event 0: the tenant named by entity")
    check(ev.iloc[5][["resource", "identity", "target", "entity", "station"]].isna().all(), "event 5: none is <NA>")
    check(e1["station_name"] == "aad.eastus", "event 1: station name")
    check(ev["resource"].isna().sum() == sum(1 for i in range(EVENTS) if i % 5 == 0 or i == 5), "resource <NA>s")

    text = misim_trace.summary(path)
    check("scenario 'sample'" in text and f"events: {EVENTS}" in text, "summary:\n" + text)

    with open(path, "rb") as f:
        data = f.read()
    cut = os.path.join(args.work, "cut.pb")
    with open(cut, "wb") as f:
        f.write(data[:-1])
    try:
        misim_trace.load_events(cut)
        check(False, "a cut trace was read without error")
    except misim_trace.TraceError as e:
        check(f"truncated after {EVENTS} events" in str(e), str(e))
    with open(cut, "wb") as f:
        f.write(b"name: not a trace\n")
    try:
        misim_trace.load_events(cut)
        check(False, "a text file was read as a trace")
    except misim_trace.TraceError as e:
        check("not a misim trace" in str(e), str(e))
    print(text)
    print("python reader: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
