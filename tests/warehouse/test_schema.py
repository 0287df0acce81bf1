"""The live catalog of the chat schema against the product's table documentation.

The expected values below transcribe the documentation of the 11 tables, with
its types mapped to PostgreSQL: UUID -> uuid, TIMESTAMP_NTZ -> timestamp
without time zone, VARCHAR(16777216) -> text, ARRAY(VARCHAR) -> text[],
VARIANT -> jsonb, CURRENT_TIMESTAMP() -> CURRENT_TIMESTAMP.
"""

from __future__ import annotations

import psycopg
import pytest

from chat_analytics.warehouse.schema import TABLES, init_schema

UUID = "uuid"
TS = "timestamp without time zone"
TEXT = "text"
BOOL = "boolean"
NOW = "CURRENT_TIMESTAMP"
RANDOM_UUID = "gen_random_uuid()"


def varchar(length: int) -> str:
    return f"character varying({length})"


# table -> [(column, type, nullable, default)], in documented order.
DOCUMENTED_COLUMNS: dict[str, list[tuple[str, str, bool, str | None]]] = {
    "profiles": [
        ("id", UUID, False, RANDOM_UUID),
        ("username", varchar(255), False, None),
        ("display_name", varchar(255), False, None),
        ("avatar_url", TEXT, False, None),
        ("created_at", TS, False, NOW),
        ("updated_at", TS, False, NOW),
        ("ai_character_id", varchar(255), True, None),
        ("user_role", varchar(50), False, "'user'::character varying"),
        ("email", varchar(255), False, None),
        ("bio", TEXT, True, None),
        ("last_username_changed_at", TS, True, None),
        ("prompt_username_setup", BOOL, False, "false"),
    ],
    "chats": [
        ("id", UUID, False, RANDOM_UUID),
        ("title", varchar(255), False, None),
        ("created_at", TS, False, NOW),
        ("updated_at", TS, False, NOW),
        ("current_ai_character_id", varchar(255), True, None),
        ("created_by", UUID, False, None),
    ],
    "chat_participants": [
        ("chat_id", UUID, False, None),
        ("user_id", UUID, False, None),
        ("joined_at", TS, False, NOW),
    ],
    "messages": [
        ("id", UUID, False, RANDOM_UUID),
        ("chat_id", UUID, False, None),
        ("sender_id", UUID, True, None),
        ("content", TEXT, False, None),
        ("is_ai", BOOL, False, "false"),
        ("ai_character_id", varchar(255), True, None),
        ("created_at", TS, False, NOW),
        ("updated_at", TS, False, NOW),
        ("deleted_at", TS, True, None),
        ("mentioned_users", "text[]", True, None),
        ("is_system_message", BOOL, False, "false"),
        ("mentions_data", "jsonb", True, None),
    ],
    "friends": [
        ("id", UUID, False, RANDOM_UUID),
        ("user_id", UUID, False, None),
        ("friend_id", UUID, False, None),
        ("status", varchar(20), False, "'pending'::character varying"),
        ("created_at", TS, False, NOW),
        ("updated_at", TS, False, NOW),
    ],
    "notifications": [
        ("id", UUID, False, RANDOM_UUID),
        ("user_id", UUID, False, None),
        ("type", varchar(50), False, None),
        ("title", varchar(255), False, None),
        ("message", TEXT, False, None),
        ("data", "jsonb", True, None),
        ("created_at", TS, False, NOW),
        ("read", BOOL, False, "false"),
        ("updated_at", TS, False, NOW),
        ("seen_at", TS, True, None),
    ],
    "file_attachments": [
        ("id", UUID, False, RANDOM_UUID),
        ("message_id", UUID, True, None),
        ("chat_id", UUID, True, None),
        ("user_id", UUID, True, None),
        ("file_name", varchar(255), False, None),
        ("file_size", "integer", False, None),
        ("file_type", varchar(100), False, None),
        ("file_path", TEXT, False, None),
        ("created_at", TS, False, NOW),
    ],
    "anonymous_chats": [
        ("id", UUID, False, RANDOM_UUID),
        ("join_code", varchar(50), True, None),
        ("created_at", TS, False, NOW),
        ("expires_at", TS, True, None),
    ],
    "anonymous_chat_users": [
        ("id", UUID, False, RANDOM_UUID),
        ("chat_id", UUID, False, None),
        ("guest_id", varchar(100), True, None),
        ("created_at", TS, False, NOW),
    ],
    "anonymous_messages": [
        ("id", UUID, False, RANDOM_UUID),
        ("chat_id", UUID, False, None),
        ("guest_id", varchar(100), True, None),
        ("content", TEXT, False, None),
        ("created_at", TS, False, NOW),
    ],
    "chat_invitations": [
        ("id", UUID, False, RANDOM_UUID),
        ("chat_id", UUID, False, None),
        ("inviting_user_id", UUID, False, None),
        ("invited_user_id", UUID, False, None),
        ("status", varchar(20), False, "'pending'::character varying"),
        ("created_at", TS, False, NOW),
    ],
}

# table -> {(constraint type, columns, referenced table)}; p = primary key,
# u = unique, f = foreign key.
DOCUMENTED_KEYS: dict[str, set[tuple[str, tuple[str, ...], str | None]]] = {
    "profiles": {
        ("p", ("id",), None),
        ("u", ("username",), None),
        ("u", ("email",), None),
    },
    "chats": {("p", ("id",), None), ("f", ("created_by",), "profiles")},
    "chat_participants": {
        ("p", ("chat_id", "user_id"), None),
        ("f", ("chat_id",), "chats"),
        ("f", ("user_id",), "profiles"),
    },
    "messages": {
        ("p", ("id",), None),
        ("f", ("chat_id",), "chats"),
        ("f", ("sender_id",), "profiles"),
    },
    "friends": {
        ("p", ("id",), None),
        ("f", ("user_id",), "profiles"),
        ("f", ("friend_id",), "profiles"),
        ("u", ("user_id", "friend_id"), None),
    },
    "notifications": {("p", ("id",), None), ("f", ("user_id",), "profiles")},
    "file_attachments": {
        ("p", ("id",), None),
        ("f", ("message_id",), "messages"),
        ("f", ("chat_id",), "chats"),
        ("f", ("user_id",), "profiles"),
    },
    "anonymous_chats": {("p", ("id",), None), ("u", ("join_code",), None)},
    "anonymous_chat_users": {
        ("p", ("id",), None),
        ("f", ("chat_id",), "anonymous_chats"),
    },
    "anonymous_messages": {
        ("p", ("id",), None),
        ("f", ("chat_id",), "anonymous_chats"),
    },
    "chat_invitations": {
        ("p", ("id",), None),
        ("f", ("chat_id",), "chats"),
        ("f", ("inviting_user_id",), "profiles"),
        ("f", ("invited_user_id",), "profiles"),
        ("u", ("chat_id", "invited_user_id"), None),
    },
}

# table -> {(index columns, partial predicate)} for the documented non-key
# indexes. Primary keys and unique constraints bring their own indexes.
DOCUMENTED_INDEXES: dict[str, set[tuple[tuple[str, ...], str | None]]] = {
    "profiles": {(("email",), None), (("created_at",), None)},
    "chats": {(("created_at",), None), (("updated_at",), None)},
    "chat_participants": {(("joined_at",), None)},
    "messages": {
        (("created_at",), None),
        (("chat_id", "created_at"), None),
        (("deleted_at",), "(deleted_at IS NULL)"),
    },
    "friends": {(("status",), None), (("updated_at",), None)},
    "notifications": {
        (("user_id", "read"), None),
        (("created_at",), None),
        (("type",), None),
    },
    "file_attachments": {(("created_at",), None)},
    "anonymous_chats": {(("expires_at",), None)},
    "anonymous_chat_users": {(("guest_id",), None)},
    "anonymous_messages": {(("created_at",), None), (("chat_id", "created_at"), None)},
    "chat_invitations": {(("status",), None), (("created_at",), None)},
}

# Indexes added beyond the documentation, on foreign-key columns that joins
# and cascading deletes look up.
EXTRA_INDEXES: dict[str, set[tuple[tuple[str, ...], str | None]]] = {
    "chats": {(("created_by",), None)},
    "chat_participants": {(("user_id",), None)},
    "messages": {(("sender_id",), None)},
    "friends": {(("friend_id",), None)},
    "file_attachments": {(("message_id",), None)},
    "anonymous_chat_users": {(("chat_id",), None)},
    "chat_invitations": {(("invited_user_id",), None)},
}


@pytest.fixture(scope="module")
def catalog(module_dsn: str) -> psycopg.Connection:
    with psycopg.connect(module_dsn) as connection:
        yield connection


def test_schema_has_the_eleven_tables(catalog: psycopg.Connection) -> None:
    rows = catalog.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'chat' and table_type = 'BASE TABLE'"
    ).fetchall()
    assert sorted(name for (name,) in rows) == sorted(TABLES)


@pytest.mark.parametrize("table", TABLES)
def test_columns_match_documentation(catalog: psycopg.Connection, table: str) -> None:
    rows = catalog.execute(
        """
        select
            attribute.attname,
            format_type(attribute.atttypid, attribute.atttypmod),
            not attribute.attnotnull,
            pg_get_expr(default_value.adbin, default_value.adrelid)
        from pg_attribute as attribute
        left join pg_attrdef as default_value
            on default_value.adrelid = attribute.attrelid
            and default_value.adnum = attribute.attnum
        where attribute.attrelid = %s::regclass
            and attribute.attnum > 0
            and not attribute.attisdropped
        order by attribute.attnum
        """,
        (f"chat.{table}",),
    ).fetchall()
    assert [tuple(row) for row in rows] == DOCUMENTED_COLUMNS[table]


@pytest.mark.parametrize("table", TABLES)
def test_keys_match_documentation(catalog: psycopg.Connection, table: str) -> None:
    rows = catalog.execute(
        """
        select
            constraint_row.contype,
            array(
                select attribute.attname
                from unnest(constraint_row.conkey)
                    with ordinality as key (attnum, position)
                inner join pg_attribute as attribute
                    on attribute.attrelid = constraint_row.conrelid
                    and attribute.attnum = key.attnum
                order by key.position
            ),
            referenced.relname
        from pg_constraint as constraint_row
        left join pg_class as referenced on referenced.oid = constraint_row.confrelid
        where constraint_row.conrelid = %s::regclass
            and constraint_row.contype in ('p', 'u', 'f')
        """,
        (f"chat.{table}",),
    ).fetchall()
    found = {(kind, tuple(columns), referenced) for kind, columns, referenced in rows}
    assert found == DOCUMENTED_KEYS[table]


@pytest.mark.parametrize("table", TABLES)
def test_indexes_match_documentation(catalog: psycopg.Connection, table: str) -> None:
    rows = catalog.execute(
        """
        select
            array(
                select attribute.attname
                from unnest(index_row.indkey) with ordinality as key (attnum, position)
                inner join pg_attribute as attribute
                    on attribute.attrelid = index_row.indrelid
                    and attribute.attnum = key.attnum
                order by key.position
            ),
            pg_get_expr(index_row.indpred, index_row.indrelid)
        from pg_index as index_row
        left join pg_constraint as constraint_row
            on constraint_row.conindid = index_row.indexrelid
        where index_row.indrelid = %s::regclass
            and constraint_row.oid is null
        """,
        (f"chat.{table}",),
    ).fetchall()
    found = {(tuple(columns), predicate) for columns, predicate in rows}
    expected = DOCUMENTED_INDEXES[table] | EXTRA_INDEXES.get(table, set())
    assert found == expected


CHECKS = {
    "messages": {
        "CHECK (((NOT is_system_message) OR (sender_id IS NULL)))",
        "CHECK ((content <> ''::text))",
    },
    "friends": {"CHECK ((user_id <> friend_id))"},
}


@pytest.mark.parametrize("table", TABLES)
def test_check_constraints(catalog: psycopg.Connection, table: str) -> None:
    rows = catalog.execute(
        "select pg_get_constraintdef(oid) from pg_constraint "
        "where conrelid = %s::regclass and contype = 'c'",
        (f"chat.{table}",),
    ).fetchall()
    assert {definition for (definition,) in rows} == CHECKS.get(table, set())


def test_init_schema_is_idempotent(catalog: psycopg.Connection) -> None:
    def snapshot() -> list[tuple]:
        return catalog.execute(
            "select relname, relkind from pg_class "
            "where relnamespace = 'chat'::regnamespace order by relname"
        ).fetchall()

    before = snapshot()
    init_schema(catalog)
    init_schema(catalog)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("statement", "violated"),
    [
        pytest.param(
            "insert into chat.friends (user_id, friend_id) values (%(a)s, %(a)s)",
            "friends_not_self_check",
            id="self-friendship",
        ),
        pytest.param(
            "insert into chat.friends (user_id, friend_id) values "
            "(%(a)s, %(b)s), (%(a)s, %(b)s)",
            "friends_user_id_friend_id_key",
            id="duplicate-ordered-pair",
        ),
        pytest.param(
            "insert into chat.messages "
            "(chat_id, sender_id, content, is_system_message) "
            "values (%(chat)s, %(a)s, 'joined', true)",
            "messages_system_has_no_sender_check",
            id="system-message-with-sender",
        ),
        pytest.param(
            "insert into chat.messages (chat_id, sender_id, content) "
            "values (%(chat)s, %(a)s, '')",
            "messages_content_not_empty_check",
            id="empty-content",
        ),
        pytest.param(
            "insert into chat.chat_invitations "
            "(chat_id, inviting_user_id, invited_user_id) "
            "values (%(chat)s, %(a)s, %(b)s), (%(chat)s, %(a)s, %(b)s)",
            "chat_invitations_chat_id_invited_user_id_key",
            id="second-invitation-of-same-invitee",
        ),
    ],
)
def test_documented_checks_reject_bad_rows(
    catalog: psycopg.Connection, statement: str, violated: str
) -> None:
    with catalog.transaction(force_rollback=True):
        ids = {}
        for name in ("a", "b"):
            ids[name] = catalog.execute(
                "insert into chat.profiles (username, display_name, avatar_url, email) "
                "values (%s, %s, '', %s) returning id",
                (f"check-{name}", name, f"{name}@example.invalid"),
            ).fetchone()[0]
        ids["chat"] = catalog.execute(
            "insert into chat.chats (title, created_by) values ('c', %s) returning id",
            (ids["a"],),
        ).fetchone()[0]
        with pytest.raises(psycopg.errors.IntegrityError) as raised:
            with catalog.transaction():
                catalog.execute(statement, ids)
        assert raised.value.diag.constraint_name == violated
