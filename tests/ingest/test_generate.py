"""Tests of the synthetic generator and the ``generate`` command.

PostgreSQL enforces the schema's constraints on COPY, so loading the tables
into a real database checks NOT NULLs, checks, unique and foreign keys. The
behaviour checks recompute each property with polars, numpy or networkx.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import networkx as nx
import numpy as np
import polars as pl
import psycopg
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal
from psycopg import sql

from chat_analytics.cli import cli
from chat_analytics.errors import ConfigurationError
from chat_analytics.ingest.generate import generate, write_parquet
from chat_analytics.warehouse.schema import TABLES

USERS = 600
SEED = 11
START = date(2025, 1, 1)
DAYS = 365
PERIOD_START = datetime(2025, 1, 1)
PERIOD_END = datetime(2026, 1, 1)
# PostgreSQL type (information_schema data_type) to the polars dtype of the frames.
POLARS_TYPES = {
    "uuid": pl.String,
    "character varying": pl.String,
    "text": pl.String,
    "jsonb": pl.String,
    "boolean": pl.Boolean,
    "integer": pl.Int32,
    "timestamp without time zone": pl.Datetime("us"),
    "ARRAY": pl.List(pl.String),
}
NOTIFICATION_TYPES = {
    "message",
    "mention",
    "friend_request",
    "friend_accepted",
    "chat_invitation",
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    return generate(users=USERS, seed=SEED, start=START, days=DAYS)


def copy_tables(dsn: str, tables: dict[str, pl.DataFrame]) -> None:
    """Load frames with plain COPY (CSV) so that PostgreSQL checks every constraint."""
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        for name in TABLES:
            frame = tables[name]
            # text[] goes over as an array literal; the elements are UUIDs.
            frame = frame.with_columns(
                ("{" + pl.col(column).list.join(",") + "}").alias(column)
                for column, dtype in frame.schema.items()
                if dtype == pl.List(pl.String)
            )
            statement = sql.SQL("copy {} ({}) from stdin (format csv)").format(
                sql.Identifier("chat", name),
                sql.SQL(", ").join(sql.Identifier(column) for column in frame.columns),
            )
            payload = frame.write_csv(include_header=False, quote_style="non_numeric")
            with cursor.copy(statement) as copy:
                copy.write(payload.encode("utf-8"))


@pytest.fixture(scope="module")
def loaded_dsn(module_dsn: str, tables: dict[str, pl.DataFrame]) -> str:
    copy_tables(module_dsn, tables)
    return module_dsn


def human_messages(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return tables["messages"].filter(
        pl.col("sender_id").is_not_null()
        & ~pl.col("is_system_message")
        & ~pl.col("is_ai")
    )


def active_days(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Return one row per (sender_id, day) with a non-deleted human message."""
    return (
        human_messages(tables)
        .filter(pl.col("deleted_at").is_null())
        .select("sender_id", pl.col("created_at").dt.date().alias("day"))
        .unique()
        .sort("sender_id", "day")
    )


# Determinism


def test_same_seed_gives_identical_parquet_files(tmp_path: Path) -> None:
    first = write_parquet(generate(users=200, seed=5, days=120), tmp_path / "a")
    second = write_parquet(generate(users=200, seed=5, days=120), tmp_path / "b")
    names = sorted(path.name for path in first.iterdir())
    assert names == sorted(path.name for path in second.iterdir())
    assert len(names) == len(TABLES) + 1
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_same_seed_gives_equal_frames() -> None:
    first = generate(users=150, seed=9, days=90)
    second = generate(users=150, seed=9, days=90)
    for name in TABLES:
        assert_frame_equal(first[name], second[name])


def test_different_seed_gives_different_data() -> None:
    first = generate(users=150, seed=9, days=90)
    second = generate(users=150, seed=10, days=90)
    assert first["profiles"]["id"].to_list() != second["profiles"]["id"].to_list()
    assert not first["messages"].equals(second["messages"])


def test_manifest_records_settings_and_counts(tmp_path: Path) -> None:
    tables = generate(users=40, seed=3, start=date(2024, 2, 1), days=30)
    write_parquet(tables, tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["seed"] == 3
    assert manifest["users"] == 40
    assert manifest["start"] == "2024-02-01"
    assert manifest["days"] == 30
    assert manifest["end"] == "2024-03-02"
    assert manifest["generator_version"] == "1"
    assert manifest["row_counts"] == {name: tables[name].height for name in TABLES}
    assert pl.read_parquet(tmp_path / "profiles.parquet").height == 40


# Columns and types


def test_columns_and_dtypes_match_catalog(
    loaded_dsn: str, tables: dict[str, pl.DataFrame]
) -> None:
    with psycopg.connect(loaded_dsn) as connection:
        rows = connection.execute(
            "select table_name, column_name, data_type from information_schema.columns"
            " where table_schema = 'chat' order by table_name, ordinal_position"
        ).fetchall()
    catalog: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        catalog.setdefault(table, []).append((column, data_type))
    assert list(tables) == list(TABLES)
    for name in TABLES:
        expected = [(column, POLARS_TYPES[kind]) for column, kind in catalog[name]]
        assert list(tables[name].schema.items()) == expected, name


def test_file_size_is_int32(tables: dict[str, pl.DataFrame]) -> None:
    assert tables["file_attachments"].schema["file_size"] == pl.Int32


# Constraints: PostgreSQL accepted every row, and the counts match.


def test_every_row_loads_under_constraints(
    loaded_dsn: str, tables: dict[str, pl.DataFrame]
) -> None:
    with psycopg.connect(loaded_dsn) as connection:
        for name in TABLES:
            count = connection.execute(
                sql.SQL("select count(*) from {}").format(sql.Identifier("chat", name))
            ).fetchone()[0]
            assert count == tables[name].height, name


def test_mentions_data_is_valid_jsonb(loaded_dsn: str) -> None:
    with psycopg.connect(loaded_dsn) as connection:
        mismatched = connection.execute(
            "select count(*) from chat.messages where mentions_data is not null"
            " and jsonb_array_length(mentions_data)"
            " <> cardinality(mentioned_users)"
        ).fetchone()[0]
    assert mismatched == 0


@pytest.mark.parametrize(("users", "days"), [(1, 1), (3, 2), (20, 400)])
def test_small_inputs_load(fresh_dsn: str, users: int, days: int) -> None:
    tables = generate(users=users, seed=1, days=days)
    copy_tables(fresh_dsn, tables)
    assert tables["profiles"].height == users


def test_all_tables_are_non_empty(tables: dict[str, pl.DataFrame]) -> None:
    for name in TABLES:
        assert tables[name].height > 0, name


def test_uuids_are_canonical_lower_case(tables: dict[str, pl.DataFrame]) -> None:
    pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    for name in ("profiles", "messages", "chats", "notifications"):
        assert tables[name]["id"].str.contains(pattern).all(), name


def test_event_timestamps_lie_in_period(tables: dict[str, pl.DataFrame]) -> None:
    for name, frame in tables.items():
        for column, dtype in frame.schema.items():
            if dtype != pl.Datetime("us") or column == "expires_at":
                continue
            values = frame[column].drop_nulls()
            assert values.min() >= PERIOD_START, (name, column)
            assert values.max() < PERIOD_END, (name, column)


def test_updates_never_precede_creation(tables: dict[str, pl.DataFrame]) -> None:
    for name in ("profiles", "chats", "messages", "friends", "notifications"):
        frame = tables[name]
        assert (frame["updated_at"] >= frame["created_at"]).all(), name


def test_profiles_are_unique_and_fictional(tables: dict[str, pl.DataFrame]) -> None:
    profiles = tables["profiles"]
    assert profiles["username"].n_unique() == USERS
    assert profiles["email"].n_unique() == USERS
    assert profiles["email"].str.ends_with("@example.invalid").all()
    assert set(profiles["user_role"].unique()) <= {"user", "moderator", "admin"}


# Messages


def test_human_messages_follow_join_and_signup(tables: dict[str, pl.DataFrame]) -> None:
    messages = human_messages(tables)
    first = messages.group_by("chat_id", "sender_id").agg(
        pl.col("created_at").min().alias("first_message_at")
    )
    joined = first.join(
        tables["chat_participants"].rename({"user_id": "sender_id"}),
        on=["chat_id", "sender_id"],
        how="left",
    )
    assert joined["joined_at"].null_count() == 0
    assert (joined["joined_at"] <= joined["first_message_at"]).all()

    signups = tables["profiles"].select(
        pl.col("id").alias("sender_id"), pl.col("created_at").alias("signup_at")
    )
    with_signup = messages.join(signups, on="sender_id")
    assert (with_signup["created_at"] >= with_signup["signup_at"]).all()


def test_messages_follow_chat_creation(tables: dict[str, pl.DataFrame]) -> None:
    chats = tables["chats"].select(
        pl.col("id").alias("chat_id"), pl.col("created_at").alias("chat_created_at")
    )
    messages = tables["messages"].join(chats, on="chat_id")
    assert (messages["created_at"] >= messages["chat_created_at"]).all()


def test_ai_messages_have_character_and_no_sender(
    tables: dict[str, pl.DataFrame],
) -> None:
    ai = tables["messages"].filter(pl.col("is_ai"))
    assert ai.height > 0
    assert ai["sender_id"].null_count() == ai.height
    assert ai["ai_character_id"].null_count() == 0
    chats_with_character = tables["chats"].filter(
        pl.col("current_ai_character_id").is_not_null()
    )
    assert set(ai["chat_id"].unique()) <= set(chats_with_character["id"])


def test_system_messages_have_no_sender(tables: dict[str, pl.DataFrame]) -> None:
    system = tables["messages"].filter(pl.col("is_system_message"))
    assert system.height > 0
    assert system["sender_id"].null_count() == system.height
    assert system["content"].str.contains(" joined the group").any()
    assert system["content"].str.contains(" created the group").any()


def test_soft_deletes_are_a_few_percent(tables: dict[str, pl.DataFrame]) -> None:
    messages = tables["messages"]
    share = messages["deleted_at"].is_not_null().mean()
    assert 0.01 <= share <= 0.06
    deleted = messages.filter(pl.col("deleted_at").is_not_null())
    assert (deleted["deleted_at"] >= deleted["created_at"]).all()


def test_chats_include_direct_group_and_ai(tables: dict[str, pl.DataFrame]) -> None:
    sizes = tables["chat_participants"].group_by("chat_id").len()
    assert (sizes["len"] == 1).any()
    assert (sizes["len"] == 2).any()
    assert (sizes["len"] >= 3).any()


def test_reply_delays_span_seconds_to_hours(tables: dict[str, pl.DataFrame]) -> None:
    ordered = tables["messages"].sort("chat_id", "created_at")
    gaps = ordered.select(
        (pl.col("created_at").diff().over("chat_id").dt.total_seconds()).alias("gap")
    )["gap"].drop_nulls()
    assert (gaps < 60).mean() > 0.2
    assert ((gaps > 3600) & (gaps < 6 * 3600)).any()


def test_mentions_name_participants(tables: dict[str, pl.DataFrame]) -> None:
    mentions = (
        tables["messages"]
        .filter(pl.col("mentioned_users").is_not_null())
        .select("id", "chat_id", "sender_id", "mentioned_users")
        .explode("mentioned_users")
    )
    assert mentions.height > 0
    assert (mentions["mentioned_users"] != mentions["sender_id"]).all()
    participants = tables["chat_participants"].select(
        "chat_id", pl.col("user_id").alias("mentioned_users")
    )
    matched = mentions.join(participants, on=["chat_id", "mentioned_users"])
    assert matched.height == mentions.height


def test_mentions_data_matches_content(tables: dict[str, pl.DataFrame]) -> None:
    usernames = dict(
        zip(
            tables["profiles"]["id"].to_list(),
            tables["profiles"]["username"].to_list(),
            strict=True,
        )
    )
    rows = tables["messages"].filter(pl.col("mentions_data").is_not_null())
    share = rows.height / tables["messages"].height
    assert 0 < share < 0.05
    for content, mentioned, data in rows.select(
        "content", "mentioned_users", "mentions_data"
    ).iter_rows():
        entries = json.loads(data)
        assert [entry["user_id"] for entry in entries] == mentioned
        for entry in entries:
            assert entry["username"] == usernames[entry["user_id"]]
            tag = "@" + entry["username"]
            assert content[entry["offset"] : entry["offset"] + len(tag)] == tag


# Behaviour


def test_top_decile_sends_large_share(tables: dict[str, pl.DataFrame]) -> None:
    counts = np.sort(human_messages(tables)["sender_id"].value_counts()["count"])[::-1]
    top = int(np.ceil(0.1 * USERS))
    assert counts[:top].sum() / counts.sum() >= 0.4


def test_weekends_are_quieter_than_weekdays(tables: dict[str, pl.DataFrame]) -> None:
    days = pl.date_range(START, START + timedelta(days=DAYS - 1), eager=True)
    day_counts = (
        pl.DataFrame({"weekday": days.dt.weekday()}).group_by("weekday").len("days")
    )
    per_weekday = (
        human_messages(tables)
        .group_by(pl.col("created_at").dt.weekday().alias("weekday"))
        .len("messages")
        .join(day_counts, on="weekday")
        .with_columns((pl.col("messages") / pl.col("days")).alias("per_day"))
    )
    weekend = per_weekday.filter(pl.col("weekday") >= 6)["per_day"].mean()
    weekday = per_weekday.filter(pl.col("weekday") <= 5)["per_day"].mean()
    assert weekend < weekday


def test_nights_are_quieter_than_afternoons(tables: dict[str, pl.DataFrame]) -> None:
    hours = human_messages(tables)["created_at"].dt.hour()
    night = hours.is_between(0, 5).sum() / 6
    afternoon = hours.is_between(12, 17).sum() / 6
    assert night < afternoon


def test_signups_grow_over_the_year(tables: dict[str, pl.DataFrame]) -> None:
    created = tables["profiles"]["created_at"]
    assert created.min() >= PERIOD_START
    assert created.max() < PERIOD_END
    monthly = created.dt.month().value_counts().sort(created.name)
    counts = dict(monthly.iter_rows())
    first_quarter = sum(counts.get(month, 0) for month in (1, 2, 3)) / 3
    last_quarter = sum(counts.get(month, 0) for month in (10, 11, 12)) / 3
    assert last_quarter > first_quarter


def test_some_users_churn(tables: dict[str, pl.DataFrame]) -> None:
    last_day = active_days(tables).group_by("sender_id").agg(pl.col("day").max())
    cutoff = (PERIOD_END - timedelta(days=60)).date()
    churned = last_day.filter(pl.col("day") < cutoff).height
    assert churned >= 0.05 * last_day.height


def test_some_users_come_back(tables: dict[str, pl.DataFrame]) -> None:
    gaps = active_days(tables).with_columns(
        (pl.col("day") - pl.col("day").shift(1).over("sender_id"))
        .dt.total_days()
        .alias("gap")
    )
    comebacks = gaps.filter(pl.col("gap") >= 30)["sender_id"].n_unique()
    assert comebacks >= 0.05 * gaps["sender_id"].n_unique()


def accepted_graph(tables: dict[str, pl.DataFrame]) -> nx.Graph:
    graph = nx.Graph()
    accepted = tables["friends"].filter(pl.col("status") == "accepted")
    graph.add_edges_from(accepted.select("user_id", "friend_id").iter_rows())
    return graph


def test_friendships_form_communities(tables: dict[str, pl.DataFrame]) -> None:
    graph = accepted_graph(tables)
    communities = nx.community.louvain_communities(graph, seed=1)
    modularity = nx.community.modularity(graph, communities)
    # The same degrees wired at random: modularity that the degrees alone give.
    shuffled = graph.copy()
    nx.double_edge_swap(
        shuffled, nswap=4 * graph.number_of_edges(), max_tries=10**6, seed=1
    )
    null = nx.community.modularity(
        shuffled, nx.community.louvain_communities(shuffled, seed=1)
    )
    assert len([c for c in communities if len(c) >= 10]) > 1
    assert modularity > null + 0.1


def test_friend_rows_follow_the_rules(tables: dict[str, pl.DataFrame]) -> None:
    friends = tables["friends"]
    statuses = set(friends["status"].unique())
    assert statuses == {"pending", "accepted", "declined"}
    assert (friends["user_id"] != friends["friend_id"]).all()
    assert friends.select("user_id", "friend_id").is_duplicated().sum() == 0
    reverse = friends.select(
        pl.col("friend_id").alias("user_id"),
        pl.col("user_id").alias("friend_id"),
        pl.col("status").alias("reverse_status"),
    )
    reciprocal = friends.join(reverse, on=["user_id", "friend_id"])
    assert reciprocal.height > 0
    assert reciprocal.height <= 0.03 * friends.height
    assert (reciprocal["status"] == "accepted").all()
    assert (reciprocal["reverse_status"] == "accepted").all()


def test_invitations_follow_the_rules(tables: dict[str, pl.DataFrame]) -> None:
    invitations = tables["chat_invitations"]
    assert set(invitations["status"].unique()) == {"pending", "accepted", "declined"}
    assert invitations.select("chat_id", "invited_user_id").is_duplicated().sum() == 0
    participants = tables["chat_participants"]
    inviters = invitations.join(
        participants.rename({"user_id": "inviting_user_id"}),
        on=["chat_id", "inviting_user_id"],
        how="left",
    )
    assert inviters["joined_at"].null_count() == 0
    assert (inviters["joined_at"] <= inviters["created_at"]).all()
    invitees = invitations.join(
        participants.rename({"user_id": "invited_user_id"}),
        on=["chat_id", "invited_user_id"],
        how="left",
    )
    accepted = invitees.filter(pl.col("status") == "accepted")
    assert accepted["joined_at"].null_count() == 0
    assert (accepted["joined_at"] >= accepted["created_at"]).all()
    others = invitees.filter(pl.col("status") != "accepted")
    assert others["joined_at"].null_count() == others.height
    # Invitees of accepted invitations invite others in turn.
    cascades = invitations.join(
        accepted.select("chat_id", pl.col("invited_user_id").alias("inviting_user_id")),
        on=["chat_id", "inviting_user_id"],
    )
    assert cascades.height > 0


def test_notifications_follow_events(tables: dict[str, pl.DataFrame]) -> None:
    notifications = tables["notifications"]
    assert set(notifications["type"].unique()) == NOTIFICATION_TYPES
    seen = notifications["seen_at"].is_not_null()
    assert (~notifications["read"] | seen).all()
    assert 0 < seen.mean() < 1
    seen_rows = notifications.filter(seen)
    assert (seen_rows["seen_at"] >= seen_rows["created_at"]).all()

    about_messages = notifications.filter(
        pl.col("type").is_in(["message", "mention"])
    ).with_columns(
        pl.col("data").str.json_path_match("$.message_id").alias("message_id")
    )
    events = about_messages.join(
        tables["messages"].select(
            pl.col("id").alias("message_id"), pl.col("created_at").alias("event_at")
        ),
        on="message_id",
        how="left",
    )
    assert events["event_at"].null_count() == 0
    delay = (events["created_at"] - events["event_at"]).dt.total_seconds()
    assert (delay >= 0).all()
    assert delay.median() < 60


def test_attachments_follow_their_messages(tables: dict[str, pl.DataFrame]) -> None:
    files = tables["file_attachments"]
    assert {"image/png", "image/jpeg", "application/pdf"} <= set(files["file_type"])
    assert files["file_size"].min() >= 1
    assert files["file_size"].max() > 10 * files["file_size"].median()
    assert 0 < files["message_id"].null_count() < 0.05 * files.height
    linked = files.join(
        tables["messages"].select(
            pl.col("id").alias("message_id"),
            pl.col("chat_id").alias("message_chat_id"),
            "sender_id",
        ),
        on="message_id",
    )
    assert (linked["chat_id"] == linked["message_chat_id"]).all()
    assert (linked["user_id"] == linked["sender_id"]).all()


def test_anonymous_chats_follow_the_rules(tables: dict[str, pl.DataFrame]) -> None:
    chats = tables["anonymous_chats"]
    codes = chats["join_code"].drop_nulls()
    assert codes.n_unique() == codes.len()
    assert (chats["expires_at"] < PERIOD_END).any()
    assert chats["expires_at"].null_count() > 0
    guests = tables["anonymous_chat_users"]
    assert guests["guest_id"].is_not_null().mean() > 0.9
    messages = tables["anonymous_messages"]
    assert messages["guest_id"].is_not_null().mean() > 0.9
    posted = messages.drop_nulls("guest_id").join(
        guests.select("chat_id", "guest_id", pl.col("created_at").alias("joined_at")),
        on=["chat_id", "guest_id"],
        how="left",
    )
    assert posted["joined_at"].null_count() == 0
    assert (posted["created_at"] >= posted["joined_at"]).all()


# Arguments and the command line


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"users": 0, "seed": 1}, "users 0"),
        ({"users": 10, "seed": -1}, "seed -1"),
        ({"users": 10, "seed": 1, "days": 0}, "days 0"),
        ({"users": 10, "seed": 1, "start": "2025-01-01"}, "start '2025-01-01'"),
        ({"users": 10, "seed": 1, "start": date(9999, 12, 1), "days": 60}, "9999"),
    ],
    ids=["no-users", "negative-seed", "no-days", "text-start", "past-year-9999"],
)
def test_generate_rejects_invalid_arguments(arguments: dict, match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        generate(**arguments)


def test_generate_accepts_numpy_integers() -> None:
    tables = generate(users=np.int64(12), seed=np.int32(3), days=np.int64(10))
    assert tables["profiles"].height == 12
    assert tables.settings.users == 12
    assert type(tables.settings.days) is int


def test_write_parquet_rejects_file_path(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("")
    with pytest.raises(ConfigurationError, match="is a file"):
        write_parquet(generate(users=5, seed=1, days=5), target)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--users", "0", "--seed", "1"], "0 is too small"),
        (["--users", "5", "--seed", "-3"], "-3 is too small"),
        (["--users", "5", "--seed", "1", "--days", "0"], "0 is too small"),
        (["--users", "5", "--seed", "1", "--start", "2025-13-01"], "not a date"),
        (["--users", "five", "--seed", "1"], "'five' is not a valid integer"),
        (["--seed", "1"], "Missing option '--users'"),
    ],
    ids=["no-users", "negative-seed", "no-days", "bad-date", "not-integer", "missing"],
)
def test_command_rejects_invalid_options(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["generate", *arguments])
    assert result.exit_code != 0
    assert message in result.output


def test_command_rejects_file_as_out(tmp_path: Path) -> None:
    target = tmp_path / "taken.txt"
    target.write_text("")
    result = CliRunner().invoke(
        cli, ["generate", "--users", "5", "--seed", "1", "--out", str(target)]
    )
    assert result.exit_code != 0
    assert "is a file" in result.output


def test_console_script_prints_one_line_error() -> None:
    script = Path(sys.executable).with_name("chat-analytics")
    result = subprocess.run(
        [str(script), "generate", "--users", "0", "--seed", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    error_lines = [line for line in result.stderr.splitlines() if "Error" in line]
    assert error_lines == [
        "Error: Invalid value for '--users': 0 is too small: use an integer of "
        "at least 1"
    ]


def test_command_writes_parquet(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["generate", "--users", "30", "--seed", "2", "--days", "20", "--out",
         str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = {path.name for path in (tmp_path / "out").iterdir()}
    assert written == {f"{name}.parquet" for name in TABLES} | {"manifest.json"}
    assert "wrote 11 tables" in result.output


def test_command_loads_into_warehouse(fresh_dsn: str) -> None:
    pytest.importorskip("chat_analytics.ingest.loader")
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            "--users",
            "40",
            "--seed",
            "4",
            "--days",
            "45",
            "--dsn",
            fresh_dsn,
        ],
    )
    assert result.exit_code == 0, result.output
    expected = generate(users=40, seed=4, days=45)
    with psycopg.connect(fresh_dsn) as connection:
        for name in TABLES:
            count = connection.execute(
                sql.SQL("select count(*) from {}").format(sql.Identifier("chat", name))
            ).fetchone()[0]
            assert count == expected[name].height, name
