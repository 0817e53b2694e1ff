/* libFuzzer target: lib/conf on arbitrary YAML text. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	bool b;
	long long i;
	double d;
	char *s;
	struct conf_strlist l;
};

static enum err accept_any(void *out, const char *name, const char *value, char *err, size_t cap)
{
	(void)out;
	(void)name;
	(void)err;
	(void)cap;
	return value[0] == 'x' ? ERR_CONFIG : ERR_OK;
}

static const struct conf_key keys[] = {
	{"b", CONF_BOOL, offsetof(struct fz, b), 0, 0, "", NULL, NULL},
	{"i", CONF_INT, offsetof(struct fz, i), -5, 5, "", NULL, NULL},
	{"a.d", CONF_DOUBLE, offsetof(struct fz, d), 0, 1, "", NULL, NULL},
	{"a.s", CONF_STRING, offsetof(struct fz, s), 0, 0, "", NULL, NULL},
	{"l", CONF_STRLIST, offsetof(struct fz, l), 0, 0, "", NULL, NULL},
	{"m.*", CONF_CUSTOM, 0, 0, 0, "", accept_any, NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {0};
	char err[256];
	enum err e = conf_load_buf("fuzz", (const char *)data, size, keys, sizeof keys / sizeof keys[0],
				   &f, err, sizeof err);
	(void)e;
	conf_free(keys, sizeof keys / sizeof keys[0], &f);
	return 0;
}
