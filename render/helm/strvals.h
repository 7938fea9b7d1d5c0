/*
 * Helm's --set / --set-string syntax (Helm v4.1.4 pkg/strvals/parser.go):
 * "a.b=c,list[0]=x,l={a,b}", backslash escapes, typed values for --set
 * (true/false/null any case, int64 without a leading zero, else string).
 */
#ifndef HYDRATE_HELM_STRVALS_H
#define HYDRATE_HELM_STRVALS_H

#include <jansson.h>

struct diag;

enum helm_strvals_mode {
	HELM_STRVALS_TYPED = 0,   /* --set: typedVal */
	HELM_STRVALS_STRING = 1,  /* --set-string: every value a string */
	HELM_STRVALS_FILE = 2,    /* --set-file: a value names a file, its text is the value */
	HELM_STRVALS_JSON = 3,    /* --set-json KEY=JSON (ParseJSON) */
	HELM_STRVALS_LITERAL = 4, /* --set-literal: one key, the rest as it is */
};

/*
 * Parses s into dest (modified in place, as ParseInto / ParseIntoString /
 * ParseIntoFile / ParseJSON do: existing maps and lists are extended). On error
 * d's message is strvals' ("key \"a\" has no value"); dest may be partly
 * changed, as in Helm. 0, DIAG_EPARSE or DIAG_ENOMEM.
 */
int helm_strvals_parse_into(json_t *dest, const char *s, enum helm_strvals_mode mode,
			    struct diag *d);

#endif
