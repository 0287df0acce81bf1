"""Measure the chat-export importers: parse and load time, messages per second.

Run from the repository root::

    .venv/bin/python benchmarks/bench_import.py [--messages 100000] [--seed 7]

The script writes two exports of ``--messages`` messages each into a
temporary folder. The first is a Slack workspace export: users.json,
channels.json and one JSON file per channel and day, with threads, mentions,
files, bot posts and joins. The second is a WhatsApp Android text export with
12-hour US dates, narrow no-break spaces, multi-line messages, media and
system lines. It then times

- parse: :func:`chat_analytics.ingest.importers.read_export`, from the files
  to the frames of the chat tables (best of ``--repeat`` runs);
- load: :func:`chat_analytics.ingest.loader.load_tables` of those frames into
  an empty database of a fresh embedded PostgreSQL in a temporary
  ``CHAT_ANALYTICS_HOME`` (skipped with ``--parse-only``);

and prints seconds and messages per second for each. Both exports come from a
seeded generator, so the same arguments write the same files.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import psycopg

from chat_analytics.ingest.importers import read_export
from chat_analytics.ingest.loader import load_tables
from chat_analytics.warehouse import EmbeddedServer, init_schema

START = datetime(2024, 1, 1)
EPOCH = datetime(1970, 1, 1)
WORDS = (
    "hello there how are you doing today the meeting moved to three pm see you "
    "soon thanks great idea let us ship it lunch coffee later weekend plans "
    "sounds good maybe tomorrow: release notes are ready"
).split()
NNBSP = "\u202f"


def _sentence(rng: np.random.Generator) -> str:
    return " ".join(WORDS[i] for i in rng.integers(0, len(WORDS), rng.integers(2, 14)))


def _times(rng: np.random.Generator, count: int, days: int) -> np.ndarray:
    """Return sorted offsets in seconds from START, spread over ``days``."""
    return np.sort(rng.uniform(0, days * 86_400, count))


def write_slack(
    folder: Path, messages: int, users: int, channels: int, seed: int
) -> None:
    """Write a Slack-like workspace export with ``messages`` messages."""
    rng = np.random.default_rng(seed)
    user_ids = [f"U{index:07d}" for index in range(users)]
    (folder / "users.json").write_text(
        json.dumps(
            [
                {
                    "id": user_id,
                    "team_id": "TBENCH",
                    "name": f"user{index}",
                    "profile": {"real_name": f"User Number {index}"},
                }
                for index, user_id in enumerate(user_ids)
            ]
        )
    )
    listing = []
    for channel in range(channels):
        members = sorted(
            rng.choice(user_ids, size=min(users, 30), replace=False).tolist()
        )
        listing.append(
            {
                "id": f"C{channel:07d}",
                "name": f"channel-{channel}",
                "created": int((START - EPOCH).total_seconds()),
                "creator": members[0],
                "members": members,
            }
        )
    (folder / "channels.json").write_text(json.dumps(listing))

    offsets = _times(rng, messages, 365)
    channel_of = rng.integers(0, channels, messages)
    author_of = rng.integers(0, users, messages)
    kind_roll = rng.random(messages)
    per_file: dict[tuple[int, str], list[dict]] = {}
    last_parent: dict[int, str] = {}
    base = (START - EPOCH).total_seconds()
    for index in range(messages):
        channel = int(channel_of[index])
        ts = f"{base + offsets[index]:.6f}"
        user = user_ids[int(author_of[index])]
        roll = kind_roll[index]
        message: dict = {"type": "message", "ts": ts, "user": user}
        if roll < 0.01:
            message.update(
                subtype="channel_join", text=f"<@{user}> has joined the channel"
            )
        elif roll < 0.06:
            message = {
                "type": "message",
                "subtype": "bot_message",
                "bot_id": "BBENCH",
                "username": "ci",
                "ts": ts,
                "text": f"Build {index} passed",
            }
        else:
            text = _sentence(rng)
            if roll < 0.11:
                other = user_ids[int(rng.integers(0, users))]
                text = f"<@{other}> {text}"
            message["text"] = text
            if roll > 0.98:
                message["text"] = ""
                message["files"] = [
                    {
                        "id": f"F{index}",
                        "name": f"file{index}.pdf",
                        "mimetype": "application/pdf",
                        "size": int(rng.integers(1_000, 5_000_000)),
                        "permalink": f"https://bench.slack.example/files/F{index}",
                    }
                ]
            elif roll > 0.88 and channel in last_parent:
                message["thread_ts"] = last_parent[channel]
            elif roll > 0.85:
                message["thread_ts"] = ts
                last_parent[channel] = ts
        day = (START + timedelta(seconds=float(offsets[index]))).date().isoformat()
        per_file.setdefault((channel, day), []).append(message)
    for (channel, day), rows in per_file.items():
        channel_folder = folder / f"channel-{channel}"
        channel_folder.mkdir(exist_ok=True)
        (channel_folder / f"{day}.json").write_text(json.dumps(rows))


def write_whatsapp(path: Path, messages: int, users: int, seed: int) -> None:
    """Write a WhatsApp Android export (US English) with ``messages`` messages."""
    rng = np.random.default_rng(seed)
    names = [f"Person {index}" for index in range(users)]
    offsets = _times(rng, messages, 365)
    author_of = rng.integers(0, users, messages)
    roll_of = rng.random(messages)
    lines = []
    for index in range(messages):
        moment = START + timedelta(seconds=float(offsets[index]))
        hour = moment.hour % 12 or 12
        suffix = "AM" if moment.hour < 12 else "PM"
        stamp = (
            f"{moment.month}/{moment.day}/{moment.year % 100:02d}, "
            f"{hour}:{moment.minute:02d}{NNBSP}{suffix} - "
        )
        name = names[int(author_of[index])]
        roll = roll_of[index]
        if roll < 0.01:
            lines.append(f"{stamp}{name} joined using this group's invite link")
        elif roll < 0.04:
            lines.append(f"{stamp}{name}: <Media omitted>")
        elif roll < 0.05:
            lines.append(f"{stamp}{name}: This message was deleted")
        elif roll < 0.10:
            lines.append(f"{stamp}{name}: {_sentence(rng)}\n{_sentence(rng)}")
        else:
            lines.append(f"{stamp}{name}: {_sentence(rng)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def best_parse(path: Path, platform: str, repeat: int) -> tuple[float, dict]:
    timings = []
    tables = {}
    for _ in range(max(repeat, 1)):
        began = time.perf_counter()
        tables = read_export(path, platform)
        timings.append(time.perf_counter() - began)
    return min(timings), tables


def measure_load(server: EmbeddedServer, name: str, tables: dict) -> tuple[float, int]:
    dsn = server.create_database(name, replace=True)
    with psycopg.connect(dsn) as connection:
        init_schema(connection)
    began = time.perf_counter()
    report = load_tables(dsn, tables, strict=True)
    return time.perf_counter() - began, report.inserted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="parse runs; best kept")
    parser.add_argument("--parse-only", action="store_true", help="skip the load")
    parser.add_argument("-v", "--verbose", action="store_true")
    options = parser.parse_args()
    logging.basicConfig(level=logging.INFO if options.verbose else logging.WARNING)

    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    server = None
    try:
        slack = work / "slack"
        slack.mkdir()
        began = time.perf_counter()
        write_slack(
            slack, options.messages, options.users, options.channels, options.seed
        )
        whatsapp = work / "WhatsApp Chat with Bench.txt"
        write_whatsapp(whatsapp, options.messages, min(options.users, 50), options.seed)
        day_files = sum(1 for _ in slack.glob("*/*.json"))
        print(
            f"wrote {options.messages:,} messages per export in "
            f"{time.perf_counter() - began:.1f} s ({day_files:,} Slack day files, "
            f"{whatsapp.stat().st_size / 1e6:.1f} MB of WhatsApp text)"
        )
        parsed = {}
        for platform, path in (("slack", slack), ("whatsapp", whatsapp)):
            seconds, tables = best_parse(path, platform, options.repeat)
            parsed[platform] = tables
            count = tables["messages"].height
            print(
                f"parse {platform:<9} {count:>9,} messages in {seconds:6.2f} s: "
                f"{count / seconds:>10,.0f} msgs/s (best of {options.repeat})"
            )
        if options.parse_only:
            return
        os.environ["CHAT_ANALYTICS_HOME"] = str(work / "home")
        server = EmbeddedServer(work / "home")
        server.start()
        for platform, tables in parsed.items():
            seconds, rows = measure_load(server, f"bench_import_{platform}", tables)
            count = tables["messages"].height
            print(
                f"load  {platform:<9} {count:>9,} messages in {seconds:6.2f} s: "
                f"{count / seconds:>10,.0f} msgs/s ({rows:,} rows in all tables)"
            )
        load = os.getloadavg()[0]
        print(f"load average at the end: {load:.1f} on {os.cpu_count()} CPU(s)")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
