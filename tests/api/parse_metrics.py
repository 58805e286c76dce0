#!/usr/bin/env python3
"""Parses a /metrics body with Prometheus's own Python client (Debian's python3-prometheus-client),
an independent reader of the text exposition format, and prints what it read as JSON for the C++
test: {"families": {name: {"type", "help", "samples": [{"name", "labels", "value"}]}}}.

Strict beyond the parser: every family has a HELP text and a known TYPE, no family comes twice,
and every sample belongs to the family before it. Exit 1 with the reason otherwise."""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def main(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    families = {}
    for family in text_string_to_metric_families(text):
        if family.name in families:
            sys.exit(f"family {family.name} comes twice")
        if not family.documentation:
            sys.exit(f"family {family.name} has no HELP")
        if family.type not in ("counter", "gauge", "histogram"):
            sys.exit(f"family {family.name} has type {family.type}")
        samples = []
        for s in family.samples:
            if not s.name.startswith(family.name):
                sys.exit(f"sample {s.name} outside its family {family.name}")
            value = s.value if math.isfinite(s.value) else str(s.value)
            samples.append({"name": s.name, "labels": s.labels, "value": value})
        families[family.name] = {"type": family.type, "help": family.documentation, "samples": samples}
    print(json.dumps({"families": families}))


if __name__ == "__main__":
    main(sys.argv[1])
