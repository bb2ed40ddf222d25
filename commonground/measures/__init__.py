"""Measurement-based care: instruments as data, pure scoring and reliable change.

- `definitions`: the instrument definition types, the loader and the library (`library()`, `instrument(id)`).
- `scoring`: `score(instrument, answers, sex=...)`, pure, exactly the published rules (reference section 13).
- `change`: Reliable Change Index (Jacobson-Truax), its classification, and `change_between`.
- `instruments/`: one JSON definition file per instrument; `instruments/FORMAT.md` describes the format.
"""
