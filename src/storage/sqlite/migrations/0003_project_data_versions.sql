-- A number per project that every write transaction to the project's traces, commit links or
-- conversations raises (Store::GetProjectDataVersion). A reader keeps what it derived from a
-- project's data (a blame answer, a page of a listing) with the number it read before the data,
-- and reuses it while the number stays the same. SQLite has one writer, so one slot suffices; the
-- column exists so that both backends read the number the same way (the slots' sum).
CREATE TABLE project_data_versions (
  project_id text    NOT NULL,
  slot       integer NOT NULL,
  version    integer NOT NULL,
  PRIMARY KEY (project_id, slot)
) WITHOUT ROWID;
