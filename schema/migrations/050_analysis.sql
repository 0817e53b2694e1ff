-- tzcensus analyzer results (numbers 050+ belong to the analyzer).
-- One analyses row per run of tzcensus-analyze --db; a crawl analyzed twice
-- keeps both rows (the latest by computed_at, id is the current one).

CREATE TABLE analyses (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    crawl_id          bigint NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    computed_at       timestamptz NOT NULL DEFAULT now(),
    analyzer_version  text NOT NULL,
    seed              bigint NOT NULL,
    anonymized        boolean NOT NULL,
    metrics           jsonb NOT NULL,
    manifest          jsonb
);
CREATE INDEX analyses_crawl ON analyses (crawl_id, computed_at);
COMMENT ON TABLE analyses IS 'One row per analysis of a crawl by tzcensus-analyze: the report.json object and the manifest of the files written.';
COMMENT ON COLUMN analyses.id IS 'Analysis number, the id node_metrics refers to.';
COMMENT ON COLUMN analyses.crawl_id IS 'The crawl analyzed.';
COMMENT ON COLUMN analyses.computed_at IS 'When the analysis ran (database clock).';
COMMENT ON COLUMN analyses.analyzer_version IS 'tzcensus-analyze version.';
COMMENT ON COLUMN analyses.seed IS 'RNG seed of the random-removal curves and betweenness sampling.';
COMMENT ON COLUMN analyses.anonymized IS 'True when the metrics were written with --anonymize (points as /24 and /48 prefixes).';
COMMENT ON COLUMN analyses.metrics IS 'The report.json object (schema_version 1; keys documented in docs/analyzer.md).';
COMMENT ON COLUMN analyses.manifest IS 'manifest.json: crawl ids, parameters, seed, SHA-256 of every output file.';

CREATE TABLE node_metrics (
    analysis_id         bigint NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    crawl_id            bigint NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    node                text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('peer_id', 'point')),
    class               text NOT NULL CHECK (class IN ('public', 'unreachable', 'undialed')),
    points              text[] NOT NULL,
    degree              integer NOT NULL,
    degree_public       integer,
    in_core             boolean NOT NULL,
    coreness            integer,
    is_articulation     boolean NOT NULL,
    cut_off_if_removed  integer NOT NULL,
    betweenness         double precision,
    articulation_seen   boolean NOT NULL,
    PRIMARY KEY (analysis_id, node)
);
CREATE INDEX node_metrics_crawl ON node_metrics (crawl_id);
CREATE INDEX node_metrics_node ON node_metrics (node);
COMMENT ON TABLE node_metrics IS 'Per-node figures of one analysis (never anonymized: the database is not published).';
COMMENT ON COLUMN node_metrics.analysis_id IS 'The analysis these figures belong to.';
COMMENT ON COLUMN node_metrics.crawl_id IS 'The crawl analyzed (same as analyses.crawl_id).';
COMMENT ON COLUMN node_metrics.node IS 'Node id: the peer id when a handshake revealed one, else the point text.';
COMMENT ON COLUMN node_metrics.kind IS 'peer_id or point: what node is.';
COMMENT ON COLUMN node_metrics.class IS 'public (sent a valid connection message), unreachable (dialed, never did), undialed (policy or never tried).';
COMMENT ON COLUMN node_metrics.points IS 'The points of the node (several when points share a peer id).';
COMMENT ON COLUMN node_metrics.degree IS 'Neighbours in the graph of all nodes (S).';
COMMENT ON COLUMN node_metrics.degree_public IS 'Neighbours among public nodes (R); NULL for non-public nodes.';
COMMENT ON COLUMN node_metrics.in_core IS 'True when the node is in R_core, the largest component of the public graph.';
COMMENT ON COLUMN node_metrics.coreness IS 'k-core index in the public graph R; NULL for non-public nodes.';
COMMENT ON COLUMN node_metrics.is_articulation IS 'True when removing the node disconnects its component of the public graph R.';
COMMENT ON COLUMN node_metrics.cut_off_if_removed IS 'Public nodes separated from the largest remaining piece of its component if this node is removed (0 when not an articulation point).';
COMMENT ON COLUMN node_metrics.betweenness IS 'Normalized betweenness in R_core (networkx normalization); NULL outside R_core.';
COMMENT ON COLUMN node_metrics.articulation_seen IS 'True when the node is an articulation point of the graph of all nodes (S).';
