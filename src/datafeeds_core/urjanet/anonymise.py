"""Anonymise the identifiers of exported statements, deterministically and one-to-one.

One seeded substitution of characters, a derangement within each class (digits, a–f, g–z, A–F,
G–Z), is applied to every character of AccountNumber, RawAccountNumber, PODid, MeterNumber and
the id of each SourceLink. Because each character is replaced on its own by a bijection:

- the same value maps to the same output in every statement and every field (one meter keeps
  one number across the history), and different values never collide;
- length, separators and character classes are kept, so "the account number without dashes",
  "the last six characters of the SAID" or a trailing capital letter still relate the fields
  the way they did, and a source id that was a uuid is still one;
- every letter and digit changes (no character maps to itself).

The seed is the key: whoever has it can invert the mapping, so keep it out of the fixtures.
Amounts, dates, tariffs and the other columns are kept, so a transformer computes the same
periods from the anonymised statements, apart from the identifiers they carry.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass, replace
from urllib.parse import urlsplit, urlunsplit

from datafeeds_core.urjanet.model import Account, Meter, UrjanetData

# Disjoint classes; a–f apart from g–z so that hexadecimal stays hexadecimal (source-link uuids).
CLASSES = (
    string.digits,
    "abcdef",
    "ghijklmnopqrstuvwxyz",
    "ABCDEF",
    "GHIJKLMNOPQRSTUVWXYZ",
)
# In a URL, percent escapes are kept as they are and the text between them is substituted.
LOCAL_FOLDER = "/bills"  # the folder of every anonymised file:// link
_URL_TEXT = re.compile(r"%[0-9A-Fa-f]{2}|[^%]+|%")


def _derangement(alphabet: str, rng: random.Random) -> str:
    """A permutation of `alphabet` that moves every character (rejection sampling)."""
    while True:
        shuffled = list(alphabet)
        rng.shuffle(shuffled)
        if all(a != b for a, b in zip(alphabet, shuffled, strict=True)):
            return "".join(shuffled)


@dataclass(frozen=True)
class Anonymiser:
    """The substitution for one seed; `text`, `link`, `data` apply it."""

    seed: str
    table: dict[int, int]

    @classmethod
    def for_seed(cls, seed: str) -> Anonymiser:
        # random.Random(str) hashes the string with SHA-512: the same seed gives the same
        # mapping on every machine and Python version that keeps seeding version 2.
        rng = random.Random(f"datafeeds-anonymise:{seed}")
        table: dict[int, int] = {}
        for alphabet in CLASSES:
            table.update(str.maketrans(alphabet, _derangement(alphabet, rng)))
        return cls(seed, table)

    def text(self, value: str | None) -> str | None:
        """`value` with every letter and digit substituted; None stays None."""
        return None if value is None else value.translate(self.table)

    def _url_text(self, text: str) -> str:
        return _URL_TEXT.sub(
            lambda m: m[0] if m[0].startswith("%") else m[0].translate(self.table), text
        )

    def link(self, url: str | None) -> str | None:
        """A source link with its identifying part substituted and its shape kept.

        The value of every query parameter (Urjanet's `?id=<uuid>`); a link without a query
        gets the name of its last path segment (before the extension) substituted instead.
        Scheme, host, path, parameter names and percent escapes are kept, except the folders
        of a local `file://` link: they name a machine's directories (a user name, a temporary
        folder), so they become LOCAL_FOLDER.
        """
        if url is None:
            return None
        parts = urlsplit(url)
        if parts.query:
            params = []
            for param in parts.query.split("&"):
                name, equals, value = param.partition("=")
                params.append(f"{name}{equals}{self._url_text(value)}")
            return urlunsplit(parts._replace(query="&".join(params)))
        head, slash, last = parts.path.rpartition("/")
        if parts.scheme == "file" and slash:
            head = LOCAL_FOLDER
        stem, dot, extension = last.partition(".")
        path = f"{head}{slash}{self._url_text(stem)}{dot}{extension}"
        return urlunsplit(parts._replace(path=path))

    def meter(self, meter: Meter) -> Meter:
        return replace(
            meter, PODid=self.text(meter.PODid), MeterNumber=self.text(meter.MeterNumber)
        )

    def account(self, account: Account) -> Account:
        return replace(
            account,
            AccountNumber=self.text(account.AccountNumber),
            RawAccountNumber=self.text(account.RawAccountNumber),
            SourceLink=self.link(account.SourceLink),
            meters=tuple(self.meter(m) for m in account.meters),
        )

    def data(self, data: UrjanetData) -> UrjanetData:
        """A copy of `data` with its identifiers anonymised (`data` itself is unchanged)."""
        return UrjanetData(tuple(self.account(a) for a in data.accounts))


def anonymise(data: UrjanetData, seed: str) -> UrjanetData:
    return Anonymiser.for_seed(seed).data(data)
