"""Lambda's calls on a function's behalf, made as its execution role (`services/role_access.py`)."""

from __future__ import annotations

from pocketcloud.services.base import ServiceRuntime
from pocketcloud.services.role_access import RoleAccess

__all__ = ["RoleAccess", "lambda_role_access", "lambda_session_name"]


def lambda_session_name(function_name: str) -> str:
    """The role session Lambda names after a function: its name, or for a one-character name (a
    session name has at least two) the name followed by "@lambda_function", as AWS names it."""
    return function_name if len(function_name) > 1 else f"{function_name}@lambda_function"


def lambda_role_access(runtime: ServiceRuntime) -> RoleAccess:
    """Authorization of the calls Lambda makes as functions' execution roles."""
    return RoleAccess(runtime, "lambda.amazonaws.com", lambda_session_name)
