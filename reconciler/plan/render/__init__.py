"""Renderings of a plan: small pure functions, one module each.

Every renderer takes the typed :class:`~reconciler.plan.model.Plan` — made by the planner,
or read back from a plan file with ``Plan.from_document`` — so ``plan`` and ``show``
print the same thing; the JSON rendering is the versioned document itself.
"""

from reconciler.plan.render.jsonout import render_json
from reconciler.plan.render.markdown import render_markdown
from reconciler.plan.render.text import render_text

RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}

__all__ = ["RENDERERS", "render_json", "render_markdown", "render_text"]
