import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score

from graphcl.eval.logreg import f1_scores


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=40))
def test_matches_sklearn(pairs):
    y = torch.tensor([a for a, _ in pairs])
    p = torch.tensor([b for _, b in pairs])
    macro, micro = f1_scores(p[None], y, 4)
    assert abs(float(macro[0]) - f1_score(y, p, average="macro")) < 1e-6
    assert abs(float(micro[0]) - f1_score(y, p, average="micro")) < 1e-6


def test_batched_rows_are_independent():
    y = torch.tensor([0, 1, 2, 2])
    preds = torch.tensor([[0, 1, 2, 2], [2, 2, 2, 2]])
    macro, micro = f1_scores(preds, y, 3)
    assert macro[0] == 1.0 and micro[0] == 1.0
    assert abs(float(macro[1]) - f1_score(y, preds[1], average="macro")) < 1e-6
