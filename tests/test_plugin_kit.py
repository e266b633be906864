"""`single_key_hooks`: hooks bound to module attributes register with pluggy under the attribute
names and answer only for their key."""

from __future__ import annotations

from types import ModuleType

import pluggy
import pytest

from datafeeds_core.plugin_api import hookspecs
from datafeeds_core.plugin_api.contract import (
    DataSourceContext,
    PluginMetadata,
    Selection,
    provider_is,
)
from datafeeds_core.plugin_api.kit import Utility, hooks, single_key_hooks
from datafeeds_core.urjanet.transform import GENERIC_ELECTRIC, GENERIC_WATER

KEY = "kit-test-urjanet"
METADATA = PluginMetadata(provider="KitTest", commodity="water", description="kit test")


def select(context: DataSourceContext) -> Selection:
    return Selection(account=(provider_is(f"KitTest-{context.utility_account_id}"),))


def throwaway_plugin() -> ModuleType:
    module = ModuleType("kit_throwaway_plugin")
    metadata, datasource, transformer = single_key_hooks(KEY, METADATA, select, GENERIC_WATER)
    module.__dict__.update(
        datafeeds_metadata=metadata,
        datafeeds_datasource=datasource,
        datafeeds_transformer=transformer,
    )
    return module


@pytest.fixture
def pm() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(throwaway_plugin())
    manager.check_pending()
    return manager


def test_all_three_hooks_register_under_their_attribute_names(pm: pluggy.PluginManager) -> None:
    for name in ("datafeeds_metadata", "datafeeds_datasource", "datafeeds_transformer"):
        assert len(getattr(pm.hook, name).get_hookimpls()) == 1


def test_hooks_answer_for_their_key(pm: pluggy.PluginManager) -> None:
    context = DataSourceContext(scraper_key=KEY, utility_account_id="42")
    assert pm.hook.datafeeds_metadata(scraper_key=KEY) is METADATA
    assert pm.hook.datafeeds_datasource(scraper_key=KEY, context=context) == select(context)
    assert pm.hook.datafeeds_transformer(scraper_key=KEY) is GENERIC_WATER


def test_hooks_answer_none_for_other_keys(pm: pluggy.PluginManager) -> None:
    other = "other-urjanet"
    context = DataSourceContext(scraper_key=other, utility_account_id="42")
    assert pm.hook.datafeeds_metadata(scraper_key=other) is None
    assert pm.hook.datafeeds_datasource(scraper_key=other, context=context) is None
    assert pm.hook.datafeeds_transformer(scraper_key=other) is None


def test_hooks_bound_to_other_names_are_not_datafeeds_hooks() -> None:
    module = ModuleType("kit_misnamed_plugin")
    metadata, datasource, transformer = single_key_hooks(KEY, METADATA, select, GENERIC_WATER)
    module.__dict__.update(
        metadata_hook=metadata, datasource_hook=datasource, transformer_hook=transformer
    )
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(module)
    assert manager.hook.datafeeds_metadata.get_hookimpls() == []
    with pytest.raises(pluggy.PluginValidationError):
        manager.check_pending()


def test_account_selection_names_the_account_provider_and_service_types() -> None:
    from datafeeds_core.plugin_api.contract import Match
    from datafeeds_core.plugin_api.kit import account_selection
    from datafeeds_core.urjanet.normalise import without_dashes

    context = DataSourceContext(
        scraper_key=KEY, utility="utility:x", utility_account_id=" 12-34 ", service_id=None
    )
    select = account_selection("KitTest", "water", "sewer", normalise=without_dashes)
    assert select(context) == Selection(
        account=(Match("AccountNumber", "eq", "1234"), Match("UtilityProvider", "eq", "KitTest")),
        meter=(Match("ServiceType", "in", ("water", "sewer")),),
    )
    every_meter = account_selection("KitTest", column="RawAccountNumber")(context)
    assert every_meter == Selection(
        account=(
            Match("RawAccountNumber", "eq", "12-34"),
            Match("UtilityProvider", "eq", "KitTest"),
        ),
    )


def test_hooks_serve_several_keys_each_with_its_own_answers() -> None:
    water = Utility(KEY, METADATA, select, GENERIC_WATER)
    other = PluginMetadata(provider="KitOther", commodity="electric")
    electric = Utility("kit-other-urjanet", other, select, GENERIC_ELECTRIC)
    metadata, datasource, transformer = hooks(water, electric)
    context = DataSourceContext(scraper_key=KEY, utility_account_id="7")

    assert (metadata(KEY), metadata("kit-other-urjanet"), metadata("nope")) == (
        METADATA,
        other,
        None,
    )
    assert datasource("kit-other-urjanet", context) == select(context)
    assert datasource("nope", context) is None
    assert transformer("kit-other-urjanet") is GENERIC_ELECTRIC
    with pytest.raises(ValueError, match="twice"):
        hooks(water, water)
