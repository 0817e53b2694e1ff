-- Peer text reaches researchers' terminals through psql, which prints a
-- cell's bytes as they are: a chain name holding ESC or BEL could drive the
-- terminal. From now on the writer stores every control character of a
-- text column (U+0001-U+001F, U+007F-U+009F) as the four characters \xHH
-- (lib/db/batch.c, docs/schema.md "Peer text"); the exact bytes stay in
-- chain_name_raw. Rows stored before are rewritten the same way here.

CREATE FUNCTION pg_temp.tz_escape_controls(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT coalesce(string_agg(
               CASE WHEN ascii(c) < 32 OR ascii(c) BETWEEN 127 AND 159
                    THEN '\x' || lpad(to_hex(ascii(c)), 2, '0') ELSE c END,
               '' ORDER BY i), '')
    FROM regexp_split_to_table(t, '') WITH ORDINALITY AS s(c, i)
$$;

UPDATE visits SET chain_name = pg_temp.tz_escape_controls(chain_name)
    WHERE chain_name ~ '[\x01-\x1f\x7f-\x9f]';
UPDATE visits SET error = pg_temp.tz_escape_controls(error)
    WHERE error ~ '[\x01-\x1f\x7f-\x9f]';

COMMENT ON COLUMN visits.chain_name IS 'Chain name the node announced, as text: invalid UTF-8 and NUL replaced by U+FFFD, other control characters written as \xHH (ESC is \x1b). Exact bytes in chain_name_raw.';
COMMENT ON COLUMN visits.error IS 'Detail of a failure (errno text, decoder error, Nack motive name); NULL when none. Control characters written as \xHH.';
