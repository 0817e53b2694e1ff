-- nodes_per_as grouped one analysis at a time, from an index.
--
-- 054 grouped the public rows of every current analysis at once: on a year
-- of nights of a 3,000-node network (bench/history_bench.sh, bench/RESULTS.md
-- "A year of nights") docs/researchers.md Q19 read the whole node_metrics
-- table (1 million rows) and grouped 700,000 of them in one sort, 1.0-1.1 s,
-- and a filter on the crawls (a vantage, a date range) could not reach the
-- scan through that grouping. Here each analysis's public nodes are grouped
-- by AS in a LATERAL subquery, read from a partial index that holds just
-- what the grouping needs (an index-only scan), so a filter on crawls comes
-- first and the work is per analysis: 0.42-0.58 s for all 244 located
-- nights. Same columns, same rows.

CREATE INDEX node_metrics_public_as ON node_metrics (analysis_id) INCLUDE (asn, as_name)
    WHERE class = 'public';

CREATE OR REPLACE VIEW nodes_per_as AS
    WITH cur AS (
        SELECT DISTINCT ON (crawl_id) id, crawl_id, location_db_created
        FROM analyses
        ORDER BY crawl_id, computed_at DESC, id DESC
    )
    SELECT cur.crawl_id, c.started_at, c.vantage, cur.location_db_created,
           g.asn, g.as_name, g.nodes
    FROM cur
    JOIN crawls c ON c.id = cur.crawl_id
    CROSS JOIN LATERAL (
        SELECT n.asn, max(n.as_name) AS as_name, count(*) AS nodes
        FROM node_metrics n
        WHERE n.analysis_id = cur.id AND n.class = 'public'
        GROUP BY n.asn
    ) g
    WHERE cur.location_db_created IS NOT NULL;
