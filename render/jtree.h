/*
 * Whole-tree operations on jansson values that jansson does slowly.
 *
 * json_deep_copy guards against cycles by formatting every container's
 * address into a string key of a hash table (~700 instructions a
 * container). The trees hydrate copies come from YAML or JSON documents
 * and cannot hold a cycle, so jtree_copy guards with a depth limit only.
 */
#ifndef HYDRATE_JTREE_H
#define HYDRATE_JTREE_H

#include <jansson.h>

/* Deeper trees than this are refused (no YAML or JSON input of ours nests
 * this far: the parsers stop well before). */
#define JTREE_MAX_DEPTH 10000

/* A new tree equal to v, with objects' keys in v's order: the caller's
 * reference. NULL when v is NULL, out of memory, or nested past
 * JTREE_MAX_DEPTH (json_deep_copy's contract, a loop being the depth
 * case). */
json_t *jtree_copy(const json_t *v);

#endif
