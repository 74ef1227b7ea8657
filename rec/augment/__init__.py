"""Sequence augmenters: pure batched functions on padded ``[B, L]`` id tensors + lengths.

They never modify their inputs and draw randomness from an optional ``torch.Generator``.
"""
from rec.augment.crop import crop
from rec.augment.mask import mask
from rec.augment.registry import AUGMENTERS, get_augmenter, register_augmenter
from rec.augment.reorder import reorder
from rec.augment.views import augment_views

__all__ = ["crop", "mask", "reorder", "augment_views", "AUGMENTERS", "get_augmenter", "register_augmenter"]
