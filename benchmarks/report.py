"""Results as rows, a Markdown table, and the table's place in ``benchmarks/README.md``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


@dataclass
class Row:
    """One measured line: what ran, both sides' figures, the ratio, the target, the verdict.

    ``ratio`` is "how many times better glassnet is" (PyTorch time / glassnet time, or a
    figure against a limit); ``target`` is the threshold it must reach and ``higher_is_better``
    says in which direction.

    Examples
    --------
    >>> Row("sgd", "b128", "0.70 s", "1.05 s", 1.5, 1.5).met
    True
    >>> Row("overhead", "b128", "", "", 1.3, 1.15, higher_is_better=False).verdict
    'no'
    """

    benchmark: str
    setting: str
    glassnet: str
    torch: str
    ratio: float
    target: float | None
    higher_is_better: bool = True
    note: str = ""
    ok: bool | None = None  # the verdict, for rows whose target is not a ratio

    @property
    def met(self) -> bool | None:
        """Whether the target is reached (None when there is none)."""
        if self.ok is not None:
            return self.ok
        if self.target is None:
            return None
        return self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target

    @property
    def verdict(self) -> str:
        """ "yes", "no" or "" for rows without a target."""
        return {True: "yes", False: "no", None: ""}[self.met]


def markdown_table(rows: list[Row]) -> str:
    """The rows as a Markdown table.

    Examples
    --------
    >>> print(markdown_table([Row("sgd", "b32", "1.0 s", "2.0 s", 2.0, 2.0)]))
    | benchmark | setting | glassnet | PyTorch | ratio | target | met | note |
    |---|---|---|---|---|---|---|---|
    | sgd | b32 | 1.0 s | 2.0 s | 2.00x | >= 2.00x | yes |  |
    >>> print(markdown_table([Row("x", "b128", "", "", float("nan"), None)]).splitlines()[-1])
    | x | b128 |  |  | none |  |  |  |
    """
    lines = [
        "| benchmark | setting | glassnet | PyTorch | ratio | target | met | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r.target is None:
            target = ""
        else:
            target = f"{'>=' if r.higher_is_better else '<='} {r.target:.2f}x"
        shown = "none" if math.isnan(r.ratio) else f"{r.ratio:.2f}x"  # nan: no round measured
        lines.append(
            f"| {r.benchmark} | {r.setting} | {r.glassnet} | {r.torch} | {shown} | "
            f"{target} | {r.verdict} | {r.note} |"
        )
    return "\n".join(lines)


def environment_lines(env: dict[str, Any]) -> list[str]:
    """The environment as Markdown bullet lines (CPU, versions, BLAS, load).

    Examples
    --------
    >>> environment_lines({"cpu": "x", "cores": 2, "load": 0.5, "blas": []})[0]
    '- CPU: x, 2 cores'
    """
    lines = [f"- CPU: {env.get('cpu')}, {env.get('cores')} cores"]
    if "python" in env:
        lines.append(
            f"- Python {env['python']}, NumPy {env.get('numpy')}, PyTorch {env.get('torch')}"
        )
    for b in env.get("blas", []):
        lines.append(
            f"- BLAS: {b['name']} {b['version']}, kernel {b['kernel']}, {b['threads']} threads "
            f"({b['file']})"
        )
    if "kernels" in env:
        lines.append(f"- glassnet's compiled kernels: {env['kernels']}")
    if env.get("openblas_env"):
        lines.append(f"- OPENBLAS_* set: {env['openblas_env']} (NumPy loses its lead with these)")
    lines.append(f"- load average (1 min): {env.get('load', 0.0):.2f} at start")
    if "load_end" in env:
        lines[-1] += f", {env['load_end']:.2f} at end"
    return lines


def update_readme(path: Path, block: str) -> None:
    """Replace the text between the results markers of ``path`` with ``block``.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "README.md"
    >>> _ = p.write_text(f"intro\\n{BEGIN}\\nold\\n{END}\\nend\\n")
    >>> update_readme(p, "new"); p.read_text().splitlines()
    ['intro', '<!-- results:begin -->', 'new', '<!-- results:end -->', 'end']
    """
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ValueError(f"{path} must hold the markers {BEGIN} and {END}; not found.")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    new = pattern.sub(lambda _: f"{BEGIN}\n{block}\n{END}", text, count=1)
    path.write_text(new, encoding="utf-8")
