/*
 * Go's strconv.FormatFloat, exactly: fmt is one of 'e' 'E' 'f' 'g' 'G'
 * ('b' 'x' 'X' too); prec -1 asks for the shortest text that reads back as
 * the same float of bitsize (32 or 64) bits. Appends to out.
 * Used by the JSON and YAML emitters and by the template engine's fmt.
 */
#ifndef HYDRATE_GOFLOAT_H
#define HYDRATE_GOFLOAT_H

struct buf;

/*
 * Returns 0, or -1 when out could not grow (out->oom is set) or prec is
 * beyond 2^24. An unknown fmt appends "%" and fmt, as Go does. A bitsize
 * other than 32 means 64.
 */
int gofloat_format(struct buf *out, double v, char fmt, int prec, int bitsize);

/*
 * Go's math.Floor (and C's floor), exactly: NaN, infinities and -0.0 come
 * back as they are. Written out so that hydrate needs nothing of libm, a
 * shared library the loader would otherwise map into every process.
 */
double gofloat_floor(double x);

#endif
