-- Views for researchers. Plain views (always current); they recount from
-- visits and advertisements rather than trusting the crawler's own counts.

CREATE VIEW latest_crawl AS
    SELECT * FROM crawls
    WHERE status = 'finished'
    ORDER BY started_at DESC, id DESC
    LIMIT 1;
COMMENT ON VIEW latest_crawl IS 'The most recently started finished crawl (one row; all vantages together: filter crawls by vantage for one place).';

CREATE VIEW point_peers AS
    SELECT DISTINCT ON (v.crawl_id, v.point_id)
           v.crawl_id, v.point_id, v.peer_id
    FROM visits v
    WHERE v.peer_id IS NOT NULL
    ORDER BY v.crawl_id, v.point_id, v.started_at DESC, v.id DESC;
COMMENT ON VIEW point_peers IS 'Per crawl, the peer id a handshake revealed at each point (the latest visit that revealed one).';
COMMENT ON COLUMN point_peers.crawl_id IS 'The crawl.';
COMMENT ON COLUMN point_peers.point_id IS 'The point visited.';
COMMENT ON COLUMN point_peers.peer_id IS 'The peer id its connection message revealed.';

CREATE VIEW crawl_summary AS
    WITH pts AS (
        SELECT crawl_id, point_id FROM visits
        UNION
        SELECT crawl_id, from_point_id FROM advertisements
        UNION
        SELECT crawl_id, to_point_id FROM advertisements
    ), per_point AS (
        SELECT crawl_id, point_id,
               bool_or(outcome <> 'policy') AS dialed,
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
           (SELECT count(*) FROM advertisements a WHERE a.crawl_id = c.id) AS advertisements
    FROM crawls c LEFT JOIN v ON v.crawl_id = c.id;
COMMENT ON VIEW crawl_summary IS 'Per crawl: points discovered and dialed, public vs unreachable points, visits by outcome, recounted from visits and advertisements.';
COMMENT ON COLUMN crawl_summary.crawl_id IS 'The crawl.';
COMMENT ON COLUMN crawl_summary.uuid IS 'Its uuid.';
COMMENT ON COLUMN crawl_summary.vantage IS 'Where it ran from.';
COMMENT ON COLUMN crawl_summary.status IS 'running, finished, aborted or failed.';
COMMENT ON COLUMN crawl_summary.started_at IS 'Start time.';
COMMENT ON COLUMN crawl_summary.finished_at IS 'End time (NULL unless ended).';
COMMENT ON COLUMN crawl_summary.duration IS 'finished_at - started_at.';
COMMENT ON COLUMN crawl_summary.points_discovered IS 'Distinct points visited, advertising or advertised in this crawl.';
COMMENT ON COLUMN crawl_summary.points_dialed IS 'Distinct points with at least one visit other than policy.';
COMMENT ON COLUMN crawl_summary.public_points IS 'Distinct points that sent a connection message (a peer id) in at least one visit.';
COMMENT ON COLUMN crawl_summary.unreachable_points IS 'Distinct points dialed that never sent a connection message.';
COMMENT ON COLUMN crawl_summary.public_nodes IS 'Distinct peer ids revealed (several points may share one).';
COMMENT ON COLUMN crawl_summary.visits IS 'Visit rows.';
COMMENT ON COLUMN crawl_summary.ok IS 'Visits with outcome ok.';
COMMENT ON COLUMN crawl_summary.nack IS 'Visits with outcome nack.';
COMMENT ON COLUMN crawl_summary.refused IS 'Visits with outcome refused.';
COMMENT ON COLUMN crawl_summary.timeout IS 'Visits with outcome timeout.';
COMMENT ON COLUMN crawl_summary.unreachable IS 'Visits with outcome unreachable.';
COMMENT ON COLUMN crawl_summary.silent_close IS 'Visits with outcome silent_close.';
COMMENT ON COLUMN crawl_summary.closed IS 'Visits with outcome closed.';
COMMENT ON COLUMN crawl_summary.handshake_timeout IS 'Visits with outcome handshake_timeout.';
COMMENT ON COLUMN crawl_summary.protocol_error IS 'Visits with outcome protocol_error.';
COMMENT ON COLUMN crawl_summary.incompatible IS 'Visits with outcome incompatible.';
COMMENT ON COLUMN crawl_summary.self IS 'Visits with outcome self.';
COMMENT ON COLUMN crawl_summary.policy IS 'Visits with outcome policy (points not dialed).';
COMMENT ON COLUMN crawl_summary.advertisements IS 'Advertisement rows (edges before deduplication).';

CREATE VIEW node_versions AS
    SELECT v.crawl_id, v.chain_name, v.distributed_db_version, v.p2p_version,
           count(DISTINCT coalesce(v.peer_id, p.point)) AS nodes,
           count(DISTINCT v.point_id) AS points
    FROM visits v JOIN points p ON p.id = v.point_id
    WHERE v.chain_name_raw IS NOT NULL
    GROUP BY v.crawl_id, v.chain_name, v.distributed_db_version, v.p2p_version;
COMMENT ON VIEW node_versions IS 'Per crawl, how many nodes announced each (chain name, distributed_db_version, p2p_version).';
COMMENT ON COLUMN node_versions.crawl_id IS 'The crawl.';
COMMENT ON COLUMN node_versions.chain_name IS 'Chain name (safe text form).';
COMMENT ON COLUMN node_versions.distributed_db_version IS 'Announced distributed_db_version.';
COMMENT ON COLUMN node_versions.p2p_version IS 'Announced p2p_version.';
COMMENT ON COLUMN node_versions.nodes IS 'Distinct nodes (peer id, else point) announcing this triple.';
COMMENT ON COLUMN node_versions.points IS 'Distinct points announcing this triple.';

CREATE VIEW crawl_edges AS
    SELECT a.crawl_id,
           a.from_point_id, pf.point AS from_point, ff.peer_id AS from_peer_id,
           coalesce(ff.peer_id, pf.point) AS from_node,
           a.to_point_id, pt.point AS to_point, ft.peer_id AS to_peer_id,
           coalesce(ft.peer_id, pt.point) AS to_node,
           a.source, a.round, a.rank, a.list_len, a.seen_at
    FROM advertisements a
    JOIN points pf ON pf.id = a.from_point_id
    JOIN points pt ON pt.id = a.to_point_id
    LEFT JOIN point_peers ff ON ff.crawl_id = a.crawl_id AND ff.point_id = a.from_point_id
    LEFT JOIN point_peers ft ON ft.crawl_id = a.crawl_id AND ft.point_id = a.to_point_id;
COMMENT ON VIEW crawl_edges IS 'Advertisements as graph edges, each end named by its peer id when a handshake in the same crawl revealed one (from_node/to_node: peer id, else point text).';
COMMENT ON COLUMN crawl_edges.crawl_id IS 'The crawl.';
COMMENT ON COLUMN crawl_edges.from_point_id IS 'Point of the advertising node.';
COMMENT ON COLUMN crawl_edges.from_point IS 'Its text.';
COMMENT ON COLUMN crawl_edges.from_peer_id IS 'Peer id of the advertising node, if known in this crawl.';
COMMENT ON COLUMN crawl_edges.from_node IS 'Vertex name of the advertising node: peer id, else point text.';
COMMENT ON COLUMN crawl_edges.to_point_id IS 'Point advertised.';
COMMENT ON COLUMN crawl_edges.to_point IS 'Its text.';
COMMENT ON COLUMN crawl_edges.to_peer_id IS 'Peer id at the advertised point, if a handshake in this crawl revealed one.';
COMMENT ON COLUMN crawl_edges.to_node IS 'Vertex name of the advertised node: peer id, else point text.';
COMMENT ON COLUMN crawl_edges.source IS 'advertise or nack.';
COMMENT ON COLUMN crawl_edges.round IS 'Bootstrap round (0 for nack).';
COMMENT ON COLUMN crawl_edges.rank IS 'Raw position in the list (see advertisements.rank).';
COMMENT ON COLUMN crawl_edges.list_len IS 'Length of that list.';
COMMENT ON COLUMN crawl_edges.seen_at IS 'When the list was received.';

-- latest_crawl has exactly the columns of crawls: give them the same comments.
DO $$
DECLARE r record;
BEGIN
    FOR r IN
        SELECT a.attname, col_description(a.attrelid, a.attnum) AS d
        FROM pg_attribute a
        WHERE a.attrelid = 'crawls'::regclass AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
        EXECUTE format('COMMENT ON COLUMN latest_crawl.%I IS %L', r.attname, r.d);
    END LOOP;
END
$$;
