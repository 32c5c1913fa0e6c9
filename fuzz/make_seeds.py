#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from tests/fixtures into OUT/<target>/.

usage: make_seeds.py FIXTURES_DIR HAND_SEEDS_DIR OUT_DIR

Every file is one input. The hand-written seeds under fuzz/seeds/<target>/ are copied as they are;
the rest is derived from the recorded client requests (tests/fixtures/cli) and the golden blame
cases (tests/fixtures/blame), so the fuzzers start from real traffic.
"""
import gzip
import json
import shutil
import sys
from pathlib import Path

# fuzz_request_bodies: byte 0 picks the endpoint (the order of its Endpoint enum).
INGEST, BATCH, COMMIT_LINK, SYNC, PROJECT, ADD_MEMBER, REMOVE_MEMBER, BLAME = range(8)
ENDPOINT_OF_PATH = {
    "/api/v1/traces": INGEST,
    "/api/v1/traces/batch": BATCH,
    "/api/v1/commit-links": COMMIT_LINK,
    "/api/v1/conversations/sync": SYNC,
    "/api/v1/projects": PROJECT,
    "/api/v1/blame": BLAME,
}


def dump(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def timestamps(value, out):
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and ("timestamp" in key or key.endswith("_at")):
                out.add(item)
            timestamps(item, out)
    elif isinstance(value, list):
        for item in value:
            timestamps(item, out)


class Corpus:
    def __init__(self, root):
        self.root = root
        self.count = {}

    def add(self, target, name, data):
        folder = self.root / target
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        self.count[target] = self.count.get(target, 0) + 1


def http_request(method, path, body=b"", headers=()):
    lines = [f"{method} {path} HTTP/1.1", "Host: localhost", *headers]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def main():
    fixtures, hand, out = (Path(a) for a in sys.argv[1:4])
    if out.exists():
        shutil.rmtree(out)
    corpus = Corpus(out)

    for folder in sorted(p for p in hand.iterdir() if p.is_dir()):
        for seed in sorted(folder.iterdir()):
            corpus.add(folder.name, "hand-" + seed.name, seed.read_bytes())

    seen_ts = set()
    first_trace_body = None
    for path in sorted((fixtures / "cli").glob("*.json")):
        case = json.loads(path.read_text())
        request = case["request"]
        body = request["body"]
        timestamps(case, seen_ts)
        endpoint = ENDPOINT_OF_PATH.get(request["path"])
        if endpoint is None:
            continue
        corpus.add("request_bodies", path.stem, bytes([endpoint]) + dump(body))
        if endpoint == INGEST:
            first_trace_body = first_trace_body or body
            corpus.add("trace_validation", path.stem, dump(body))
            corpus.add("trace_validation", path.stem + "-record", dump(body["trace"]))
            item = {"trace": body["trace"]}
            if "conversation_contents" in body:
                item["conversation_contents"] = body["conversation_contents"]
            batch = {"project_id": body["project_id"], "items": [item]}
            corpus.add("request_bodies", path.stem + "-batch", bytes([BATCH]) + dump(batch))
            corpus.add("http_request", path.stem,
                       http_request("POST", request["path"], dump(body),
                                    ["Authorization: Bearer x", "Content-Type: application/json"]))
        if endpoint == COMMIT_LINK:
            corpus.add("http_request", path.stem + "-gzip",
                       http_request("POST", request["path"], gzip.compress(dump(body)),
                                    ["Content-Encoding: gzip", "Content-Type: application/json"]))

    if first_trace_body:
        project = first_trace_body["project_id"]
        corpus.add("request_bodies", "project", bytes([PROJECT]) + dump(
            {"project_id": project, "name": "n", "description": "d", "visibility": "private"}))
        corpus.add("request_bodies", "add-member",
                   bytes([ADD_MEMBER]) + dump({"project_id": project, "user_id": "bob"}))
        corpus.add("request_bodies", "remove-member",
                   bytes([REMOVE_MEMBER]) + dump({"project_id": project, "user_id": "bob"}))

    for path in sorted((fixtures / "blame").glob("*.json")):
        case = json.loads(path.read_text())
        timestamps(case, seen_ts)
        corpus.add("blame", path.stem, dump(case["request"]))
        corpus.add("blame", path.stem + "-case",
                   dump({"setup": case["setup"], "request": case["request"]}))
        corpus.add("request_bodies", "blame-" + path.stem, bytes([BLAME]) + dump(case["request"]))

    for i, ts in enumerate(sorted(seen_ts)):
        corpus.add("timestamp", f"fixture-{i:03d}", ts.encode())

    for target, n in sorted(corpus.count.items()):
        print(f"  seeds {target}: {n}")


if __name__ == "__main__":
    main()
