-- A small, hand-made data set for the example queries of docs/schema.md
-- (checked by tests/integration/schema_queries.sh). Addresses are from the
-- documentation ranges; peer ids are made up. Ids are fixed so results are
-- stable. Story: vantage "lab" crawled three times in a week (plus one crawl
-- that was aborted); vantage "tokyo" once. Node B upgrades its
-- distributed_db_version, node D runs another chain, E appears late.

INSERT INTO crawls (id, uuid, started_at, finished_at, status, vantage, tool_version)
OVERRIDING SYSTEM VALUE VALUES
 (1, '00000000-0000-4000-8000-000000000001', '2025-11-17 02:00+00', '2025-11-17 02:10+00', 'finished', 'lab', '0.1'),
 (2, '00000000-0000-4000-8000-000000000002', '2025-11-20 02:00+00', '2025-11-20 02:12+00', 'finished', 'lab', '0.1'),
 (3, '00000000-0000-4000-8000-000000000003', '2025-11-23 02:00+00', '2025-11-23 02:11+00', 'finished', 'lab', '0.1'),
 (4, '00000000-0000-4000-8000-000000000004', '2025-11-24 02:00+00', NULL, 'aborted', 'lab', '0.1'),
 (5, '00000000-0000-4000-8000-000000000005', '2025-11-22 03:00+00', '2025-11-22 03:05+00', 'finished', 'tokyo', '0.1');

INSERT INTO points (id, addr, port, first_seen, last_seen) OVERRIDING SYSTEM VALUE VALUES
 (1, '203.0.113.10', 9732, '2025-11-17 02:00+00', '2025-11-24 02:00+00'),
 (2, '203.0.113.11', 9732, '2025-11-17 02:00+00', '2025-11-23 02:00+00'),
 (3, '198.51.100.7', 9732, '2025-11-17 02:00+00', '2025-11-23 02:00+00'),
 (4, '198.51.100.8', 9733, '2025-11-20 02:00+00', '2025-11-23 02:00+00'),
 (5, '2001:db8::1', 9732, '2025-11-23 02:00+00', '2025-11-23 02:00+00'),
 (6, '192.0.2.50', 9732, '2025-11-17 02:00+00', '2025-11-23 02:00+00'),
 (7, '192.0.2.51', 9732, '2025-11-20 02:00+00', '2025-11-23 02:00+00'),
 (8, '10.0.0.5', 9732, '2025-11-17 02:00+00', '2025-11-23 02:00+00');

INSERT INTO peers (peer_id, public_key, first_seen, last_seen) VALUES
 ('idA', NULL, '2025-11-17 02:00+00', '2025-11-24 02:00+00'),
 ('idB', NULL, '2025-11-17 02:00+00', '2025-11-23 02:00+00'),
 ('idC', NULL, '2025-11-17 02:00+00', '2025-11-23 02:00+00'),
 ('idD', NULL, '2025-11-20 02:00+00', '2025-11-23 02:00+00'),
 ('idE', NULL, '2025-11-23 02:00+00', '2025-11-23 02:00+00');

-- Visits: (crawl, seq, point, outcome, peer, chain, ddb, p2p, pow, private, mempool off,
--          nack motive, head level, connect ms, attempt)
INSERT INTO visits (crawl_id, seq, point_id, started_at, outcome, peer_id, chain_name,
    chain_name_raw, distributed_db_version, p2p_version, pow_bits, private_node,
    disable_mempool, nack_motive, head_level, connect_ms, attempt)
SELECT v.crawl_id, v.seq, v.point_id, c.started_at + v.seq * interval '1 second', v.outcome,
       v.peer_id, v.chain, convert_to(v.chain, 'UTF8'), v.ddb, v.p2p, v.pow, v.priv, v.nomem,
       v.motive, v.head, v.cms, v.attempt
FROM (VALUES
 (1, 1, 1, 'ok',          'idA', 'TEZOS_MAINNET', 2, 1, 26, false, false, NULL::int, 8990000, 40, 1),
 (1, 2, 2, 'ok',          'idB', 'TEZOS_MAINNET', 1, 1, 27, false, false, NULL, 8990000, 55, 1),
 (1, 3, 3, 'ok',          'idC', 'TEZOS_MAINNET', 2, 1, 24, false, true,  NULL, 8989990, 80, 1),
 (1, 4, 6, 'timeout',     NULL,  NULL,            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1),
 (1, 5, 8, 'policy',      NULL,  NULL,            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1),
 (2, 1, 1, 'ok',          'idA', 'TEZOS_MAINNET', 2, 1, 26, false, false, NULL, 8995000, 42, 1),
 (2, 2, 2, 'nack',        'idB', 'TEZOS_MAINNET', 1, 1, 27, false, false, 1,    NULL, 50, 1),
 (2, 3, 3, 'ok',          'idC', 'TEZOS_MAINNET', 2, 1, 24, false, true,  NULL, 8994990, 85, 1),
 (2, 4, 4, 'ok',          'idD', 'TEZOS_MAINNET', 2, 1, 26, false, false, NULL, 8995000, 30, 1),
 (2, 5, 6, 'timeout',     NULL,  NULL,            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1),
 (2, 6, 7, 'refused',     NULL,  NULL,            NULL, NULL, NULL, NULL, NULL, NULL, NULL, 12, 1),
 (2, 7, 8, 'policy',      NULL,  NULL,            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1),
 (3, 1, 1, 'ok',          'idA', 'TEZOS_MAINNET', 2, 1, 26, false, false, NULL, 9000000, 41, 1),
 (3, 2, 2, 'ok',          'idB', 'TEZOS_MAINNET', 2, 1, 27, false, false, NULL, 9000000, 52, 1),
 (3, 3, 3, 'closed',      'idC', 'TEZOS_MAINNET', 2, 1, 24, true,  true,  NULL, NULL, 90, 1),
 (3, 4, 4, 'incompatible','idD', 'TEZOS_GHOSTNET',2, 1, 26, NULL,  NULL,  NULL, NULL, 33, 1),
 (3, 5, 5, 'ok',          'idE', 'TEZOS_MAINNET', 0, 1, 30, false, false, NULL, 8999000, 120, 1),
 (3, 6, 6, 'timeout',     NULL,  NULL,            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1),
 (3, 7, 6, 'timeout',     NULL,  NULL,            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2),
 (3, 8, 7, 'silent_close',NULL,  NULL,            NULL, NULL, NULL, NULL, NULL, NULL, NULL, 15, 1),
 (3, 9, 8, 'policy',      NULL,  NULL,            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1),
 (4, 1, 1, 'ok',          'idA', 'TEZOS_MAINNET', 2, 1, 26, false, false, NULL, 9001000, 40, 1),
 (5, 1, 1, 'ok',          'idA', 'TEZOS_MAINNET', 2, 1, 26, false, false, NULL, 8998000, 210, 1),
 (5, 2, 6, 'refused',     NULL,  NULL,            NULL, NULL, NULL, NULL, NULL, NULL, NULL, 180, 1)
) AS v(crawl_id, seq, point_id, outcome, peer_id, chain, ddb, p2p, pow, priv, nomem, motive, head, cms, attempt)
JOIN crawls c ON c.id = v.crawl_id;

-- Advertisements: (crawl, seq, from point, to point, source, round, rank, list length)
INSERT INTO advertisements (crawl_id, seq, from_point_id, to_point_id, source, round, rank,
    list_len, seen_at)
SELECT a.crawl_id, a.seq, a.f, a.t, a.src, a.rnd, a.rnk, a.len, c.started_at + interval '1 minute'
FROM (VALUES
 (1, 1, 1, 2, 'advertise', 1, 0, 2),
 (1, 2, 1, 3, 'advertise', 1, 1, 2),
 (1, 3, 2, 1, 'advertise', 1, 0, 1),
 (2, 1, 1, 2, 'advertise', 1, 0, 3),
 (2, 2, 1, 3, 'advertise', 1, 1, 3),
 (2, 3, 1, 4, 'advertise', 1, 2, 3),
 (2, 4, 2, 4, 'nack',      0, 0, 2),
 (2, 5, 2, 7, 'nack',      0, 1, 2),
 (3, 1, 1, 2, 'advertise', 1, 0, 4),
 (3, 2, 1, 3, 'advertise', 1, 1, 4),
 (3, 3, 1, 5, 'advertise', 1, 2, 4),
 (3, 4, 1, 6, 'advertise', 1, 3, 4),
 (3, 5, 1, 2, 'advertise', 2, 0, 2),
 (3, 6, 1, 3, 'advertise', 2, 1, 2),
 (3, 7, 2, 1, 'advertise', 1, 0, 2),
 (3, 8, 2, 3, 'advertise', 1, 1, 2),
 (3, 9, 5, 1, 'advertise', 1, 0, 1)
) AS a(crawl_id, seq, f, t, src, rnd, rnk, len)
JOIN crawls c ON c.id = a.crawl_id;
