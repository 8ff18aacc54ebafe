"""Controlled vocabularies shared by parsers, store and export."""

from __future__ import annotations

DOC_TYPES = ("minutes", "report", "strategy", "highlight_report", "agenda", "other")
ATTENDANCE_STATUSES = ("present", "apologies", "in_attendance", "absent", "substitute")
ACTION_STATUSES = ("open", "done", "carried_forward", "dropped")
FIGURE_UNITS = ("count", "percent", "gbp", "rate", "days", "hours")
MENTION_LABELS = ("PERSON", "ORG", "PLACE", "PROGRAMME")
