/*
 * Go's os.Expand, for Sprig's expandenv and a plugin's command line: the
 * one place hydrate reads shell-style $NAME and ${NAME} (helm_int.h).
 */
#include "render/helm/helm_int.h"

#include "render/buf.h"

#include <string.h>

/* Go's isShellSpecialVar */
static int S_shell_special(char c)
{
	return strchr("*#$@!?-", c) != NULL || (c >= '0' && c <= '9');
}

static int S_shell_name_char(char c)
{
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int helm__os_expand(struct buf *out, const char *s, size_t n,
		    const char *(*lookup)(const char *name, void *arg), void *arg)
{
	struct buf name = BUF_INIT;
	size_t i = 0;

	while (i < n) {
		size_t w = 0;

		if (s[i] != '$' || i + 1 >= n) {
			buf_addch(out, s[i++]);
			continue;
		}
		buf_reset(&name);
		/* getShellName(s[i+1:]) */
		if (s[i + 1] == '{') {
			if (i + 3 < n && S_shell_special(s[i + 2]) && s[i + 3] == '}') {
				buf_addch(&name, s[i + 2]);
				w = 3;
			} else {
				size_t k = i + 2;

				while (k < n && s[k] != '}')
					k++;
				if (k >= n || k == i + 2) {
					w = k >= n ? 1 : 2;   /* bad syntax: eat "{" or "{}" */
				} else {
					buf_add(&name, s + i + 2, k - i - 2);
					w = k - i;
				}
			}
		} else if (S_shell_special(s[i + 1])) {
			buf_addch(&name, s[i + 1]);
			w = 1;
		} else {
			size_t k = i + 1;

			while (k < n && S_shell_name_char(s[k]))
				k++;
			buf_add(&name, s + i + 1, k - i - 1);
			w = k - i - 1;
		}
		if (name.len) {
			const char *v = buf_oom(&name) ? NULL : lookup(name.ptr, arg);

			if (v)
				buf_adds(out, v);
		} else if (w == 0) {
			buf_addch(out, '$');   /* "$" not followed by a name stays */
		}
		i += 1 + w;
	}
	buf_release(&name);
	return buf_oom(out) ? -1 : 0;
}
