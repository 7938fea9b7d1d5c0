/*
 * Placeholder so that this branch configures on its own: CMake links every
 * golden runner with golden_common.c, which the yaml-golden branch provides.
 * On merge, take that branch's file; the tmpl runner does not depend on it.
 */
typedef int golden_common_placeholder;
