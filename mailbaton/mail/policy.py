"""The email package's default policy, with a header factory that does its work once.

`HeaderRegistry` builds a brand-new class with type() for every header value it parses,
and the parser and the generator ask for the same Content-Type again and again (five
header objects made per distinct header value, on real mail): that was the slowest step
of reading or writing a mail. Here each header name gets one class, and a header object,
which never changes once made, is made once per (name, value) among the recent ones.
Reading the corpus takes about half the time.
"""

from __future__ import annotations

from email import policy as email_policy
from email.headerregistry import BaseHeader, HeaderRegistry
from functools import lru_cache
from typing import Any

# Longer values (a header bomb) are rare, each one different, and would fill the memory.
_MEMO_UP_TO = 2000


class _MadeOnce(HeaderRegistry):
    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}
        self._recent = lru_cache(maxsize=512)(self._make)

    def map_to_type(self, name: str, cls: type[BaseHeader]) -> None:
        super().map_to_type(name, cls)
        self._classes.clear()
        self._recent.cache_clear()

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._classes.get(key)
        if made is None:
            made = self._classes[key] = super().__getitem__(name)
        return made

    def __reduce__(self) -> tuple[type[_MadeOnce], tuple[()]]:
        # Copied or pickled with a message: a fresh one (the made classes do not pickle).
        return (type(self), ())

    def _make(self, name: str, value: str) -> BaseHeader:
        return super().__call__(name, value)

    def __call__(self, name: str, value: Any) -> BaseHeader:
        if isinstance(value, str) and len(value) <= _MEMO_UP_TO:
            return self._recent(name, value)
        return super().__call__(name, value)


# email.policy.default in every respect but the speed of making header objects.
DEFAULT = email_policy.default.clone(header_factory=_MadeOnce())
