from collections.abc import Callable
from typing import Any

def chars(
    textpage: int,
    texts: str,
    height: float,
    functions: tuple[int, ...],
    object_info: Callable[[int, int], tuple[Any, ...]],
    needs_layout: type[Exception],
) -> tuple[list[dict[str, Any]], dict[int, str]]: ...
