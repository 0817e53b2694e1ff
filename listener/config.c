/*
 * Listener settings. The key table is the single list of what can be
 * configured, with each setting's type, range, help and default: the YAML
 * loader, lsn_config_init(), --help (conf_help) and --set read it;
 * config/listener.example.yaml names every key (a unit test checks it).
 */
#include "listener/config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p2p/identity.h"

#define OFF(f) offsetof(struct lsn_config, f)

const struct conf_key lsn_config_keys[] = {
	/* name, type, field, min, max, help (the default is def, the last column), set, def */
	{"listen", CONF_STRING, OFF(listen), 0, 0,
	 "ADDR:PORT to listen on (--listen; required)", NULL, NULL},
	{"identity", CONF_STRING, OFF(identity), 0, 0,
	 "Octez identity.json file", NULL, "identity.json"},
	{"db", CONF_STRING, OFF(db), 0, 0,
	 "libpq conninfo or URL (unset: PG* environment)", NULL, NULL},
	{"no_db", CONF_BOOL, OFF(no_db), 0, 0,
	 "store nothing in PostgreSQL: journal and summary only", NULL, "false"},
	{"journal", CONF_STRING, OFF(journal), 0, 0, "journal file (unset: none)", NULL, NULL},
	{"vantage", CONF_STRING, OFF(vantage), 0, 0,
	 "name of this listener's location", NULL, "local"},
	{"duration", CONF_DOUBLE, OFF(duration), 0, 1e9,
	 "seconds to run; 0 = until SIGTERM", NULL, "0"},
	{"allow", CONF_STRLIST, OFF(allow), 0, 0,
	 "CIDR allow list for dial-backs; exclusive (--allow)", NULL, NULL},
	{"deny", CONF_STRLIST, OFF(deny), 0, 0,
	 "CIDR deny list: never dialed back, inbound refused (--deny)", NULL, NULL},
	{"expected_pow", CONF_DOUBLE, OFF(expected_pow), 0, 256,
	 "the network's proof of work: dialers below it are refused", NULL, "26"},
	{"chain", CONF_STRING, OFF(chain), 0, 0, "chain name announced", NULL, "TEZOS_MAINNET"},
	{"chain_id", CONF_STRING, OFF(chain_id), 0, 0,
	 "chain id (b58) for our Get_current_branch (unset: learnt from the dialer's)", NULL, NULL},
	{"announce_port", CONF_INT, OFF(announce_port), 0, 65535,
	 "port our connection messages announce (0: the bound port)", NULL, "0"},
	{"json", CONF_BOOL, OFF(json), 0, 0, "print the summary as JSON", NULL, "false"},
	{"no_migrate", CONF_BOOL, OFF(no_migrate), 0, 0,
	 "do not apply database migrations at start", NULL, "false"},
	{"ddb_version", CONF_INT, OFF(ddb_version), 0, 65535,
	 "announced distributed_db_version", NULL, "2"},
	{"p2p_version", CONF_INT, OFF(p2p_version), 0, 65535, "announced p2p_version", NULL, "1"},
	{"max_unfinished", CONF_INT, OFF(max_unfinished), 1, 10000,
	 "inbound handshakes in progress at once (the default is Octez's)", NULL, "20"},
	{"max_sessions", CONF_INT, OFF(max_sessions), 1, 60000,
	 "inbound connections at once", NULL, "1000"},
	{"per_ip_sessions", CONF_INT, OFF(per_ip_sessions), 1, 10000,
	 "inbound connections at once per IP address", NULL, "8"},
	{"per_ip_per_minute", CONF_INT, OFF(per_ip_per_minute), 1, 100000,
	 "connections accepted per IP address per minute", NULL, "30"},
	{"max_peers", CONF_INT, OFF(max_peers), 1, 10000000,
	 "peers remembered for dial-back", NULL, "100000"},
	{"auth_timeout", CONF_DOUBLE, OFF(auth_timeout), 0.1, 120,
	 "seconds from accept to the dialer's Ack", NULL, "5"},
	{"session_time", CONF_DOUBLE, OFF(session_time), 0.1, 3600,
	 "seconds an open session lasts at most", NULL, "10"},
	{"advertise_wait", CONF_DOUBLE, OFF(advertise_wait), 0.05, 3600,
	 "seconds after the Ack to wait for an Advertise and the head", NULL, "3"},
	{"dialback_interval", CONF_DOUBLE, OFF(dialback_interval), 0, 1e8,
	 "seconds between two dial-backs of one peer (21600: 6 h)", NULL, "21600"},
	{"dialback_delay", CONF_DOUBLE, OFF(dialback_delay), 0, 3600,
	 "seconds from a peer's first inbound session to its dial-back", NULL, "0.5"},
	{"dialback_timeout", CONF_DOUBLE, OFF(dialback_timeout), 0.1, 120,
	 "seconds for a dial-back's connect and the peer's answer", NULL, "5"},
	{"max_dialbacks", CONF_INT, OFF(max_dialbacks), 1, 60000,
	 "dial-backs in flight; more are not_dialed", NULL, "256"},
	{"metrics", CONF_STRING, OFF(metrics), 0, 0,
	 "Prometheus textfile written while running (unset: none)", NULL, NULL},
	{"metrics_interval", CONF_DOUBLE, OFF(metrics_interval), 1, 86400,
	 "seconds between metrics writes", NULL, "60"},
};
const size_t lsn_config_keys_n = sizeof lsn_config_keys / sizeof lsn_config_keys[0];

enum err lsn_config_init(struct lsn_config *c)
{
	memset(c, 0, sizeof *c);
	char err[256];
	enum err e = conf_defaults(lsn_config_keys, lsn_config_keys_n, c, err, sizeof err);
	if (e != ERR_OK) {
		lsn_config_free(c);
		return e;
	}
	return ERR_OK;
}

void lsn_config_free(struct lsn_config *c)
{
	conf_free(lsn_config_keys, lsn_config_keys_n, c);
}

enum err lsn_config_validate(const struct lsn_config *c, struct policy *p, struct point *listen_pt,
			     uint8_t chain_id[4], bool *chain_id_known, char *err, size_t err_cap)
{
	const char *why = NULL;
	if (!c->listen) {
		snprintf(err, err_cap, "listen: required (--listen ADDR:PORT)");
		return ERR_CONFIG;
	}
	if (point_parse(c->listen, strlen(c->listen), listen_pt, &why) != ERR_OK ||
	    listen_pt->port == 0) {
		snprintf(err, err_cap, "listen: '%s' is not ADDR:PORT with a numeric address%s%s",
			 c->listen, why ? ": " : "", why ? why : "");
		return ERR_CONFIG;
	}
	if (!c->chain || strlen(c->chain) == 0 || strlen(c->chain) > 128) {
		snprintf(err, err_cap, "chain: 1 to 128 bytes");
		return ERR_CONFIG;
	}
	*chain_id_known = false;
	if (c->chain_id) {
		if (p2p_chain_id_parse(chain_id, c->chain_id, strlen(c->chain_id)) != ERR_OK) {
			snprintf(err, err_cap, "chain_id: '%s' is not a b58 chain id (Net...)",
				 c->chain_id);
			return ERR_CONFIG;
		}
		*chain_id_known = true;
	}
	policy_init(p);
	for (size_t i = 0; i < c->allow.n; i++)
		if (policy_add(p, true, c->allow.v[i]) != ERR_OK) {
			snprintf(err, err_cap, "allow: '%s' is not a CIDR prefix", c->allow.v[i]);
			return ERR_CONFIG;
		}
	for (size_t i = 0; i < c->deny.n; i++)
		if (policy_add(p, false, c->deny.v[i]) != ERR_OK) {
			snprintf(err, err_cap, "deny: '%s' is not a CIDR prefix", c->deny.v[i]);
			return ERR_CONFIG;
		}
	return ERR_OK;
}
