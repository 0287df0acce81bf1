"""Runs the dbt project that turns the chat tables into marts."""

from chat_analytics.transform.runner import (
    BuildResult,
    NodeResult,
    build,
    dbt_environment,
    dbt_project_dir,
    marts_schema,
    run_dbt,
)

__all__ = [
    "BuildResult",
    "NodeResult",
    "build",
    "dbt_environment",
    "dbt_project_dir",
    "marts_schema",
    "run_dbt",
]
