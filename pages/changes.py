"""Placeholder until the page is built."""

from sez_metrics import ui

ctx = ui.page_context("Changes")
