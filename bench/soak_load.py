#!/usr/bin/env python3
"""Mixed load for bench/soak.sh (python3 standard library only).

Client threads drive one running service for a given time with the requests the agent-trace
client sends: single and batch ingest, commit links with ledgers, conversation syncs, reads of
each, trace lists with filters, blame, health. Every answer is checked against what the request
expects (201 for a write, 200 with the sent content for a read of an acknowledged record); any
other answer or a failed connection counts as an error. The service's resident memory (VmRSS of
--pid) is sampled throughout.

Prints a progress line every --report-seconds and, at the end, one line per figure:
  requests N / errors N / rss_start_kib N / rss_warm_kib N / rss_end_kib N / rss_peak_kib N
Exit status: 0 when the error count is zero and RSS after warm-up grew by at most the allowed
slack, 1 otherwise.
"""

import argparse
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

BLAME_FILES = 8  # files per project that blame asks about

# Request kinds and their share of the load.
MIX = {"ingest": 25, "batch": 8, "get_trace": 15, "list": 8, "link": 8, "get_link": 5,
       "sync": 8, "get_conversation": 5, "blame": 12, "project": 3, "health": 3}


def query(**params):
    return urllib.parse.urlencode(params)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.errors = 0
        self.by_kind = {}
        self.error_samples = []

    def record(self, kind, ok, detail=""):
        with self.lock:
            self.requests += 1
            count = self.by_kind.setdefault(kind, [0, 0])
            count[0] += 1
            if not ok:
                self.errors += 1
                count[1] += 1
                if len(self.error_samples) < 20:
                    self.error_samples.append(f"{kind}: {detail}"[:300])


class Client:
    """One keep-alive connection; every 50th request on a fresh one (the accept path too)."""

    def __init__(self, port, token):
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.conn = None
        self.sent = 0

    def call(self, method, path, body=None):
        self.sent += 1
        if self.conn is None or self.sent % 50 == 0:
            if self.conn is not None:
                self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        data = None if body is None else json.dumps(body).encode()
        try:
            self.conn.request(method, path, body=data, headers=self.headers)
            response = self.conn.getresponse()
            payload = response.read()
        except Exception:
            self.conn.close()
            self.conn = None
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return response.status, payload


def trace_record(trace_id, path, revision, n):
    return {
        "version": "1.0",
        "id": trace_id,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(1767225600 + n)) + "+00:00",
        "vcs": {"type": "git", "revision": revision},
        "tool": {"name": random.choice(["claude-code", "cursor"])},
        "files": [{
            "path": path,
            "conversations": [{
                "url": f"file:///home/dev/.claude/{trace_id}.jsonl",
                "contributor": {"type": "ai", "model_id": random.choice(["m/a", "m/b"])},
                "ranges": [{"start_line": 1 + n % 50, "end_line": 10 + n % 50,
                            "content_hash": f"sha256:{n:016x}"}],
            }],
        }],
        "metadata": {"session_id": f"s-{n % 97}", "conversation_id": f"c-{n % 13}",
                     "note": "soak ✓ " + "x" * (n % 400)},
    }


class Worker(threading.Thread):
    def __init__(self, index, args, token, projects, stats, deadline, rate_gate):
        super().__init__(daemon=True)
        self.index = index
        self.args = args
        self.client = Client(args.port, token)
        self.projects = projects
        self.stats = stats
        self.deadline = deadline
        self.rate_gate = rate_gate
        self.rng = random.Random(index)
        self.kinds = [k for k in MIX if not args.only or k in args.only]
        self.weights = [MIX[k] for k in self.kinds]
        self.n = 0
        # Acknowledged records of this thread, bounded (reads pick among the latest).
        self.traces = []        # (project, id, record)
        self.links = []         # (project, sha, body)
        # Blame works on a fixed set of commits (the first ones this thread linked): the trace
        # views the service caches for blame then stop growing during the warm-up, so that RSS
        # growth after it means a leak, not a cache still filling.
        self.blame_links = []
        self.conversations = []  # (project, url, content)

    def key(self):
        self.n += 1
        return f"w{self.index}-{self.n}"

    def remember(self, bucket, item):
        bucket.append(item)
        if len(bucket) > 500:
            del bucket[:250]

    def check(self, kind, method, path, body, expect, compare=None):
        try:
            status, payload = self.client.call(method, path, body)
        except Exception as e:  # connection refused, reset, timeout
            self.stats.record(kind, False, f"{type(e).__name__}: {e}")
            return None
        if status != expect:
            self.stats.record(kind, False, f"{status} {payload[:200]!r}")
            return None
        try:
            reply = json.loads(payload) if payload else None
        except ValueError:
            self.stats.record(kind, False, f"not JSON: {payload[:200]!r}")
            return None
        if compare is not None and not compare(reply):
            self.stats.record(kind, False, f"unexpected content: {payload[:200]!r}")
            return None
        self.stats.record(kind, True)
        return reply

    def step(self):
        kind = self.rng.choices(self.kinds, weights=self.weights)[0]
        getattr(self, "op_" + kind)(self.rng.choice(self.projects))

    def op_ingest(self, project):
        k = self.key()
        path = f"src/mod{self.rng.randrange(BLAME_FILES)}.py"
        record = trace_record(k, path, f"rev-{self.index}-{self.n // 20}", self.n)
        body = {"project_id": project, "trace": record, "hook_event": "PostToolUse"}
        if self.check("ingest", "POST", "/api/v1/traces", body, 201):
            self.remember(self.traces, (project, k, record))

    def op_batch(self, project):  # ten traces
        records = []
        for _ in range(10):
            k = self.key()
            path = f"src/mod{self.rng.randrange(BLAME_FILES)}.py"
            records.append(trace_record(k, path, f"rev-{self.index}-{self.n // 20}", self.n))
        body = {"project_id": project, "items": [{"trace": r} for r in records]}
        if self.check("batch", "POST", "/api/v1/traces/batch", body, 201):
            for r in records:
                self.remember(self.traces, (project, r["id"], r))

    def op_get_trace(self, project):  # read back an acknowledged trace
        if not self.traces:
            return
        p, tid, record = self.rng.choice(self.traces)
        self.check("get_trace", "GET", f"/api/v1/traces/{tid}?" + query(project_id=p), None, 200,
                   lambda r: r.get("trace") == record)

    def op_list(self, project):  # with filters
        filters = self.rng.choice([{}, {"session_id": f"s-{self.rng.randrange(97)}"},
                                   {"tool_name": "cursor", "limit": 20},
                                   {"model_id": "m/a", "file_path": "src/mod1.py"},
                                   {"since": "2026-01-01T00:00:00Z", "offset": 10}])
        self.check("list", "GET", "/api/v1/traces?" + query(project_id=project, **filters), None,
                   200, lambda r: isinstance(r.get("traces"), list))

    def op_link(self, project):  # a commit link with a ledger, over this thread's latest traces
        mine = [t for t in self.traces[-20:] if t[0] == project][-5:]
        if not mine:
            return
        sha = f"{self.index:08x}{self.n:032x}"
        self.n += 1
        body = {"project_id": project, "commit_sha": sha, "parent_sha": None,
                "trace_ids": [t[1] for t in mine],
                "files_changed": sorted({t[2]["files"][0]["path"] for t in mine}),
                "committed_at": "2026-01-02T00:00:00Z",
                "ledger": {"version": "1.0", "files": {t[2]["files"][0]["path"]: [
                    {"start_line": 1, "end_line": 10, "trace_id": t[1]}] for t in mine}}}
        if self.check("link", "POST", "/api/v1/commit-links", body, 201):
            self.remember(self.links, (project, sha, body))
            if len(self.blame_links) < 50:
                self.blame_links.append((project, sha, body))

    def op_get_link(self, project):
        if not self.links:
            return
        p, sha, body = self.rng.choice(self.links)
        self.check("get_link", "GET", f"/api/v1/commit-links/{sha}?" + query(project_id=p), None,
                   200, lambda r: r.get("trace_ids") == body["trace_ids"]
                   and r.get("ledger") == body["ledger"])

    def op_sync(self, project):  # re-syncs a known url now and then, as clients do
        if self.conversations and self.rng.random() < 0.3:
            project, url, _ = self.rng.choice(self.conversations)
        else:
            url = f"file:///home/dev/.claude/projects/soak/{self.key()}.jsonl"
        content = "\n".join(json.dumps({"role": "user", "n": i, "text": "bonjour ✓ " * 8})
                            for i in range(self.rng.randrange(5, 200)))
        body = {"project_id": project, "conversation_contents": [{"url": url, "content": content}]}
        if self.check("sync", "POST", "/api/v1/conversations/sync", body, 200):
            self.conversations = [c for c in self.conversations if c[1] != url]
            self.remember(self.conversations, (project, url, content))

    def op_get_conversation(self, project):
        if not self.conversations:
            return
        p, url, content = self.rng.choice(self.conversations)
        self.check("get_conversation", "GET",
                   "/api/v1/conversations/content?" + query(project_id=p, url=url), None, 200,
                   lambda r: r.get("content") == content)

    def op_blame(self, project):  # over one of this thread's first commits
        if not self.blame_links:
            return
        p, sha, link = self.rng.choice(self.blame_links)
        body = {"project_id": p, "file_path": link["files_changed"][0], "blame_data": [
            {"start_line": 1, "end_line": 10, "commit_sha": sha, "timestamp": "2026-01-02T00:00:00Z"},
            {"start_line": 11, "end_line": 40, "commit_sha": "0" * 40}]}
        self.check("blame", "POST", "/api/v1/blame", body, 200,
                   lambda r: isinstance(r.get("attributions"), list))

    def op_project(self, project):
        self.check("project", "GET", f"/api/v1/projects/{project}", None, 200,
                   lambda r: r.get("stats", {}).get("trace_count", -1) >= 0)

    def op_health(self, project):
        self.check("health", "GET", "/health", None, 200, lambda r: r.get("status") == "ok")

    def run(self):
        while time.monotonic() < self.deadline:
            if self.rate_gate is not None:
                self.rate_gate()
            self.step()


def make_rate_gate(rate):
    """A shared pacer: at most `rate` requests per second over all threads (0: unpaced)."""
    if rate <= 0:
        return None
    lock = threading.Lock()
    state = {"next": time.monotonic()}

    def gate():
        with lock:
            now = time.monotonic()
            slot = max(state["next"], now)
            state["next"] = slot + 1.0 / rate
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    return gate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True, help="the service's process id (for RSS)")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rate", type=float, default=0, help="requests/s over all clients; 0 = unpaced")
    parser.add_argument("--warmup-seconds", type=float, default=None,
                        help="RSS growth is measured from here (default: 20%% of the run, at most 120 s)")
    parser.add_argument("--rss-slack-mib", type=float, default=32,
                        help="allowed RSS growth after warm-up, MiB")
    parser.add_argument("--rss-slack-percent", type=float, default=15,
                        help="allowed RSS growth after warm-up, percent of the warm RSS (the larger wins)")
    parser.add_argument("--report-seconds", type=float, default=60)
    parser.add_argument("--only", type=lambda v: v.split(","), default=None,
                        help="a subset of the request kinds, comma-separated: " + ",".join(MIX))
    args = parser.parse_args()
    if args.only and not set(args.only) <= set(MIX):
        parser.error(f"--only: unknown kinds {set(args.only) - set(MIX)}")

    warmup = args.warmup_seconds if args.warmup_seconds is not None else min(120.0, args.seconds * 0.2)
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
    conn.request("POST", "/api/v1/tokens/generate", body=json.dumps({"user_id": "soak"}),
                 headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    if response.status != 200:
        print(f"cannot mint a token: {response.status} {response.read()[:200]!r}", file=sys.stderr)
        return 1
    token = json.loads(response.read())["token"]

    # The projects exist before the load starts: a project read may come before any write.
    run_id = f"{int(time.time()):x}"
    projects = [f"soak-{run_id}-{i}" for i in range(4)]
    for project in projects:
        conn.request("POST", "/api/v1/projects", body=json.dumps({"project_id": project}),
                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        if response.status != 201:
            print(f"cannot create project {project}: {response.status}", file=sys.stderr)
            return 1
    conn.close()
    stats = Stats()
    rss_start = rss_kib(args.pid)
    started = time.monotonic()
    deadline = started + args.seconds
    gate = make_rate_gate(args.rate)
    workers = [Worker(i, args, token, projects, stats, deadline, gate) for i in range(args.clients)]
    for w in workers:
        w.start()

    rss_warm = None
    rss_peak = rss_start
    next_report = started + args.report_seconds
    last_requests = 0
    last_time = started
    print(f"soak: {args.clients} clients for {args.seconds:.0f} s, warm-up {warmup:.0f} s, "
          f"RSS at start {rss_start} KiB", flush=True)
    while any(w.is_alive() for w in workers):
        time.sleep(1)
        now = time.monotonic()
        rss = rss_kib(args.pid)
        rss_peak = max(rss_peak, rss)
        if rss_warm is None and now - started >= warmup:
            rss_warm = rss
        if now >= next_report:
            with stats.lock:
                requests, errors = stats.requests, stats.errors
            print(f"  {now - started:6.0f} s  requests {requests:9d}  errors {errors:5d}  "
                  f"{(requests - last_requests) / (now - last_time):7.0f} req/s  RSS {rss} KiB",
                  flush=True)
            last_requests, last_time = requests, now
            next_report += args.report_seconds
    for w in workers:
        w.join()
    rss_end = rss_kib(args.pid)
    if rss_warm is None:
        rss_warm = rss_start
    elapsed = time.monotonic() - started

    print("per request kind (requests/errors): " + ", ".join(
        f"{k} {v[0]}/{v[1]}" for k, v in sorted(stats.by_kind.items())))
    for sample in stats.error_samples:
        print(f"  error: {sample}")
    allowed_kib = max(args.rss_slack_mib * 1024, rss_warm * args.rss_slack_percent / 100)
    growth = rss_end - rss_warm
    print(f"seconds {elapsed:.0f}")
    print(f"requests {stats.requests}")
    print(f"errors {stats.errors}")
    print(f"requests_per_second {stats.requests / elapsed:.0f}")
    print(f"rss_start_kib {rss_start}")
    print(f"rss_warm_kib {rss_warm}")
    print(f"rss_end_kib {rss_end}")
    print(f"rss_peak_kib {rss_peak}")
    print(f"rss_growth_after_warmup_kib {growth} (allowed {allowed_kib:.0f})")
    failed = False
    if stats.errors:
        print(f"FAIL: {stats.errors} errors", file=sys.stderr)
        failed = True
    if growth > allowed_kib:
        print(f"FAIL: RSS grew by {growth} KiB after warm-up (allowed {allowed_kib:.0f})", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
