"""Reading the figures behind change: reliable-change SD and reliability, norms, MCID, relative improvement.

Each figure carries its source, and `assumed` where the reference marks it an assumption (section 13 item 11).
Pure; errors name the file and the field (see `reader.Reader`).
"""

from __future__ import annotations

from commonground.measures.datatypes import Mcid, NormGroup, Norms, RelativeImprovement, ReliableChangeFigures
from commonground.measures.reader import Reader


def reliable_change(r: Reader, value: object) -> ReliableChangeFigures | None:
    if value is None:
        return None
    body = r.obj("reliable_change", value, ("sd", "reliability", "source", "reliability_source", "assumed"), ("note",))
    sd = r.number("reliable_change.sd", body["sd"])
    reliability = r.number("reliable_change.reliability", body["reliability"])
    if sd <= 0:
        r.fail("reliable_change.sd", "must be above 0")
    if not 0 <= reliability < 1:
        r.fail("reliable_change.reliability", "must be at least 0 and below 1 (at 1 there is no measurement error)")
    return ReliableChangeFigures(
        sd=sd,
        reliability=reliability,
        source=r.text("reliable_change.source", body["source"]),
        reliability_source=r.text("reliable_change.reliability_source", body["reliability_source"]),
        assumed=r.boolean("reliable_change.assumed", body["assumed"]),
        note=r.text("reliable_change.note", body["note"]) if "note" in body else "",
    )


def norms(r: Reader, where: str, value: object) -> Norms | None:
    """`{"population", "source", "assumed"?, "groups": [{"sex": "female"|"male"|null, "mean", "sd", "n"?}]}`."""
    if value is None:
        return None
    body = r.obj(where, value, ("population", "source", "groups"), ("assumed",))
    groups = tuple(
        _group(r, f"{where}.groups[{i}]", g) for i, g in enumerate(r.array(f"{where}.groups", body["groups"]))
    )
    sexes = [group.sex for group in groups]
    if len(set(sexes)) != len(sexes) or (None in sexes and len(sexes) > 1):
        r.fail(f"{where}.groups", "give one group for everyone (sex null) or one group per sex, each once")
    return Norms(
        population=r.text(f"{where}.population", body["population"]),
        source=r.text(f"{where}.source", body["source"]),
        groups=groups,
        assumed=r.boolean(f"{where}.assumed", body.get("assumed", False)),
    )


def _group(r: Reader, where: str, value: object) -> NormGroup:
    body = r.obj(where, value, ("sex", "mean", "sd"), ("n",))
    sd = r.number(f"{where}.sd", body["sd"])
    if sd <= 0:
        r.fail(f"{where}.sd", "must be above 0")
    return NormGroup(
        sex=None if body["sex"] is None else r.identifier(f"{where}.sex", body["sex"]),
        mean=r.number(f"{where}.mean", body["mean"]),
        sd=sd,
        n=r.positive(f"{where}.n", body["n"]) if "n" in body else None,
    )


def mcid(r: Reader, value: object) -> Mcid | None:
    if value is None:
        return None
    body = r.obj("mcid", value, ("points", "source"), ("note",))
    points = r.number("mcid.points", body["points"])
    if points <= 0:
        r.fail("mcid.points", "must be above 0")
    return Mcid(
        points=points,
        source=r.text("mcid.source", body["source"]),
        note=r.text("mcid.note", body["note"]) if "note" in body else "",
    )


def relative_improvement(r: Reader, value: object) -> RelativeImprovement | None:
    if value is None:
        return None
    body = r.obj("relative_improvement", value, ("percent", "label", "source"))
    percent = r.number("relative_improvement.percent", body["percent"])
    if not 0 < percent <= 100:
        r.fail("relative_improvement.percent", "must be above 0 and at most 100")
    return RelativeImprovement(
        percent=percent,
        label=r.text("relative_improvement.label", body["label"]),
        source=r.text("relative_improvement.source", body["source"]),
    )
