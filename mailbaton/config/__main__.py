"""`python -m mailbaton.config > docs/config.md` regenerates the config reference."""

from mailbaton.config.reference import reference

print(reference(), end="")
