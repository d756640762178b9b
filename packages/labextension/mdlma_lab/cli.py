"""Running the `mdlma` command of @mdlma/kernel, the one place where operations are written.

Commands are argument lists passed to the process directly, never through a shell.
"""
import asyncio
import json
import os
import shutil


class MdlmaCliError(Exception):
    """The mdlma command is missing, failed, or printed something that is not JSON."""

    def __init__(self, message: str, status: int = 502):
        super().__init__(message)
        self.status = status


def find_cli() -> list[str]:
    """The command that runs `mdlma`: $MDLMA_CLI (a path), or `mdlma` on PATH."""
    configured = os.environ.get("MDLMA_CLI")
    if configured:
        return [configured]
    found = shutil.which("mdlma")
    if not found:
        raise MdlmaCliError(
            "The mdlma command was not found: run the MDLMA Lab set-up command, or set MDLMA_CLI "
            "to the path of node_modules/.bin/mdlma.",
            status=503,
        )
    return [found]


async def run_json(args: list[str], timeout: float = 60) -> dict:
    """Run `mdlma <args> --json` and return its parsed output."""
    process = await asyncio.create_subprocess_exec(
        *find_cli(), *args, "--json", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except asyncio.TimeoutError:
        process.kill()
        raise MdlmaCliError(f"mdlma {' '.join(args)} did not answer within {timeout:.0f} s", status=504)
    if process.returncode != 0:
        raise MdlmaCliError(stderr.decode(errors="replace").strip() or f"mdlma exited with {process.returncode}")
    try:
        return json.loads(stdout)
    except json.JSONDecodeError as error:
        raise MdlmaCliError(f"mdlma {' '.join(args)} printed no JSON: {error}")
