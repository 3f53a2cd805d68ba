"""The report's renderings, one module each, all pure functions of the versioned
document (:meth:`reconciler.report.Report.to_document`), so every format says the same
thing: ``RENDERERS[fmt](doc) -> str``."""

from __future__ import annotations

from collections.abc import Callable

from reconciler.plan.render.jsonout import render_json
from reconciler.report.render.csvout import render_csv
from reconciler.report.render.html import render_html
from reconciler.report.render.markdown import render_markdown
from reconciler.report.render.text import render_text

__all__ = ["FORMATS", "RENDERERS"]

RENDERERS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "csv": render_csv,
    "html": render_html,
}
FORMATS: tuple[str, ...] = tuple(RENDERERS)
