#!/usr/bin/env python
"""WebSocket delivery benchmark (issue 4). Real daphne processes on the Redis channel layer and
N clients, each holding one authenticated /ws/ socket that follows its notifications and one
post's live counters. Times run from the publishing call, made in a process of its own with
plain synchronous Django (as a gunicorn request or a Celery task publishes), to each client's
receipt; every process reads the same clock (CLOCK_MONOTONIC). Figures: docs/BENCHMARKS.md.

For each channel layer (channels_redis core, pub/sub), N and number of daphne processes:
  one recipient  notify() to one client picked at random while all N are connected, and the
                 same event published straight through core.streams.publish to the user's
                 group (what notify() does after its database work); the next once it arrived.
  broadcast      a post's counters (the payload of posts.streams.push_counters, numbered) to
                 the group all N follow; the next once all N have it, or after --timeout.
  burst          --burst broadcasts published back to back: sustained deliveries per second.
  fan-out        one publish() to every client's own group (the shape of push_new_post).
CPU seconds of daphne, Redis, the clients and the publisher are read from /proc and Redis INFO
during the broadcasts, with what the rest of the machine used meanwhile (a shared machine).

    .venv/bin/python scripts/bench_ws.py              # the whole matrix (make bench-ws), ~5 minutes
    .venv/bin/python scripts/bench_ws.py --layers pubsub --clients 1000 --servers 2
    # the pool trap: 1,000 sockets opening at once, redis-py's default pool of 100
    .venv/bin/python scripts/bench_ws.py --layers core --clients 1000 --servers 1 --max-connections 0 --concurrency 500

Environment: BENCH_DATABASE_URL (MariaDB/MySQL, made and seeded on first use; default
mysql://root@127.0.0.1:3306/shortmedia_bench_ws), BENCH_REDIS (default redis://127.0.0.1:6379/9,
emptied before each case), PORT (the first daphne's port, default 8130), BENCH_PATCH (a module
every process imports at start-up, to measure a change before making it; config.bench_settings).
Server output goes to var/bench_ws_<layer>_<N>_<processes>.log."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TICK = os.sysconf("SC_CLK_TCK")
BENCH_STREAM = "bench:ws"  # registered by config.bench_settings, on the user's own group
NOTIFY_KIND = "bench_ws"  # likewise, in-app only
MAX_SOCKETS = 1000  # the machine is shared: at most this many sockets at once
SPAWN = get_context("spawn")


def environment() -> dict[str, str]:
    """What every process of the benchmark runs with (the layer is added per case)."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.bench_settings",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "mysql://root@127.0.0.1:3306/shortmedia_bench_ws"),
        "REDIS_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/9"),
        # Pub/sub channels ignore the Redis database number: a prefix of its own keeps them apart.
        "CHANNELS_PREFIX": "bench_ws",
        "CACHE_KEY_PREFIX": "bench_ws",
        "DEBUG": "False",
        "HTTPS": "False",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "bench-only-not-secret-at-all-0123456789-abcdefghijklmnopqrstuvwxyz",
        "MEDIA_SIGNING_KEY": "bench-only-media-key",
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "True",
    }


# --- Set-up (the main process) -------------------------------------------------------------


def prepare(people: int = MAX_SOCKETS) -> dict:
    """Seed the database once (people + 1 bulk accounts, a few posts). Returns the sockets'
    people with access tokens, the actor, a public post and whether notify() is there."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.utils import Error
    from rest_framework_simplejwt.tokens import AccessToken

    from posts.models import Post
    from users.models import User
    from users.seeding import bulk_user_ids

    try:
        seeded = len(bulk_user_ids()) == people + 1
    except Error:
        seeded = False
    if not seeded:
        print(f"Seeding {people + 1} accounts into a fresh {connection.settings_dict['NAME']}...", flush=True)
        _recreate_database()
        call_command("migrate", verbosity=0)
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", force=True, users=people + 1, posts=20, follows=0, stdout=quiet)
    call_command("migrate", verbosity=0)
    ids = bulk_user_ids()
    actor_id, recipients = ids[0], ids[1:]
    users = User.objects.in_bulk(recipients)
    post = Post.objects.filter(visibility=Post.Visibility.PUBLIC, is_hidden=False, repost_of=None).order_by("pk")[0]
    return {
        "people": [(user_id, str(AccessToken.for_user(users[user_id]))) for user_id in recipients],
        "actor": actor_id,
        "post": post.pk,
        "notify": _notify_available(),
    }


def _recreate_database() -> None:
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor != "mysql":
        raise SystemExit("BENCH_DATABASE_URL must name a MariaDB/MySQL database.")
    import MySQLdb

    server = MySQLdb.connect(
        host=settings["HOST"], port=int(settings["PORT"] or 3306), user=settings["USER"], password=settings["PASSWORD"]
    )
    server.query(f"DROP DATABASE IF EXISTS `{settings['NAME']}`")
    server.query(f"CREATE DATABASE `{settings['NAME']}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    server.close()
    connection.close()


def _notify_available() -> bool:
    """Whether notify() can be measured: the notifications app is there, migrated, and delivers
    on the "notifications" stream."""
    try:
        from django.db import connection

        from notifications.models import Notification
        from notifications.services.inbox import notify  # noqa: F401
        from notifications.streams import STREAM
    except ImportError:
        return False
    return STREAM == "notifications" and Notification._meta.db_table in connection.introspection.table_names()


# --- Clients (worker processes) --------------------------------------------------------------


def receipt_key(frame: dict, user_id: int):
    """What the publisher knows an event by: a notification by whom it is for (one is sent at
    a time), anything else by the number it carries."""
    if frame.get("stream") == "notifications":
        return ("n", user_id) if frame.get("event") == "notification" else None
    return ("s", (frame.get("data") or {}).get("seq"))


def client_worker(conn, sockets: list[tuple[str, int, str]], streams: list[str], concurrency: int) -> None:
    """Hold one socket per (url, user id, token), subscribed to `streams`. Answers the parent's
    ("wait", key, expected, timeout) with the receipt times of event `key` once `expected` of
    them arrived (or at the timeout), and ("close",) by closing every socket."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with "close"
    asyncio.run(_client_main(conn, sockets, streams, concurrency))


async def _client_main(conn, sockets, streams, concurrency) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    loop = asyncio.get_running_loop()
    receipts: dict = defaultdict(list)
    waiters: dict = {}
    errors: list[str] = []
    closed = 0
    gate = asyncio.Semaphore(concurrency)

    def received(text: str, at: float, user_id: int) -> None:
        frame = json.loads(text)
        if frame.get("op") != "event":
            return
        key = receipt_key(frame, user_id)
        receipts[key].append(at)
        waiter = waiters.get(key)
        if waiter is not None and len(receipts[key]) >= waiter[0] and not waiter[1].done():
            waiter[1].set_result(None)

    async def hold(ws, user_id: int) -> None:
        nonlocal closed
        with contextlib.suppress(ConnectionClosed):
            async for text in ws:
                received(text, time.perf_counter(), user_id)
        closed += 1

    async def open_socket(url: str, token: str):
        async with gate:
            try:
                ws = await connect(
                    url,
                    additional_headers={"Authorization": f"Bearer {token}"},
                    compression=None,  # daphne does not offer permessage-deflate anyway
                    proxy=None,
                    ping_interval=None,  # daphne pings; the client answers
                    open_timeout=60,
                )
                hello = json.loads(await ws.recv())
                if hello.get("op") != "hello":  # not an assert: `python -O` would drop the check
                    raise RuntimeError(f"no hello: {hello}")
                for stream in streams:
                    await ws.send(json.dumps({"op": "subscribe", "stream": stream}))
                for _ in streams:
                    answer = json.loads(await ws.recv())
                    if answer.get("op") != "subscribed":
                        raise RuntimeError(f"not subscribed: {answer}")
            except Exception as error:  # counted and reported; the run goes on without the socket
                errors.append(f"{type(error).__name__}: {error}"[:200])
                return None
            return ws

    started = time.perf_counter()
    opened = await asyncio.gather(*(open_socket(url, token) for url, _, token in sockets))
    holders = [
        asyncio.create_task(hold(ws, user_id)) for ws, (_, user_id, _) in zip(opened, sockets, strict=True) if ws
    ]
    people = [user_id for ws, (_, user_id, _) in zip(opened, sockets, strict=True) if ws]
    conn.send(("ready", people, errors, time.perf_counter() - started))

    async def wait_for(key, expected: int, timeout: float) -> None:
        if len(receipts[key]) < expected:
            waiters[key] = (expected, loop.create_future())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiters[key][1], timeout)
            del waiters[key]
        conn.send(("times", key, receipts.pop(key, []), closed))

    commands: asyncio.Queue = asyncio.Queue()

    def command_arrived() -> None:
        try:
            commands.put_nowait(conn.recv())
        except EOFError:  # the parent is gone
            loop.remove_reader(conn.fileno())
            commands.put_nowait(("close",))

    loop.add_reader(conn.fileno(), command_arrived)
    waiting = set()
    while (command := await commands.get())[0] != "close":
        task = asyncio.create_task(wait_for(*command[1:]))
        waiting.add(task)
        task.add_done_callback(waiting.discard)
    loop.remove_reader(conn.fileno())
    await asyncio.gather(*(ws.close() for ws in opened if ws is not None), return_exceptions=True)
    await asyncio.gather(*holders)
    conn.send(("closed",))


# --- One case (a process of its own: the publisher) ------------------------------------------


@dataclass
class Case:
    layer: str  # core | pubsub
    clients: int
    servers: int
    max_connections: int
    client_processes: int
    concurrency: int
    singles: int
    broadcasts: int
    burst: int
    fan_outs: int
    timeout: float
    profile: bool = False


@dataclass
class Result:
    case: Case
    notify: bool
    opened: int = 0
    connect_errors: list[str] = field(default_factory=list)
    connect_seconds: float = 0.0
    idle_cpu: float = 0.0  # daphne's CPU share while every socket sits idle
    # One recipient: notify() to receipt and the notify() call alone; the same for publish().
    notify_ms: list[float] = field(default_factory=list)
    notify_call_ms: list[float] = field(default_factory=list)
    publish_ms: list[float] = field(default_factory=list)
    publish_call_ms: list[float] = field(default_factory=list)
    single_lost: int = 0
    delivery_ms: list[float] = field(default_factory=list)  # every receipt of every broadcast
    full_ms: list[float] = field(default_factory=list)  # the last receipt of each complete broadcast
    broadcast_lost: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds during the broadcasts
    burst_seconds: float = 0.0
    burst_lost: int = 0
    fan_out_ms: list[float] = field(default_factory=list)  # the last receipt (of those that came)
    fan_out_call_ms: list[float] = field(default_factory=list)
    fan_out_lost: int = 0
    closed: int = 0  # sockets the server closed during the run
    over_capacity: int = 0  # group_sends the core layer cut short for a full queue
    redis_connections: int = 0  # the servers' connections to Redis once every socket is open
    server_mib: float = 0.0  # the servers' resident memory after the broadcasts
    left_behind: int = 0  # subscriptions or group members in Redis once every socket closed


class Workers(list):
    """The client processes: (process, pipe, [ids of the people whose socket opened])."""

    def expecting_all(self) -> dict[int, int]:
        return {index: len(people) for index, (_, _, people) in enumerate(self)}

    def collect(self, key, expected: dict[int, int], timeout: float) -> tuple[list[float], int]:
        """Receipt times of event `key` from the workers holding its recipients (`expected`:
        worker index -> how many), and how many sockets the server has closed so far."""
        asked = [(pipe, count) for index, (_, pipe, _) in enumerate(self) if (count := expected.get(index))]
        for pipe, count in asked:
            pipe.send(("wait", key, count, timeout))
        times, closed = [], 0
        for pipe, _ in asked:
            _, _, got, gone = pipe.recv()
            times += got
            closed += gone
        return times, closed


class _Counter(logging.Handler):
    def __init__(self):
        super().__init__()
        self.count = 0

    def emit(self, record):
        self.count += 1


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its threads."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def run_case(case: Case, setup: dict, port: int, out) -> None:
    os.environ.update(environment())
    os.environ["BENCH_CHANNEL_LAYER"] = case.layer
    os.environ["BENCH_REDIS_MAX_CONNECTIONS"] = str(case.max_connections)
    import django

    django.setup()
    import redis

    # The core layer drops what does not fit a full queue and says so at INFO, in the process
    # that publishes.
    over_capacity = _Counter()
    logging.getLogger("channels_redis.core").addHandler(over_capacity)
    logging.getLogger("channels_redis.core").setLevel(logging.INFO)
    redis_client = redis.Redis.from_url(os.environ["REDIS_URL"])
    redis_client.flushdb()
    result = Result(case=case, notify=setup["notify"])
    servers: list[subprocess.Popen] = []
    workers = Workers()
    log_name = ROOT / "var" / f"bench_ws_{case.layer}_{case.clients}_{case.servers}.log"
    with open(log_name, "w") as log:
        try:
            _start_servers(case, port, log, servers)
            _start_clients(case, setup, port, workers, result)
            result.redis_connections = _layer_connections(redis_client)
            time.sleep(1)
            before = sum(cpu_seconds(server.pid) for server in servers)
            time.sleep(3)
            result.idle_cpu = (sum(cpu_seconds(server.pid) for server in servers) - before) / 3
            if setup["notify"]:
                _one_recipient(result, setup, workers, via_notify=True)
            _one_recipient(result, setup, workers, via_notify=False)
            _broadcasts(result, setup, workers, servers, redis_client)
            result.server_mib = sum(_resident_mib(server.pid) for server in servers)
            _burst(result, setup, workers)
            _fan_out(result, workers)
        finally:
            _close_clients(workers)
            result.left_behind = _left_behind(redis_client, servers)
            _stop(workers, servers)
            redis_client.flushdb()
    result.over_capacity = over_capacity.count
    out.send(asdict(result))


def _resident_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        kib = next(line.split()[1] for line in status if line.startswith("VmRSS:"))
    return int(kib) / 1024


def _layer_connections(redis_client) -> int:
    """Connections to our Redis database other than this one: the servers' (as the benchmark
    has its own database, nobody else's)."""
    database = redis_client.connection_pool.connection_kwargs.get("db", 0)
    return sum(1 for client in redis_client.client_list() if int(client["db"]) == database) - 1


def _start_servers(case: Case, port: int, log, servers: list) -> None:
    for index in range(case.servers):
        command = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port + index), "-v", "0"]
        if case.profile:  # the whole server life, written when it stops on TERM
            name = ROOT / "var" / f"bench_ws_{case.layer}_{case.clients}_{index}.prof"
            command = [sys.executable, "-m", "cProfile", "-o", str(name), *command]
        command.append("config.asgi:application")
        servers.append(subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log))
    for index in range(case.servers):
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port + index}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"daphne on port {port + index} did not come up: see {log.name}")


def _start_clients(case: Case, setup: dict, port: int, workers: Workers, result: Result) -> None:
    """Sockets go to the servers in turn, and to the client processes in turn."""
    streams = [*(["notifications"] if setup["notify"] else []), BENCH_STREAM, f"post:{setup['post']}"]
    sockets = [
        (f"ws://127.0.0.1:{port + index % case.servers}/ws/", user_id, token)
        for index, (user_id, token) in enumerate(setup["people"][: case.clients])
    ]
    started = []
    for index in range(case.client_processes):
        pipe, child = SPAWN.Pipe()
        process = SPAWN.Process(
            target=client_worker, args=(child, sockets[index :: case.client_processes], streams, case.concurrency)
        )
        process.start()
        started.append((process, pipe))
    for process, pipe in started:
        _, people, errors, seconds = pipe.recv()
        workers.append((process, pipe, people))
        result.opened += len(people)
        result.connect_errors += errors
        result.connect_seconds = max(result.connect_seconds, seconds)


def _close_clients(workers: Workers) -> None:
    for _, pipe, _ in workers:
        with contextlib.suppress(OSError, EOFError):
            pipe.send(("close",))
            while pipe.poll(10) and pipe.recv()[0] != "closed":
                pass


def _left_behind(redis_client, servers) -> int:
    """What the servers still hold in Redis for sockets that all closed: pub/sub subscriptions
    (other than those of the servers' own channel), or core group members."""
    time.sleep(2)  # daphne lets disconnecting consumers finish
    if any(server.poll() is not None for server in servers):
        return -1
    prefix = os.environ["CHANNELS_PREFIX"]
    if os.environ["BENCH_CHANNEL_LAYER"] == "pubsub":
        return len(redis_client.pubsub_channels(f"{prefix}*"))
    return sum(redis_client.zcard(key) for key in redis_client.scan_iter(f"{prefix}:group:*"))


def _stop(workers: Workers, servers: list) -> None:
    for process, _, _ in workers:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
    for server in servers:
        server.terminate()
    for server in servers:
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()  # daphne may linger on TERM with open sockets
            server.wait()


def _one_recipient(result: Result, setup: dict, workers: Workers, *, via_notify: bool) -> None:
    """One event at a time to one random client, through notify() or straight through
    core.streams.publish to the user's group (what notify() does after its database work)."""
    from core.streams import publish, user_group

    rng = random.Random(4)  # noqa: S311 - picks recipients, not secrets
    holder = {user_id: index for index, (_, _, people) in enumerate(workers) for user_id in people}
    people = list(holder)
    if via_notify:
        from notifications.services.inbox import notify
        from users.models import User

        actor = User.objects.get(pk=setup["actor"])
        recipients = User.objects.in_bulk(people)
    latencies, calls = (
        (result.notify_ms, result.notify_call_ms) if via_notify else (result.publish_ms, result.publish_call_ms)
    )
    for seq in range(result.case.singles):
        user_id = rng.choice(people)
        started = time.perf_counter()
        if via_notify:
            key = ("n", user_id)
            notify(recipient=recipients[user_id], kind=NOTIFY_KIND, actor=actor)
        else:
            key = ("s", seq)
            publish(user_group(user_id), stream=BENCH_STREAM, event="notification", data={"seq": seq})
        calls.append((time.perf_counter() - started) * 1000)
        times, _ = workers.collect(key, {holder[user_id]: 1}, result.case.timeout)
        if times:
            latencies.append((times[0] - started) * 1000)
        else:
            result.single_lost += 1
        time.sleep(0.01)


def _push_counters(post_id: int, seq: int) -> None:
    """posts.streams.push_counters, with a number the clients report receipts by."""
    from core.streams import publish
    from posts.repositories import get_counters
    from posts.streams import post_group

    data = {"id": post_id, **get_counters(post_id), "seq": seq}
    publish(post_group(post_id), stream=f"post:{post_id}", event="counters", data=data)


def _broadcasts(result: Result, setup: dict, workers: Workers, servers, redis_client) -> None:
    expected = workers.expecting_all()
    total = sum(expected.values())
    cpu: dict[str, float] = defaultdict(float)
    for round_ in range(result.case.broadcasts):
        seq = 1_000_000 + round_
        before = _cpu_now(servers, workers, redis_client)
        started = time.perf_counter()
        _push_counters(setup["post"], seq)
        times, result.closed = workers.collect(("s", seq), expected, result.case.timeout)
        for name, value in _cpu_now(servers, workers, redis_client).items():
            cpu[name] += value - before[name]
        result.delivery_ms += [(at - started) * 1000 for at in times]
        result.broadcast_lost += total - len(times)
        if len(times) == total:
            result.full_ms.append((max(times) - started) * 1000)
        time.sleep(0.2)
    cpu["others"] = cpu.pop("machine") - sum(value for name, value in cpu.items() if name != "interrupts")
    result.cpu = dict(cpu)


def _machine_cpu() -> tuple[float, float]:
    """CPU seconds all processes of the machine have used (to see what others took meanwhile),
    and the kernel's interrupt work (network), which no process is charged with."""
    with open("/proc/stat") as stat:
        user, nice, system, _, _, irq, softirq, steal = (int(value) for value in stat.readline().split()[1:9])
    return (user + nice + system + steal) / TICK, (irq + softirq) / TICK


def _cpu_now(servers, workers: Workers, redis_client) -> dict[str, float]:
    info = redis_client.info("cpu")
    machine, interrupts = _machine_cpu()
    return {
        "machine": machine,
        "interrupts": interrupts,
        "daphne": sum(cpu_seconds(server.pid) for server in servers),
        "clients": sum(cpu_seconds(process.pid) for process, _, _ in workers),
        "redis": info["used_cpu_user"] + info["used_cpu_sys"],
        "publisher": time.process_time(),
    }


def _burst(result: Result, setup: dict, workers: Workers) -> None:
    if not result.case.burst:
        return
    expected = workers.expecting_all()
    seqs = [2_000_000 + round_ for round_ in range(result.case.burst)]
    started = last = time.perf_counter()
    for seq in seqs:
        _push_counters(setup["post"], seq)
    for seq in seqs:
        times, result.closed = workers.collect(("s", seq), expected, result.case.timeout)
        result.burst_lost += sum(expected.values()) - len(times)
        last = max([last, *times])
    result.burst_seconds = last - started


def _fan_out(result: Result, workers: Workers) -> None:
    """One event to each client through its own user group, in one publish() call: the shape
    of posts.streams.push_new_post telling every follower's Following feed."""
    from core.streams import publish, user_group

    expected = workers.expecting_all()
    groups = [user_group(user_id) for _, _, people in workers for user_id in people]
    for round_ in range(result.case.fan_outs):
        seq = 3_000_000 + round_
        started = time.perf_counter()
        publish(*groups, stream=BENCH_STREAM, event="new_post", data={"seq": seq})
        result.fan_out_call_ms.append((time.perf_counter() - started) * 1000)
        times, result.closed = workers.collect(("s", seq), expected, result.case.timeout)
        result.fan_out_lost += sum(expected.values()) - len(times)
        if times:
            result.fan_out_ms.append((max(times) - started) * 1000)
        time.sleep(0.2)


# --- Report ----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value that `share` of all values are at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else math.nan


def _pair(values: list[float], digits: int = 0) -> str:
    return f"{percentile(values, 0.5):.{digits}f} / {percentile(values, 0.99):.{digits}f}" if values else "-"


LATENCY_HEADER = (
    "| layer | N | daphne | notify() → receipt p50 / p99 | notify() call p50 | publish() → receipt p50 / p99"
    " | publish() call p50 | broadcast, each delivery p50 / p99 | broadcast, all N delivered p50 / p99 | lost |"
)
COST_HEADER = (
    "| layer | N | daphne | deliveries/s (N / all-delivered p50) | burst deliveries/s"
    " | fan-out to N groups: publish() call / last receipt | deliveries per daphne CPU-s"
    " | CPU-s daphne / Redis / clients / publisher / interrupts / others | daphne CPU idle | N opened in"
    " | Redis connections of the servers | daphne memory MiB |"
)


def latency_row(result: dict) -> str:
    case = result["case"]
    lost = sum(result[name] for name in ("single_lost", "broadcast_lost", "burst_lost", "fan_out_lost"))
    failed = case["clients"] - result["opened"]
    notes = [
        str(lost),
        *([f"{failed} sockets failed to open"] if failed else []),
        *([f"{result['closed']} closed by the server"] if result["closed"] else []),
        *([f"{result['over_capacity']} group_sends over capacity"] if result["over_capacity"] else []),
        *([f"{result['left_behind']} left in Redis after all closed"] if result["left_behind"] else []),
    ]
    cells = [
        case["layer"],
        case["clients"],
        case["servers"],
        _pair(result["notify_ms"], 1),
        f"{percentile(result['notify_call_ms'], 0.5):.1f}" if result["notify_call_ms"] else "-",
        _pair(result["publish_ms"], 1),
        f"{percentile(result['publish_call_ms'], 0.5):.1f}",
        _pair(result["delivery_ms"]),
        _pair(result["full_ms"]),
        "; ".join(notes),
    ]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def cost_row(result: dict) -> str:
    case, cpu = result["case"], result["cpu"]
    deliveries = result["opened"] * case["broadcasts"] - result["broadcast_lost"]
    burst = result["opened"] * case["burst"] - result["burst_lost"]
    fan_out = f"{percentile(result['fan_out_call_ms'], 0.5):.0f} / {percentile(result['fan_out_ms'], 0.5):.0f}"
    cells = [
        case["layer"],
        case["clients"],
        case["servers"],
        f"{result['opened'] / percentile(result['full_ms'], 0.5) * 1000:,.0f}" if result["full_ms"] else "-",
        f"{burst / result['burst_seconds']:,.0f}" if result["burst_seconds"] else "-",
        fan_out + (f" ({result['fan_out_lost']} lost)" if result["fan_out_lost"] else ""),
        f"{deliveries / cpu['daphne']:,.0f}" if cpu.get("daphne") else "-",
        " / ".join(
            f"{cpu.get(name, 0):.1f}" for name in ("daphne", "redis", "clients", "publisher", "interrupts", "others")
        ),
        f"{result['idle_cpu'] * 100:.1f} %",
        f"{result['connect_seconds']:.1f} s",
        result["redis_connections"],
        f"{result['server_mib']:.0f}",
    ]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _table(header: str, rows: list[str]) -> str:
    return "\n".join([header, "|---" * (header.count(" | ") + 1) + "|", *rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", default="core,pubsub", help="core and/or pubsub")
    parser.add_argument("--clients", default="100,1000", help=f"numbers of sockets, at most {MAX_SOCKETS}")
    parser.add_argument("--servers", default="1,2", help="daphne processes (more than one only for 1000 sockets)")
    parser.add_argument("--max-connections", type=int, default=2000, help="Redis pool per loop (0: redis-py's 100)")
    parser.add_argument("--client-processes", type=int, default=0, help="default: one per 500 sockets")
    parser.add_argument("--concurrency", type=int, default=100, help="sockets opening at once per client process")
    parser.add_argument("--singles", type=int, default=200, help="one-recipient events, each way")
    parser.add_argument("--broadcasts", type=int, default=40)
    parser.add_argument("--burst", type=int, default=20, help="broadcasts published back to back")
    parser.add_argument("--fan-outs", type=int, default=5, help="publishes to every client's own group")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for one event")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--profile", action="store_true", help="run daphne under cProfile (var/bench_ws_*.prof)")
    args = parser.parse_args()
    clients = [int(value) for value in args.clients.split(",")]
    if max(clients) > MAX_SOCKETS:
        raise SystemExit(f"At most {MAX_SOCKETS} sockets: the machine is shared.")
    os.environ.update(environment())
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    (ROOT / "var").mkdir(exist_ok=True)
    setup = prepare()
    port = int(os.environ.get("PORT", "8130"))
    via = "notifications.services.inbox.notify()" if setup["notify"] else "(no notify() yet)"
    print(f"One recipient through {via} and core.streams.publish; {os.cpu_count()} cores.", flush=True)
    results = []
    for layer in args.layers.split(","):
        for count in clients:
            for servers in [int(value) for value in args.servers.split(",")]:
                if servers > 1 and count < MAX_SOCKETS:
                    continue
                case = Case(
                    layer=layer,
                    clients=count,
                    servers=servers,
                    max_connections=args.max_connections,
                    client_processes=args.client_processes or math.ceil(count / 500),
                    concurrency=args.concurrency,
                    singles=args.singles,
                    broadcasts=args.broadcasts,
                    burst=args.burst,
                    fan_outs=args.fan_outs,
                    timeout=args.timeout,
                    profile=args.profile,
                )
                receiver, sender = SPAWN.Pipe(duplex=False)
                process = SPAWN.Process(target=run_case, args=(case, setup, port, sender))
                process.start()
                sender.close()  # so that a case that dies ends recv() with EOFError
                try:
                    result = receiver.recv()
                except EOFError:
                    raise SystemExit(f"The case {case} failed: see above.") from None
                finally:
                    process.join()
                results.append(result)
                print(latency_row(result), flush=True)
                if result["connect_errors"]:
                    print(f"  sockets that failed to open: {sorted(set(result['connect_errors']))[:4]}", flush=True)
    print("\nLatency (ms):\n" + _table(LATENCY_HEADER, [latency_row(result) for result in results]))
    print("\nThroughput and cost:\n" + _table(COST_HEADER, [cost_row(result) for result in results]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
