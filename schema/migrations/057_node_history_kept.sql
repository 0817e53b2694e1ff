-- node_history read from a kept table when it is current, computed from
-- visits only when it is not.
--
-- 056's node_history aggregates every public visit of every history crawl:
-- on a year of nights of a 3,000-node network (bench/history_bench.sh,
-- bench/RESULTS.md "A year of nights") that is about a million (peer id,
-- crawl) pairs and 3.7 s per query, growing with nights x nodes. Here its
-- rows are kept in node_history_kept, per vantage and chain, together with
-- the set of crawls they were computed from (node_history_kept_crawls);
-- node_history_refresh() recomputes the vantages and chains whose set is no
-- longer that of history_crawls. tzcensus-analyze --db calls it after
-- storing an analysis (the nightly job), tzcensus-crawl --prune-days after
-- pruning.
--
-- The view is never stale: for a vantage and chain whose kept set differs
-- from history_crawls in any way (a new crawl, a pruned one, a gate verdict
-- that made one incomparable, a journal replayed late, a refresh never run)
-- it computes the rows from visits as 056 did, so it is only slower until
-- the next refresh. With the sets equal the kept rows are what the
-- computation would give: a crawl in history_crawls is finished, its visits
-- do not change afterwards, and pruning takes it out of history_crawls.

CREATE TABLE node_history_kept (
    peer_id       text NOT NULL,
    vantage       text,
    chain         text,
    first_seen    timestamptz NOT NULL,
    last_seen     timestamptz NOT NULL,
    crawls_public bigint NOT NULL,
    crawls_total  bigint NOT NULL,
    uptime        double precision NOT NULL,
    streak        bigint NOT NULL
);
CREATE INDEX node_history_kept_node ON node_history_kept (vantage, chain, peer_id);
COMMENT ON TABLE node_history_kept IS 'The rows of node_history as computed by node_history_refresh() from the crawls listed in node_history_kept_crawls; node_history reads them only while that list is the vantage and chain''s history_crawls.';
COMMENT ON COLUMN node_history_kept.peer_id IS 'The node (peer id).';
COMMENT ON COLUMN node_history_kept.vantage IS 'The vantage (crawls.vantage).';
COMMENT ON COLUMN node_history_kept.chain IS 'The chain (crawls.config->>''chain'').';
COMMENT ON COLUMN node_history_kept.first_seen IS 'Start of the first history crawl it was public in.';
COMMENT ON COLUMN node_history_kept.last_seen IS 'Start of the latest history crawl it was public in.';
COMMENT ON COLUMN node_history_kept.crawls_public IS 'History crawls it was public in.';
COMMENT ON COLUMN node_history_kept.crawls_total IS 'History crawls from its first to the latest of its vantage and chain.';
COMMENT ON COLUMN node_history_kept.uptime IS 'crawls_public / crawls_total.';
COMMENT ON COLUMN node_history_kept.streak IS 'Consecutive latest history crawls it was public in; 0 when not in the latest.';

CREATE TABLE node_history_kept_crawls (
    crawl_id bigint PRIMARY KEY,
    vantage  text,
    chain    text
);
COMMENT ON TABLE node_history_kept_crawls IS 'The history crawls node_history_kept was computed from, per vantage and chain.';
COMMENT ON COLUMN node_history_kept_crawls.crawl_id IS 'A crawl the kept rows count.';
COMMENT ON COLUMN node_history_kept_crawls.vantage IS 'Its vantage.';
COMMENT ON COLUMN node_history_kept_crawls.chain IS 'Its chain.';

-- The outcomes that make a node public (visit_point_class, 052), as an array.
CREATE FUNCTION public_outcomes() RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT name FROM outcomes WHERE visit_point_class(name, 'id') = 'public')
$$;

-- The vantages and chains whose kept rows are current: every history crawl
-- kept and every kept crawl still a history crawl.
CREATE VIEW node_history_current AS
    SELECT coalesce(h.vantage, k.vantage) AS vantage, coalesce(h.chain, k.chain) AS chain
    FROM history_crawls h
    FULL JOIN node_history_kept_crawls k ON k.crawl_id = h.crawl_id
    GROUP BY 1, 2
    HAVING bool_and(h.crawl_id IS NOT NULL AND k.crawl_id IS NOT NULL);
COMMENT ON VIEW node_history_current IS 'Vantages and chains whose node_history_kept rows were computed from exactly their history_crawls.';
COMMENT ON COLUMN node_history_current.vantage IS 'A vantage whose kept rows are current (with chain).';
COMMENT ON COLUMN node_history_current.chain IS 'Its chain.';

-- 056's computation, for the vantages and chains that are not current. The
-- restriction sits on the crawls joined to visits, so a current vantage and
-- chain costs no scan of visits. Two changes of plan, not of result: the
-- public outcomes are an array computed once per query (a scalar subquery;
-- as a join the planner may call visit_point_class() once per visit, 6.6 s
-- of a year's 7.4 s), and
-- the window sorts peer ids bytewise (COLLATE "C": the same partitions, a
-- fifth less time than the database's collation).
CREATE VIEW node_history_computed AS
    WITH hc AS (
        SELECT h.* FROM history_crawls h
        WHERE NOT EXISTS (SELECT 1 FROM node_history_current c
                          WHERE c.vantage IS NOT DISTINCT FROM h.vantage AND c.chain IS NOT DISTINCT FROM h.chain)
    ), pub AS (
        SELECT DISTINCT hc.vantage, hc.chain, hc.ordinal, hc.crawls_total, hc.started_at,
               v.peer_id
        FROM visits v JOIN hc ON hc.crawl_id = v.crawl_id
        WHERE v.peer_id IS NOT NULL AND v.outcome = ANY ((SELECT public_outcomes())::text[])
    ), ranked AS (
        SELECT pub.*,
               row_number() OVER (PARTITION BY peer_id COLLATE "C", vantage, chain
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
COMMENT ON VIEW node_history_computed IS 'node_history computed from visits, for the vantages and chains not in node_history_current.';
COMMENT ON COLUMN node_history_computed.peer_id IS 'The node (peer id).';
COMMENT ON COLUMN node_history_computed.vantage IS 'The vantage (crawls.vantage).';
COMMENT ON COLUMN node_history_computed.chain IS 'The chain (crawls.config->>''chain'').';
COMMENT ON COLUMN node_history_computed.first_seen IS 'Start of the first history crawl it was public in.';
COMMENT ON COLUMN node_history_computed.last_seen IS 'Start of the latest history crawl it was public in.';
COMMENT ON COLUMN node_history_computed.crawls_public IS 'History crawls it was public in.';
COMMENT ON COLUMN node_history_computed.crawls_total IS 'History crawls from its first to the latest of its vantage and chain.';
COMMENT ON COLUMN node_history_computed.uptime IS 'crawls_public / crawls_total.';
COMMENT ON COLUMN node_history_computed.streak IS 'Consecutive latest history crawls it was public in; 0 when not in the latest.';

CREATE OR REPLACE VIEW node_history AS
    SELECT k.peer_id, k.vantage, k.chain, k.first_seen, k.last_seen, k.crawls_public,
           k.crawls_total, k.uptime, k.streak
    FROM node_history_kept k
    WHERE EXISTS (SELECT 1 FROM node_history_current c
                  WHERE c.vantage IS NOT DISTINCT FROM k.vantage AND c.chain IS NOT DISTINCT FROM k.chain)
    UNION ALL
    SELECT * FROM node_history_computed;
COMMENT ON VIEW node_history IS 'Per node (peer id), vantage and chain, over the comparable crawls whose visits were not pruned (history_crawls): when it was public first and last, how often, and its current streak (docs/methodology.md, "Node history"). Read from node_history_kept where it is current, else computed from visits.';

-- Brings the kept rows of every vantage and chain that is not current up to
-- date; returns how many it touched (0: all current). When the only change
-- is crawls newer than every kept one (a night added), each new crawl is
-- applied in start order: its public nodes gain a crawl and a step of
-- streak, every other node a crawl total and a streak of 0, new nodes
-- start at 1 (one crawl's visits read, about 0.1 s). Any other change (a
-- crawl pruned or no longer comparable, an older crawl replayed late, no
-- kept rows yet) recomputes the vantage and chain from visits (about 7 s at
-- a year of a 3,000-node network). One refresh at a time per database (an
-- advisory lock); readers see the old rows or the new ones.
CREATE FUNCTION node_history_refresh() RETURNS integer
    LANGUAGE plpgsql SET jit = off SET work_mem = '256MB' AS $$
DECLARE
    s record;
    x record;
    newest record;
    pubs text[] := public_outcomes();
    n integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('node_history_refresh'));
    FOR s IN
        SELECT DISTINCT coalesce(h.vantage, k.vantage) AS vantage,
                        coalesce(h.chain, k.chain) AS chain
        FROM history_crawls h FULL JOIN node_history_kept_crawls k ON k.crawl_id = h.crawl_id
        EXCEPT
        SELECT vantage, chain FROM node_history_current
    LOOP
        n := n + 1;
        SELECT c.started_at, c.id INTO newest
        FROM node_history_kept_crawls k JOIN crawls c ON c.id = k.crawl_id
        WHERE k.vantage IS NOT DISTINCT FROM s.vantage AND k.chain IS NOT DISTINCT FROM s.chain
        ORDER BY c.started_at DESC, c.id DESC LIMIT 1;
        IF FOUND
           AND NOT EXISTS (  -- every kept crawl is still a history crawl
               SELECT 1 FROM node_history_kept_crawls k
               WHERE k.vantage IS NOT DISTINCT FROM s.vantage AND k.chain IS NOT DISTINCT FROM s.chain
                 AND NOT EXISTS (SELECT 1 FROM history_crawls h WHERE h.crawl_id = k.crawl_id))
           AND NOT EXISTS (  -- every crawl not kept is newer than the kept ones
               SELECT 1 FROM history_crawls h
               WHERE h.vantage IS NOT DISTINCT FROM s.vantage AND h.chain IS NOT DISTINCT FROM s.chain
                 AND NOT EXISTS (SELECT 1 FROM node_history_kept_crawls k
                                 WHERE k.crawl_id = h.crawl_id)
                 AND (h.started_at, h.crawl_id) < (newest.started_at, newest.id))
        THEN
            FOR x IN
                SELECT h.crawl_id, h.started_at FROM history_crawls h
                WHERE h.vantage IS NOT DISTINCT FROM s.vantage AND h.chain IS NOT DISTINCT FROM s.chain
                  AND NOT EXISTS (SELECT 1 FROM node_history_kept_crawls k
                                  WHERE k.crawl_id = h.crawl_id)
                ORDER BY h.started_at, h.crawl_id
            LOOP
                UPDATE node_history_kept k
                SET crawls_total = k.crawls_total + 1,
                    uptime = k.crawls_public::double precision / (k.crawls_total + 1),
                    streak = 0
                WHERE k.vantage IS NOT DISTINCT FROM s.vantage AND k.chain IS NOT DISTINCT FROM s.chain
                  AND k.peer_id NOT IN (SELECT v.peer_id FROM visits v
                                        WHERE v.crawl_id = x.crawl_id AND v.peer_id IS NOT NULL
                                          AND v.outcome = ANY (pubs));
                UPDATE node_history_kept k
                SET crawls_public = k.crawls_public + 1,
                    crawls_total = k.crawls_total + 1,
                    uptime = (k.crawls_public + 1)::double precision / (k.crawls_total + 1),
                    streak = k.streak + 1,
                    last_seen = x.started_at
                WHERE k.vantage IS NOT DISTINCT FROM s.vantage AND k.chain IS NOT DISTINCT FROM s.chain
                  AND k.peer_id IN (SELECT v.peer_id FROM visits v
                                    WHERE v.crawl_id = x.crawl_id AND v.peer_id IS NOT NULL
                                      AND v.outcome = ANY (pubs));
                INSERT INTO node_history_kept
                    SELECT DISTINCT v.peer_id, s.vantage, s.chain, x.started_at, x.started_at,
                           1, 1, 1, 1
                    FROM visits v
                    WHERE v.crawl_id = x.crawl_id AND v.peer_id IS NOT NULL
                      AND v.outcome = ANY (pubs)
                      AND NOT EXISTS (SELECT 1 FROM node_history_kept k
                                      WHERE k.vantage IS NOT DISTINCT FROM s.vantage
                                        AND k.chain IS NOT DISTINCT FROM s.chain
                                        AND k.peer_id = v.peer_id);
                INSERT INTO node_history_kept_crawls VALUES (x.crawl_id, s.vantage, s.chain);
            END LOOP;
        ELSE
            DELETE FROM node_history_kept_crawls
            WHERE vantage IS NOT DISTINCT FROM s.vantage AND chain IS NOT DISTINCT FROM s.chain;
            DELETE FROM node_history_kept
            WHERE vantage IS NOT DISTINCT FROM s.vantage AND chain IS NOT DISTINCT FROM s.chain;
            INSERT INTO node_history_kept
                SELECT * FROM node_history_computed
                WHERE vantage IS NOT DISTINCT FROM s.vantage AND chain IS NOT DISTINCT FROM s.chain;
            INSERT INTO node_history_kept_crawls
                SELECT crawl_id, vantage, chain FROM history_crawls
                WHERE vantage IS NOT DISTINCT FROM s.vantage AND chain IS NOT DISTINCT FROM s.chain;
        END IF;
    END LOOP;
    IF n > 0 THEN
        -- Fresh statistics: node_history's plan depends on how many kept
        -- crawls and rows there are.
        ANALYZE node_history_kept, node_history_kept_crawls;
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION node_history_refresh() IS 'Brings node_history_kept up to date for every vantage and chain whose kept crawls differ from history_crawls (new crawls applied one by one, any other change recomputed); returns how many.';
