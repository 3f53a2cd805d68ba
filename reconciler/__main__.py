"""``python -m reconciler`` is the ``claude-policy`` command."""

from reconciler.cli import main

if __name__ == "__main__":
    main()
