"""The Synapse module: callbacks in, pushes to the matrix-userdir admin API out.

Synapse loads it from ``modules:`` in ``homeserver.yaml`` and calls
``parse_config(config)`` then ``UserDirectoryPusher(parsed, api)``
(docs/modules/writing_a_module.md). It needs Synapse 1.54 or newer
(``on_profile_update`` and ``on_user_deactivation_status_changed`` were
introduced then; docs/modules/third_party_rules_callbacks.md).

Importing this file imports neither Synapse nor Twisted: everything it does in
Synapse goes through the ``ModuleApi`` object it is given, so the tests run it
with a fake ``ModuleApi`` on plain asyncio.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Optional
from urllib.parse import quote, urlsplit

from .push_queue import PushError, PushQueue, Runtime, Transport

logger = logging.getLogger(__name__)

USERS_PATH = "/_userdir/admin/v1/users/"


@dataclass(frozen=True)
class PusherConfig:
    """The module's ``config:`` block, checked."""

    url: str
    token: str
    max_queue: int = 10_000
    give_up_after: float = 3600.0
    backoff_initial: float = 0.5
    backoff_max: float = 60.0


def _config_error(message: str) -> Exception:
    # Synapse asks parse_config to raise its ConfigError (docs/modules/writing_a_module.md);
    # outside Synapse (tests) a ValueError says the same.
    try:
        from synapse.module_api.errors import ConfigError  # type: ignore[import-not-found]
    except ImportError:
        return ValueError(message)
    return ConfigError(message, ("modules", "matrix_userdir_synapse"))


def parse_config(config: Dict[str, Any]) -> PusherConfig:
    if not isinstance(config, dict):
        raise _config_error("matrix-userdir: `config` must be a mapping with at least `url` and `token`")
    url = config.get("url")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise _config_error("matrix-userdir: `url` must be the service's base URL, e.g. http://127.0.0.1:8090")
    token = config.get("token")
    token_file = config.get("token_file")
    if (token is None) == (token_file is None):
        raise _config_error("matrix-userdir: set exactly one of `token` (the service's admin_token) and `token_file`")
    if token_file is not None:
        if not isinstance(token_file, str):
            raise _config_error("matrix-userdir: `token_file` must be a path")
        try:
            with open(token_file, encoding="utf-8") as handle:
                token = handle.read().strip()
        except OSError as exc:
            raise _config_error(f"matrix-userdir: cannot read `token_file` {token_file}: {exc}")
    if not isinstance(token, str) or token == "":
        raise _config_error("matrix-userdir: the token must be a non-empty string")

    def number(key: str, default: float, minimum: float, integer: bool = False) -> Any:
        value = config.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum or (integer and not isinstance(value, int)):
            kind = "an integer" if integer else "a number"
            raise _config_error(f"matrix-userdir: `{key}` must be {kind} of at least {minimum:g}, got {value!r}")
        return value

    return PusherConfig(
        url=url.rstrip("/"),
        token=token,
        max_queue=number("max_queue", 10_000, 1, integer=True),
        give_up_after=float(number("give_up_after", 3600.0, 0)),
        backoff_initial=float(number("backoff_initial", 0.5, 0.001)),
        backoff_max=float(number("backoff_max", 60.0, 0.001)),
    )


class SynapseRuntime(Runtime):
    """Background work and waiting through Synapse's ``ModuleApi`` (so on Twisted's reactor)."""

    def __init__(self, api: Any, clock: Callable[[], float] = time.monotonic) -> None:
        self._api = api
        self._clock = clock

    def run_in_background(self, desc: str, func: Callable[[], Awaitable[None]]) -> None:
        # ModuleApi.run_as_background_process (Synapse >= 1.136) runs func in its own
        # logcontext and returns a Deferred we do not wait for; older Synapse
        # exports the same function from synapse.module_api (synapse/module_api/__init__.py).
        run = getattr(self._api, "run_as_background_process", None)
        if run is None:
            from synapse.module_api import run_as_background_process as run  # type: ignore[import-not-found,no-redef]
        run(desc, func)

    async def sleep(self, seconds: float) -> None:
        # ModuleApi.sleep (Synapse >= 1.49) waits on the reactor's clock without blocking it.
        # One loop that sleeps between attempts, rather than a delayed_background_call
        # per retry (Synapse >= 1.90), keeps one push in flight per process.
        await self._api.sleep(seconds)

    def now(self) -> float:
        return self._clock()


class SynapseTransport(Transport):
    """``PUT {url}/_userdir/admin/v1/users/{userId}`` with Synapse's ``SimpleHttpClient``."""

    def __init__(self, http_client: Any, config: PusherConfig) -> None:
        self._client = http_client
        self._base = config.url + USERS_PATH
        self._headers = {b"Authorization": [b"Bearer " + config.token.encode("utf-8")]}

    async def put_user(self, user_id: str, body: Dict[str, Any]) -> None:
        uri = self._base + quote(user_id, safe="")
        try:
            # SimpleHttpClient.put_json(uri, json_body, args=None, headers=None) returns the
            # decoded JSON of a 2xx and raises HttpResponseException (with `.code`) for
            # anything else, RequestTimedOutError (code 504) after 60 s (synapse/http/client.py).
            await self._client.put_json(uri, body, headers=self._headers)
        except Exception as exc:
            raise _push_error(exc) from exc


def _push_error(exc: Exception) -> PushError:
    status = getattr(exc, "code", None)
    if not isinstance(status, int) or isinstance(status, bool):
        return PushError(f"{type(exc).__name__}: {exc}")
    detail = getattr(exc, "response", b"")
    if isinstance(detail, (bytes, bytearray)):
        detail = bytes(detail[:300]).decode("utf-8", "replace")
    message = f"HTTP {status} {detail}".strip()
    # 408 and 429 mean "later"; any other 4xx (400 bad field, 401/403 token) will not change.
    return PushError(message, status=status, retryable=not (400 <= status < 500 and status not in (408, 429)))


def _localpart(user_id: str) -> str:
    return user_id[1:].split(":", 1)[0]


class UserDirectoryPusher:
    """
    Tells matrix-userdir about registrations, global profile changes,
    deactivations and reactivations as Synapse makes them.

    Each callback only queues the user id (memory, no I/O) and returns: the
    push runs in a Synapse background process, reads the user's current facts
    (``get_userinfo_by_id``, ``get_profile_for_user``) and sends them whole to
    the admin API, which sets them (an idempotent PUT: the same push twice, or
    from two workers, leaves the same state).
    """

    def __init__(
        self,
        config: Any,
        api: Any,
        transport: Optional[Transport] = None,
        runtime: Optional[Runtime] = None,
    ) -> None:
        if not isinstance(config, PusherConfig):
            config = parse_config(config)
        self._api = api
        self._config = config
        self.queue = PushQueue(
            runtime if runtime is not None else SynapseRuntime(api),
            transport if transport is not None else SynapseTransport(api.http_client, config),
            self.snapshot,
            max_queue=config.max_queue,
            give_up_after=config.give_up_after,
            backoff_initial=config.backoff_initial,
            backoff_max=config.backoff_max,
        )
        # on_user_registration(user: str) -> None: "called after successfully registering a
        # user" (docs/modules/account_validity_callbacks.md; synapse/handlers/register.py
        # calls it from register_with_store, so also for guests and guest upgrades).
        api.register_account_validity_callbacks(on_user_registration=self.on_user_registration)
        # on_profile_update(user_id, new_profile, by_admin, deactivation) and
        # on_user_deactivation_status_changed(user_id, deactivated, by_admin)
        # (synapse/module_api/callbacks/third_party_event_rules_callbacks.py).
        api.register_third_party_rules_callbacks(
            on_profile_update=self.on_profile_update,
            on_user_deactivation_status_changed=self.on_user_deactivation_status_changed,
        )
        logger.info("matrix-userdir: pushing account changes to %s (worker %s)", config.url, getattr(api, "worker_name", None) or "main")

    @staticmethod
    def parse_config(config: Dict[str, Any]) -> PusherConfig:
        return parse_config(config)

    # ---- callbacks: queue and return, never raise ------------------------

    async def on_user_registration(self, user: str) -> None:
        # Synapse awaits this inside the registration without catching errors
        # (synapse/handlers/account_validity.py): PushQueue.add never raises.
        self.queue.add(user, "registration")

    async def on_profile_update(self, user_id: str, new_profile: Any, by_admin: bool, deactivation: bool) -> None:
        # Fired for global profile changes only, never per-room ones
        # (docs/modules/third_party_rules_callbacks.md). With `deactivation` the profile
        # is being erased just before the user is marked deactivated
        # (synapse/handlers/deactivate_account.py): on_user_deactivation_status_changed
        # follows, and pushing now would read an active user with a blank name.
        if deactivation:
            return
        self.queue.add(user_id, "profile")

    async def on_user_deactivation_status_changed(self, user_id: str, deactivated: bool, by_admin: bool) -> None:
        self.queue.add(user_id, "deactivation" if deactivated else "reactivation")

    # ---- what a push carries ----------------------------------------------

    async def snapshot(self, user_id: str) -> Optional[Dict[str, Any]]:
        """The user's current facts as the admin API's body, or None to push nothing."""
        # ModuleApi.get_userinfo_by_id(user_id) -> UserInfo | None (Synapse >= 1.41); UserInfo
        # has user_type, is_deactivated, is_guest, appservice_id and, since 1.93, locked
        # (synapse/types/__init__.py).
        info = await self._api.get_userinfo_by_id(user_id)
        if info is None:
            logger.info("matrix-userdir: %s is not registered on this homeserver; nothing to push", user_id)
            return None
        if info.is_guest:
            # The service's import leaves guests out (they count as unknown there); a
            # guest upgraded to a full account fires on_user_registration again.
            return None
        # `appservice_id` is not sent: Synapse keeps appservice users out of its directory
        # by namespace, not by who registered them (should_include_local_user_in_dir,
        # synapse/storage/databases/main/user_directory.py); the service does the same from
        # its app_service_config_files.
        body: Dict[str, Any] = {"user_type": info.user_type, "deactivated": bool(info.is_deactivated)}
        locked = getattr(info, "locked", None)
        if locked is not None:
            body["locked"] = bool(locked)
        if not info.is_deactivated:
            # ModuleApi.get_profile_for_user(localpart) -> ProfileInfo(display_name, avatar_url);
            # (None, None) when there is no profile row.
            profile = await self._api.get_profile_for_user(_localpart(user_id))
            body["displayname"] = profile.display_name
            body["avatar_url"] = profile.avatar_url
        return body
