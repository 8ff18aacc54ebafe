"""spaCy imported without its command line.

``import spacy`` runs ``from .cli.info import info``, which imports the whole
``spacy.cli`` package: every command of spaCy's own command line, with
requests and typer behind them. minutebook never runs them, and they were
about a sixth of the import (0.14 of 0.79 s), paid by every ``minutebook
ingest`` before its first paper, a tenth of adding one paper to a store.

``import_spacy`` puts two small stand-ins for ``spacy.cli`` and
``spacy.cli.info`` in place while spaCy imports, then takes them away:
``spacy.info`` imports the real one when first called, and a later ``import
spacy.cli`` imports the real package. Should a spaCy release need more of
its command line while importing, the stand-ins fail that import and spaCy
is imported as usual.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

CLI = "spacy.cli"
CLI_INFO = "spacy.cli.info"


def import_spacy() -> ModuleType:
    """The spaCy package, imported without ``spacy.cli`` unless it is imported already;
    ImportError when spaCy is not installed."""
    if "spacy" not in sys.modules:
        stand_ins = _stand_ins()
        for name, module in stand_ins.items():
            sys.modules.setdefault(name, module)
        try:
            import spacy  # noqa: F401
        except ImportError:
            pass  # not installed, or this release wants more of its command line
        finally:
            _withdraw(stand_ins)
    import spacy  # as usual, when the stand-ins did not do

    return spacy


def _stand_ins() -> dict[str, ModuleType]:
    cli, info = ModuleType(CLI), ModuleType(CLI_INFO)
    setattr(cli, "__path__", [])  # a package that holds no modules of its own  # noqa: B010
    setattr(info, "info", _info)  # noqa: B010
    return {CLI: cli, CLI_INFO: info}


def _withdraw(stand_ins: dict[str, ModuleType]) -> None:
    """The stand-ins taken out of the import system, so ``import spacy.cli`` finds the
    real package."""
    for name, module in stand_ins.items():
        if sys.modules.get(name) is module:
            del sys.modules[name]
    spacy = sys.modules.get("spacy")
    if spacy is not None and getattr(spacy, "cli", None) is stand_ins[CLI]:
        delattr(spacy, "cli")


def _info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info``: spaCy's own, imported when first called."""
    from spacy.cli.info import info

    return info(*args, **kwargs)
