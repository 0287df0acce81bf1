"""Word lists the synthetic generator builds names and message text from.

All of it is invented for this project. E-mail addresses and URLs use the
reserved ``.invalid`` top-level domain (RFC 2606), which never resolves.
"""

from __future__ import annotations

EMAIL_DOMAIN = "example.invalid"
AVATAR_URL_PREFIX = "https://cdn.example.invalid/avatars/"

FIRST_NAMES = (
    "Ada", "Ahmed", "Aiko", "Alba", "Amara", "Anders", "Anika", "Arjun",
    "Astrid", "Bao", "Beatriz", "Bilal", "Bruno", "Camila", "Chen", "Chidi",
    "Dalia", "Dmitri", "Elena", "Emeka", "Esme", "Farah", "Felix", "Freya",
    "Gabriel", "Hana", "Hugo", "Ines", "Ivan", "Jae", "Jonas", "Kai",
    "Kavya", "Kofi", "Lars", "Layla", "Leon", "Lina", "Luca", "Maya",
    "Mateo", "Mei", "Nadia", "Nia", "Noor", "Olga", "Omar", "Pablo",
    "Priya", "Quinn", "Rafael", "Rosa", "Sami", "Sana", "Sofia", "Tariq",
    "Thea", "Tomas", "Uma", "Valentina", "Wei", "Yara", "Yusuf", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Abara", "Alvarez", "Andersen", "Bakker", "Banerjee", "Costa", "Dang",
    "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Hansen", "Ito",
    "Jensen", "Kang", "Kowalski", "Kumar", "Lindqvist", "Lopez", "Mensah",
    "Moreau", "Nakamura", "Novak", "Okafor", "Olsen", "Park", "Petrov",
    "Quispe", "Rahman", "Rossi", "Santos", "Schmidt", "Silva", "Sokolov",
    "Tanaka", "Torres", "Vargas", "Weber", "Yilmaz", "Zhang", "Zielinski",
)  # fmt: skip
BIOS = (
    "Coffee first, then code.",
    "Trail runner and amateur baker.",
    "Here for the book club.",
    "Learning Japanese one kanji at a time.",
    "Weekend photographer.",
    "Board games, bad puns, good company.",
    "Always planning the next trip.",
    "Music nerd. Ask me about vinyl.",
    "Teacher by day, gamer by night.",
    "Plant parent of 23.",
    "Cycling, climbing, and cold brew.",
    "Just here to chat.",
)
AI_CHARACTERS = (
    ("ai_nova", "Nova"),
    ("ai_sage", "Sage"),
    ("ai_atlas", "Atlas"),
    ("ai_echo", "Echo"),
    ("ai_iris", "Iris"),
    ("ai_milo", "Milo"),
    ("ai_orion", "Orion"),
    ("ai_pixel", "Pixel"),
    ("ai_quill", "Quill"),
    ("ai_juno", "Juno"),
    ("ai_kestrel", "Kestrel"),
    ("ai_luna", "Luna"),
)
GROUP_ADJECTIVES = (
    "Weekend", "Morning", "Late Night", "Sunday", "Friday", "Rainy Day",
    "Lunch Break", "Summer", "Winter", "Neighbourhood", "Office", "Family",
)  # fmt: skip
GROUP_NOUNS = (
    "Hikers", "Book Club", "Gamers", "Runners", "Cooks", "Study Group",
    "Movie Night", "Photographers", "Travellers", "Band", "Chess Club",
    "Gardeners", "Coders", "Climbers", "Trivia Team", "Plant Swap",
)  # fmt: skip
HUMAN_PHRASES = (
    "hey!", "hi, how are you?", "good morning", "ok", "sounds good",
    "haha", "lol that's great", "on my way", "running 5 min late",
    "did you see this?", "thanks!", "no worries", "what time works for you?",
    "let's do 7", "I'm in", "can't make it today, sorry", "nice one",
    "that's wild", "agreed", "brb", "see you tomorrow", "how was the trip?",
    "just finished the book", "who's bringing snacks?", "sure thing",
    "let me check and get back to you", "happy birthday!", "congrats!!",
    "anyone up for a walk later?", "the meeting moved to 3pm",
    "I'll send the notes tonight", "love it", "hmm not sure", "yes",
    "no", "maybe next week?", "good night", "where are we meeting?",
    "I found a great recipe", "the game starts at 8", "on it",
    "can you share the link?", "that makes sense", "I'll be there",
    "what do you think?", "so tired today", "coffee?", "same here",
)  # fmt: skip
SECOND_PHRASES = (
    "talk soon", "let me know", "no rush", "if that works", "🙂",
    "see you there", "just saying", "anyway", "thoughts?", "cheers",
)  # fmt: skip
AI_PHRASES = (
    "Happy to help! Here is a short summary of the options.",
    "Good question. Let me break it down into three steps.",
    "Here is a draft you can adjust to your style.",
    "I can suggest a few ideas for that.",
    "That sounds like a plan. Would you like a checklist?",
    "Here is a quick recipe that takes about 20 minutes.",
    "I do not have live data, but here is what usually works.",
    "Let me rephrase that more concisely.",
    "Sure! Here is a fun fact to start the day.",
    "Would you like me to go into more detail?",
)
GUEST_PHRASES = (
    "hello?", "anyone here?", "hi all", "first time here", "just browsing",
    "who made this room?", "nice to meet you", "gotta go, bye",
    "same question here", "thanks for the tip",
)  # fmt: skip
