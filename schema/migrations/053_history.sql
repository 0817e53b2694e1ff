-- Node history over comparable crawls (docs/methodology.md, "Node history"):
-- per node (peer id) and vantage, when it was first and last public, in how
-- many comparable crawls it was public out of how many it could have been,
-- and its current streak. Comparable crawls are the ones the trends use
-- (analyzer/load_db.c, docs/researchers.md "Which crawls to compare or
-- publish"): finished, not refused by the publication gate (publishable IS
-- NOT FALSE), grouped by vantage and chain (crawls.config->>'chain').

CREATE VIEW comparable_crawls AS
    SELECT c.id AS crawl_id, c.vantage, c.config->>'chain' AS chain, c.started_at,
           row_number() OVER w AS ordinal,
           count(*) OVER (PARTITION BY c.vantage, c.config->>'chain') AS crawls_total
    FROM crawls c
    WHERE c.status = 'finished' AND c.publishable IS NOT FALSE
    WINDOW w AS (PARTITION BY c.vantage, c.config->>'chain' ORDER BY c.started_at, c.id);
COMMENT ON VIEW comparable_crawls IS 'The crawls trends and node history compare: finished, publishable true or never gated; numbered per vantage and chain in start order.';
COMMENT ON COLUMN comparable_crawls.crawl_id IS 'The crawl.';
COMMENT ON COLUMN comparable_crawls.vantage IS 'Its vantage (crawls.vantage).';
COMMENT ON COLUMN comparable_crawls.chain IS 'The chain it announced (crawls.config->>''chain'').';
COMMENT ON COLUMN comparable_crawls.started_at IS 'When it started.';
COMMENT ON COLUMN comparable_crawls.ordinal IS '1 for the oldest comparable crawl of its vantage and chain, then 2, 3, ...';
COMMENT ON COLUMN comparable_crawls.crawls_total IS 'Comparable crawls of its vantage and chain.';

-- A node is public in a crawl when a visit with its peer id proves a
-- connection message of the crawl's chain (visit_point_class = public, the
-- census rule of 052). The outcomes for which that holds, given a peer id,
-- are taken from visit_point_class() once per outcome rather than once per
-- visit (the same rule, a hundred times cheaper on a year of visits).
CREATE INDEX visits_crawl_peer ON visits (crawl_id, peer_id)
    INCLUDE (outcome, distributed_db_version, p2p_version) WHERE peer_id IS NOT NULL;

CREATE VIEW node_history AS
    WITH po AS (
        SELECT name FROM outcomes WHERE visit_point_class(name, 'id') = 'public'
    ), pub AS (
        SELECT DISTINCT cc.vantage, cc.chain, cc.ordinal, cc.crawls_total, cc.started_at,
               v.peer_id
        FROM visits v JOIN comparable_crawls cc ON cc.crawl_id = v.crawl_id
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
COMMENT ON VIEW node_history IS 'Per node (peer id), vantage and chain, over comparable crawls (comparable_crawls): when it was public first and last, how often, and its current streak (docs/methodology.md, "Node history").';
COMMENT ON COLUMN node_history.peer_id IS 'The node.';
COMMENT ON COLUMN node_history.vantage IS 'Vantage of the crawls counted.';
COMMENT ON COLUMN node_history.chain IS 'Chain of the crawls counted.';
COMMENT ON COLUMN node_history.first_seen IS 'Start of the first comparable crawl in which it was public.';
COMMENT ON COLUMN node_history.last_seen IS 'Start of the latest comparable crawl in which it was public.';
COMMENT ON COLUMN node_history.crawls_public IS 'Comparable crawls in which it was public.';
COMMENT ON COLUMN node_history.crawls_total IS 'Comparable crawls since (and including) the first in which it was public, up to the latest of its vantage and chain.';
COMMENT ON COLUMN node_history.uptime IS 'crawls_public / crawls_total, 0..1.';
COMMENT ON COLUMN node_history.streak IS 'Consecutive comparable crawls, ending with the latest one of its vantage and chain, in which it was public; 0 when not public in the latest.';
