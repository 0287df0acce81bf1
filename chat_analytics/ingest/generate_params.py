"""Rates, shares and distribution parameters of the synthetic generator.

Durations are in hours unless the name ends in ``_SECONDS`` or ``_DAYS``. A
lognormal is given by its median and ``sigma`` (the standard deviation of the
logarithm). Rates "per active day" count days weighted by the calendar
intensity, so an average day is one day. Changing a value here changes the data
for every seed, so bump :data:`GENERATOR_VERSION` with it.
"""

from __future__ import annotations

import numpy as np

# Stored in manifest.json; two outputs with the same seed, arguments and
# version are identical byte for byte.
GENERATOR_VERSION = "1"

# Calendar (UTC). Relative intensity of each hour of the day, 0 to 23.
HOUR_OF_DAY_FACTORS = np.array(
    [
        0.34, 0.24, 0.17, 0.13, 0.12, 0.16, 0.28, 0.48,
        0.68, 0.84, 0.94, 1.00, 1.06, 1.12, 1.18, 1.22,
        1.26, 1.32, 1.42, 1.52, 1.56, 1.40, 1.02, 0.62,
    ]
)  # fmt: skip
# Relative intensity of each weekday, Monday first.
WEEKDAY_FACTORS = np.array([1.00, 1.03, 1.05, 1.03, 0.97, 0.72, 0.68])
# Two unusual days in periods of at least SPECIAL_DAYS_MIN_DAYS days: an outage
# and a viral spike, placed at these fractions of the period.
SPECIAL_DAYS_MIN_DAYS = 60
OUTAGE_DAY_FRACTION = 0.62
OUTAGE_DAY_FACTOR = 0.25
SPIKE_DAY_FRACTION = 0.81
SPIKE_DAY_FACTOR = 2.4

# Signups: the daily signup rate grows exponentially, SIGNUP_GROWTH times
# higher on the last day than on the first, on top of the calendar cycles.
SIGNUP_GROWTH = 3.0

# Communities: planted groups that friendships and group chats mostly stay in.
USERS_PER_COMMUNITY = 150
MIN_COMMUNITIES = 3
# Community sizes are Dirichlet(alpha) shares of the users.
COMMUNITY_SIZE_ALPHA = 4.0

# Activity: each user's weight is lognormal with median 1 (heavy tail), and a
# user's sociability (friend requests) is weight ** SOCIABILITY_EXPONENT.
ACTIVITY_SIGMA = 0.9
SOCIABILITY_EXPONENT = 0.5
NEVER_ACTIVE_SHARE = 0.10

# Active spells: the first starts at signup; each later spell follows a quiet
# gap and happens with RETURN_PROBABILITY. Lengths are lognormal, in days.
MAX_SPELLS = 4
FIRST_SPELL_MEDIAN_DAYS = 60.0
FIRST_SPELL_SIGMA = 1.2
LATER_SPELL_MEDIAN_DAYS = 35.0
LATER_SPELL_SIGMA = 1.0
GAP_MEDIAN_DAYS = 45.0
GAP_SIGMA = 0.6
RETURN_PROBABILITY = 0.5

# Profiles.
ADMIN_SHARE = 0.002
MODERATOR_SHARE = 0.01
BIO_SHARE = 0.35
FAVOURITE_CHARACTER_SHARE = 0.08
USERNAME_CHANGE_SHARE = 0.08
PROMPT_USERNAME_SETUP_SHARE = 0.15
PROFILE_EDIT_SHARE = 0.3

# Friend request targets and group members: up to PICK_TRIES draws, keeping
# the first user who is active within PRESENT_WITHIN_HOURS.
PICK_TRIES = 3
PRESENT_WITHIN_HOURS = 72.0

# Friendships: requests per active day, scaled by sociability.
FRIEND_REQUESTS_PER_ACTIVE_DAY = 0.075
FRIEND_SAME_COMMUNITY_SHARE = 0.85
ACCEPT_PROBABILITY_SAME_COMMUNITY = 0.80
ACCEPT_PROBABILITY_OTHER_COMMUNITY = 0.55
DECLINE_PROBABILITY = 0.12
# The target decides this long after they are next active.
FRIEND_DECISION_MEDIAN = 3.0
FRIEND_DECISION_SIGMA = 1.3
# Share of accepted friendships that also have the reverse row, both accepted,
# as when two users send each other a request at about the same time.
RECIPROCAL_DUPLICATE_SHARE = 0.01

# Chats. A direct (1:1) chat opens for a share of accepted friendships.
DIRECT_CHAT_SHARE = 0.55
DIRECT_CHAT_DELAY_MEDIAN = 8.0
DIRECT_CHAT_DELAY_SIGMA = 1.5
# AI chats (one user and an AI character) and group chats per active day.
AI_CHATS_PER_ACTIVE_DAY = 0.006
GROUP_CHATS_PER_ACTIVE_DAY = 0.0016
GROUP_AI_SHARE = 0.15
CHARACTER_SWITCH_SHARE = 0.1
# Group members besides the creator: 1 + Geometric(p) added at creation, and a
# lognormal number of invitations later (at most GROUP_MAX_INVITATIONS).
GROUP_INITIAL_MEMBERS_P = 0.4
GROUP_INVITATIONS_MEDIAN = 3.0
GROUP_INVITATIONS_SIGMA = 1.0
GROUP_MAX_INVITATIONS = 60
GROUP_SAME_COMMUNITY_SHARE = 0.8
INVITATION_ACCEPT_PROBABILITY = 0.7
INVITATION_DECLINE_PROBABILITY = 0.15
INVITATION_DECISION_MEDIAN = 2.0
INVITATION_DECISION_SIGMA = 1.5
# A chat has conversations only until the end of its life, lognormal in days;
# index 0 is direct chats, 1 AI chats, 2 group chats.
CHAT_LIFE_MEDIAN_DAYS = np.array([120.0, 45.0, 180.0])
CHAT_LIFE_SIGMA = 1.0

# Conversations (sessions): candidate starts per active day of the chat,
# scaled by the members' mean activity weight to SESSION_WEIGHT_EXPONENT. A
# session whose members are all outside their active spells does not happen.
SESSIONS_PER_ACTIVE_DAY = np.array([0.07, 0.078, 0.12])
SESSION_WEIGHT_EXPONENT = 0.5
# Messages per session: 1 + lognormal (median, sigma) by chat kind.
SESSION_MESSAGES_MEDIAN = np.array([4.0, 6.0, 6.0])
SESSION_MESSAGES_SIGMA = 0.8
# After each message, the next one is a new pick of speaker with this
# probability (else the same speaker goes on). Picks are weighted by activity.
SPEAKER_PICK_PROBABILITY = 0.7
# In a chat with an AI character, the character's pick weight relative to the
# total weight of the humans present.
AI_PICK_WEIGHT = 1.0
# Delays before a message, lognormal, in seconds.
SAME_SPEAKER_DELAY_MEDIAN_SECONDS = 15.0
SAME_SPEAKER_DELAY_SIGMA = 0.9
REPLY_DELAY_MEDIAN_SECONDS = 40.0
REPLY_DELAY_SIGMA = 1.2
LONG_REPLY_SHARE = 0.07
LONG_REPLY_DELAY_MEDIAN_SECONDS = 5400.0
LONG_REPLY_DELAY_SIGMA = 1.0
AI_REPLY_DELAY_MEDIAN_SECONDS = 4.0
AI_REPLY_DELAY_SIGMA = 0.6

# Message details.
HUMAN_DELETE_SHARE = 0.03
AI_DELETE_SHARE = 0.01
DELETE_DELAY_MEDIAN_SECONDS = 120.0
DELETE_DELAY_SIGMA = 2.5
EDIT_SHARE = 0.04
EDIT_DELAY_MEDIAN_SECONDS = 60.0
EDIT_DELAY_SIGMA = 1.5
# Mention probability of a human message by chat kind; a mention message
# names a second user with SECOND_MENTION_SHARE.
MENTION_PROBABILITY = np.array([0.01, 0.0, 0.07])
SECOND_MENTION_SHARE = 0.2
SECOND_PHRASE_SHARE = 0.3

# Notifications: created this long after the event (lognormal, seconds).
NOTIFICATION_DELAY_MEDIAN_SECONDS = 1.5
NOTIFICATION_DELAY_SIGMA = 0.7
# Share of group members notified of a new conversation (all in direct chats).
GROUP_MESSAGE_NOTIFY_SHARE = 0.3
SEEN_PROBABILITY_ACTIVE = 0.9
SEEN_PROBABILITY_INACTIVE = 0.2
SEEN_DELAY_MEDIAN_ACTIVE = 0.3
SEEN_DELAY_MEDIAN_INACTIVE = 8.0
SEEN_DELAY_SIGMA = 1.6
READ_PROBABILITY = 0.7
READ_DELAY_MEDIAN_SECONDS = 60.0
READ_DELAY_SIGMA = 1.5

# File attachments on human messages.
ATTACHMENT_SHARE = 0.035
SECOND_ATTACHMENT_SHARE = 0.12
# Uploads never sent with a message (message_id NULL), relative to the rest.
ORPHAN_ATTACHMENT_SHARE = 0.01
# MIME type, share, file name stem, extension, median bytes, sigma.
FILE_TYPES = (
    ("image/jpeg", 0.33, "IMG", "jpg", 350_000, 1.0),
    ("image/png", 0.22, "screenshot", "png", 250_000, 1.1),
    ("application/pdf", 0.12, "document", "pdf", 400_000, 1.3),
    ("video/mp4", 0.07, "VID", "mp4", 15_000_000, 1.3),
    ("text/plain", 0.06, "notes", "txt", 4_000, 1.5),
    ("image/gif", 0.06, "animation", "gif", 900_000, 1.0),
    ("audio/mpeg", 0.05, "voice", "mp3", 3_000_000, 0.8),
    ("application/zip", 0.03, "archive", "zip", 5_000_000, 1.5),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        0.03,
        "report",
        "docx",
        120_000,
        1.0,
    ),
    ("image/webp", 0.03, "photo", "webp", 180_000, 1.0),
)
# file_size is a PostgreSQL integer, so sizes are capped at 2**31 - 1 bytes.
MAX_FILE_SIZE = 2**31 - 1

# Anonymous chats: created per user per year of the period, with guests who
# join and post. expires_at is NULL with NO_EXPIRY_SHARE, else creation plus
# one of EXPIRY_HOURS; it may lie after the end of the period.
ANONYMOUS_CHATS_PER_USER_YEAR = 0.04
NO_EXPIRY_SHARE = 0.25
EXPIRY_HOURS = np.array([1.0, 24.0, 168.0, 720.0])
NULL_JOIN_CODE_SHARE = 0.02
JOIN_CODE_LENGTH = 8
GUESTS_P = 0.35
UNUSED_ANONYMOUS_CHAT_SHARE = 0.15
NULL_GUEST_ID_SHARE = 0.03
GUEST_JOIN_DELAY_MEDIAN = 0.2
GUEST_JOIN_DELAY_SIGMA = 1.5
GUEST_MESSAGES_MEDIAN = 4.0
GUEST_MESSAGES_SIGMA = 1.0
GUEST_MESSAGE_DELAY_MEDIAN_SECONDS = 60.0
GUEST_MESSAGE_DELAY_SIGMA = 1.5
# Share of anonymous chats that keep accepting messages after expiry.
LATE_ANONYMOUS_CHAT_SHARE = 0.05
