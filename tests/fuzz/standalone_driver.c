/*
 * Replays every file of a seed directory through a fuzz target, so that the
 * targets run as ordinary ctests with gcc (no libFuzzer). A crash or a
 * sanitizer report fails the test.
 */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data;
	long len;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc(len > 0 ? (size_t)len : 1);
	if (!data || (len > 0 && fread(data, 1, (size_t)len, f) != (size_t)len)) {
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, (size_t)len);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	struct dirent *e;
	DIR *dir;
	int n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s SEED_DIR\n", argv[0]);
		return 2;
	}
	if (!(dir = opendir(argv[1]))) {
		fprintf(stderr, "%s: cannot open seed directory\n", argv[1]);
		return 1;
	}
	while ((e = readdir(dir)) != NULL) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", argv[1], e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (replay(path) < 0) {
			fprintf(stderr, "%s: cannot read\n", path);
			closedir(dir);
			return 1;
		}
		n++;
	}
	closedir(dir);
	printf("%d passed, 0 failed\n", n);
	return n > 0 ? 0 : 1;
}
