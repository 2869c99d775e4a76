#!/bin/sh
# Build this example digest with the embedded model, twice: the first run has three of the
# seed story's four articles; the second adds the fourth (Reuters, in French) and shows what
# it changed, while Yemen 2011 and Michael Jackson 2009-11 are skipped as unchanged.
#   flock /work/coord/model.lock sh examples/digest/build.sh     (about half an hour on 2 cores)
set -eu
cd "$(dirname "$0")"
rm -rf out held
mkdir held
mv input/bonne-moscow/004_*.txt held/
trap 'mv held/*.txt input/bonne-moscow/ 2>/dev/null || true; rmdir held 2>/dev/null || true' EXIT
storybrief digest input out || test $? -eq 5
cp out/run.json run-1.json
mv held/*.txt input/bonne-moscow/
storybrief digest input out || test $? -eq 5
python ../../benchmarks/screenshot.py out/index.html --out-dir . --name index
