"""A plugin's distribution name and version, read from its metadata folder's name when it can be."""

from __future__ import annotations

from importlib.metadata import PathDistribution
from pathlib import Path

import pytest

from datafeeds_core.plugin_api.registry import _name_and_version


def _dist(folder: Path, metadata: str | None) -> PathDistribution:
    folder.mkdir()
    if metadata is not None:
        (folder / ("PKG-INFO" if folder.suffix == ".egg-info" else "METADATA")).write_text(metadata)
    return PathDistribution(folder)


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("datafeeds_watauga-0.1.0.dist-info", ("datafeeds-watauga", "0.1.0")),
        ("Datafeeds_Foo.Bar-2.0rc1.dist-info", ("datafeeds-foo-bar", "2.0rc1")),
    ],
)
def test_a_wheel_folder_names_the_distribution_without_reading_a_file(
    tmp_path: Path, folder: str, expected: tuple[str, str]
) -> None:
    # METADATA that disagrees: the folder's name is what is read.
    dist = _dist(tmp_path / folder, "Name: other\nVersion: 9\n")
    assert _name_and_version(dist) == expected


@pytest.mark.parametrize(
    ("folder", "metadata", "expected"),
    [
        (
            "datafeeds_x.egg-info",
            "Name: Datafeeds_X\nVersion: 1.2\n\nbody\n",
            ("datafeeds-x", "1.2"),
        ),
        (
            "odd.dist-info",
            "Metadata-Version: 2.1\nName: datafeeds-y\nVersion: 3\n",
            ("datafeeds-y", "3"),
        ),
    ],
)
def test_other_folders_are_read_from_their_metadata_headers(
    tmp_path: Path, folder: str, metadata: str, expected: tuple[str, str]
) -> None:
    assert _name_and_version(_dist(tmp_path / folder, metadata)) == expected
