-- Where the nodes are (docs/analyzer.md, "Where the nodes are"): each
-- analyzed node's autonomous system, country and hosting provider, looked up
-- offline in an IPFire location database by tzcensus-analyze, and which
-- database that was. Analyses run with --no-location, or before this
-- migration, leave every column NULL.

ALTER TABLE analyses ADD COLUMN location_db_vendor text;
ALTER TABLE analyses ADD COLUMN location_db_created timestamptz;
COMMENT ON COLUMN analyses.location_db_vendor IS 'Vendor of the location database the nodes were located with (IPFire Project for the real one); NULL when the analysis ran without one.';
COMMENT ON COLUMN analyses.location_db_created IS 'Creation time of that location database: locations are as of this date, not of the crawl (docs/operators.md, "The location database").';

ALTER TABLE node_metrics ADD COLUMN asn bigint CHECK (asn BETWEEN 1 AND 4294967295);
ALTER TABLE node_metrics ADD COLUMN as_name text;
ALTER TABLE node_metrics ADD COLUMN country text CHECK (country ~ '^[A-Z0-9]{2}$');
ALTER TABLE node_metrics ADD COLUMN provider text;
COMMENT ON COLUMN node_metrics.asn IS 'Autonomous system of the node''s first point in the location database (analyses.location_db_created); NULL when the database has no network for it or the analysis ran without one.';
COMMENT ON COLUMN node_metrics.as_name IS 'That AS''s name in the location database ('''' when it has none); NULL with asn.';
COMMENT ON COLUMN node_metrics.country IS 'Country code (ISO 3166 alpha-2, or the database''s special codes such as A1) of the node''s first point; NULL when unknown.';
COMMENT ON COLUMN node_metrics.provider IS 'Hosting provider of the AS by the provider table (config/providers.yaml or --providers), ''other'' for an AS in no provider; NULL with asn.';

-- Public nodes per AS in the current (latest) analysis of every crawl;
-- unlocated public nodes are the row with asn NULL.
CREATE VIEW nodes_per_as AS
    WITH cur AS (
        SELECT DISTINCT ON (crawl_id) id, crawl_id, location_db_created
        FROM analyses
        ORDER BY crawl_id, computed_at DESC, id DESC
    )
    SELECT cur.crawl_id, c.started_at, c.vantage, cur.location_db_created,
           n.asn, max(n.as_name) AS as_name, count(*) AS nodes
    FROM cur
    JOIN crawls c ON c.id = cur.crawl_id
    JOIN node_metrics n ON n.analysis_id = cur.id
    WHERE n.class = 'public' AND cur.location_db_created IS NOT NULL
    GROUP BY cur.crawl_id, c.started_at, c.vantage, cur.location_db_created, n.asn;
COMMENT ON VIEW nodes_per_as IS 'Public nodes per autonomous system in the current analysis of each crawl located with a location database (asn NULL: not located); location_db_created says how old the mapping was.';
COMMENT ON COLUMN nodes_per_as.crawl_id IS 'The crawl.';
COMMENT ON COLUMN nodes_per_as.started_at IS 'When the crawl started.';
COMMENT ON COLUMN nodes_per_as.vantage IS 'The crawl''s vantage: compare crawls of one vantage.';
COMMENT ON COLUMN nodes_per_as.location_db_created IS 'Creation time of the location database the current analysis used: locations are as of this date.';
COMMENT ON COLUMN nodes_per_as.asn IS 'Autonomous system number; NULL: public nodes the database could not place.';
COMMENT ON COLUMN nodes_per_as.as_name IS 'The AS''s name in the location database.';
COMMENT ON COLUMN nodes_per_as.nodes IS 'Public nodes of the crawl in this AS (node_metrics rows of class public).';
