"""Run the scale and durability benchmarks in one go: `python bench/run_all.py [--quick]`.

One run prints what issue #7 asks to see together: the meeting load against its floor
(`bench_meeting.py`), the crash check (`bench_crash.py`) and the data-scale timings on SQLite and
PostgreSQL (`bench_scale.py`); then the PDF handout against bare WeasyPrint (`bench_report.py`) and
what the anonymity release hides and how long it takes to decide (`bench_release.py`), what an
integer-programming attacker still learns of hidden small groups (`bench_integer_attack.py`, no
goal: the rule's documented limit), and how often the guidance speaks on noise (`bench_guidance.py`).
Each runs in a process of its own, one after the other, so none measures another's load. The last
lines say which met their goals; the exit status is 1 when any did not.

`--quick` runs smaller versions (100 respondents, a tenth of the national programme) to check that
the benchmarks work, not what they measure.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def plan(quick: bool) -> list[tuple[str, list[str]]]:
    """The benchmarks to run, in order: (name, arguments of the script)."""
    if quick:
        return [
            ("meeting load", ["bench_meeting.py", "--respondents", "100"]),
            ("crash mid-burst", ["bench_crash.py", "--respondents", "100", "--kill-after", "30"]),
            ("data scale", ["bench_scale.py", "--municipalities", "30"]),
            ("PDF handout", ["bench_report.py", "--repeat", "1"]),
            ("anonymity release", ["bench_release.py", "--cities", "10", "--national-units", "300"]),
            ("integer attacker", ["bench_integer_attack.py", "--rounds", "6"]),
            ("guidance on noise", ["bench_guidance.py", "--reps", "20"]),
        ]
    return [
        ("meeting load", ["bench_meeting.py"]),
        ("meeting load, spread over 3 s", ["bench_meeting.py", "--spread", "3"]),
        ("crash mid-burst", ["bench_crash.py"]),
        ("data scale", ["bench_scale.py"]),
        ("PDF handout", ["bench_report.py"]),
        ("anonymity release", ["bench_release.py"]),
        ("integer attacker", ["bench_integer_attack.py"]),
        ("guidance on noise", ["bench_guidance.py"]),
    ]


def main() -> int:
    """Run every benchmark, print its output as it comes, then one line per benchmark; 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small versions, to check the benchmarks run")
    arguments = parser.parse_args()
    results = []
    for name, command in plan(arguments.quick):
        print(f"\n=== {name}: {' '.join(command)}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / command[0]), *command[1:]], cwd=HERE.parent)
        results.append((name, code, time.perf_counter() - start))
    print("\n=== summary")
    for name, code, seconds in results:
        print(f"{name:32} {'goals met' if code == 0 else f'FAILED (exit {code})':22} {seconds:6.0f} s")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
