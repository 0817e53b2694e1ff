/*
 * Benchmark server for bench/slow_frame_bench.sh: N hostile Tezos peers that
 * each announce an 8 MiB frame and send all of it but its last byte, to
 * measure what such peers cost the crawler's memory. Not a test.
 *
 *   slow_frame_server BASE N MODE READY_FILE
 *
 * Listens on port 9732 of N loopback addresses from BASE + 1 (BASE inside
 * 127.0.0.0/8: loopback only). Each accepted connection gets a responder's
 * handshake (connection message, metadata, Ack), then one Advertise of 3
 * points (what the visit can really learn), then by MODE:
 *   branch  a Current_branch frame of P2P_FRAME_MAX bytes, as the answer to
 *           the crawler's Get_current_branch;
 *   head    a Current_head frame of P2P_FRAME_MAX bytes, pushed unasked
 *           (the crawler keeps the session until its window ends);
 *   junk    as head, but only the frame's first chunk is sealed; the others
 *           are chunks of the right length holding zeros (what a peer that
 *           knows a capped crawler skips them unread sends: it costs it no
 *           crypto, so all N peers get through all but the last byte within
 *           the crawler's window on a small machine; a crawler that opened
 *           them would fail the visit at the first MAC);
 *   polite  a normal Current_branch (a head header and 250 history hashes,
 *           ~8.4 KiB): the same crawl with well-behaved peers.
 * The big frame is sealed chunk by chunk as the socket drains (Octez's
 * 65,517-byte chunks, every byte but the last of the last chunk written),
 * so the server holds one chunk per connection, not 8 MiB.
 * The server never decrypts: after the crawler's connection message it
 * reads and discards. SIGTERM/SIGINT: prints one line of counts and exits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/bytes.h"
#include "p2p/consts.h"
#include "p2p/crypto.h"
#include "p2p/frame.h"
#include "p2p/identity.h"
#include "p2p/msg.h"

enum mode { M_BRANCH, M_HEAD, M_JUNK, M_POLITE };

#define WIRE_CAP  (2 + P2P_MAC_LEN + P2P_CHUNK_PLAIN_MAX)
#define SMALL_CAP 16384

struct peer {
	ev_io io;
	int fd;
	uint8_t our_msg[256];
	size_t our_len;
	uint8_t in[512]; /* the crawler's connection message */
	size_t in_len;
	bool keyed;
	uint8_t key[P2P_KEY_LEN], local[P2P_NONCE_LEN], remote[P2P_NONCE_LEN];
	uint8_t *out; /* WIRE_CAP: what is queued, [off, len) */
	size_t off, len;
	size_t frame_done; /* plaintext bytes of the big frame sealed so far */
	bool frame_over;
};

static struct p2p_identity ident;
static enum mode mode;
static struct point adv[3];
static uint8_t *header; /* polite mode's head */
static size_t header_len;
static unsigned long long n_conn, n_full, bytes_out;

static void peer_close(struct ev_loop *loop, struct peer *p)
{
	ev_io_stop(loop, &p->io);
	close(p->fd);
	free(p->out);
	free(p);
}

/* Seals plain as one chunk at the end of the queue. */
static void seal(struct peer *p, const uint8_t *plain, size_t len)
{
	size_t n;
	if (p->off == p->len)
		p->off = p->len = 0;
	if (p2p_chunk_seal(p->out + p->len, WIRE_CAP - p->len, &n, plain, len, p->local, p->key) !=
	    ERR_OK)
		abort();
	p2p_nonce_incr(p->local);
	p->len += n;
}

static void queue_frame(struct peer *p, const struct p2p_msg *m)
{
	static uint8_t buf[SMALL_CAP];
	size_t n;
	if (p2p_frame_encode(m, buf, sizeof buf, &n) != ERR_OK)
		abort();
	for (size_t off = 0; off < n; off += P2P_CHUNK_PLAIN_MAX)
		seal(p, buf + off, n - off < P2P_CHUNK_PLAIN_MAX ? n - off : P2P_CHUNK_PLAIN_MAX);
}

/* After the crawler's connection message: metadata, Ack, Advertise, then the mode's frame. */
static void start_session(struct peer *p)
{
	struct p2p_conn_msg cm;
	size_t used;
	if (p2p_conn_msg_decode(p->in, p->in_len, &used, &cm, NULL) != ERR_OK ||
	    p2p_channel_key(p->key, cm.public_key, ident.sk) != ERR_OK) {
		p->frame_over = true;
		return;
	}
	p2p_nonces_for_role(p->local, p->remote, false, p->in, used, p->our_msg, p->our_len);
	p->keyed = true;
	uint8_t md[P2P_METADATA_LEN];
	struct p2p_metadata meta = {.disable_mempool = false, .private_node = false};
	p2p_metadata_encode(&meta, md);
	seal(p, md, sizeof md);
	struct p2p_ack ack = {.kind = P2P_ACK};
	uint8_t a[8];
	size_t an;
	if (p2p_ack_encode(&ack, a, sizeof a, &an) != ERR_OK)
		abort();
	seal(p, a, an);
	static struct p2p_msg m;
	p2p_msg_init(&m, P2P_TAG_ADVERTISE);
	m.points_n = 3;
	memcpy(m.points, adv, sizeof adv);
	queue_frame(p, &m);
	if (mode == M_POLITE) {
		static uint8_t hist[250 * 32];
		p2p_msg_init(&m, P2P_TAG_CURRENT_BRANCH);
		memcpy(m.chain_id, "\x7a\x06\xa7\x70", 4);
		m.head.raw = header;
		m.head.raw_len = header_len;
		m.history = hist;
		m.history_n = 250;
		queue_frame(p, &m);
		p->frame_over = true;
	}
}

/* The next chunk of the big frame, all but its very last byte on the wire. */
static void next_big_chunk(struct peer *p)
{
	static uint8_t plain[P2P_CHUNK_PLAIN_MAX];
	size_t total = 4 + (size_t)P2P_FRAME_MAX;
	size_t c = total - p->frame_done < P2P_CHUNK_PLAIN_MAX ? total - p->frame_done
	                                                       : P2P_CHUNK_PLAIN_MAX;
	memset(plain, 0, c);
	if (p->frame_done == 0) {
		be32_put(plain, P2P_FRAME_MAX);
		be16_put(plain + 4,
		         mode == M_BRANCH ? P2P_TAG_CURRENT_BRANCH : P2P_TAG_CURRENT_HEAD);
		/* first chunk sealed in every mode: its size and tag are what the crawler reads */
	}
	if (mode == M_JUNK && p->frame_done > 0) {
		if (p->off == p->len)
			p->off = p->len = 0;
		be16_put(p->out + p->len, (uint16_t)(P2P_MAC_LEN + c));
		memset(p->out + p->len + 2, 0, P2P_MAC_LEN + c);
		p->len += 2 + P2P_MAC_LEN + c;
	} else {
		seal(p, plain, c);
	}
	p->frame_done += c;
	if (p->frame_done == total) {
		p->len--; /* the last byte never comes */
		p->frame_over = true;
		n_full++;
	}
}

static void peer_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct peer *p = w->data;
	if (revents & EV_READ) {
		uint8_t buf[4096];
		ssize_t n = recv(p->fd, buf, sizeof buf, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			peer_close(loop, p);
			return;
		}
		if (n > 0 && !p->keyed && !p->frame_over) {
			size_t take = (size_t)n < sizeof p->in - p->in_len
			                  ? (size_t)n
			                  : sizeof p->in - p->in_len;
			memcpy(p->in + p->in_len, buf, take);
			p->in_len += take;
			if (p->in_len >= 2 && p->in_len >= 2 + (size_t)be16_get(p->in))
				start_session(p);
		}
	}
	/* two chunks per event at most: every peer gets its turn (and accept) */
	for (int sealed = 0;;) {
		if (p->off == p->len) {
			if (!p->keyed || p->frame_over || sealed++ == 2)
				break;
			next_big_chunk(p);
		}
		ssize_t n = send(p->fd, p->out + p->off, p->len - p->off, MSG_NOSIGNAL);
		if (n > 0) {
			p->off += (size_t)n;
			bytes_out += (unsigned long long)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		peer_close(loop, p);
		return;
	}
	int want = EV_READ | (p->off < p->len || (p->keyed && !p->frame_over) ? EV_WRITE : 0);
	if (want != p->io.events) {
		ev_io_stop(loop, &p->io);
		ev_io_set(&p->io, p->fd, want);
		ev_io_start(loop, &p->io);
	}
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	for (;;) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct peer *p = calloc(1, sizeof *p);
		if (!p || !(p->out = malloc(WIRE_CAP))) {
			free(p);
			close(fd);
			return;
		}
		p->fd = fd;
		n_conn++;
		struct p2p_conn_msg m = {.port = 9732,
		                         .chain_name = (const uint8_t *)"TEZOS_MAINNET",
		                         .chain_name_len = 13,
		                         .ddb_version = 2,
		                         .p2p_version = 1};
		memcpy(m.public_key, ident.pk, 32);
		memcpy(m.pow_stamp, ident.stamp, 24);
		randombytes_buf(m.message_nonce, sizeof m.message_nonce);
		if (p2p_conn_msg_encode(&m, p->our_msg, sizeof p->our_msg, &p->our_len) != ERR_OK)
			abort();
		memcpy(p->out, p->our_msg, p->our_len);
		p->len = p->our_len;
		ev_io_init(&p->io, peer_cb, fd, EV_READ | EV_WRITE);
		p->io.data = p;
		ev_io_start(loop, &p->io);
	}
}

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w;
	(void)revents;
	printf("connections %llu full_frames %llu bytes_out %llu\n", n_conn, n_full, bytes_out);
	fflush(stdout);
	ev_break(loop, EVBREAK_ALL);
}

int main(int argc, char **argv)
{
	if (argc != 5 || sodium_init() < 0) {
		fprintf(stderr,
		        "usage: slow_frame_server BASE N branch|head|junk|polite READY_FILE\n");
		return 2;
	}
	struct in_addr base;
	if (inet_pton(AF_INET, argv[1], &base) != 1 || (ntohl(base.s_addr) >> 24) != 127) {
		fprintf(stderr, "BASE must be an IPv4 address inside 127.0.0.0/8\n");
		return 2;
	}
	long n = strtol(argv[2], NULL, 10);
	mode = strcmp(argv[3], "branch") == 0 ? M_BRANCH
	       : strcmp(argv[3], "head") == 0 ? M_HEAD
	       : strcmp(argv[3], "junk") == 0 ? M_JUNK
	                                      : M_POLITE;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (p2p_identity_generate(&ident, 0, 1, p2p_random_system, NULL, NULL, NULL) != ERR_OK)
		return 1;
	uint32_t b = ntohl(base.s_addr);
	for (int k = 0; k < 3; k++)
		adv[k] = point_v4(b + 1 + (uint32_t)k, 9732); /* bench points: already known */
	static uint8_t z[64];
	static uint8_t fit[] = {0, 0, 0, 1, 2, 0, 0, 0, 0};
	struct p2p_block_header h = {.level = 9000000,
	                             .proto = 1,
	                             .predecessor = z,
	                             .timestamp = 1764000000,
	                             .validation_passes = 4,
	                             .operations_hash = z,
	                             .fitness = fit,
	                             .fitness_len = sizeof fit,
	                             .context = z,
	                             .protocol_data = z,
	                             .protocol_data_len = sizeof z};
	header = malloc(512);
	if (!header || p2p_block_header_encode(&h, header, 512, &header_len) != ERR_OK)
		return 1;
	struct ev_loop *loop = ev_default_loop(0);
	signal(SIGPIPE, SIG_IGN);
	for (long i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int one = 1;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(9732)};
		sa.sin_addr.s_addr = htonl(b + 1 + (uint32_t)i);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
		    listen(fd, 64) != 0) {
			perror("listen");
			return 1;
		}
		ev_io *w = malloc(sizeof *w);
		ev_io_init(w, accept_cb, fd, EV_READ);
		ev_io_start(loop, w);
	}
	ev_signal sterm, sint;
	ev_signal_init(&sterm, stop_cb, SIGTERM);
	ev_signal_start(loop, &sterm);
	ev_signal_init(&sint, stop_cb, SIGINT);
	ev_signal_start(loop, &sint);
	FILE *f = fopen(argv[4], "w");
	if (f)
		fclose(f);
	ev_run(loop, 0);
	return 0;
}
