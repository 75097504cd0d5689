"""The bounded retry queue that carries changes from Synapse's callbacks to the service.

Nothing here imports Twisted or Synapse: waiting and background work go
through a small ``Runtime`` (Synapse's ``ModuleApi`` in production, asyncio in
the tests), so the same code runs in both.

The queue holds *user ids*, not bodies: each push reads the user's current
facts from Synapse at send time (``snapshot``) and sends them whole. A user
changed twice before the push goes out is pushed once, with the newer facts,
and a retry never replays a stale value.
"""

from __future__ import annotations

import logging
import random
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

logger = logging.getLogger(__name__)

# A user's current facts as the admin API's PUT body, or None: nothing to push.
Snapshot = Callable[[str], Awaitable[Optional[Dict[str, Any]]]]


class PushError(Exception):
    """A push failed. ``retryable`` is False when sending it again cannot help (a 4xx)."""

    def __init__(self, message: str, status: Optional[int] = None, retryable: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


class Runtime:
    """How the queue waits and runs in the background. Subclassed for Synapse and for tests."""

    def run_in_background(self, desc: str, func: Callable[[], Awaitable[None]]) -> None:
        raise NotImplementedError

    async def sleep(self, seconds: float) -> None:
        raise NotImplementedError

    def now(self) -> float:
        """Seconds on a monotonic clock."""
        raise NotImplementedError


class Transport:
    """Sends one user's facts to the service (``PUT /_userdir/admin/v1/users/{userId}``)."""

    async def put_user(self, user_id: str, body: Dict[str, Any]) -> None:
        raise NotImplementedError


class _Entry:
    __slots__ = ("since", "reasons")

    def __init__(self, since: float, reason: str) -> None:
        # When the oldest change not yet pushed was queued.
        self.since = since
        self.reasons = [reason]

    def merge(self, other: "_Entry") -> None:
        self.since = min(self.since, other.since)
        for reason in other.reasons:
            if reason not in self.reasons:
                self.reasons.append(reason)


class PushQueue:
    """
    Queues users whose facts changed and pushes them one at a time, oldest first.

    - ``add`` only touches memory and returns at once: it never waits and never raises.
    - At most ``max_queue`` users wait; one more drops the oldest, with a log line.
    - A push that fails with a network error, a timeout, a 5xx, 408 or 429
      stays at the head of the queue; the queue waits ``backoff_initial``
      seconds, doubling per failure in a row up to ``backoff_max`` (±20 %
      jitter), then tries again. Every user whose change has waited longer
      than ``give_up_after`` seconds at a failure is dropped, with a log line.
    - A push the service refuses (any other 4xx) is dropped at once, with a log line.
    """

    def __init__(
        self,
        runtime: Runtime,
        transport: Transport,
        snapshot: Snapshot,
        max_queue: int = 10_000,
        give_up_after: float = 3600.0,
        backoff_initial: float = 0.5,
        backoff_max: float = 60.0,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._runtime = runtime
        self._transport = transport
        self._snapshot = snapshot
        self._max_queue = max_queue
        self._give_up_after = give_up_after
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._jitter = jitter
        self._entries: "OrderedDict[str, _Entry]" = OrderedDict()
        self._running = False
        self._failures_in_a_row = 0
        self.pushed = 0
        self.given_up = 0
        self.skipped = 0
        self.last_error: Optional[str] = None

    @property
    def pending(self) -> int:
        return len(self._entries)

    @property
    def running(self) -> bool:
        """Whether the background push loop is running."""
        return self._running

    @property
    def idle(self) -> bool:
        return not self._running and not self._entries

    def add(self, user_id: str, reason: str) -> None:
        """Queues a push of ``user_id``'s current facts and makes sure the queue is draining."""
        try:
            entry = self._entries.get(user_id)
            if entry is not None:
                # Already waiting: the push reads the facts when it goes out, so it
                # will carry this change too.
                entry.merge(_Entry(self._runtime.now(), reason))
            else:
                if len(self._entries) >= self._max_queue:
                    dropped, old = self._entries.popitem(last=False)
                    self._give_up([(dropped, old)], f"the queue is full ({self._max_queue} users)")
                self._entries[user_id] = _Entry(self._runtime.now(), reason)
            self._ensure_running()
        except Exception:  # never fail the user's request
            logger.exception("matrix-userdir: could not queue a push for %s", user_id)

    def _ensure_running(self) -> None:
        if self._running:
            return
        self._running = True
        try:
            self._runtime.run_in_background("matrix_userdir_push", self._drain)
        except Exception:
            self._running = False
            raise

    async def _drain(self) -> None:
        try:
            while self._entries:
                user_id, entry = self._entries.popitem(last=False)
                pushed_before = self.pushed
                error = await self._push(user_id)
                if error is None and self.pushed == pushed_before:
                    continue  # nothing to push for this user
                if error is None or not error.retryable:
                    # The service answered: it is reachable again.
                    if self._failures_in_a_row > 0:
                        logger.info("matrix-userdir: the service answers again after %d failed attempts", self._failures_in_a_row)
                    self._failures_in_a_row = 0
                if error is None:
                    continue
                self.last_error = str(error)
                if not error.retryable:
                    self._give_up([(user_id, entry)], f"the service refused it: {error}")
                    continue
                self._requeue_first(user_id, entry)
                self._failures_in_a_row += 1
                if self._failures_in_a_row == 1:
                    logger.warning("matrix-userdir: push of %s failed, retrying with back-off: %s", user_id, error)
                self._give_up_old(str(error))
                await self._runtime.sleep(self._backoff())
        except Exception:
            # Not restarted here (that could spin on a lasting fault): the next add() restarts it.
            logger.exception("matrix-userdir: the push loop stopped on an unexpected error; %d change(s) wait for the next callback", len(self._entries))
        finally:
            self._running = False

    async def _push(self, user_id: str) -> Optional[PushError]:
        try:
            body = await self._snapshot(user_id)
        except Exception as exc:  # a database hiccup: retry like a network error
            return PushError(f"could not read {user_id} from Synapse: {exc!r}")
        if body is None:
            self.skipped += 1
            return None
        try:
            await self._transport.put_user(user_id, body)
        except PushError as exc:
            return exc
        except Exception as exc:
            return PushError(repr(exc))
        self.pushed += 1
        return None

    def _requeue_first(self, user_id: str, entry: _Entry) -> None:
        newer = self._entries.pop(user_id, None)
        if newer is not None:
            entry.merge(newer)
        if len(self._entries) >= self._max_queue:
            # Full of newer changes while this one was in flight: it is the oldest.
            self._give_up([(user_id, entry)], f"the queue is full ({self._max_queue} users)")
            return
        self._entries[user_id] = entry
        self._entries.move_to_end(user_id, last=False)

    def _give_up_old(self, error: str) -> None:
        now = self._runtime.now()
        old = [(user_id, entry) for user_id, entry in self._entries.items() if now - entry.since > self._give_up_after]
        for user_id, _ in old:
            del self._entries[user_id]
        if old:
            self._give_up(old, f"still failing after {self._give_up_after:g} s: {error}")

    def _give_up(self, dropped: List[Tuple[str, _Entry]], why: str) -> None:
        self.given_up += len(dropped)
        shown = ", ".join(f"{user_id} ({'+'.join(entry.reasons)})" for user_id, entry in dropped[:10])
        more = f" and {len(dropped) - 10} more" if len(dropped) > 10 else ""
        logger.warning(
            "matrix-userdir: gave up pushing %d change(s): %s%s; %s. The service's own following and reconcile will correct them.",
            len(dropped),
            shown,
            more,
            why,
        )

    def _backoff(self) -> float:
        base = min(self._backoff_max, self._backoff_initial * 2 ** min(self._failures_in_a_row - 1, 30))
        return base * (0.8 + 0.4 * self._jitter())
