"""A stand-in for Synapse, standard library only, for the module's tests.

``FakeModuleApi`` has the ``ModuleApi`` methods the module uses, with the
signatures of synapse/module_api/__init__.py; ``FakeSynapse`` changes its
users the way Synapse's handlers do and then fires the module's callbacks in
the same order and with the same arguments (synapse/handlers/register.py,
profile.py, deactivate_account.py). Background work runs on asyncio.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple


@dataclass(frozen=True)
class ProfileInfo:
    # synapse/storage/roommember.py
    avatar_url: Optional[str]
    display_name: Optional[str]


@dataclass(frozen=True)
class UserInfo:
    # synapse/types/__init__.py (user_id is a UserID there; the module never reads it)
    user_id: str
    appservice_id: Optional[str] = None
    consent_server_notice_sent: Optional[str] = None
    consent_version: Optional[str] = None
    consent_ts: Optional[int] = None
    user_type: Optional[str] = None
    creation_ts: int = 0
    is_admin: bool = False
    is_deactivated: bool = False
    is_guest: bool = False
    is_shadow_banned: bool = False
    approved: bool = True
    locked: bool = False
    suspended: bool = False


class HttpResponseException(Exception):
    """Like synapse.api.errors.HttpResponseException: `.code`, `.msg`, `.response` (bytes)."""

    def __init__(self, code: int, msg: str, response: bytes) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.response = response


class ScriptedHttpClient:
    """``put_json`` as SimpleHttpClient has it; each call takes the next scripted outcome.

    An outcome is None (200 ``{}``), an exception to raise, or an awaitable factory
    (to hold a request open). Calls past the script succeed.
    """

    def __init__(self, outcomes: Optional[List[Any]] = None) -> None:
        self.outcomes = list(outcomes or [])
        self.calls: List[Tuple[str, Any, Any]] = []

    async def put_json(self, uri: str, json_body: Any, args: Optional[Dict[str, Any]] = None, headers: Optional[Dict[bytes, List[bytes]]] = None) -> Any:
        self.calls.append((uri, json.loads(json.dumps(json_body)), headers))
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if callable(outcome):
            outcome = await outcome()
        if isinstance(outcome, BaseException):
            raise outcome
        return {}


class UrllibHttpClient:
    """``put_json`` over real HTTP with urllib, in a thread so the event loop keeps running."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        # time.monotonic() when the last 2xx came back: the service has applied the push.
        self.last_answer: Optional[float] = None

    async def put_json(self, uri: str, json_body: Any, args: Optional[Dict[str, Any]] = None, headers: Optional[Dict[bytes, List[bytes]]] = None) -> Any:
        plain = {"Content-Type": "application/json", "Accept": "application/json"}
        for name, values in (headers or {}).items():
            plain[name.decode("ascii")] = values[0].decode("utf-8")
        request = urllib.request.Request(uri, data=json.dumps(json_body).encode("utf-8"), headers=plain, method="PUT")

        def send() -> Any:
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    answer = json.loads(response.read().decode("utf-8"))
                    self.last_answer = time.monotonic()
                    return answer
            except urllib.error.HTTPError as error:
                raise HttpResponseException(error.code, str(error.reason), error.read()) from None

        return await asyncio.to_thread(send)


class FakeModuleApi:
    """The parts of synapse.module_api.ModuleApi the module uses."""

    def __init__(self, synapse: "FakeSynapse", http_client: Any, worker_name: Optional[str] = None, real_time: bool = False) -> None:
        self._synapse = synapse
        self._http_client = http_client
        self._worker_name = worker_name
        self._real_time = real_time
        self.now = 1000.0
        self.sleeps: List[float] = []
        self.background: List[asyncio.Task] = []
        self.registration_callbacks: List[Callable[..., Awaitable[None]]] = []
        self.profile_callbacks: List[Callable[..., Awaitable[None]]] = []
        self.deactivation_callbacks: List[Callable[..., Awaitable[None]]] = []

    def register_account_validity_callbacks(
        self,
        *,
        is_user_expired: Any = None,
        on_user_registration: Any = None,
        on_user_login: Any = None,
        on_legacy_send_mail: Any = None,
        on_legacy_renew: Any = None,
        on_legacy_admin_request: Any = None,
    ) -> None:
        if on_user_registration is not None:
            self.registration_callbacks.append(on_user_registration)

    def register_third_party_rules_callbacks(
        self,
        *,
        check_event_allowed: Any = None,
        on_create_room: Any = None,
        check_threepid_can_be_invited: Any = None,
        check_visibility_can_be_modified: Any = None,
        on_new_event: Any = None,
        check_can_shutdown_room: Any = None,
        check_can_deactivate_user: Any = None,
        on_profile_update: Any = None,
        on_user_deactivation_status_changed: Any = None,
        on_threepid_bind: Any = None,
        on_add_user_third_party_identifier: Any = None,
        on_remove_user_third_party_identifier: Any = None,
    ) -> None:
        if on_profile_update is not None:
            self.profile_callbacks.append(on_profile_update)
        if on_user_deactivation_status_changed is not None:
            self.deactivation_callbacks.append(on_user_deactivation_status_changed)

    @property
    def http_client(self) -> Any:
        return self._http_client

    @property
    def server_name(self) -> str:
        return self._synapse.server_name

    @property
    def worker_name(self) -> Optional[str]:
        return self._worker_name

    async def get_userinfo_by_id(self, user_id: str) -> Optional[UserInfo]:
        return self._synapse.users.get(user_id)

    async def get_profile_for_user(self, localpart: str) -> ProfileInfo:
        return self._synapse.profiles.get(f"@{localpart}:{self._synapse.server_name}", ProfileInfo(None, None))

    def run_as_background_process(self, desc: str, func: Callable[..., Awaitable[Any]], *args: Any, bg_start_span: bool = True, **kwargs: Any) -> "asyncio.Task":
        # Synapse returns a Deferred that swallows (and logs) func's exception.
        task = asyncio.ensure_future(func(*args, **kwargs))
        self.background.append(task)
        return task

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self._real_time:
            await asyncio.sleep(seconds)
        else:
            self.now += seconds
            await asyncio.sleep(0)

    def clock(self) -> float:
        """A clock that moves only with sleep (unless real_time)."""
        if self._real_time:
            return asyncio.get_event_loop().time()
        return self.now


class FakeSynapse:
    """Users and profiles, changed as Synapse's handlers change them, firing the callbacks of every module api."""

    def __init__(self, server_name: str = "example.org") -> None:
        self.server_name = server_name
        self.users: Dict[str, UserInfo] = {}
        self.profiles: Dict[str, ProfileInfo] = {}
        self.apis: List[FakeModuleApi] = []

    def module_api(self, http_client: Any, worker_name: Optional[str] = None, real_time: bool = False) -> FakeModuleApi:
        api = FakeModuleApi(self, http_client, worker_name, real_time)
        self.apis.append(api)
        return api

    def _on(self, workers: Optional[List[FakeModuleApi]]) -> List[FakeModuleApi]:
        return self.apis if workers is None else workers

    async def register(self, user_id: str, displayname: Optional[str] = None, user_type: Optional[str] = None, guest: bool = False, appservice_id: Optional[str] = None, workers: Optional[List[FakeModuleApi]] = None) -> None:
        # RegistrationHandler.register_with_store: store.register_user (creating the
        # profile), then the account validity handler's on_user_registration.
        was_guest = self.users.get(user_id)
        base = UserInfo(user_id=user_id) if was_guest is None else was_guest
        self.users[user_id] = replace(base, user_type=user_type, is_guest=guest, appservice_id=appservice_id)
        if was_guest is None or displayname is not None:
            self.profiles[user_id] = ProfileInfo(avatar_url=None, display_name=displayname if displayname is not None else user_id[1:].split(":")[0])
        for api in self._on(workers):
            for callback in api.registration_callbacks:
                await callback(user_id)

    async def set_profile(self, user_id: str, displayname: Optional[str] = None, avatar_url: Optional[str] = None, by_admin: bool = False, workers: Optional[List[FakeModuleApi]] = None) -> None:
        # ProfileHandler.set_displayname / set_avatar_url: store, then on_profile_update.
        self.profiles[user_id] = ProfileInfo(avatar_url=avatar_url, display_name=displayname)
        for api in self._on(workers):
            for callback in api.profile_callbacks:
                await callback(user_id, self.profiles[user_id], by_admin, False)

    async def set_locked(self, user_id: str, locked: bool) -> None:
        # The lock admin API fires no module callback.
        self.users[user_id] = replace(self.users[user_id], locked=locked)

    async def deactivate(self, user_id: str, erase: bool = False, by_admin: bool = False, workers: Optional[List[FakeModuleApi]] = None) -> None:
        # DeactivateAccountHandler.deactivate_account: erasing blanks the profile
        # (on_profile_update with deactivation=True) before the user is marked
        # deactivated; then on_user_deactivation_status_changed(user_id, True, by_admin).
        if erase:
            self.profiles[user_id] = ProfileInfo(avatar_url=None, display_name="")
            for api in self._on(workers):
                for callback in api.profile_callbacks:
                    await callback(user_id, self.profiles[user_id], by_admin, True)
        # Synapse does more database work here (invites, account data...): background
        # pushes get to run in between.
        for _ in range(20):
            await asyncio.sleep(0)
        self.users[user_id] = replace(self.users[user_id], is_deactivated=True)
        for api in self._on(workers):
            for callback in api.deactivation_callbacks:
                await callback(user_id, True, by_admin)

    async def reactivate(self, user_id: str, workers: Optional[List[FakeModuleApi]] = None) -> None:
        # DeactivateAccountHandler.activate_account: profile row recreated if erased,
        # mark active, then on_user_deactivation_status_changed(user_id, False, True).
        self.profiles.setdefault(user_id, ProfileInfo(None, None))
        self.users[user_id] = replace(self.users[user_id], is_deactivated=False)
        for api in self._on(workers):
            for callback in api.deactivation_callbacks:
                await callback(user_id, False, True)
