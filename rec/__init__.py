"""rec: sequential recommendation with contrastive learning, in plain torch.

SASRec, CL4SRec, MCLRec and SRA-CL take ``(num_items, params)``, the params in sections
``model``/``train``/``eval``/``smoke`` (:mod:`rec.params`); :func:`fit` trains one on a
``SequenceData`` with the leave-one-out protocol and early stopping, and reports HR/NDCG@5/10/20
under both protocols (``test_p2``: all items ranked; ``test_p1``: the user's history masked).
RecBole users: ``rec.recbole`` has adapters for RecBole's own Config, Dataset and Trainer.
"""

from graphcl.data.interactions import sequences_from_interactions, sequences_from_lists
from graphcl.data.sequence_data import SequenceData
from rec.batching import SeqBatch
from rec.cl4srec import CL4SRec
from rec.mclrec import MCLRec
from rec.params import (
    CL4SRecModel,
    CL4SRecParams,
    MCLRecModel,
    MCLRecParams,
    RecEval,
    RecTrain,
    SASRecModel,
    SASRecParams,
    Smoke,
)
from rec.sasrec import SASRec
from rec.split import LeaveOneOut
from rec.sracl.model import SRACL
from rec.sracl.params import SRACLModel, SRACLParams, SRACLTrain
from rec.train import fit
from rec.trainer import SeqRecTrainer

__all__ = [
    "CL4SRec",
    "CL4SRecModel",
    "CL4SRecParams",
    "LeaveOneOut",
    "MCLRec",
    "MCLRecModel",
    "MCLRecParams",
    "RecEval",
    "RecTrain",
    "SASRec",
    "SASRecModel",
    "SASRecParams",
    "SRACL",
    "SRACLModel",
    "SRACLParams",
    "SRACLTrain",
    "SeqBatch",
    "SeqRecTrainer",
    "SequenceData",
    "Smoke",
    "fit",
    "sequences_from_interactions",
    "sequences_from_lists",
]
