"""Several records per request (``batch:``): the requests per row a refused batch's splitting
costs, simulated (a second).

```sh
python bench/batches.py
```

It counts the requests and round trips a batch of N rows with a share p of refused rows takes
until every refused row is sent alone (:func:`importer.batches.split`), for a target whose
refusal names no row (halving only) and for one whose message quotes a value of the first
refused row that no other row holds (AFAS's usually do: that row goes alone first, the others
together). The imports themselves are measured by ``python bench/run.py --only flex --only
refusals`` (bench/flex.py).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from importer.batches import split  # noqa: E402

# --- simulation --------------------------------------------------------------------------------


def simulate(size: int, share: float, *, named: bool, batches: int = 4000, seed: int = 1) -> dict:
    """Requests per row and the deepest chain of round trips, over ``batches`` batches."""
    draw = random.Random(seed)
    requests = depth_sum = rows = 0
    for _ in range(batches):
        bad = [draw.random() < share for _ in range(size)]
        rows += size
        pending = [(list(range(size)), 1)]
        deepest = 0
        while pending:
            part, depth = pending.pop()
            requests += 1
            deepest = max(deepest, depth)
            refused = [i for i in part if bad[i]]
            if not refused or len(part) == 1:
                continue
            culprits = (part.index(refused[0]),) if named else ()
            for sub in split(part, culprits):  # type: ignore[arg-type]
                pending.append((sub, depth + 1))
        depth_sum += deepest
    return {"requests_per_row": requests / rows, "round_trips": depth_sum / batches}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.parse_args(argv)

    print("simulation: requests per row (round trips) until every refused row is alone")
    for size in (10, 25, 50):
        for share in (0.02, 0.1):
            halving = simulate(size, share, named=False)
            named = simulate(size, share, named=True)
            print(
                f"  batch {size:3}, {share:4.0%} refused: halving {halving['requests_per_row']:.3f}"
                f" ({halving['round_trips']:.1f}); first refused row named "
                f"{named['requests_per_row']:.3f} ({named['round_trips']:.1f})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
