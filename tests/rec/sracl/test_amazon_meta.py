import gzip
import json

import pytest

from rec.sracl.amazon_meta import (
    aligned_item_text,
    asin_to_id_from_reviews,
    check_alignment,
    item_text,
    parse_amazon_meta,
)

META = [
    "{'asin': 'B1', 'title': 'Rose Lipstick', 'brand': 'Acme', 'categories': [['Beauty', 'Makeup', 'Lips']], "
    "'description': 'A long lasting lipstick.'}",
    json.dumps({"asin": "B2", "title": "Camping Tent", "categories": [["Sports", "Camping"]]}),
    "{'asin': 'B3', 'categories': [['Beauty']]}",
]


def test_parses_python_literals_and_json_gz(tmp_path):
    path = tmp_path / "meta_Test.json.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(META) + "\n")
    meta = parse_amazon_meta(path)
    assert set(meta) == {"B1", "B2", "B3"}
    assert parse_amazon_meta(path, asins={"B2"}).keys() == {"B2"}
    text = item_text(meta["B1"])
    assert "Rose Lipstick" in text and "Acme" in text and "Makeup" in text and "long lasting" in text
    assert item_text(meta["B3"]) == "Categories: Beauty"


def test_bad_lines_are_reported(tmp_path):
    path = tmp_path / "meta.json"
    path.write_text("{'asin': 'B1'}\nnot a record\n")
    with pytest.raises(ValueError, match="meta.json:2"):
        parse_amazon_meta(path)
    with pytest.raises(FileNotFoundError, match="snap.stanford.edu"):
        parse_amazon_meta(tmp_path / "nope.json.gz")


def test_relabelling_matches_a_sequence_file(tmp_path):
    reviews = [("U2", "B2", 5), ("U1", "B3", 9), ("U1", "B1", 3), ("U2", "B1", 7), ("U1", "B2", 3)]
    path = tmp_path / "reviews_Test_5.json"
    path.write_text("\n".join(json.dumps({"reviewerID": u, "asin": a, "unixReviewTime": t}) for u, a, t in reviews))
    items, users = asin_to_id_from_reviews(path)
    # sorted by (user, time), stable: U1: B1(3), B2(3), B3(9); U2: B2(5), B1(7)
    assert users == {"U1": 1, "U2": 2}
    assert items == {"B1": 1, "B2": 2, "B3": 3}
    assert check_alignment(items, users, path, {1: [1, 2, 3], 2: [2, 1]}) == 1.0
    assert check_alignment(items, users, path, {1: [1, 2, 3], 2: [1, 2]}) == 0.5
    meta = {"B1": {"asin": "B1", "title": "Rose Lipstick"}}
    assert aligned_item_text(meta, items) == {1: "Title: Rose Lipstick"}
