/*
 * TOML 1.0 documents -> json_t, for Helm's fromToml (BurntSushi/toml v1.6.0
 * decoding into map[string]interface{}): integers become json integers
 * (Go int64), floats json reals, tables objects, arrays arrays.
 * NEEDSWORK: date-times become strings holding their text (Go: time.Time).
 * Error texts follow BurntSushi's shape ("toml: line 1 (last key \"a\"):
 * ...") but not always its words.
 */
#ifndef HYDRATE_HELM_TOML_H
#define HYDRATE_HELM_TOML_H

#include <jansson.h>
#include <stddef.h>

struct buf;

/* Parses s[0..len). 0 and *out (new object), or -1 with the error text
 * appended to err, or DIAG_ENOMEM. */
int helm_toml_parse(json_t **out, const char *s, size_t len, struct buf *err);

#endif
