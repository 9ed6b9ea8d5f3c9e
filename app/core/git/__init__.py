"""Git access (repo.py is the only pygit2 importer), the diff and commit models, pending-change
discovery and file history."""
