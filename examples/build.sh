#!/usr/bin/env bash
# Regenerate the example briefs with the embedded model (about 4 minutes each on two cores)
# and screenshot their HTML at phone and desktop widths (needs Chromium).
#   examples/build.sh            # from the repository root, with .venv installed
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${STORYBRIEF_SHARED:-../shared}"
storybrief=.venv/bin/storybrief

"$storybrief" brief examples/bonne-moscow/articles --out-dir examples/bonne-moscow
"$storybrief" brief "$shared/data/stories/yemen-2011-fr.jsonl" --topic "Yemen Saleh" --out-dir examples/yemen-2011
"$storybrief" brief "$shared/data/stories/mj-2009-en.jsonl" --topic "Michael Jackson Conrad Murray" \
    --out-dir examples/mj-2009
for example in bonne-moscow yemen-2011 mj-2009; do
    .venv/bin/python benchmarks/screenshot.py "examples/$example/brief.html" --out-dir "examples/$example" \
        --name screenshot
done
