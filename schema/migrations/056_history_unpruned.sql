-- Node history counts only the crawls whose visits are still there. A crawl
-- pruned by tzcensus-crawl --prune-days (its row in crawl_totals) stays
-- comparable for the trends, which read its stored analysis, but its visits
-- are gone: counted in node_history it would read as a night in which no
-- node was public, lowering every uptime and cutting every streak. So the
-- view numbers the comparable crawls that were not pruned (the analyzer's
-- node history, analyzer/load_db.c, does the same; docs/methodology.md,
-- "Node history").

CREATE VIEW history_crawls AS
    SELECT c.crawl_id, c.vantage, c.chain, c.started_at,
           row_number() OVER w AS ordinal,
           count(*) OVER (PARTITION BY c.vantage, c.chain) AS crawls_total
    FROM comparable_crawls c
    WHERE NOT EXISTS (SELECT 1 FROM crawl_totals t WHERE t.crawl_id = c.crawl_id)
    WINDOW w AS (PARTITION BY c.vantage, c.chain ORDER BY c.started_at, c.crawl_id);
COMMENT ON VIEW history_crawls IS 'The comparable crawls (comparable_crawls) whose visits were not pruned (no crawl_totals row), numbered per vantage and chain in start order: the crawls node_history counts.';
COMMENT ON COLUMN history_crawls.crawl_id IS 'The crawl.';
COMMENT ON COLUMN history_crawls.vantage IS 'Its vantage (crawls.vantage).';
COMMENT ON COLUMN history_crawls.chain IS 'The chain it announced (crawls.config->>''chain'').';
COMMENT ON COLUMN history_crawls.started_at IS 'When it started.';
COMMENT ON COLUMN history_crawls.ordinal IS '1 for the oldest such crawl of its vantage and chain, then 2, 3, ...';
COMMENT ON COLUMN history_crawls.crawls_total IS 'Such crawls of its vantage and chain.';

CREATE OR REPLACE VIEW node_history AS
    WITH po AS (
        SELECT name FROM outcomes WHERE visit_point_class(name, 'id') = 'public'
    ), pub AS (
        SELECT DISTINCT hc.vantage, hc.chain, hc.ordinal, hc.crawls_total, hc.started_at,
               v.peer_id
        FROM visits v JOIN history_crawls hc ON hc.crawl_id = v.crawl_id
        WHERE v.peer_id IS NOT NULL AND v.outcome IN (SELECT name FROM po)
    ), ranked AS (
        SELECT pub.*,
               row_number() OVER (PARTITION BY peer_id, vantage, chain
                                  ORDER BY ordinal DESC) AS back
        FROM pub
    )
    SELECT peer_id, vantage, chain,
           min(started_at) AS first_seen,
           max(started_at) AS last_seen,
           count(*) AS crawls_public,
           max(crawls_total) - min(ordinal) + 1 AS crawls_total,
           count(*)::double precision / (max(crawls_total) - min(ordinal) + 1) AS uptime,
           count(*) FILTER (WHERE ordinal = crawls_total - back + 1) AS streak
    FROM ranked
    GROUP BY peer_id, vantage, chain;
COMMENT ON VIEW node_history IS 'Per node (peer id), vantage and chain, over the comparable crawls whose visits were not pruned (history_crawls): when it was public first and last, how often, and its current streak (docs/methodology.md, "Node history").';
COMMENT ON COLUMN node_history.crawls_total IS 'Comparable, unpruned crawls since (and including) the first in which it was public, up to the latest of its vantage and chain.';
