"""Urjanet provider codes of PG&E and of the CCAs on PG&E statements → platform utility codes."""

from __future__ import annotations

UTILITY_CODES: dict[str, str] = {
    "PacGAndE": "utility:pge",
    "CleanPowerSF": "utility:cpsf",
    "EastBayCommunityEnergyCA": "utility:ebce",
    "MCE": "utility:mce",
    "PeninsulaCleanEnergyCA": "utility:pce",
    "SiliconValleyCleanEnergyCA": "utility:svce",
    "ValleyCleanEnergyAllianceCA": "utility:vce",
    "SanJoseCleanEnergy": "utility:sjce",
    "PioneerCommunityEnergyCA": "utility:pio",
    "SonomaCleanPowerCA": "utility:scp",
}
# Providers renamed over time (Monterey Bay became Central Coast Community Energy) or spelled
# two ways in the delivery (Redwood Coast…) are matched by prefix.
UTILITY_CODE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("MontereyBay", "utility:ccce"),
    ("CentralCoast", "utility:ccce"),
    ("RedwoodCoast", "utility:rcea"),
)


def utility_code(provider: str | None) -> str | None:
    """The platform code for a provider; an unknown provider passes through unchanged."""
    if provider is None:
        return None
    if provider in UTILITY_CODES:
        return UTILITY_CODES[provider]
    for prefix, code in UTILITY_CODE_PREFIXES:
        if provider.startswith(prefix):
            return code
    return provider
