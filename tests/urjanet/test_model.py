"""The Urjanet models build like the dataclasses they are, and stay immutable."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import date
from decimal import Decimal

import pytest

from datafeeds_core.urjanet.model import Account, Charge, Meter, Usage


@pytest.mark.parametrize("cls", [Account, Meter, Charge, Usage])
def test_models_take_every_field_by_position_or_name_with_its_default(cls: type) -> None:
    fields = dataclasses.fields(cls)
    values = [f"v{i}" for i in range(len(fields))]
    by_position = cls(*values)
    by_name = cls(**{f.name: v for f, v in zip(fields, values, strict=True)})
    assert by_position == by_name
    assert [getattr(by_position, f.name) for f in fields] == values
    bare = cls(1) if cls in (Charge, Usage) else cls()
    assert [getattr(bare, f.name) for f in fields[1:]] == [f.default for f in fields[1:]]


def test_models_refuse_missing_extra_and_repeated_arguments() -> None:
    with pytest.raises(TypeError, match="PK"):
        Charge()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Charge(1, Nope=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Usage(1, PK=2)  # type: ignore[misc]
    with pytest.raises(TypeError):
        Usage(*range(9))


def test_models_stay_frozen_hashable_replaceable_and_picklable() -> None:
    charge = Charge(7, "Water", Decimal("1.50"), IntervalStart=date(2019, 8, 1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        charge.PK = 8  # type: ignore[misc]
    assert hash(charge) == hash(Charge(7, "Water", Decimal("1.50"), IntervalStart=date(2019, 8, 1)))
    assert dataclasses.replace(charge, PK=8) == Charge(
        8, "Water", Decimal("1.50"), IntervalStart=date(2019, 8, 1)
    )
    account = Account(1, meters=(Meter(2, charges=(charge,)),), floating_charges=(charge,))
    assert pickle.loads(pickle.dumps(account)) == account
    assert Charge.__init__.__qualname__ == "Charge.__init__"
