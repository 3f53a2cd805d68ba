"""Renderings of a plan document: small pure functions, one module each.

Every renderer takes the versioned JSON document (``Plan.to_document()`` or a plan file),
never the in-memory objects, so ``plan`` and ``show`` print the same thing.
"""

from reconciler.plan.render.jsonout import render_json
from reconciler.plan.render.markdown import render_markdown
from reconciler.plan.render.text import render_text

RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}

__all__ = ["RENDERERS", "render_json", "render_markdown", "render_text"]
