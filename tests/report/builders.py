"""Shared fixtures for the report tests: a fixed clock."""

from __future__ import annotations

from datetime import datetime, timezone

NOW = datetime(2026, 12, 2, 17, 0, tzinfo=timezone.utc)
