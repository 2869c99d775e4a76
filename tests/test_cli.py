"""The command line's contract for bad input: one line on stderr, exit 2, nothing overwritten."""

from __future__ import annotations

import pytest

from conftest import REPO
from storybrief import cli
from storybrief.sources import MAX_ARTICLE_BYTES


def _binary(tmp_path):
    (tmp_path / "story").mkdir()
    (tmp_path / "story" / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" * 200)
    return tmp_path / "story"


def _oversized(tmp_path):
    (tmp_path / "story").mkdir()
    line = "All work and no play makes Jack a dull boy. " * 100 + "\n\n"
    (tmp_path / "story" / "big.txt").write_text(line * (MAX_ARTICLE_BYTES // len(line) + 10))
    return tmp_path / "story"


def _empty(tmp_path):
    (tmp_path / "story").mkdir()
    return tmp_path / "story"


@pytest.mark.parametrize(
    ("make", "says"),
    [(_empty, "no readable articles"), (_binary, "binary file"), (_oversized, "over the 5 MB limit")],
)
def test_bad_story_is_one_line_exit_2_and_leaves_output_alone(make, says, tmp_path, capsys):
    story = make(tmp_path)
    out = tmp_path / "brief.md"
    out.write_text("the previous brief\n")
    code = cli.main(["brief", str(story), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("storybrief: error: ") and says in err
    assert err.count("\n") == 1, "the error must be one line"
    assert out.read_text() == "the previous brief\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.md", "story"], "no temp file left behind"


def test_unknown_format_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["brief", str(tmp_path), "--format", "pdf"]) == 2
    assert "unknown format 'pdf'" in capsys.readouterr().err


def test_other_model_without_endpoint_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert cli.main(["brief", str(tmp_path), "--model", "gpt-4o-mini"]) == 2
    assert "needs --base-url" in capsys.readouterr().err


def test_render_rejects_a_file_that_is_not_a_brief(tmp_path, capsys):
    bogus = tmp_path / "x.json"
    bogus.write_text('{"headline": 3}')
    assert cli.main(["render", str(bogus)]) == 2
    assert "is not a storybrief JSON brief" in capsys.readouterr().err


def test_version():
    assert cli.main(["--version"]) == 0


def test_output_format_follows_the_file_name_as_write_brief_reads_it(tmp_path):
    example = REPO / "examples" / "bonne-moscow" / "brief.json"
    assert cli.main(["render", str(example), "--out", str(tmp_path / "brief.htm")]) == 0
    assert (tmp_path / "brief.htm").read_text().lstrip().lower().startswith("<!doctype html")
    assert cli.main(["render", str(example), "--out", str(tmp_path / "brief.txt")]) == 0
    assert (tmp_path / "brief.txt").read_text().startswith("# ")
