-- Keep trace rows of up to a full page inline and uncompressed. The client's records are 1-3 KB,
-- just above the default threshold (about 2 KB) at which PostgreSQL compresses a row's large
-- values: every insert paid for compressing the record and every read for decompressing it,
-- for little saving on JSON this short. Applies to rows written from now on.
ALTER TABLE traces SET (toast_tuple_target = 8160);
