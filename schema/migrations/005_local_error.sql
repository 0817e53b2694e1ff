-- A local failure is not a fact about peers (docs/methodology.md,
-- "Definitions"): a visit with outcome local_error (the crawler's own
-- descriptors, memory or sockets failed) does not make its point dialed, so
-- a point with nothing but local_error visits is neither public nor
-- unreachable in crawl_summary. The view gains a local_error column (at the
-- end: CREATE OR REPLACE VIEW keeps the existing columns in place).

CREATE OR REPLACE VIEW crawl_summary AS
    WITH pts AS (
        SELECT crawl_id, point_id FROM visits
        UNION
        SELECT crawl_id, from_point_id FROM advertisements
        UNION
        SELECT crawl_id, to_point_id FROM advertisements
    ), per_point AS (
        SELECT crawl_id, point_id,
               bool_or(outcome NOT IN ('policy', 'local_error')) AS dialed,
               bool_or(peer_id IS NOT NULL) AS public
        FROM visits GROUP BY crawl_id, point_id
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
               count(DISTINCT peer_id) AS public_nodes
        FROM visits GROUP BY crawl_id
    )
    SELECT c.id AS crawl_id, c.uuid, c.vantage, c.status, c.started_at, c.finished_at,
           c.finished_at - c.started_at AS duration,
           (SELECT count(*) FROM pts WHERE pts.crawl_id = c.id) AS points_discovered,
           (SELECT count(*) FROM per_point p WHERE p.crawl_id = c.id AND p.dialed) AS points_dialed,
           (SELECT count(*) FROM per_point p WHERE p.crawl_id = c.id AND p.public) AS public_points,
           (SELECT count(*) FROM per_point p WHERE p.crawl_id = c.id AND p.dialed AND NOT p.public)
               AS unreachable_points,
           coalesce(v.public_nodes, 0) AS public_nodes,
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
           coalesce(v.local_error, 0) AS local_error
    FROM crawls c LEFT JOIN v ON v.crawl_id = c.id;
COMMENT ON COLUMN crawl_summary.points_dialed IS 'Distinct points with at least one visit other than policy and local_error.';
COMMENT ON COLUMN crawl_summary.unreachable_points IS 'Distinct points dialed (a visit other than policy and local_error) that never sent a connection message.';
COMMENT ON COLUMN crawl_summary.local_error IS 'Visits with outcome local_error (the crawler''s own failure; the point was retried).';
