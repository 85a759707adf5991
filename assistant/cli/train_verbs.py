"""`assistant train`: rebuild the learned heads from the real corpus, or check that the shipped
heads are what the corpus makes (`--check`)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from ..settings import Settings
from .exits import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE


def add_parsers(verbs) -> None:
    train = verbs.add_parser(
        "train", help="fit the learned heads on evals/real (needs the train extra: pip install -e '.[train]')"
    )
    train.add_argument("--corpus", default="evals/real", help="the labelled real corpus (default evals/real)")
    train.add_argument("--out", help="where the weights go (default: the package's assistant/heads/weights)")
    train.add_argument("--cache", help="keep encoder vectors in this .npz between runs (faster retraining)")
    train.add_argument(
        "--written", metavar="FILE", help="also train on team-written labelled replies (train split only)"
    )
    train.add_argument(
        "--check", action="store_true", help="train into a temporary folder and compare with the shipped heads"
    )
    train.set_defaults(handler=_train)


def _train(args: argparse.Namespace, settings: Settings) -> int:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("error: training needs scikit-learn: pip install -e '.[train]'", file=sys.stderr)
        return EXIT_USAGE
    from ..heads import weights_dir
    from ..training import train_heads

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"error: {corpus}: no such folder (run from the project folder, or pass --corpus)", file=sys.stderr)
        return EXIT_USAGE
    cache = Path(args.cache) if args.cache else None

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    if not args.check:
        out = Path(args.out) if args.out else weights_dir()
        metrics = train_heads(corpus, out, cache, progress, args.written)
        print(f"wrote the heads, metrics.json and MODEL_CARD.md to {out}")
        print(json.dumps(_figures(metrics), indent=2))
        return EXIT_OK
    shipped_path = (Path(args.out) if args.out else weights_dir()) / "metrics.json"
    if not shipped_path.is_file():
        print(f"error: {shipped_path}: no shipped heads to compare with", file=sys.stderr)
        return EXIT_USAGE
    with tempfile.TemporaryDirectory() as folder:
        fresh = train_heads(corpus, Path(folder), cache, progress, shipped_written(shipped_path))
    shipped = json.loads(shipped_path.read_text(encoding="utf-8"))
    differences = compare_metrics(shipped, fresh)
    for line in differences:
        print(line)
    if differences:
        print(f"✘ retraining does not reproduce {shipped_path}: {len(differences)} figure(s) differ")
        return EXIT_PROBLEMS
    print(f"✔ retraining reproduces every figure in {shipped_path}")
    return EXIT_OK


def shipped_written(metrics_path: Path) -> str | None:
    """The team-written file the shipped heads were trained with, so --check trains the same way."""
    return json.loads(metrics_path.read_text(encoding="utf-8")).get("written_train_replies")


def _figures(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if k not in ("corpus",)}


def compare_metrics(shipped: dict, fresh: dict, tolerance: float = 1e-3, path: str = "") -> list[str]:
    """Every figure that differs (the date aside): a number by more than `tolerance`, anything else at all."""
    out = []
    for key in sorted(set(shipped) | set(fresh)):
        if key == "date":
            continue
        where = f"{path}.{key}" if path else key
        a, b = shipped.get(key), fresh.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += compare_metrics(a, b, tolerance, where)
        elif isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
            if abs(a - b) > tolerance:
                out.append(f"{where}: shipped {a}, retrained {b}")
        elif a != b:
            out.append(f"{where}: shipped {a!r}, retrained {b!r}")
    return out
