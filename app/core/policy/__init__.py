"""Sign-off policy: the rules of [policy] and their evaluation against recorded reviews."""
