-- tzcensus core schema: crawls, points, peers, visits, advertisements.
-- Applied by db_migrate() in one transaction; never edit an applied
-- migration, add a new one (numbers 001-049: storage, 050+: analyzer).

CREATE TABLE outcomes (
    name        text PRIMARY KEY,
    code        smallint NOT NULL UNIQUE,
    reached     boolean NOT NULL,
    description text NOT NULL
);
COMMENT ON TABLE outcomes IS 'The stable outcome names of a visit (DESIGN.md); visits.outcome refers to this table.';
COMMENT ON COLUMN outcomes.name IS 'Stable lowercase name, as stored in visits.outcome and in journals.';
COMMENT ON COLUMN outcomes.code IS 'The numeric value of enum visit_outcome in lib/db/record.h (never renumbered).';
COMMENT ON COLUMN outcomes.reached IS 'True when this outcome implies the point accepted a TCP connection.';
COMMENT ON COLUMN outcomes.description IS 'What the outcome means, in words.';

INSERT INTO outcomes (name, code, reached, description) VALUES
    ('ok',                0, true,  'Handshake completed with Ack.'),
    ('nack',              1, true,  'The node refused us with a Nack (motive stored), often listing points.'),
    ('refused',           2, false, 'TCP connection refused (RST on connect).'),
    ('timeout',           3, false, 'TCP connect timed out.'),
    ('unreachable',       4, false, 'No route to the host or network.'),
    ('silent_close',      5, true,  'Accepted, then closed with no bytes: busy or banned us, not unreachable.'),
    ('closed',            6, true,  'Hung up mid-handshake (for example a private node after metadata).'),
    ('handshake_timeout', 7, true,  'The handshake did not finish before its deadline.'),
    ('protocol_error',    8, true,  'Malformed or oversized message, bad MAC.'),
    ('incompatible',      9, true,  'Chain name or version mismatch.'),
    ('self',             10, true,  'The point turned out to be the crawler itself.'),
    ('policy',           11, false, 'Discovered but not dialed: private/reserved range, port cap, deny list.');

CREATE TABLE crawls (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                 uuid NOT NULL UNIQUE,
    started_at           timestamptz NOT NULL,
    finished_at          timestamptz,
    status               text NOT NULL DEFAULT 'running'
                         CHECK (status IN ('running', 'finished', 'aborted', 'failed')),
    vantage              text,
    tool_version         text,
    config               jsonb,
    seeds                jsonb,
    points_discovered    bigint,
    n_ok                 bigint,
    n_nack               bigint,
    n_refused            bigint,
    n_timeout            bigint,
    n_unreachable        bigint,
    n_silent_close       bigint,
    n_closed             bigint,
    n_handshake_timeout  bigint,
    n_protocol_error     bigint,
    n_incompatible       bigint,
    n_self               bigint,
    n_policy             bigint
);
CREATE INDEX crawls_started_at ON crawls (started_at);
COMMENT ON TABLE crawls IS 'One row per crawl run. Counts are those the crawler reported at its end (NULL while running or when it crashed); crawl_summary recounts from visits.';
COMMENT ON COLUMN crawls.id IS 'Crawl number, the id other tables refer to.';
COMMENT ON COLUMN crawls.uuid IS 'Random id of the crawl, also written in its journal; replaying a journal finds the crawl by it.';
COMMENT ON COLUMN crawls.started_at IS 'When the crawl started (crawler clock).';
COMMENT ON COLUMN crawls.finished_at IS 'When the crawl ended; NULL while running or after a crash.';
COMMENT ON COLUMN crawls.status IS 'running, finished (frontier exhausted), aborted (signal, or left running by a crash and found by the next crawl), failed (stopped by an error).';
COMMENT ON COLUMN crawls.vantage IS 'Name of the place the crawl ran from, so several crawlers can share one database.';
COMMENT ON COLUMN crawls.tool_version IS 'tzcensus version that ran the crawl.';
COMMENT ON COLUMN crawls.config IS 'The effective crawler configuration (JSON).';
COMMENT ON COLUMN crawls.seeds IS 'The seed points the crawl started from (JSON array).';
COMMENT ON COLUMN crawls.points_discovered IS 'Distinct points the crawler learnt, as it counted them.';
COMMENT ON COLUMN crawls.n_ok IS 'Visits with outcome ok, as reported by the crawler at its end.';
COMMENT ON COLUMN crawls.n_nack IS 'Visits with outcome nack, as reported by the crawler.';
COMMENT ON COLUMN crawls.n_refused IS 'Visits with outcome refused, as reported by the crawler.';
COMMENT ON COLUMN crawls.n_timeout IS 'Visits with outcome timeout, as reported by the crawler.';
COMMENT ON COLUMN crawls.n_unreachable IS 'Visits with outcome unreachable, as reported by the crawler.';
COMMENT ON COLUMN crawls.n_silent_close IS 'Visits with outcome silent_close, as reported by the crawler.';
COMMENT ON COLUMN crawls.n_closed IS 'Visits with outcome closed, as reported by the crawler.';
COMMENT ON COLUMN crawls.n_handshake_timeout IS 'Visits with outcome handshake_timeout, as reported by the crawler.';
COMMENT ON COLUMN crawls.n_protocol_error IS 'Visits with outcome protocol_error, as reported by the crawler.';
COMMENT ON COLUMN crawls.n_incompatible IS 'Visits with outcome incompatible, as reported by the crawler.';
COMMENT ON COLUMN crawls.n_self IS 'Visits with outcome self, as reported by the crawler.';
COMMENT ON COLUMN crawls.n_policy IS 'Points with outcome policy (not dialed), as reported by the crawler.';

CREATE TABLE points (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    addr        inet NOT NULL,
    port        integer NOT NULL CHECK (port BETWEEN 0 AND 65535),
    point       text GENERATED ALWAYS AS (
                    CASE WHEN family(addr) = 4 THEN host(addr) || ':' || port
                         ELSE '[' || host(addr) || ']:' || port END) STORED,
    first_seen  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    UNIQUE (addr, port)
);
COMMENT ON TABLE points IS 'Every point (IP address and TCP port) ever discovered or dialed, across all crawls.';
COMMENT ON COLUMN points.id IS 'Point number, the id visits and advertisements refer to.';
COMMENT ON COLUMN points.addr IS 'IP address (IPv4 stored as IPv4, not v4-mapped; /32 or /128).';
COMMENT ON COLUMN points.port IS 'TCP port, 0-65535.';
COMMENT ON COLUMN points.point IS 'Canonical text "a.b.c.d:port" or "[v6]:port" (derived from addr and port).';
COMMENT ON COLUMN points.first_seen IS 'Earliest time any crawl saw the point (visited or advertised).';
COMMENT ON COLUMN points.last_seen IS 'Latest time any crawl saw the point (visited or advertised).';

CREATE TABLE peers (
    peer_id     text PRIMARY KEY,
    public_key  bytea CHECK (public_key IS NULL OR length(public_key) = 32),
    first_seen  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL
);
COMMENT ON TABLE peers IS 'Every node identity (peer id) a handshake revealed.';
COMMENT ON COLUMN peers.peer_id IS 'Base58 peer id ("id..."), the hash of the public key.';
COMMENT ON COLUMN peers.public_key IS 'The 32-byte Curve25519 public key from the connection message.';
COMMENT ON COLUMN peers.first_seen IS 'Start time of the first visit that revealed this peer id.';
COMMENT ON COLUMN peers.last_seen IS 'Start time of the latest visit that revealed this peer id.';

CREATE TABLE visits (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    crawl_id                bigint NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    seq                     bigint NOT NULL,
    point_id                bigint NOT NULL REFERENCES points (id),
    started_at              timestamptz NOT NULL,
    outcome                 text NOT NULL REFERENCES outcomes (name),
    error                   text,
    connect_ms              integer CHECK (connect_ms >= 0),
    handshake_ms            integer CHECK (handshake_ms >= 0),
    peer_id                 text REFERENCES peers (peer_id),
    advertised_port         integer CHECK (advertised_port BETWEEN 0 AND 65535),
    pow_bits                integer CHECK (pow_bits BETWEEN 0 AND 256),
    chain_name              text,
    chain_name_raw          bytea,
    distributed_db_version  integer,
    p2p_version             integer,
    disable_mempool         boolean,
    private_node            boolean,
    nack_motive             smallint,
    head_level              integer,
    head_timestamp          timestamptz,
    head_timestamp_raw      bigint,
    head_hash               bytea,
    attempt                 integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    UNIQUE (crawl_id, seq)
);
CREATE INDEX visits_point ON visits (point_id);
CREATE INDEX visits_peer ON visits (peer_id) WHERE peer_id IS NOT NULL;
CREATE INDEX visits_crawl_outcome ON visits (crawl_id, outcome);
COMMENT ON TABLE visits IS 'One row per dial attempt (and per point not dialed because of policy). NULL means the visit did not get that far.';
COMMENT ON COLUMN visits.id IS 'Visit number.';
COMMENT ON COLUMN visits.crawl_id IS 'The crawl this visit belongs to.';
COMMENT ON COLUMN visits.seq IS 'Sequence number of the record within its crawl (from the crawler and its journal); (crawl_id, seq) makes retries and journal replays idempotent.';
COMMENT ON COLUMN visits.point_id IS 'The point dialed.';
COMMENT ON COLUMN visits.started_at IS 'When the dial started.';
COMMENT ON COLUMN visits.outcome IS 'How the visit ended: a stable name from the outcomes table.';
COMMENT ON COLUMN visits.error IS 'Detail of a failure (errno text, decoder error, Nack motive name); NULL when none.';
COMMENT ON COLUMN visits.connect_ms IS 'Milliseconds from dial to TCP connection established.';
COMMENT ON COLUMN visits.handshake_ms IS 'Milliseconds from TCP connection to Ack/Nack or the end of the handshake.';
COMMENT ON COLUMN visits.peer_id IS 'Peer id derived from the public key in the connection message; NULL if none arrived. Non-NULL means the node is public.';
COMMENT ON COLUMN visits.advertised_port IS 'Listening port the node announced in its connection message (0 = does not listen).';
COMMENT ON COLUMN visits.pow_bits IS 'Proof-of-work strength of the node identity: leading zero bits of the stamp hash.';
COMMENT ON COLUMN visits.chain_name IS 'Chain name the node announced, as text: invalid UTF-8 and NUL replaced by U+FFFD. Exact bytes in chain_name_raw.';
COMMENT ON COLUMN visits.chain_name_raw IS 'Chain name the node announced, exact bytes.';
COMMENT ON COLUMN visits.distributed_db_version IS 'distributed_db_version the node announced.';
COMMENT ON COLUMN visits.p2p_version IS 'p2p_version the node announced.';
COMMENT ON COLUMN visits.disable_mempool IS 'Metadata flag: the node does not want mempool traffic.';
COMMENT ON COLUMN visits.private_node IS 'Metadata flag: the node is a private node (never advertised by its peers).';
COMMENT ON COLUMN visits.nack_motive IS 'Motive code of a Nack (0 no motive, 1 too many connections, 2 unknown chain name, 3 deprecated p2p version, 4 deprecated ddb version, 5 already connected).';
COMMENT ON COLUMN visits.head_level IS 'Level of the node head block from Current_branch.';
COMMENT ON COLUMN visits.head_timestamp IS 'Timestamp of the node head block; NULL when the peer sent a value outside years 1-9999 (raw value in head_timestamp_raw).';
COMMENT ON COLUMN visits.head_timestamp_raw IS 'Head block timestamp exactly as sent (seconds since the epoch).';
COMMENT ON COLUMN visits.head_hash IS 'Hash (32 bytes) of the node head block.';
COMMENT ON COLUMN visits.attempt IS '1 for the first dial of this point in the crawl, 2 for a retry, ...';

CREATE TABLE advertisements (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    crawl_id        bigint NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    seq             bigint NOT NULL,
    from_point_id   bigint NOT NULL REFERENCES points (id),
    to_point_id     bigint NOT NULL REFERENCES points (id),
    source          text NOT NULL CHECK (source IN ('advertise', 'nack')),
    round           integer NOT NULL CHECK (round >= 0),
    rank            integer NOT NULL CHECK (rank >= 0),
    list_len        integer NOT NULL CHECK (list_len > rank),
    seen_at         timestamptz NOT NULL,
    UNIQUE (crawl_id, seq)
);
CREATE INDEX advertisements_crawl_from ON advertisements (crawl_id, from_point_id);
CREATE INDEX advertisements_to ON advertisements (to_point_id);
COMMENT ON TABLE advertisements IS 'The edges of the network graph: one row per point listed by a node, per list.';
COMMENT ON COLUMN advertisements.id IS 'Row number.';
COMMENT ON COLUMN advertisements.crawl_id IS 'The crawl that received the list.';
COMMENT ON COLUMN advertisements.seq IS 'Sequence number of the record within its crawl; (crawl_id, seq) makes retries and replays idempotent.';
COMMENT ON COLUMN advertisements.from_point_id IS 'The point of the node that sent the list.';
COMMENT ON COLUMN advertisements.to_point_id IS 'The point listed.';
COMMENT ON COLUMN advertisements.source IS 'advertise (an Advertise answering our Bootstrap) or nack (the point list of a Nack).';
COMMENT ON COLUMN advertisements.round IS 'Bootstrap round that produced the list (1, 2, ...); 0 for a Nack.';
COMMENT ON COLUMN advertisements.rank IS 'Raw 0-based position of the point in the list. Not a ranking by itself: with more than 50 candidates Octez emits its random picks first and its 30 best-ranked points last, in reverse; interpret with list_len.';
COMMENT ON COLUMN advertisements.list_len IS 'Number of points in that list.';
COMMENT ON COLUMN advertisements.seen_at IS 'When the list was received.';
