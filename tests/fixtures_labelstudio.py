"""A real Label Studio server on loopback for the round-trip tests (session-scoped).

The binary is looked up in: ``$LABEL_STUDIO_BIN``, ``<repo>/.venv-labelstudio/bin/label-studio``
(made by ``.ci/install_labelstudio.sh``), ``/opt/lsvenv/bin/label-studio``, ``PATH``. Without
one the server tests fail when ``$CI`` is set and are skipped otherwise. The server gets a
throwaway data dir (sqlite), a preset user and a random legacy API token, listens on
127.0.0.1 on a free port, and is stopped through its own process group at the end.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 300
_METRICS = pytest.StashKey[dict]()


@dataclass
class LabelStudioServer:
    url: str
    token: str
    start_seconds: float
    log: Path


def find_label_studio() -> str | None:
    candidates = [
        os.environ.get("LABEL_STUDIO_BIN"),
        str(REPO / ".venv-labelstudio" / "bin" / "label-studio"),
        "/opt/lsvenv/bin/label-studio",
        shutil.which("label-studio"),
    ]
    return next((c for c in candidates if c and os.access(c, os.X_OK) and Path(c).is_file()), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server's own process group (it was started in a new session)."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def ls_metrics(pytestconfig) -> dict:
    """Figures the Label Studio tests measured; printed in the terminal summary."""
    return pytestconfig.stash.setdefault(_METRICS, {})


@pytest.fixture(scope="session")
def ls_server(tmp_path_factory, ls_metrics):
    """``LabelStudioServer(url, token, start_seconds, log)`` of a fresh server."""
    binary = find_label_studio()
    if binary is None:
        msg = "no label-studio binary (run .ci/install_labelstudio.sh or set LABEL_STUDIO_BIN)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    data_dir = tmp_path_factory.mktemp("labelstudio")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    token = secrets.token_hex(20)
    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "LABEL_STUDIO_USERNAME": "annotator@example.com",
        "LABEL_STUDIO_PASSWORD": secrets.token_urlsafe(12),
        "LABEL_STUDIO_USER_TOKEN": token,  # via the environment, so it never shows in `ps`
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        "LATEST_VERSION_CHECK": "false",  # no PyPI request at start
        "DJANGO_DB": "sqlite",
    }
    for k in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY", "VIRTUAL_ENV", "PYTHONPATH"):
        env.pop(k, None)
    log = data_dir / "server.log"
    cmd = [binary, "start", "--data-dir", str(data_dir), "--internal-host", "127.0.0.1", "--port", str(port)]
    cmd += ["--no-browser", "--enable-legacy-api-token"]
    t0 = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=data_dir)
    try:
        while not _healthy(url):
            if proc.poll() is not None:
                pytest.fail(f"label-studio exited with {proc.returncode} while starting:\n{log.read_text()[-3000:]}")
            if time.perf_counter() - t0 > START_TIMEOUT_S:
                pytest.fail(f"label-studio not healthy after {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        started = time.perf_counter() - t0
        ls_metrics["server start (s)"] = round(started, 1)
        yield LabelStudioServer(url, token, started, log)
    finally:
        _stop(proc)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    metrics = config.stash.get(_METRICS, None)
    if metrics:
        terminalreporter.section("Label Studio round trip")
        for k, v in metrics.items():
            terminalreporter.write_line(f"{k}: {v}")
