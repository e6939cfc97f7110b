"""kitchenctl: a workstation CLI for Chef Infra users."""

from __future__ import annotations

__version__ = "0.1.0"
