-- The inbound listener (tzcensus-listen, docs/listener.md): who dials us,
-- and whether we can dial them back.
--
-- A listener run is not a crawl: it has no frontier, no visits and no
-- outcome counts, and the analyzer's "latest finished crawl" must never pick
-- it. So runs get their own table, and the dialers' advertised points go into
-- advertisements with a NULL crawl_id and a listen_run_id instead
-- (docs/schema.md, "Inbound rows"): every query that selects a crawl's edges
-- by crawl_id leaves them out without a change.

CREATE TABLE listen_runs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid          uuid NOT NULL UNIQUE,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    vantage       text,
    listen_point  text NOT NULL,
    peer_id       text,
    tool_version  text,
    config        jsonb
);
CREATE INDEX listen_runs_vantage ON listen_runs (vantage, started_at);
COMMENT ON TABLE listen_runs IS 'One row per run of tzcensus-listen (a long-running inbound listener with dial-back).';
COMMENT ON COLUMN listen_runs.id IS 'Run number, the id inbound_sessions, dialbacks and inbound advertisements refer to.';
COMMENT ON COLUMN listen_runs.tool_version IS 'tzcensus version that ran the listener.';
COMMENT ON COLUMN listen_runs.uuid IS 'Random id of the run, also written in its journal; a replay finds the run by it.';
COMMENT ON COLUMN listen_runs.started_at IS 'When the listener started.';
COMMENT ON COLUMN listen_runs.finished_at IS 'When it stopped; NULL while running or after a crash.';
COMMENT ON COLUMN listen_runs.vantage IS 'Name of the place the listener runs at (--vantage), as crawls.vantage.';
COMMENT ON COLUMN listen_runs.listen_point IS 'The address and port it listened on.';
COMMENT ON COLUMN listen_runs.peer_id IS 'The listener''s own peer id (what dialers see).';
COMMENT ON COLUMN listen_runs.config IS 'The effective listener configuration (JSON).';

CREATE TABLE inbound_sessions (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    listen_run_id           bigint NOT NULL REFERENCES listen_runs (id) ON DELETE CASCADE,
    seq                     bigint NOT NULL,
    started_at              timestamptz NOT NULL,
    ended_at                timestamptz NOT NULL,
    source_addr             inet NOT NULL,
    source_port             integer NOT NULL CHECK (source_port BETWEEN 0 AND 65535),
    announced_port          integer CHECK (announced_port BETWEEN 0 AND 65535),
    peer_id                 text,
    public_key              bytea CHECK (public_key IS NULL OR length(public_key) = 32),
    pow_bits                integer CHECK (pow_bits BETWEEN 0 AND 256),
    chain_name              text,
    distributed_db_version  integer,
    p2p_version             integer,
    disable_mempool         boolean,
    private_node            boolean,
    end_reason              text NOT NULL,
    error                   text,
    head_level              integer,
    advertised_n            integer NOT NULL DEFAULT 0,
    UNIQUE (listen_run_id, seq)
);
CREATE INDEX inbound_sessions_peer ON inbound_sessions (peer_id) WHERE peer_id IS NOT NULL;
COMMENT ON TABLE inbound_sessions IS 'One row per inbound connection the listener accepted (and handled): who dialed us and what its connection message and metadata said. NULL means the session did not get that far.';
COMMENT ON COLUMN inbound_sessions.id IS 'Row number.';
COMMENT ON COLUMN inbound_sessions.listen_run_id IS 'The listener run that accepted the connection.';
COMMENT ON COLUMN inbound_sessions.started_at IS 'When the connection was accepted.';
COMMENT ON COLUMN inbound_sessions.ended_at IS 'When it was closed.';
COMMENT ON COLUMN inbound_sessions.peer_id IS 'Peer id derived from the public key of the dialer''s connection message; NULL if none arrived.';
COMMENT ON COLUMN inbound_sessions.public_key IS 'The dialer''s 32-byte Curve25519 public key.';
COMMENT ON COLUMN inbound_sessions.pow_bits IS 'Proof-of-work strength of the dialer''s identity (leading zero bits).';
COMMENT ON COLUMN inbound_sessions.chain_name IS 'Chain name the dialer announced, as text (non-printable bytes replaced by U+FFFD, at most 128 bytes kept).';
COMMENT ON COLUMN inbound_sessions.distributed_db_version IS 'distributed_db_version the dialer announced.';
COMMENT ON COLUMN inbound_sessions.p2p_version IS 'p2p_version the dialer announced.';
COMMENT ON COLUMN inbound_sessions.disable_mempool IS 'Metadata flag: the dialer wants no mempool traffic.';
COMMENT ON COLUMN inbound_sessions.private_node IS 'Metadata flag: the dialer is a private node.';
COMMENT ON COLUMN inbound_sessions.seq IS 'Sequence number within the run; (listen_run_id, seq) makes retries and journal replays idempotent.';
COMMENT ON COLUMN inbound_sessions.source_addr IS 'The address the connection came from (for a NATed node: its NAT''s public address).';
COMMENT ON COLUMN inbound_sessions.source_port IS 'The TCP source port (ephemeral, or rewritten by the NAT).';
COMMENT ON COLUMN inbound_sessions.announced_port IS 'The listening port the dialer announced in its connection message (0 = does not listen).';
COMMENT ON COLUMN inbound_sessions.end_reason IS 'How the session ended: closed (by us after its time), peer_closed, nack (we sent Already_connected), refused_by_peer (it Nacked us), auth_timeout, bad_pow, protocol_error, stopped (the listener stopped).';
COMMENT ON COLUMN inbound_sessions.error IS 'Detail of a failure (decoder error); NULL when none.';
COMMENT ON COLUMN inbound_sessions.head_level IS 'Level of the dialer''s head from its Current_branch, when it answered our Get_current_branch.';
COMMENT ON COLUMN inbound_sessions.advertised_n IS 'Points the dialer advertised to us in this session (rows in advertisements with source inbound).';

CREATE TABLE dialbacks (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    listen_run_id     bigint NOT NULL REFERENCES listen_runs (id) ON DELETE CASCADE,
    seq               bigint NOT NULL,
    peer_id           text NOT NULL,
    addr              inet NOT NULL,
    port              integer NOT NULL CHECK (port BETWEEN 0 AND 65535),
    started_at        timestamptz NOT NULL,
    class             text NOT NULL CHECK (class IN ('reachable', 'nat_refused', 'nat_silent',
                                                     'port_zero', 'other_peer', 'not_dialed')),
    reached_peer_id   text,
    error             text,
    connect_ms        integer CHECK (connect_ms >= 0),
    UNIQUE (listen_run_id, seq)
);
CREATE INDEX dialbacks_peer ON dialbacks (peer_id, started_at);
COMMENT ON TABLE dialbacks IS 'One row per dial-back decision: the listener dialing an inbound peer at its source address and announced port (or deciding not to), and the class that followed.';
COMMENT ON COLUMN dialbacks.id IS 'Row number.';
COMMENT ON COLUMN dialbacks.listen_run_id IS 'The listener run that decided.';
COMMENT ON COLUMN dialbacks.seq IS 'Sequence number within the run; (listen_run_id, seq) makes retries and journal replays idempotent.';
COMMENT ON COLUMN dialbacks.started_at IS 'When the decision was made, or the dial started.';
COMMENT ON COLUMN dialbacks.peer_id IS 'The inbound peer this dial-back is about.';
COMMENT ON COLUMN dialbacks.addr IS 'Address dialed: the inbound session''s source address.';
COMMENT ON COLUMN dialbacks.port IS 'Port dialed: the announced port (0 for port_zero, never dialed).';
COMMENT ON COLUMN dialbacks.class IS 'reachable (reached the same peer id), nat_refused (connection refused), nat_silent (timed out, no route, or accepted and said nothing), port_zero (announced port 0, not dialed), other_peer (reached a different peer id: several nodes behind one address), not_dialed (address policy or rate limit).';
COMMENT ON COLUMN dialbacks.reached_peer_id IS 'Peer id of the node the dial-back reached (equal to peer_id for reachable).';
COMMENT ON COLUMN dialbacks.error IS 'Why it failed or was not dialed (errno text, policy rule, rate limit).';
COMMENT ON COLUMN dialbacks.connect_ms IS 'Milliseconds from dial to TCP connection established.';

ALTER TABLE advertisements ALTER COLUMN crawl_id DROP NOT NULL;
ALTER TABLE advertisements ADD COLUMN listen_run_id bigint REFERENCES listen_runs (id) ON DELETE CASCADE;
ALTER TABLE advertisements DROP CONSTRAINT advertisements_source_check;
ALTER TABLE advertisements ADD CONSTRAINT advertisements_source_check
    CHECK (source IN ('advertise', 'nack', 'foreign_nack', 'inbound'));
ALTER TABLE advertisements ADD CONSTRAINT advertisements_owner_check
    CHECK ((crawl_id IS NOT NULL AND listen_run_id IS NULL AND source <> 'inbound')
        OR (crawl_id IS NULL AND listen_run_id IS NOT NULL AND source = 'inbound'));
CREATE UNIQUE INDEX advertisements_run_seq ON advertisements (listen_run_id, seq)
    WHERE listen_run_id IS NOT NULL;
COMMENT ON COLUMN advertisements.crawl_id IS 'The crawl that received the list; NULL for a list an inbound dialer sent the listener (listen_run_id set instead).';
COMMENT ON COLUMN advertisements.listen_run_id IS 'The listener run that received the list (source inbound); NULL for crawl rows.';
COMMENT ON COLUMN advertisements.source IS 'advertise (an Advertise answering our Bootstrap), nack (the point list of a Nack from a node of our chain), foreign_nack (the point list of a Nack from a node of another chain), inbound (an Advertise an inbound dialer sent the listener; from_point is its source address with its announced port).';

-- The latest class of every inbound peer per vantage, and when the listener saw it.
CREATE VIEW nat_census AS
    WITH s AS (
        SELECT i.peer_id, r.vantage, min(i.started_at) AS first_seen, max(i.started_at) AS last_seen
        FROM inbound_sessions i JOIN listen_runs r ON r.id = i.listen_run_id
        WHERE i.peer_id IS NOT NULL
        GROUP BY i.peer_id, r.vantage
    ), d AS (
        SELECT DISTINCT ON (d.peer_id, r.vantage) d.peer_id, r.vantage, d.class
        FROM dialbacks d JOIN listen_runs r ON r.id = d.listen_run_id
        ORDER BY d.peer_id, r.vantage, d.started_at DESC, d.id DESC
    )
    SELECT s.peer_id, s.vantage, d.class, s.first_seen, s.last_seen
    FROM s LEFT JOIN d ON d.peer_id = s.peer_id AND d.vantage IS NOT DISTINCT FROM s.vantage;
COMMENT ON COLUMN nat_census.peer_id IS 'An inbound peer (peer id of its connection message).';
COMMENT ON COLUMN nat_census.vantage IS 'The vantage of the listener runs that saw it.';
COMMENT ON COLUMN nat_census.class IS 'Its latest dial-back class at that vantage (dialbacks.class); NULL while none was decided.';
COMMENT ON COLUMN nat_census.first_seen IS 'Its first inbound session at that vantage.';
COMMENT ON COLUMN nat_census.last_seen IS 'Its latest inbound session at that vantage.';
COMMENT ON VIEW nat_census IS 'Every peer that dialed a listener, per vantage: its latest dial-back class (NULL while none was decided) and when it was first and last seen inbound.';

-- One batch from the listener (or its journal replay): a JSON object with
-- arrays sessions, dialbacks and adverts (field names as the columns; points
-- as text). Rows already there (same run and seq) are skipped.
CREATE FUNCTION inbound_ingest(run bigint, batch jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO inbound_sessions (listen_run_id, seq, started_at, ended_at, source_addr, source_port,
        announced_port, peer_id, public_key, pow_bits, chain_name, distributed_db_version,
        p2p_version, disable_mempool, private_node, end_reason, error, head_level, advertised_n)
    SELECT run, x.seq, x.started_at, x.ended_at, x.source_addr, x.source_port, x.announced_port,
        x.peer_id, decode(x.public_key, 'hex'), x.pow_bits, x.chain_name,
        x.distributed_db_version, x.p2p_version, x.disable_mempool, x.private_node,
        x.end_reason, x.error, x.head_level, coalesce(x.advertised_n, 0)
    FROM jsonb_to_recordset(coalesce(batch->'sessions', '[]')) AS x(seq bigint,
        started_at timestamptz, ended_at timestamptz, source_addr inet, source_port integer,
        announced_port integer, peer_id text, public_key text, pow_bits integer,
        chain_name text, distributed_db_version integer, p2p_version integer,
        disable_mempool boolean, private_node boolean, end_reason text, error text,
        head_level integer, advertised_n integer)
    ON CONFLICT (listen_run_id, seq) DO NOTHING;

    INSERT INTO dialbacks (listen_run_id, seq, peer_id, addr, port, started_at, class,
        reached_peer_id, error, connect_ms)
    SELECT run, x.seq, x.peer_id, x.addr, x.port, x.started_at, x.class, x.reached_peer_id,
        x.error, x.connect_ms
    FROM jsonb_to_recordset(coalesce(batch->'dialbacks', '[]')) AS x(seq bigint, peer_id text,
        addr inet, port integer, started_at timestamptz, class text, reached_peer_id text,
        error text, connect_ms integer)
    ON CONFLICT (listen_run_id, seq) DO NOTHING;

    CREATE TEMP TABLE IF NOT EXISTS inbound_adv_tmp (seq bigint, from_addr inet, from_port integer,
        to_addr inet, to_port integer, round integer, rank integer, list_len integer,
        seen_at timestamptz) ON COMMIT DROP;
    INSERT INTO inbound_adv_tmp
    SELECT x.seq, x.from_addr, x.from_port, x.to_addr, x.to_port, x.round, x.rank, x.list_len,
        x.seen_at
    FROM jsonb_to_recordset(coalesce(batch->'adverts', '[]')) AS x(seq bigint, from_addr inet,
        from_port integer, to_addr inet, to_port integer, round integer, rank integer,
        list_len integer, seen_at timestamptz);
    INSERT INTO points (addr, port, first_seen, last_seen)
    SELECT addr, port, min(t), max(t) FROM (
        SELECT from_addr AS addr, from_port AS port, seen_at AS t FROM inbound_adv_tmp
        UNION ALL SELECT to_addr, to_port, seen_at FROM inbound_adv_tmp) p
    GROUP BY addr, port
    ON CONFLICT (addr, port) DO UPDATE
        SET first_seen = least(points.first_seen, excluded.first_seen),
            last_seen = greatest(points.last_seen, excluded.last_seen);
    INSERT INTO advertisements (crawl_id, listen_run_id, seq, from_point_id, to_point_id, source,
        round, rank, list_len, seen_at)
    SELECT NULL, run, a.seq, pf.id, pt.id, 'inbound', a.round, a.rank, a.list_len, a.seen_at
    FROM inbound_adv_tmp a
    JOIN points pf ON pf.addr = a.from_addr AND pf.port = a.from_port
    JOIN points pt ON pt.addr = a.to_addr AND pt.port = a.to_port
    ON CONFLICT (listen_run_id, seq) WHERE listen_run_id IS NOT NULL DO NOTHING;
    DROP TABLE inbound_adv_tmp;
END $$;
COMMENT ON FUNCTION inbound_ingest(bigint, jsonb) IS 'Stores one batch of listener rows (sessions, dialbacks, adverts) for a run; idempotent per (run, seq).';
