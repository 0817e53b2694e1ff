-- Which Octez release a node runs (docs/crawler.md, "Which Octez release").
-- The connection message tells only the chain name and the distributed-DB
-- and P2P versions; the release is visible only through a node's RPC server,
-- GET /version (Octez, src/lib_version/octez_node_version.ml: {"version":
-- {"major", "minor", "additional_info"}, "network_version", "commit_info":
-- {"commit_hash", "commit_date"} or null}). The crawler's optional RPC probe
-- asks it once per public node address and RPC port per crawl; one row per
-- answer or failure. The release is known only for nodes with a public RPC.

CREATE TABLE rpc_versions (
    crawl_id         bigint NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    point_id         bigint NOT NULL REFERENCES points (id),
    peer_id          text,
    port             integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    probed_at        timestamptz NOT NULL,
    http_status      integer CHECK (http_status BETWEEN 100 AND 599),
    major            integer CHECK (major >= 0),
    minor            integer CHECK (minor >= 0),
    additional_info  text,
    commit_hash      text,
    commit_date      text,
    error            text,
    PRIMARY KEY (crawl_id, point_id, port),
    CHECK ((error IS NULL) = (major IS NOT NULL AND minor IS NOT NULL
                              AND additional_info IS NOT NULL))
);
CREATE INDEX rpc_versions_peer ON rpc_versions (peer_id) WHERE peer_id IS NOT NULL;
COMMENT ON TABLE rpc_versions IS 'One row per RPC probe (GET /version) of a public node: the Octez release it runs, or why none was learnt. Only nodes whose RPC server is reachable from the crawler appear with a release.';
COMMENT ON COLUMN rpc_versions.crawl_id IS 'The crawl that asked.';
COMMENT ON COLUMN rpc_versions.point_id IS 'The node''s P2P point (the address asked is this point''s address).';
COMMENT ON COLUMN rpc_versions.peer_id IS 'The peer id that point''s handshake revealed in the same crawl (NULL if none).';
COMMENT ON COLUMN rpc_versions.port IS 'The RPC port asked (rpc_probe.ports, default 8732).';
COMMENT ON COLUMN rpc_versions.probed_at IS 'When the request started.';
COMMENT ON COLUMN rpc_versions.http_status IS 'HTTP status of the answer; NULL when there was no HTTP answer (refused, timeout, not HTTP).';
COMMENT ON COLUMN rpc_versions.major IS 'version.major of the answer (Octez release major number, e.g. 22 for v22.1).';
COMMENT ON COLUMN rpc_versions.minor IS 'version.minor of the answer.';
COMMENT ON COLUMN rpc_versions.additional_info IS 'version.additional_info: release, dev, rcN, rc_devN, betaN or beta_devN (Octez prints v22.1, v23.0+dev, v21.0~rc3).';
COMMENT ON COLUMN rpc_versions.commit_hash IS 'commit_info.commit_hash, as the node sent it (NULL when commit_info is null).';
COMMENT ON COLUMN rpc_versions.commit_date IS 'commit_info.commit_date, text as the node sent it.';
COMMENT ON COLUMN rpc_versions.error IS 'Why no release was learnt, "kind: detail" with kind one of refused, timeout, http, redirect, too_large, not_json, bad_version, transfer (docs/crawler.md); NULL when the answer gave a release.';

CREATE VIEW node_releases AS
    SELECT r.crawl_id, r.point_id, p.point, r.peer_id, r.port,
           'v' || r.major || '.' || r.minor ||
           CASE WHEN r.additional_info = 'release' THEN ''
                WHEN r.additional_info = 'dev' THEN '+dev'
                WHEN r.additional_info LIKE 'rc\_dev%' THEN '~rc' || substr(r.additional_info, 7) || '+dev'
                WHEN r.additional_info LIKE 'beta\_dev%' THEN '~beta' || substr(r.additional_info, 9) || '+dev'
                WHEN r.additional_info LIKE 'rc%' THEN '~rc' || substr(r.additional_info, 3)
                WHEN r.additional_info LIKE 'beta%' THEN '~beta' || substr(r.additional_info, 5)
                ELSE '~' || r.additional_info END AS release,
           r.commit_hash
    FROM rpc_versions r JOIN points p ON p.id = r.point_id
    WHERE r.error IS NULL;
COMMENT ON VIEW node_releases IS 'The RPC answers that gave a release, with the release as Octez prints it (v22.1, v21.0~rc3, v23.0+dev).';
COMMENT ON COLUMN node_releases.crawl_id IS 'The crawl that asked.';
COMMENT ON COLUMN node_releases.point_id IS 'The node''s P2P point.';
COMMENT ON COLUMN node_releases.point IS 'That point''s canonical text.';
COMMENT ON COLUMN node_releases.peer_id IS 'The node''s peer id from the same crawl''s handshake (NULL if none).';
COMMENT ON COLUMN node_releases.port IS 'The RPC port that answered.';
COMMENT ON COLUMN node_releases.release IS 'The release as Octez prints it: v<major>.<minor>, then ~rcN, ~betaN, +dev as additional_info says.';
COMMENT ON COLUMN node_releases.commit_hash IS 'commit_info.commit_hash of the answer (NULL when the node sent none).';
