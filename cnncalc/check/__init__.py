"""Checking a user's own answers: reading them (numbers, expressions, formulas) and judging them."""
