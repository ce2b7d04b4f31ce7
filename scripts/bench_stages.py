#!/usr/bin/env python3
"""In-process cost of the request stages, without the proxy: redaction and injection detection.

    .venv/bin/python scripts/bench_stages.py

Redaction: a 2 KB chat turn, and a 100 KB agent conversation whose history (98 KB) was already seen
in the previous turn (the per-segment cache makes a turn cost only its new text), plus the same
conversation cold. Injection: p50/p99 of one scan of a 2 KB message, uncached, English and Chinese.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import os  # noqa: E402

os.environ.setdefault("AEGIS_HOME", tempfile.mkdtemp(prefix="aegis-bench-"))

from mitmproxy.test import taddons  # noqa: E402

from aegis_addons.addons.redaction import Redaction  # noqa: E402
from aegis_addons.detect.injection import InjectionDetector  # noqa: E402
from aegis_addons.wire.segments import OPENAI_CHAT, request_segments  # noqa: E402

PROSE = ("The build cache keeps compiled objects between runs; when a header changes, every unit that "
         "includes it is rebuilt. Contact ops at ops-team@example.com or +1 415 555 0100 if it breaks. ")
ZH = "构建缓存在两次运行之间保留编译结果；头文件改变时，包含它的每个单元都会重新编译。如有问题请联系运维。"


def conversation(total_chars: int, turn_chars: int = 2000) -> dict:
    messages, size, i = [], 0, 0
    while size < total_chars:
        text = (PROSE * (turn_chars // len(PROSE) + 1))[:turn_chars] + f" (turn {i})"
        messages.append({"role": "user" if i % 2 == 0 else "assistant", "content": text})
        size += len(text)
        i += 1
    return {"model": "m", "messages": messages}


def time_redaction(addon: Redaction, body: dict, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        segments = request_segments(OPENAI_CHAT, body)
        redactor = addon.redactor(None)
        session = redactor.new_session()
        start = time.perf_counter()
        for seg in segments:
            seg.text = addon.redact_text(seg.text, redactor, "", session)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> int:
    addon = Redaction()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, aegis_pii_relaxed=False)
        small = conversation(2000)
        addon.cache.clear()
        cold_small = time_redaction(addon, small, 1)
        big = conversation(100_000)
        addon.cache.clear()
        cold_big = time_redaction(addon, big, 1)
        history = {"model": "m", "messages": big["messages"][:-1]}
        addon.cache.clear()
        time_redaction(addon, history, 1)          # the previous turn: history is now cached
        warm_big = time_redaction(addon, big, 1)
        print("| redaction (request side) | ms |")
        print("|---|---|")
        print(f"| 2 KB chat turn, first time | {cold_small:.2f} |")
        print(f"| 100 KB conversation, history seen in the previous turn | {warm_big:.2f} |")
        print(f"| 100 KB conversation, nothing seen before | {cold_big:.2f} |")

    detector = InjectionDetector()
    print("\n| injection scan, 2 KB, uncached | p50 ms | p99 ms |")
    print("|---|---|---|")
    for name, unit in (("English", PROSE), ("Chinese (2 KB UTF-8)", ZH)):
        timings = []
        for i in range(300):
            text = f"{i} " + (unit * 40)
            text = text[:2048] if name == "English" else text.encode()[:2048].decode(errors="ignore")
            detector.cache_clear()
            start = time.perf_counter()
            detector.scan(text, source="user")
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        print(f"| {name} | {statistics.median(timings):.2f} | {timings[int(0.99 * (len(timings) - 1))]:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
