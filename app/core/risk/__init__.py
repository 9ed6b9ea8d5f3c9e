"""The risk score of a change and its factors."""
