/*
 * Crawler settings. The key table below is the single list of what can be
 * configured, with each setting's type, range, help and default: the YAML
 * loader, crawl_config_init(), --help (crawl_config_help) and --set read it;
 * config/crawler.example.yaml and man/tzcensus-crawl.1 document the same
 * names and defaults, and unit tests check that they agree with the table.
 */
#include "crawler/config.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFF(f) offsetof(struct crawl_config, f)

const struct conf_key crawl_config_keys[] = {
	/* name, type, field, min, max, help (the default is def, the last column), def */
	{"db", CONF_STRING, OFF(db), 0, 0,
	 "libpq conninfo or URL (unset: PG* environment)", NULL, NULL},
	{"seeds", CONF_STRLIST, OFF(seeds), 0, 0, "seed points host:port (--seed)", NULL, NULL},
	{"seed_from_db", CONF_BOOL, OFF(seed_from_db), 0, 0,
	 "also seed with points that answered in recent crawls", NULL, "false"},
	{"seed_from_db_crawls", CONF_INT, OFF(seed_from_db_crawls), 1, 100,
	 "how many recent finished crawls seed_from_db reads", NULL, "3"},
	{"allow", CONF_STRLIST, OFF(allow), 0, 0, "CIDR allow list; exclusive when set (--allow)",
	 NULL, NULL},
	{"deny", CONF_STRLIST, OFF(deny), 0, 0, "CIDR deny list (--deny)", NULL, NULL},
	{"identity", CONF_STRING, OFF(identity), 0, 0, "Octez identity.json file", NULL,
	 "identity.json"},
	{"expected_pow", CONF_DOUBLE, OFF(expected_pow), 0, 256,
	 "the network's proof of work: peers' checked and recorded; ours must reach it", NULL,
	 "26"},
	{"chain", CONF_STRING, OFF(chain), 0, 0, "chain name announced", NULL, "TEZOS_MAINNET"},
	{"concurrency", CONF_INT, OFF(concurrency), 1, 60000, "connections in flight", NULL,
	 "1000"},
	{"connect_timeout", CONF_DOUBLE, OFF(connect_timeout), 0.1, 120,
	 "seconds for the TCP connect", NULL, "10"},
	{"handshake_timeout", CONF_DOUBLE, OFF(handshake_timeout), 0.1, 60,
	 "seconds from connect to the peer's Ack", NULL, "5"},
	{"bootstrap_rounds", CONF_INT, OFF(bootstrap_rounds), 0, 10,
	 "Bootstrap messages per visit", NULL, "2"},
	{"bootstrap_interval", CONF_DOUBLE, OFF(bootstrap_interval), 0.1, 10,
	 "seconds between Bootstrap rounds", NULL, "0.1"},
	{"advertise_wait", CONF_DOUBLE, OFF(advertise_wait), 0.05, 30,
	 "seconds to wait for each Advertise", NULL, "2"},
	{"no_head", CONF_BOOL, OFF(no_head), 0, 0, "skip Get_current_branch", NULL, "false"},
	{"head_wait", CONF_DOUBLE, OFF(head_wait), 0.05, 30,
	 "seconds to wait for Current_branch", NULL, "2"},
	{"vantage", CONF_STRING, OFF(vantage), 0, 0, "name of this crawler's location", NULL,
	 "local"},
	{"journal", CONF_STRING, OFF(journal), 0, 0, "journal file (unset: none)", NULL, NULL},
	{"json", CONF_BOOL, OFF(json), 0, 0, "print the summary as JSON", NULL, "false"},
	{"no_migrate", CONF_BOOL, OFF(no_migrate), 0, 0,
	 "do not apply database migrations at start", NULL, "false"},
	{"per_ip_inflight", CONF_INT, OFF(per_ip_inflight), 1, 20,
	 "connections at once per IP address", NULL, "2"},
	{"per_ip_ports", CONF_INT, OFF(per_ip_ports), 1, 1000,
	 "distinct ports dialed per IP address", NULL, "4"},
	{"per_message_points", CONF_INT, OFF(per_message_points), 1, 100,
	 "points taken from one message", NULL, "100"},
	{"max_points", CONF_INT, OFF(max_points), 1, 10000000,
	 "cap on distinct points known", NULL, "200000"},
	{"connect_retries", CONF_INT, OFF(connect_retries), 0, 5,
	 "extra attempts after a connect timeout", NULL, "1"},
	{"retry_delay", CONF_DOUBLE, OFF(retry_delay), 0, 3600,
	 "seconds before a retry", NULL, "2"},
	{"retry_connect_timeout", CONF_DOUBLE, OFF(retry_connect_timeout), 0.1, 120,
	 "seconds for a retry's TCP connect, at most connect_timeout", NULL, "4"},
	{"drain_timeout", CONF_DOUBLE, OFF(drain_timeout), 0, 60,
	 "seconds in-flight visits get after SIGINT/SIGTERM", NULL, "3"},
	{"log_interval", CONF_DOUBLE, OFF(log_interval), 0.5, 3600,
	 "seconds between progress log lines off a terminal", NULL, "5"},
	{"db_queue_mb", CONF_INT, OFF(db_queue_mb), 1, 4096,
	 "MiB of rows queued for the database before dialing pauses", NULL, "8"},
	{"db_flush_timeout", CONF_DOUBLE, OFF(db_flush_timeout), 0, 3600,
	 "seconds the end of a crawl waits for the database", NULL, "60"},
	{"ddb_version", CONF_INT, OFF(ddb_version), 0, 65535,
	 "announced distributed_db_version", NULL, "2"},
	{"p2p_version", CONF_INT, OFF(p2p_version), 0, 65535, "announced p2p_version", NULL, "1"},
	{"rpc_probe.enabled", CONF_BOOL, OFF(rpc_enabled), 0, 0,
	 "ask each public node's RPC server GET /version", NULL, "false"},
	{"rpc_probe.ports", CONF_STRLIST, OFF(rpc_ports), 0, 0,
	 "RPC ports asked on a public node's address (at most 8)", NULL, "8732"},
	{"rpc_probe.timeout", CONF_DOUBLE, OFF(rpc_timeout), 0.1, 60,
	 "seconds for one whole RPC request", NULL, "3"},
	{"announce_port", CONF_INT, OFF(announce_port), 0, 65535,
	 "port our connection messages announce; 0: we do not listen", NULL, "0"},
};
const size_t crawl_config_keys_n = sizeof crawl_config_keys / sizeof crawl_config_keys[0];

enum err crawl_config_init(struct crawl_config *c)
{
	memset(c, 0, sizeof *c);
	char err[256];
	enum err e = conf_defaults(crawl_config_keys, crawl_config_keys_n, c, err, sizeof err);
	if (e != ERR_OK) {
		crawl_config_free(c);
		return e;
	}
	return ERR_OK;
}

void crawl_config_free(struct crawl_config *c)
{
	conf_free(crawl_config_keys, crawl_config_keys_n, c);
}

static bool hostname_ok(const char *h)
{
	size_t len = strlen(h), label = 0;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = h[i];
		if (ch == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');
		if (!alnum && !(ch == '-' && label > 0))
			return false;
		if (++label > 63)
			return false;
	}
	return h[len - 1] != '-';
}

static bool port_parse(const char *s, unsigned *port)
{
	if (*s == '\0' || strlen(s) > 5)
		return false;
	unsigned v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*port = v;
	return true;
}

enum err seed_parse(const char *text, struct seed_spec *out)
{
	memset(out, 0, sizeof *out);
	out->port = CRAWL_DEFAULT_PORT;
	size_t len = strlen(text);
	if (len == 0 || len >= sizeof out->host)
		return ERR_CONFIG;
	const char *port_text = NULL;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close == text + 1)
			return ERR_CONFIG;
		memcpy(out->host, text + 1, (size_t)(close - text - 1));
		out->host[close - text - 1] = '\0';
		if (close[1] == ':')
			port_text = close + 2;
		else if (close[1] != '\0')
			return ERR_CONFIG;
		struct in6_addr a6;
		struct in_addr a4;
		if (inet_pton(AF_INET6, out->host, &a6) != 1 && inet_pton(AF_INET, out->host, &a4) != 1)
			return ERR_CONFIG;
		out->numeric = true;
	} else {
		const char *colon = strchr(text, ':');
		if (colon && strchr(colon + 1, ':')) {
			/* several colons: a bare IPv6 literal, port 9732 */
			struct in6_addr a6;
			if (inet_pton(AF_INET6, text, &a6) != 1)
				return ERR_CONFIG;
			memcpy(out->host, text, len + 1);
			out->numeric = true;
			return ERR_OK;
		}
		size_t hlen = colon ? (size_t)(colon - text) : len;
		memcpy(out->host, text, hlen);
		out->host[hlen] = '\0';
		if (colon)
			port_text = colon + 1;
		struct in_addr a4;
		if (inet_pton(AF_INET, out->host, &a4) == 1)
			out->numeric = true;
		else if (!hostname_ok(out->host))
			return ERR_CONFIG;
	}
	if (port_text && !port_parse(port_text, &out->port))
		return ERR_CONFIG;
	return ERR_OK;
}

enum err crawl_config_policy(const struct crawl_config *c, struct policy *p, char *err,
			     size_t err_cap)
{
	policy_init(p);
	for (size_t i = 0; i < c->allow.n; i++) {
		enum err e = policy_add(p, true, c->allow.v[i]);
		if (e != ERR_OK) {
			snprintf(err, err_cap, "allow: %s '%s'",
				 e == ERR_FULL ? "too many rules at" : "not a CIDR:", c->allow.v[i]);
			return ERR_CONFIG;
		}
	}
	for (size_t i = 0; i < c->deny.n; i++) {
		enum err e = policy_add(p, false, c->deny.v[i]);
		if (e != ERR_OK) {
			snprintf(err, err_cap, "deny: %s '%s'",
				 e == ERR_FULL ? "too many rules at" : "not a CIDR:", c->deny.v[i]);
			return ERR_CONFIG;
		}
	}
	return ERR_OK;
}

enum err crawl_config_validate(const struct crawl_config *c, char *err, size_t err_cap)
{
	for (size_t i = 0; i < c->seeds.n; i++) {
		struct seed_spec s;
		if (seed_parse(c->seeds.v[i], &s) != ERR_OK) {
			snprintf(err, err_cap, "seeds: not a host:port: '%s'", c->seeds.v[i]);
			return ERR_CONFIG;
		}
	}
	struct policy *p = malloc(sizeof *p);
	if (!p)
		return ERR_NOMEM;
	enum err e = crawl_config_policy(c, p, err, err_cap);
	free(p);
	if (e != ERR_OK)
		return e;
	if (!c->chain || strlen(c->chain) == 0 || strlen(c->chain) > 128) {
		snprintf(err, err_cap, "chain: must be 1 to 128 bytes");
		return ERR_CONFIG;
	}
	if (!c->vantage || strlen(c->vantage) == 0 || strlen(c->vantage) > 200) {
		snprintf(err, err_cap, "vantage: must be 1 to 200 bytes");
		return ERR_CONFIG;
	}
	/* Octez answers a p2p_version 0 peer with Nack_v_0, which carries no point
	 * list (docs/p2p-codec.md): every Nack list would be lost. */
	if (c->p2p_version == 0) {
		snprintf(err, err_cap,
			 "p2p_version: 0 would cost every Nack's point list (Nack_v_0 carries "
			 "none): announce 1 or more");
		return ERR_CONFIG;
	}
	if (!c->identity || c->identity[0] == '\0') {
		snprintf(err, err_cap, "identity: must name a file");
		return ERR_CONFIG;
	}
	if (c->rpc_ports.n > CRAWL_RPC_PORTS_MAX) {
		snprintf(err, err_cap, "rpc_probe.ports: at most %d ports", CRAWL_RPC_PORTS_MAX);
		return ERR_CONFIG;
	}
	if (c->rpc_enabled && c->rpc_ports.n == 0) {
		snprintf(err, err_cap, "rpc_probe.ports: empty while rpc_probe.enabled is true");
		return ERR_CONFIG;
	}
	for (size_t i = 0; i < c->rpc_ports.n; i++) {
		unsigned port;
		if (!port_parse(c->rpc_ports.v[i], &port)) {
			snprintf(err, err_cap, "rpc_probe.ports: not a port 1-65535: '%s'",
				 c->rpc_ports.v[i]);
			return ERR_CONFIG;
		}
	}
	return ERR_OK;
}

void crawl_config_frontier_limits(const struct crawl_config *c, struct frontier_limits *l)
{
	l->max_points = (size_t)c->max_points;
	l->per_ip_inflight = (unsigned)c->per_ip_inflight;
	l->per_ip_ports = (unsigned)c->per_ip_ports;
	l->per_message = (unsigned)c->per_message_points;
	l->connect_retries = (unsigned)c->connect_retries;
	l->retry_delay_s = c->retry_delay;
}

void crawl_config_help(FILE *f)
{
	conf_help(f, crawl_config_keys, crawl_config_keys_n);
}

unsigned crawl_config_rpc_port(const struct crawl_config *c, size_t i)
{
	unsigned port = 0;
	if (i < c->rpc_ports.n && !port_parse(c->rpc_ports.v[i], &port))
		port = 0;
	return port;
}

char *crawl_config_json(const struct crawl_config *c)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	for (size_t i = 0; i < crawl_config_keys_n; i++) {
		const struct conf_key *k = &crawl_config_keys[i];
		const char *field = (const char *)c + k->offset;
		json_t *v = NULL;
		if (strcmp(k->name, "db") == 0)
			continue; /* may hold a password */
		switch (k->type) {
		case CONF_BOOL: v = json_boolean(*(const bool *)(const void *)field); break;
		case CONF_INT: v = json_integer(*(const long long *)(const void *)field); break;
		case CONF_DOUBLE: v = json_real(*(const double *)(const void *)field); break;
		case CONF_STRING: {
			const char *s = *(char *const *)(const void *)field;
			v = s ? json_string(s) : json_null();
			break;
		}
		case CONF_STRLIST: {
			const struct conf_strlist *l = (const struct conf_strlist *)(const void *)field;
			v = json_array();
			for (size_t j = 0; v && j < l->n; j++)
				json_array_append_new(v, json_string(l->v[j]));
			break;
		}
		case CONF_CUSTOM: break;
		}
		if (v)
			json_object_set_new(o, k->name, v);
	}
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return text;
}
