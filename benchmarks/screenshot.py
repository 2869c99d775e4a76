"""Screenshot a rendered brief with headless Chromium, at phone and desktop widths.

    python benchmarks/screenshot.py BRIEF.html [--out-dir docs/screenshots] [--name sample]
    python benchmarks/screenshot.py brief.json   # a Brief as JSON is rendered to HTML first

Writes NAME-phone.png (412 px wide) and NAME-desktop.png (1280 px wide).  Needs a Chromium
binary (Debian: ``apt-get install chromium``); nothing is fetched from the network: the
page is self-contained and the browser runs with background networking off.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WIDTHS = {"phone": 412, "desktop": 1280}
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("no Chromium found; install it (Debian: apt-get install -y chromium)")


def screenshot(html: Path, out: Path, width: int, height: int, browser: str | None = None) -> Path:
    """One PNG of `html` in a width x height window."""
    browser = browser or find_browser()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="storybrief-chromium-") as profile:
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={out.resolve()}",
            f"--window-size={width},{height}", html.resolve().as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or not out.exists():
        raise SystemExit(f"chromium failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return out


def _as_html(path: Path, workdir: Path) -> Path:
    if path.suffix.lower() != ".json":
        return path
    from storybrief.models import Brief
    from storybrief.render import render_html

    page = workdir / (path.stem + ".html")
    page.write_text(render_html(Brief.model_validate_json(path.read_text(encoding="utf-8"))), encoding="utf-8")
    return page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path, help="a rendered brief (.html) or a Brief as JSON (.json)")
    parser.add_argument("--out-dir", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--name", default=None, help="file name prefix (default: the page's stem)")
    parser.add_argument("--height", type=int, default=None, help="window height (default 1600 phone, 1400 desktop)")
    parser.add_argument("--only", choices=sorted(WIDTHS), default=None, help="one width only")
    args = parser.parse_args(argv)
    if not args.page.is_file():
        parser.error(f"{args.page} is not a file")
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="storybrief-shot-") as work:
        page = _as_html(args.page, Path(work))
        name = args.name or args.page.stem
        for label, width in WIDTHS.items():
            if args.only and label != args.only:
                continue
            height = args.height or (1600 if label == "phone" else 1400)
            out = screenshot(page, args.out_dir / f"{name}-{label}.png", width, height, browser)
            print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
