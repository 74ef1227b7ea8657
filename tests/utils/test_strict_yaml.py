import pytest
import yaml

from graphcl.utils.strict_yaml import load_unique


def test_duplicate_keys_are_refused_at_any_depth():
    with pytest.raises(yaml.YAMLError, match=r"duplicate key 'lr' \(lines 2 and 3\)"):
        load_unique("params:\n  lr: 0.1\n  lr: 0.2\n")


def test_merge_keys_and_distinct_keys_still_load():
    text = "base: &b {lr: 0.1, tau: 0.5}\nrun:\n  <<: *b\n  lr: 0.2\n"
    assert load_unique(text)["run"] == {"lr": 0.2, "tau": 0.5}
