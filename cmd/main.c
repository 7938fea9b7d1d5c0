#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("hydrate %s\n", HYDRATE_VERSION);
		return 0;
	}
	fprintf(stderr, "usage: hydrate --version\n");
	return 2;
}
