"""Claims and verdicts: point, box and parameter claims, one decide, evidence, sweeps."""
