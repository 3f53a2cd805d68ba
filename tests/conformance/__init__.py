"""Conformance suite: the official ``anthropic`` SDK, as an independent client, drives the
Admin API emulator over a real loopback socket.

Every endpoint the emulator serves (SPEC §8, usage and cost reports aside) is called
through the SDK's typed methods for both organization kinds; every response body is
validated against the SDK's own pydantic models (``shapes``, enforced for every recorded
exchange by ``harness.org_session``); every list is walked page by page in both cursor
styles; documented failures must raise the SDK's matching exceptions.  Seeds under
``seeds/`` fix the data; ``test_example_seeds`` also reads the shipped example orgs.

Run: ``.venv/bin/python -m pytest tests/conformance``.
"""
