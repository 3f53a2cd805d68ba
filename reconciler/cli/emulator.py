"""``claude-policy emulator``: serve the Admin API emulator on loopback (SPEC §8).

The server stack (starlette, uvicorn) is imported inside the command, so that no other
command pays for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from reconciler import seeds


def _announce(url: str) -> None:
    click.echo(url)  # click.echo flushes: the URL line reaches a waiting parent at once


@click.command("emulator")
@click.option(
    "--seed",
    metavar="FILE|NAME",
    help="Seed file (YAML or JSON), or the name of a bundled example: "
    + ", ".join(seeds.names())
    + ".",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Loopback address to listen on."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8300,
    show_default=True,
    help="0 picks a free port.",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep the organization in this file; when it exists it wins over --seed.",
)
@click.option("--control", is_flag=True, help="Enable the /_emulator/* control endpoints.")
@click.option(
    "--rate-scale",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Multiply the rate limits (100 and 60 requests/min).",
)
@click.option(
    "--latency-ms", type=click.FloatRange(min=0), default=0.0, help="Delay every /v1 request."
)
@click.option(
    "--fault-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Share of /v1 requests that fail before any write (500, 529, 429, dropped).",
)
@click.option(
    "--fault-after-write-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Share of writes whose response is lost after the write happened.",
)
@click.option("--fault-seed", type=int, default=0, show_default=True, help="Seed for the faults.")
@click.option(
    "--usage-delay",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    metavar="SECONDS",
    help="Usage newer than this is not in the usage and cost reports yet.",
)
def emulator_command(
    seed: str | None,
    host: str,
    port: int,
    state: Path | None,
    control: bool,
    **faults_and_rates: Any,
) -> None:
    """Serve the Admin API emulator; the first line printed is its base URL."""
    from reconciler.emulator import Options
    from reconciler.emulator.server import NotLoopback, check_loopback, listen, serve

    try:
        check_loopback(host)
    except NotLoopback as e:
        raise click.BadParameter(str(e), param_hint="--host") from None
    app = _app(seed, state, Options(control=control, **faults_and_rates))
    try:
        sock = listen(host, port)
    except OSError as e:
        raise click.ClickException(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    serve(app, sock, _announce)


def _app(seed: str | None, state: Path | None, options: Any) -> Any:
    """The emulator's app over the state file when it exists, else over the seed."""
    from reconciler.emulator import EmulatorApp, SeedError, StateError, StateFile, load_seed
    from reconciler.emulator.runtime import Source

    try:
        # Locks FILE.lock for the life of the process: one emulator per state file.
        state_file = StateFile(state) if state is not None else None
        source: Source
        if state_file is not None and state_file.exists():
            source = state_file.read()
        elif seed is not None:
            source = load_seed(_seed_path(seed))
        else:
            raise click.UsageError("--seed is required unless --state names an existing file.")
        return EmulatorApp(source, options, state=state_file)
    except (SeedError, StateError) as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:
        raise click.ClickException(f"cannot write the state file: {e}") from None


def _seed_path(seed: str) -> Path:
    """A seed file's path: the file named, else the bundled example of that name."""
    path = Path(seed)
    if path.exists():
        return path
    return seeds.bundled(seed) or path
