"""The exceptions of ironclad, and the diagnostics a :class:`SpecError` carries.

The native module raises these (it imports this module when it raises), so each front-door
error has one Python class:

- ``Error::Invalid`` → :class:`SpecError` (``.diagnostics``: every error and warning, with file,
  line, column, code, severity and message),
- ``Error::Usage`` → :class:`UsageError` (also a :class:`ValueError`),
- ``Error::Unservable`` → :class:`UnservableError` (also a :class:`RuntimeError`),
- ``Error::Cancelled`` → :class:`KeyboardInterrupt`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence, Union


@dataclass(frozen=True)
class Label:
    """A span of a file that a diagnostic points at, and what it says about it."""

    message: str
    primary: bool
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Diagnostic:
    """One diagnostic of ``ironclad check``, its position resolved in its file.

    ``line`` and ``column`` are 1-based and ``None`` for a diagnostic that points nowhere (an
    unreadable file). ``str(d)`` is the short form ``file:line:column: severity[code]: message``.

    >>> import ironclad
    >>> d = ironclad.check("[framework]\\nid = 1\\n").diagnostics[0]
    >>> (d.line, d.severity, d.code.startswith("E"))
    (2, 'error', True)
    """

    file: str
    line: Optional[int]
    column: Optional[int]
    code: str
    severity: str
    message: str
    lint: Optional[str] = None
    help: Optional[str] = None
    notes: List[str] = field(default_factory=list)
    labels: List[Label] = field(default_factory=list)
    end_line: Optional[int] = None
    end_column: Optional[int] = None
    offset: Optional[int] = None

    @classmethod
    def from_json(cls, d: dict) -> "Diagnostic":
        """A diagnostic from its JSON object in a ``check`` report."""
        start = d.get("start") or {}
        end = d.get("end") or {}
        labels = [
            Label(
                message=l["message"],
                primary=l["primary"],
                line=l["start"]["line"],
                column=l["start"]["column"],
                end_line=l["end"]["line"],
                end_column=l["end"]["column"],
            )
            for l in d.get("labels", [])
        ]
        return cls(
            file=d["file"],
            line=start.get("line"),
            column=start.get("column"),
            code=d["code"],
            severity=d["severity"],
            message=d["message"],
            lint=d.get("lint"),
            help=d.get("help"),
            notes=list(d.get("notes", [])),
            labels=labels,
            end_line=end.get("line"),
            end_column=end.get("column"),
            offset=start.get("offset"),
        )

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column}"
        return f"{where}: {self.severity}[{self.code}]: {self.message}"


class IroncladError(Exception):
    """The base of ironclad's own exceptions."""


class SpecError(IroncladError):
    """A spec or scenario has errors. ``.diagnostics`` lists them (and the file's warnings).

    >>> import ironclad
    >>> try:
    ...     ironclad.load("[framework]\\nid = 1\\n")
    ... except ironclad.SpecError as e:
    ...     print(e.diagnostics[0].line, e.diagnostics[0].severity)
    2 error
    """

    diagnostics: List[Diagnostic]

    def __init__(self, message: str, diagnostics: Union[str, Sequence[Any]] = ()) -> None:
        items: Sequence[Any] = json.loads(diagnostics) if isinstance(diagnostics, str) else diagnostics
        self.diagnostics = [d if isinstance(d, Diagnostic) else Diagnostic.from_json(d) for d in items]
        shown = [str(d) for d in self.errors[:5]]
        more = len(self.errors) - len(shown)
        text = message + "".join("\n  " + s for s in shown) + (f"\n  … and {more} more" if more > 0 else "")
        super().__init__(text)
        self.message = message

    @property
    def errors(self) -> List[Diagnostic]:
        """Only the errors."""
        return [d for d in self.diagnostics if d.severity == "error"]


class UsageError(IroncladError, ValueError):
    """A malformed request: an unknown variant, party, domain or body, or a bad option value."""


class UnservableError(IroncladError, RuntimeError):
    """A well-formed request that cannot be served (no attack to respond to, too many
    variant combinations, horizons or runs)."""
