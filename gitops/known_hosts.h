/*
 * OpenSSH known_hosts lookups, for the SSH host key libgit2 1.5 hands to its
 * certificate callback (it checks none itself): sshd(8)'s SSH_KNOWN_HOSTS
 * FILE FORMAT, read as ssh(1) reads it. Host patterns: comma-separated, `*`
 * and `?` wildcards, `!` negation, `[host]:port` for ports other than 22,
 * hashed names (`|1|salt|HMAC-SHA1`); markers: `@revoked` (a key that must
 * be refused), `@cert-authority` lines skipped (hydrate verifies no host
 * certificates). Keys are compared as their SSH wire blobs.
 */
#ifndef HYDRATE_GITOPS_KNOWN_HOSTS_H
#define HYDRATE_GITOPS_KNOWN_HOSTS_H

#include <stddef.h>

enum kh_result {
	KH_UNKNOWN = 0,  /* no line names this host with a key of this type */
	KH_MATCH,        /* a line names this host with exactly this key */
	KH_MISMATCH,     /* lines name this host with another key of this type */
	KH_REVOKED       /* the key is marked @revoked (for this host) */
};

/*
 * Looks up (host, port) with key (an SSH public key blob: string type,
 * then the type's fields) in the text of one known_hosts file. A match
 * anywhere wins over a mismatch; a revoked key wins over both.
 */
enum kh_result kh_check(const char *text, size_t len, const char *host, int port,
			const unsigned char *key, size_t keylen);

/* The SSH key type named in a key blob ("ssh-ed25519", ...) into out
 * (size n); "" when the blob is malformed. */
void kh_key_type(char *out, size_t n, const unsigned char *key, size_t keylen);

#endif
