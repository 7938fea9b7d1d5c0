/*
 * Differential cases of Sprig's function families (testdata/sprig/<family>/
 * <case>/, made by gen-sprig-cases.sh with the official helm binary in a
 * chart named "x"): the template engine's golden runner, with that chart.
 */
#define GOLDEN_CHART "x"
#include "tmpl.c"
