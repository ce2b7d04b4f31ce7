#!/usr/bin/env python3
"""Gateway overhead benchmark: direct to the mock upstream vs bare mitmdump vs Aegis.

    .venv/bin/python scripts/bench.py [--requests 1200] [--rounds 12] [--seconds 6] [--json out.json]

Every target runs in its own process (mock upstream, mitmdump, gateway) and the load comes from this
process with aiohttp keep-alive connections, so the numbers include a real loopback hop each way.
Reported per target and payload (a short chat request and a 4 KB one):
  - latency p50 / p99 at concurrency 1, and what the proxy adds over direct;
  - requests per second at concurrency 16;
  - a streamed answer of 2,000 SSE events (an 8 KB code-like answer in 4-character deltas): time to
    first byte and the added time per event (`--stream-runs`, 0 to skip).
The machine's two cores are shared by the load generator, the proxy and the upstream, so absolute
numbers are lower than on separate machines; the ratios are what the targets in the README are about.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import Gateway, free_port  # noqa: E402

MITMDUMP = Path(sys.executable).with_name("mitmdump")


def chat_body(size: int) -> bytes:
    text = "Summarise this paragraph about build systems and caching. "
    content = (text * (size // len(text) + 1))[:size]
    return json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}]}).encode()


PAYLOADS = {"short chat": chat_body(60), "4 KB chat": chat_body(4096)}


def wait_listening(url: str, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise TimeoutError(url)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def latency_run(url: str, body: bytes, n: int) -> list[float]:
    timings = []
    async with aiohttp.ClientSession(headers={"content-type": "application/json"}) as session:
        for i in range(n + 20):
            start = time.perf_counter()
            async with session.post(url, data=body) as r:
                await r.read()
                assert r.status == 200, r.status
            if i >= 20:  # warm-up: connections, caches
                timings.append((time.perf_counter() - start) * 1000)
    return timings


async def throughput_run(url: str, body: bytes, seconds: float, concurrency: int) -> float:
    done = 0
    stop_at = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers={"content-type": "application/json"}) as s:
        async def worker():
            nonlocal done
            while time.perf_counter() < stop_at:
                async with s.post(url, data=body) as r:
                    await r.read()
                    assert r.status == 200, r.status
                done += 1
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return done / elapsed


STREAM_EVENTS = 2000
STREAM_LINE = "for item in items: total += item.price * item.quantity  # sum\n"


def stream_body() -> bytes:
    text = (STREAM_LINE * (STREAM_EVENTS * 4 // len(STREAM_LINE) + 1))[:STREAM_EVENTS * 4]
    return json.dumps({"model": "m", "stream": True, "messages": [{"role": "user", "content": text}]}).encode()


async def stream_run(url: str, runs: int) -> dict:
    """Time to first body byte and total time of a 2,000-event streamed answer (median of `runs`)."""
    body = stream_body()
    headers = {"content-type": "application/json", "x-mock-echo": "1", "x-mock-delta-chars": "4"}
    ttfb, total, events = [], [], 0
    async with aiohttp.ClientSession(headers=headers) as session:
        for i in range(runs + 2):
            start = time.perf_counter()
            first = None
            data = b""
            async with session.post(url, data=body) as r:
                assert r.status == 200, r.status
                async for chunk in r.content.iter_any():
                    first = first or time.perf_counter()
                    data += chunk
            end = time.perf_counter()
            events = data.count(b"data: ")
            if i >= 2:
                ttfb.append((first - start) * 1000)
                total.append((end - start) * 1000)
    return {"ttfb_ms": statistics.median(ttfb), "total_ms": statistics.median(total), "events": events}


def measure(targets: dict[str, str], args) -> dict[str, dict]:
    """Latency of every target in interleaved rounds, then throughput and streaming per target.

    The latency runs alternate between the targets (`--rounds` rounds of `--requests / rounds` each),
    so that a slow spell of the shared machine lands on all targets alike instead of on whichever
    target happened to run then; the ratios between targets are what the README reports.
    """
    out: dict[str, dict] = {name: {} for name in targets}
    per_round = max(1, args.requests // args.rounds)
    for label, body in PAYLOADS.items():
        latencies: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, url in targets.items():
                latencies[name] += asyncio.run(latency_run(url, body, per_round))
        for name, url in targets.items():
            lat = latencies[name]
            rps = asyncio.run(throughput_run(url, body, args.seconds, 16))
            out[name][label] = {"p50_ms": statistics.median(lat), "p99_ms": percentile(lat, 0.99),
                                "rps_c16": rps}
            print(f"  {name:<16} {label:<10} p50 {statistics.median(lat):6.2f} ms  "
                  f"p99 {percentile(lat, 0.99):6.2f} ms  c16 {rps:7.0f} req/s", flush=True)
    if args.stream_runs:
        for name, url in targets.items():
            out[name]["stream"] = stream = asyncio.run(stream_run(url, args.stream_runs))
            print(f"  {name:<16} stream     ttfb {stream['ttfb_ms']:6.2f} ms  "
                  f"total {stream['total_ms']:7.1f} ms  ({stream['events']} events)", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1200, help="requests per target and payload (c=1)")
    parser.add_argument("--rounds", type=int, default=12, help="interleaved latency rounds the requests are split into")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each c=16 run")
    parser.add_argument("--stream-runs", type=int, default=10, help="streamed answers per target (0: skip)")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)

    procs: list[subprocess.Popen] = []
    tmp = Path(tempfile.mkdtemp(prefix="aegis-bench-"))
    results: dict[str, dict] = {}
    try:
        mock_port = free_port()
        mock = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "mock_llm.py"), "--port", str(mock_port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(mock)
        mock_url = f"http://127.0.0.1:{mock_port}"
        wait_listening(mock_url + "/v1/models", mock)

        bare_port = free_port()
        bare = subprocess.Popen([str(MITMDUMP), "--mode", f"reverse:{mock_url}@127.0.0.1:{bare_port}",
                                 "--set", f"confdir={tmp / 'bare-conf'}", "--set", "connection_strategy=lazy",
                                 "--set", "flow_detail=0", "--set", "termlog_verbosity=warn"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(bare)
        wait_listening(f"http://127.0.0.1:{bare_port}/v1/models", bare)

        gateway = Gateway(tmp / "aegis", options={"termlog_verbosity": "warn"}).start()
        token = gateway.register(mock_url + "/v1")["token"]
        # only a policy that allows it may use __passthrough (the shipped `permissive` does)
        passthrough = gateway.register(mock_url + "/v1", policy="permissive")["token"]

        print(f"mitmdump {subprocess.run([str(MITMDUMP), '--version'], capture_output=True, text=True).stdout.split()[1]}"
              f", Python {sys.version.split()[0]}, {os.cpu_count()} cores", flush=True)
        results = measure({
            "direct": f"{mock_url}/v1/chat/completions",
            "mitmdump": f"http://127.0.0.1:{bare_port}/v1/chat/completions",
            "aegis foundation": f"{gateway.url}/v1/__gw__/t/{passthrough}__passthrough/chat/completions",
            "aegis full": f"{gateway.url}/v1/__gw__/t/{token}/chat/completions",
        }, args)
        gateway.stop()
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)

    print("\n| payload | target | p50 ms | p99 ms | added p50 ms | added p99 ms | req/s at c=16 |")
    print("|---|---|---|---|---|---|---|")
    for label in PAYLOADS:
        direct = results["direct"][label]
        for target in results:
            r = results[target][label]
            added = ("-", "-") if target == "direct" else (
                f"{r['p50_ms'] - direct['p50_ms']:.2f}", f"{r['p99_ms'] - direct['p99_ms']:.2f}")
            print(f"| {label} | {target} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {added[0]} | {added[1]} "
                  f"| {r['rps_c16']:.0f} |")
    for label in PAYLOADS:
        d, m, a, full = (results[t][label]["p50_ms"] for t in ("direct", "mitmdump", "aegis foundation", "aegis full"))
        print(f"{label}: Aegis routing adds {(a - d) / (m - d):.2f}x, the full pipeline "
              f"{(full - d) / (m - d):.2f}x, the p50 latency bare mitmdump adds")
    if args.stream_runs:
        print(f"\n| target | time to first byte ms | whole {STREAM_EVENTS}-event stream ms | added per event ms |")
        print("|---|---|---|---|")
        direct = results["direct"]["stream"]
        for target in results:
            r = results[target]["stream"]
            added = "-" if target == "direct" else f"{(r['total_ms'] - direct['total_ms']) / STREAM_EVENTS:.3f}"
            print(f"| {target} | {r['ttfb_ms']:.2f} | {r['total_ms']:.1f} | {added} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
