"""SRA-CL end to end on a tiny synthetic dataset through RecBole (seconds on a CPU)."""

from dataclasses import dataclass

import pytest
import torch

from rec.sracl.params import SRACLModel, SRACLParams, SRACLTrain
from tests.rec.sracl.fake_encoder import BagOfWordsEncoder
from tests.sections import sectioned

recbole = pytest.importorskip("rec.recbole")


@dataclass
class TinyData:
    user_ids: list
    sequences: list
    num_items: int
    item_text: dict


def tiny_data(n_users=24, n_items=30, length=9, seed=0):
    g = torch.Generator().manual_seed(seed)
    text = {i: ("red lipstick shade" if i <= 15 else "hiking tent model") + f" {i % 5}" for i in range(1, n_items + 1)}
    seqs = []
    for u in range(n_users):
        lo, hi = (1, 15) if u % 2 == 0 else (16, n_items)
        seqs.append(torch.randint(lo, hi + 1, (length,), generator=g).tolist())
    return TinyData([f"u{u}" for u in range(n_users)], seqs, n_items, text)


def write_atomic(data, folder, name):
    folder.mkdir(parents=True)
    lines = ["user_id:token\titem_id:token\ttimestamp:float"]
    for u, seq in zip(data.user_ids, data.sequences):
        lines += [f"{u}\t{i}\t{t}" for t, i in enumerate(seq)]
    (folder / f"{name}.inter").write_text("\n".join(lines) + "\n")


def seq_batch(interaction):
    """A RecBole batch as the model's ``SeqBatch`` (what ``RecBoleSRACL`` hands the model)."""
    from rec.batching import SeqBatch

    return SeqBatch(
        interaction["item_id_list"], interaction["item_length"], interaction["item_id"], interaction["user_id"]
    )


def build(tmp_path, config_extra=None, **overrides):
    """``(SRACL in RecBole's ids, RecBole train loader, RecBole dataset)`` through ``RecBoleSRACL``."""
    data = tiny_data()
    write_atomic(data, tmp_path / "data" / "tiny", "tiny")
    params = sectioned(
        SRACLParams,
        k_users=3,
        k_items=3,
        max_seq_length=8,
        hidden_dropout_prob=0.0,
        attn_dropout_prob=0.0,
        cache_dir=str(tmp_path / "cache"),
        **overrides,
    )
    extra = recbole.prepare_sracl(params, data, tmp_path / "run", encoder=BagOfWordsEncoder())
    small = {"hidden_size": 16, "inner_size": 32, "n_layers": 1, "train_batch_size": 64}
    cfg = recbole.make_config(
        recbole.RecBoleSRACL,
        "tiny",
        {
            **recbole.sracl_backbone_config(params),
            **small,
            "data_path": str(tmp_path / "data"),
            "seed": 0,
            "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
            "device": "cpu",
            "use_gpu": False,
            "show_progress": False,
            "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "mode": "full"},
            **extra,
            **(config_extra or {}),
        },
    )
    dataset = recbole.create_dataset(cfg)
    train, _, _ = recbole.data_preparation(cfg, dataset)
    torch.manual_seed(0)
    adapter = recbole.RecBoleSRACL(cfg, train.dataset)
    assert torch.isfinite(adapter.calculate_loss(next(iter(train))))  # RecBole's entry point works
    return adapter.model, train, dataset


def test_training_steps_reduce_the_loss(tmp_path):
    model, train, _ = build(tmp_path)
    batch = next(iter(train))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model.train()
    first = None
    for _ in range(15):
        torch.manual_seed(1)  # same substitution draws: compare like with like
        loss = model.loss(seq_batch(batch))
        first = first if first is not None else float(loss)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert set(model.last_losses) == {"rec", "inter", "intra"}
    assert float(loss) < 0.8 * first
    assert model.synthesis.project.weight.grad.abs().sum() > 0


def test_tables_are_in_recbole_ids_and_leak_free(tmp_path):
    model, train, dataset = build(tmp_path)
    item_tok = dataset.field2id_token["item_id"]
    user_tok = dataset.field2id_token["user_id"]
    # neighbours of an item with "lipstick" text are lipstick items (ids <= 15 in dataset ids)
    for internal in range(1, len(item_tok)):
        ext = int(item_tok[internal])
        neigh = [int(item_tok[j]) for j in model.item_neighbours[internal].tolist()]
        assert ext not in neigh
        assert all((n <= 15) == (ext <= 15) for n in neigh)
    # each user's stored sequence is its training prefix: the last two items are held out
    data = tiny_data()
    for internal in range(1, len(user_tok)):
        seq = data.sequences[data.user_ids.index(user_tok[internal])]
        n = int(model.user_seq_len[internal])
        stored = [int(item_tok[j]) for j in model.user_seqs[internal, :n].tolist()]
        assert stored == seq[:-2][-8:]
        assert internal not in model.user_neighbours[internal].tolist()


def test_weights_zero_disable_the_contrastive_terms(tmp_path):
    model, train, _ = build(tmp_path, user_cl_weight=0.0, item_cl_weight=0.0)
    model.loss(seq_batch(next(iter(train))))
    assert set(model.last_losses) == {"rec"}


def test_project_trainer_runs_sracl_on_its_own_ids(tmp_path):
    """rec.train.train builds SRACL on the data's ids (row-index users) and trains it."""
    from graphcl.config import RunConfig
    from rec.train import build, train

    data = tiny_data()
    params = SRACLParams(
        model=SRACLModel(
            hidden_size=16,
            inner_size=32,
            n_layers=1,
            max_seq_length=8,
            k_users=3,
            k_items=3,
            item_semantics="cooc",
            user_semantics="mean_items",
            cooc_dim=4,
            cache_dir=str(tmp_path / "cache"),
        ),
        train=SRACLTrain(epochs=2, train_batch_size=64),
    )
    run = RunConfig(task="rec", model="sracl", dataset="tiny", seed=0, device="cpu", params=params)
    model, split = build(run, torch.device("cpu"), data)
    assert model.semantic_sources["item"] == "cooc-ppmi-svd"
    # row-index users: user u's stored sequence is the tail of its training items
    for u in (0, 5):
        n = int(model.user_seq_len[u])
        assert model.user_seqs[u, :n].tolist() == data.sequences[u][:-2][-8:]
    (tmp_path / "run").mkdir()
    result = train(run, tmp_path / "run", sequences=data)
    assert result["epochs"] == 2 and 0.0 <= result["test"]["ndcg@20"] <= 1.0
    assert {"rec", "inter", "intra"} <= set(result["history"][0])


def test_epoch_cache_matches_online_encoding_in_eval_mode(tmp_path):
    model, train, _ = build(tmp_path, neighbour_encoding="epoch_cache")
    model.eval()
    model.refresh_user_cache()
    users = torch.arange(1, model.user_seqs.size(0))
    online = model.forward(model.user_seqs[users], model.user_seq_len[users])
    assert torch.allclose(model.user_repr_cache[users], online, atol=1e-5)
    model.train()
    batch = next(iter(train))
    loss = model.loss(seq_batch(batch))
    loss.backward()
    assert "inter" in model.last_losses and model.synthesis.attention.weight.grad.abs().sum() > 0


def inter_loss_and_grads(model, batch) -> tuple[float, dict[str, torch.Tensor]]:
    model.zero_grad()
    torch.manual_seed(1)
    loss = model.loss(seq_batch(batch))
    loss.backward()
    return float(loss.detach()), {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


def test_online_detached_is_online_without_the_neighbour_gradient(tmp_path):
    model, train, _ = build(tmp_path, item_cl_weight=0.0, synthesis_dropout=0.0)
    batch = next(iter(train))
    model.train()
    online_loss, online = inter_loss_and_grads(model, batch)
    model.neighbour_encoding = "online_detached"
    detached_loss, detached = inter_loss_and_grads(model, batch)
    # reference: the online encoding with its output cut from the graph
    model.neighbour_encoding = "online"
    encode = model.encode_many
    model.encode_many = lambda *args, **kwargs: encode(*args, **kwargs).detach()
    cut_loss, cut = inter_loss_and_grads(model, batch)
    assert detached_loss == pytest.approx(online_loss) and cut_loss == pytest.approx(online_loss)
    assert online.keys() == detached.keys() == cut.keys()
    for name in online:
        assert torch.allclose(detached[name], cut[name], atol=1e-6), name
    # the neighbours' backward reaches the encoder only online; the synthesis learns either way
    assert not torch.allclose(online["item_embedding.weight"], detached["item_embedding.weight"], atol=1e-6)
    assert detached["synthesis.attention.weight"].abs().sum() > 0


def assert_prefix_retrieval_agrees_with_user_tables(model):
    """A prefix that is a user's whole training sequence gets that user's own vector and
    precomputed neighbours; no prefix ever retrieves its own user or a user with no items."""
    users = (model.user_seq_len > 0).nonzero().flatten()
    query, neigh = model.retrieve_users(model.user_seqs[users], model.user_seq_len[users], users)
    assert torch.allclose(query, model.user_emb[users], atol=1e-5)
    # same neighbours up to ties (the fake text encoder gives many users equal vectors)
    unit = torch.nn.functional.normalize(model.user_emb, dim=1)
    sims = lambda idx: torch.einsum("bd,bkd->bk", unit[users], unit[idx]).sort(dim=1).values  # noqa: E731
    assert torch.allclose(sims(neigh), sims(model.user_neighbours[users]), atol=1e-5)
    assert not (neigh == users[:, None]).any()
    assert (model.user_seq_len[neigh] > 0).all()


def test_prefix_retrieval_in_recbole_ids(tmp_path):
    model, train, _ = build(tmp_path, user_semantics="mean_items", user_retrieval="prefix")
    assert model.user_retrieval == "prefix"
    assert_prefix_retrieval_agrees_with_user_tables(model)
    # a short prefix is matched on its own items: its neighbours may differ from its user's
    batch = next(iter(train))
    seq, lens, users = batch["item_id_list"], batch["item_length"], batch["user_id"]
    query, neigh = model.retrieve_users(seq, lens, users)
    first = (lens == 1).nonzero().flatten()[0]
    item = seq[first, 0]
    assert torch.allclose(query[first], model.item_unit[item], atol=1e-6)
    assert not (neigh == users[:, None]).any()


def losses_on_one_batch(model, batch, steps: int) -> list[float]:
    """Adam steps on one batch with the same dropout draws each step."""
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model.train()
    losses = []
    for _ in range(steps):
        torch.manual_seed(1)
        loss = model.loss(seq_batch(batch))
        losses.append(float(loss))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return losses


def test_prefix_retrieval_trains(tmp_path):
    model, train, _ = build(tmp_path, user_semantics="mean_items", user_retrieval="prefix")
    losses = losses_on_one_batch(model, next(iter(train)), 15)
    assert "inter" in model.last_losses and losses[-1] < 0.8 * losses[0]
    assert model.synthesis.project.weight.grad.abs().sum() > 0


def test_prefix_retrieval_on_the_data_ids(tmp_path):
    from graphcl.config import RunConfig
    from rec.train import build as build_run

    params = SRACLParams(
        model=SRACLModel(
            hidden_size=16,
            inner_size=32,
            n_layers=1,
            max_seq_length=8,
            k_users=3,
            k_items=3,
            item_semantics="cooc",
            user_semantics="mean_items",
            user_retrieval="prefix",
            cooc_dim=4,
            cache_dir=str(tmp_path / "cache"),
        )
    )
    run = RunConfig(task="rec", model="sracl", dataset="tiny", seed=0, device="cpu", params=params)
    model, _ = build_run(run, torch.device("cpu"), tiny_data())
    assert_prefix_retrieval_agrees_with_user_tables(model)


def test_prefix_retrieval_refuses_text_user_vectors(tmp_path):
    with pytest.raises(ValueError, match="mean_items"):
        build(tmp_path, config_extra={"user_retrieval": "prefix"})
    with pytest.raises(ValueError, match="user_retrieval must be one of"):
        build(tmp_path / "b", config_extra={"user_retrieval": "session"})


def assert_prefix_candidates_are_other_users_prefixes(model, seq, lens, users):
    """Retrieved rows are prefixes of other users, and they are the brute-force cosine top-k."""
    query, neigh = model.retrieve_users(seq, lens, users)
    seqs, cand_len, vectors, owner = model.candidates()
    assert seqs is model.prefix_seqs and not (owner[neigh] == users[:, None]).any()
    assert (cand_len[neigh] > 0).all()
    sim = torch.nn.functional.normalize(query, dim=1) @ torch.nn.functional.normalize(vectors, dim=1).T
    sim[owner[None, :] == users[:, None]] = float("-inf")
    best = sim.topk(neigh.size(1), dim=1).values
    assert torch.allclose(sim.gather(1, neigh), best, atol=1e-6)


def test_prefix_candidates_in_recbole_ids(tmp_path):
    model, train, dataset = build(
        tmp_path, user_semantics="mean_items", user_retrieval="prefix", retrieval_candidates="prefixes"
    )
    data = tiny_data()
    # every non-empty training prefix (length 9 - 2 held-out items = 7 per user), in RecBole's ids
    assert model.prefix_seqs.size(0) == len(data.sequences) * 7
    item_tok = dataset.field2id_token["item_id"]
    user_tok = dataset.field2id_token["user_id"]
    for row in (0, 6, 100):
        user = int(user_tok[model.prefix_owner[row]][1:])
        n = int(model.prefix_len[row])
        items = [int(item_tok[i]) for i in model.prefix_seqs[row, :n]]
        end = row % 7 + 1
        assert items == data.sequences[user][max(0, end - 8) : end]
    batch = next(iter(train))
    assert_prefix_candidates_are_other_users_prefixes(
        model, batch["item_id_list"], batch["item_length"], batch["user_id"]
    )
    # a candidate's vector is the mean of its own items' unit vectors
    n = int(model.prefix_len[6])
    assert torch.allclose(model.prefix_emb[6], model.item_unit[model.prefix_seqs[6, :n]].mean(0), atol=1e-6)


def test_prefix_candidates_train_online_and_from_the_epoch_cache(tmp_path):
    for encoding in ("online", "epoch_cache"):
        model, train, _ = build(
            tmp_path / encoding,
            user_semantics="mean_items",
            user_retrieval="prefix",
            retrieval_candidates="prefixes",
            neighbour_encoding=encoding,
        )
        losses = losses_on_one_batch(model, next(iter(train)), 12)
        assert "inter" in model.last_losses and losses[-1] < 0.8 * losses[0]
    # the memory bank holds one row per candidate prefix, equal to encoding it online in eval mode
    model.eval()
    model.refresh_user_cache()
    rows = torch.arange(0, model.prefix_seqs.size(0), 17)
    online = model.forward(model.prefix_seqs[rows], model.prefix_len[rows])
    assert model.user_repr_cache.size(0) == model.prefix_seqs.size(0)
    assert torch.allclose(model.user_repr_cache[rows], online, atol=1e-5)


def test_prefix_candidates_on_the_data_ids(tmp_path):
    from graphcl.config import RunConfig
    from rec.train import build as build_run

    params = SRACLParams(
        model=SRACLModel(
            hidden_size=16,
            inner_size=32,
            n_layers=1,
            max_seq_length=8,
            k_users=3,
            k_items=3,
            item_semantics="cooc",
            user_semantics="mean_items",
            user_retrieval="prefix",
            retrieval_candidates="prefixes",
            cooc_dim=4,
            cache_dir=str(tmp_path / "cache"),
        )
    )
    run = RunConfig(task="rec", model="sracl", dataset="tiny", seed=0, device="cpu", params=params)
    model, _ = build_run(run, torch.device("cpu"), tiny_data())
    users = torch.arange(model.user_seqs.size(0))
    assert_prefix_candidates_are_other_users_prefixes(model, model.user_seqs, model.user_seq_len, users)


def test_prefix_candidates_need_prefix_tables_and_prefix_retrieval(tmp_path):
    with pytest.raises(ValueError, match="no prefix tables"):
        build(
            tmp_path / "a",
            user_semantics="mean_items",
            user_retrieval="prefix",
            config_extra={"retrieval_candidates": "prefixes"},
        )
    with pytest.raises(ValueError, match="set user_retrieval='prefix'"):
        build(tmp_path / "b", config_extra={"retrieval_candidates": "prefixes"})
    with pytest.raises(ValueError, match="retrieval_candidates must be one of"):
        build(tmp_path / "c", config_extra={"retrieval_candidates": "sessions"})
