#include "simclient.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "core/clock.h"
#include "net/sockaddr.h"
#include "p2p/frame.h"
#include "p2p/handshake.h"

const char *sc_outcome_str(enum sc_outcome o)
{
	switch (o) {
	case SC_OK: return "ok";
	case SC_REFUSED: return "refused";
	case SC_SILENT_CLOSE: return "silent_close";
	case SC_TIMEOUT: return "timeout";
	case SC_CLOSED: return "closed";
	case SC_NACK: return "nack";
	case SC_NACK_V0: return "nack_v0";
	case SC_ERROR: return "error";
	case SC_IOERR: return "ioerr";
	}
	return "?";
}

int sc_identity(struct p2p_identity *id, double pow)
{
	return p2p_identity_generate(id, pow, 0, p2p_random_system, NULL, NULL, NULL) == ERR_OK ? 0 : -1;
}

static double now_ms(void)
{
	return clock_mono_s() * 1e3;
}

static int dial(const struct point *pt, double deadline, struct sc_result *r)
{
	bool v4 = point_is_v4(pt);
	int fd = socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct sockaddr_storage ss;
	socklen_t alen = point_to_sockaddr(pt, &ss);
	int rc = connect(fd, (struct sockaddr *)&ss, alen);
	if (rc != 0 && errno != EINPROGRESS) {
		r->outcome = errno == ECONNREFUSED ? SC_REFUSED : SC_IOERR;
		snprintf(r->error, sizeof r->error, "connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int left = (int)(deadline - now_ms());
	if (rc != 0 && poll(&p, 1, left > 0 ? left : 0) != 1) {
		r->outcome = SC_TIMEOUT;
		close(fd);
		return -1;
	}
	int soerr = 0;
	socklen_t sl = sizeof soerr;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	if (soerr) {
		r->outcome = soerr == ECONNREFUSED ? SC_REFUSED : SC_IOERR;
		snprintf(r->error, sizeof r->error, "connect: %s", strerror(soerr));
		close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const uint8_t *p, size_t len, double deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -1;
		struct pollfd pf = {.fd = fd, .events = POLLOUT};
		int left = (int)(deadline - now_ms());
		if (left <= 0 || poll(&pf, 1, left) != 1)
			return -1;
	}
	return 0;
}

static bool send_msg(struct hs *h, uint16_t tag)
{
	static struct p2p_msg m;
	p2p_msg_init(&m, tag);
	static const uint8_t mainnet[4] = {0x7a, 0x06, 0xa7, 0x70};
	memcpy(m.chain_id, mainnet, 4);
	return hs_send(h, &m) == ERR_OK;
}

enum sc_outcome sc_visit(const struct point *pt, const struct sc_opts *o, struct sc_result *r)
{
	memset(r, 0, sizeof *r);
	r->fd = -1;
	int timeout = o->timeout_ms ? o->timeout_ms : 3000;
	int open_ms = o->open_ms ? o->open_ms : 1000;
	double t0 = now_ms(), deadline = t0 + timeout, open_deadline = 0, ack_at = 0, late_at = 0;
	int fd = dial(pt, deadline, r);
	if (fd < 0)
		return r->outcome;
	if (o->misbehave == SC_GARBAGE_CONN) {
		/* a body far too short for a connection message */
		static const uint8_t junk[] = {0x00, 0x05, 'h', 'e', 'l', 'l', 'o'};
		write_all(fd, junk, sizeof junk, deadline);
	} else if (o->misbehave == SC_RAW)
		write_all(fd, o->raw, o->raw_len, deadline);
	struct hs_params p = {
	    .role = HS_INITIATOR,
	    .id = o->id,
	    .chain_name = o->chain_name ? o->chain_name : "TEZOS_MAINNET",
	    .port = 0,
	    .ddb_version = 2,
	    .p2p_version = 1,
	    .disable_mempool = true,
	    .private_node = false,
	    .expected_pow = o->expected_pow,
	};
	randombytes_buf(p.msg_nonce, sizeof p.msg_nonce);
	struct hs *h = hs_new(&p);
	if (!h) {
		r->outcome = SC_IOERR;
		close(fd);
		return r->outcome;
	}
	size_t conn_len = 0, written = 0;
	bool done = false, opened = false;
	r->outcome = SC_TIMEOUT;
	uint8_t buf[65536];
	while (!done) {
		/* output (skipped entirely when we only send garbage) */
		size_t len;
		const uint8_t *out = hs_out(h, &len);
		bool silent = o->misbehave == SC_GARBAGE_CONN || o->misbehave == SC_RAW;
		if (out && len > 0 && !silent) {
			if (conn_len == 0)
				conn_len =
				    len; /* the first output is exactly our connection message */
			uint8_t *copy = buf;
			size_t take = len < sizeof buf ? len : sizeof buf;
			memcpy(copy, out, take);
			/* our metadata chunk starts at conn_len: byte +5 is inside its MAC */
			size_t flip = conn_len + 5;
			if (o->misbehave == SC_CORRUPT_METADATA && flip >= written &&
			    flip < written + take)
				copy[flip - written] ^= 0x40;
			if (write_all(fd, copy, take, deadline) != 0) {
				r->outcome = r->bytes_in ? SC_CLOSED : SC_SILENT_CLOSE;
				break;
			}
			hs_out_consume(h, take);
			written += take;
			continue;
		} else if (out && len > 0)
			hs_out_consume(h, len);
		if (late_at > 0 && now_ms() >= late_at) {
			late_at = 0;
			r->late_boot_at_ms = now_ms() - ack_at;
			if (!send_msg(h, P2P_TAG_BOOTSTRAP))
				break;
			continue;
		}
		double limit = opened ? open_deadline : deadline;
		if (late_at > 0 && late_at < limit)
			limit = late_at;
		if (opened && r->adv_msgs >= o->bootstraps && (!o->get_branch || r->got_branch) &&
		    r->got_branch_req)
			break;
		int left = (int)(limit - now_ms());
		if (left <= 0 && late_at > 0)
			continue;
		if (left <= 0)
			break;
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		int pr = poll(&pf, 1, left);
		if (pr <= 0)
			continue;
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			if (!opened)
				r->outcome = r->bytes_in ? SC_CLOSED : SC_SILENT_CLOSE;
			break;
		}
		r->bytes_in += (size_t)n;
		if (hs_feed(h, buf, (size_t)n) != ERR_OK)
			break;
		struct hs_event ev;
		while (!done && hs_next_event(h, &ev)) {
			switch (ev.type) {
			case HS_EV_CONN_MSG:
				r->got_conn = true;
				memcpy(r->peer_id, ev.conn.peer_id, 16);
				r->pow_bits = ev.conn.pow_bits;
				r->port = ev.conn.port;
				r->ddb_version = ev.conn.ddb_version;
				r->p2p_version = ev.conn.p2p_version;
				snprintf(r->chain_name, sizeof r->chain_name, "%.*s",
				         (int)ev.conn.chain_name_len,
				         (const char *)ev.conn.chain_name);
				if (o->banner_only) {
					r->outcome = SC_OK;
					done = true;
				}
				break;
			case HS_EV_METADATA:
				r->got_meta = true;
				r->private_node = ev.meta.private_node;
				r->disable_mempool = ev.meta.disable_mempool;
				break;
			case HS_EV_ACK:
				opened = true;
				r->outcome = SC_OK;
				ack_at = now_ms();
				r->ack_ms = ack_at - t0;
				open_deadline = ack_at + open_ms;
				if (open_deadline > deadline)
					open_deadline = deadline;
				for (int i = 0; i < o->bootstraps - (o->late_boot_ms > 0); i++)
					if (!send_msg(h, P2P_TAG_BOOTSTRAP))
						done = true;
				if (o->late_boot_ms > 0 && o->bootstraps > 0)
					late_at = ack_at + o->late_boot_ms;
				if (o->get_branch && !send_msg(h, P2P_TAG_GET_CURRENT_BRANCH))
					done = true;
				break;
			case HS_EV_NACK:
				r->outcome = SC_NACK;
				r->motive = ev.ack.motive;
				r->nack_n = ev.ack.points_n;
				memcpy(r->nack, ev.ack.points, ev.ack.points_n * sizeof r->nack[0]);
				done = true;
				break;
			case HS_EV_NACK_V0:
				r->outcome = SC_NACK_V0;
				done = true;
				break;
			case HS_EV_NACK_SENT: done = true; break;
			case HS_EV_MSG:
				if (ev.msg.tag == P2P_TAG_GET_CURRENT_BRANCH) {
					r->got_branch_req = true;
					memcpy(r->branch_req_chain, ev.msg.chain_id, 4);
				} else if (ev.msg.tag == P2P_TAG_ADVERTISE) {
					if (r->adv_msgs < 4)
						r->adv_at_ms[r->adv_msgs] = now_ms() - ack_at;
					if (r->adv_msgs++ == 0) {
						r->adv_n = ev.msg.points_n;
						memcpy(r->adv, ev.msg.points,
						       ev.msg.points_n * sizeof r->adv[0]);
					}
				} else if (ev.msg.tag == P2P_TAG_CURRENT_BRANCH) {
					r->got_branch = true;
					r->head_level = ev.msg.head.level;
					r->head_ts = ev.msg.head.timestamp;
					memcpy(r->head_hash, ev.msg.head.hash, 32);
				}
				break;
			case HS_EV_ERROR:
				r->outcome = SC_ERROR;
				snprintf(r->error, sizeof r->error, "%s", ev.error.reason);
				done = true;
				break;
			case HS_EV_DROPPED: break; /* no frame cap here */
			}
		}
	}
	/* flush what is queued (our Ack after a private node's metadata, ...) */
	size_t len;
	const uint8_t *out = hs_out(h, &len);
	if (out && len > 0 && o->misbehave == SC_BEHAVE)
		(void)write_all(fd, out, len, now_ms() + 100);
	hs_free(h);
	if (o->hold)
		r->fd = fd;
	else
		close(fd);
	return r->outcome;
}
