-- A number per project that every write transaction to the project's traces, commit links or
-- conversations raises (Store::GetProjectDataVersion). A reader keeps what it derived from a
-- project's data (a blame answer, a page of a listing) with the number it read before the data,
-- and reuses it while the number stays the same. As with project_counters, each pooled connection
-- raises its own slot, so concurrent writers never wait on one row; the number is the slots' sum.
CREATE TABLE project_data_versions (
  project_id text    NOT NULL,
  slot       integer NOT NULL,
  version    bigint  NOT NULL,
  PRIMARY KEY (project_id, slot)
);
