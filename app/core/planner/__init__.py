"""Review plans: the plan model and floor times (model.py), the file tree of a change (tree.py),
the packer (packer.py) and the builder joining them (builder.py)."""
