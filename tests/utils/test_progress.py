from graphcl.utils.progress import progress


def test_progress_yields_every_item_and_can_be_forced_off(monkeypatch, capsys):
    monkeypatch.setenv("GRAPHCL_PROGRESS", "0")
    bar = progress(iter(range(5)), "x", total=5)
    assert list(bar) == [0, 1, 2, 3, 4]
    bar.set_postfix(loss="1.0", refresh=False)  # callers may annotate a disabled bar
    assert capsys.readouterr().err == ""


def test_progress_can_be_forced_on(monkeypatch, capsys):
    monkeypatch.setenv("GRAPHCL_PROGRESS", "1")
    assert list(progress(range(3), "epoch 1")) == [0, 1, 2]
    assert "epoch 1" in capsys.readouterr().err
