/*
 * Sprig 3.3.0's text function map (all but env and expandenv), one family a
 * file (render/tmpl/sprig_<family>.c), each adding its static table to a
 * registry. sprig_register adds them all, in the order Sprig's map would
 * resolve duplicates.
 */
#ifndef HYDRATE_TMPL_SPRIG_H
#define HYDRATE_TMPL_SPRIG_H

struct tmpl_funcs;

int sprig_register(struct tmpl_funcs *r);

int sprig_strings_register(struct tmpl_funcs *r);   /* strings, string lists */
int sprig_conv_register(struct tmpl_funcs *r);      /* atoi, int, toString, ... */
int sprig_defaults_register(struct tmpl_funcs *r);  /* default, empty, coalesce, ternary, ... */
int sprig_reflect_register(struct tmpl_funcs *r);   /* typeOf, kindIs, deepEqual, ... */
int sprig_lists_register(struct tmpl_funcs *r);     /* list, append, uniq, ... */
int sprig_dicts_register(struct tmpl_funcs *r);     /* dict, merge, dig, pluck, ... */
int sprig_math_register(struct tmpl_funcs *r);      /* add, divf, round, seq, ... */
int sprig_regex_register(struct tmpl_funcs *r);     /* regexMatch, ... (RE2 on PCRE2) */
int sprig_semver_register(struct tmpl_funcs *r);    /* semver, semverCompare */
int sprig_date_register(struct tmpl_funcs *r);      /* now, date, toDate, duration, ... */
int sprig_encoding_register(struct tmpl_funcs *r);  /* b64, b32, toJson, fromJson, ... */
int sprig_paths_register(struct tmpl_funcs *r);     /* base, dir, urlParse, urlJoin, ... */
int sprig_crypto_register(struct tmpl_funcs *r);    /* sha*sum, bcrypt, genCA, encryptAES, ... */
int sprig_random_register(struct tmpl_funcs *r);    /* randAlphaNum, uuidv4, shuffle, ... */

#endif
