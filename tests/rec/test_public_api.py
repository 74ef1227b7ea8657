"""The README's recommendation snippets run as written (on small data)."""

import random


def test_cl4srec_on_a_list_of_sequences():
    # --- README: CL4SRec on your own sequences ---
    import rec

    sequences = [
        [f"item{(start + k) % 40}" for k in range(random.Random(u).randint(5, 12))]
        for u, start in enumerate(range(0, 120, 3))
    ]  # one list per user, oldest first
    data = rec.sequences_from_lists(sequences)
    params = rec.CL4SRecParams(
        model=rec.CL4SRecModel(hidden_size=16, inner_size=32, max_seq_length=10),
        train=rec.RecTrain(epochs=3, train_batch_size=32),
    )
    result = rec.fit("cl4srec", data, params, seed=0)
    print(result["test_p2"]["ndcg@20"], result["test_p1"]["ndcg@20"], result["best_epoch"])
    scores = result["model"].full_sort_scores(rec.SeqBatch(result["split"].test_seq, result["split"].test_len))
    # --- end ---
    assert data.num_items == 40 and scores.shape == (len(sequences), 41)
    assert result["epochs"] == 3 and set(result["test_p2"]) == set(result["test_p1"])


def test_sasrec_on_a_dataframe():
    import pandas as pd

    # --- README: SASRec on a DataFrame of interactions ---
    import rec

    frame = pd.DataFrame(
        {
            "user_id": [u for u in range(30) for _ in range(6)],
            "item_id": [f"sku-{(u + k) % 25}" for u in range(30) for k in range(6)],
            "timestamp": [k for _ in range(30) for k in range(6)],
        }
    )
    data = rec.sequences_from_interactions(frame, user="user_id", item="item_id", time="timestamp")
    result = rec.fit(
        "sasrec",
        data,
        rec.SASRecParams(model=rec.SASRecModel(hidden_size=16, inner_size=32), train=rec.RecTrain(epochs=2)),
        seed=0,
    )
    # --- end ---
    assert data.num_users == 30 and data.item_raw_ids[1] == "sku-0"
    assert 0.0 <= result["test_p2"]["hr@20"] <= 1.0


def test_interactions_are_ordered_by_time_and_bad_columns_are_named():
    import pytest

    from graphcl.data import sequences_from_interactions

    rows = [{"u": 1, "i": "b", "t": 2}, {"u": 1, "i": "a", "t": 1}, {"u": 2, "i": "b", "t": 0}]
    data = sequences_from_interactions(rows, user="u", item="i", time="t")
    # sorted by time: (2, b, 0), (1, a, 1), (1, b, 2); ids in order of first appearance
    assert data.user_ids == [2, 1] and data.sequences == [[1], [2, 1]] and data.item_raw_ids == {1: "b", 2: "a"}
    with pytest.raises(ValueError, match=r"no column\(s\) \['user_id'\]"):
        sequences_from_interactions(rows, item="i", time="t")
