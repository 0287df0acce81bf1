"""Chats of the synthetic generator: direct, AI and group chats, and invitations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from chat_analytics.ingest import generate_params as params
from chat_analytics.ingest import generate_text as text
from chat_analytics.ingest.generate_base import (
    HOURS_PER_DAY,
    Calendar,
    choose_phrases,
    first_occurrences,
    fixed_width_strings,
    gather,
    lognormal,
    random_stream,
    random_uuids,
    rank_within_groups,
    timestamps,
)
from chat_analytics.ingest.generate_people import (
    FRIEND_ACCEPTED,
    Friendships,
    Population,
    UserPicker,
    character_choices,
    pick_present,
)

DIRECT, AI, GROUP = 0, 1, 2
INVITE_PENDING, INVITE_ACCEPTED, INVITE_DECLINED = 0, 1, 2
INVITATION_STATUS_NAMES = ("pending", "accepted", "declined")
# Order of a group's member rows: creator, members added at creation, invitees.
STAGE_CREATOR, STAGE_INITIAL, STAGE_INVITED = 0, 1, 2


@dataclass(frozen=True)
class Chats:
    """Chats ordered by creation time, with members and invitations.

    The ``member_*`` arrays list participants sorted by chat, then join time,
    and ``member_offset[c]`` is the first member row of chat ``c``. The
    ``invitation_*`` arrays list invitations sorted by creation time. ``character``
    is the current AI character (-1 for none); before ``switch_at`` the chat
    used ``previous_character``.
    """

    kind: np.ndarray
    creator: np.ndarray
    created: np.ndarray
    life_end: np.ndarray
    character: np.ndarray
    previous_character: np.ndarray
    switch_at: np.ndarray
    title: pl.Series
    ids: pl.Series
    member_chat: np.ndarray
    member_user: np.ndarray
    member_joined: np.ndarray
    member_invited: np.ndarray
    member_offset: np.ndarray
    invitation_chat: np.ndarray
    invitation_inviter: np.ndarray
    invitation_invitee: np.ndarray
    invitation_status: np.ndarray
    invitation_created: np.ndarray
    invitation_ids: pl.Series

    @property
    def size(self) -> int:
        return len(self.kind)

    @property
    def member_count(self) -> np.ndarray:
        return np.diff(self.member_offset)


def build_chats(
    seed: int,
    calendar: Calendar,
    people: Population,
    friends: Friendships,
    favourite: np.ndarray,
) -> Chats:
    """Open direct chats between friends, AI chats and group chats."""
    rng = random_stream(seed, "chats")

    # Direct chats: a share of accepted friendships, some hours after acceptance.
    accepted = np.flatnonzero(
        friends.edge
        & (friends.status == FRIEND_ACCEPTED)
        & (rng.random(friends.size) < params.DIRECT_CHAT_SHARE)
    )
    direct_created = friends.updated[accepted] + lognormal(
        rng,
        params.DIRECT_CHAT_DELAY_MEDIAN,
        params.DIRECT_CHAT_DELAY_SIGMA,
        len(accepted),
    )
    in_period = direct_created < calendar.hours
    accepted, direct_created = accepted[in_period], direct_created[in_period]
    flip = rng.random(len(accepted)) < 0.5
    direct_creator = np.where(flip, friends.friend[accepted], friends.user[accepted])
    direct_other = np.where(flip, friends.user[accepted], friends.friend[accepted])

    # AI and group chats: created by users during their active spells.
    active_days = people.active_days()
    ai_creator = np.repeat(
        np.arange(people.size),
        rng.poisson(params.AI_CHATS_PER_ACTIVE_DAY * active_days * people.sociability),
    )
    ai_created = people.sample_in_spells(rng, calendar, ai_creator)
    ai_character = np.where(
        favourite[ai_creator] >= 0,
        favourite[ai_creator],
        character_choices(rng, len(ai_creator)),
    )
    group_creator = np.repeat(
        np.arange(people.size),
        rng.poisson(
            params.GROUP_CHATS_PER_ACTIVE_DAY * active_days * people.sociability
        ),
    )
    group_created = people.sample_in_spells(rng, calendar, group_creator)
    group_character = np.where(
        rng.random(len(group_creator)) < params.GROUP_AI_SHARE,
        character_choices(rng, len(group_creator)),
        -1,
    )

    kind = np.concatenate(
        [
            np.full(len(direct_creator), DIRECT),
            np.full(len(ai_creator), AI),
            np.full(len(group_creator), GROUP),
        ]
    )
    creator = np.concatenate([direct_creator, ai_creator, group_creator])
    partner = np.concatenate(
        [direct_other, np.full(len(ai_creator) + len(group_creator), -1)]
    )
    created = np.concatenate([direct_created, ai_created, group_created])
    character = np.concatenate(
        [np.full(len(direct_creator), -1), ai_character, group_character]
    )
    order = np.argsort(created, kind="stable")
    kind, creator, partner = kind[order], creator[order], partner[order]
    created, character = created[order], character[order]
    count = len(kind)

    life = lognormal(rng, 1.0, params.CHAT_LIFE_SIGMA, count)
    life_end = created + life * params.CHAT_LIFE_MEDIAN_DAYS[kind] * HOURS_PER_DAY
    last_activity = np.minimum(life_end, calendar.hours)

    # Some chats with a character had another one before a switch.
    switches = (character >= 0) & (rng.random(count) < params.CHARACTER_SWITCH_SHARE)
    character_count = len(text.AI_CHARACTERS)
    shift = rng.integers(1, character_count, count)
    previous_character = np.where(switches, (character + shift) % character_count, -1)
    switch_at = np.where(
        switches, calendar.sample_between(rng, created, last_activity), np.nan
    )

    members = _group_members(
        rng, calendar, people, kind, creator, created, last_activity
    )
    member_rows = _members_and_invitations(
        rng, calendar, people, kind, creator, partner, created, members
    )
    title = _titles(rng, people, kind, creator, partner, character)
    ids = fixed_width_strings(random_uuids(random_stream(seed, "chats.id"), count))
    invitation_ids = random_uuids(
        random_stream(seed, "chat_invitations.id"), len(member_rows["invitation_chat"])
    )
    return Chats(
        kind=kind,
        creator=creator,
        created=created,
        life_end=life_end,
        character=character,
        previous_character=previous_character,
        switch_at=switch_at,
        title=title,
        ids=ids,
        invitation_ids=fixed_width_strings(invitation_ids),
        **member_rows,
    )


def _group_members(
    rng: np.random.Generator,
    calendar: Calendar,
    people: Population,
    kind: np.ndarray,
    creator: np.ndarray,
    created: np.ndarray,
    last_activity: np.ndarray,
) -> dict[str, np.ndarray]:
    """Draw the members a group starts with and the users invited later."""
    groups = np.flatnonzero(kind == GROUP)
    pickers = (
        UserPicker(people, people.community, people.weight),
        UserPicker(people, np.zeros(people.size, dtype=np.int64), people.weight),
    )

    def pick(chats: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        same = rng.random(len(chats)) < params.GROUP_SAME_COMMUNITY_SHARE
        group = people.community[creator[chats]]
        return pick_present(rng, people, pickers, group, same, at)

    initial_chat = np.repeat(
        groups, 1 + rng.geometric(params.GROUP_INITIAL_MEMBERS_P, len(groups))
    )
    initial_user, initial_ok = pick(initial_chat, created[initial_chat])

    invitations = np.minimum(
        np.floor(
            lognormal(
                rng,
                params.GROUP_INVITATIONS_MEDIAN,
                params.GROUP_INVITATIONS_SIGMA,
                len(groups),
            )
        ).astype(np.int64),
        params.GROUP_MAX_INVITATIONS,
    )
    invited_chat = np.repeat(groups, invitations)
    invited_at = calendar.sample_between(
        rng, created[invited_chat], last_activity[invited_chat]
    )
    invited_user, invited_ok = pick(invited_chat, invited_at)
    return {
        "initial_chat": initial_chat[initial_ok],
        "initial_user": initial_user[initial_ok],
        "invited_chat": invited_chat[invited_ok],
        "invited_user": invited_user[invited_ok],
        "invited_at": invited_at[invited_ok],
    }


def _members_and_invitations(
    rng: np.random.Generator,
    calendar: Calendar,
    people: Population,
    kind: np.ndarray,
    creator: np.ndarray,
    partner: np.ndarray,
    created: np.ndarray,
    members: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Resolve invitations and lay out every chat's participants."""
    count = len(kind)
    has_partner = partner >= 0
    chat = np.concatenate(
        [
            np.arange(count),
            np.flatnonzero(has_partner),
            members["initial_chat"],
            members["invited_chat"],
        ]
    )
    user = np.concatenate(
        [
            creator,
            partner[has_partner],
            members["initial_user"],
            members["invited_user"],
        ]
    )
    stage = np.concatenate(
        [
            np.full(count, STAGE_CREATOR),
            np.full(
                int(has_partner.sum()) + len(members["initial_chat"]), STAGE_INITIAL
            ),
            np.full(len(members["invited_chat"]), STAGE_INVITED),
        ]
    )
    at = np.concatenate(
        [
            created,
            created[has_partner],
            created[members["initial_chat"]],
            members["invited_at"],
        ]
    )
    order = np.lexsort((at, stage, chat))
    chat, user, stage, at = chat[order], user[order], stage[order], at[order]
    # One row per (chat, user), so members are never invited and no one twice.
    keep = first_occurrences(chat.astype(np.int64) * people.size + user)
    chat, user, stage, at = chat[keep], user[keep], stage[keep], at[keep]

    invited = stage == STAGE_INVITED
    draw = rng.random(len(chat))
    status = np.where(
        draw < params.INVITATION_ACCEPT_PROBABILITY,
        INVITE_ACCEPTED,
        np.where(
            draw
            < params.INVITATION_ACCEPT_PROBABILITY
            + params.INVITATION_DECLINE_PROBABILITY,
            INVITE_DECLINED,
            INVITE_PENDING,
        ),
    )
    decided = people.next_active(user, at) + lognormal(
        rng,
        params.INVITATION_DECISION_MEDIAN,
        params.INVITATION_DECISION_SIGMA,
        len(chat),
    )
    status = np.where(decided < calendar.hours, status, INVITE_PENDING)
    joined = np.where(invited, decided, at)
    is_member = ~invited | (status == INVITE_ACCEPTED)

    # The inviter is an earlier row of the same chat who had joined by then
    # (so invitees invite others, forming cascades), else the creator.
    chat_start = np.searchsorted(chat, np.arange(count), side="left")
    rank = rank_within_groups(chat)
    pick = chat_start[chat] + np.floor(rng.random(len(chat)) * rank).astype(np.int64)
    usable = is_member[pick] & (joined[pick] <= at)
    inviter_row = np.where(usable, pick, chat_start[chat])

    invitation = np.flatnonzero(invited)
    invitation = invitation[np.argsort(at[invitation], kind="stable")]
    member_chat, member_user = chat[is_member], user[is_member]
    member_joined, member_invited = joined[is_member], invited[is_member]
    member_order = np.lexsort((member_joined, member_chat))
    member_chat = member_chat[member_order]
    return {
        "member_chat": member_chat,
        "member_user": member_user[member_order],
        "member_joined": member_joined[member_order],
        "member_invited": member_invited[member_order],
        "member_offset": np.searchsorted(
            member_chat, np.arange(count + 1), side="left"
        ),
        "invitation_chat": chat[invitation],
        "invitation_inviter": user[inviter_row[invitation]],
        "invitation_invitee": user[invitation],
        "invitation_status": status[invitation],
        "invitation_created": at[invitation],
    }


def _titles(
    rng: np.random.Generator,
    people: Population,
    kind: np.ndarray,
    creator: np.ndarray,
    partner: np.ndarray,
    character: np.ndarray,
) -> pl.Series:
    count = len(kind)
    names = pl.Series([name for _, name in text.AI_CHARACTERS])
    frame = pl.DataFrame(
        {
            "kind": kind,
            "creator_name": people.display_name.gather(creator),
            "partner_name": gather(people.display_name, partner),
            "character_name": gather(names, character),
            "group_title": choose_phrases(rng, text.GROUP_ADJECTIVES, count)
            + " "
            + choose_phrases(rng, text.GROUP_NOUNS, count),
        }
    )
    return frame.select(
        pl.when(pl.col("kind") == DIRECT)
        .then(pl.col("creator_name") + " & " + pl.col("partner_name"))
        .when(pl.col("kind") == AI)
        .then("Chat with " + pl.col("character_name"))
        .otherwise(pl.col("group_title"))
        .alias("title")
    ).to_series()


def chats_table(
    calendar: Calendar, people: Population, chats: Chats, updated: np.ndarray
) -> pl.DataFrame:
    """Assemble ``chat.chats``; ``updated`` is each chat's last change in hours."""
    character_ids = pl.Series([key for key, _ in text.AI_CHARACTERS])
    return pl.DataFrame(
        {
            "id": chats.ids,
            "title": chats.title,
            "created_at": timestamps(calendar, chats.created),
            "updated_at": timestamps(calendar, np.maximum(updated, chats.created)),
            "current_ai_character_id": gather(character_ids, chats.character),
            "created_by": people.user_id.gather(chats.creator),
        }
    )


def participants_table(
    calendar: Calendar, people: Population, chats: Chats
) -> pl.DataFrame:
    """Assemble ``chat.chat_participants``."""
    return pl.DataFrame(
        {
            "chat_id": chats.ids.gather(chats.member_chat),
            "user_id": people.user_id.gather(chats.member_user),
            "joined_at": timestamps(calendar, chats.member_joined),
        }
    )


def invitations_table(
    calendar: Calendar, people: Population, chats: Chats
) -> pl.DataFrame:
    """Assemble ``chat.chat_invitations``, ordered by creation time."""
    return pl.DataFrame(
        {
            "id": chats.invitation_ids,
            "chat_id": chats.ids.gather(chats.invitation_chat),
            "inviting_user_id": people.user_id.gather(chats.invitation_inviter),
            "invited_user_id": people.user_id.gather(chats.invitation_invitee),
            "status": pl.Series(INVITATION_STATUS_NAMES).gather(
                chats.invitation_status
            ),
            "created_at": timestamps(calendar, chats.invitation_created),
        }
    )
