-- Two outcomes that keep local failures and other chains out of the
-- figures of this network (docs/methodology.md, "Definitions"):
--   local_error: the crawler's own side failed (descriptors, memory, an
--     unexpected socket error); the point counts as undialed and is retried;
--   foreign: a valid connection message announcing another chain name.
-- incompatible now means our chain, but no distributed-DB or P2P version in
-- common.

INSERT INTO outcomes (name, code, reached, description) VALUES
    ('local_error', 12, false, 'The crawler''s own side failed (descriptors, memory, socket error): says nothing about the peer; the point counts as undialed.'),
    ('foreign',     13, true,  'A valid connection message announcing another chain name: a node of another network.');
UPDATE outcomes SET description = 'Our chain, but no distributed-DB or P2P version in common.'
    WHERE name = 'incompatible';

ALTER TABLE crawls
    ADD COLUMN n_local_error bigint,
    ADD COLUMN n_foreign bigint;
COMMENT ON COLUMN crawls.n_local_error IS 'Visits with outcome local_error, as reported by the crawler.';
COMMENT ON COLUMN crawls.n_foreign IS 'Visits with outcome foreign, as reported by the crawler.';
