-- Retention (tzcensus-crawl --prune-days N): the figures of a crawl whose
-- visits and advertisements were removed. crawl_summary is a view over
-- visits, so a pruned crawl would read as zeros there; its row, taken just
-- before the rows went, is kept here. Crawl rows, analyses and node_metrics
-- are never pruned.

CREATE TABLE crawl_totals (
    crawl_id                bigint PRIMARY KEY REFERENCES crawls (id) ON DELETE CASCADE,
    pruned_at               timestamptz NOT NULL DEFAULT now(),
    visits_removed          bigint NOT NULL,
    advertisements_removed  bigint NOT NULL,
    summary                 jsonb NOT NULL
);
COMMENT ON TABLE crawl_totals IS 'One row per crawl whose visits and advertisements were removed by tzcensus-crawl --prune-days: its crawl_summary row as it was just before (crawl_summary reads zeros for it afterwards).';
COMMENT ON COLUMN crawl_totals.crawl_id IS 'The pruned crawl.';
COMMENT ON COLUMN crawl_totals.pruned_at IS 'When its rows were removed (database clock).';
COMMENT ON COLUMN crawl_totals.visits_removed IS 'Visit rows removed.';
COMMENT ON COLUMN crawl_totals.advertisements_removed IS 'Advertisement rows removed.';
COMMENT ON COLUMN crawl_totals.summary IS 'The crawl''s crawl_summary row as a JSON object (same keys as the view''s columns, e.g. summary->>''public_nodes'').';
