"""cnncalc: forward and backward passes of CNN layers, worked out and checked."""

__version__ = "0.1.0"
