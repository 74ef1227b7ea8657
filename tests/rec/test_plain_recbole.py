"""Our models inside plain RecBole: its Config, ml-100k dataset, dataloaders and Trainer."""

from pathlib import Path

import pytest
import torch

from rec import recbole as rc

SMALL = {
    "hidden_size": 16,
    "inner_size": 32,
    "n_layers": 1,
    "n_heads": 2,
    "hidden_dropout_prob": 0.1,
    "attn_dropout_prob": 0.1,
    "hidden_act": "gelu",
    "layer_norm_eps": 1e-12,
    "initializer_range": 0.02,
    "MAX_ITEM_LIST_LENGTH": 10,
    "train_batch_size": 512,
    "eval_batch_size": 512,
    "epochs": 1,
    "show_progress": False,
    "loss_type": "CE",
    "seed": 0,
    "save_dataset": False,
    "save_dataloaders": False,
}


@pytest.fixture(scope="module")
def ml100k(tmp_path_factory):
    config = rc.make_config(
        rc.RecBoleSASRec, "ml-100k", {**SMALL, "checkpoint_dir": str(tmp_path_factory.mktemp("ckpt"))}
    )
    dataset = rc.create_dataset(config)
    return config, dataset, rc.data_preparation(config, dataset)


def test_sasrec_with_recbole_config_dataset_and_trainer(ml100k, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config, dataset, (train_data, valid_data, test_data) = ml100k
    model = rc.RecBoleSASRec(config, dataset).to(config["device"])
    assert model.n_items == dataset.num("item_id") and model.model.num_items == dataset.num("item_id") - 1
    assert model.model.params.model.hidden_size == 16 and model.model.max_seq_length == 10  # read from RecBole's Config
    batch = next(iter(train_data)).to(config["device"])
    loss = model.calculate_loss(batch)
    assert torch.isfinite(loss)
    trainer = rc.Trainer(config, model)
    assert not (tmp_path / "log_tensorboard").exists()  # RecBole's own Trainer writes it here
    assert (Path(config["checkpoint_dir"]) / "log_tensorboard").is_dir()
    # one short pass of RecBole's own epoch loop, then its checkpoint round trip (torch >= 2.6)
    trainer._train_epoch(_first_batches(train_data, 3), 0)
    trainer._save_checkpoint(0)
    trainer.resume_checkpoint(trainer.saved_model_file)
    result = trainer.evaluate(test_data, load_best_model=False)
    assert 0.0 <= result["ndcg@10"] <= 1.0
    assert not torch.is_anomaly_enabled()


@pytest.mark.parametrize("cls", [rc.RecBoleCL4SRec, rc.RecBoleMCLRec])
def test_contrastive_models_accept_recbole_config(ml100k, cls):
    config, dataset, (train_data, _, _) = ml100k
    model = cls(config, dataset)  # RecBole's Config returns None for our keys: defaults apply
    batch = next(iter(train_data))
    assert torch.isfinite(model.calculate_loss(batch))


def _first_batches(loader, n):
    batches = []
    for batch in loader:
        batches.append(batch)
        if len(batches) == n:
            break
    return batches
