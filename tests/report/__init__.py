"""``claude-policy report``: the FinOps view (SPEC §7d)."""
