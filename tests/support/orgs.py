"""The sample organizations' keys and ids (``examples/seeds/console.yaml`` and
``enterprise.yaml``), and the one meaning of "fast" for tests against an emulator.

Fast: the emulator's rate limits are scaled ×100 (``--rate-scale 100``: 10,000 Admin and
6,000 spend-limit requests a minute) and the client is told the same rates, so pacing
stays real but never slows a test.  Tests about pacing choose their own figures.
"""

from __future__ import annotations

CONSOLE_KEY = "sk-ant-admin01-demo-console-key"
ENTERPRISE_KEY = "sk-ant-api01-demo-enterprise-key"
CONSOLE_ORG = "8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37"
ENTERPRISE_ORG = "5b7e0d4c-0f63-4d1e-9a52-3c1f0e7b9a10"

FAST_EMULATOR = ("--rate-scale", "100")
FAST_RATES = {"CLAUDE_POLICY_ADMIN_RPM": "10000", "CLAUDE_POLICY_SPEND_RPM": "6000"}
FAST_ADMIN_RPM = 10_000.0
FAST_SPEND_RPM = 6_000.0
FAST_FLAGS = ("--admin-rpm", "10000", "--spend-rpm", "6000")  # the same, as options
