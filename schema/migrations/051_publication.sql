-- The publication gate (tzcensus-analyze --gate): whether a crawl may be
-- published, and why not. NULL until a gated analysis has looked at it.

ALTER TABLE crawls
    ADD COLUMN publishable boolean,
    ADD COLUMN publication_note text,
    ADD COLUMN publication_checked_at timestamptz;
COMMENT ON COLUMN crawls.publishable IS 'Verdict of the last tzcensus-analyze --gate on this crawl: true = may be published, false = looks broken (see publication_note), NULL = never gated.';
COMMENT ON COLUMN crawls.publication_note IS 'The gate''s reason text: why the crawl was refused, or the checks it passed.';
COMMENT ON COLUMN crawls.publication_checked_at IS 'When the gate last judged this crawl (database clock).';
