"""Sequence files, SequenceData validation, ml-100k and the RecBole atomic writer."""

import copy

import pytest

from graphcl.data import CorruptDataError, SequenceData, load_ml100k, load_sequences, to_recbole_atomic
from graphcl.data.sequences import read_sequence_file
from tests.data.conftest import registry_for


def _seq_registry(tmp_path, text, stats):
    source = tmp_path / "src"
    source.mkdir()
    (source / "Tiny.txt").write_text(text)
    entry = {
        "kind": "sequences",
        "folder": "seqrec",
        "sequence_file": "Tiny.txt",
        "files": {"Tiny.txt": {}},
        "statistics": stats,
    }
    return registry_for("tiny", entry, source, source.resolve().as_uri())


def test_load_sequences_tiny(tmp_path):
    registry = _seq_registry(tmp_path, "1 3 1 2\n2 2 4\n\n7 5\n", {"users": 3, "items": 5, "interactions": 6})
    seq = load_sequences("tiny", tmp_path / "root", registry=registry)
    assert seq.user_ids == [1, 2, 7]
    assert seq.sequences == [[3, 1, 2], [2, 4], [5]]
    assert seq.num_items == 5 and seq.num_interactions == 6


def test_statistics_mismatch_is_an_error(tmp_path):
    registry = _seq_registry(tmp_path, "1 3 1 2\n2 2 4\n", {"users": 3, "items": 4, "interactions": 5})
    with pytest.raises(CorruptDataError, match=r"Tiny.txt.*users: registry 3, file 2"):
        load_sequences("tiny", tmp_path / "root", registry=registry)


@pytest.mark.parametrize(
    "text,problem",
    [
        ("1 2 x\n", "line 1 holds a non-integer"),
        ("1 2\n2 0 3\n", "line 2 has an item id < 1"),
        ("1 2\n1 3\n", "more than one line"),
    ],
)
def test_bad_sequence_files(tmp_path, text, problem):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(CorruptDataError, match=problem) as info:
        read_sequence_file(path)
    assert str(path) in str(info.value)


def test_sequence_data_validation():
    with pytest.raises(ValueError, match="one sequence per user"):
        SequenceData(user_ids=[1, 2], sequences=[[1]], num_items=1)
    with pytest.raises(ValueError, match=r"\[1, num_items=2\]"):
        SequenceData(user_ids=[1], sequences=[[1, 3]], num_items=2)
    with pytest.raises(ValueError, match="padding"):
        SequenceData(user_ids=[1], sequences=[[0, 1]], num_items=2)
    with pytest.raises(ValueError, match="duplicates"):
        SequenceData(user_ids=[1, 1], sequences=[[1], [1]], num_items=2)


@pytest.fixture(scope="module")
def ml100k():
    return load_ml100k()


def test_ml100k_counts(ml100k):
    assert (ml100k.num_users, ml100k.num_items, ml100k.num_interactions) == (943, 1682, 100000)
    assert ml100k.user_ids == sorted(ml100k.user_ids)
    assert set(ml100k.item_text) == set(range(1, 1683)) == set(ml100k.item_raw_ids)


def test_ml100k_time_order_and_text(ml100k):
    from graphcl.data.ensure import dataset_dir

    rows = (dataset_dir("ml-100k") / "ml-100k.inter").read_text().splitlines()[1:]
    u1 = sorted((float(r.split("\t")[3]), r.split("\t")[1]) for r in rows if r.split("\t")[0] == "1")
    raw_to_new = {raw: new for new, raw in ml100k.item_raw_ids.items()}
    times = [t for t, _ in u1]
    assert len(ml100k.sequences[0]) == len(u1)
    # the first and last items of user 1 are those with the (unique) earliest / latest timestamp
    if times.count(times[0]) == 1:
        assert ml100k.sequences[0][0] == raw_to_new[u1[0][1]]
    if times.count(times[-1]) == 1:
        assert ml100k.sequences[0][-1] == raw_to_new[u1[-1][1]]
    assert ml100k.item_text[raw_to_new["1"]] == "Toy Story (1995) Animation Children's Comedy"


def test_atomic_round_trip(tmp_path):
    seq = SequenceData(user_ids=[10, 3], sequences=[[2, 1, 2], [3]], num_items=3, item_text={1: "a", 2: "b", 3: "c"})
    before = copy.deepcopy(seq)
    path = to_recbole_atomic(seq, tmp_path / "tiny", "tiny")
    assert path == tmp_path / "tiny" / "tiny.inter"
    assert seq == before  # input untouched
    lines = path.read_text().splitlines()
    assert lines[0] == "user_id:token\titem_id:token\ttimestamp:float"
    rows = [line.split("\t") for line in lines[1:]]
    rebuilt: dict[str, list[tuple[float, int]]] = {}
    for user, item, ts in rows:
        rebuilt.setdefault(user, []).append((float(ts), int(item)))
    assert {u: [i for _, i in sorted(v)] for u, v in rebuilt.items()} == {"10": [2, 1, 2], "3": [3]}
    assert not list((tmp_path / "tiny").glob(".*tmp"))


def test_atomic_round_trip_ml100k(ml100k, tmp_path):
    path = to_recbole_atomic(ml100k, tmp_path, "ml")
    lines = path.read_text().splitlines()
    assert len(lines) == 100001
    first = [line.split("\t") for line in lines[1 : len(ml100k.sequences[0]) + 1]]
    assert [int(r[1]) for r in first] == ml100k.sequences[0]


def test_atomic_rejects_path_as_name(tmp_path):
    seq = SequenceData(user_ids=[1], sequences=[[1]], num_items=1)
    with pytest.raises(ValueError, match="plain file stem"):
        to_recbole_atomic(seq, tmp_path, "a/b")


def test_a_users_own_file_with_gapped_ids_is_renumbered_and_keeps_the_map(tmp_path, caplog):
    path = tmp_path / "mine.txt"
    path.write_text("1 10 30 20\n2 30 50\n")
    with caplog.at_level("WARNING"):
        seq = read_sequence_file(path)
    assert seq.num_items == 4 and seq.sequences == [[1, 3, 2], [3, 4]]
    assert seq.item_raw_ids == {1: "10", 2: "20", 3: "30", 4: "50"}
    assert "renumbered 1..4" in caplog.text


def test_errors_about_a_users_own_file_explain_the_format_not_fetch(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("1 2 3\n2 4 x\n")
    with pytest.raises(CorruptDataError) as info:
        read_sequence_file(path)
    assert "line 2 holds a non-integer" in str(info.value) and "one line per user" in str(info.value)
    assert "graphcl data fetch" not in str(info.value)
    with pytest.raises(CorruptDataError, match="graphcl data fetch"):
        read_sequence_file(path, dataset="beauty")  # a registered file: fetching it again is the fix


@pytest.mark.parametrize(
    "sequences, num_items, message",
    [
        ([[1, 1.5, 2]], 3, r"item id 1.5 \(float\) is not an integer"),
        ([["a", "b"]], 2, r"item id 'a' \(str\) is not an integer.*from_raw_ids"),
        ([[1, 2]], 2.0, r"num_items must be a non-negative integer, got 2.0 \(float\)"),
        ([[1, True]], 2, r"item id True \(bool\)"),
    ],
)
def test_sequence_data_refuses_ids_it_would_truncate(sequences, num_items, message):
    with pytest.raises(ValueError, match=message):
        SequenceData(user_ids=list(range(len(sequences))), sequences=sequences, num_items=num_items)


def test_sequence_data_accepts_numpy_sequences_and_counts():
    import numpy as np

    seq = SequenceData(
        user_ids=np.array([7, 8]),
        sequences=[np.array([1, 2, 3]), np.array([2, 3], dtype=np.int32)],
        num_items=np.int64(3),
    )
    assert seq.sequences == [[1, 2, 3], [2, 3]] and type(seq.num_items) is int and seq.user_ids == [7, 8]
    assert all(type(i) is int for s in seq.sequences for i in s)


def test_from_raw_ids_maps_strings_to_one_based_ids():
    seq = SequenceData.from_raw_ids(["u1", "u2"], [["b", "a", "c"], ["c", "b"]])
    assert seq.sequences == [[2, 1, 3], [3, 2]] and seq.num_items == 3
    assert seq.item_raw_ids == {1: "a", 2: "b", 3: "c"}
