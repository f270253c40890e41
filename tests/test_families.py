"""The built-in family records: plain data, each link naming losses the catalogue has."""

from __future__ import annotations

from derive.families import FAMILIES, GALLERY
from derive.family import Role
from derive.links import LINKS
from derive.losses import CATALOGUE


def test_records_are_complete() -> None:
    for family in FAMILIES:
        assert family.variable(Role.TARGET) and family.variable(Role.PREDICTION)
        assert family.density is not None or family.hooks.compile is not None
        for spec in family.links:
            assert spec.name in LINKS
            assert all(loss in CATALOGUE for loss in spec.losses)
        names = [o.name for o in family.options]
        assert len(names) == len(set(names))


def test_gallery_names_known_families_and_options() -> None:
    by_name = {f.name: f for f in FAMILIES}
    for exhibit in GALLERY:
        family = by_name[exhibit.name]
        assert {k for k, _ in exhibit.options} <= {o.name for o in family.options}
