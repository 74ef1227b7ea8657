"""MCLRec: CL4SRec plus two learnable model augmenters trained by meta-optimisation."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from graphcl.core import NTXent
from rec.batching import SeqBatch
from rec.cl4srec import CL4SRec
from rec.params import MCLRecParams
from rec.trainer import adam


class ModelAugmenter(nn.Module):
    """Qin et al., "Meta-optimized Contrastive Learning for Sequential Recommendation" (SIGIR 2023):
    a learnable augmenter maps a sequence representation to a new view. The official code
    (``Extractor([64, 32, 16, 64], "gelu")``) is three linear layers with GELU between them and an
    L2 normalisation of the output; ``hidden=[32, 16]`` with ``dim=64`` reproduces it.

    Args:
        dim: input and output width (the encoder's hidden size).
        hidden: widths of the hidden layers.
    """

    def __init__(self, dim: int, hidden: list[int]):
        super().__init__()
        if dim < 1 or not hidden or any(h < 1 for h in hidden):
            raise ValueError(f"ModelAugmenter needs dim >= 1 and hidden widths >= 1, got dim={dim}, hidden={hidden}")
        widths = [dim, *hidden, dim]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for index, layer in enumerate(self.layers):
            x = layer(x)
            if index < len(self.layers) - 1:
                x = F.gelu(x)
        return F.normalize(x, dim=-1)


def margin_regulariser(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The official code's ``meta_contrast_rl_1`` (``use_rl``), on dot similarities of ``[a; b]``.

    Per row i of the 2B views: p_i = similarity to its other view, n_max = hardest negative;
    ``mean_i relu(p_i - min(p_i, n_max)) + mean_ij relu(max(p_i, n_max) - n_ij)``.
    """
    batch = a.shape[0]
    z = torch.cat([a, b])
    sim = z @ z.t()
    index = torch.arange(2 * batch, device=z.device)
    partner = (index + batch) % (2 * batch)
    positive = sim[index, partner].unsqueeze(1)
    # not a negative: the row itself and its other view. Masking in place of gathering the
    # [2B, 2B - 2] negatives (boolean indexing) keeps the same values; the gather and its
    # backward scatter were a fifth of an MCLRec step on one CPU thread.
    excluded = torch.zeros_like(sim, dtype=torch.bool)
    excluded[index, index] = True
    excluded[index, partner] = True
    hardest = sim.masked_fill(excluded, float("-inf")).max(dim=1, keepdim=True).values
    low, high = torch.minimum(positive, hardest), torch.maximum(positive, hardest)
    margins = (high - sim).clamp(min=0).masked_fill(excluded, 0.0)
    return (positive - low).clamp(min=0).mean() + margins.sum() / (2 * batch * (2 * batch - 2))


class MCLRec(CL4SRec):
    """Qin et al., "Meta-optimized Contrastive Learning for Sequential Recommendation" (SIGIR 2023),
    following the official code (QinHsiu/MCLRec) where it is more specific than the paper.

    With data-augmented views ``z1, z2`` (CL4SRec augmenters, shared encoder) and model-augmented
    views ``z1' = g1(z1)``, ``z2' = g2(z2)`` (:class:`ModelAugmenter`):

    ``L_cl = NTXent(z1, z2)`` (temperature ``cl_temperature``),
    ``L_meta = NTXent(z1, z2') + NTXent(z2, z1') + NTXent(z1', z2')`` (temperature 1, dot) plus
    ``regulariser_weight * (R(z1, z2') + R(z2, z1') + R(z1', z2'))`` (:func:`margin_regulariser`),
    encoder loss ``CE + cl_weight * L_cl + meta_weight * L_meta``,
    augmenter loss ``cl_weight * L_cl + L_meta`` (official step 2; only g1, g2 are updated).

    Args:
        num_items: real items (ids ``1..num_items``).
        params: :class:`rec.params.MCLRecParams` (CL4SRec's fields plus ``meta_weight``,
            ``augmenter_hidden``, ``regulariser_weight``, ``use_regulariser``, ``schedule``).
        seed: seed of the augmentation generator.

    :meth:`loss` returns the encoder loss with gradients into everything (the ``joint``
    schedule, what plain RecBole's trainer runs). Our trainer calls :meth:`training_step`, which
    runs the ``meta`` schedule: encoder step, augmenter step on the re-encoded batch, encoder step.
    """

    def __init__(self, num_items: int, params: MCLRecParams, seed: int = 0):
        super().__init__(num_items, params, seed)
        m = params.model
        assert m.augmenter_hidden is not None  # MCLRecModel.__post_init__ fills the default
        self.meta_weight = m.meta_weight
        self.regulariser_weight = m.regulariser_weight
        self.use_regulariser = m.use_regulariser
        self.schedule = m.schedule
        self.augmenter_1 = ModelAugmenter(self.hidden_size, list(m.augmenter_hidden))
        self.augmenter_2 = ModelAugmenter(self.hidden_size, list(m.augmenter_hidden))
        self.meta_loss_fn = NTXent(temperature=1.0, similarity="dot")
        # Official: Extractors use PyTorch's default init (created outside the model), keep that.
        for augmenter in (self.augmenter_1, self.augmenter_2):
            for layer in augmenter.modules():
                if isinstance(layer, nn.Linear):
                    layer.reset_parameters()

    def augmenter_parameters(self) -> list[torch.nn.Parameter]:
        return [*self.augmenter_1.parameters(), *self.augmenter_2.parameters()]

    def encoder_parameters(self) -> list[torch.nn.Parameter]:
        ids = {id(p) for p in self.augmenter_parameters()}
        return [p for p in self.parameters() if id(p) not in ids]

    def meta_contrast(self, z1: torch.Tensor, z2: torch.Tensor) -> torch.Tensor:
        z1_model, z2_model = self.augmenter_1(z1), self.augmenter_2(z2)
        pairs = ((z1, z2_model), (z2, z1_model), (z1_model, z2_model))
        loss = sum(self.meta_loss_fn(a, b) for a, b in pairs)
        if self.use_regulariser and self.regulariser_weight > 0:
            loss = loss + self.regulariser_weight * sum(margin_regulariser(a, b) for a, b in pairs)
        return loss

    def stage_loss(self, batch: SeqBatch, stage: str, views=None) -> torch.Tensor:
        """``stage="encoder"``: CE + lambda L_cl + beta L_meta; ``"augmenter"``: lambda L_cl + L_meta.
        ``views``: precomputed data-augmented views (the meta schedule reuses one draw for its
        three steps, as the official loader does)."""
        z1, z2 = self.encode_views(batch, views)
        contrastive = self.cl_weight * self.cl_loss(z1, z2) + (
            self.meta_weight if stage == "encoder" else 1.0
        ) * self.meta_contrast(z1, z2)
        if stage == "augmenter":
            return contrastive
        return self.recommendation_loss(batch) + contrastive

    def loss(self, batch: SeqBatch) -> torch.Tensor:
        return self.stage_loss(batch, "encoder")

    def configure_optimizers(self, learning_rate: float, weight_decay: float) -> dict:
        """Our trainer's hook: the optimisers :meth:`training_step` uses."""
        if self.schedule == "joint":
            return {"all": adam(self.parameters(), learning_rate, weight_decay)}
        return {
            "encoder": adam(self.encoder_parameters(), learning_rate, weight_decay),
            "augmenter": adam(self.augmenter_parameters(), learning_rate, weight_decay),
        }

    def _step(self, optimizer, loss: torch.Tensor) -> float:
        if not torch.isfinite(loss):
            raise FloatingPointError(f"MCLRec loss is {loss.item()}; lower learning_rate or the loss weights")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return float(loss.detach())

    def training_step(self, batch: SeqBatch, trainer) -> dict[str, float]:
        """One batch. ``meta``: encoder step (augmenters frozen), augmenter step on the batch
        re-encoded by the updated encoder (encoder frozen), encoder step again (official
        ``joint: 0``). ``joint``: one step on all parameters."""
        optimizers = trainer.optimizers
        # through DDP under torchrun (each of the three steps all-reduces its own gradients);
        # a stand-in trainer with only ``optimizers`` calls the loss directly
        loss = getattr(trainer, "compute_loss", _direct)
        views = self.views(batch)
        if self.schedule == "joint":
            return {"loss": self._step(optimizers["all"], loss(self.stage_loss, batch, "encoder", views))}
        augmenters = self.augmenter_parameters()
        encoder = self.encoder_parameters()
        _set_requires_grad(augmenters, False)
        first = self._step(optimizers["encoder"], loss(self.stage_loss, batch, "encoder", views))
        _set_requires_grad(augmenters, True)
        _set_requires_grad(encoder, False)  # no encoder gradients in the augmenter step
        meta = self._step(optimizers["augmenter"], loss(self.stage_loss, batch, "augmenter", views))
        _set_requires_grad(encoder, True)
        _set_requires_grad(augmenters, False)
        second = self._step(optimizers["encoder"], loss(self.stage_loss, batch, "encoder", views))
        _set_requires_grad(augmenters, True)
        return {"loss": second, "encoder_loss_1": first, "augmenter_loss": meta}


def _direct(fn, *args, **kwargs):
    return fn(*args, **kwargs)


def _set_requires_grad(params, flag: bool) -> None:
    for p in params:
        p.requires_grad_(flag)
