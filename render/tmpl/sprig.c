#include "render/tmpl/sprig.h"
#include "render/diag.h"

int sprig_register(struct tmpl_funcs *r)
{
	int (*const families[])(struct tmpl_funcs *) = {
		sprig_strings_register, sprig_conv_register, sprig_defaults_register,
		sprig_reflect_register, sprig_lists_register, sprig_dicts_register,
		sprig_math_register, sprig_regex_register, sprig_semver_register,
		sprig_date_register, sprig_encoding_register, sprig_paths_register,
		sprig_crypto_register, sprig_random_register,
	};
	int error;

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if ((error = families[i](r)) < 0)
			return error;
	return 0;
}
