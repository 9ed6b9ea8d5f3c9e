"""Benchmark of app.core.complexity.analyze_many against its baseline, a plain analyze_source loop.

Generates deterministic Python files (about 300 lines each) and measures, in one run:
the baseline loop, analyze_many in-process (workers=0), and with 1 and 2 worker processes.
Usage: python bench/bench_complexity.py [--files 300] [--lines 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import time

from app.core.metrics.complexity import analyze_many, analyze_source


def generate_python_file(seed: int, target_lines: int) -> bytes:
    """A plausible module: classes with methods, functions with branches, loops and closures."""
    rng = random.Random(seed)
    out: list[str] = [f'"""Generated module {seed}."""', "", "import math", ""]
    counter = 0
    while len(out) < target_lines:
        counter += 1
        if rng.random() < 0.3:
            out += [f"class Service{counter}:", f'    """Service {counter}."""', ""]
            for m in range(rng.randint(2, 4)):
                out += _function_lines(rng, f"method_{m}", "    ", "self, value, limit=10")
        else:
            out += _function_lines(rng, f"compute_{counter}", "", "value, limit=10")
    return ("\n".join(out) + "\n").encode()


def _function_lines(rng: random.Random, name: str, indent: str, params: str) -> list[str]:
    lines = [f"{indent}def {name}({params}):", f'{indent}    """Compute {name}."""', f"{indent}    total = 0"]
    for i in range(rng.randint(2, 6)):
        kind = rng.choice(["if", "for", "while", "try", "bool", "closure"])
        body = f"{indent}    "
        if kind == "if":
            lines += [f"{body}if value > {i} and limit < {i * 3}:", f"{body}    total += {i}",
                      f"{body}elif value == {i}:", f"{body}    total -= 1",
                      f"{body}else:", f"{body}    total *= 2"]
        elif kind == "for":
            lines += [f"{body}for item in range(limit):", f"{body}    if item % {i + 2} == 0:",
                      f"{body}        continue", f"{body}    total += math.floor(item / 2)"]
        elif kind == "while":
            lines += [f"{body}while total < {i * 10} or value:", f"{body}    total += 1",
                      f"{body}    value = 0"]
        elif kind == "try":
            lines += [f"{body}try:", f"{body}    total += int(str(value))", f"{body}except ValueError:",
                      f"{body}    total = -1"]
        elif kind == "bool":
            lines += [f"{body}flag = value is None or (limit > {i} and not total)",
                      f"{body}total += 1 if flag else 0"]
        else:
            lines += [f"{body}def helper_{i}(x):", f"{body}    return x if x > {i} else -x",
                      f"{body}total += helper_{i}(value)"]
    lines += [f"{indent}    return total", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    items = [(f"blob{i:04d}", f"pkg/module_{i}.py", generate_python_file(i, args.lines))
             for i in range(args.files)]
    total_kb = sum(len(data) for *_, data in items) / 1000
    total_lines = sum(data.count(b"\n") for *_, data in items)
    print(f"{len(items)} files, {total_kb:.0f} KB, {total_lines} lines")

    def baseline() -> object:
        return {key: analyze_source(path, data) for key, path, data in items}

    runs: list[tuple[str, object]] = [
        ("baseline: analyze_source loop", baseline),
        ("analyze_many workers=0 (in-process)", lambda: analyze_many(items, workers=0)),
        ("analyze_many workers=1 (1 process)", lambda: analyze_many(items, workers=1)),
        ("analyze_many workers=2 (2 processes)", lambda: analyze_many(items, workers=2)),
    ]
    expected = baseline()
    for label, run in runs:
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = run()  # type: ignore[operator]
            timings.append(time.perf_counter() - start)
            assert result == expected, f"{label}: results differ from the baseline"
        print(f"{label:40s} best {min(timings):6.2f} s   all {' '.join(f'{t:.2f}' for t in timings)}")


if __name__ == "__main__":
    main()
