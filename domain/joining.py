"""Domain layer: joins initiatives to force polygons and says where each initiative belongs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from domain.schema import Force, Initiative

Placement = Literal["english force", "welsh force", "non-territorial force", "no force named"]


@dataclass(frozen=True)
class InitiativePlacement:
    initiative_id: str
    placement: Placement
    mapped_force_ids: tuple[str, ...]  # forces that have a polygon on the map
    reason: str  # why it is (also) shown outside the map, or '' when it is only on the map


@dataclass(frozen=True)
class ForceJoin:
    by_force: Mapping[str, tuple[str, ...]]  # polygon force id -> initiative ids
    placements: Mapping[str, InitiativePlacement]


def place_initiative(
    initiative: Initiative, forces: Mapping[str, Force], polygon_ids: frozenset[str]
) -> InitiativePlacement:
    mapped = tuple(f for f in initiative.force_ids if f in polygon_ids)
    if any(forces[f].is_english for f in mapped):
        return InitiativePlacement(initiative.id, "english force", mapped, "")
    if mapped:
        return InitiativePlacement(
            initiative.id, "welsh force", mapped, "Welsh force: outside the English map unless Wales is shown"
        )
    if initiative.force_ids:
        names = ", ".join(forces[f].name for f in initiative.force_ids)
        return InitiativePlacement(initiative.id, "non-territorial force", (), f"{names} has no force area polygon")
    return InitiativePlacement(
        initiative.id, "no force named", (), f"{initiative.scope} work: the paper names no single force"
    )


def join_initiatives(
    initiatives: Iterable[Initiative], forces: Mapping[str, Force], polygon_ids: frozenset[str]
) -> ForceJoin:
    by_force: dict[str, list[str]] = {f: [] for f in sorted(polygon_ids)}
    placements: dict[str, InitiativePlacement] = {}
    for initiative in initiatives:
        placement = place_initiative(initiative, forces, polygon_ids)
        placements[initiative.id] = placement
        for force_id in placement.mapped_force_ids:
            by_force[force_id].append(initiative.id)
    return ForceJoin(
        by_force=MappingProxyType({k: tuple(v) for k, v in by_force.items()}),
        placements=MappingProxyType(placements),
    )
