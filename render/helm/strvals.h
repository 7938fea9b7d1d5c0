/*
 * Helm's --set / --set-string syntax (Helm v4.1.4 pkg/strvals/parser.go):
 * "a.b=c,list[0]=x,l={a,b}", backslash escapes, typed values for --set
 * (true/false/null any case, int64 without a leading zero, else string).
 */
#ifndef HYDRATE_HELM_STRVALS_H
#define HYDRATE_HELM_STRVALS_H

#include <jansson.h>

struct diag;

/*
 * Parses s into dest (modified in place, as ParseInto / ParseIntoString do:
 * existing maps and lists are extended). as_string: --set-string. On error
 * d's message is strvals' ("key \"a\" has no value"); dest may be partly
 * changed, as in Helm. 0, DIAG_EPARSE or DIAG_ENOMEM.
 */
int helm_strvals_parse_into(json_t *dest, const char *s, int as_string, struct diag *d);

#endif
