"""Model calls as OpenAI Batch API files, the format vLLM's ``run-batch`` also reads and writes.

A digest in batch mode sends its requests to a :class:`BatchTransport` instead of the network.
A request whose answer is already stored is answered from the store; any other is collected
as one line ``{"custom_id", "method", "url", "body"}`` and fails the story's current call, so
the story waits for the next round. The ``body`` is byte for byte the JSON the client would
have sent, and ``custom_id`` is a hash of it: the same request in a later round has the same id.

A brief takes more than one round: its brief and timeline requests first, then, when the
verifier rejects claims, a repair request that depends on the first answers.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import httpx2

from .errors import InputError
from .files import write_atomic

CHAT_PATH = "/v1/chat/completions"
PENDING_STATUS = 409  # not transient (no retry), so the story stops at once and waits


def custom_id(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sb-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


class BatchStore:
    """Answers ingested from Batch output files, one JSON file per custom_id."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, cid: str) -> Path:
        return self.folder / f"{cid}.json"

    def get(self, cid: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._path(cid).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def ingest(self, path: Path) -> int:
        """Store every successful answer of a Batch output file; return how many. Errored lines
        are skipped: their requests stay pending and go out again in the next round's file."""
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(f"cannot read batch results {path}: {exc.strerror or exc}") from exc
        stored = 0
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                cid = row["custom_id"]
                response = row.get("response") or {}
            except (ValueError, KeyError, TypeError):
                raise InputError(f"{path}:{number}: not a Batch API output line (custom_id, response)") from None
            if row.get("error") or response.get("status_code") != 200 or not isinstance(response.get("body"), dict):
                continue
            write_atomic(self._path(cid), json.dumps(response["body"], ensure_ascii=False))
            stored += 1
        return stored


class PendingRequests:
    """The requests a run could not answer, by custom_id, collected across threads."""

    def __init__(self) -> None:
        self._lines: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def add(self, cid: str, body: dict[str, Any]) -> None:
        with self._lock:
            self._lines.setdefault(cid, {"custom_id": cid, "method": "POST", "url": CHAT_PATH, "body": body})

    def __len__(self) -> int:
        return len(self._lines)

    def write(self, path: Path) -> int:
        with self._lock:
            lines = [json.dumps(line, ensure_ascii=False) for line in self._lines.values()]
        write_atomic(path, "".join(f"{line}\n" for line in lines))
        return len(lines)


class BatchTransport(httpx2.BaseTransport):
    """Answers chat requests from a BatchStore; collects the others as pending."""

    def __init__(self, store: BatchStore, pending: PendingRequests):
        self.store = store
        self.pending = pending
        self.missing = 0  # this transport's unanswered requests: its story is waiting

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if not request.url.path.endswith("/chat/completions"):
            # No server to ask (llama.cpp's /tokenize): the summariser estimates token counts.
            return httpx2.Response(404, request=request, json={"error": {"message": "not in a batch"}})
        body = json.loads(request.read() or b"{}")
        cid = custom_id(body)
        answer = self.store.get(cid)
        if answer is not None:
            return httpx2.Response(200, json=answer, request=request)
        self.pending.add(cid, body)
        self.missing += 1
        return httpx2.Response(PENDING_STATUS, request=request, json={
            "error": {"message": f"batch request {cid} has no result yet", "type": "batch_pending"}})

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=self)
