"""The objects of Section 1.5: activations (Sec. 1.2), ResNets (Def. 1.5.1), relations."""
