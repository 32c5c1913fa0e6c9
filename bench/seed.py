#!/usr/bin/env python3
"""Seeds a running agent-trace-service with a deterministic benchmark dataset, through its API.

    bench/seed.py BASE_URL DATA_DIR

The dataset is shaped like what the agent-trace client sends:

  * BENCH_PROJECTS projects (default 2) `bench-p1..N`, each with BENCH_TRACES trace records
    (default 5,000) of about 2 KB: one or two files per record, ranges with content_hash and
    per-line hashes, metadata.session_id, and vcs.revision = the HEAD the edit was made on.
    They are sent BENCH_BATCH (50) per batch request.
  * BENCH_TRANSCRIPTS transcripts in all (default 100) of 50-200 KB, one per session, synced
    through POST /api/v1/conversations/sync; 70 % Claude Code, 30 % Cursor.
  * a linear git history per project; every commit is linked (POST /api/v1/commit-links) to the
    BENCH_COMMIT_TRACES_MIN..MAX (1-5) traces made since its parent. The newer half of the
    commits carries an attribution ledger, the older half none.
  * per project, blame bodies of 100 segments: for two files over commits without ledgers
    (the heuristic path) and two over commits with ledgers; and the same of 2,000 segments.

It also writes the request bodies and lists the wrk scenarios in bench/lua/ read from DATA_DIR:

  token                 a bearer token (user `bench`, minted in development mode)
  projects.tsv          project id, trace count
  traces.tsv            project id, trace id (a sample, for get-one)
  conversations.tsv     project id, transcript url
  blame_heur.jsonl      blame bodies (one per line), commits without ledgers
  blame_ledger.jsonl    blame bodies, commits with ledgers
  blame_heur2000.jsonl, blame_ledger2000.jsonl    the same with 2,000 segments
  ingest_single.json    an ingest body; every @ID@ is replaced by a fresh trace id
  ingest_batch.json     a batch body of BENCH_BATCH traces for project bench-ingest, same @ID@
  conv_sync.json        a 100 KB conversation sync body for project bench-conv; @URL@ is replaced

The same environment always produces the same data. BENCH_SEED changes it; BENCH_WORKERS (4)
is the number of concurrent connections used for loading.
"""
import concurrent.futures
import hashlib
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse


def env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


PROJECTS = env_int("BENCH_PROJECTS", 2)
TRACES = env_int("BENCH_TRACES", 5000)
TRANSCRIPTS = env_int("BENCH_TRANSCRIPTS", 100)
BATCH = env_int("BENCH_BATCH", 50)
WORKERS = env_int("BENCH_WORKERS", 4)
SEED = env_int("BENCH_SEED", 1)
COMMIT_TRACES = (env_int("BENCH_COMMIT_TRACES_MIN", 1), env_int("BENCH_COMMIT_TRACES_MAX", 5))
SEGMENTS = 100
LARGE_SEGMENTS = 2000
GET_ONE_SAMPLE = 2000
SYNC_BYTES = 100 * 1024

EPOCH = 1767225600  # 2026-01-01T00:00:00Z
MODELS = ["anthropic/claude-sonnet-4-5", "anthropic/claude-opus-4-1", "openai/gpt-5-codex"]
TOOLS = ["Edit", "Write", "MultiEdit"]
WORDS = ("the a to of and in is for on with that this it as be by are from at we not or self "
         "return value items store request response error config user data session file line "
         "cache index query result handler client server test assert update delete create "
         "parse format check limit offset count total commit revision trace ledger blame").split()
DIRS = ["src/api", "src/core", "src/storage", "src/util", "src/billing", "tests", "web/src/pages"]
EXTS = [".py", ".ts", ".go", ".rs"]


def iso(t):
    micros = int(round((t - int(t)) * 1e6))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(t))) + ".%06d+00:00" % micros


def hex_of(rng, n):
    return "%0*x" % (n, rng.getrandbits(4 * n))


def uuid_of(rng):
    h = hex_of(rng, 32)
    return "%s-%s-4%s-%x%s-%s" % (h[:8], h[8:12], h[13:16], 8 + rng.randrange(4), h[17:20], h[20:])


def short_hash(text):
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


class Session:
    def __init__(self, rng, project_slug):
        self.id = uuid_of(rng)
        self.cursor = rng.random() < 0.3
        self.tool = "cursor" if self.cursor else "claude-code"
        if self.cursor:
            self.url = "file:///home/dev/.cursor/chats/%s/%s.json" % (project_slug, self.id)
        else:
            self.url = "file:///home/dev/.claude/projects/-home-dev-%s/%s.jsonl" % (project_slug, self.id)
        self.model = rng.choice(MODELS)


def make_range(rng, start, length):
    """A range as the client records it: the whole range's hash plus one hash per line."""
    return {
        "start_line": start,
        "end_line": start + length - 1,
        "content_hash": "sha256:" + hex_of(rng, 16),
        "line_hashes": [{"line_offset": k, "hash": "sha256:" + hex_of(rng, 16)} for k in range(length)],
    }


def make_trace(rng, trace_id, when, revision, session, edits, sequence):
    """edits: [(path, [range, ...])]"""
    files = []
    for path, ranges in edits:
        files.append({
            "path": path,
            "conversations": [{
                "url": session.url,
                "contributor": {"type": "ai", "model_id": session.model},
                "ranges": ranges,
            }],
        })
    return {
        "version": "1.0",
        "id": trace_id,
        "timestamp": iso(when),
        "vcs": {"type": "git", "revision": revision},
        "tool": {"name": session.tool},
        "files": files,
        "metadata": {
            "session_id": session.id,
            "tool_name": rng.choice(TOOLS),
            "tool_use_id": "toolu_" + hex_of(rng, 24),
            "edit_sequence": sequence,
        },
    }


class Project:
    """One project's deterministic history: traces, commits, sessions, blame bodies."""

    def __init__(self, index, transcripts):
        rng = random.Random("%d/project/%d" % (SEED, index))
        self.id = "bench-p%d" % index
        self.sessions = [Session(rng, self.id) for _ in range(max(1, transcripts))]
        self.transcript_count = transcripts
        self.files = ["%s/%s_%d%s" % (rng.choice(DIRS), rng.choice(WORDS), k, rng.choice(EXTS))
                      for k in range(20)]
        # Blamed files: 0 and 1 on the heuristic path, 2 and 3 on the ledger path.
        self.blamed = self.files[:4]
        self.traces = []
        self.commits = []
        self._build(rng)

    def _build(self, rng):
        cursor = {path: 1 + rng.randrange(20) for path in self.files}
        edits_by_file = {path: [] for path in self.files}
        parent = hex_of(rng, 40)
        clock = EPOCH + rng.randrange(3600)
        made = 0
        sequence = 0
        while made < TRACES:
            count = min(rng.randint(*COMMIT_TRACES), TRACES - made)
            sha = hex_of(rng, 40)
            commit = {"sha": sha, "parent": parent, "traces": [], "edits": []}
            for _ in range(count):
                clock += rng.randint(20, 300)
                session = self.sessions[rng.randrange(len(self.sessions))]
                paths = rng.sample(self.files, rng.choice([1, 1, 2]))
                edits = []
                for path in paths:
                    ranges = []
                    for _ in range(rng.choice([1, 1, 2])):
                        length = rng.randint(6, 16)
                        ranges.append(make_range(rng, cursor[path], length))
                        cursor[path] += length + rng.randint(1, 6)
                    edits.append((path, ranges))
                trace_id = uuid_of(rng)
                sequence += 1
                self.traces.append(make_trace(rng, trace_id, clock, parent, session, edits, sequence))
                for path, ranges in edits:
                    for r in ranges:
                        commit["edits"].append((path, r, trace_id, session))
                        edits_by_file[path].append((len(self.commits), r))
                commit["traces"].append(trace_id)
            clock += rng.randint(60, 600)
            commit["time"] = clock
            self.commits.append(commit)
            parent = sha
            made += count
        self.ledger_from = len(self.commits) // 2
        self.blame = {}
        for size, suffix in ((SEGMENTS, ""), (LARGE_SEGMENTS, str(LARGE_SEGMENTS))):
            for k, path in enumerate(self.blamed):
                kind = "heur" if k < 2 else "ledger"
                wanted = [(c, r) for c, r in edits_by_file[path]
                          if (c >= self.ledger_from) == (kind == "ledger")]
                if wanted:
                    span = (self.ledger_from, len(self.commits)) if kind == "ledger" else (0, self.ledger_from)
                    self.blame.setdefault(kind + suffix, []).append(
                        self._blame_body(rng, path, wanted[:size], span, size))

    def _blame_body(self, rng, path, edits, span, size):
        """`size` segments: the AI edits' ranges, the lines between them as human lines written in
        other commits of the same half of the history (span: first, end commit index), and when
        the file has too few AI edits, human lines after them."""
        segments = []
        line = 1
        for c, r in edits:
            if len(segments) >= size:
                break
            commit = self.commits[c]
            if r["start_line"] > line and len(segments) < size - 1:
                other = self.commits[rng.randrange(*span)]
                segments.append(self._segment(line, r["start_line"] - 1, other, short_hash(hex_of(rng, 8))))
            segments.append(self._segment(r["start_line"], r["end_line"], commit, r["content_hash"]))
            line = r["end_line"] + 1
        while len(segments) < size:
            other = self.commits[rng.randrange(*span)]
            segments.append(self._segment(line, line + 4, other, short_hash(hex_of(rng, 8))))
            line += 5
        return {"project_id": self.id, "file_path": path, "blame_data": segments}

    @staticmethod
    def _segment(start, end, commit, content_hash):
        return {"start_line": start, "end_line": end, "commit_sha": commit["sha"],
                "parent_sha": commit["parent"], "content_hash": content_hash,
                "timestamp": iso(commit["time"])[:19] + "+00:00"}

    def commit_link(self, index):
        commit = self.commits[index]
        files_changed = sorted({path for path, _, _, _ in commit["edits"]})
        body = {
            "project_id": self.id,
            "commit_sha": commit["sha"],
            "parent_sha": commit["parent"],
            "trace_ids": commit["traces"],
            "files_changed": files_changed,
            "committed_at": iso(commit["time"])[:19] + "+00:00",
            "created_at": iso(commit["time"] + 0.4),
        }
        if index >= self.ledger_from:
            files = {}
            for path, r, trace_id, session in commit["edits"]:
                runs = files.setdefault(path, {"line_attributions": []})["line_attributions"]
                if r["start_line"] > 1 and not runs:
                    runs.append({"start_line": 1, "end_line": r["start_line"] - 1, "type": "human",
                                 "trace_id": None, "model_id": None, "conversation_url": None})
                runs.append({"start_line": r["start_line"], "end_line": r["end_line"], "type": "ai",
                             "trace_id": trace_id, "model_id": session.model,
                             "conversation_url": session.url})
            body["ledger"] = {
                "version": "1.0", "commit_sha": commit["sha"], "parent_sha": commit["parent"],
                "committed_at": body["committed_at"], "created_at": body["created_at"],
                "trace_ids": commit["traces"], "files": files,
            }
        return body


def transcript(rng, session, size):
    """A transcript of about `size` bytes in the shape of a Claude Code JSONL session log."""
    lines = []
    total = 0
    turn = 0
    while total < size:
        turn += 1
        stamp = iso(EPOCH + turn)
        if turn % 3 == 1:
            message = {"role": "user", "content": sentence(rng, rng.randint(8, 40))}
            kind = "user"
        elif turn % 3 == 2:
            code = "\n".join(sentence(rng, rng.randint(3, 12)) for _ in range(rng.randint(10, 60)))
            message = {"role": "assistant", "content": [
                {"type": "text", "text": sentence(rng, rng.randint(5, 30))},
                {"type": "tool_use", "id": "toolu_%06d" % turn, "name": rng.choice(TOOLS),
                 "input": {"file_path": "/home/dev/repo/src/%s.py" % rng.choice(WORDS), "content": code}}]}
            kind = "assistant"
        else:
            message = {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_%06d" % (turn - 1), "content": "ok"}]}
            kind = "user"
        line = json.dumps({"type": kind, "message": message, "sessionId": session.id,
                           "uuid": "%s-%05d" % (session.id[:8], turn), "timestamp": stamp})
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines) + "\n"


class Client:
    """Keep-alive HTTP connections, one per loading thread."""

    def __init__(self, base_url):
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.token = None
        self.local = threading.local()

    def call(self, method, path, body=None, expect=(200, 201)):
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        for attempt in range(3):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        if response.status not in expect:
            raise SystemExit("seed: %s %s answered %d: %s" % (method, path, response.status, data[:300]))
        return json.loads(data) if data else None


def write(data_dir, name, text):
    with open(os.path.join(data_dir, name), "w") as f:
        f.write(text)


def scenario_files(data_dir, projects):
    rng = random.Random("%d/scenarios" % SEED)
    session = Session(rng, "bench-ingest")
    clock = EPOCH + 90 * 86400

    def fresh_trace(k):
        edits = []
        for path in rng.sample(projects[0].files, 2):
            edits.append((path, [make_range(rng, 10 + 20 * j, rng.randint(5, 8)) for j in range(2)]))
        return make_trace(rng, "@ID@", clock + k, hex_of(rng, 40), session, edits, k)

    write(data_dir, "ingest_single.json",
          json.dumps({"project_id": "bench-ingest", "trace": fresh_trace(0)}))
    write(data_dir, "ingest_batch.json",
          json.dumps({"project_id": "bench-ingest", "items": [{"trace": fresh_trace(k)} for k in range(BATCH)]}))
    sync_session = Session(rng, "bench-conv")
    write(data_dir, "conv_sync.json", json.dumps({
        "project_id": "bench-conv",
        "conversation_contents": [{"url": "@URL@", "content": transcript(rng, sync_session, SYNC_BYTES)}]}))


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: seed.py BASE_URL DATA_DIR")
    base_url, data_dir = sys.argv[1], sys.argv[2]
    os.makedirs(data_dir, exist_ok=True)
    started = time.time()

    per_project = [TRANSCRIPTS // PROJECTS + (1 if i < TRANSCRIPTS % PROJECTS else 0) for i in range(PROJECTS)]
    projects = [Project(i + 1, per_project[i]) for i in range(PROJECTS)]
    scenario_files(data_dir, projects)

    client = Client(base_url)
    client.token = client.call("POST", "/api/v1/tokens/generate", {"user_id": "bench"})["token"]
    write(data_dir, "token", client.token)

    def batches():
        for p in projects:
            for k in range(0, len(p.traces), BATCH):
                yield {"project_id": p.id, "items": [{"trace": t} for t in p.traces[k:k + BATCH]]}

    def links():
        for p in projects:
            for c in range(len(p.commits)):
                yield p.commit_link(c)

    def syncs():
        for p in projects:
            for s in p.sessions[:p.transcript_count]:
                rng = random.Random("%d/transcript/%s" % (SEED, s.id))
                content = transcript(rng, s, rng.randint(50 * 1024, 200 * 1024))
                yield {"project_id": p.id, "conversation_contents": [{"url": s.url, "content": content}]}

    counts = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for name, path, bodies in (("batches", "/api/v1/traces/batch", batches()),
                                   ("commit links", "/api/v1/commit-links", links()),
                                   ("transcripts", "/api/v1/conversations/sync", syncs())):
            futures = [pool.submit(client.call, "POST", path, body) for body in bodies]
            for f in futures:
                f.result()
            counts[name] = len(futures)

    rng = random.Random("%d/sample" % SEED)
    write(data_dir, "projects.tsv", "".join("%s\t%d\n" % (p.id, len(p.traces)) for p in projects))
    all_ids = [(p.id, t["id"]) for p in projects for t in p.traces]
    sample = rng.sample(all_ids, min(GET_ONE_SAMPLE, len(all_ids)))
    write(data_dir, "traces.tsv", "".join("%s\t%s\n" % pair for pair in sample))
    write(data_dir, "conversations.tsv", "".join(
        "%s\t%s\n" % (p.id, s.url) for p in projects for s in p.sessions[:p.transcript_count]))
    for kind in ("heur", "ledger", "heur%d" % LARGE_SEGMENTS, "ledger%d" % LARGE_SEGMENTS):
        write(data_dir, "blame_%s.jsonl" % kind,
              "".join(json.dumps(body) + "\n" for p in projects for body in p.blame.get(kind, [])))

    trace_bytes = sum(len(json.dumps(t)) for p in projects for t in p.traces)
    print("seeded %d projects: %d traces (%.1f KB average) in %d batches, %d commit links "
          "(ledgers on the newer half), %d transcripts; %.1f s"
          % (PROJECTS, len(all_ids), trace_bytes / max(1, len(all_ids)) / 1024, counts["batches"],
             counts["commit links"], counts["transcripts"], time.time() - started))


if __name__ == "__main__":
    main()
