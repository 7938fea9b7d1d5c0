/* Sprig's encoding functions. */
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"

int sprig_encoding_register(struct tmpl_funcs *r)
{
	(void)r; /* NEEDSWORK: no functions of this family yet */
	return 0;
}
