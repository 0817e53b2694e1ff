/*
 * report_util — buffers, escapers and report.json look-ups (see the header).
 *
 * The escapers decode UTF-8 only far enough to spot the bidirectional
 * override characters: jansson guarantees the strings it loads are valid
 * UTF-8, and bytes we do not recognise are passed through unchanged.
 */
#include "core/buf.h"
#include "report_util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void rbuf_free(struct rbuf *b)
{
	if (!b)
		return;
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Room for extra bytes and the NUL: lib/core's growth (array_reserve), a
 * failure remembered so that the render reports it once at the end. */
static bool grow(struct rbuf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (extra > SIZE_MAX - b->len - 1 ||
	    array_reserve((void **)&b->p, &b->cap, b->len + extra + 1, 1, 4096) != ERR_OK) {
		b->oom = true;
		return false;
	}
	return true;
}

void rbuf_add(struct rbuf *b, const char *s, size_t n)
{
	if (!grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void rbuf_puts(struct rbuf *b, const char *s)
{
	rbuf_add(b, s, strlen(s));
}

void rbuf_printf(struct rbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		rbuf_add(b, small, (size_t)n);
		return;
	}
	if (!grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/*
 * If s starts with a character that must be shown as an escape, writes the
 * visible escape into b and returns how many bytes of s it stands for;
 * returns 0 otherwise.
 */
static size_t unsafe_char(struct rbuf *b, const unsigned char *s)
{
	if (s[0] < 0x20 || s[0] == 0x7f) {
		rbuf_printf(b, "\\x%02x", s[0]);
		return 1;
	}
	/* U+202A..U+202E = E2 80 AA..AE; U+2066..U+2069 = E2 81 A6..A9 */
	if (s[0] == 0xe2 && s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) {
		rbuf_printf(b, "\\u{%04x}", 0x2000u + (unsigned)(s[2] - 0x80));
		return 3;
	}
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9) {
		rbuf_printf(b, "\\u{%04x}", 0x2040u + (unsigned)(s[2] - 0x80));
		return 3;
	}
	return 0;
}

void rbuf_html(struct rbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t k = unsafe_char(b, p);
		if (k) {
			p += k;
			continue;
		}
		switch (*p) {
		case '&': rbuf_puts(b, "&amp;"); break;
		case '<': rbuf_puts(b, "&lt;"); break;
		case '>': rbuf_puts(b, "&gt;"); break;
		case '"': rbuf_puts(b, "&quot;"); break;
		case '\'': rbuf_puts(b, "&#39;"); break;
		default: rbuf_add(b, (const char *)p, 1); break;
		}
		p++;
	}
}

void rbuf_md(struct rbuf *b, const char *s)
{
	static const char special[] = "\\`*_{}[]()<>#+-.!|~&:@";
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t k = unsafe_char(b, p);
		if (k) {
			p += k;
			continue;
		}
		if (*p < 0x80 && strchr(special, *p))
			rbuf_add(b, "\\", 1);
		rbuf_add(b, (const char *)p, 1);
		p++;
	}
}

void rbuf_csv(struct rbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	rbuf_add(b, "\"", 1);
	if (*p == '=' || *p == '+' || *p == '-' || *p == '@')
		rbuf_add(b, "'", 1);
	while (*p) {
		size_t k = unsafe_char(b, p);
		if (k) {
			p += k;
			continue;
		}
		if (*p == '"')
			rbuf_add(b, "\"", 1);
		rbuf_add(b, (const char *)p, 1);
		p++;
	}
	rbuf_add(b, "\"", 1);
}

const json_t *rj_get(const json_t *root, const char *path)
{
	const json_t *cur = root;
	const char *p = path;
	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		char key[64];
		if (n >= sizeof key || !json_is_object(cur))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		cur = json_object_get(cur, key);
		p += n;
		if (*p == '.')
			p++;
	}
	return cur;
}

bool rj_num(const json_t *root, const char *path, double *out)
{
	const json_t *v = rj_get(root, path);
	if (!json_is_number(v))
		return false;
	double d = json_number_value(v);
	if (!isfinite(d))
		return false;
	*out = d;
	return true;
}

const char *rj_str(const json_t *root, const char *path)
{
	const json_t *v = rj_get(root, path);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool label_value(const char *label, double *v)
{
	char *end;
	double d = strtod(label, &end);
	if (end == label || *end != '\0' || !isfinite(d))
		return false;
	*v = d;
	return true;
}

static int bin_cmp(const void *a, const void *b)
{
	const struct rj_bin *x = a, *y = b;
	return (x->value > y->value) - (x->value < y->value);
}

size_t rj_hist(const json_t *h, struct rj_bin *bins, size_t cap)
{
	size_t n = 0;
	if (json_is_object(h)) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)h, k, v)
		{
			double val;
			if (n == cap || !json_is_number(v) || !label_value(k, &val))
				continue;
			bins[n].value = val;
			bins[n].count = json_number_value(v);
			n++;
		}
	} else if (json_is_array(h)) {
		size_t i;
		json_t *pair;
		json_array_foreach(h, i, pair)
		{
			json_t *a = json_array_get(pair, 0), *c = json_array_get(pair, 1);
			double val;
			if (n == cap || !json_is_number(c))
				continue;
			if (json_is_number(a))
				val = json_number_value(a);
			else if (!json_is_string(a) || !label_value(json_string_value(a), &val))
				continue;
			bins[n].value = val;
			bins[n].count = json_number_value(c);
			n++;
		}
	}
	qsort(bins, n, sizeof *bins, bin_cmp);
	return n;
}

bool rj_time(const char *s, int64_t *out)
{
	if (!s)
		return false;
	int y, mo, d, h, mi, sec, used = 0;
	char sep;
	if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &sec, &used) != 7)
		return false;
	if ((sep != 'T' && sep != ' ') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return false;
	const char *p = s + used;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	long off = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		int oh = 0, om = 0, k = 0;
		if (sscanf(p + 1, "%2d%n", &oh, &k) != 1)
			return false;
		p += 1 + k;
		if (*p == ':')
			p++;
		if (*p >= '0' && *p <= '9') {
			if (sscanf(p, "%2d%n", &om, &k) != 1)
				return false;
			p += k;
		}
		off = sign * (oh * 3600L + om * 60L);
	}
	if (*p != '\0')
		return false;
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm) - off;
	return true;
}

void fmt_num(char *out, size_t cap, double v, int digits)
{
	if (cap == 0)
		return;
	if (!isfinite(v)) {
		snprintf(out, cap, "n/a");
		return;
	}
	if (v != floor(v) || fabs(v) >= 1e15) {
		snprintf(out, cap, "%.*f", digits, v);
		return;
	}
	char raw[32];
	snprintf(raw, sizeof raw, "%.0f", fabs(v));
	size_t n = strlen(raw), o = 0;
	if (v < 0 && o + 1 < cap)
		out[o++] = '-';
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		out[o++] = raw[i];
		size_t left = n - i - 1;
		if (left > 0 && left % 3 == 0 && o + 1 < cap)
			out[o++] = ',';
	}
	out[o] = '\0';
}
