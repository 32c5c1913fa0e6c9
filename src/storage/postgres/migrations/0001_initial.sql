-- The initial schema. Timestamps are microseconds since the Unix epoch (UTC) in bigint. Traces
-- keep the record exactly as received in a text column (jsonb parsing would cap the insert rate)
-- plus the values every query filters on, as columns or side tables, so that each query of the
-- Store is an index lookup or range scan. Side tables carry no foreign keys: a per-row trigger
-- check would cost more on bulk ingest than it protects (rows are only ever written together
-- with their trace, in one statement).

CREATE TABLE projects (
  project_id    text   NOT NULL PRIMARY KEY,
  id            text   NOT NULL,  -- UUID shown to clients
  name          text,
  description   text,
  created_at    bigint NOT NULL,
  updated_at    bigint NOT NULL,
  visibility    text   NOT NULL DEFAULT 'team',
  owner_user_id text   NOT NULL
);

CREATE TABLE project_members (
  project_id text   NOT NULL REFERENCES projects (project_id) ON DELETE CASCADE,
  user_id    text   NOT NULL,
  added_at   bigint NOT NULL,
  PRIMARY KEY (project_id, user_id)
);

-- Extracted values are '' when the record lacks them. Every index ends with (ts_us, id): the
-- listing order, with id breaking timestamp ties deterministically.
CREATE TABLE traces (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id      text   NOT NULL,
  trace_id        text   NOT NULL,
  record          text   NOT NULL,
  user_id         text   NOT NULL,
  ts_us           bigint NOT NULL,
  revision        text   NOT NULL,
  session_id      text   NOT NULL,
  conversation_id text   NOT NULL,
  hook_event      text   NOT NULL,
  tool_name       text   NOT NULL,
  UNIQUE (project_id, trace_id)
);
CREATE INDEX traces_by_time         ON traces (project_id, ts_us, id);
CREATE INDEX traces_by_revision     ON traces (project_id, revision, ts_us, id);
CREATE INDEX traces_by_session      ON traces (project_id, session_id, ts_us, id);
CREATE INDEX traces_by_conversation ON traces (project_id, conversation_id, ts_us, id);
CREATE INDEX traces_by_hook_event   ON traces (project_id, hook_event, ts_us, id);
CREATE INDEX traces_by_tool_name    ON traces (project_id, tool_name, ts_us, id);

-- One row per distinct files[].path of a trace. The path is stored reversed (by code point, as
-- bytes, so no collation applies) so that "stored path ends with X" is a prefix range scan and
-- "X ends with stored path" is a lookup of X's reversed suffixes; equality is either.
CREATE TABLE trace_files (
  project_id    text   NOT NULL,
  path_reversed bytea  NOT NULL,
  ts_us         bigint NOT NULL,
  trace_row     bigint NOT NULL,
  PRIMARY KEY (project_id, path_reversed, ts_us, trace_row)
);

-- One row per distinct contributor model id of a trace.
CREATE TABLE trace_models (
  project_id text   NOT NULL,
  model_id   text   NOT NULL,
  ts_us      bigint NOT NULL,
  trace_row  bigint NOT NULL,
  PRIMARY KEY (project_id, model_id, ts_us, trace_row)
);

-- Stored traces per (project, writer), maintained by every trace insert: the unfiltered total of
-- a listing and the project statistics read a few rows here instead of counting traces. Each
-- pooled connection adds to its own `slot`, so concurrent inserts never wait on one counter row.
CREATE TABLE project_counters (
  project_id  text    NOT NULL,
  user_id     text    NOT NULL,
  slot        integer NOT NULL,
  trace_count bigint  NOT NULL,
  PRIMARY KEY (project_id, user_id, slot)
);

CREATE TABLE commit_links (
  id            text   NOT NULL,  -- UUID, kept across replacements
  project_id    text   NOT NULL,
  commit_sha    text   NOT NULL,
  parent_sha    text,
  trace_ids     text   NOT NULL,  -- JSON array of strings
  files_changed text   NOT NULL,  -- JSON array as received
  committed_at  text,             -- as received
  created_at    text   NOT NULL,  -- as received
  ledger        text,             -- JSON object as received
  user_id       text   NOT NULL,
  updated_at    bigint NOT NULL,
  PRIMARY KEY (project_id, commit_sha)
);

-- Transcripts, zstd-compressed by the service (STORAGE EXTERNAL: no second compression by
-- TOAST). content_sha256 (of the uncompressed text) lets an upload of unchanged content skip the
-- write; summary is ConversationSummary(content), so summaries are read without the content.
CREATE TABLE conversation_contents (
  project_id     text   NOT NULL,
  url            text   NOT NULL,
  content        bytea  NOT NULL,
  content_sha256 text   NOT NULL,
  content_size   bigint NOT NULL,
  summary        text   NOT NULL,
  user_id        text   NOT NULL,
  created_at     bigint NOT NULL,
  updated_at     bigint NOT NULL,
  PRIMARY KEY (project_id, url)
);
ALTER TABLE conversation_contents ALTER COLUMN content SET STORAGE EXTERNAL;

CREATE TABLE api_tokens (
  id          text   NOT NULL PRIMARY KEY,
  user_id     text   NOT NULL,
  scopes      text   NOT NULL,  -- JSON array of strings
  issued_at   bigint NOT NULL,
  expires_at  bigint,
  revoked_at  bigint,
  secret_hash text   NOT NULL   -- hex SHA-256 of the secret, never the secret
);
