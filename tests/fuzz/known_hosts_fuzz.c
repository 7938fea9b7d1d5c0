/*
 * Fuzz target for gitops/known_hosts.c: the input is a known_hosts file,
 * checked for a few hosts and ports with a key taken from the input's own
 * first line (when it decodes) and with a fixed ed25519 blob. Nothing may
 * crash or read out of bounds; the text need not be NUL-terminated.
 */
#include "fuzz.h"

#include "gitops/known_hosts.h"

#include <stdlib.h>
#include <string.h>

#define MAX_INPUT ((size_t)256 << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char ed25519[] = {
		0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9',
		0, 0, 0, 32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32
	};
	static const char *const hosts[] = { "host", "git.example.com", "192.0.2.7", "" };
	char *text, type[64];

	if (size > MAX_INPUT)
		size = MAX_INPUT;
	/* exactly size bytes: out-of-bounds reads show under ASan */
	text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		(void)kh_check(text, size, hosts[i], 22, ed25519, sizeof(ed25519));
		(void)kh_check(text, size, hosts[i], 2222, ed25519, sizeof(ed25519));
		/* the input's own bytes as a key blob */
		(void)kh_check(text, size, hosts[i], 22, (const unsigned char *)text, size);
	}
	kh_key_type(type, sizeof(type), (const unsigned char *)text, size);
	free(text);
	return 0;
}
