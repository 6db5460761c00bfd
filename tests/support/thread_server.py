"""An ASGI app served over real HTTP by uvicorn in a background thread, on 127.0.0.1 and a port the OS
picks: what the test OIDC issuer and the mock EHR stand on.

The socket is bound here (port 0) and handed to uvicorn, which avoids the race of "find a free port,
close it, hope nobody else takes it"."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn


class ThreadServer:
    def __init__(self, name: str) -> None:
        self.name = name
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self, app: Any) -> int:
        """Serve `app`; returns once it accepts connections, with the port it listens on."""
        if self._server is not None:
            raise RuntimeError(f"{self.name} is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        self.port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False))
        thread = threading.Thread(target=_serve, args=(server, sock), name=self.name, daemon=True)
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name}'s HTTP server did not start")
            time.sleep(0.002)
        return self.port

    def stop(self, *, wait: bool = True) -> None:
        """Stop serving. With `wait` (the default) this returns once the port refuses connections;
        without it, it only asks the server to exit (uvicorn notices within ~0.1 s)."""
        if self._server is not None:
            self._server.should_exit = True
        if wait and self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None


def _serve(server: uvicorn.Server, sock: socket.socket) -> None:
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
