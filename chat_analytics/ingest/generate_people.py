"""Users of the synthetic generator: profiles, active spells and friendships."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from chat_analytics.ingest import generate_params as params
from chat_analytics.ingest import generate_text as text
from chat_analytics.ingest.generate_base import (
    HOURS_PER_DAY,
    Calendar,
    first_occurrences,
    fixed_width_strings,
    gather,
    lognormal,
    random_stream,
    random_uuids,
    timestamps,
)

FRIEND_PENDING, FRIEND_ACCEPTED, FRIEND_DECLINED = 0, 1, 2
FRIEND_STATUS_NAMES = ("pending", "accepted", "declined")


@dataclass(frozen=True)
class Population:
    """The users, ordered by signup time, with traits that no table stores.

    ``spell_start`` and ``spell_end`` are (users, MAX_SPELLS) arrays of hours,
    and an absent spell has ``start == end``. A user is active at ``t`` when some
    spell has ``start <= t < end``.
    """

    signup: np.ndarray
    community: np.ndarray
    community_count: int
    weight: np.ndarray
    sociability: np.ndarray
    spell_start: np.ndarray
    spell_end: np.ndarray
    spell_mass: np.ndarray
    user_id: pl.Series
    username: pl.Series
    display_name: pl.Series

    @property
    def size(self) -> int:
        return len(self.signup)

    def active_days(self) -> np.ndarray:
        """Return each user's active time in calendar-weighted days."""
        return self.spell_mass.sum(axis=1) / HOURS_PER_DAY

    def is_active(self, users: np.ndarray, hours: np.ndarray) -> np.ndarray:
        starts = self.spell_start[users]
        ends = self.spell_end[users]
        inside = (starts <= hours[:, None]) & (hours[:, None] < ends)
        return inside.any(axis=1)

    def next_active(self, users: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """Return the first time at or after ``hours`` the user is active, or inf."""
        starts = self.spell_start[users]
        ends = self.spell_end[users]
        at = hours[:, None]
        candidate = np.where(starts > at, starts, at)
        candidate = np.where(candidate < ends, candidate, np.inf)
        return candidate.min(axis=1)

    def sample_in_spells(
        self, rng: np.random.Generator, calendar: Calendar, users: np.ndarray
    ) -> np.ndarray:
        """Draw one time inside the active spells of each user, following the cycles.

        Users without an active spell get NaN.
        """
        masses = self.spell_mass[users]
        cumulative = np.cumsum(masses, axis=1)
        total = cumulative[:, -1]
        drawn = rng.random(len(users)) * total
        spell = np.minimum(
            (cumulative <= drawn[:, None]).sum(axis=1), masses.shape[1] - 1
        )
        rows = np.arange(len(users))
        before = np.where(spell > 0, cumulative[rows, spell - 1], 0.0)
        start = self.spell_start[users, spell]
        end = self.spell_end[users, spell]
        activity = calendar.to_activity(start) + (drawn - before)
        hours = np.clip(calendar.to_hours(activity), start, end)
        hours = np.minimum(hours, np.nextafter(end, -np.inf))
        return np.where(total > 0, hours, np.nan)


class UserPicker:
    """Draws users of a given group who signed up before a given time.

    Draws are weighted; the group key is the community, or 0 for everyone.
    Users are laid out by (group, signup) so that the eligible users of a
    request form one contiguous range, and a draw is one binary search.
    """

    def __init__(self, population: Population, group: np.ndarray, weight: np.ndarray):
        size = population.size
        self._signup = population.signup
        self._stride = size + 1
        self._order = np.lexsort((np.arange(size), group))
        self._keys = group[self._order].astype(np.int64) * self._stride + self._order
        self._cumulative = np.concatenate([[0.0], np.cumsum(weight[self._order])])

    def pick(
        self, rng: np.random.Generator, group: np.ndarray, before: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return one user per request and whether the group had anyone to pick."""
        signed_up = np.searchsorted(self._signup, before, side="left")
        base = np.asarray(group, dtype=np.int64) * self._stride
        low = np.searchsorted(self._keys, base, side="left")
        high = np.searchsorted(self._keys, base + signed_up, side="left")
        mass = self._cumulative[high] - self._cumulative[low]
        target = self._cumulative[low] + rng.random(len(low)) * mass
        position = np.searchsorted(self._cumulative, target, side="right") - 1
        position = np.clip(position, low, np.maximum(high - 1, low))
        valid = (high > low) & (mass > 0)
        users = self._order[np.minimum(position, len(self._order) - 1)]
        return np.where(valid, users, -1), valid


def pick_present(
    rng: np.random.Generator,
    people: Population,
    pickers: tuple[UserPicker, UserPicker],
    group: np.ndarray,
    same_group: np.ndarray,
    at: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Pick users who signed up before ``at``, preferring those active soon after.

    Each request draws up to PICK_TRIES candidates from its group (with the
    first picker) or from everyone (with the second) and keeps the first one
    active within PRESENT_WITHIN_HOURS of ``at``, else the last candidate.
    """
    in_group, anyone = pickers
    count = len(at)
    chosen = np.full(count, -1)
    chosen_ok = np.zeros(count, dtype=bool)
    settled = np.zeros(count, dtype=bool)
    everyone = np.zeros(count, dtype=np.int64)
    for _ in range(params.PICK_TRIES):
        inside, inside_ok = in_group.pick(rng, group, at)
        outside, outside_ok = anyone.pick(rng, everyone, at)
        candidate = np.where(same_group, inside, outside)
        candidate_ok = np.where(same_group, inside_ok, outside_ok)
        update = ~settled & candidate_ok
        chosen[update] = candidate[update]
        chosen_ok |= candidate_ok
        soon = (
            people.next_active(np.maximum(candidate, 0), at)
            < at + params.PRESENT_WITHIN_HOURS
        )
        settled |= candidate_ok & soon
    return chosen, chosen_ok


def build_population(seed: int, calendar: Calendar, size: int) -> Population:
    """Draw signups, communities, activity weights and active spells."""
    rng = random_stream(seed, "population")
    signup = calendar.sample_signups(rng, size)

    community_count = max(
        params.MIN_COMMUNITIES, round(size / params.USERS_PER_COMMUNITY)
    )
    community_share = rng.dirichlet(
        np.full(community_count, params.COMMUNITY_SIZE_ALPHA)
    )
    community = rng.choice(community_count, size=size, p=community_share)

    weight = lognormal(rng, 1.0, params.ACTIVITY_SIGMA, size)
    sociability = weight**params.SOCIABILITY_EXPONENT
    never_active = rng.random(size) < params.NEVER_ACTIVE_SHARE

    spells = params.MAX_SPELLS
    length = np.empty((size, spells))
    length[:, 0] = lognormal(
        rng, params.FIRST_SPELL_MEDIAN_DAYS, params.FIRST_SPELL_SIGMA, size
    )
    length[:, 1:] = lognormal(
        rng,
        params.LATER_SPELL_MEDIAN_DAYS,
        params.LATER_SPELL_SIGMA,
        size * (spells - 1),
    ).reshape(size, spells - 1)
    gap = lognormal(
        rng, params.GAP_MEDIAN_DAYS, params.GAP_SIGMA, size * spells
    ).reshape(size, spells)
    returns = rng.random((size, spells)) < params.RETURN_PROBABILITY
    returns[:, 0] = ~never_active
    # A spell happens only if every earlier return happened too.
    happens = np.logical_and.accumulate(returns, axis=1)

    spell_start = np.empty((size, spells))
    spell_end = np.empty((size, spells))
    cursor = signup.copy()
    for spell in range(spells):
        if spell > 0:
            cursor = cursor + gap[:, spell] * HOURS_PER_DAY
        start = np.minimum(cursor, calendar.hours)
        end = np.minimum(cursor + length[:, spell] * HOURS_PER_DAY, calendar.hours)
        spell_start[:, spell] = start
        spell_end[:, spell] = np.where(happens[:, spell], end, start)
        cursor = cursor + length[:, spell] * HOURS_PER_DAY
    spell_mass = calendar.to_activity(spell_end) - calendar.to_activity(spell_start)

    ids = random_uuids(random_stream(seed, "profiles.id"), size)
    user_id = fixed_width_strings(ids)
    width = max(6, len(str(size)))
    username = pl.Series(np.arange(1, size + 1)).cast(pl.String).str.zfill(width)
    username = ("user" + username).rename("username")
    first = rng.integers(0, len(text.FIRST_NAMES), size)
    last = rng.integers(0, len(text.LAST_NAMES), size)
    display_name = (
        pl.Series(text.FIRST_NAMES).gather(first)
        + " "
        + pl.Series(text.LAST_NAMES).gather(last)
    )
    return Population(
        signup=signup,
        community=community,
        community_count=community_count,
        weight=weight,
        sociability=sociability,
        spell_start=spell_start,
        spell_end=spell_end,
        spell_mass=spell_mass,
        user_id=user_id,
        username=username,
        display_name=display_name,
    )


def favourite_characters(seed: int, size: int) -> np.ndarray:
    """Return each user's favourite AI character index, or -1 for none."""
    rng = random_stream(seed, "profiles.character")
    has = rng.random(size) < params.FAVOURITE_CHARACTER_SHARE
    return np.where(has, character_choices(rng, size), -1)


def character_choices(rng: np.random.Generator, size: int) -> np.ndarray:
    """Draw AI characters with Zipf-like popularity (the first is the most used)."""
    ranks = np.arange(1, len(text.AI_CHARACTERS) + 1)
    popularity = 1.0 / ranks
    return rng.choice(len(ranks), size=size, p=popularity / popularity.sum())


def profiles_table(
    seed: int, calendar: Calendar, people: Population, favourite: np.ndarray
) -> pl.DataFrame:
    """Assemble ``chat.profiles``."""
    rng = random_stream(seed, "profiles")
    size = people.size
    signup = people.signup

    username_changed = np.where(
        rng.random(size) < params.USERNAME_CHANGE_SHARE,
        calendar.sample_between(rng, signup, np.full(size, calendar.hours)),
        np.nan,
    )
    edited = calendar.sample_between(rng, signup, np.full(size, calendar.hours))
    updated = np.where(rng.random(size) < params.PROFILE_EDIT_SHARE, edited, signup)
    updated = np.fmax(updated, username_changed)

    role_draw = rng.random(size)
    role = np.where(
        role_draw < params.ADMIN_SHARE,
        "admin",
        np.where(
            role_draw < params.ADMIN_SHARE + params.MODERATOR_SHARE, "moderator", "user"
        ),
    )
    bio_index = np.where(
        rng.random(size) < params.BIO_SHARE, rng.integers(0, len(text.BIOS), size), -1
    )
    character_ids = pl.Series([key for key, _ in text.AI_CHARACTERS])

    return pl.DataFrame(
        {
            "id": people.user_id,
            "username": people.username,
            "display_name": people.display_name,
            "avatar_url": text.AVATAR_URL_PREFIX + people.username + ".png",
            "created_at": timestamps(calendar, signup),
            "updated_at": timestamps(calendar, updated),
            "ai_character_id": gather(character_ids, favourite),
            "user_role": pl.Series(role, dtype=pl.String),
            "email": people.username + "@" + text.EMAIL_DOMAIN,
            "bio": gather(pl.Series(text.BIOS), bio_index),
            "last_username_changed_at": timestamps(calendar, username_changed),
            "prompt_username_setup": rng.random(size)
            < params.PROMPT_USERNAME_SETUP_SHARE,
        }
    )


@dataclass(frozen=True)
class Friendships:
    """Rows of ``chat.friends`` as arrays, ordered by creation time.

    ``edge`` marks the first row of each unordered pair; the reverse rows added
    as reciprocal duplicates have it false.
    """

    user: np.ndarray
    friend: np.ndarray
    status: np.ndarray
    created: np.ndarray
    updated: np.ndarray
    edge: np.ndarray
    ids: pl.Series

    @property
    def size(self) -> int:
        return len(self.user)


def build_friendships(seed: int, calendar: Calendar, people: Population) -> Friendships:
    """Draw friend requests inside the requesters' active spells, and their outcome."""
    rng = random_stream(seed, "friends")
    expected = (
        params.FRIEND_REQUESTS_PER_ACTIVE_DAY
        * people.active_days()
        * people.sociability
    )
    requester = np.repeat(np.arange(people.size), rng.poisson(expected))
    created = people.sample_in_spells(rng, calendar, requester)

    pickers = (
        UserPicker(people, people.community, people.sociability),
        UserPicker(people, np.zeros(people.size, dtype=np.int64), people.sociability),
    )
    same = rng.random(len(requester)) < params.FRIEND_SAME_COMMUNITY_SHARE
    target, found = pick_present(
        rng, people, pickers, people.community[requester], same, created
    )
    keep = found & (target != requester)
    requester, target, created = requester[keep], target[keep], created[keep]

    # The earliest request of each unordered pair wins; later ones are dropped.
    order = np.argsort(created, kind="stable")
    requester, target, created = requester[order], target[order], created[order]
    low = np.minimum(requester, target).astype(np.int64)
    high = np.maximum(requester, target).astype(np.int64)
    first = first_occurrences(low * people.size + high)
    requester, target, created = requester[first], target[first], created[first]
    count = len(requester)

    same_community = people.community[requester] == people.community[target]
    accept_probability = np.where(
        same_community,
        params.ACCEPT_PROBABILITY_SAME_COMMUNITY,
        params.ACCEPT_PROBABILITY_OTHER_COMMUNITY,
    )
    draw = rng.random(count)
    status = np.where(
        draw < accept_probability,
        FRIEND_ACCEPTED,
        np.where(
            draw < accept_probability + params.DECLINE_PROBABILITY,
            FRIEND_DECLINED,
            FRIEND_PENDING,
        ),
    )
    decided = people.next_active(target, created) + lognormal(
        rng, params.FRIEND_DECISION_MEDIAN, params.FRIEND_DECISION_SIGMA, count
    )
    status = np.where(decided < calendar.hours, status, FRIEND_PENDING)
    updated = np.where(status == FRIEND_PENDING, created, decided)

    # A few accepted pairs also get the reverse row, sent before the first was
    # decided and accepted at the same moment.
    twin = np.flatnonzero(
        (status == FRIEND_ACCEPTED)
        & (rng.random(count) < params.RECIPROCAL_DUPLICATE_SHARE)
    )
    twin_created = created[twin] + rng.random(len(twin)) * (
        updated[twin] - created[twin]
    )
    user = np.concatenate([requester, target[twin]])
    friend = np.concatenate([target, requester[twin]])
    status = np.concatenate([status, status[twin]])
    created = np.concatenate([created, twin_created])
    updated = np.concatenate([updated, updated[twin]])
    edge = np.concatenate([np.ones(count, dtype=bool), np.zeros(len(twin), dtype=bool)])

    order = np.argsort(created, kind="stable")
    ids = fixed_width_strings(
        random_uuids(random_stream(seed, "friends.id"), len(order))
    )
    return Friendships(
        user=user[order],
        friend=friend[order],
        status=status[order],
        created=created[order],
        updated=updated[order],
        edge=edge[order],
        ids=ids,
    )


def friends_table(
    calendar: Calendar, people: Population, friends: Friendships
) -> pl.DataFrame:
    """Assemble ``chat.friends``."""
    return pl.DataFrame(
        {
            "id": friends.ids,
            "user_id": people.user_id.gather(friends.user),
            "friend_id": people.user_id.gather(friends.friend),
            "status": pl.Series(FRIEND_STATUS_NAMES).gather(friends.status),
            "created_at": timestamps(calendar, friends.created),
            "updated_at": timestamps(calendar, friends.updated),
        }
    )
