"""Domain layer: the cross-record rules, each checking ONE record against the reference data.

The CSV loader applies them row by row to a whole file; the register applies them to one submission.
Each returns what is wrong in words a contributor can act on, or nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from domain.schema import Force


def resolve_force_refs(refs: Iterable[str], aliases: Mapping[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Force ids, names or aliases -> (the known force ids, without repeats; the references not known)."""
    ids: list[str] = []
    unknown: list[str] = []
    for ref in refs:
        force_id = aliases.get(ref.strip().casefold())
        if force_id is None:
            unknown.append(ref)
        elif force_id not in ids:
            ids.append(force_id)
    return tuple(ids), tuple(unknown)


def unknown_force_message(ref: str) -> str:
    return f"unknown force {ref!r}; use an id from forces.csv (e.g. E23000021) or one of its names or aliases"


def territorial_forces_in_non_territorial(
    scope: str, force_ids: Iterable[str], forces_by_id: Mapping[str, Force]
) -> tuple[str, ...]:
    """Territorial forces named by work whose scope says it belongs to a non-territorial body."""
    if scope != "non-territorial":
        return ()
    return tuple(i for i in force_ids if i in forces_by_id and forces_by_id[i].kind != "non-territorial")


def unknown_themes(themes: Iterable[str], theme_ids: Collection[str]) -> tuple[str, ...]:
    return tuple(t for t in themes if t not in theme_ids)


def unknown_theme_message(theme: str, theme_ids: Collection[str]) -> str:
    return f"unknown theme {theme!r}; allowed: {', '.join(sorted(theme_ids))}"


def scope_for(force_ids: Collection[str], forces_by_id: Mapping[str, Force]) -> str:
    """The scope a set of named forces implies, for records whose contributor picks forces, not a scope."""
    if not force_ids:
        return "national"
    if all(forces_by_id[f].kind == "non-territorial" for f in force_ids if f in forces_by_id):
        return "non-territorial"
    return "force" if len(force_ids) == 1 else "multi-force"
