"""Every write to the cases domain goes through these functions."""

from .routing import route

__all__ = ["route"]
