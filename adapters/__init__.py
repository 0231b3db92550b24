"""Thin front ends over the core: console (terminal), slack (slack-bolt), teams (botbuilder)."""
