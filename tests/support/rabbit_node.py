"""A private RabbitMQ node for fault tests: its own node name, ports, data and logs in a temp dir.

Fault tests restart the broker; doing that to the machine's RabbitMQ would break every other test and
person using it, so they get a node of their own. It shares only the installation, the machine's epmd
and the `rabbitmq` user's Erlang cookie (so the ordinary `rabbitmqctl -n <node>` administers it).

    node = RabbitNode.start_new()
    Topology(amqp_port=node.port, rabbitmqctl=node.ctl)
    node.restart()   # stop_app + start_app: every connection drops, durable queues survive
    node.stop()      # halts the node and deletes its data
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.embedded_server import free_port

# The real script, not Debian's /usr/sbin wrapper: the wrapper would redirect our output into the
# machine broker's /var/log/rabbitmq/startup_log.
_SERVER_SCRIPTS = ("/usr/lib/rabbitmq/bin/rabbitmq-server",)
_RABBIT_USER = "rabbitmq"


class RabbitNodeError(RuntimeError):
    pass


def _server_script() -> str:
    for candidate in _SERVER_SCRIPTS:
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("rabbitmq-server")
    if found is None:
        raise RabbitNodeError("rabbitmq-server is not installed")
    return found


@dataclass
class RabbitNode:
    name: str
    port: int
    dist_port: int
    base: Path
    os_pid: int | None = None
    restarts: list[float] = field(default_factory=list)
    """Seconds each `restart()` took, for the test's summary."""

    @property
    def ctl(self) -> tuple[str, ...]:
        return ("rabbitmqctl", "-n", self.name)

    @property
    def log_file(self) -> Path:
        return self.base / "log" / f"{self.name}.log"

    def rabbitmqctl(self, *args: str, timeout: float = 120.0) -> str:
        result = subprocess.run(
            [*self.ctl, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise RabbitNodeError(
                f"rabbitmqctl -n {self.name} {' '.join(args)} failed ({result.returncode}): "
                f"{result.stderr.strip() or result.stdout.strip()}"
            )
        return result.stdout

    # --- life cycle ----------------------------------------------------------------------------------
    @classmethod
    def start_new(cls, timeout_s: float = 90.0) -> RabbitNode:
        base = Path(tempfile.mkdtemp(prefix="sp-fault-rabbit-"))
        node = cls(
            name=f"sp-fault-{uuid.uuid4().hex[:8]}@localhost",
            port=free_port(),
            dist_port=free_port(),
            base=base,
        )
        try:
            node._launch()
            node._await_startup(timeout_s)
        except BaseException:
            node.stop()
            raise
        return node

    def _env(self) -> dict[str, str]:
        b = self.base
        return {
            "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            # The rabbitmq user's home holds the Erlang cookie the `rabbitmqctl` wrapper uses.
            "HOME": pwd.getpwnam(_RABBIT_USER).pw_dir if self._as_rabbit_user() else os.environ["HOME"],
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(b / "mnesia"),
            "RABBITMQ_LOG_BASE": str(b / "log"),
            "RABBITMQ_PID_FILE": str(b / "node.pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(b / "enabled_plugins"),
            # Our own config and env files: /etc/rabbitmq's set the machine broker's listener (5672)
            # and node name, which would collide with the running broker.
            "RABBITMQ_CONFIG_FILE": str(b / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(b / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(b / "rabbitmq-env.conf"),
            # Inter-node port on loopback only, like the machine broker.
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    @staticmethod
    def _as_rabbit_user() -> bool:
        # As root, run the node as `rabbitmq` (like the packaged service): it then shares the cookie
        # that `rabbitmqctl` (which switches to that user too) presents.
        return os.geteuid() == 0

    def _launch(self) -> None:
        b = self.base
        (b / "enabled_plugins").write_text("[].\n")
        (b / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
            "loopback_users.guest = true\n"
            "log.file.level = info\n"
            "log.console = false\n"
        )
        (b / "rabbitmq-env.conf").write_text("")
        for sub in ("mnesia", "log"):
            (b / sub).mkdir()
        uid = gid = None
        if self._as_rabbit_user():
            user = pwd.getpwnam(_RABBIT_USER)
            uid, gid = user.pw_uid, user.pw_gid
            for path in (b, *b.rglob("*")):
                os.chown(path, uid, gid)
        # -detached: the Erlang VM daemonises and the script returns at once; startup is awaited below.
        result = subprocess.run(
            [_server_script(), "-detached"],
            cwd=b,
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            user=uid,
            group=gid,
            extra_groups=[] if uid is not None else None,
        )
        if result.returncode != 0:
            raise RabbitNodeError(f"rabbitmq-server -detached failed: {result.stderr or result.stdout}")

    def _await_startup(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        last = ""
        # The detached VM needs a moment before it registers with epmd; until then await_startup fails
        # at once ("not running at all"), so it is retried until the deadline.
        while time.monotonic() < deadline:
            try:
                self.rabbitmqctl("await_startup", "--timeout", "30", timeout=60)
                status = json.loads(self.rabbitmqctl("status", "--formatter", "json"))
                self.os_pid = int(status["pid"])
                return
            except (RabbitNodeError, subprocess.TimeoutExpired, ValueError, KeyError) as exc:
                last = str(exc)
            time.sleep(0.5)
        raise RabbitNodeError(
            f"node {self.name} did not start within {timeout_s}s: {last}\n{self.log_tail()}"
        )

    def restart(self) -> None:
        """A broker restart: the application stops (closing every connection) and starts again.

        Durable quorum queues and persistent messages survive, as they would a real broker restart."""
        started = time.monotonic()
        self.rabbitmqctl("stop_app")
        self.rabbitmqctl("start_app")
        self.rabbitmqctl("await_startup", "--timeout", "60", timeout=90)
        self.restarts.append(time.monotonic() - started)

    def stop(self) -> None:
        with contextlib.suppress(RabbitNodeError, subprocess.TimeoutExpired):
            self.rabbitmqctl("stop", timeout=60)
        if self.os_pid is not None:
            # `stop` returns when the halt is requested; make sure the VM is gone before deleting its
            # files, and kill it if it hangs.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and _alive(self.os_pid):
                time.sleep(0.2)
            if _alive(self.os_pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.os_pid, signal.SIGKILL)
        shutil.rmtree(self.base, ignore_errors=True)

    # --- inspection ----------------------------------------------------------------------------------
    def queue_depths(self, vhost: str) -> dict[str, int]:
        """Ready + unacknowledged messages per queue of `vhost`."""
        out = self.rabbitmqctl(
            "--quiet", "list_queues", "-p", vhost, "--no-table-headers", "name", "messages"
        )
        depths: dict[str, int] = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                depths[parts[0]] = int(parts[1])
        return depths

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no node log)"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def private_rabbit_node() -> Iterator[RabbitNode]:
    """A started node for the duration of the block; the test fails (never skips) if it cannot start."""
    try:
        node = RabbitNode.start_new()
    except (RabbitNodeError, OSError, KeyError, subprocess.SubprocessError) as exc:
        pytest.fail(f"could not start a private RabbitMQ node for the fault test: {exc}", pytrace=False)
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="module")
def rabbit_node() -> Iterator[RabbitNode]:
    """A private RabbitMQ node per test module, so the machine's broker is never restarted."""
    with private_rabbit_node() as node:
        yield node
