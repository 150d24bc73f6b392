"""Person matching: normalise, block, compare, score, explain. Knows nothing of licences or children."""
