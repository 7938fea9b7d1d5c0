/* Exit statuses (DESIGN.md, "Errors"), and the one mapping from diag codes. */
#ifndef HYDRATE_EXITCODE_H
#define HYDRATE_EXITCODE_H

#include "render/diag.h"

enum exit_status {
	EXIT_OK = 0,        /* success; no difference */
	EXIT_DIFFERENT = 1, /* diff/check found a difference */
	EXIT_USAGE = 2,     /* bad usage or bad input */
	EXIT_REMOTE = 3     /* git or forge failure */
};

static inline int exit_status_for(int code)
{
	switch (code) {
	case DIAG_OK:
		return EXIT_OK;
	case DIAG_EAUTH:
	case DIAG_ENET:
	case DIAG_ECONFLICT:
		return EXIT_REMOTE;
	default:
		return EXIT_USAGE;
	}
}

#endif
