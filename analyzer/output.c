/* output — CSV, GraphML, JSON and the manifest. */
#include "analyzer/output.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/hex.h"

const char *output_kind(const struct mvertex *v)
{
	return v->is_peer ? "peer_id" : "point";
}

const char *output_sources(unsigned s)
{
	if ((s & SRC_ADVERTISE) && (s & SRC_NACK))
		return "advertise+nack";
	return (s & SRC_NACK) ? "nack" : "advertise";
}

enum err output_mkdirs(const char *dir)
{
	char buf[4096];
	int n = snprintf(buf, sizeof buf, "%s", dir);
	if (n <= 0 || (size_t)n >= sizeof buf)
		return ERR_INVAL;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return ERR_IO;
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return ERR_IO;
	return ERR_OK;
}

/*
 * RFC 4180: quote when the field holds a comma, quote or line break. A field
 * a spreadsheet would run as a formula (leading = + - @; of our fields only
 * peer text, the chain name, can start so) is quoted with a ' in front, as
 * rbuf_csv writes every string cell of the report's CSVs.
 */
static void csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	bool formula = s[0] && strchr("=+-@", s[0]);
	if (!formula && !strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_int(FILE *f, long long v, bool present)
{
	if (present)
		fprintf(f, "%lld", v);
}

static const char *tri(int v)
{
	return v < 0 ? NULL : v ? "true" : "false";
}

/* A point as shown: anonymized when asked. */
static void shown_point(const struct analysis *an, const char *pt, char *out, size_t cap)
{
	if (an->opts.anon)
		an->opts.anon(pt, out, cap);
	else
		snprintf(out, cap, "%s", pt);
}

static enum err write_nodes(const struct analysis *an, FILE *f)
{
	const struct model *mo = &an->mo;
	fputs("id,kind,class,points,degree,degree_public,in_core,coreness,is_articulation,"
	      "cut_off_if_removed,betweenness,articulation_seen,chain_name,"
	      "distributed_db_version,p2p_version,pow_bits,private_node,disable_mempool,"
	      "head_level\n",
	      f);
	bool *ap_seen = calloc(mo->n ? mo->n : 1, sizeof *ap_seen);
	bool *ap_r = calloc((size_t)an->r.n + 1, sizeof *ap_r);
	if (!ap_seen || !ap_r) {
		free(ap_seen);
		free(ap_r);
		return ERR_NOMEM;
	}
	for (uint32_t i = 0; i < an->s_blocks.aps_n; i++)
		ap_seen[an->s_blocks.aps[i]] = true;
	for (uint32_t i = 0; i < an->r_blocks.aps_n; i++)
		ap_r[an->r_blocks.aps[i]] = true;
	for (uint32_t i = 0; i < mo->n; i++) {
		const struct mvertex *x = &mo->v[i];
		uint32_t r = an->r_of[i], c = an->c_of[i];
		csv_field(f, an->disp[i]);
		fprintf(f, ",%s,%s,", output_kind(x), vclass_str(x->cls));
		char pts[2048];
		size_t used = 0;
		pts[0] = 0;
		for (uint32_t j = 0; j < x->points_n; j++) {
			char one[160];
			shown_point(an, mo->points[mo->vpoints[x->first_point + j]], one,
			            sizeof one);
			int w = snprintf(pts + used, sizeof pts - used, "%s%s", j ? " " : "", one);
			if (w < 0 || (size_t)w >= sizeof pts - used)
				break; /* a node with very many points: the first ones */
			used += (size_t)w;
		}
		csv_field(f, pts);
		fprintf(f, ",%u,", ugraph_deg(&an->s, i));
		csv_int(f, r != UINT32_MAX ? ugraph_deg(&an->r, r) : 0, r != UINT32_MAX);
		fprintf(f, ",%s,", c != UINT32_MAX ? "true" : "false");
		csv_int(f, r != UINT32_MAX ? an->r_core[r] : 0, r != UINT32_MAX);
		fprintf(f, ",%s,", r != UINT32_MAX && ap_r[r] ? "true" : "false");
		fprintf(f, "%u,", r != UINT32_MAX ? an->r_blocks.cut_off[r] : 0);
		if (c != UINT32_MAX)
			fprintf(f, "%.10g", an->betw[c]);
		fprintf(f, ",%s,", ap_seen[i] ? "true" : "false");
		csv_field(f, x->chain_name);
		fputc(',', f);
		csv_int(f, x->ddb_version, x->ddb_version >= 0);
		fputc(',', f);
		csv_int(f, x->p2p_version, x->p2p_version >= 0);
		fputc(',', f);
		csv_int(f, x->pow_bits, x->pow_bits >= 0);
		fputc(',', f);
		csv_field(f, tri(x->private_node));
		fputc(',', f);
		csv_field(f, tri(x->disable_mempool));
		fputc(',', f);
		csv_int(f, x->head_level, x->head_level >= 0);
		fputc('\n', f);
	}
	free(ap_seen);
	free(ap_r);
	return ERR_OK;
}

static enum err write_edges(const struct analysis *an, FILE *f)
{
	const struct model *mo = &an->mo;
	fputs("source,target,sources,best_rank,rounds_seen,strong\n", f);
	for (size_t i = 0; i < mo->m; i++) {
		const struct medge *e = &mo->e[i];
		csv_field(f, an->disp[e->u]);
		fputc(',', f);
		csv_field(f, an->disp[e->v]);
		fprintf(f, ",%s,", output_sources(e->sources));
		csv_int(f, e->best_rank, e->best_rank >= 0);
		fprintf(f, ",%d,%s\n", e->rounds_seen, e->strong ? "true" : "false");
	}
	return ERR_OK;
}

static enum err write_graphml(const struct analysis *an, FILE *f)
{
	const struct model *mo = &an->mo;
	uint32_t n = mo->n;
	size_t m = mo->m;
	const char **cls = calloc(n ? n : 1, sizeof *cls);
	const char **kind = calloc(n ? n : 1, sizeof *kind);
	double *core = calloc(n ? n : 1, sizeof *core);
	double *cut = calloc(n ? n : 1, sizeof *cut);
	double *betw = calloc(n ? n : 1, sizeof *betw);
	bool *incore = calloc(n ? n : 1, sizeof *incore);
	bool *ap = calloc(n ? n : 1, sizeof *ap);
	const char **src = calloc(m ? m : 1, sizeof *src);
	double *rank = calloc(m ? m : 1, sizeof *rank);
	double *rounds = calloc(m ? m : 1, sizeof *rounds);
	bool *strong = calloc(m ? m : 1, sizeof *strong);
	enum err e = ERR_NOMEM;
	if (!cls || !kind || !core || !cut || !betw || !incore || !ap || !src || !rank || !rounds ||
	    !strong)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = an->r_of[i], c = an->c_of[i];
		cls[i] = vclass_str(mo->v[i].cls);
		kind[i] = output_kind(&mo->v[i]);
		core[i] = r != UINT32_MAX ? (double)an->r_core[r] : -1.0;
		cut[i] = r != UINT32_MAX ? an->r_blocks.cut_off[r] : 0;
		betw[i] = c != UINT32_MAX ? an->betw[c] : -1;
		incore[i] = c != UINT32_MAX;
	}
	for (uint32_t i = 0; i < an->r_blocks.aps_n; i++)
		ap[an->r_map[an->r_blocks.aps[i]]] = true;
	for (size_t i = 0; i < m; i++) {
		src[i] = output_sources(mo->e[i].sources);
		rank[i] = mo->e[i].best_rank;
		rounds[i] = mo->e[i].rounds_seen;
		strong[i] = mo->e[i].strong;
	}
	const struct graph_attr va[] = {
	    {"label", GA_STRING, (const char *const *)an->disp, NULL, NULL},
	    {"kind", GA_STRING, kind, NULL, NULL},
	    {"class", GA_STRING, cls, NULL, NULL},
	    {"in_core", GA_BOOL, NULL, NULL, incore},
	    {"coreness", GA_NUMBER, NULL, core, NULL},
	    {"is_articulation", GA_BOOL, NULL, NULL, ap},
	    {"cut_off_if_removed", GA_NUMBER, NULL, cut, NULL},
	    {"betweenness", GA_NUMBER, NULL, betw, NULL},
	};
	const struct graph_attr ea[] = {
	    {"sources", GA_STRING, src, NULL, NULL},
	    {"best_rank", GA_NUMBER, NULL, rank, NULL},
	    {"rounds_seen", GA_NUMBER, NULL, rounds, NULL},
	    {"strong", GA_BOOL, NULL, NULL, strong},
	};
	e = graph_write_graphml(&an->s, f, va, sizeof va / sizeof *va, ea, sizeof ea / sizeof *ea);
out:
	free(cls);
	free(kind);
	free(core);
	free(cut);
	free(betw);
	free(incore);
	free(ap);
	free(src);
	free(rank);
	free(rounds);
	free(strong);
	return e;
}

static enum err write_report(const struct analysis *an, FILE *f)
{
	if (json_dumpf(an->report, f, REPORT_JSON_FLAGS) != 0)
		return ERR_IO;
	fputc('\n', f);
	return ERR_OK;
}

enum err output_sha256_file(const char *path, char hex[65])
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ERR_IO;
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	unsigned char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	bool bad = ferror(f);
	fclose(f);
	if (bad)
		return ERR_IO;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&st, h);
	hex_encode(hex, h, sizeof h);
	return ERR_OK;
}

typedef enum err writer_fn(const struct analysis *an, FILE *f);

static enum err write_file(const char *dir, const char *name, writer_fn *fn,
                           const struct analysis *an, char *err, size_t cap)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return ERR_IO;
	}
	enum err e = fn(an, f);
	if (fclose(f) != 0 && e == ERR_OK)
		e = ERR_IO;
	if (e != ERR_OK)
		snprintf(err, cap, "%s: write failed (%s)", path, err_str(e));
	return e;
}

enum err output_write_all(const struct analysis *an, const char *dir, char *err, size_t cap)
{
	if (sodium_init() < 0) {
		snprintf(err, cap, "libsodium failed to initialize");
		return ERR_CRYPTO;
	}
	if (output_mkdirs(dir) != ERR_OK) {
		snprintf(err, cap, "%s: cannot create directory: %s", dir, strerror(errno));
		return ERR_IO;
	}
	static const char *const names[] = {"edges.csv", "graph.graphml", "nodes.csv",
	                                    "report.json"};
	writer_fn *fns[] = {write_edges, write_graphml, write_nodes, write_report};
	for (size_t i = 0; i < 4; i++) {
		enum err e = write_file(dir, names[i], fns[i], an, err, cap);
		if (e != ERR_OK)
			return e;
	}
	return output_write_manifest(an, dir, err, cap);
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.' && strcmp(d->d_name, "manifest.json") != 0;
}

enum err output_write_manifest(const struct analysis *an, const char *dir, char *err, size_t cap)
{
	if (sodium_init() < 0) {
		snprintf(err, cap, "libsodium failed to initialize");
		return ERR_CRYPTO;
	}
	struct dirent **ents = NULL;
	int ne = scandir(dir, &ents, not_hidden, alphasort);
	if (ne < 0) {
		snprintf(err, cap, "%s: %s", dir, strerror(errno));
		return ERR_IO;
	}
	bool ok = true;
	enum err e = ERR_OK;
	json_t *m = json_object();
	json_t *files = json_array();
	json_t *params = json_object();
	json_t *ids = json_array();
	if (!m || !files || !params || !ids) {
		json_decref(files);
		json_decref(params);
		json_decref(ids);
		e = ERR_NOMEM;
		goto out;
	}
	char seed[24];
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)an->opts.seed);
	ok &= !json_object_set_new(m, "schema_version", json_integer(1));
	ok &= !json_object_set_new(m, "analyzer_version", json_string(ANALYZER_VERSION));
	ok &= !json_array_append_new(ids, json_integer(an->crawl->id));
	ok &= !json_object_set_new(m, "crawl_ids", ids);
	ok &= !json_object_set_new(m, "crawl_uuid",
	                           an->crawl->uuid ? json_string(an->crawl->uuid) : json_null());
	ok &= !json_object_set_new(m, "rng_seed", json_string(seed));
	ok &= !json_object_set_new(params, "random_runs", json_integer(an->opts.random_runs));
	ok &= !json_object_set_new(params, "betweenness_exact_max",
	                           json_integer(an->opts.betweenness_exact_max));
	ok &= !json_object_set_new(params, "betweenness_samples",
	                           json_integer(an->opts.betweenness_samples));
	ok &= !json_object_set_new(params, "anonymize", json_boolean(an->opts.anon != NULL));
	ok &= !json_object_set_new(params, "attack_steps", json_integer(ATTACK_STEPS));
	ok &= !json_object_set_new(m, "parameters", params);
	for (int i = 0; i < ne && e == ERR_OK; i++) {
		char path[4096], hex[65];
		snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
		struct stat st;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (output_sha256_file(path, hex) != ERR_OK) {
			snprintf(err, cap, "%s: cannot read back", path);
			e = ERR_IO;
			break;
		}
		json_t *x = json_object();
		ok &= x != NULL;
		if (!x)
			break;
		ok &= !json_object_set_new(x, "name", json_string(ents[i]->d_name));
		ok &= !json_object_set_new(x, "bytes", json_integer((json_int_t)st.st_size));
		ok &= !json_object_set_new(x, "sha256", json_string(hex));
		ok &= !json_array_append_new(files, x);
	}
	ok &= !json_object_set_new(m, "files", files);
	if (e == ERR_OK) {
		char path[4096];
		snprintf(path, sizeof path, "%s/manifest.json", dir);
		if (!ok || json_dump_file(m, path, JSON_INDENT(2)) != 0) {
			snprintf(err, cap, "%s: write failed", path);
			e = ERR_IO;
		}
	}
out:
	json_decref(m);
	for (int i = 0; i < ne; i++)
		free(ents[i]);
	free(ents);
	return e;
}
