/*
 * conf — YAML configuration files (libyaml) read into a caller's struct,
 * driven by a table of keys.
 *
 * The caller describes each key once (name, type, offset of the field in its
 * struct, allowed range, one line of help); conf_load_file() reads a YAML
 * file whose root is a mapping, flattening nested mappings into dotted names
 * ("latency.min_ms"), and conf_set() applies one command-line override with
 * the same parsing and checks, so a flag and its YAML key can never disagree.
 * Every error names its place: "file:line:column: message" for files,
 * "key: message" for overrides. Unknown keys, duplicate keys, wrong types and
 * values out of range are errors.
 *
 * Ownership: CONF_STRING fields (char *) and CONF_STRLIST fields are owned by
 * the caller's struct; they must be NULL/empty or heap-allocated before the
 * first call, are replaced (old value freed) on assignment, and are released
 * by conf_free(). Not thread-safe per struct; no global state.
 */
#ifndef TZ_CONF_CONF_H
#define TZ_CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/err.h"

enum conf_type {
	CONF_BOOL,    /* bool: true/false, yes/no, on/off */
	CONF_INT,     /* long long within [min, max] */
	CONF_DOUBLE,  /* double within [min, max], finite */
	CONF_STRING,  /* char * (owned) */
	CONF_STRLIST, /* struct conf_strlist: a YAML sequence of scalars, or one scalar */
	CONF_CUSTOM,  /* the key's set() callback parses the text */
};

struct conf_strlist {
	char **v; /* owned strings */
	size_t n;
};

/*
 * Callback of a CONF_CUSTOM key: name is the full dotted key (useful with a
 * wildcard entry), value the scalar text. Writes a message without position
 * into err on failure.
 */
typedef enum err (*conf_set_fn)(void *out, const char *name, const char *value, char *err,
				size_t err_cap);

struct conf_key {
	const char *name;    /* dotted name; "section.*" matches any child of "section" */
	enum conf_type type;
	size_t offset;       /* offsetof(struct your_config, field); unused for CONF_CUSTOM */
	double min, max;     /* for CONF_INT and CONF_DOUBLE */
	const char *help;    /* one line: meaning (the default is def, not repeated here) */
	conf_set_fn set;     /* for CONF_CUSTOM */
	const char *def;     /* default as a value text (parsed like the file's); NULL: none */
};

/*
 * Sets every key that has a def to that default, parsed and range-checked
 * like a value of the file (CONF_STRLIST: a one-element list). ERR_CONFIG
 * with "name: message" in err (a table mistake), ERR_NOMEM.
 */
/*
 * --help's list of settings: one line per key, "name  help (default D,
 * min..max)", the default and range taken from the table.
 */
void conf_help(FILE *f, const struct conf_key *keys, size_t n);

enum err conf_defaults(const struct conf_key *keys, size_t n, void *out, char *err,
		       size_t err_cap) __attribute__((warn_unused_result));

/*
 * Reads path into out. On error returns ERR_CONFIG (or ERR_IO when the file
 * cannot be opened) and writes "path:line:col: message" into err; fields
 * already assigned stay assigned (conf_free() releases them).
 */
enum err conf_load_file(const char *path, const struct conf_key *keys, size_t n, void *out,
			char *err, size_t err_cap) __attribute__((warn_unused_result));

/* Same, from a buffer; name is used in messages in place of a path. */
enum err conf_load_buf(const char *name, const char *text, size_t len,
		       const struct conf_key *keys, size_t n, void *out, char *err,
		       size_t err_cap) __attribute__((warn_unused_result));

/*
 * One override (a command-line flag): parses value as the key's type. For
 * CONF_STRLIST it appends. ERR_CONFIG with "name: message" in err.
 */
enum err conf_set(const struct conf_key *keys, size_t n, void *out, const char *name,
		  const char *value, char *err, size_t err_cap) __attribute__((warn_unused_result));

/* Empties a string list (frees its strings). */
void conf_strlist_clear(struct conf_strlist *l);

/* Appends a copy of s. ERR_NOMEM on allocation failure. */
enum err conf_strlist_add(struct conf_strlist *l, const char *s) __attribute__((warn_unused_result));

/* Releases every CONF_STRING and CONF_STRLIST field of out. Safe to call twice. */
void conf_free(const struct conf_key *keys, size_t n, void *out);

#endif
