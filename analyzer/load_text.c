/* load_text — the plain edge-list input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/load.h"

static enum err add_node(struct acrawl *c, const char *tok)
{
	struct acrawl_visit v = acrawl_visit_blank();
	v.point = (char *)tok;
	v.outcome = (char *)"ok";
	v.attempt = 1;
	return acrawl_add_visit(c, &v);
}

static int cmp_visit(const void *a, const void *b)
{
	return strcmp(((const struct acrawl_visit *)a)->point,
	              ((const struct acrawl_visit *)b)->point);
}

/* One visit per node: a token seen on many lines is one dial, not many. */
static void dedupe(struct acrawl *c)
{
	qsort(c->visits, c->visits_n, sizeof *c->visits, cmp_visit);
	size_t w = 0;
	for (size_t i = 0; i < c->visits_n; i++) {
		if (w && !strcmp(c->visits[w - 1].point, c->visits[i].point)) {
			free(c->visits[i].point);
			free(c->visits[i].outcome);
			continue;
		}
		c->visits[w++] = c->visits[i];
	}
	c->visits_n = w;
}

enum err load_edgelist(const char *path, struct acrawl *c, char *err, size_t cap)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return ERR_IO;
	}
	char line[EDGELIST_LINE_MAX + 2];
	unsigned long ln = 0;
	enum err e = ERR_OK;
	while (fgets(line, sizeof line, f)) {
		ln++;
		size_t len = strlen(line);
		if (len > EDGELIST_LINE_MAX && line[len - 1] != '\n') {
			snprintf(err, cap, "%s:%lu: line longer than %d bytes", path, ln,
			         EDGELIST_LINE_MAX);
			e = ERR_TOOBIG;
			break;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *tok[3];
		int nt = 0;
		char *save = NULL;
		for (char *t = strtok_r(line, " \t\r\n", &save); t && nt < 3;
		     t = strtok_r(NULL, " \t\r\n", &save))
			tok[nt++] = t;
		if (nt == 0)
			continue;
		if (nt > 2) {
			snprintf(err, cap, "%s:%lu: expected 'A B' or 'A'", path, ln);
			e = ERR_PROTO;
			break;
		}
		if ((e = add_node(c, tok[0])) != ERR_OK)
			break;
		if (nt == 2) {
			if ((e = add_node(c, tok[1])) != ERR_OK)
				break;
			if ((e = acrawl_add_adv(c, tok[0], tok[1], ADV_ADVERTISE, 1, 0, 1)) !=
			    ERR_OK)
				break;
		}
	}
	if (e == ERR_OK && ferror(f)) {
		snprintf(err, cap, "%s: read error", path);
		e = ERR_IO;
	} else if (e == ERR_NOMEM) {
		snprintf(err, cap, "%s: out of memory", path);
	}
	fclose(f);
	if (e == ERR_OK)
		dedupe(c);
	return e;
}
