-- point_classes and crawl_summary computed one crawl at a time.
--
-- 052 defined both over every row of visits and advertisements at once
-- (grouped by crawl_id afterwards), so any filter that is not a plain
-- "crawl_id = value" (a vantage, a date range, crawl_id IN (...)) still
-- classified every point of every crawl: on a year of nights of a 3,000-node
-- network (bench/history_bench.sh, bench/RESULTS.md "A year of nights")
-- docs/researchers.md Q1 took 50 s. Here the points of one crawl are
-- classified by crawl_point_classes(crawl), index scans of visits and
-- advertisements by crawl_id, and both views start from crawls and call it
-- in a LATERAL join: a filter on crawls (vantage, chain, status, started_at,
-- id) is applied first and the cost is that of the crawls selected (about
-- 70 ms per crawl of 3,000 nodes). Same columns, same rule, same figures
-- (tests/integration/definitions.sh checks them against the C rule).
--
-- The function runs with jit = off: its estimates of a crawl's rows, taken
-- for any crawl, put the plans over PostgreSQL's JIT threshold, and compiling
-- cost about 1 s per query, more than the work itself. ROWS 50000 (a crawl of
-- a large network; 4,500 points at 3,000 nodes) keeps the planner from
-- joining its public rows to visits one index probe at a time (Q8 of
-- docs/researchers.md: 0.6 s with ROWS 5000, 0.13 s with 50000).
--
-- One difference: advertisements of the listener (008: a NULL crawl_id) no
-- longer form a point_classes group of crawl_id NULL, which no crawl joined.

CREATE FUNCTION crawl_point_classes(crawl bigint)
    RETURNS TABLE (point_id bigint, point text, class point_class, peer_id text, node text)
    LANGUAGE sql STABLE PARALLEL SAFE ROWS 50000 SET jit = off AS $$
    SELECT pts.point_id, p.point,
           coalesce(per.class, 'undialed') AS class,
           pp.peer_id,
           CASE WHEN per.class = 'public' THEN coalesce(pp.peer_id, p.point) END AS node
    FROM (
        SELECT v.point_id FROM visits v WHERE v.crawl_id = crawl
        UNION
        SELECT a.from_point_id FROM advertisements a
        WHERE a.crawl_id = crawl AND a.source <> 'foreign_nack'
        UNION
        SELECT a.to_point_id FROM advertisements a
        WHERE a.crawl_id = crawl AND a.source <> 'foreign_nack'
    ) pts (point_id)
    JOIN points p ON p.id = pts.point_id
    LEFT JOIN (
        SELECT v.point_id, max(visit_point_class(v.outcome, v.peer_id)) AS class
        FROM visits v WHERE v.crawl_id = crawl GROUP BY v.point_id
    ) per ON per.point_id = pts.point_id
    LEFT JOIN (
        SELECT DISTINCT ON (v.point_id) v.point_id, v.peer_id
        FROM visits v WHERE v.crawl_id = crawl AND v.peer_id IS NOT NULL
        ORDER BY v.point_id, v.started_at DESC, v.id DESC
    ) pp ON pp.point_id = pts.point_id
$$;
COMMENT ON FUNCTION crawl_point_classes(bigint) IS 'The points of one crawl (visited, advertising or advertised, foreign_nack lists left out) with their class and, for a public point, its node: the rows of point_classes for that crawl (docs/methodology.md, "Definitions").';

CREATE OR REPLACE VIEW point_classes AS
    SELECT c.id AS crawl_id, x.point_id, x.point, x.class, x.peer_id, x.node
    FROM crawls c CROSS JOIN LATERAL crawl_point_classes(c.id) x;

CREATE OR REPLACE VIEW crawl_summary AS
    SELECT c.id AS crawl_id, c.uuid, c.vantage, c.status, c.started_at, c.finished_at,
           c.finished_at - c.started_at AS duration,
           k.points_discovered, k.points_dialed, k.public_points, k.unreachable_points,
           k.public_nodes,
           v.visits, v.ok, v.nack, v.refused, v.timeout, v.unreachable,
           v.silent_close, v.closed, v.handshake_timeout, v.protocol_error,
           v.incompatible, v.self, v.policy,
           (SELECT count(*) FROM advertisements a WHERE a.crawl_id = c.id) AS advertisements,
           v.local_error, k.foreign_points, k.unverified_points, k.undialed_points,
           CASE WHEN k.public_nodes + k.unverified_points + k.unreachable_points > 0
                THEN k.public_nodes::double precision
                     / (k.public_nodes + k.unverified_points + k.unreachable_points)
                ELSE 0 END AS public_ratio,
           v.foreign_ AS "foreign",
           c.config->>'chain' AS chain,
           c.publishable
    FROM crawls c
    CROSS JOIN LATERAL (
        SELECT count(*) AS points_discovered,
               count(*) FILTER (WHERE pc.class <> 'undialed') AS points_dialed,
               count(*) FILTER (WHERE pc.class = 'public') AS public_points,
               count(*) FILTER (WHERE pc.class = 'foreign') AS foreign_points,
               count(*) FILTER (WHERE pc.class = 'unverified') AS unverified_points,
               count(*) FILTER (WHERE pc.class = 'unreachable') AS unreachable_points,
               count(*) FILTER (WHERE pc.class = 'undialed') AS undialed_points,
               count(DISTINCT pc.node) AS public_nodes
        FROM crawl_point_classes(c.id) pc
    ) k
    CROSS JOIN LATERAL (
        SELECT count(*) AS visits,
               count(*) FILTER (WHERE outcome = 'ok') AS ok,
               count(*) FILTER (WHERE outcome = 'nack') AS nack,
               count(*) FILTER (WHERE outcome = 'refused') AS refused,
               count(*) FILTER (WHERE outcome = 'timeout') AS timeout,
               count(*) FILTER (WHERE outcome = 'unreachable') AS unreachable,
               count(*) FILTER (WHERE outcome = 'silent_close') AS silent_close,
               count(*) FILTER (WHERE outcome = 'closed') AS closed,
               count(*) FILTER (WHERE outcome = 'handshake_timeout') AS handshake_timeout,
               count(*) FILTER (WHERE outcome = 'protocol_error') AS protocol_error,
               count(*) FILTER (WHERE outcome = 'incompatible') AS incompatible,
               count(*) FILTER (WHERE outcome = 'self') AS self,
               count(*) FILTER (WHERE outcome = 'policy') AS policy,
               count(*) FILTER (WHERE outcome = 'local_error') AS local_error,
               count(*) FILTER (WHERE outcome = 'foreign') AS foreign_
        FROM visits WHERE visits.crawl_id = c.id
    ) v;
