"""Pure domain: rules, values and calculations. Standard library only; no I/O, no clock."""
