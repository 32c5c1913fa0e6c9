-- The conversation look-ups that need no content (blame's summaries, the check for an unchanged
-- upload) read this index instead of the row. In a row, summary and content_sha256 come after the
-- compressed content, and reaching them walked the content's overflow pages: under the blame
-- load that was an eighth of the service's CPU time, mostly reads of pages the small page caches
-- had dropped. (PostgreSQL keeps large contents out of line, so it needs no such index.)
CREATE INDEX conversation_lookups ON conversation_contents (project_id, url, content_sha256, summary);
