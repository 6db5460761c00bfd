"""The domain every service shares: identifiers, labels, trusts, precedent, and the case's common parts."""
