/*
 * format.c -- printing values and result rows for the ormc command.
 *
 * The writer turns one streamed result into one of three documents:
 *
 *   format  shape      output
 *   json    AGGREGATE  {"price__avg": "34.35"}          (one object)
 *   json    OBJECTS    [{"name": "A", "n": 2}, ...]      (one object per row)
 *   json    LISTS      [["A", 2], ...]
 *   json    FLAT       ["A", ...]
 *   json    SCALAR     5                                (the bare value)
 *   csv     any        header line, then one line per row (RFC 4180 quoting)
 *   table   any        aligned columns as psql prints them, "(N rows)"
 *
 * JSON values follow Django's DjangoJSONEncoder: decimals as strings with
 * their exact digits, datetimes in ISO-8601 with a "T" and milliseconds,
 * durations as "P1DT02H00M00S"; floats as Python's repr() spells them. String
 * escaping is jansson's.
 */
#include "format.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

struct cli_writer {
	FILE *out;
	cli_format format;
	ormc_shape shape;
	int single;             /* first(), latest()...: the row itself, or null */
	int ncols;
	char **names;
	long nrows;             /* rows received */

	/* Table only. Cells of the held rows, each NUL-terminated, in cells. */
	char *cells;
	size_t cells_len, cells_cap;
	size_t *offs;           /* start of each held cell in cells */
	size_t noffs, offs_cap;
	size_t *width;          /* column widths, fixed once printed */
	int *right;             /* 1: right-aligned (numbers), 0: left, -1: not yet known */
	int printed_header;
};

int
cli_format_parse(const char *name, cli_format *out)
{
	if (strcmp(name, "table") == 0)
		*out = CLI_FORMAT_TABLE;
	else if (strcmp(name, "json") == 0)
		*out = CLI_FORMAT_JSON;
	else if (strcmp(name, "csv") == 0)
		*out = CLI_FORMAT_CSV;
	else
		return -1;
	return 0;
}

/* ---- value spellings ---------------------------------------------------- */

void
cli_float_repr(double f, char *buf, size_t n)
{
	char tmp[40], digits[24], expbuf[16];
	const char *p;
	int prec, exp10, ndig = 0, decpt, neg, i;
	size_t o = 0;

	if (isnan(f)) {
		snprintf(buf, n, "NaN");
		return;
	}
	if (isinf(f)) {
		snprintf(buf, n, f < 0 ? "-inf" : "inf");
		return;
	}
	/*
	 * The fewest significant digits that read back as f (Python's 'r'),
	 * by bisection: if p digits read back as f, so do p + 1 (the nearest
	 * (p+1)-digit number is at least as near f as the p-digit one), and 17
	 * always do.
	 */
	{
		int lo = 1, hi = 17;

		while (lo < hi) {
			prec = (lo + hi) / 2;
			snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, f);
			if (strtod(tmp, NULL) == f)
				hi = prec;
			else
				lo = prec + 1;
		}
		prec = lo;
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, f);
	}
	/* tmp is [-]d[.ddd]e[+-]xx */
	p = tmp;
	neg = *p == '-';
	if (neg)
		p++;
	for (; *p != 'e' && *p != '\0'; p++)
		if (*p >= '0' && *p <= '9' && ndig < (int)sizeof(digits) - 1)
			digits[ndig++] = *p;
	exp10 = *p == 'e' ? atoi(p + 1) : 0;
	while (ndig > 1 && digits[ndig - 1] == '0')
		ndig--;
	digits[ndig] = '\0';
	decpt = exp10 + 1;      /* digits d1 d2 ... with the point after decpt of them */

#define OUT(c) do { if (o + 1 < n) buf[o++] = (c); } while (0)
	if (neg)
		OUT('-');
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			OUT('0');
			OUT('.');
			for (i = 0; i < -decpt; i++)
				OUT('0');
			for (i = 0; i < ndig; i++)
				OUT(digits[i]);
		} else if (decpt >= ndig) {
			for (i = 0; i < ndig; i++)
				OUT(digits[i]);
			for (i = ndig; i < decpt; i++)
				OUT('0');
			OUT('.');
			OUT('0');
		} else {
			for (i = 0; i < ndig; i++) {
				if (i == decpt)
					OUT('.');
				OUT(digits[i]);
			}
		}
	} else {
		OUT(digits[0]);
		if (ndig > 1) {
			OUT('.');
			for (i = 1; i < ndig; i++)
				OUT(digits[i]);
		}
		snprintf(expbuf, sizeof(expbuf), "e%c%02d", decpt - 1 < 0 ? '-' : '+',
		         abs(decpt - 1));
		for (i = 0; expbuf[i] != '\0'; i++)
			OUT(expbuf[i]);
	}
#undef OUT
	if (n > 0)
		buf[o] = '\0';
}

void
cli_duration_iso(int64_t us, char *buf, size_t n)
{
	/* Python's timedelta normalises to days (may be large) + seconds + us. */
	const char *sign = "";
	uint64_t u, days, secs, micro;
	char frac[16] = "";

	if (us < 0) {
		sign = "-";
		u = (uint64_t)0 - (uint64_t)us;
	} else {
		u = (uint64_t)us;
	}
	micro = u % 1000000u;
	secs = u / 1000000u;
	days = secs / 86400u;
	secs %= 86400u;
	if (micro != 0)
		snprintf(frac, sizeof(frac), ".%06u", (unsigned)micro);
	snprintf(buf, n, "%sP%" PRIu64 "DT%02uH%02uM%02u%sS", sign, days,
	         (unsigned)(secs / 3600u), (unsigned)(secs / 60u % 60u),
	         (unsigned)(secs % 60u), frac);
}

/*
 * DjangoJSONEncoder for datetime and time: isoformat() ("T" between date and
 * time), microseconds cut to milliseconds and dropped when zero, and a UTC
 * offset "+00:00" written "Z" (datetimes only).
 */
static size_t
iso_json(const char *s, size_t len, int datetime, char *buf, size_t n)
{
	size_t i = 0, o = 0, j;
	unsigned long micro = 0;
	int k;

	if (len + 8 > n) {              /* not a date: pass it through */
		len = len < n - 1 ? len : n - 1;
		memcpy(buf, s, len);
		buf[len] = '\0';
		return len;
	}
	for (; i < len && s[i] != '.'; i++) {
		if (datetime && i == 10 && s[i] == ' ')
			buf[o++] = 'T';
		else if (s[i] == '+' || (s[i] == '-' && i > 10) || s[i] == 'Z')
			break;          /* the offset starts */
		else
			buf[o++] = s[i];
	}
	if (i < len && s[i] == '.') {
		for (j = i + 1, k = 0; j < len && s[j] >= '0' && s[j] <= '9'; j++, k++)
			if (k < 6)
				micro = micro * 10 + (unsigned long)(s[j] - '0');
		for (; k < 6; k++)
			micro *= 10;
		if (micro != 0)
			o += (size_t)snprintf(buf + o, n - o, ".%03lu", micro / 1000);
		i = j;
	}
	if (datetime && len - i == 6 && memcmp(s + i, "+00:00", 6) == 0) {
		buf[o++] = 'Z';
		i = len;
	}
	for (; i < len; i++)
		buf[o++] = s[i];
	buf[o] = '\0';
	return o;
}

/* Python-ish plain text of a value, for table and CSV. NULL is "". */
static const char *
cell_text(const ormc_value *v, char *tmp, size_t n, size_t *len)
{
	switch (v->type) {
	case ORMC_TYPE_NULL:
		*len = 0;
		return "";
	case ORMC_TYPE_INT:
		snprintf(tmp, n, "%" PRId64, v->i);
		break;
	case ORMC_TYPE_FLOAT:
		cli_float_repr(v->f, tmp, n);
		break;
	case ORMC_TYPE_BOOL:
		snprintf(tmp, n, "%s", v->i ? "true" : "false");
		break;
	case ORMC_TYPE_DURATION:
		cli_duration_iso(v->i, tmp, n);
		break;
	case ORMC_TYPE_DECIMAL:
	case ORMC_TYPE_TEXT:
	case ORMC_TYPE_DATE:
	case ORMC_TYPE_DATETIME:
	case ORMC_TYPE_TIME:
	default:
		*len = v->s != NULL ? v->len : 0;
		return v->s != NULL ? v->s : "";
	}
	*len = strlen(tmp);
	return tmp;
}

/* ---- JSON ---------------------------------------------------------------- */

/* Fallback for text jansson refuses (invalid UTF-8): bad bytes become U+FFFD. */
static void
json_string_lossy(FILE *out, const char *s, size_t len)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\r')
			fputs("\\r", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else if (c < 0x80)
			fputc(c, out);
		else {
			/* Copy a well-formed sequence, replace anything else. */
			size_t need = c >= 0xF0 && c <= 0xF4 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 && c <= 0xDF ? 1 : 0;
			size_t k;
			int ok = need > 0 && c < 0xF5 && i + need < len;

			for (k = 1; ok && k <= need; k++)
				ok = ((unsigned char)s[i + k] & 0xC0) == 0x80;
			if (ok) {
				fwrite(s + i, 1, need + 1, out);
				i += need;
			} else {
				fputs("\\ufffd", out);
			}
		}
	}
	fputc('"', out);
}

void
cli_json_string(FILE *out, const char *s, size_t len)
{
	json_t *j = json_stringn(s != NULL ? s : "", s != NULL ? len : 0);

	if (j == NULL || json_dumpf(j, out, JSON_ENCODE_ANY) != 0)
		json_string_lossy(out, s != NULL ? s : "", s != NULL ? len : 0);
	json_decref(j);
}

void
cli_json_value(FILE *out, const ormc_value *v)
{
	char tmp[128];
	size_t len;

	switch (v->type) {
	case ORMC_TYPE_NULL:
		fputs("null", out);
		break;
	case ORMC_TYPE_INT:
		fprintf(out, "%" PRId64, v->i);
		break;
	case ORMC_TYPE_FLOAT:
		if (!isfinite(v->f)) {
			fputs("null", out);     /* JSON has no NaN or Infinity */
			break;
		}
		cli_float_repr(v->f, tmp, sizeof(tmp));
		fputs(tmp, out);
		break;
	case ORMC_TYPE_BOOL:
		fputs(v->i ? "true" : "false", out);
		break;
	case ORMC_TYPE_DURATION:
		cli_duration_iso(v->i, tmp, sizeof(tmp));
		cli_json_string(out, tmp, strlen(tmp));
		break;
	case ORMC_TYPE_DATETIME:
	case ORMC_TYPE_TIME:
		if (v->s == NULL) {
			fputs("null", out);
			break;
		}
		len = iso_json(v->s, v->len, v->type == ORMC_TYPE_DATETIME, tmp,
		               sizeof(tmp));
		cli_json_string(out, tmp, len);
		break;
	case ORMC_TYPE_DECIMAL:
	case ORMC_TYPE_TEXT:
	case ORMC_TYPE_DATE:
	default:
		cli_json_string(out, v->s, v->len);
		break;
	}
}

void
cli_json_list(FILE *out, const ormc_value *const *vals, int n)
{
	int i;

	fputc('[', out);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputs(", ", out);
		cli_json_value(out, vals[i]);
	}
	fputc(']', out);
}

static void
json_row(cli_writer *w, const ormc_value *row)
{
	int i;

	switch (w->shape) {
	case ORMC_SHAPE_AGGREGATE:
		fputs("{\n", w->out);
		for (i = 0; i < w->ncols; i++) {
			fputs("  ", w->out);
			cli_json_string(w->out, w->names[i], strlen(w->names[i]));
			fputs(": ", w->out);
			if (row != NULL)
				cli_json_value(w->out, &row[i]);
			else
				fputs("null", w->out);
			fputs(i + 1 < w->ncols ? ",\n" : "\n", w->out);
		}
		fputs("}\n", w->out);
		break;
	case ORMC_SHAPE_SCALAR:
		if (row != NULL && w->ncols > 0)
			cli_json_value(w->out, &row[0]);
		else
			fputs("null", w->out);
		fputc('\n', w->out);
		break;
	case ORMC_SHAPE_OBJECTS:
		fputs(w->single ? "{" : w->nrows == 1 ? "[\n  {" : ",\n  {", w->out);
		for (i = 0; i < w->ncols; i++) {
			if (i > 0)
				fputs(", ", w->out);
			cli_json_string(w->out, w->names[i], strlen(w->names[i]));
			fputs(": ", w->out);
			cli_json_value(w->out, &row[i]);
		}
		fputc('}', w->out);
		break;
	case ORMC_SHAPE_LISTS:
		fputs(w->single ? "[" : w->nrows == 1 ? "[\n  [" : ",\n  [", w->out);
		for (i = 0; i < w->ncols; i++) {
			if (i > 0)
				fputs(", ", w->out);
			cli_json_value(w->out, &row[i]);
		}
		fputc(']', w->out);
		break;
	case ORMC_SHAPE_FLAT:
		if (!w->single)
			fputs(w->nrows == 1 ? "[\n  " : ",\n  ", w->out);
		if (w->ncols > 0)
			cli_json_value(w->out, &row[0]);
		break;
	}
}

static void
json_finish(cli_writer *w)
{
	switch (w->shape) {
	case ORMC_SHAPE_AGGREGATE:
	case ORMC_SHAPE_SCALAR:
		if (w->nrows == 0)
			json_row(w, NULL);
		break;
	case ORMC_SHAPE_OBJECTS:
	case ORMC_SHAPE_LISTS:
	case ORMC_SHAPE_FLAT:
		if (w->single)
			fputs(w->nrows == 0 ? "null\n" : "\n", w->out);
		else
			fputs(w->nrows == 0 ? "[]\n" : "\n]\n", w->out);
		break;
	}
}

void
cli_writer_set_single(cli_writer *w, int single)
{
	w->single = single;
}

/* ---- CSV ----------------------------------------------------------------- */

static void
csv_field(FILE *out, const char *s, size_t len)
{
	size_t i;
	int quote = 0;

	for (i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote) {
		fwrite(s, 1, len, out);
		return;
	}
	fputc('"', out);
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', out);
		fputc(s[i], out);
	}
	fputc('"', out);
}

static void
csv_header(cli_writer *w)
{
	int i;

	for (i = 0; i < w->ncols; i++) {
		if (i > 0)
			fputc(',', w->out);
		csv_field(w->out, w->names[i], strlen(w->names[i]));
	}
	fputc('\n', w->out);
	w->printed_header = 1;
}

static void
csv_row(cli_writer *w, const ormc_value *row)
{
	char tmp[128];
	const char *s;
	size_t len;
	int i;

	if (!w->printed_header)
		csv_header(w);
	for (i = 0; i < w->ncols; i++) {
		if (i > 0)
			fputc(',', w->out);
		s = cell_text(&row[i], tmp, sizeof(tmp), &len);
		csv_field(w->out, s, len);
	}
	fputc('\n', w->out);
}

/* ---- table --------------------------------------------------------------- */

/* Display width: UTF-8 code points (continuation bytes do not count). */
static size_t
text_width(const char *s, size_t len)
{
	size_t i, w = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

static void
pad(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc(' ', out);
}

static void
dashes(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc('-', out);
}

/*
 * One line: " a | b " with the cells aligned; no trailing blanks after the
 * last column. align: 1 right, 0 left, 2 centred (the header).
 */
static void
table_line(cli_writer *w, const char *const *cells, int center)
{
	int i;

	for (i = 0; i < w->ncols; i++) {
		size_t len = strlen(cells[i]), tw = text_width(cells[i], len);
		size_t room = w->width[i] > tw ? w->width[i] - tw : 0;
		size_t before = center ? room / 2 : w->right[i] == 1 ? room : 0;
		int last = i + 1 == w->ncols;

		if (last && len == 0)
			before = 0;     /* no trailing blanks for an empty last cell */

		fputs(i > 0 ? "| " : " ", w->out);
		pad(w->out, before);
		fwrite(cells[i], 1, len, w->out);
		if (!last) {
			pad(w->out, room - before);
			fputc(' ', w->out);
		}
	}
	fputc('\n', w->out);
}

static void
table_header(cli_writer *w)
{
	int i;

	table_line(w, (const char *const *)w->names, 1);
	for (i = 0; i < w->ncols; i++) {
		if (i > 0)
			fputc('+', w->out);
		dashes(w->out, w->width[i] + 2);
	}
	fputc('\n', w->out);
	w->printed_header = 1;
}

static int
table_hold(cli_writer *w, const char *s, size_t len)
{
	if (w->noffs == w->offs_cap) {
		size_t cap = w->offs_cap ? w->offs_cap * 2 : 64;
		size_t *p = realloc(w->offs, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		w->offs = p;
		w->offs_cap = cap;
	}
	if (w->cells_len + len + 1 > w->cells_cap) {
		size_t cap = w->cells_cap ? w->cells_cap : 1024;
		char *p;

		while (cap < w->cells_len + len + 1)
			cap *= 2;
		p = realloc(w->cells, cap);
		if (p == NULL)
			return -1;
		w->cells = p;
		w->cells_cap = cap;
	}
	w->offs[w->noffs++] = w->cells_len;
	memcpy(w->cells + w->cells_len, s, len);
	w->cells[w->cells_len + len] = '\0';
	w->cells_len += len + 1;
	return 0;
}

/*
 * Size the columns from the held rows (unless the header is out and the
 * widths are fixed), print the rows, and drop them.
 */
static int
table_flush(cli_writer *w)
{
	const char **cells;
	size_t r, nheld = w->ncols > 0 ? w->noffs / (size_t)w->ncols : 0;
	int i;

	cells = malloc(((size_t)w->ncols + 1) * sizeof(*cells));
	if (cells == NULL)
		return -1;
	for (i = 0; i < w->ncols && !w->printed_header; i++) {
		size_t nw = text_width(w->names[i], strlen(w->names[i]));

		if (w->width[i] < nw)
			w->width[i] = nw;
		for (r = 0; r < nheld; r++) {
			const char *c = w->cells + w->offs[r * (size_t)w->ncols + (size_t)i];
			size_t cw = text_width(c, strlen(c));

			if (w->width[i] < cw)
				w->width[i] = cw;
		}
	}
	if (!w->printed_header)
		table_header(w);
	for (r = 0; r < nheld; r++) {
		for (i = 0; i < w->ncols; i++)
			cells[i] = w->cells + w->offs[r * (size_t)w->ncols + (size_t)i];
		table_line(w, cells, 0);
	}
	free(cells);
	w->noffs = 0;
	w->cells_len = 0;
	return 0;
}

static int
table_row(cli_writer *w, const ormc_value *row)
{
	char tmp[128];
	const char *s;
	size_t len;
	int i;

	for (i = 0; i < w->ncols; i++) {
		if (w->right[i] < 0 && row[i].type != ORMC_TYPE_NULL)
			w->right[i] = row[i].type == ORMC_TYPE_INT ||
			              row[i].type == ORMC_TYPE_FLOAT ||
			              row[i].type == ORMC_TYPE_DECIMAL;
		s = cell_text(&row[i], tmp, sizeof(tmp), &len);
		if (table_hold(w, s, len) < 0)
			return -1;
	}
	/* Past the first batch the widths are fixed: print as we go. */
	if (w->printed_header || w->nrows >= CLI_TABLE_BATCH)
		return table_flush(w);
	return 0;
}

/* ---- the writer ---------------------------------------------------------- */

cli_writer *
cli_writer_new(FILE *out, cli_format format, ormc_shape shape, int ncols,
               const char *const *names)
{
	cli_writer *w = calloc(1, sizeof(*w));
	int i;

	if (w == NULL)
		return NULL;
	w->out = out;
	w->format = format;
	w->shape = shape;
	w->ncols = ncols > 0 ? ncols : 0;
	w->names = calloc((size_t)w->ncols + 1, sizeof(*w->names));
	w->width = calloc((size_t)w->ncols + 1, sizeof(*w->width));
	w->right = calloc((size_t)w->ncols + 1, sizeof(*w->right));
	if (w->names == NULL || w->width == NULL || w->right == NULL)
		goto fail;
	for (i = 0; i < w->ncols; i++) {
		const char *nm = names != NULL && names[i] != NULL ? names[i] : "";

		w->names[i] = malloc(strlen(nm) + 1);
		if (w->names[i] == NULL)
			goto fail;
		strcpy(w->names[i], nm);
		w->right[i] = -1;
	}
	return w;
fail:
	cli_writer_free(w);
	return NULL;
}

int
cli_writer_row(cli_writer *w, const ormc_value *row)
{
	w->nrows++;
	switch (w->format) {
	case CLI_FORMAT_JSON:
		/* aggregate() and count() have exactly one row: print the first. */
		if ((w->shape == ORMC_SHAPE_AGGREGATE || w->shape == ORMC_SHAPE_SCALAR) &&
		    w->nrows > 1)
			return 0;
		json_row(w, row);
		return 0;
	case CLI_FORMAT_CSV:
		csv_row(w, row);
		return 0;
	case CLI_FORMAT_TABLE:
		return table_row(w, row);
	}
	return 0;
}

int
cli_writer_finish(cli_writer *w)
{
	switch (w->format) {
	case CLI_FORMAT_JSON:
		json_finish(w);
		break;
	case CLI_FORMAT_CSV:
		if (!w->printed_header)
			csv_header(w);
		break;
	case CLI_FORMAT_TABLE:
		if (table_flush(w) < 0)
			return -1;
		fprintf(w->out, "(%ld row%s)\n", w->nrows, w->nrows == 1 ? "" : "s");
		break;
	}
	return 0;
}

void
cli_writer_free(cli_writer *w)
{
	int i;

	if (w == NULL)
		return;
	if (w->names != NULL)
		for (i = 0; i < w->ncols; i++)
			free(w->names[i]);
	free(w->names);
	free(w->width);
	free(w->right);
	free(w->cells);
	free(w->offs);
	free(w);
}
