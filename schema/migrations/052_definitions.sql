-- The census definitions (docs/methodology.md, "Definitions"), the same rule
-- as lib/db/census.h: each point of a crawl is exactly one of public,
-- foreign, unverified, unreachable or undialed; nodes are the public points
-- merged by peer id; the public ratio is public nodes / (public nodes +
-- unverified points + unreachable points). tests/unit/test_census.c checks
-- that visit_point_class() and the C rule agree on every outcome.

-- Weakest first: a point takes the highest class among its visits (max()).
CREATE TYPE point_class AS ENUM ('undialed', 'unreachable', 'unverified', 'foreign', 'public');
COMMENT ON TYPE point_class IS 'Class of a point in a crawl, weakest first (docs/methodology.md, "Definitions").';

CREATE FUNCTION visit_point_class(outcome text, peer_id text) RETURNS point_class
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE
        WHEN outcome IN ('policy', 'self', 'local_error') THEN 'undialed'
        WHEN outcome = 'foreign' THEN 'foreign'
        WHEN outcome IN ('ok', 'nack', 'incompatible') THEN 'public'
        WHEN outcome IN ('refused', 'timeout', 'unreachable') THEN 'unreachable'
        WHEN outcome IN ('silent_close', 'closed', 'handshake_timeout', 'protocol_error')
            THEN CASE WHEN peer_id IS NULL THEN 'unverified' ELSE 'public' END
        ELSE 'undialed'
    END)::point_class
$$;
COMMENT ON FUNCTION visit_point_class(text, text) IS 'What one visit proves about its point: public (a connection message of our chain, whatever followed), foreign (another chain), unverified (TCP connected, no valid connection message), unreachable (refused, timeout, no route), undialed (policy, self, local_error). peer_id: the visit''s peer id (NULL when no connection message arrived).';

CREATE VIEW point_classes AS
    WITH pts AS (
        SELECT crawl_id, point_id FROM visits
        UNION
        SELECT crawl_id, from_point_id FROM advertisements WHERE source <> 'foreign_nack'
        UNION
        SELECT crawl_id, to_point_id FROM advertisements WHERE source <> 'foreign_nack'
    ), per AS (
        SELECT crawl_id, point_id, max(visit_point_class(outcome, peer_id)) AS class
        FROM visits GROUP BY crawl_id, point_id
    )
    SELECT pts.crawl_id, pts.point_id, p.point,
           coalesce(per.class, 'undialed') AS class,
           pp.peer_id,
           CASE WHEN per.class = 'public' THEN coalesce(pp.peer_id, p.point) END AS node
    FROM pts
    JOIN points p ON p.id = pts.point_id
    LEFT JOIN per ON per.crawl_id = pts.crawl_id AND per.point_id = pts.point_id
    LEFT JOIN point_peers pp ON pp.crawl_id = pts.crawl_id AND pp.point_id = pts.point_id;
COMMENT ON VIEW point_classes IS 'Per crawl, every point visited, advertising or advertised (not counting what nodes of another chain listed: source foreign_nack), with its class (the highest class of its visits; undialed when never dialed) and, for a public point, the node it belongs to.';
COMMENT ON COLUMN point_classes.crawl_id IS 'The crawl.';
COMMENT ON COLUMN point_classes.point_id IS 'The point.';
COMMENT ON COLUMN point_classes.point IS 'Its text.';
COMMENT ON COLUMN point_classes.class IS 'public, foreign, unverified, unreachable or undialed (docs/methodology.md, "Definitions").';
COMMENT ON COLUMN point_classes.peer_id IS 'Peer id its latest connection message revealed (also for foreign points); NULL when none.';
COMMENT ON COLUMN point_classes.node IS 'For a public point: the node (its peer id; the point text in the rare case of none). NULL otherwise. count(DISTINCT node) = public nodes.';

-- Same columns as 002's crawl_summary (and 005's local_error after them),
-- with the census definitions behind points_dialed, public_points,
-- unreachable_points and public_nodes, and the new ones appended
-- (CREATE OR REPLACE VIEW keeps existing columns in place).
CREATE OR REPLACE VIEW crawl_summary AS
    WITH cls AS (
        SELECT crawl_id,
               count(*) AS points_discovered,
               count(*) FILTER (WHERE class <> 'undialed') AS points_dialed,
               count(*) FILTER (WHERE class = 'public') AS public_points,
               count(*) FILTER (WHERE class = 'foreign') AS foreign_points,
               count(*) FILTER (WHERE class = 'unverified') AS unverified_points,
               count(*) FILTER (WHERE class = 'unreachable') AS unreachable_points,
               count(*) FILTER (WHERE class = 'undialed') AS undialed_points,
               count(DISTINCT node) AS public_nodes
        FROM point_classes GROUP BY crawl_id
    ), v AS (
        SELECT crawl_id,
               count(*) AS visits,
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
        FROM visits GROUP BY crawl_id
    )
    SELECT c.id AS crawl_id, c.uuid, c.vantage, c.status, c.started_at, c.finished_at,
           c.finished_at - c.started_at AS duration,
           coalesce(k.points_discovered, 0) AS points_discovered,
           coalesce(k.points_dialed, 0) AS points_dialed,
           coalesce(k.public_points, 0) AS public_points,
           coalesce(k.unreachable_points, 0) AS unreachable_points,
           coalesce(k.public_nodes, 0) AS public_nodes,
           coalesce(v.visits, 0) AS visits,
           coalesce(v.ok, 0) AS ok, coalesce(v.nack, 0) AS nack,
           coalesce(v.refused, 0) AS refused, coalesce(v.timeout, 0) AS timeout,
           coalesce(v.unreachable, 0) AS unreachable,
           coalesce(v.silent_close, 0) AS silent_close, coalesce(v.closed, 0) AS closed,
           coalesce(v.handshake_timeout, 0) AS handshake_timeout,
           coalesce(v.protocol_error, 0) AS protocol_error,
           coalesce(v.incompatible, 0) AS incompatible, coalesce(v.self, 0) AS self,
           coalesce(v.policy, 0) AS policy,
           (SELECT count(*) FROM advertisements a WHERE a.crawl_id = c.id) AS advertisements,
           coalesce(v.local_error, 0) AS local_error,
           coalesce(k.foreign_points, 0) AS foreign_points,
           coalesce(k.unverified_points, 0) AS unverified_points,
           coalesce(k.undialed_points, 0) AS undialed_points,
           CASE WHEN coalesce(k.public_nodes + k.unverified_points + k.unreachable_points, 0) > 0
                THEN k.public_nodes::double precision
                     / (k.public_nodes + k.unverified_points + k.unreachable_points)
                ELSE 0 END AS public_ratio,
           coalesce(v.foreign_, 0) AS "foreign",
           c.config->>'chain' AS chain,
           c.publishable
    FROM crawls c LEFT JOIN cls k ON k.crawl_id = c.id LEFT JOIN v ON v.crawl_id = c.id;
COMMENT ON VIEW crawl_summary IS 'Per crawl: the census figures (docs/methodology.md, "Definitions": points by class, public nodes, public ratio) and visits by outcome, recounted from visits and advertisements.';
COMMENT ON COLUMN crawl_summary.points_discovered IS 'Distinct points visited, advertising or advertised in this crawl (= public + foreign + unverified + unreachable + undialed points).';
COMMENT ON COLUMN crawl_summary.points_dialed IS 'Points whose class is not undialed (public + foreign + unverified + unreachable points).';
COMMENT ON COLUMN crawl_summary.public_points IS 'Points of class public: a valid connection message announcing the crawl''s chain in some visit.';
COMMENT ON COLUMN crawl_summary.unreachable_points IS 'Points of class unreachable: every attempt refused, timed out or without a route.';
COMMENT ON COLUMN crawl_summary.public_nodes IS 'Public nodes: public points merged by peer id (the census headline).';
COMMENT ON COLUMN crawl_summary.foreign_points IS 'Points of class foreign: a valid connection message announcing another chain.';
COMMENT ON COLUMN crawl_summary.unverified_points IS 'Points of class unverified: TCP connected, no valid connection message (silent close, handshake timeout, garbage).';
COMMENT ON COLUMN crawl_summary.undialed_points IS 'Points of class undialed: never dialed (policy, self, not reached) or dialed only into local_error.';
COMMENT ON COLUMN crawl_summary.public_ratio IS 'public_nodes / (public_nodes + unverified_points + unreachable_points); 0 when that is 0. Foreign and undialed points are left out.';
COMMENT ON COLUMN crawl_summary.local_error IS 'Visits with outcome local_error.';
COMMENT ON COLUMN crawl_summary."foreign" IS 'Visits with outcome foreign.';
COMMENT ON COLUMN crawl_summary.chain IS 'Chain name the crawl announced (its config); compare only crawls of one chain and one vantage.';
COMMENT ON COLUMN crawl_summary.publishable IS 'The publication gate''s verdict (crawls.publishable): true accepted, false refused, NULL never gated. Trends use crawls where it IS NOT FALSE.';

COMMENT ON VIEW latest_crawl IS 'The most recently started finished crawl (one row), whatever its vantage and its publication verdict. For a figure to publish or compare, filter crawls instead: status = ''finished'', one vantage, one chain (config->>''chain''), publishable IS NOT FALSE (docs/researchers.md).';

ALTER TABLE node_metrics DROP CONSTRAINT IF EXISTS node_metrics_class_check;
ALTER TABLE node_metrics ADD CONSTRAINT node_metrics_class_check
    CHECK (class IN ('public', 'foreign', 'unverified', 'unreachable', 'undialed'));
COMMENT ON COLUMN node_metrics.class IS 'Class of the node (docs/methodology.md, "Definitions"): public, foreign, unverified, unreachable or undialed; a node with several points has the highest class among them.';
