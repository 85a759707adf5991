"""A minimal OpenAI-compatible HTTP server for tests: the project's real client code talks to it
over 127.0.0.1, so nothing but the remote service is replaced."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EMBEDDING_DIM = 64


def fake_embedding(text: str) -> list[float]:
    """Deterministic and different per text; not meaningful, only stable."""
    digest = hashlib.sha256(text.encode()).digest() * 2
    vector = [(b - 127.5) / 127.5 for b in digest[:EMBEDDING_DIM]]
    norm = sum(v * v for v in vector) ** 0.5
    return [v / norm for v in vector]


@dataclass
class StubServer:
    """`replies` is the queue of chat answers: a string (the content), or a dict with
    `status` (an HTTP error code), `delay` (seconds before answering), `content`, and for a
    streamed answer `forever` (repeat the content until the client hangs up) and `pause` (seconds
    between words). `hooks["closed"]` counts streams the client closed early. When the
    queue is empty, `responder(body)` (if set) makes the answer from the request itself."""

    httpd: ThreadingHTTPServer
    thread: threading.Thread
    requests: list[dict] = field(default_factory=list)
    replies: list = field(default_factory=list)
    load: dict = field(default_factory=lambda: {"now": 0, "peak": 0})  # chat requests in flight
    hooks: dict = field(default_factory=dict)

    @property
    def responder(self):
        return self.hooks.get("responder")

    @responder.setter
    def responder(self, make_answer) -> None:
        self.hooks["responder"] = make_answer

    @property
    def peak_in_flight(self) -> int:
        return self.load["peak"]

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def start_stub() -> StubServer:
    requests: list[dict] = []
    replies: list = []
    load = {"now": 0, "peak": 0}
    hooks: dict = {}
    lock = threading.Lock()

    def _next_answer(body: dict):
        if replies:
            return replies.pop(0)
        return hooks["responder"](body) if hooks.get("responder") else "{}"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            requests.append({"path": self.path, "body": body})
            if self.path.endswith("/embeddings"):
                inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                data = [
                    {"object": "embedding", "index": i, "embedding": fake_embedding(str(t))}
                    for i, t in enumerate(inputs)
                ]
                self._json(
                    {
                        "object": "list",
                        "data": data,
                        "model": body.get("model"),
                        "usage": {"prompt_tokens": 1, "total_tokens": 1},
                    }
                )
            elif self.path.endswith("/chat/completions"):
                with lock:
                    load["now"] += 1
                    load["peak"] = max(load["peak"], load["now"])
                try:
                    self._chat(body)
                finally:
                    with lock:
                        load["now"] -= 1
            else:
                self._json({"error": {"message": f"not stubbed: {self.path}"}}, status=404)

        def _chat(self, body: dict) -> None:
            answer = _next_answer(body)
            answer = {"content": answer} if isinstance(answer, str) else answer
            if answer.get("delay"):
                time.sleep(answer["delay"])
            if answer.get("status"):
                self._json({"error": {"message": "stubbed failure", "type": "server_error"}}, status=answer["status"])
                return
            content = answer.get("content", "")
            if body.get("stream"):
                try:
                    self._stream(body, content, answer.get("forever", False), answer.get("pause", 0.0))
                except (BrokenPipeError, ConnectionResetError):
                    with lock:
                        hooks["closed"] = hooks.get("closed", 0) + 1
                return
            self._json(
                {
                    "id": "chatcmpl-stub",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body.get("model", "stub"),
                    "choices": [
                        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
                    ],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
                }
            )

        def _stream(self, body: dict, content: str, forever: bool = False, pause: float = 0.0) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            base = {
                "id": "chatcmpl-stub",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": body.get("model", "stub"),
            }
            words = content.split(" ")
            while True:
                for i, word in enumerate(words):
                    piece = word if i == 0 else " " + word
                    chunk = {**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    if pause or forever:
                        self.wfile.flush()
                        time.sleep(pause or 0.001)
                if not forever:
                    break
            done = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(f"data: {json.dumps(done)}\n\n".encode())
            if (body.get("stream_options") or {}).get("include_usage"):
                usage = {
                    **base,
                    "choices": [],
                    "usage": {"prompt_tokens": 100, "completion_tokens": len(words), "total_tokens": 100 + len(words)},
                }
                self.wfile.write(f"data: {json.dumps(usage)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        def _json(self, payload: dict, status: int = 200) -> None:
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return StubServer(httpd, thread, requests, replies, load, hooks)
