-- Lists from nodes of another chain (docs/crawler.md, "Other networks").
-- A node of another chain that Nacks us with Unknown_chain_name lists up to
-- 50 points of its own network (Octez, p2p_connect_handler.ml,
-- raw_authenticate: list_known_points ~size:50 for every motive). The crawler
-- stores that list with source 'foreign_nack', never dials a point it learnt
-- only there, and these rows are no edge of this network's graph: the
-- analyzer's loaders and the crawl_edges view leave them out.

ALTER TABLE advertisements DROP CONSTRAINT advertisements_source_check;
ALTER TABLE advertisements ADD CONSTRAINT advertisements_source_check
    CHECK (source IN ('advertise', 'nack', 'foreign_nack'));
COMMENT ON COLUMN advertisements.source IS 'advertise (an Advertise answering our Bootstrap), nack (the point list of a Nack from a node of our chain) or foreign_nack (the point list of a Nack from a node of another chain: points of that network, never dialed for it, never an edge of this network''s graph).';
COMMENT ON TABLE advertisements IS 'One row per point listed by a node, per list: the edges of the network graph, except the rows with source foreign_nack (another network''s points).';

CREATE OR REPLACE VIEW crawl_edges AS
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
    LEFT JOIN point_peers ft ON ft.crawl_id = a.crawl_id AND ft.point_id = a.to_point_id
    WHERE a.source <> 'foreign_nack';
COMMENT ON VIEW crawl_edges IS 'Advertisements as graph edges of this network (foreign_nack rows left out), each end named by its peer id when a handshake in the same crawl revealed one (from_node/to_node: peer id, else point text).';
COMMENT ON COLUMN crawl_edges.source IS 'advertise or nack.';
