"""A thin, safe wrapper around the ``label-studio-sdk`` 2.x client.

Every call goes through :meth:`Server.call`: connection errors and timeouts (and 429/5xx) are
retried with exponential backoff, then end in a one-line :class:`LabelStudioError`. The API key
is scrubbed from every message this module produces, and SDK exceptions are never chained (their
reprs may carry request details).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from annotate.errors import GongbaoError

T = TypeVar("T")

ENV_URL = "LABEL_STUDIO_URL"
ENV_KEY = "LABEL_STUDIO_API_KEY"


class LabelStudioError(GongbaoError):
    """Label Studio could not be reached or refused a request; the message never holds the key."""


def redact(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` replaced."""
    return text.replace(secret, "***") if secret else text


@dataclass
class Server:
    """A Label Studio server: ``url``, ``api_key`` (legacy token or personal access token)."""

    url: str
    api_key: str = field(repr=False)
    timeout: float = 60.0
    retries: int = 4
    backoff: float = 0.5
    _client: Any = field(default=None, init=False, repr=False)

    @classmethod
    def from_env(cls, url: str | None = None, api_key: str | None = None, **kw) -> "Server":
        """Flags first, then ``LABEL_STUDIO_URL`` / ``LABEL_STUDIO_API_KEY``."""
        url = url or os.environ.get(ENV_URL)
        api_key = api_key or os.environ.get(ENV_KEY)
        if not url:
            raise LabelStudioError(f"no Label Studio URL: pass --url or set {ENV_URL}")
        if not url.startswith(("http://", "https://")):
            raise LabelStudioError(f"Label Studio URL {url!r} must start with http:// or https://")
        if not api_key:
            raise LabelStudioError(f"no Label Studio API key: pass --api-key or set {ENV_KEY}")
        return cls(url.rstrip("/"), api_key, **kw)

    @property
    def client(self):
        if self._client is None:
            from label_studio_sdk import LabelStudio

            # the SDK's own retries skip connection errors; ours cover both, so switch its off
            self._client = LabelStudio(base_url=self.url, api_key=self.api_key, timeout=self.timeout, max_retries=0)
        return self._client

    def _error(self, what: str, e: Exception) -> LabelStudioError:
        from label_studio_sdk.core.api_error import ApiError

        if isinstance(e, ApiError):
            if e.status_code in (401, 403):
                msg = f"Label Studio at {self.url} refused the API key (HTTP {e.status_code}) while trying to {what}; check {ENV_KEY}"
            else:
                body = e.body if isinstance(e.body, str) else json.dumps(e.body, ensure_ascii=False, default=str)
                msg = f"Label Studio at {self.url} answered HTTP {e.status_code} while trying to {what}: {body[:300]}"
        else:
            msg = f"cannot {what} at Label Studio {self.url}: {type(e).__name__}: {e}"
        return LabelStudioError(redact(msg, self.api_key))

    @staticmethod
    def _transient(e: Exception) -> bool:
        import httpx
        from label_studio_sdk.core.api_error import ApiError

        if isinstance(e, (httpx.TransportError, httpx.TimeoutException)):
            return True
        return isinstance(e, ApiError) and (e.status_code == 429 or (e.status_code or 0) >= 500)

    def call(self, what: str, fn: Callable[..., T], *args, recover: Callable[[], T | None] | None = None, **kw) -> T:
        """``fn(*args, **kw)`` with bounded exponential backoff on transient errors.

        Before a retry, ``recover()`` may return the result of a failed attempt that did
        succeed on the server (a timeout after the work was done); ``None`` means retry.
        ``what`` completes "cannot … at Label Studio".
        """
        from label_studio_sdk.core.api_error import ApiError
        import httpx

        for attempt in range(self.retries + 1):
            try:
                if attempt and recover is not None:
                    done = recover()
                    if done is not None:
                        return done
                return fn(*args, **kw)
            except (ApiError, httpx.HTTPError) as e:
                if not self._transient(e) or attempt == self.retries:
                    err = self._error(what, e)
                    if self._transient(e):
                        err = LabelStudioError(f"{err} (gave up after {attempt + 1} attempts)")
                    raise err from None
                time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    # --- project and task operations -------------------------------------------------------

    def find_project(self, title: str) -> int | None:
        """Id of the project titled exactly ``title`` (the oldest if several)."""
        found = self.call("list projects", lambda: [p for p in self.client.projects.list(title=title) if p.title == title])
        return min(p.id for p in found) if found else None

    def ensure_project(self, title: str, label_config: str) -> tuple[int, bool]:
        """``(project id, created)``: the project titled ``title``, created with ``label_config`` if missing.

        An existing project whose labelling config differs gets ``label_config`` (the server refuses
        the change if existing annotations use labels it lacks).
        """
        pid = self.find_project(title)
        if pid is not None:
            current = self.call("read the project", lambda: self.client.projects.get(pid).label_config)
            if (current or "").strip() != label_config.strip():
                self.call("update the labelling config", lambda: self.client.projects.update(pid, label_config=label_config))
            return pid, False
        pid = self.call(
            "create a project",
            lambda: self.client.projects.create(title=title, label_config=label_config).id,
            recover=lambda: self.find_project(title),  # a create that timed out may still have happened
        )
        return pid, True

    def task_keys(self, project_id: int) -> dict[str, int]:
        """``{task key: task id}`` of the project's tasks that carry a ``data.key``."""

        def fetch() -> dict[str, int]:
            out: dict[str, int] = {}
            for t in self.client.tasks.list(project=project_id, page_size=500, fields="task_only"):
                key = (t.data or {}).get("key")
                if key:
                    out.setdefault(key, t.id)
            return out

        return self.call("list tasks", fetch)

    def import_tasks(self, project_id: int, tasks: list[dict]) -> list[int]:
        """Import ``tasks``; returns the new task ids."""
        r = self.client.projects.import_tasks(project_id, request=tasks, commit_to_project=True, return_task_ids=True)
        return list(r.task_ids or [])

    def export_json(self, project_id: int) -> list[dict]:
        """The project's annotated tasks as a Label Studio JSON export (the format of ``data/annotations``)."""

        def fetch() -> list[dict]:
            raw = b"".join(self.client.projects.exports.download_sync(project_id, export_type="JSON"))
            return json.loads(raw.decode("utf-8"))

        return self.call("export the project", fetch)
