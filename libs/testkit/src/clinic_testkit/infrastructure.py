"""Real PostgreSQL and Kafka for tests, from the first source that is available.

Order, for each server:

1. an existing server named by an env var (`DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`):
   used as is, never stopped (``managed=False``);
2. a container through testcontainers, when a Docker engine answers;
3. a local process started by ``deploy/local/postgres.sh`` / ``deploy/local/kafka.sh`` in a
   state dir of this session, on free loopback ports.

``CLINIC_TESTKIT_BACKEND=containers|local`` forces step 2 or 3 (default ``auto``).
If a server cannot be started, :class:`InfrastructureError` says why, with the server's log.
Nothing here skips a test.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import os
import random
import re
import shutil
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import quote, unquote, urlsplit

Origin = Literal["env", "container", "local"]

KAFKA_IMAGE_DEFAULT = "apache/kafka:4.3.1"
POSTGRES_IMAGE_DEFAULT = "postgres:16"
_KAFKA_STARTED = "Kafka Server started"
_SCRIPT_TIMEOUT_S = 300.0


class InfrastructureError(RuntimeError):
    """A test server could not be provided; the message carries the server's log tail."""


# --------------------------------------------------------------------------------------------
# Server handles


class _Control(Protocol):
    def stop(self) -> None: ...
    def start(self) -> None: ...
    def close(self) -> None: ...
    def log_tail(self, lines: int = 60) -> str: ...


@dataclass
class PostgresServer:
    """A PostgreSQL server and a superuser (or CREATEROLE/CREATEDB) login to it."""

    host: str
    port: int
    user: str = "postgres"
    password: str | None = None
    database: str = "postgres"
    managed: bool = False
    origin: Origin = "env"
    startup_seconds: float = 0.0
    _control: _Control | None = field(default=None, repr=False, compare=False)

    def url(
        self,
        database: str | None = None,
        *,
        user: str | None = None,
        password: str | None = None,
        driver: str | None = "psycopg",
    ) -> str:
        """A URL to `database` (default: the admin database) as `user` (default: admin)."""
        if user is None:
            user, password = self.user, self.password if password is None else password
        auth = quote(user, safe="")
        if password is not None:
            auth += ":" + quote(password, safe="")
        scheme = "postgresql" if driver is None else f"postgresql+{driver}"
        return f"{scheme}://{auth}@{self.host}:{self.port}/{quote(database or self.database)}"

    @property
    def admin_url(self) -> str:
        """SQLAlchemy URL: ``postgresql+psycopg://postgres@127.0.0.1:PORT/postgres``."""
        return self.url()

    @property
    def admin_dsn(self) -> str:
        """Plain libpq URL (for psycopg/psql): ``postgresql://postgres@127.0.0.1:PORT/postgres``."""
        return self.url(driver=None)

    def log_tail(self, lines: int = 60) -> str:
        return self._control.log_tail(lines) if self._control else "(not a managed server)"

    def close(self) -> None:
        """Stop a managed server for good and remove its data (no-op for external servers)."""
        if self._control is not None:
            self._control.close()


@dataclass
class KafkaBroker:
    """A Kafka broker reachable at `bootstrap_servers` (``127.0.0.1:PORT`` when local)."""

    bootstrap_servers: str
    managed: bool = False
    origin: Origin = "env"
    startup_seconds: float = 0.0
    _control: _Control | None = field(default=None, repr=False, compare=False)

    def _managed_control(self, action: str) -> _Control:
        if self._control is None:
            raise InfrastructureError(
                f"cannot {action} the Kafka broker at {self.bootstrap_servers}: it is external "
                f"(origin={self.origin}). Fault tests need a managed broker: unset "
                "KAFKA_BOOTSTRAP_SERVERS so the testkit starts its own."
            )
        return self._control

    def stop(self) -> None:
        """Stop the broker gracefully; data and port are kept for :meth:`start`."""
        self._managed_control("stop").stop()

    def start(self) -> None:
        """Start the same broker again (same port, same data: topics and offsets survive)."""
        self._managed_control("start").start()

    @contextlib.contextmanager
    def stopped(self) -> Iterator[None]:
        """Broker down inside the block, started again afterwards even if the block fails."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def log_tail(self, lines: int = 60) -> str:
        return self._control.log_tail(lines) if self._control else "(not a managed broker)"

    def close(self) -> None:
        """Stop a managed broker for good and remove its data (no-op for external brokers)."""
        if self._control is not None:
            self._control.close()


# --------------------------------------------------------------------------------------------
# Helpers


def find_deploy_dir() -> Path:
    """``deploy/local`` of the repository (``CLINIC_DEPLOY_LOCAL_DIR`` overrides)."""
    override = os.environ.get("CLINIC_DEPLOY_LOCAL_DIR")
    if override:
        return Path(override)
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for parent in (start, *start.parents):
            candidate = parent / "deploy" / "local"
            if (candidate / "kafka.sh").is_file() and (candidate / "postgres.sh").is_file():
                return candidate
    raise InfrastructureError(
        "deploy/local/{kafka,postgres}.sh not found above "
        f"{Path(__file__).resolve()} or {Path.cwd()}: set CLINIC_DEPLOY_LOCAL_DIR"
    )


def make_state_dir(prefix: str = "clinic-testkit-") -> Path:
    """A fresh state dir under /tmp, mode 0755 so PostgreSQL's user can traverse it."""
    base = Path("/tmp")  # noqa: S108 - must be world-traversable, unlike tmp_path / mkdtemp
    for _ in range(100):
        path = base / f"{prefix}{os.getpid()}-{random.randbytes(4).hex()}"
        try:
            path.mkdir(mode=0o755)
        except FileExistsError:
            continue
        path.chmod(0o755)  # mkdir's mode is filtered by the umask
        return path
    raise InfrastructureError(f"could not create a state dir under {base}")


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_ports(count: int) -> list[int]:
    """`count` distinct free TCP ports on 127.0.0.1.

    Chosen below the kernel's ephemeral range, so a client's outgoing connection cannot take
    a broker's port while the broker is stopped for a fault test.
    """
    low, _ = _ephemeral_range()
    candidates = list(range(15000, low)) if low > 15100 else []
    random.shuffle(candidates)
    sockets: list[socket.socket] = []
    try:
        for port in candidates:
            if len(sockets) == count:
                break
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                sock.close()
                continue
            sockets.append(sock)
        while len(sockets) < count:  # fall back to ports the OS picks
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


@functools.cache
def docker_available() -> bool:
    """Whether a Docker engine answers (about 0.2 s to find out when it does not)."""
    # docker-py leaks the socket of a failed connection; finalise it here, warnings off, so a
    # ResourceWarning does not surface later in some unrelated test (fatal under -W error).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            docker: Any = importlib.import_module("docker")  # untyped; imported only if probed
            client = docker.from_env(timeout=3)
            try:
                return bool(client.ping())
            finally:
                client.close()
        except Exception:
            return False
        finally:
            gc.collect()


def _backend() -> str:
    backend = os.environ.get("CLINIC_TESTKIT_BACKEND", "auto").strip().lower() or "auto"
    if backend not in {"auto", "containers", "local"}:
        raise InfrastructureError(
            f"CLINIC_TESTKIT_BACKEND={backend!r}: expected auto, containers or local"
        )
    if backend == "containers" and not docker_available():
        raise InfrastructureError("CLINIC_TESTKIT_BACKEND=containers but no Docker engine answers")
    if backend == "auto":
        return "containers" if docker_available() else "local"
    return backend


def _tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no log at {path}: {exc})"


# --------------------------------------------------------------------------------------------
# Local processes (deploy/local/*.sh)


class _ScriptControl:
    """Runs one of the deploy/local scripts with a fixed environment."""

    def __init__(self, script: Path, env: dict[str, str], state: Path, log: Path) -> None:
        self.script = script
        self.env = env
        self.state = state
        self.log = log
        self.closed = False

    def run(self, command: str) -> None:
        try:
            done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
                [str(self.script), command],
                env={**os.environ, **self.env},
                capture_output=True,
                text=True,
                timeout=_SCRIPT_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise InfrastructureError(
                f"{self.script.name} {command} timed out after {_SCRIPT_TIMEOUT_S:.0f}s\n"
                f"--- log tail ({self.log}) ---\n{self.log_tail()}"
            ) from exc
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()
            if "last 60 lines" not in output:  # the script prints the log tail itself
                output += f"\n--- log tail ({self.log}) ---\n{self.log_tail()}"
            raise InfrastructureError(
                f"{self.script.name} {command} failed (exit {done.returncode}) with "
                f"{self.env}:\n{output}"
            )

    def start(self) -> None:
        if self.closed:
            raise InfrastructureError(f"{self.script.name}: server already closed")
        self.run("start")

    def stop(self) -> None:
        self.run("stop")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.run("stop")
        finally:
            shutil.rmtree(self.state, ignore_errors=True)

    def log_tail(self, lines: int = 60) -> str:
        return _tail(self.log, lines)


def start_local_postgres(state_dir: Path, port: int | None = None) -> PostgresServer:
    """PostgreSQL through deploy/local/postgres.sh (fsync off: test data only)."""
    port = port or free_ports(1)[0]
    env = {"PG_PORT": str(port), "CLINIC_STATE_DIR": str(state_dir), "CLINIC_PG_FAST": "1"}
    state = state_dir / f"postgres-{port}"
    control = _ScriptControl(find_deploy_dir() / "postgres.sh", env, state, state / "postgres.log")
    began = time.monotonic()
    control.start()
    return PostgresServer(
        host="127.0.0.1",
        port=port,
        managed=True,
        origin="local",
        startup_seconds=time.monotonic() - began,
        _control=control,
    )


def start_local_kafka(state_dir: Path, port: int | None = None) -> KafkaBroker:
    """Kafka (KRaft, one node) through deploy/local/kafka.sh."""
    port, controller_port = (port, free_ports(1)[0]) if port else tuple(free_ports(2))
    env = {
        "KAFKA_PORT": str(port),
        "KAFKA_CONTROLLER_PORT": str(controller_port),
        "CLINIC_STATE_DIR": str(state_dir),
    }
    state = state_dir / f"kafka-{port}"
    control = _ScriptControl(find_deploy_dir() / "kafka.sh", env, state, state / "kafka.log")
    began = time.monotonic()
    control.start()
    return KafkaBroker(
        bootstrap_servers=f"127.0.0.1:{port}",
        managed=True,
        origin="local",
        startup_seconds=time.monotonic() - began,
        _control=control,
    )


# --------------------------------------------------------------------------------------------
# Containers (testcontainers)


class _ContainerControl:
    """Stops/starts one container in place (its filesystem and host port binding persist)."""

    def __init__(self, container: object, ready_line: str | None = None) -> None:
        from testcontainers.core.container import DockerContainer

        assert isinstance(container, DockerContainer)
        self.container = container
        self.ready_line = ready_line
        self.closed = False

    def _logs(self) -> str:
        stdout, stderr = self.container.get_logs()
        return (stdout + stderr).decode(errors="replace")

    def stop(self) -> None:
        self.container.get_wrapped_container().stop(timeout=30)

    def start(self) -> None:
        seen = self._logs().count(self.ready_line) if self.ready_line else 0
        self.container.get_wrapped_container().start()
        deadline = time.monotonic() + 90
        while self.ready_line and self._logs().count(self.ready_line) <= seen:
            if time.monotonic() > deadline:
                raise InfrastructureError(
                    f"container did not log {self.ready_line!r} after restart:\n{self.log_tail()}"
                )
            time.sleep(0.25)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.container.stop()

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self._logs().splitlines()[-lines:])
        except Exception as exc:
            return f"(no container logs: {exc})"


def start_postgres_container(image: str | None = None) -> PostgresServer:
    from testcontainers.community.postgres import PostgresContainer

    image = image or os.environ.get("CLINIC_POSTGRES_IMAGE", POSTGRES_IMAGE_DEFAULT)
    container = PostgresContainer(
        image,
        username="postgres",
        password="postgres",  # noqa: S106 - throwaway test container
        dbname="postgres",
        driver="psycopg",
    ).with_command("postgres -c max_connections=300 -c fsync=off -c synchronous_commit=off")
    began = time.monotonic()
    try:
        container.start()
    except Exception as exc:
        control = _ContainerControl(container)
        raise InfrastructureError(
            f"PostgreSQL container {image} did not start: {exc}\n{control.log_tail()}"
        ) from exc
    return PostgresServer(
        host=container.get_container_host_ip(),
        port=int(container.get_exposed_port(5432)),
        password="postgres",  # noqa: S106 - throwaway test container
        managed=True,
        origin="container",
        startup_seconds=time.monotonic() - began,
        _control=_ContainerControl(container),
    )


def start_kafka_container(image: str | None = None) -> KafkaBroker:
    """apache/kafka (KRaft) with a fixed host port, so a restart keeps the same address."""
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    image = image or os.environ.get("CLINIC_KAFKA_IMAGE", KAFKA_IMAGE_DEFAULT)
    host_port = free_ports(1)[0]
    container = (
        DockerContainer(image)
        .with_bind_ports(19092, host_port)
        .with_envs(
            KAFKA_NODE_ID="1",
            KAFKA_PROCESS_ROLES="broker,controller",
            KAFKA_LISTENERS="PLAINTEXT://0.0.0.0:19092,CONTROLLER://localhost:9093",
            KAFKA_ADVERTISED_LISTENERS=f"PLAINTEXT://127.0.0.1:{host_port}",
            KAFKA_CONTROLLER_LISTENER_NAMES="CONTROLLER",
            KAFKA_LISTENER_SECURITY_PROTOCOL_MAP="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:9093",
            KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR="1",
            KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS="1",
            KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR="1",
            KAFKA_TRANSACTION_STATE_LOG_MIN_ISR="1",
            KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS="1",
            KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR="1",
            KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR="1",
            KAFKA_DEFAULT_REPLICATION_FACTOR="1",
            KAFKA_MIN_INSYNC_REPLICAS="1",
            KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS="0",
            KAFKA_AUTO_CREATE_TOPICS_ENABLE="false",
            KAFKA_NUM_PARTITIONS="1",
        )
        .waiting_for(LogMessageWaitStrategy(_KAFKA_STARTED).with_startup_timeout(120))
    )
    began = time.monotonic()
    control = _ContainerControl(container, ready_line=_KAFKA_STARTED)
    try:
        container.start()
    except Exception as exc:
        raise InfrastructureError(
            f"Kafka container {image} did not start: {exc}\n{control.log_tail()}"
        ) from exc
    return KafkaBroker(
        bootstrap_servers=f"127.0.0.1:{host_port}",
        managed=True,
        origin="container",
        startup_seconds=time.monotonic() - began,
        _control=control,
    )


# --------------------------------------------------------------------------------------------
# Providers


def postgres_from_url(url: str) -> PostgresServer:
    """An external server from a URL such as ``postgresql+psycopg://u:p@host:5432/db``."""
    parts = urlsplit(url)
    if not re.fullmatch(r"postgres(ql)?(\+\w+)?", parts.scheme):
        raise InfrastructureError(f"DATABASE_URL is not a PostgreSQL URL: {parts.scheme}://…")
    return PostgresServer(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password) if parts.password is not None else None,
        database=unquote(parts.path.lstrip("/")) or "postgres",
        managed=False,
        origin="env",
    )


def provide_postgres(state_dir: Path | None = None) -> PostgresServer:
    """`DATABASE_URL`, else a container when Docker answers, else a local process."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return postgres_from_url(url)
    if _backend() == "containers":
        return start_postgres_container()
    return start_local_postgres(state_dir or make_state_dir())


def provide_kafka(state_dir: Path | None = None) -> KafkaBroker:
    """`KAFKA_BOOTSTRAP_SERVERS`, else a container when Docker answers, else a local process."""
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if bootstrap:
        return KafkaBroker(bootstrap_servers=bootstrap, managed=False, origin="env")
    if _backend() == "containers":
        return start_kafka_container()
    return start_local_kafka(state_dir or make_state_dir())
