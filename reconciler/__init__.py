"""claude-policy: declarative policy for the Anthropic Admin API.

Workspace data residency and spend limits as YAML in git; ``plan`` diffs them
against the live organization, ``apply`` writes exactly what was reviewed, and
``drift`` notices when the organization moves.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
