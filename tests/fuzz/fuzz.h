/* Every fuzz target defines this, as libFuzzer expects. */
#ifndef HYDRATE_FUZZ_H
#define HYDRATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
