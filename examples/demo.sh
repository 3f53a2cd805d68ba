#!/usr/bin/env bash
# The quick start: run the sample policy in policies/ against the bundled emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "claude-policy $(claude-policy --version)"
