import torch

from rec.sracl.params import SRACLModel, SRACLParams
from rec.sracl.semantic_index import SemanticIndex
from tests.rec.sracl.fake_encoder import BagOfWordsEncoder

TEXT = {
    1: "red lipstick",
    2: "pink lipstick",
    3: "red nail polish",
    4: "camping tent",
    5: "hiking tent",
    6: "hiking boots",
    7: "FUTURE item",
    8: "FUTURE target",
}
SEQS = [[1, 2, 3, 7, 8], [2, 1, 3, 8, 7], [4, 5, 6, 7, 8], [5, 4, 6, 8, 7], [1, 3, 2, 7, 8]]


def test_build_from_text(tmp_path):
    params = SRACLParams(model=SRACLModel(k_users=2, k_items=2, max_seq_length=2))
    enc = BagOfWordsEncoder()
    idx = SemanticIndex.build(params, ["a", "b", "c", "d", "e"], SEQS, 8, TEXT, enc, cache_dir=tmp_path)
    assert idx.item_emb.shape[0] == 9 and torch.equal(idx.item_emb[0], torch.zeros(enc.dim))
    assert 0 not in idx.item_neighbours[1:].flatten().tolist()
    assert idx.item_neighbours[4, 0] == 5 and idx.item_neighbours[6, 0] == 5  # shared words: tent, hiking
    assert set(idx.item_neighbours[1].tolist()) == {2, 3}  # red / lipstick
    assert all(u not in row for u, row in enumerate(idx.user_neighbours.tolist()))
    assert idx.user_neighbours[2, 0] == 3  # the other outdoor user first
    # the last max_seq_length training items, no held-out item
    assert idx.user_seqs.tolist()[0] == [2, 3] and idx.user_seq_len.tolist() == [2] * 5
    assert not ({7, 8} & set(idx.user_seqs.flatten().tolist()))
    assert idx.item_source.startswith("text:bow-test") and idx.user_source.startswith("text:")
    # second build is served from the cache
    SemanticIndex.build(params, ["a", "b", "c", "d", "e"], SEQS, 8, TEXT, enc, cache_dir=tmp_path)
    assert enc.calls == 2


def test_build_id_free_fallback():
    params = SRACLParams(
        model=SRACLModel(k_users=2, k_items=2, item_semantics="cooc", user_semantics="mean_items", cooc_dim=3)
    )
    idx = SemanticIndex.build(params, list(range(5)), SEQS, 8, None)
    assert idx.item_source == "cooc-ppmi-svd"
    # held-out items 7, 8 have no vector and are never retrieved
    assert not ({7, 8} & set(idx.item_neighbours[1:7].flatten().tolist()))
    assert idx.user_neighbours.shape == (5, 2)
