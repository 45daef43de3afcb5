"""Scrapes a /metrics URL and prints every sample as JSON, parsed by prometheus_client's own
text-format parser (so a malformed exposition fails here, as it would in Prometheus).

Usage: python3 tools/metrics/scrape.py URL [BEARER_TOKEN]
Prints {"families": {name: type}, "samples": [[name, labels, value], ...]}.
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

request = urllib.request.Request(sys.argv[1])
if len(sys.argv) > 2:
    request.add_header("Authorization", "Bearer " + sys.argv[2])
with urllib.request.urlopen(request, timeout=30) as response:
    content_type = response.headers.get("Content-Type", "")
    text = response.read().decode("utf-8")
families = {}
samples = []
for family in text_string_to_metric_families(text):
    families[family.name] = family.type
    for sample in family.samples:
        samples.append([sample.name, sample.labels, sample.value])
print(json.dumps({"content_type": content_type, "families": families, "samples": samples}))
