"""A loopback OpenAI-compatible server that answers chat requests with answers recorded from
a real model server, matched on the request's content, after a fixed latency.

- replay (tests, benchmarks/digest.py): a request recorded before gets its recorded answer; any
  other gets HTTP 400 "no recorded answer", so a changed prompt fails loudly, never silently.
- record (an ``upstream`` given): a request not recorded yet goes to a real server (the
  embedded model), and the pair is appended to the traffic file.

It also speaks enough of the Batch API (files, batches) for ``storybrief digest --batch``: a
batch is answered from the recorded traffic as soon as it is created.

Traffic file: JSONL, one ``{"custom_id", "path", "request", "response"}`` per line; custom_id
is the hash storybrief's Batch API files use, so a batch line and a recorded pair match by id.
"""

from __future__ import annotations

import email.parser
import json
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from storybrief.batch import custom_id


def load_traffic(path: Path) -> dict[str, dict]:
    answers = {}
    if Path(path).is_file():
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                answers[row["custom_id"]] = row["response"]
    return answers


class ReplayServer:
    """Run as a context manager; `base_url` is where clients go; `requests` logs what was asked."""

    def __init__(self, traffic: Path, *, latency: float = 0.0, upstream: str | None = None,
                 log_path: Path | None = None):
        self.traffic = Path(traffic)
        self.latency = latency
        self.upstream = upstream.rstrip("/") if upstream else None
        self.answers = load_traffic(self.traffic)
        self.requests: list[str] = []  # custom_ids asked, in order
        self.log_path = log_path
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, payload, content_type: str = "application/json") -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self):
                path = self.path.split("?")[0]
                if path in ("/health", "/v1/health"):
                    return self._send(200, {"status": "ok"})
                if path.startswith("/v1/batches/"):
                    batch = server.batches.get(path.rsplit("/", 1)[1])
                    return self._send(200, batch) if batch else self._send(404, {"error": {"message": "no batch"}})
                if path.startswith("/v1/files/") and path.endswith("/content"):
                    data = server.files.get(path.split("/")[3])
                    return self._send(200, data, "application/jsonl") if data is not None else \
                        self._send(404, {"error": {"message": "no file"}})
                self._send(404, {"error": {"message": f"no route {path}"}})

            def do_POST(self):
                path = self.path.split("?")[0]
                body = self._body()
                if path in ("/v1/chat/completions", "/tokenize"):
                    status, answer = server.answer(json.loads(body), path)
                    return self._send(status, answer)
                if path == "/v1/files":
                    return self._send(200, server.upload(self.headers.get("Content-Type", ""), body))
                if path == "/v1/batches":
                    return self._send(200, server.run_batch(json.loads(body)))
                self._send(404, {"error": {"message": f"no route {path}"}})

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def answer(self, body: dict, path: str = "/v1/chat/completions") -> tuple[int, dict]:
        """A chat completion, or llama.cpp's /tokenize (the summariser counts tokens with it)."""
        cid = custom_id(body)
        with self._lock:
            self.requests.append(cid)
            if self.log_path is not None:
                with open(self.log_path, "a", encoding="utf-8") as log:
                    log.write(cid + "\n")
        if self.upstream is not None and cid not in self.answers:
            return self._forward(cid, body, path)
        if self.latency and path != "/tokenize":  # counting tokens is instant on a real server too
            time.sleep(self.latency)
        answer = self.answers.get(cid)
        if answer is None:
            return 400, {"error": {"message": f"no recorded answer for request {cid}", "type": "replay_miss"}}
        return 200, answer

    def _forward(self, cid: str, body: dict, path: str) -> tuple[int, dict]:
        root = self.upstream.removesuffix("/v1")
        request = urllib.request.Request(root + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=3600) as response:
            answer = json.loads(response.read())
        for volatile in ("id", "created", "system_fingerprint", "timings"):
            answer.pop(volatile, None)  # nothing that varies between identical calls, nothing timing the host
        with self._lock:
            if cid not in self.answers:
                self.answers[cid] = answer
                with open(self.traffic, "a", encoding="utf-8") as out:
                    out.write(json.dumps({"custom_id": cid, "path": path, "request": body, "response": answer},
                                         ensure_ascii=False) + "\n")
        return 200, answer

    # -- the Batch API, answered from the recorded traffic

    def upload(self, content_type: str, body: bytes) -> dict:
        message = email.parser.BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        data = next(part.get_payload(decode=True) for part in message.get_payload()
                    if part.get_param("name", header="content-disposition") == "file")
        file_id = f"file-{uuid.uuid4().hex[:12]}"
        self.files[file_id] = data
        return {"id": file_id, "object": "file", "bytes": len(data), "created_at": 0, "filename": "batch.jsonl",
                "purpose": "batch", "status": "processed"}

    def run_batch(self, body: dict) -> dict:
        lines = []
        for line in self.files[body["input_file_id"]].decode().splitlines():
            request = json.loads(line)
            status, answer = self.answer(request["body"])
            lines.append(json.dumps({"id": f"batch_req_{uuid.uuid4().hex[:8]}", "custom_id": request["custom_id"],
                                     "response": {"status_code": status, "request_id": "", "body": answer},
                                     "error": None}))
        output_id = f"file-{uuid.uuid4().hex[:12]}"
        self.files[output_id] = ("\n".join(lines) + "\n").encode()
        batch_id = f"batch_{uuid.uuid4().hex[:12]}"
        self.batches[batch_id] = {
            "id": batch_id, "object": "batch", "endpoint": body["endpoint"], "input_file_id": body["input_file_id"],
            "completion_window": body["completion_window"], "status": "completed", "output_file_id": output_id,
            "created_at": 0, "request_counts": {"total": len(lines), "completed": len(lines), "failed": 0}}
        return self.batches[batch_id]


def serve(traffic: str, latency: str = "0", log_path: str | None = None) -> None:
    """`python tests/replay_server.py serve TRAFFIC [LATENCY] [LOG]`: print the base URL, serve until killed."""
    with ReplayServer(Path(traffic), latency=float(latency), log_path=Path(log_path) if log_path else None) as server:
        print(server.base_url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    serve(*sys.argv[2:]) if sys.argv[1:2] == ["serve"] else sys.exit(__doc__)
