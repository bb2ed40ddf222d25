"""`commonground`: the console command for operators and analysts.

Its own subcommands are listed below; any other word is passed to Django's management commands
(for example `commonground migrate`).
"""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "serve": "run the web server and the task worker together (the demo and small clinics)",
    "worker": "run the task worker only (reminders, audit sealing, e-mail)",
    "audit": "audit trail: `audit seal` chains new events, `audit verify` checks the whole chain",
    "demo": "demo clinic: `demo seed` loads the synthetic clinic (safe to run twice)",
    "clinic": "`clinic create` sets up a clinic and its first administrator",
    "score": "score one questionnaire response: `score phq9 --items '[1,0,2,...]'` prints JSON",
    "change": "reliable change between two scores: `change --pre 14 --post 6 --instrument phq9`",
    "gas": "goal attainment T-score: `gas --levels '[1,0,-1]' [--weights '[6,2,1]'] [--rho 0.3]` prints JSON",
    "patterns": "personal patterns in a diary CSV: `patterns FILE.csv --outcome NAME [--min-days 21] [--fdr 0.1]`",
    "note_language": "`note_language evaluate [--set heldout|FILE]`: how well the note-language check does",
    "instruments": "`instruments list|show ID|load FILE`: the questionnaire library and a clinic's own files",
    "migrate": "bring the database schema up to date",
    "check": "Django's system checks",
}


def usage() -> str:
    lines = ["usage: commonground COMMAND [options]", "", "commands:"]
    width = max(len(name) for name in COMMANDS)
    lines += [f"  {name:<{width}} {text}" for name, text in COMMANDS.items()]
    lines += ["", "Other Django management commands work too; `commonground COMMAND --help` explains each."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    from django.core.management import execute_from_command_line

    command = "qcluster" if args[0] == "worker" else args[0]
    execute_from_command_line(["commonground", command, *args[1:]])


if __name__ == "__main__":
    main()
