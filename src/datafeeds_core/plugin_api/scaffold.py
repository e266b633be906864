"""Generate a new utility plugin package (`datafeeds new-plugin`).

The generated package is a working plugin: distribution `datafeeds-<folder>`, entry point
`<folder>-urjanet` in the `datafeeds` group, a module that selects the account by AccountNumber
and provider with the commodity's meters and transforms with the generic water or electric rules,
a README, and tests wired to the conformance suite. Its reference-fixture test fails, naming the
folder to fill, until the first input/expected pair is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Literal

from datafeeds_core.errors import UsageError
from datafeeds_core.plugin_api import API_VERSION

Commodity = Literal["water", "electric"]

FOLDER_PATTERN = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
KEY_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
PROVIDER_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]*")


@dataclass(frozen=True)
class _Flavour:
    """What differs between a water and an electric plugin."""

    transformer: str
    contract_import: str
    service_types: str
    meter_text: str
    rules_text: str


_FLAVOURS: dict[Commodity, _Flavour] = {
    "water": _Flavour(
        transformer="GENERIC_WATER",
        contract_import="WATER_SERVICE_TYPES,\n    PluginMetadata",
        service_types="*WATER_SERVICE_TYPES",
        meter_text="ServiceType water, sewer, irrigation or sanitation",
        rules_text="generic water rules: total = NewCharges if > 0, else "
        "TotalBillAmount when nothing is outstanding, else 0; usage = `[total]` usages "
        "converted by unit; no peak",
    ),
    "electric": _Flavour(
        transformer="GENERIC_ELECTRIC",
        contract_import="PluginMetadata",
        service_types='"electric"',
        meter_text="ServiceType electric",
        rules_text="generic electric rules: total = NewCharges; usage = `[total]` "
        "usages converted by unit; peak = the max kW meter charge units",
    ),
}

_PYPROJECT = Template("""\
[build-system]
requires = ["hatchling>=1.21"]
build-backend = "hatchling.build"

[project]
name = "datafeeds-$folder"
version = "0.1.0"
description = "datafeeds plugin: $bills from Urjanet."
requires-python = ">=3.11"
dependencies = ["datafeeds-core>=0.1,<1"]

[project.entry-points.datafeeds]
$key = "$module"

[tool.hatch.build.targets.wheel]
packages = ["src/$module"]
""")

_MODULE = Template('''\
"""$bills ($key)."""

from __future__ import annotations

from datafeeds_core.plugin_api import (
    $transformer,
    $contract_import,
    account_selection,
    single_key_hooks,
)

PLUGIN_API_VERSION = "$api_version"  # the plugin API this module is written for
KEY = "$key"
PROVIDER = "$provider"
METADATA = PluginMetadata(
    provider=PROVIDER,
    commodity="$commodity",
    description="$title",
)
# Swap hooks with dataclasses.replace where this utility's rules differ from the generic ones.
TRANSFORMER = $transformer


# Statements whose AccountNumber is the utility account id as given (pass `normalise=` to
# change it, `column=` to match another column), and their meters of these service types.
select = account_selection(PROVIDER, $service_types)


# The three hooks, answering for KEY only (None for any other key).
datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, select, TRANSFORMER
)
''')

_README = Template("""\
# datafeeds-$folder

$bills from Urjanet (scraper key `$key`, provider `$provider`).

- Selection: `Account.AccountNumber` = the utility account id as given, provider `$provider`;
  meters with $meter_text.
- Transform: $rules_text.

Install and check:

```
pip install -e plugins/$folder
datafeeds plugins list
pytest plugins/$folder
```

Reference fixtures: put pairs `NAME_input.json` / `NAME_expected.json` in `tests/fixtures/`
(dump the input with the Urjanet tools, then check every expected period against the bill PDFs).
The reference test fails until the first pair is there.

## Deviations

Each deliberate difference from the system we replace, one line each with its reason: none.
""")

_REFERENCE_TEST = Template('''\
"""Reference fixtures for $key.

Every pair NAME_input.json / NAME_expected.json in fixtures/ is one case.
"""

from pathlib import Path

from datafeeds_core.testing import conformance_suite

KEY = "$key"
FIXTURES = Path(__file__).parent / "fixtures"

test_reference_fixtures = conformance_suite(KEY, folder=FIXTURES)
''')

_PLUGIN_TEST = Template("""\
from datafeeds_core.plugin_api.registry import load


def test_plugin_is_installed_and_describes_its_key() -> None:
    metadata = load("$key").metadata()
    assert (metadata.provider, metadata.commodity) == ("$provider", "$commodity")
""")

_FIXTURES_README = Template("""\
Reference fixtures for `$key`: `NAME_input.json` (Urjanet statements, as
`datafeeds urjanet dump` writes them) and `NAME_expected.json` (the billing periods the bills
show). Every pair here is one test case.
""")


@dataclass(frozen=True)
class NewPlugin:
    """What `new_plugin` wrote."""

    folder: Path
    key: str
    distribution: str
    module: str
    files: tuple[Path, ...]


def module_name(folder: str) -> str:
    return "datafeeds_" + folder.replace("-", "_")


def _check(folder: str, provider: str, key: str) -> None:
    if not FOLDER_PATTERN.fullmatch(folder):
        raise UsageError(
            f"folder {folder!r}: use lower-case letters, digits and single dashes, "
            "starting with a letter (e.g. city-of-bellevue)"
        )
    if not PROVIDER_PATTERN.fullmatch(provider):
        raise UsageError(f"provider {provider!r}: an Urjanet provider code is letters and digits")
    if not KEY_PATTERN.fullmatch(key):
        raise UsageError(f"key {key!r}: use lower-case letters, digits and single dashes")


def _key_taken(key: str) -> str | None:
    from datafeeds_core.plugin_api.registry import discover

    found = [i for i in discover() if i.key == key]
    return found[0].distribution if found else None


def bills_phrase(title: str, commodity: str) -> str:
    """ "Springfield Water bills", "Acme Power electric bills": the commodity only when the
    title does not already say it."""
    said = commodity in title.lower().split()
    return f"{title} bills" if said else f"{title} {commodity} bills"


def render(folder: str, provider: str, commodity: Commodity, key: str) -> dict[str, str]:
    """The files of a new plugin, by path relative to its folder."""
    module = module_name(folder)
    flavour = _FLAVOURS[commodity]
    values = {
        "folder": folder,
        "module": module,
        "key": key,
        "provider": provider,
        "commodity": commodity,
        "title": folder.replace("-", " ").title(),
        "bills": bills_phrase(folder.replace("-", " ").title(), commodity),
        "transformer": flavour.transformer,
        "contract_import": flavour.contract_import,
        "service_types": flavour.service_types,
        "meter_text": flavour.meter_text,
        "rules_text": flavour.rules_text,
        "api_version": API_VERSION,
    }
    stem = module.removeprefix("datafeeds_")
    return {
        "pyproject.toml": _PYPROJECT.substitute(values),
        "README.md": _README.substitute(values),
        f"src/{module}/__init__.py": _MODULE.substitute(values),
        f"tests/test_{stem}_reference.py": _REFERENCE_TEST.substitute(values),
        f"tests/test_{stem}_plugin.py": _PLUGIN_TEST.substitute(values),
        "tests/fixtures/README.md": _FIXTURES_README.substitute(values),
    }


def new_plugin(
    folder: str,
    provider: str,
    commodity: Commodity = "electric",
    dest: Path = Path("plugins"),
    key: str | None = None,
) -> NewPlugin:
    """Write the package `dest/folder/`; refuse an existing folder or an installed key."""
    key = key or f"{folder}-urjanet"
    _check(folder, provider, key)
    target = dest / folder
    if target.exists():
        raise UsageError(f"{target} already exists; choose another folder or --dest")
    taken = _key_taken(key)
    if taken:
        raise UsageError(f"scraper key {key!r} is already registered by {taken}")
    written = []
    for relative, text in render(folder, provider, commodity, key).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return NewPlugin(target, key, f"datafeeds-{folder}", module_name(folder), tuple(written))
