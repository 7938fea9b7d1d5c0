#!/bin/sh
# Regenerates expected.diff of every case under testdata/diff/text/ with git
# (the reference): `git diff --no-index old new` (git 2.39, its default indent heuristic on), minus
# its "diff --git", "index", "new file mode" and "deleted file mode" lines.
# A case without `old` (or `new`) diffs /dev/null. Run by hand; review the
# diff of the expected files before committing.
set -eu
cd "$(dirname "$0")"
for c in */; do
	c=${c%/}
	(
		cd "$c"
		a=old; b=new
		[ -e old ] || a=/dev/null
		[ -e new ] || b=/dev/null
		git -c core.quotepath=off -c diff.indentHeuristic=true diff --no-index --no-color \
			"$a" "$b" >expected.diff.tmp || true
		grep -v -e '^diff --git ' -e '^index ' -e '^new file mode ' \
			-e '^deleted file mode ' expected.diff.tmp >expected.diff || true
		rm -f expected.diff.tmp
	)
done
