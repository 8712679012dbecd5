"""Random forests, two ways; the two sub-packages share nothing and never import each other.

- `groundup.forest.plane`: pictures of trees on the plane. Synthetic 2-D data (or two CSV
  columns), the exact regions of a tree, bagging by hand, and the pictures and GIF of
  `groundup forest pictures`.
- `groundup.forest.interpret`: a forest on a table, explained. `proc_df`-style encoding,
  permutation / drop-column / impurity importance, the tree interpreter, partial dependence,
  waterfall charts, and `groundup forest explain`'s whole run (`explain_table`).
"""
