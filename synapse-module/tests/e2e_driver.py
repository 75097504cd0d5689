"""Runs the module in a fake Synapse against a real service, for test/synapse-module/*.test.ts.

    python3 tests/e2e_driver.py --url http://127.0.0.1:PORT --token ADMIN_TOKEN [--server-name example.org] [--backoff-initial 0.5]

Two module instances stand for Synapse's main process and a worker, each with
its own queue and an HTTP client on urllib. Commands come one JSON object a
line on stdin; each gets one JSON line on stdout:

    {"op": "register", "user": "@a:example.org", "displayname": "A", "user_type": null, "guest": false}
    {"op": "profile", "user": ..., "displayname": ..., "avatar_url": ...}
    {"op": "lock", "user": ..., "locked": true}          (Synapse fires no callback for this)
    {"op": "deactivate", "user": ..., "erase": true}
    {"op": "reactivate", "user": ...}
    {"op": "idle"}   answers once every queue is empty: {"ms": from the last change's callback to the
                     service's answer to its push, "pushed", "given_up", "skipped", "retries"}
    {"op": "exit"}

A change runs on the main process, or with "workers": "both" on both (a
callback that fires on several workers). Change answers carry
"callback_ms": how long Synapse waited for the module's callbacks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from typing import Any, Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from fake_synapse import FakeModuleApi, FakeSynapse, UrllibHttpClient  # noqa: E402

from matrix_userdir_synapse import SynapseRuntime, UserDirectoryPusher  # noqa: E402


def reply(message: Dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--server-name", default="example.org")
    parser.add_argument("--backoff-initial", type=float, default=0.5)
    args = parser.parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)

    synapse = FakeSynapse(args.server_name)
    apis: List[FakeModuleApi] = []
    pushers: List[UserDirectoryPusher] = []
    for worker in (None, "worker1"):
        api = synapse.module_api(UrllibHttpClient(), worker_name=worker, real_time=True)
        apis.append(api)
        pushers.append(UserDirectoryPusher(UserDirectoryPusher.parse_config({"url": args.url, "token": args.token, "backoff_initial": args.backoff_initial}), api, runtime=SynapseRuntime(api)))

    loop = asyncio.get_running_loop()
    last_change = time.monotonic()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if line == "":
            break
        command = json.loads(line)
        op = command["op"]
        if op == "exit":
            break
        if op == "idle":
            while not all(p.queue.idle for p in pushers):
                await asyncio.sleep(0.001)
            answers = [a.http_client.last_answer for a in apis if a.http_client.last_answer is not None and a.http_client.last_answer >= last_change]
            reply({
                "op": op,
                # From the last change's callback to the service's answer to its last push
                # (null when that change pushed nothing).
                "ms": (max(answers) - last_change) * 1000 if answers else None,
                "pushed": sum(p.queue.pushed for p in pushers),
                "given_up": sum(p.queue.given_up for p in pushers),
                "skipped": sum(p.queue.skipped for p in pushers),
                "retries": sum(len(a.sleeps) for a in apis),
            })
            continue
        workers = apis if command.get("workers") == "both" else apis[:1]
        user = command["user"]
        last_change = time.monotonic()
        if op == "register":
            await synapse.register(user, displayname=command.get("displayname"), user_type=command.get("user_type"), guest=command.get("guest", False), workers=workers)
        elif op == "profile":
            await synapse.set_profile(user, displayname=command.get("displayname"), avatar_url=command.get("avatar_url"), workers=workers)
        elif op == "lock":
            await synapse.set_locked(user, command["locked"])
        elif op == "deactivate":
            await synapse.deactivate(user, erase=command.get("erase", False), workers=workers)
        elif op == "reactivate":
            await synapse.reactivate(user, workers=workers)
        else:
            reply({"op": op, "error": f"unknown op {op!r}"})
            continue
        reply({"op": op, "callback_ms": (time.monotonic() - last_change) * 1000})


if __name__ == "__main__":
    asyncio.run(main())
