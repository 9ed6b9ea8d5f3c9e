"""What a change can break: path tiers (tiers.py), destructive operations (destructive/), and their join (assess.py)."""

# The dependency graph's format and rules (graph.py). Here, not there, so a warm `list` keys its cached
# reports on it without importing the graph.
# 6: a TypeScript import of `./x.js` is x.ts (ESM), .mts/.cts read, `export ... from` imports;
# 5: Go imports name packages (directories), through go.mod;
# 4: a docstring or comment edit is no body change;
# 3: module-level names and who imports each module; 2: star imports
GRAPH_VERSION = "6"
