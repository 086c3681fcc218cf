"""Command: validate the data files. Exit 0 when valid, 1 with the list of problems otherwise.

scripts/validate [DATA_DIR]     (default: data/)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from domain.loading import DataValidationError, load_dataset

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Validate the dashboard's data files.")
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    try:
        dataset = load_dataset(args.data_dir)
    except DataValidationError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    print(
        f"{args.data_dir}: valid — {len(dataset.forces)} forces, {len(dataset.themes)} themes, "
        f"{len(dataset.case_studies)} case studies and sections, {len(dataset.initiatives)} initiatives, "
        f"{len(dataset.outcomes)} figures, {len(dataset.inventory)} inventory entries "
        f"(dataset {dataset.version}, {dataset.version_date})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
