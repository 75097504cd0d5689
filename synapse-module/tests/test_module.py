"""The module against a fake Synapse: python3 -m unittest discover -s tests (from synapse-module/)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import unittest
from typing import Any, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from fake_synapse import FakeSynapse, HttpResponseException, ScriptedHttpClient  # noqa: E402

from matrix_userdir_synapse import SynapseRuntime, UserDirectoryPusher, parse_config  # noqa: E402

URL = "http://userdir.test:8090"
TOKEN = "admin-secret"
ALICE = "@alice:example.org"
BOB = "@bob:example.org"


def users_uri(user_id: str) -> str:
    return URL + "/_userdir/admin/v1/users/" + user_id.replace("@", "%40").replace(":", "%3A")


class ModuleTest(unittest.IsolatedAsyncioTestCase):
    def setUp(self) -> None:
        self.synapse = FakeSynapse()

    def pusher(self, outcomes: Optional[List[Any]] = None, worker_name: Optional[str] = None, **config: Any) -> UserDirectoryPusher:
        client = ScriptedHttpClient(outcomes)
        api = self.synapse.module_api(client, worker_name=worker_name)
        # As Synapse does: parse_config, then the constructor with (config, api).
        parsed = UserDirectoryPusher.parse_config({"url": URL, "token": TOKEN, **config})
        pusher = UserDirectoryPusher(parsed, api, runtime=SynapseRuntime(api, clock=api.clock))
        self.client = client
        self.api = api
        return pusher

    async def settle(self, *pushers: UserDirectoryPusher) -> None:
        for _ in range(10_000):
            if all(p.queue.idle for p in pushers):
                return
            await asyncio.sleep(0)
        self.fail("the queue never drained")

    # ---- each callback produces the right request --------------------------

    async def test_registration_pushes_the_users_facts_and_profile(self) -> None:
        pusher = self.pusher()
        await self.synapse.register(ALICE, displayname="Alice")
        await self.settle(pusher)
        self.assertEqual(len(self.client.calls), 1)
        uri, body, headers = self.client.calls[0]
        self.assertEqual(uri, users_uri(ALICE))
        self.assertEqual(headers, {b"Authorization": [b"Bearer admin-secret"]})
        self.assertEqual(body, {"user_type": None, "deactivated": False, "locked": False, "displayname": "Alice", "avatar_url": None})

    async def test_registration_carries_the_user_type(self) -> None:
        pusher = self.pusher()
        await self.synapse.register("@help:example.org", user_type="support")
        await self.synapse.register("@robot:example.org", user_type="bot", appservice_id="bridge")
        await self.settle(pusher)
        bodies = {uri: body for uri, body, _ in self.client.calls}
        self.assertEqual(bodies[users_uri("@help:example.org")]["user_type"], "support")
        self.assertEqual(bodies[users_uri("@robot:example.org")]["user_type"], "bot")
        self.assertNotIn("appservice_id", bodies[users_uri("@robot:example.org")])

    async def test_guests_are_not_pushed_until_upgraded(self) -> None:
        pusher = self.pusher()
        await self.synapse.register("@1234:example.org", guest=True)
        await self.settle(pusher)
        self.assertEqual(self.client.calls, [])
        self.assertEqual(pusher.queue.skipped, 1)
        await self.synapse.register("@1234:example.org", displayname="Now Real")
        await self.settle(pusher)
        self.assertEqual([(u, b["displayname"]) for u, b, _ in self.client.calls], [(users_uri("@1234:example.org"), "Now Real")])

    async def test_profile_update_pushes_the_new_global_profile(self) -> None:
        pusher = self.pusher()
        await self.synapse.register(ALICE, displayname="Alice")
        await self.settle(pusher)
        await self.synapse.set_profile(ALICE, displayname="Alice B.", avatar_url="mxc://example.org/a")
        await self.settle(pusher)
        self.assertEqual(self.client.calls[-1][1], {"user_type": None, "deactivated": False, "locked": False, "displayname": "Alice B.", "avatar_url": "mxc://example.org/a"})
        self.assertEqual(len(self.client.calls), 2)

    async def test_push_carries_the_lock_read_at_send_time(self) -> None:
        pusher = self.pusher()
        await self.synapse.register(ALICE, displayname="Alice")
        await self.synapse.set_locked(ALICE, True)
        await self.settle(pusher)
        self.assertTrue(self.client.calls[0][1]["locked"])

    async def test_deactivation_with_erase_pushes_once_and_no_blank_name(self) -> None:
        pusher = self.pusher()
        await self.synapse.register(ALICE, displayname="Alice")
        await self.settle(pusher)
        await self.synapse.deactivate(ALICE, erase=True)
        await self.settle(pusher)
        self.assertEqual(len(self.client.calls), 2)
        self.assertEqual(self.client.calls[1][1], {"user_type": None, "deactivated": True, "locked": False})

    async def test_reactivation_pushes_active_with_the_current_profile(self) -> None:
        pusher = self.pusher()
        await self.synapse.register(ALICE, displayname="Alice")
        await self.settle(pusher)
        await self.synapse.deactivate(ALICE)
        await self.settle(pusher)
        self.assertEqual(self.client.calls[-1][1], {"user_type": None, "deactivated": True, "locked": False})
        await self.synapse.reactivate(ALICE)
        await self.settle(pusher)
        self.assertEqual(len(self.client.calls), 3)
        self.assertEqual(self.client.calls[-1][1], {"user_type": None, "deactivated": False, "locked": False, "displayname": "Alice", "avatar_url": None})

    async def test_changes_queued_together_push_once_with_the_newest_facts(self) -> None:
        release = asyncio.Event()

        async def held() -> None:
            await release.wait()

        pusher = self.pusher(outcomes=[held])
        await self.synapse.register(BOB)  # in flight, held open
        await asyncio.sleep(0)
        await self.synapse.register(ALICE, displayname="Alice")
        await self.synapse.set_profile(ALICE, displayname="Alice 2")
        await self.synapse.set_profile(ALICE, displayname="Alice 3")
        self.assertEqual(pusher.queue.pending, 1)
        release.set()
        await self.settle(pusher)
        alice = [body for uri, body, _ in self.client.calls if uri == users_uri(ALICE)]
        self.assertEqual([b["displayname"] for b in alice], ["Alice 3"])

    async def test_the_same_change_on_two_workers_sends_the_same_body(self) -> None:
        main = self.pusher()
        main_client = self.client
        worker = self.pusher(worker_name="worker1")
        await self.synapse.register(ALICE, displayname="Alice")
        await self.settle(main, worker)
        self.assertEqual(main_client.calls, self.client.calls)

    # ---- nothing blocks the callback ---------------------------------------

    async def test_callbacks_return_before_the_push_is_answered(self) -> None:
        never = asyncio.Event()

        async def hang() -> None:
            await never.wait()

        pusher = self.pusher(outcomes=[hang])
        await asyncio.wait_for(self.synapse.register(ALICE, displayname="Alice"), timeout=1)
        await asyncio.wait_for(self.synapse.set_profile(ALICE, displayname="A"), timeout=1)
        await asyncio.wait_for(self.synapse.deactivate(ALICE, erase=True), timeout=1)
        for _ in range(5):
            await asyncio.sleep(0)
        self.assertEqual(len(self.client.calls), 1)  # the first push is still open
        self.assertFalse(pusher.queue.idle)
        never.set()
        await self.settle(pusher)

    async def test_callbacks_never_raise(self) -> None:
        pusher = self.pusher()

        def broken(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("reactor gone")

        self.api.run_as_background_process = broken  # type: ignore[method-assign]
        with self.assertLogs("matrix_userdir_synapse", "ERROR"):
            await pusher.on_user_registration(ALICE)
            await pusher.on_profile_update(ALICE, None, False, False)
            await pusher.on_user_deactivation_status_changed(ALICE, True, False)

    async def test_an_unexpected_fault_stops_the_loop_until_the_next_callback(self) -> None:
        pusher = self.pusher(outcomes=[ConnectionRefusedError()] * 3)

        async def no_sleep(seconds: float) -> None:
            raise AttributeError("'ModuleApi' object has no attribute 'sleep'")

        self.api.sleep = no_sleep  # type: ignore[method-assign]
        with self.assertLogs("matrix_userdir_synapse", "ERROR"):
            await self.synapse.register(ALICE)
            for _ in range(100):
                await asyncio.sleep(0)
        self.assertFalse(pusher.queue.running)
        self.assertEqual(len(self.client.calls), 1)  # no tight retry loop
        self.assertEqual(pusher.queue.pending, 1)
        self.client.outcomes = []
        await self.synapse.register(BOB)
        await self.settle(pusher)
        self.assertEqual([uri for uri, _, _ in self.client.calls], [users_uri(ALICE), users_uri(ALICE), users_uri(BOB)])

    # ---- failures retry with back-off --------------------------------------

    async def test_unreachable_service_is_retried_with_doubling_backoff(self) -> None:
        failures = [ConnectionRefusedError("refused"), HttpResponseException(503, "Service Unavailable", b""), HttpResponseException(504, "Timed out", b""), HttpResponseException(429, "Too Many", b"")]
        pusher = self.pusher(outcomes=failures)
        with self.assertLogs("matrix_userdir_synapse", "INFO") as logs:
            await self.synapse.register(ALICE, displayname="Alice")
            await self.settle(pusher)
        self.assertEqual(len(self.client.calls), 5)
        self.assertEqual(self.client.calls[-1][1]["displayname"], "Alice")
        self.assertEqual(len(self.api.sleeps), 4)
        for sleep, base in zip(self.api.sleeps, [0.5, 1, 2, 4]):
            self.assertGreaterEqual(sleep, base * 0.8)
            self.assertLessEqual(sleep, base * 1.2)
        self.assertEqual(pusher.queue.pushed, 1)
        self.assertEqual(pusher.queue.given_up, 0)
        self.assertTrue(any("answers again after 4 failed attempts" in line for line in logs.output))

    async def test_backoff_is_capped_and_resets_after_a_success(self) -> None:
        pusher = self.pusher(outcomes=[ConnectionRefusedError()] * 12, backoff_max=5)
        await self.synapse.register(ALICE)
        await self.settle(pusher)
        self.assertLessEqual(max(self.api.sleeps), 5 * 1.2)
        self.api.sleeps.clear()
        self.client.outcomes = [ConnectionRefusedError()]
        await self.synapse.register(BOB)
        await self.settle(pusher)
        self.assertEqual(len(self.api.sleeps), 1)
        self.assertLessEqual(self.api.sleeps[0], 0.5 * 1.2)

    async def test_a_refusal_also_shows_the_service_is_back(self) -> None:
        refused = HttpResponseException(403, "Forbidden", b'{"errcode":"M_FORBIDDEN"}')
        pusher = self.pusher(outcomes=[ConnectionRefusedError(), ConnectionRefusedError(), refused, ConnectionRefusedError()])
        with self.assertLogs("matrix_userdir_synapse", "INFO") as logs:
            await self.synapse.register(ALICE)
            await self.synapse.register(BOB)
            await self.settle(pusher)
        self.assertEqual(len(self.api.sleeps), 3)
        self.assertLessEqual(self.api.sleeps[2], 0.5 * 1.2)  # bob's first failure starts again from the first step
        self.assertEqual((pusher.queue.pushed, pusher.queue.given_up), (1, 1))
        self.assertTrue(any("answers again after 2 failed attempts" in line for line in logs.output))

    async def test_the_head_is_retried_before_later_changes(self) -> None:
        pusher = self.pusher(outcomes=[ConnectionRefusedError(), ConnectionRefusedError()])
        await self.synapse.register(ALICE)
        await self.synapse.register(BOB)
        await self.settle(pusher)
        self.assertEqual([uri for uri, _, _ in self.client.calls], [users_uri(ALICE)] * 3 + [users_uri(BOB)])

    async def test_a_refused_push_is_dropped_at_once_with_a_log_line(self) -> None:
        pusher = self.pusher(outcomes=[HttpResponseException(400, "Bad Request", b'{"errcode":"M_INVALID_PARAM"}')])
        with self.assertLogs("matrix_userdir_synapse", "WARNING") as logs:
            await self.synapse.register(ALICE)
            await self.synapse.register(BOB)
            await self.settle(pusher)
        self.assertEqual(self.api.sleeps, [])
        self.assertEqual(pusher.queue.given_up, 1)
        self.assertEqual([uri for uri, _, _ in self.client.calls], [users_uri(ALICE), users_uri(BOB)])
        self.assertTrue(any("gave up" in line and ALICE in line and "M_INVALID_PARAM" in line for line in logs.output))

    async def test_gives_up_with_a_log_line_when_the_service_stays_down(self) -> None:
        pusher = self.pusher(outcomes=[ConnectionRefusedError("refused")] * 1000, give_up_after=30, backoff_max=4)
        with self.assertLogs("matrix_userdir_synapse", "WARNING") as logs:
            await self.synapse.register(ALICE)
            await self.settle(pusher)
        self.assertEqual(pusher.queue.given_up, 1)
        self.assertEqual(pusher.queue.pushed, 0)
        self.assertGreater(sum(self.api.sleeps), 30 - 4 * 1.2)
        self.assertLess(sum(self.api.sleeps), 30 + 4 * 1.2 * 2)
        gave_up = [line for line in logs.output if "gave up" in line]
        self.assertEqual(len(gave_up), 1)
        self.assertIn(ALICE, gave_up[0])
        self.assertIn("registration", gave_up[0])
        self.assertIn("reconcile", gave_up[0])

    # ---- the queue is bounded ------------------------------------------------

    async def test_the_queue_is_bounded_and_drops_the_oldest_with_a_log_line(self) -> None:
        release = asyncio.Event()

        async def held() -> None:
            await release.wait()

        pusher = self.pusher(outcomes=[held], max_queue=3)
        await self.synapse.register("@u0:example.org")  # in flight
        await asyncio.sleep(0)
        with self.assertLogs("matrix_userdir_synapse", "WARNING") as logs:
            for i in range(1, 6):
                await self.synapse.register(f"@u{i}:example.org")
        self.assertEqual(pusher.queue.pending, 3)
        self.assertEqual(pusher.queue.given_up, 2)
        self.assertTrue(any("@u1:example.org" in line and "queue is full" in line for line in logs.output))
        release.set()
        await self.settle(pusher)
        self.assertEqual([uri for uri, _, _ in self.client.calls], [users_uri(f"@u{i}:example.org") for i in (0, 3, 4, 5)])

    # ---- configuration -------------------------------------------------------

    def test_parse_config(self) -> None:
        config = parse_config({"url": "http://127.0.0.1:8090/", "token": "t"})
        self.assertEqual((config.url, config.token, config.max_queue, config.give_up_after, config.backoff_initial, config.backoff_max), ("http://127.0.0.1:8090", "t", 10_000, 3600.0, 0.5, 60.0))
        with tempfile.NamedTemporaryFile("w", suffix=".token", delete=False) as handle:
            handle.write("from-file\n")
        try:
            self.assertEqual(parse_config({"url": "https://userdir.example.org", "token_file": handle.name}).token, "from-file")
        finally:
            os.unlink(handle.name)
        for bad in [
            {"token": "t"},
            {"url": "127.0.0.1:8090", "token": "t"},
            {"url": "http://h"},
            {"url": "http://h", "token": "t", "token_file": "/x"},
            {"url": "http://h", "token": ""},
            {"url": "http://h", "token_file": "/nonexistent/token"},
            {"url": "http://h", "token": "t", "max_queue": 0},
            {"url": "http://h", "token": "t", "max_queue": 1.5},
            {"url": "http://h", "token": "t", "give_up_after": "1h"},
        ]:
            with self.assertRaises(ValueError, msg=repr(bad)):
                parse_config(bad)

    def test_imports_without_twisted_or_synapse(self) -> None:
        code = "import sys, matrix_userdir_synapse; print(sorted(m for m in sys.modules if m.split('.')[0] in ('twisted', 'synapse')))"
        out = subprocess.run([sys.executable, "-c", code], cwd=os.path.dirname(HERE), capture_output=True, text=True, check=True)
        self.assertEqual(out.stdout.strip(), "[]")


if __name__ == "__main__":
    unittest.main()
