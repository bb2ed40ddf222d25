"""SQLite with its writers in a queue (decision 0021): `ENGINE = "commonground.kit.sqlite"`."""
