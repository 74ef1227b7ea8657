"""SRA-CL: semantic retrieval augmented contrastive learning (Cui et al.)."""
