import pytest

from graphcl.config import ConfigError, from_dict
from rec.sracl.params import SRACLParams


def test_defaults_follow_the_paper():
    p = SRACLParams().model
    assert SRACLParams().train.epochs == 100
    assert p.max_seq_length == 20 and p.k_users == 10 and p.k_items == 10
    assert p.substitution_rate == 0.2 and p.user_cl_weight == 0.1 and p.item_cl_weight == 0.1


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"substitution_rate": 1.5}, "substitution_rate"),
        ({"k_users": 0}, "k_users"),
        ({"hidden_size": 30, "n_heads": 4}, "divisible"),
        ({"item_semantics": "file"}, "item_embedding_file"),
        ({"cl_temperature": 0.0}, "cl_temperature"),
        ({"user_retrieval": "prefix"}, "user_semantics='mean_items'"),
        ({"retrieval_candidates": "prefixes"}, "set user_retrieval='prefix'"),
    ],
)
def test_invalid_values_are_rejected(bad, match):
    with pytest.raises(ConfigError, match=match):
        from_dict(SRACLParams, {"model": bad})


def test_unknown_choice_is_rejected():
    with pytest.raises(ConfigError, match="not one of"):
        from_dict(SRACLParams, {"model": {"item_semantics": "llm"}})
    with pytest.raises(ConfigError, match="not one of"):
        from_dict(SRACLParams, {"model": {"user_retrieval": "session"}})


def test_old_flat_keys_name_their_new_section():
    with pytest.raises(ConfigError, match=r"^epochs moved to train\.epochs \(issue #16"):
        from_dict(SRACLParams, {"epochs": 3})
