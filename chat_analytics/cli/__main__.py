"""Allow ``python -m chat_analytics.cli``."""

from chat_analytics.cli import main

main()
