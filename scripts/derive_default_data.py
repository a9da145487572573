"""Re-derive the embedded default data in data/ from the raw files in ../shared/data/."""

import argparse
from pathlib import Path

from assess.data.derive import derive_default

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--shared",
        type=Path,
        default=ROOT.parent / "shared" / "data",
        help="folder of the raw open data (default: ../shared/data)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "data", help="where to write (default: data/)")
    args = parser.parse_args()
    report = derive_default(args.shared, args.out)
    print("\n".join(report.summary_lines()))
