-- The initial schema. Timestamps are microseconds since the Unix epoch (UTC). Traces keep the
-- record exactly as received plus the values every query filters on, as columns or side tables,
-- so that each query of the Store is an index lookup or range scan, never a scan inside JSON.

CREATE TABLE projects (
  project_id    TEXT    NOT NULL PRIMARY KEY,
  id            TEXT    NOT NULL,  -- UUID shown to clients
  name          TEXT,
  description   TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  visibility    TEXT    NOT NULL DEFAULT 'team',
  owner_user_id TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE project_members (
  project_id TEXT    NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
  user_id    TEXT    NOT NULL,
  added_at   INTEGER NOT NULL,
  PRIMARY KEY (project_id, user_id)
) WITHOUT ROWID;

-- Extracted values are '' when the record lacks them. Indexes end with the implicit rowid (id),
-- which breaks timestamp ties deterministically.
CREATE TABLE traces (
  id              INTEGER PRIMARY KEY,
  project_id      TEXT    NOT NULL,
  trace_id        TEXT    NOT NULL,
  record          TEXT    NOT NULL,
  user_id         TEXT    NOT NULL,
  ts_us           INTEGER NOT NULL,
  revision        TEXT    NOT NULL,
  session_id      TEXT    NOT NULL,
  conversation_id TEXT    NOT NULL,
  hook_event      TEXT    NOT NULL,
  tool_name       TEXT    NOT NULL,
  UNIQUE (project_id, trace_id)
);
CREATE INDEX traces_by_time         ON traces (project_id, ts_us);
CREATE INDEX traces_by_revision     ON traces (project_id, revision, ts_us);
CREATE INDEX traces_by_session      ON traces (project_id, session_id, ts_us);
CREATE INDEX traces_by_conversation ON traces (project_id, conversation_id, ts_us);
CREATE INDEX traces_by_hook_event   ON traces (project_id, hook_event, ts_us);
CREATE INDEX traces_by_tool_name    ON traces (project_id, tool_name, ts_us);

-- One row per distinct files[].path of a trace. The path is stored reversed (by code point) so
-- that "stored path ends with X" is a prefix range scan and "X ends with stored path" is an
-- IN-list of X's reversed suffixes; equality is either.
CREATE TABLE trace_files (
  project_id    TEXT    NOT NULL,
  path_reversed TEXT    NOT NULL,
  ts_us         INTEGER NOT NULL,
  trace_row     INTEGER NOT NULL REFERENCES traces (id),
  PRIMARY KEY (project_id, path_reversed, ts_us, trace_row)
) WITHOUT ROWID;

-- One row per distinct contributor model id of a trace.
CREATE TABLE trace_models (
  project_id TEXT    NOT NULL,
  model_id   TEXT    NOT NULL,
  ts_us      INTEGER NOT NULL,
  trace_row  INTEGER NOT NULL REFERENCES traces (id),
  PRIMARY KEY (project_id, model_id, ts_us, trace_row)
) WITHOUT ROWID;

-- Stored traces per (project, writer), maintained by every trace insert: the unfiltered total of
-- a listing and the project statistics read a few rows here instead of counting traces. `slot`
-- lets concurrent writers add to different rows (the PostgreSQL backend uses one per
-- connection); SQLite has one writer and always uses slot 0.
CREATE TABLE project_counters (
  project_id  TEXT    NOT NULL,
  user_id     TEXT    NOT NULL,
  slot        INTEGER NOT NULL,
  trace_count INTEGER NOT NULL,
  PRIMARY KEY (project_id, user_id, slot)
) WITHOUT ROWID;

CREATE TABLE commit_links (
  id            TEXT    NOT NULL,  -- UUID, kept across replacements
  project_id    TEXT    NOT NULL,
  commit_sha    TEXT    NOT NULL,
  parent_sha    TEXT,
  trace_ids     TEXT    NOT NULL,  -- JSON array of strings
  files_changed TEXT    NOT NULL,  -- JSON array as received
  committed_at  TEXT,              -- as received
  created_at    TEXT    NOT NULL,  -- as received
  ledger        TEXT,              -- JSON object as received
  user_id       TEXT    NOT NULL,
  updated_at    INTEGER NOT NULL,
  UNIQUE (project_id, commit_sha)
);

-- Transcripts, zstd-compressed. content_sha256 (of the uncompressed text) lets an upload of
-- unchanged content skip the write; summary is ConversationSummary(content), so summaries are
-- read without decompressing.
CREATE TABLE conversation_contents (
  project_id     TEXT    NOT NULL,
  url            TEXT    NOT NULL,
  content        BLOB    NOT NULL,
  content_sha256 TEXT    NOT NULL,
  content_size   INTEGER NOT NULL,
  summary        TEXT    NOT NULL,
  user_id        TEXT    NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  UNIQUE (project_id, url)
);

CREATE TABLE api_tokens (
  id          TEXT    NOT NULL PRIMARY KEY,
  user_id     TEXT    NOT NULL,
  scopes      TEXT    NOT NULL,  -- JSON array of strings
  issued_at   INTEGER NOT NULL,
  expires_at  INTEGER,
  revoked_at  INTEGER,
  secret_hash TEXT    NOT NULL   -- hex SHA-256 of the secret, never the secret
) WITHOUT ROWID;
