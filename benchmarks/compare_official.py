"""Per-epoch training time: graphcl vs. the official implementations, same machine, same data.

The official code is NOT part of this repository. Fetch it into a folder outside the checkout
(``/tmp/official/<repo>``, layout in docs/speed.md) and point ``--official-dir`` at it:

    python benchmarks/compare_official.py --official-dir /tmp/official/HeCo --model heco --dataset acm \
        --repeats 7 --out benchmarks/results/speed_heco_acm.json
    python benchmarks/compare_official.py --official-dir /tmp/official/MEOW --model meow --dataset acm
    python benchmarks/compare_official.py --official-dir /tmp/official/MEOW --model adameow --dataset acm
    python benchmarks/compare_official.py --official-dir /tmp/official/MCLRec --model mclrec --dataset beauty \
        --batches 20
    python benchmarks/compare_official.py --model sasrec --dataset beauty --batches 20

SASRec's reference is RecBole 1.2.1's own ``SASRec`` (installed, no ``--official-dir``), the
backbone the MCLRec / CL4SRec code bases train, with the body of RecBole's
``Trainer._train_epoch`` (zero_grad, ``calculate_loss``, NaN check, backward, step).

What is timed, for both sides: one training epoch as each code base's own training loop runs it
(forward, loss, the loop's early-stopping bookkeeping, backward, optimiser step). One-off
preprocessing (loading, PathSim top-k, masks, leave-one-out prefixes) is excluded on both sides.
For MCLRec and SASRec an "epoch" is ``--batches`` training batches (a full Beauty epoch is ~600 batches of
three meta-steps each), including each side's per-batch data pipeline (batch slicing and the two
augmented views).

Timing protocol: ``torch.set_num_threads(--threads)`` (and faiss' OpenMP threads) for both,
``--warmup`` untimed epochs each, then ``--repeats`` rounds that time one epoch of each, the order
alternating every round (ours-official, official-ours, ...) so that load drifts hit both. Reports
medians, min, the ratio official/ours and the 1-minute load average before and after.

Runtime compatibility shims applied to the official code (no file is edited; the work per epoch
is unchanged): ``Tensor.cuda``/``Module.cuda`` are no-ops on this CPU-only torch; faiss' GPU
index classes map to the CPU ``IndexFlatIP``; ``np.float`` (removed in NumPy 1.24) is ``float``;
the official loaders read ``../data/<dataset>/`` relative to their code folder (the folder must
hold the HeCo files, plus ``nei_a.npz``/``nei_s.npz`` for MEOW, see docs/speed.md); their
``print`` output goes to a buffer during timing (the prints still run).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime
import io
import json
import math
import os
import pickle
import platform
import random
import resource
import statistics
import sys
import tempfile
import textwrap
import time
import types
from pathlib import Path

import numpy as np
import torch

# --------------------------------------------------------------------------------------------
# shims for running the official (CUDA / NumPy 1 / faiss-gpu) code on this machine


def install_shims(threads: int) -> None:
    torch.Tensor.cuda = lambda self, *a, **k: self  # CPU-only torch: .cuda() would raise
    torch.nn.Module.cuda = lambda self, *a, **k: self
    if not hasattr(np, "float"):
        np.float = float  # removed in NumPy 1.24; the MEOW code calls astype(np.float)
    try:
        import faiss
    except ImportError:
        return
    faiss.omp_set_num_threads(threads)
    if not hasattr(faiss, "StandardGpuResources"):
        faiss.StandardGpuResources = lambda: None
        faiss.GpuIndexFlatConfig = types.SimpleNamespace
        faiss.GpuIndexFlatIP = lambda res, d, cfg: faiss.IndexFlatIP(d)


def enter_official(code_dir: Path) -> None:
    """Import the official ``module``/``utils`` packages of ``code_dir`` (their loaders read
    ``../data/<name>/``, so we also chdir there)."""
    for name in [m for m in sys.modules if m in ("module", "utils") or m.startswith(("module.", "utils."))]:
        del sys.modules[name]
    sys.path.insert(0, str(code_dir))
    os.chdir(code_dir)


def seed_all(seed: int) -> None:
    np.random.seed(seed)
    random.seed(seed)
    torch.manual_seed(seed)


# --------------------------------------------------------------------------------------------
# official hyperparameters (their utils/params.py for each dataset)

HECO = {
    "acm": dict(
        type_num=[4019, 7167, 60],
        nei_num=2,
        hidden_dim=64,
        lr=0.0008,
        l2_coef=0.0,
        tau=0.8,
        feat_drop=0.3,
        attn_drop=0.5,
        sample_rate=[7, 1],
        lam=0.5,
        seed=0,
    ),
    "dblp": dict(
        type_num=[4057, 14328, 7723, 20],
        nei_num=1,
        hidden_dim=64,
        lr=0.0008,
        l2_coef=0.0,
        tau=0.9,
        feat_drop=0.4,
        attn_drop=0.35,
        sample_rate=[6],
        lam=0.5,
        seed=53,
    ),
}
MEOW = {
    "acm": dict(
        type_num=[4019, 7167, 60],
        hidden_dim=64,
        embed_dim=64,
        lr=0.0007,
        l2_coef=0.0,
        dropout=0.2,
        tau=0.4,
        feat_mask=0.3,
        adj_mask=[0.3, 0.2],
        nei_max=[110, 700],
        num_cluster=[100, 300],
        lam_proto=1.0,
        seed=0,
    ),
}
ADAMEOW = {
    "acm": dict(
        type_num=[4019, 7167, 60],
        hidden_dim=64,
        embed_dim=64,
        lr=0.00005,
        l2_coef=1e-5,
        dropout=0.3,
        tau=1.0,
        feat_mask=0.3,
        adj_mask=0.2,
        nei_max=[690, 690],
        seed=0,
    ),
}
# recbole/properties/model/MCLRec.yaml of the official repo; lmd/beta: the paper's Beauty values
MCLREC = dict(
    n_layers=2,
    n_heads=2,
    hidden_size=64,
    inner_size=256,
    hidden_dropout_prob=0.5,
    attn_dropout_prob=0.5,
    hidden_act="gelu",
    layer_norm_eps=1e-12,
    initializer_range=0.02,
    loss_type="CE",
    mask_ratio=0.5,
    crop_ratio=0.5,
    reorder_ratio=0.8,
    lmd=0.0,
    beta=0.05,
    use_rl=1,
    joint=0,
    tau=1.0,
    sim="dot",
    train_batch_size=256,
    learning_rate=0.001,
    weight_decay=0.0,
)
# configs/rec/sasrec_<dataset>.yaml (the papers' SASRec baseline) in RecBole's key names
SASREC = dict(
    n_layers=2,
    n_heads=2,
    hidden_size=64,
    inner_size=256,
    hidden_dropout_prob=0.5,
    attn_dropout_prob=0.5,
    hidden_act="gelu",
    layer_norm_eps=1e-12,
    initializer_range=0.02,
    loss_type="CE",
    train_batch_size=256,
    learning_rate=0.001,
    weight_decay=0.0,
)


class Side:
    """One implementation: ``step()`` runs one timed epoch; ``info`` describes it."""

    def __init__(self, step, info: dict):
        self.step, self.info = step, info


# --------------------------------------------------------------------------------------------
# official builders


def official_heco(root: Path, dataset: str) -> Side:
    a = types.SimpleNamespace(**HECO[dataset])
    enter_official(root / "code")
    seed_all(a.seed)
    from module import HeCo
    from utils.load_data import load_data

    nei_index, feats, mps, pos, label, *_ = load_data(dataset, [20, 40, 60], a.type_num)
    model = HeCo(
        a.hidden_dim,
        [f.shape[1] for f in feats],
        a.feat_drop,
        a.attn_drop,
        len(mps),
        a.sample_rate,
        a.nei_num,
        a.tau,
        a.lam,
    )
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=a.l2_coef)
    ckpt = Path(tempfile.mkdtemp()) / f"HeCo_{dataset}.pkl"
    state = {"best": 1e9}

    def step():  # body of the epoch loop of code/main.py
        model.train()
        opt.zero_grad()
        loss = model(feats, pos, mps, nei_index)
        print("loss ", loss.data.cpu())
        if loss < state["best"]:
            state["best"] = loss
            torch.save(model.state_dict(), ckpt)
        loss.backward()
        opt.step()

    return Side(
        step, {"code": "liun-online/HeCo code/ (module/, utils/load_data.py)", "hyperparameters": HECO[dataset]}
    )


def _pathsim_cached(pathsim, adjs, nei_max, cache: Path):
    """The official PathSim top-k (pure-Python loops over all meta-path pairs: minutes on PSP) is
    deterministic, so its output is cached between runs; it is preprocessing, never timed."""
    if cache.is_file():
        with open(cache, "rb") as f:
            return pickle.load(f)
    with contextlib.redirect_stdout(io.StringIO()):
        top = pathsim(adjs, nei_max)
    with open(cache, "wb") as f:
        pickle.dump(top, f)
    return top


def official_meow(root: Path, dataset: str) -> Side:
    a = types.SimpleNamespace(**MEOW[dataset])
    enter_official(root / "code_meow")
    seed_all(a.seed)
    from module.meow import MEOW as Model
    from module.preprocess import mask_edges, mask_features, normalize_adj, pathsim
    from utils.load_data import load_data

    nei_index, feats, adjs, label, *_ = load_data(dataset, [20, 40, 60], a.type_num)
    feats_dim_list = [f.shape[1] for f in feats]
    sub_num = len(adjs)
    feat = feats[0]
    adjs = _pathsim_cached(pathsim, adjs, a.nei_max, root / f"pathsim_{dataset}_{'_'.join(map(str, a.nei_max))}.pkl")
    mask_feat = mask_features(feat, a.feat_mask)
    adjs_norm = [normalize_adj(adj) for adj in adjs]
    mask_adjs = mask_edges(adjs, sub_num, a.adj_mask)
    model = Model(
        feats_dim_list, sub_num, a.hidden_dim, a.embed_dim, a.tau, adjs_norm, a.lam_proto, a.dropout, nei_index, dataset
    )
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=a.l2_coef)
    state = {"best": 1e9, "wait": 0}

    def step():  # body of the epoch loop of code_meow/main.py
        print("---------------------------------------------------")
        model.train()
        opt.zero_grad()
        loss = model(feats, mask_feat, mask_adjs, adjs_norm, a.num_cluster)
        loss.backward()
        opt.step()
        print("best:", state["best"])
        if state["best"] > loss:
            state["best"], state["wait"] = loss, 0
        else:
            state["wait"] += 1

    return Side(
        step,
        {
            "code": "jianxiangyu/MEOW code_meow/ (+ module/contrast.py from code/, see docs/speed.md)",
            "hyperparameters": MEOW[dataset],
            "kmeans": "faiss CPU IndexFlatIP, niter 20, nredo 5",
        },
    )


def official_adameow(root: Path, dataset: str) -> Side:
    a = types.SimpleNamespace(**ADAMEOW[dataset])
    enter_official(root / "code_adameow")
    seed_all(a.seed)
    from module.adameow import AdaMEOW as Model
    from module.preprocess import mask_edges, mask_features, normalize_adj, pathsim
    from utils.load_data import load_data

    nei_index, feats, adjs, label, *_ = load_data(dataset, [20, 40, 60], a.type_num)
    feats_dim_list = [f.shape[1] for f in feats]
    sub_num = len(adjs)
    feat = feats[0]
    mask_feat = mask_features(feat, a.feat_mask)
    adjs = _pathsim_cached(pathsim, adjs, a.nei_max, root / f"pathsim_{dataset}_{'_'.join(map(str, a.nei_max))}.pkl")
    mask_adjs = mask_edges(adjs, sub_num, a.adj_mask)
    adjs = [normalize_adj(adj) for adj in adjs]
    model = Model(feats_dim_list, sub_num, a.hidden_dim, a.embed_dim, a.tau, adjs, a.dropout, nei_index, feat, dataset)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=a.l2_coef)
    state = {"best": 1e9, "wait": 0}

    def step():  # body of the epoch loop of code_adameow/main.py (without the every-100-epochs evaluation)
        model.train()
        opt.zero_grad()
        loss = model(feats, mask_feat, adjs, mask_adjs)
        loss.backward()
        opt.step()
        if state["best"] > loss:
            state["best"], state["wait"] = loss, 0
        else:
            state["wait"] += 1
        print("Epoch:", 0)
        print("Total loss: ", loss)

    n = feats[0].shape[0]
    return Side(
        step,
        {
            "code": "jianxiangyu/MEOW code_adameow/",
            "hyperparameters": ADAMEOW[dataset],
            "pair_tensor_gb": 3 * n * n * a.embed_dim * 4 / 2**30,
        },
    )


def _load_method(path: Path, name: str, namespace: dict):
    """Define the function ``name`` from an excerpt file holding one (indented) method."""
    code = textwrap.dedent("\n".join(line for line in path.read_text().splitlines() if not line.startswith("#")))
    exec(compile(code, str(path), "exec"), namespace)
    return namespace[name]


def check_nan(loss) -> None:
    """RecBole 1.2.1 ``Trainer._check_nan``: both official loops stop on a NaN loss."""
    if torch.isnan(loss):
        raise ValueError("Training loss is nan")


def _recbole_prefixes(dataset: str, data_root: str):
    """Leave-one-out training prefixes (max 50 items, left-aligned) as a RecBole ``Interaction``:
    the rows RecBole's sequential augmentation makes, and the same rows our trainer uses."""
    from recbole.data.interaction import Interaction

    from rec.split import LeaveOneOut
    from rec.train import load_sequence_data

    split = LeaveOneOut.from_sequences(load_sequence_data(dataset, data_root), 50)
    data = Interaction(
        {
            "user_id": split.train_user,
            "item_id_list": split.train_seq,
            "item_length": split.train_len,
            "item_id": split.train_target,
        }
    )
    return split, data


class RecBoleCounts:
    """What a RecBole ``SequentialRecommender`` asks of its dataset: ``num(field)``, counting
    the padding id (ids 1..n plus 0 -> n + 1)."""

    def __init__(self, num_items: int, num_users: int):
        self.counts = {"item_id": num_items + 1, "user_id": num_users + 1}

    def num(self, field: str) -> int:
        return self.counts[field]


def recbole_model_config(values: dict, max_len: int = 50) -> dict:
    """The keys RecBole's ``SequentialRecommender`` reads from its ``Config``, plus ``values``."""
    return {
        "USER_ID_FIELD": "user_id",
        "ITEM_ID_FIELD": "item_id",
        "LIST_SUFFIX": "_list",
        "ITEM_LIST_LENGTH_FIELD": "item_length",
        "NEG_PREFIX": "neg_",
        "MAX_ITEM_LIST_LENGTH": max_len,
        "device": torch.device("cpu"),
        **values,
    }


def official_mclrec(root: Path, dataset: str, batches: int, data_root: str, seed: int = 0) -> Side:
    from recbole.data.interaction import Interaction
    from recbole.utils import set_color
    from torch.nn.utils.clip_grad import clip_grad_norm_

    import rec.recbole  # noqa: F401  (NumPy-2 aliases + anomaly-mode fix for importing recbole)

    sys.path.insert(0, str(root))  # the official model file imports recbole.* (installed 1.2.1 resolves them)
    import importlib.util

    def load(mod_name, path):
        spec = importlib.util.spec_from_file_location(mod_name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod

    official = load("official_mclrec", root / "recbole/model/sequential_recommender/mclrec.py")
    extractors = load("official_extractors", root / "recbole/model/extractors.py")
    seed_all(seed)
    split, data = _recbole_prefixes(dataset, data_root)
    model = official.MCLRec(
        recbole_model_config({**MCLREC, "seed": seed}), RecBoleCounts(split.num_items, split.num_users)
    )

    aug_self = types.SimpleNamespace(config=MCLREC)
    aug = _load_method(
        root / "excerpts/dataloader_mclrec_aug.py",
        "mclrec_aug",
        {"math": math, "random": random, "np": np, "torch": torch, "Interaction": Interaction},
    )
    train_epoch = _load_method(
        root / "excerpts/trainer_train_epoch.py",
        "_train_epoch",
        {"tqdm": None, "set_color": set_color, "clip_grad_norm_": clip_grad_norm_, "torch": torch},
    )

    trainer = types.SimpleNamespace(model=model, joint=0, clip_grad_norm=None, device=torch.device("cpu"))
    trainer.aug_1 = extractors.Extractor([64, 32, 16, 64], "gelu", None)
    trainer.aug_2 = extractors.Extractor([64, 32, 16, 64], "gelu", None)
    lr, wd = MCLREC["learning_rate"], MCLREC["weight_decay"]
    trainer.optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=wd)
    trainer.optimizer_1 = torch.optim.Adam(
        [{"params": trainer.aug_1.parameters()}, {"params": trainer.aug_2.parameters()}], lr=lr, weight_decay=wd
    )
    trainer.optimizer_2 = torch.optim.Adam(
        [
            {"params": model.parameters()},
            {"params": trainer.aug_1.parameters()},
            {"params": trainer.aug_2.parameters()},
        ],
        lr=lr,
        weight_decay=wd,
    )

    trainer._check_nan = check_nan
    size = MCLREC["train_batch_size"]

    def loader():  # SequentialDataLoader: shuffle once per epoch, slice, mclrec_aug per training batch
        data.shuffle()
        for start in range(0, batches * size, size):
            cur = data[start : start + size]
            aug(aug_self, cur)
            yield cur

    def step():
        train_epoch(trainer, loader(), 0)

    return Side(
        step,
        {
            "code": "QinHsiu/MCLRec recbole/model/sequential_recommender/mclrec.py, "
            "recbole/model/extractors.py, Trainer._train_epoch, SequentialDataLoader.mclrec_aug",
            "hyperparameters": MCLREC,
            "batches": batches,
            "batch_size": size,
            "train_prefixes": int(split.train_seq.shape[0]),
        },
    )


def official_sasrec(dataset: str, batches: int, data_root: str, seed: int = 0) -> Side:
    from recbole.model.sequential_recommender import SASRec

    import rec.recbole  # noqa: F401  (NumPy-2 aliases + anomaly-mode fix for importing recbole)

    seed_all(seed)
    split, data = _recbole_prefixes(dataset, data_root)
    model = SASRec(recbole_model_config({**SASREC, "seed": seed}), RecBoleCounts(split.num_items, split.num_users))
    optimizer = torch.optim.Adam(model.parameters(), lr=SASREC["learning_rate"], weight_decay=SASREC["weight_decay"])
    size = SASREC["train_batch_size"]

    def step():  # RecBole 1.2.1 Trainer._train_epoch body, over shuffled slices as its dataloader makes
        model.train()
        data.shuffle()
        for start in range(0, batches * size, size):
            optimizer.zero_grad()
            loss = model.calculate_loss(data[start : start + size])
            check_nan(loss)
            loss.backward()
            optimizer.step()

    return Side(
        step,
        {
            "code": "recbole 1.2.1 recbole.model.sequential_recommender.SASRec + Trainer._train_epoch body",
            "hyperparameters": SASREC,
            "batches": batches,
            "batch_size": size,
            "train_prefixes": int(split.train_seq.shape[0]),
        },
    )


# --------------------------------------------------------------------------------------------
# ours


def ours_hetero(model_name: str, dataset: str, data_root: str, seed: int = 0) -> Side:
    from graphcl.config import load_run_config
    from graphcl.data import load_hetero
    from graphcl.hetero.train import build
    from graphcl.utils.resources import configs_dir

    run = load_run_config(configs_dir() / "hetero" / f"{model_name}_{dataset}.yaml", [f"seed={seed}"])
    params = run.params
    data = load_hetero(dataset, data_root)
    torch.manual_seed(seed)
    model, inputs = build(model_name, data, params, seed)
    opt = torch.optim.Adam(model.parameters(), lr=params.train.lr, weight_decay=params.train.weight_decay)
    state = {"best": math.inf, "wait": 0}

    def step():  # body of the epoch loop of graphcl.hetero.trainer.fit (no per-epoch evaluation)
        model.train()
        opt.zero_grad()
        loss = model.loss(inputs)
        value = float(loss.detach())
        if value < state["best"]:
            state["best"], state["wait"] = value, 0
            if params.train.restore_best:
                state["best_state"] = copy.deepcopy(model.state_dict())
        else:
            state["wait"] += 1
        loss.backward()
        opt.step()
        if getattr(params.train, "resample_augmentations", False):
            inputs.resample()

    return Side(step, {"config": f"configs/hetero/{model_name}_{dataset}.yaml"})


def ours_rec(model_name: str, dataset: str, batches: int, data_root: str, seed: int = 0) -> Side:
    from graphcl.config import load_run_config
    from graphcl.utils.resources import configs_dir
    from rec.train import build
    from rec.trainer import SeqRecTrainer

    run = load_run_config(
        configs_dir() / "rec" / f"{model_name}_{dataset}.yaml",
        [f"seed={seed}", "device=cpu", f"params.smoke.max_train_batches={batches}"]
        + ([f"data_root={data_root}"] if data_root else []),
    )
    torch.manual_seed(seed)
    model, split = build(run, torch.device("cpu"))
    trainer = SeqRecTrainer(model, split, run.params, "cpu", seed)
    trainer._hook("on_fit_start")

    def step():
        trainer.train_epoch()

    return Side(
        step,
        {
            "config": f"configs/rec/{model_name}_{dataset}.yaml",
            "batches": batches,
            "batch_size": run.params.train.train_batch_size,
        },
    )


# --------------------------------------------------------------------------------------------


def timed(side: Side) -> float:
    with contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        side.step()
        return time.perf_counter() - start


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--official-dir", type=Path, help="the official code (not needed for sasrec: RecBole's own)")
    p.add_argument("--model", required=True, choices=["heco", "meow", "adameow", "mclrec", "sasrec"])
    p.add_argument("--dataset", required=True, choices=["acm", "dblp", "aminer", "beauty", "sports"])
    p.add_argument("--repeats", type=int, default=5, help="timed epochs per side")
    p.add_argument("--warmup", type=int, default=1, help="untimed epochs per side first")
    p.add_argument("--batches", type=int, default=20, help="MCLRec/SASRec: training batches per timed 'epoch'")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data-root", default=os.environ.get("GRAPHCL_DATA", "/work/shared/data"))
    p.add_argument(
        "--mem-limit-gb",
        type=float,
        default=None,
        help="address-space limit for this process (an official model that needs more fails cleanly)",
    )
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    rec_model = args.model in ("mclrec", "sasrec")
    if args.model != "sasrec" and args.official_dir is None:
        p.error(f"--official-dir is required for {args.model} (the official code, see docs/speed.md)")
    if rec_model != (args.dataset in ("beauty", "sports")):
        p.error(f"--model {args.model} does not run on --dataset {args.dataset}")
    if args.mem_limit_gb:
        limit = int(args.mem_limit_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    torch.set_num_threads(args.threads)
    install_shims(args.threads)
    official_dir = args.official_dir.resolve() if args.official_dir else None
    cwd = os.getcwd()
    out = args.out.resolve() if args.out else None
    load_before = os.getloadavg()

    ours = (
        ours_rec(args.model, args.dataset, args.batches, args.data_root)
        if rec_model
        else ours_hetero(args.model, args.dataset, args.data_root)
    )
    official, official_error = None, None
    try:
        if args.model == "heco":
            official = official_heco(official_dir, args.dataset)
        elif args.model == "meow":
            official = official_meow(official_dir, args.dataset)
        elif args.model == "adameow":
            official = official_adameow(official_dir, args.dataset)
        elif args.model == "sasrec":
            official = official_sasrec(args.dataset, args.batches, args.data_root)
        else:
            official = official_mclrec(official_dir, args.dataset, args.batches, args.data_root)
        for _ in range(args.warmup):
            timed(official)
    except (MemoryError, RuntimeError) as err:  # e.g. AdaMEOW's N x N x D pair tensor
        official_error = f"{type(err).__name__}: {str(err).splitlines()[0][:300]}"
        official = None
    finally:
        os.chdir(cwd)
    for _ in range(args.warmup):
        timed(ours)

    times = {"ours": [], "official": []}
    for r in range(args.repeats):
        order = ["ours", "official"] if r % 2 == 0 else ["official", "ours"]
        for name in order:
            side = ours if name == "ours" else official
            if side is None:
                continue
            try:
                times[name].append(timed(side))
            except (MemoryError, RuntimeError) as err:
                official_error = f"{type(err).__name__}: {str(err).splitlines()[0][:300]}"
                official = None
    load_after = os.getloadavg()

    def summary(values):
        return {"median_s": statistics.median(values), "min_s": min(values), "all_s": values} if values else None

    result = {
        "model": args.model,
        "dataset": args.dataset,
        "unit": f"{args.batches} training batches" if rec_model else "epoch",
        "ours": summary(times["ours"]),
        "official": summary(times["official"]),
        "official_error": official_error,
        "ratio_official_over_ours": (
            statistics.median(times["official"]) / statistics.median(times["ours"])
            if times["official"] and times["ours"]
            else None
        ),
        "ours_info": ours.info,
        "official_info": official.info if official else None,
        "repeats": args.repeats,
        "warmup": args.warmup,
        "threads": args.threads,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "command": " ".join([Path(sys.argv[0]).name] + (argv if argv is not None else sys.argv[1:])),
    }
    unit = result["unit"]
    print("| model | dataset | unit | ours median s | official median s | official/ours | load 1-min before/after |")
    print("|---|---|---|---|---|---|---|")
    fmt = lambda s: f"{s['median_s']:.3f} (min {s['min_s']:.3f}, n={len(s['all_s'])})" if s else "n/a"  # noqa: E731
    ratio = result["ratio_official_over_ours"]
    official_cell = fmt(result["official"]) if result["official"] else f"failed: {official_error}"
    ratio_cell = f"{ratio:.2f}x" if ratio else "n/a"
    print(
        f"| {args.model} | {args.dataset} | {unit} | {fmt(result['ours'])} | {official_cell} | {ratio_cell} | "
        f"{load_before[0]:.1f}/{load_after[0]:.1f} |"
    )
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2, default=str))
        print(f"wrote {out}")
    return result


if __name__ == "__main__":
    main()
