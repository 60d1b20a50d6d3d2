"""A local HTTPS stand-in for certctl's agent endpoints, for running agent-identity.sh for real.

It answers like certctl v2.0.71 (internal/api/router/router.go:284-289,
internal/api/handler/agents.go, internal/api/middleware/middleware.go:195-226):

- every /api/v1 request passes API-key auth first (401 without a known ``Bearer`` key);
- ``GET /api/v1/agents`` and ``GET /api/v1/agents/retired``: a PagedResponse
  (``data``, ``total``, ``page``, ``per_page``; ``per_page`` at most 500) of active or retired agents;
- ``GET /api/v1/agents/{id}``: the agent (retired ones included, with ``retired_at``) or 404;
- ``POST /api/v1/agents``: the bootstrap-token gate on the same ``Authorization`` header (401),
  400 without ``name``/``hostname``, 409 for a name already taken (names are unique, retired
  agents included), else 201 with the agent and an ``id`` the server generates.

Agents are encoded in domain.Agent's field order, errors as handler.ErrorResponse.
"""

from __future__ import annotations

import json
import secrets
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    409: "Conflict",
    503: "Service Unavailable",
}


@dataclass
class Certctl:
    """The state behind the stub, which tests arrange and inspect."""

    api_keys: set[str]
    bootstrap_token: str = ""
    agents: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, bearer)
    fail_next: list[int] = field(default_factory=list)  # statuses to answer before serving normally
    rival_registers_first: bool = False  # another pod registers the name just before this POST
    retired_listing: bool = True  # False: certctl before v2.0.46, where "retired" is taken for an ID

    def add_agent(self, name: str, *, retired: bool = False) -> str:
        agent_id = f"agent-{secrets.token_hex(8)}"
        now = _timestamp()
        agent: dict[str, Any] = {
            "id": agent_id,
            "name": name,
            "hostname": "elsewhere",
            "status": "online",
            "last_heartbeat_at": now,
            "registered_at": now,
            "os": "",
            "architecture": "",
            "ip_address": "",
            "version": "",
        }
        if retired:
            agent |= {"retired_at": now, "retired_reason": "decommissioned"}
        self.agents[agent_id] = agent
        return agent_id

    def retire(self, agent_id: str) -> None:
        self.agents[agent_id] |= {"retired_at": _timestamp(), "retired_reason": "decommissioned"}

    def named(self, name: str) -> list[dict[str, Any]]:
        return [a for a in self.agents.values() if a["name"] == name]

    def posts(self) -> list[tuple[str, str, str]]:
        return [r for r in self.requests if r[0] == "POST"]


def _timestamp() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _handler(state: Certctl) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _send(self, status: int, payload: Any) -> None:
            body = json.dumps(payload, separators=(",", ":")).encode() + b"\n"  # like json.Encoder
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _error(self, status: int, message: str) -> None:
            self._send(status, {"error": STATUS_TEXT[status], "message": message, "request_id": "req-1"})

        def _serve(self, method: str) -> None:
            url = urlsplit(self.path)
            bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
            state.requests.append((method, url.path, bearer))
            if state.fail_next:
                self._error(state.fail_next.pop(0), "injected failure")
            elif bearer not in state.api_keys:
                self._send(401, {"error": "Invalid API key"})
            elif method == "POST" and url.path == "/api/v1/agents":
                self._register(bearer)
            elif method == "GET" and url.path == "/api/v1/agents/retired" and not state.retired_listing:
                self._error(404, "Agent not found")
            elif method == "GET" and url.path in ("/api/v1/agents", "/api/v1/agents/retired"):
                self._list(url.path.endswith("/retired"), parse_qs(url.query))
            elif method == "GET" and url.path.startswith("/api/v1/agents/"):
                agent = state.agents.get(url.path.removeprefix("/api/v1/agents/"))
                self._send(200, agent) if agent else self._error(404, "Agent not found")
            else:
                self._error(404, "no such route in the stub")

        def _list(self, retired: bool, query: dict[str, list[str]]) -> None:
            page = max(1, int(query.get("page", ["1"])[0]))
            per_page = int(query.get("per_page", ["50"])[0])
            per_page = per_page if 0 < per_page <= 500 else 50
            agents = [a for a in state.agents.values() if ("retired_at" in a) == retired]
            start = (page - 1) * per_page
            data = agents[start : start + per_page] or None  # Go encodes an empty page as null
            self._send(200, {"data": data, "total": len(agents), "page": page, "per_page": per_page})

        def _register(self, bearer: str) -> None:
            if state.bootstrap_token and bearer != state.bootstrap_token:
                self._error(401, "invalid_or_missing_bootstrap_token")
                return
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            name, hostname = request.get("name", ""), request.get("hostname", "")
            if not name or not hostname:
                self._error(400, "name is required" if not name else "hostname is required")
                return
            if state.rival_registers_first:
                state.rival_registers_first = False
                state.add_agent(name)
            if state.named(name):
                self._error(409, "Agent with this name already exists")
                return
            agent_id = state.add_agent(name)
            state.agents[agent_id]["hostname"] = hostname
            self._send(201, state.agents[agent_id])

    return Handler


@contextmanager
def serve(state: Certctl, cert: Path, key: Path) -> Iterator[str]:
    """Serve ``state`` over HTTPS on 127.0.0.1 (a free port) and yield the base URL; always stopped."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
