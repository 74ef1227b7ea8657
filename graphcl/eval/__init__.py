"""graphcl.eval: evaluation of frozen node embeddings (logistic regression, k-means, plots)."""

from graphcl.eval.logreg import f1_scores, logreg_evaluate
from graphcl.eval.node_embeddings import evaluate_embeddings, kmeans_nmi_ari
from graphcl.eval.plot import plot_embeddings, project_2d

__all__ = ["logreg_evaluate", "kmeans_nmi_ari", "f1_scores", "evaluate_embeddings", "plot_embeddings", "project_2d"]
