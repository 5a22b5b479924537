#!/usr/bin/env python
"""WebSocket delivery benchmark (issue 4). Real daphne processes on the Redis channel layer
and N clients, each holding one authenticated /ws/ socket that follows its notifications and
one post's live counters. Times run from the publishing call in a separate process (plain
synchronous Django, as a gunicorn request or a Celery task publishes) to each client's receipt;
every process reads the same clock (CLOCK_MONOTONIC). Figures: docs/BENCHMARKS.md.

For each channel layer (channels_redis core, pub/sub), N and number of daphne processes:
  one recipient  notify() to one client picked at random while all N are connected (without
                 the notifications app: core.streams.publish on a stream of the user's group);
                 the next once it arrived.
  broadcast      a post's counters (posts.realtime.push_counters's payload, numbered) to the
                 group all N follow; the next once all N have it, or after --timeout.
  burst          --burst broadcasts published back to back: sustained deliveries per second.
CPU seconds of daphne, Redis and the client processes are read from /proc and Redis INFO.

    scripts/bench_ws.py                                  # the whole matrix, a few minutes
    scripts/bench_ws.py --layers pubsub --clients 1000 --servers 2 --max-connections 0

Environment: BENCH_DATABASE_URL (MariaDB/MySQL, made and seeded once; default
mysql://root@127.0.0.1:3306/shortmedia_bench_ws), BENCH_REDIS (default redis://127.0.0.1:6379/9,
emptied before each case), PORT (first daphne port, default 8130)."""

from __future__ import annotations

import argparse
import asyncio
import json
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
BENCH_STREAM = "bench:ws"  # registered by config.bench_settings
NOTIFY_KIND = "bench_ws"
MAX_SOCKETS = 1000  # the machine is shared: at most this many sockets at once


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
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "True",
    }


# --- Set-up (the main process) -------------------------------------------------------------


def prepare(people: int = MAX_SOCKETS) -> dict:
    """Seed the database once (people + 1 bulk accounts, a few posts); the sockets' people and
    access tokens, the actor, a public post and whether notify() can be measured."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.utils import Error
    from rest_framework_simplejwt.tokens import AccessToken

    try:
        from users.seeding import bulk_user_ids

        seeded = len(bulk_user_ids()) == people + 1
    except Error:
        seeded = False
    if not seeded:
        print(f"Seeding {people + 1} accounts into a fresh {connection.settings_dict['NAME']}...", flush=True)
        _recreate_database()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", force=True, users=people + 1, posts=20, follows=0, stdout=open(os.devnull, "w"))
    call_command("migrate", verbosity=0)
    from posts.models import Post
    from users.models import User
    from users.seeding import bulk_user_ids

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
    if settings["ENGINE"] != "django.db.backends.mysql":
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
    """notify() is measured once the notifications app stores and delivers (its table exists
    and it delivers on the "notifications" stream)."""
    try:
        from django.db import connection

        from notifications.models import Notification
        from notifications.services import notify  # noqa: F401
        from notifications.strategies import STREAM

        return STREAM == "notifications" and Notification._meta.db_table in connection.introspection.table_names()
    except ImportError:
        return False


# --- Clients (worker processes) --------------------------------------------------------------


def receipt_key(frame: dict):
    """What the publisher knows an event by: the notification's id, or the number it carries."""
    data = frame.get("data") or {}
    if frame.get("stream") == "notifications":
        return ("n", (data.get("notification") or {}).get("id"))
    return ("s", data.get("seq"))


def client_worker(conn, sockets: list[tuple[str, int, str]], streams: list[str], concurrency: int) -> None:
    """Hold one socket per (url, user id, token); answer the parent's ("wait", key, expected,
    timeout) with the receipt times of event `key`, and ("close",) by closing them all."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with "close"
    asyncio.run(_client_main(conn, sockets, streams, concurrency))


async def _client_main(conn, sockets, streams, concurrency) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    loop = asyncio.get_running_loop()
    receipts: dict = defaultdict(list)
    waiters: dict = {}
    errors: list[str] = []
    dropped = 0
    gate = asyncio.Semaphore(concurrency)

    def received(text: str, at: float) -> None:
        frame = json.loads(text)
        if frame.get("op") != "event":
            return
        key = receipt_key(frame)
        receipts[key].append(at)
        waiter = waiters.get(key)
        if waiter is not None and len(receipts[key]) >= waiter[0] and not waiter[1].done():
            waiter[1].set_result(None)

    async def hold(ws) -> None:
        nonlocal dropped
        try:
            async for text in ws:
                received(text, time.perf_counter())
        except ConnectionClosed:
            pass
        dropped += 1

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
                assert hello.get("op") == "hello", hello
                for stream in streams:
                    await ws.send(json.dumps({"op": "subscribe", "stream": stream}))
                for _ in streams:
                    answer = json.loads(await ws.recv())
                    assert answer.get("op") == "subscribed", answer
            except Exception as error:  # noqa: BLE001  (counted and reported, the run goes on)
                errors.append(f"{type(error).__name__}: {error}"[:200])
                return None
            return ws

    started = time.perf_counter()
    opened = [ws for ws in await asyncio.gather(*(open_socket(url, token) for url, _, token in sockets))]
    holders = [asyncio.create_task(hold(ws)) for ws in opened if ws is not None]
    conn.send(("ready", len(holders), errors, time.perf_counter() - started))

    async def wait_for(key, expected: int, timeout: float) -> None:
        if len(receipts[key]) < expected:
            waiters[key] = (expected, loop.create_future())
            try:
                await asyncio.wait_for(waiters[key][1], timeout)
            except TimeoutError:
                pass
            del waiters[key]
        conn.send(("times", key, receipts.pop(key, []), dropped))

    commands: asyncio.Queue = asyncio.Queue()

    def command_arrived() -> None:
        try:
            commands.put_nowait(conn.recv())
        except EOFError:  # the parent is gone
            loop.remove_reader(conn.fileno())
            commands.put_nowait(("close",))

    loop.add_reader(conn.fileno(), command_arrived)
    tasks = set()
    while True:
        command = await commands.get()
        if command[0] == "wait":
            task = asyncio.create_task(wait_for(*command[1:]))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        elif command[0] == "close":
            break
    loop.remove_reader(conn.fileno())
    await asyncio.gather(*(ws.close() for ws in opened if ws is not None), return_exceptions=True)
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
    timeout: float


@dataclass
class Result:
    case: Case
    opened: int = 0
    connect_errors: list[str] = field(default_factory=list)
    connect_seconds: float = 0.0
    idle_cpu: float = 0.0  # daphne CPU share while all sockets sit idle
    single_ms: list[float] = field(default_factory=list)
    single_lost: int = 0
    publish_ms: list[float] = field(default_factory=list)  # the publishing call itself
    delivery_ms: list[float] = field(default_factory=list)  # every receipt of every broadcast
    full_ms: list[float] = field(default_factory=list)  # last receipt of each complete broadcast
    broadcast_lost: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # seconds during the broadcasts
    burst_seconds: float = 0.0
    burst_lost: int = 0
    dropped: int = 0  # sockets the server closed during the run
    notify: bool = False


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

    redis_client = redis.Redis.from_url(os.environ["REDIS_URL"])
    redis_client.flushdb()
    servers, workers = [], []
    result = Result(case=case, notify=setup["notify"])
    log = open(ROOT / "var" / "bench_ws_daphne.log", "a")
    try:
        for index in range(case.servers):
            command = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port + index), "-v", "0"]
            servers.append(subprocess.Popen([*command, "config.asgi:application"], cwd=ROOT, stdout=log, stderr=log))
        for index in range(case.servers):
            _wait_healthy(port + index)
        people = setup["people"][: case.clients]
        streams = ["notifications" if setup["notify"] else BENCH_STREAM, f"post:{setup['post']}"]
        sockets = [
            (f"ws://127.0.0.1:{port + index % case.servers}/ws/", user_id, token)
            for index, (user_id, token) in enumerate(people)
        ]
        shares = [sockets[index :: case.client_processes] for index in range(case.client_processes)]
        context = get_context("spawn")
        for share in shares:
            parent, child = context.Pipe()
            process = context.Process(target=client_worker, args=(child, share, streams, case.concurrency))
            process.start()
            workers.append((process, parent, share))
        for _, parent, _ in workers:
            _, opened, errors, seconds = parent.recv()
            result.opened += opened
            result.connect_errors += errors
            result.connect_seconds = max(result.connect_seconds, seconds)
        time.sleep(1)
        result.idle_cpu = _idle_cpu(servers, seconds=3)
        _one_recipient(result, setup, workers)
        _broadcasts(result, setup, workers, servers, redis_client)
        _burst(result, setup, workers)
    finally:
        for _, parent, _ in workers:
            try:
                parent.send(("close",))
                while parent.poll(10) and parent.recv()[0] != "closed":
                    pass
            except (OSError, EOFError):
                pass
        for process, _, _ in workers:
            process.join(5)
            if process.is_alive():
                process.kill()
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(5)
            except subprocess.TimeoutExpired:
                server.kill()  # daphne may linger on TERM with open sockets
                server.wait()
        redis_client.flushdb()
    out.send(asdict(result))


def _wait_healthy(port: int) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"daphne on port {port} did not come up: see var/bench_ws_daphne.log")


def _idle_cpu(servers, *, seconds: float) -> float:
    before = sum(cpu_seconds(server.pid) for server in servers)
    time.sleep(seconds)
    return (sum(cpu_seconds(server.pid) for server in servers) - before) / seconds


def _collect(workers, key, expected: dict[int, int], timeout: float) -> tuple[list[float], int]:
    """Receipt times of event `key` from the workers holding its recipients; and how many
    sockets the server has closed so far."""
    asked = [(parent, count) for index, (_, parent, _) in enumerate(workers) if (count := expected.get(index))]
    for parent, count in asked:
        parent.send(("wait", key, count, timeout))
    times, dropped = [], 0
    for parent, _ in asked:
        _, _, got, closed = parent.recv()
        times += got
        dropped += closed
    return times, dropped


def _one_recipient(result: Result, setup: dict, workers) -> None:
    from core.streams import publish, user_group

    rng = random.Random(4)
    holder = {user_id: index for index, (_, _, share) in enumerate(workers) for _, user_id, _ in share}
    if result.notify:
        from notifications.services import notify
        from users.models import User

        actor = User.objects.get(pk=setup["actor"])
        recipients = User.objects.in_bulk(list(holder))
    for seq in range(result.case.singles):
        user_id = rng.choice(list(holder))
        started = time.perf_counter()
        if result.notify:
            key = ("n", notify(recipient=recipients[user_id], kind=NOTIFY_KIND, actor=actor).pk)
        else:
            key = ("s", seq)
            publish(user_group(user_id), stream=BENCH_STREAM, event="notification", data={"seq": seq})
        result.publish_ms.append((time.perf_counter() - started) * 1000)
        times, _ = _collect(workers, key, {holder[user_id]: 1}, result.case.timeout)
        if times:
            result.single_ms.append((times[0] - started) * 1000)
        else:
            result.single_lost += 1
        time.sleep(0.01)


def _push_counters(post_id: int, seq: int) -> None:
    """posts.realtime.push_counters, with a number the clients report receipts by."""
    from core.streams import publish
    from posts.realtime import post_group
    from posts.repositories import get_counters

    data = {"id": post_id, **get_counters(post_id), "seq": seq}
    publish(post_group(post_id), stream=f"post:{post_id}", event="counters", data=data)


def _broadcasts(result: Result, setup: dict, workers, servers, redis_client) -> None:
    expected = {index: len(share) for index, (_, _, share) in enumerate(workers)}
    total = sum(expected.values())
    cpu = defaultdict(float)
    for round_ in range(result.case.broadcasts):
        seq = 1_000_000 + round_
        before = _cpu_now(servers, workers, redis_client)
        started = time.perf_counter()
        _push_counters(setup["post"], seq)
        times, result.dropped = _collect(workers, ("s", seq), expected, result.case.timeout)
        for name, value in _cpu_now(servers, workers, redis_client).items():
            cpu[name] += value - before[name]
        result.delivery_ms += [(at - started) * 1000 for at in times]
        result.broadcast_lost += total - len(times)
        if len(times) == total:
            result.full_ms.append((max(times) - started) * 1000)
        time.sleep(0.2)
    result.cpu = dict(cpu)


def _cpu_now(servers, workers, redis_client) -> dict[str, float]:
    info = redis_client.info("cpu")
    return {
        "daphne": sum(cpu_seconds(server.pid) for server in servers),
        "clients": sum(cpu_seconds(process.pid) for process, _, _ in workers),
        "redis": info["used_cpu_user"] + info["used_cpu_sys"],
        "publisher": time.process_time(),
    }


def _burst(result: Result, setup: dict, workers) -> None:
    if not result.case.burst:
        return
    expected = {index: len(share) for index, (_, _, share) in enumerate(workers)}
    seqs = [2_000_000 + round_ for round_ in range(result.case.burst)]
    started = time.perf_counter()
    for seq in seqs:
        _push_counters(setup["post"], seq)
    last = started
    for seq in seqs:
        times, result.dropped = _collect(workers, ("s", seq), expected, result.case.timeout)
        result.burst_lost += sum(expected.values()) - len(times)
        last = max([last, *times])
    result.burst_seconds = last - started


# --- Report ----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (the value `share` of all are at or below)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def row(result: dict) -> str:
    case = result["case"]
    deliveries = case["clients"] * case["broadcasts"] - result["broadcast_lost"]
    cpu = result["cpu"]
    per_cpu = deliveries / cpu["daphne"] if cpu.get("daphne") else math.nan
    full_p50 = percentile(result["full_ms"], 0.5)
    burst = case["clients"] * case["burst"] - result["burst_lost"]
    lost = result["single_lost"] + result["broadcast_lost"] + result["burst_lost"]
    failed = case["clients"] - result["opened"]
    cells = [
        case["layer"],
        case["clients"],
        case["servers"],
        f"{percentile(result['single_ms'], 0.5):.1f} / {percentile(result['single_ms'], 0.99):.1f}",
        f"{percentile(result['publish_ms'], 0.5):.1f}",
        f"{percentile(result['delivery_ms'], 0.5):.0f} / {percentile(result['delivery_ms'], 0.99):.0f}",
        f"{full_p50:.0f} / {percentile(result['full_ms'], 0.99):.0f}",
        f"{case['clients'] / full_p50 * 1000:,.0f}" if result["full_ms"] else "-",
        f"{burst / result['burst_seconds']:,.0f}" if result["burst_seconds"] else "-",
        f"{per_cpu:,.0f}",
        " / ".join(f"{cpu.get(name, 0):.1f}" for name in ("daphne", "redis", "clients", "publisher")),
        f"{result['idle_cpu'] * 100:.1f} %",
        f"{lost}"
        + (f"; {failed} sockets failed" if failed else "")
        + (f"; {result['dropped']} closed" if result["dropped"] else ""),
    ]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


HEADER = (
    "| layer | N | daphne | one recipient p50 / p99 ms | publish call p50 ms | broadcast, each delivery p50 / p99 ms"
    " | broadcast fully delivered p50 / p99 ms | deliveries/s (N / full p50) | burst deliveries/s"
    " | deliveries per daphne CPU-s | CPU s daphne / redis / clients / publisher | daphne CPU idle | lost |\n"
    + "|---" * 13
    + "|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", default="core,pubsub", help="core and/or pubsub")
    parser.add_argument("--clients", default="100,1000", help="numbers of sockets, at most 1000")
    parser.add_argument("--servers", default="1,2", help="daphne processes (more than one only for 1000 sockets)")
    parser.add_argument("--max-connections", type=int, default=1000, help="Redis pool size per loop (0: redis-py's)")
    parser.add_argument("--client-processes", type=int, default=0, help="default: one per 500 sockets")
    parser.add_argument("--concurrency", type=int, default=200, help="sockets opening at once per client process")
    parser.add_argument("--singles", type=int, default=200, help="one-recipient notifications")
    parser.add_argument("--broadcasts", type=int, default=40)
    parser.add_argument("--burst", type=int, default=20, help="broadcasts published back to back")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for one delivery")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
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
    print(
        "one recipient: "
        + ("notifications.services.notify()" if setup["notify"] else f"core.streams.publish on {BENCH_STREAM!r}"),
        flush=True,
    )
    print(HEADER, flush=True)
    results = []
    context = get_context("spawn")
    for layer in args.layers.split(","):
        for count in clients:
            for servers in [int(value) for value in args.servers.split(",")]:
                if servers > 1 and count < 1000:
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
                    timeout=args.timeout,
                )
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=run_case, args=(case, setup, port, sender))
                process.start()
                sender.close()  # so that a case that dies ends recv() with EOFError
                try:
                    result = receiver.recv()
                except EOFError:
                    raise SystemExit(f"The case {case} failed: see above.") from None
                finally:
                    process.join()
                results.append(result)
                print(row(result), flush=True)
                if result["connect_errors"]:
                    print(f"  connect errors: {sorted(set(result['connect_errors']))[:5]}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    print(
        f"\nMachine: {os.cpu_count()} cores; clients: {results[0]['case']['client_processes']} process(es) per 500 sockets."
    )


if __name__ == "__main__":
    main()
