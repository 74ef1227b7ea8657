"""Item texts from a registered Amazon 2014 metadata dataset: download, alignment, index build."""

import gzip
import json

import pytest

from rec.sracl.amazon_meta import registry_item_text
from rec.sracl.params import SRACLModel, SRACLParams
from rec.sracl.semantic_index import SemanticIndex
from tests.data.conftest import http_folder, registry_for  # noqa: F401 (http_folder is a fixture)
from tests.rec.sracl.fake_encoder import BagOfWordsEncoder

# (reviewer, asin, time). Relabelled by (reviewer, time): U1 -> 1: B1, B2, B3; U2 -> 2: B2, B4, B1;
# U3 -> 3: B4, B3, B5, B2
REVIEWS = [
    ("U2", "B2", 1),
    ("U1", "B1", 1),
    ("U3", "B4", 2),
    ("U1", "B2", 2),
    ("U2", "B4", 3),
    ("U1", "B3", 5),
    ("U3", "B3", 4),
    ("U2", "B1", 6),
    ("U3", "B5", 7),
    ("U3", "B2", 9),
]
SEQUENCES = {1: [1, 2, 3], 2: [2, 4, 1], 3: [4, 3, 5, 2]}
META = {"B1": "Rose Lipstick", "B2": "Matte Lipstick", "B3": "Hiking Tent", "B4": "Camping Tent", "B5": "Lip Balm"}


def write_source(folder):
    folder.mkdir(parents=True)
    with gzip.open(folder / "reviews_Toy_5.json.gz", "wt") as fh:
        fh.writelines(json.dumps({"reviewerID": u, "asin": a, "unixReviewTime": t}) + "\n" for u, a, t in REVIEWS)
    with gzip.open(folder / "meta_Toy.json.gz", "wt") as fh:  # Python literals, as the 2014 files
        fh.writelines(repr({"asin": a, "title": t, "categories": [["Toy"]]}) + "\n" for a, t in META.items())
    entry = {
        "kind": "item_metadata",
        "folder": "amazon2014/toy",
        "for_dataset": "toy",
        "meta_file": "meta_Toy.json.gz",
        "reviews_file": "reviews_Toy_5.json.gz",
        "files": {"meta_Toy.json.gz": {}, "reviews_Toy_5.json.gz": {}},
    }
    return entry


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "source"
    return folder, write_source(folder)


def test_downloads_aligns_and_returns_every_item_text(source, tmp_path):
    folder, entry = source
    registry = registry_for("toy-meta", entry, folder, folder.resolve().as_uri())
    users, seqs = list(SEQUENCES), list(SEQUENCES.values())
    text = registry_item_text("toy-meta", users, seqs, tmp_path / "root", registry=registry)
    assert (tmp_path / "root" / "amazon2014" / "toy" / "meta_Toy.json.gz").is_file()
    assert sorted(text) == [1, 2, 3, 4, 5]
    assert "Rose Lipstick" in text[1] and "Camping Tent" in text[4] and "Lip Balm" in text[5]


def test_download_over_http_with_string_user_ids(source, http_folder, tmp_path):  # noqa: F811
    folder, entry = source
    registry = registry_for("toy-meta", entry, folder, http_folder(folder))
    text = registry_item_text(
        "toy-meta", ["1", "2", "3"], list(SEQUENCES.values()), tmp_path / "root", registry=registry
    )
    assert text[2].startswith("Title: Matte Lipstick")


def test_misaligned_ids_are_refused(source, tmp_path):
    folder, entry = source
    registry = registry_for("toy-meta", entry, folder, folder.resolve().as_uri())
    seqs = [[1, 2, 3], [4, 2, 1], [4, 3, 5, 2]]  # user 2 relabelled differently
    with pytest.raises(ValueError, match=r"reproduces 66.7% of the users' sequences of 'toy'.*item_semantics='cooc'"):
        registry_item_text("toy-meta", [1, 2, 3], seqs, tmp_path / "root", registry=registry)
    assert (
        len(registry_item_text("toy-meta", [1, 2, 3], seqs, tmp_path / "root", min_alignment=0.6, registry=registry))
        == 5
    )


def test_only_item_metadata_datasets_are_accepted(source, tmp_path):
    folder, entry = source
    registry = registry_for("toy-meta", dict(entry, kind="sequences"), folder, folder.resolve().as_uri())
    with pytest.raises(ValueError, match="not item_metadata"):
        registry_item_text("toy-meta", [1], [[1]], tmp_path / "root", registry=registry)


def test_semantic_index_takes_its_item_texts_from_the_metadata(source, tmp_path, monkeypatch):
    import graphcl.data.registry as reg

    folder, entry = source
    registry = registry_for("toy-meta", entry, folder, folder.resolve().as_uri())
    monkeypatch.setattr(reg, "_shipped_registry", lambda: registry)
    params = SRACLParams(model=SRACLModel(item_metadata="toy-meta", user_semantics="mean_items", k_items=2, k_users=1))
    index = SemanticIndex.build(
        params, [1, 2, 3], list(SEQUENCES.values()), 5, None, BagOfWordsEncoder(), data_root=tmp_path / "root"
    )
    assert index.item_source == "text:bow-test+toy-meta"
    assert (index.item_emb[1:].abs().sum(1) > 0).all()
    # the two lipsticks share a word, so each is the other's nearest item
    assert index.item_neighbours[1, 0] == 2 and index.item_neighbours[2, 0] == 1


def test_item_metadata_needs_text_semantics():
    with pytest.raises(ValueError, match="only item_semantics='text' uses"):
        SRACLParams(model=SRACLModel(item_metadata="beauty-meta", item_semantics="cooc", user_semantics="mean_items"))
