/*
 * YAML is read with libyaml's event parser rather than its document loader:
 * events carry the line and column we need for every message, and nothing
 * the file says is kept beyond the fields of the caller's struct.
 */
#include "conf/conf.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#define CONF_NAME_MAX 256 /* longest dotted key */
#define CONF_DEPTH_MAX 8  /* deepest nested mapping */

static void errf(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void errf(char *err, size_t cap, const char *fmt, ...)
{
	if (!err || cap == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

void conf_strlist_clear(struct conf_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

enum err conf_strlist_add(struct conf_strlist *l, const char *s)
{
	char *copy = strdup(s);
	if (!copy)
		return ERR_NOMEM;
	char **nv = realloc(l->v, (l->n + 1) * sizeof *nv);
	if (!nv) {
		free(copy);
		return ERR_NOMEM;
	}
	nv[l->n++] = copy;
	l->v = nv;
	return ERR_OK;
}

void conf_free(const struct conf_key *keys, size_t n, void *out)
{
	for (size_t i = 0; i < n; i++) {
		char *field = (char *)out + keys[i].offset;
		if (keys[i].type == CONF_STRING) {
			char **s = (char **)(void *)field;
			free(*s);
			*s = NULL;
		} else if (keys[i].type == CONF_STRLIST) {
			conf_strlist_clear((struct conf_strlist *)(void *)field);
		}
	}
}

static bool is_wildcard(const char *name)
{
	size_t len = strlen(name);
	return len >= 2 && strcmp(name + len - 2, ".*") == 0;
}

/* Exact match first; then a "parent.*" entry whose parent is name's parent. */
static const struct conf_key *find_key(const struct conf_key *keys, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!is_wildcard(keys[i].name) && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	const char *dot = strrchr(name, '.');
	if (!dot)
		return NULL;
	size_t parent_len = (size_t)(dot - name);
	for (size_t i = 0; i < n; i++) {
		const char *k = keys[i].name;
		if (is_wildcard(k) && strlen(k) == parent_len + 2 && strncmp(k, name, parent_len) == 0)
			return &keys[i];
	}
	return NULL;
}

/* True when some key lives under "prefix." (so prefix may be a mapping). */
static bool is_section(const struct conf_key *keys, size_t n, const char *prefix)
{
	size_t len = strlen(prefix);
	for (size_t i = 0; i < n; i++)
		if (strncmp(keys[i].name, prefix, len) == 0 && keys[i].name[len] == '.')
			return true;
	return false;
}

static const char *type_str(enum conf_type t)
{
	switch (t) {
	case CONF_BOOL: return "a boolean (true/false)";
	case CONF_INT: return "an integer";
	case CONF_DOUBLE: return "a number";
	case CONF_STRING: return "a string";
	case CONF_STRLIST: return "a list of strings";
	case CONF_CUSTOM: return "a value";
	}
	return "a value";
}

/* Parses one scalar into the key's field. Messages carry no position. */
static enum err assign(const struct conf_key *k, void *out, const char *name, const char *v,
		       bool append, char *err, size_t cap)
{
	char *field = (char *)out + k->offset;
	switch (k->type) {
	case CONF_BOOL: {
		bool b;
		if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"))
			b = true;
		else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off"))
			b = false;
		else {
			errf(err, cap, "%s: expected %s, got '%s'", name, type_str(k->type), v);
			return ERR_CONFIG;
		}
		*(bool *)(void *)field = b;
		return ERR_OK;
	}
	case CONF_INT: {
		char *end;
		errno = 0;
		long long x = strtoll(v, &end, 10);
		if (errno || end == v || *end != '\0') {
			errf(err, cap, "%s: expected %s, got '%s'", name, type_str(k->type), v);
			return ERR_CONFIG;
		}
		if ((double)x < k->min || (double)x > k->max) {
			errf(err, cap, "%s: %lld is out of range [%.0f, %.0f]", name, x, k->min, k->max);
			return ERR_CONFIG;
		}
		*(long long *)(void *)field = x;
		return ERR_OK;
	}
	case CONF_DOUBLE: {
		char *end;
		errno = 0;
		double x = strtod(v, &end);
		if (errno || end == v || *end != '\0' || !isfinite(x)) {
			errf(err, cap, "%s: expected %s, got '%s'", name, type_str(k->type), v);
			return ERR_CONFIG;
		}
		if (x < k->min || x > k->max) {
			errf(err, cap, "%s: %g is out of range [%g, %g]", name, x, k->min, k->max);
			return ERR_CONFIG;
		}
		*(double *)(void *)field = x;
		return ERR_OK;
	}
	case CONF_STRING: {
		char *copy = strdup(v);
		if (!copy)
			return ERR_NOMEM;
		char **s = (char **)(void *)field;
		free(*s);
		*s = copy;
		return ERR_OK;
	}
	case CONF_STRLIST: {
		struct conf_strlist *l = (struct conf_strlist *)(void *)field;
		if (!append)
			conf_strlist_clear(l);
		if (conf_strlist_add(l, v) != ERR_OK)
			return ERR_NOMEM;
		return ERR_OK;
	}
	case CONF_CUSTOM: {
		char msg[256] = "";
		enum err e = k->set(out, name, v, msg, sizeof msg);
		if (e != ERR_OK) {
			errf(err, cap, "%s: %s", name, msg[0] ? msg : "bad value");
			return e == ERR_NOMEM ? ERR_NOMEM : ERR_CONFIG;
		}
		return ERR_OK;
	}
	}
	return ERR_CONFIG;
}

void conf_help(FILE *f, const struct conf_key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct conf_key *k = &keys[i];
		fprintf(f, "  %-22s %s", k->name, k->help);
		if (k->def)
			fprintf(f, " (default %s", k->def);
		if (k->type == CONF_INT || k->type == CONF_DOUBLE)
			fprintf(f, "%s %.10g..%.10g", k->def ? "," : " (range", k->min, k->max);
		fprintf(f, "%s\n", k->def || k->type == CONF_INT || k->type == CONF_DOUBLE ? ")" : "");
	}
}

enum err conf_defaults(const struct conf_key *keys, size_t n, void *out, char *err,
		       size_t err_cap)
{
	for (size_t i = 0; i < n; i++) {
		if (!keys[i].def)
			continue;
		enum err e = assign(&keys[i], out, keys[i].name, keys[i].def, false, err, err_cap);
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

enum err conf_set(const struct conf_key *keys, size_t n, void *out, const char *name,
		  const char *value, char *err, size_t err_cap)
{
	const struct conf_key *k = find_key(keys, n, name);
	if (!k) {
		errf(err, err_cap, "%s: unknown key", name);
		return ERR_CONFIG;
	}
	return assign(k, out, name, value, true, err, err_cap);
}

/* ---- file parsing ---------------------------------------------------- */

struct parse {
	yaml_parser_t p;
	const char *name; /* file name for messages */
	const struct conf_key *keys;
	size_t n;
	void *out;
	char *err;
	size_t err_cap;
	char **seen; /* full names already assigned, for duplicate detection */
	size_t seen_n;
};

static enum err fail_at(struct parse *ps, const yaml_mark_t *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum err fail_at(struct parse *ps, const yaml_mark_t *m, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	errf(ps->err, ps->err_cap, "%s:%zu:%zu: %s", ps->name, m->line + 1, m->column + 1, msg);
	return ERR_CONFIG;
}

static enum err next(struct parse *ps, yaml_event_t *ev)
{
	if (yaml_parser_parse(&ps->p, ev))
		return ERR_OK;
	const yaml_mark_t *m = &ps->p.problem_mark;
	errf(ps->err, ps->err_cap, "%s:%zu:%zu: YAML syntax error: %s", ps->name, m->line + 1,
	     m->column + 1, ps->p.problem ? ps->p.problem : "unknown");
	return ERR_CONFIG;
}

static enum err mark_seen(struct parse *ps, const char *full, const yaml_mark_t *m)
{
	for (size_t i = 0; i < ps->seen_n; i++)
		if (strcmp(ps->seen[i], full) == 0)
			return fail_at(ps, m, "duplicate key '%s'", full);
	char *copy = strdup(full);
	char **nv = copy ? realloc(ps->seen, (ps->seen_n + 1) * sizeof *nv) : NULL;
	if (!nv) {
		free(copy);
		return ERR_NOMEM;
	}
	nv[ps->seen_n++] = copy;
	ps->seen = nv;
	return ERR_OK;
}

/* Scalar value for key full: assign with file position on error. */
static enum err scalar_value(struct parse *ps, const struct conf_key *k, const char *full,
			     const yaml_event_t *ev, bool append)
{
	char msg[512];
	enum err e = assign(k, ps->out, full, (const char *)ev->data.scalar.value, append, msg,
			    sizeof msg);
	if (e == ERR_NOMEM)
		return e;
	if (e != ERR_OK)
		return fail_at(ps, &ev->start_mark, "%s", msg);
	return ERR_OK;
}

static enum err sequence_value(struct parse *ps, const struct conf_key *k, const char *full)
{
	struct conf_strlist *l = (struct conf_strlist *)(void *)((char *)ps->out + k->offset);
	conf_strlist_clear(l);
	for (;;) {
		yaml_event_t ev;
		enum err e = next(ps, &ev);
		if (e != ERR_OK)
			return e;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return ERR_OK;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			e = fail_at(ps, &ev.start_mark, "%s: list items must be plain values", full);
			yaml_event_delete(&ev);
			return e;
		}
		e = scalar_value(ps, k, full, &ev, true);
		yaml_event_delete(&ev);
		if (e != ERR_OK)
			return e;
	}
}

static enum err mapping(struct parse *ps, const char *prefix, int depth);

/* One "key: value" pair; key_ev is the key's scalar event. */
static enum err pair(struct parse *ps, const char *prefix, int depth, const yaml_event_t *key_ev)
{
	char full[CONF_NAME_MAX];
	const char *key = (const char *)key_ev->data.scalar.value;
	int len = prefix[0] ? snprintf(full, sizeof full, "%s.%s", prefix, key)
			    : snprintf(full, sizeof full, "%s", key);
	if (len < 0 || (size_t)len >= sizeof full)
		return fail_at(ps, &key_ev->start_mark, "key too long");
	if (key[0] == '\0' || strchr(key, '.'))
		return fail_at(ps, &key_ev->start_mark, "bad key '%s'", key);
	enum err e = mark_seen(ps, full, &key_ev->start_mark);
	if (e != ERR_OK)
		return e;

	yaml_event_t ev;
	if ((e = next(ps, &ev)) != ERR_OK)
		return e;
	const struct conf_key *k = find_key(ps->keys, ps->n, full);
	switch (ev.type) {
	case YAML_SCALAR_EVENT:
		if (!k)
			e = fail_at(ps, &key_ev->start_mark, "unknown key '%s'", full);
		else
			e = scalar_value(ps, k, full, &ev, false);
		break;
	case YAML_SEQUENCE_START_EVENT:
		if (!k)
			e = fail_at(ps, &key_ev->start_mark, "unknown key '%s'", full);
		else if (k->type != CONF_STRLIST)
			e = fail_at(ps, &ev.start_mark, "%s: expected %s, got a list", full,
				    type_str(k->type));
		else
			e = sequence_value(ps, k, full);
		break;
	case YAML_MAPPING_START_EVENT:
		if (k && !is_section(ps->keys, ps->n, full))
			e = fail_at(ps, &ev.start_mark, "%s: expected %s, got a mapping", full,
				    type_str(k->type));
		else if (!is_section(ps->keys, ps->n, full))
			e = fail_at(ps, &key_ev->start_mark, "unknown key '%s'", full);
		else if (depth + 1 >= CONF_DEPTH_MAX)
			e = fail_at(ps, &ev.start_mark, "nested too deeply");
		else
			e = mapping(ps, full, depth + 1);
		break;
	case YAML_ALIAS_EVENT:
		e = fail_at(ps, &ev.start_mark, "%s: YAML aliases are not supported", full);
		break;
	default:
		e = fail_at(ps, &ev.start_mark, "%s: unexpected YAML element", full);
		break;
	}
	yaml_event_delete(&ev);
	return e;
}

/* Reads pairs until the mapping's end; the MAPPING_START was consumed. */
static enum err mapping(struct parse *ps, const char *prefix, int depth)
{
	for (;;) {
		yaml_event_t ev;
		enum err e = next(ps, &ev);
		if (e != ERR_OK)
			return e;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return ERR_OK;
		}
		if (ev.type != YAML_SCALAR_EVENT)
			e = fail_at(ps, &ev.start_mark, "expected a key");
		else
			e = pair(ps, prefix, depth, &ev);
		yaml_event_delete(&ev);
		if (e != ERR_OK)
			return e;
	}
}

static enum err document(struct parse *ps)
{
	yaml_event_t ev;
	enum err e;
	bool in_doc = false;
	for (;;) {
		if ((e = next(ps, &ev)) != ERR_OK)
			return e;
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (in_doc) {
				e = fail_at(ps, &ev.start_mark, "only one YAML document is allowed");
				goto out;
			}
			in_doc = true;
			break;
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			return ERR_OK;
		case YAML_MAPPING_START_EVENT:
			e = mapping(ps, "", 0);
			if (e != ERR_OK)
				goto out;
			break;
		case YAML_SCALAR_EVENT:
			/* An empty document is a null scalar: an empty configuration. */
			if (ev.data.scalar.length == 0 && ev.data.scalar.plain_implicit)
				break;
			/* fall through */
		default:
			e = fail_at(ps, &ev.start_mark, "the configuration must be a mapping of keys");
			goto out;
		}
		yaml_event_delete(&ev);
	}
out:
	yaml_event_delete(&ev);
	return e;
}

enum err conf_load_buf(const char *name, const char *text, size_t len,
		       const struct conf_key *keys, size_t n, void *out, char *err,
		       size_t err_cap)
{
	struct parse ps = {.name = name, .keys = keys, .n = n, .out = out, .err = err,
			   .err_cap = err_cap};
	if (!yaml_parser_initialize(&ps.p))
		return ERR_NOMEM;
	yaml_parser_set_input_string(&ps.p, (const unsigned char *)text, len);
	enum err e = document(&ps);
	yaml_parser_delete(&ps.p);
	for (size_t i = 0; i < ps.seen_n; i++)
		free(ps.seen[i]);
	free(ps.seen);
	return e;
}

#define CONF_FILE_MAX (1u << 20) /* a configuration file larger than 1 MiB is a mistake */

enum err conf_load_file(const char *path, const struct conf_key *keys, size_t n, void *out,
			char *err, size_t err_cap)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		errf(err, err_cap, "%s: %s", path, strerror(errno));
		return ERR_IO;
	}
	char *buf = malloc(CONF_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return ERR_NOMEM;
	}
	size_t len = fread(buf, 1, CONF_FILE_MAX + 1, f);
	bool bad = ferror(f);
	fclose(f);
	enum err e;
	if (bad) {
		errf(err, err_cap, "%s: read error", path);
		e = ERR_IO;
	} else if (len > CONF_FILE_MAX) {
		errf(err, err_cap, "%s: larger than %u bytes", path, CONF_FILE_MAX);
		e = ERR_CONFIG;
	} else {
		e = conf_load_buf(path, buf, len, keys, n, out, err, err_cap);
	}
	free(buf);
	return e;
}
