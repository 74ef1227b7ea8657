import torch

from rec.sracl.embedding_cache import cached_encode, embedding_key
from tests.rec.sracl.fake_encoder import BagOfWordsEncoder


def test_cache_hit_skips_the_encoder(tmp_path):
    enc = BagOfWordsEncoder()
    texts = ["red lipstick", "blue tent", "hiking boots"]
    first = cached_encode(texts, enc, tmp_path, tag="items")
    second = cached_encode(texts, enc, tmp_path, tag="items")
    assert enc.calls == 1
    assert torch.equal(first, second)
    assert len(list(tmp_path.glob("items-*.pt"))) == 1


def test_changed_text_or_model_invalidates(tmp_path):
    enc = BagOfWordsEncoder()
    cached_encode(["red lipstick", "blue tent"], enc, tmp_path)
    changed = cached_encode(["red lipstick", "green tent"], enc, tmp_path)
    assert enc.calls == 2
    assert torch.equal(changed, enc.encode(["red lipstick", "green tent"]))
    other = BagOfWordsEncoder(name="another-model")
    cached_encode(["red lipstick", "blue tent"], other, tmp_path)
    assert other.calls == 1


def test_key_is_not_fooled_by_joining():
    assert embedding_key("m", ["ab", "c"]) != embedding_key("m", ["a", "bc"])
    assert embedding_key("m", ["a"]) != embedding_key("n", ["a"])


def test_bad_encoder_output_is_rejected(tmp_path):
    class Broken:
        name = "broken"

        def encode(self, texts):
            return torch.zeros(len(texts) + 1, 4)

    import pytest

    with pytest.raises(ValueError, match="one row per text"):
        cached_encode(["a", "b"], Broken(), tmp_path)
