"""Type stubs of the native module (crates/py): the front door's commands, each returning its
report as the CLI's JSON text (simulate, attribute and sensitivity also the HTML report's chart,
as inline SVG). Use the wrappers in :mod:`ironclad` rather than these."""

from typing import Callable, List, Optional, Sequence, Tuple

#: ``(name, text)``: ``text`` None reads ``name`` as a path.
Source = Tuple[str, Optional[str]]
SampleColumns = Tuple[int, List[Tuple[str, str, bytes]]]

__version__: str
SCHEMA_VERSION: int

class Framework:
    def __init__(self, name: str, text: Optional[str] = None) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def valid(self) -> bool: ...
    def check(self, deny_warnings: bool = False) -> str: ...
    def show(self) -> str: ...
    def obligations(
        self,
        scenario: Optional[Source] = None,
        at: Optional[str] = None,
        variants: Sequence[str] = (),
        explain: bool = False,
        why_not: Optional[str] = None,
    ) -> str: ...
    def simulate(
        self,
        scenario: Optional[Source] = None,
        runs: Optional[int] = None,
        until_ci: Optional[float] = None,
        seed: int = 1,
        threads: Optional[int] = None,
        horizons: Sequence[float] = (),
        variants: Sequence[str] = (),
        absent: Sequence[str] = (),
        progress: Optional[Callable[[int, int], object]] = None,
        samples: bool = False,
    ) -> Tuple[str, Optional[float], Optional[SampleColumns], str]: ...
    def attribute(
        self,
        scenario: Optional[Source] = None,
        metric: str = "adequate",
        horizon: Optional[float] = None,
        exact: bool = False,
        precision: Optional[float] = None,
        runs: Optional[int] = None,
        seed: int = 1,
        threads: Optional[int] = None,
        variants: Sequence[str] = (),
    ) -> Tuple[str, str]: ...
    def sensitivity(
        self,
        scenario: Optional[Source] = None,
        method: str = "sobol",
        samples: Optional[int] = None,
        runs: Optional[int] = None,
        metric: str = "adequate",
        horizon: Optional[float] = None,
        seed: int = 1,
        threads: Optional[int] = None,
        variants: Sequence[str] = (),
    ) -> Tuple[str, str]: ...
    def power(self, body: str) -> str: ...
    def bodies(self) -> List[str]: ...

def check(sources: Sequence[Source], deny_warnings: bool = False) -> str: ...
def compare(
    frameworks: Sequence[Framework],
    scenarios: Sequence[Source],
    with_: Sequence[str] = (),
    runs: Optional[int] = None,
    seed: int = 1,
    horizons: Sequence[float] = (),
    threads: Optional[int] = None,
) -> str: ...
def schema(output: Optional[str] = None) -> str: ...
