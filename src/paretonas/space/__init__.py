"""Search spaces: named choice dimensions and their encodings."""

from paretonas.space._space import Choice, Config, Space

__all__ = ["Choice", "Config", "Space"]
