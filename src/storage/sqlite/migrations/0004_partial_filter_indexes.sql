-- The session, conversation and hook-event filter indexes hold only the traces that carry the
-- value. A record carries a session id (Claude Code) or a conversation id (Cursor), rarely both,
-- and a hook event only when its hook sent one, so most of these index entries were for '' and
-- every insert paid for them. A filter for a value reads the partial index (the query repeats
-- the index's condition word for word, which is what lets SQLite's planner use it); a filter for
-- '' (traces lacking the value) scans the project by time instead.
DROP INDEX traces_by_session;
DROP INDEX traces_by_conversation;
DROP INDEX traces_by_hook_event;
CREATE INDEX traces_by_session      ON traces (project_id, session_id, ts_us)      WHERE session_id <> '';
CREATE INDEX traces_by_conversation ON traces (project_id, conversation_id, ts_us) WHERE conversation_id <> '';
CREATE INDEX traces_by_hook_event   ON traces (project_id, hook_event, ts_us)      WHERE hook_event <> '';
