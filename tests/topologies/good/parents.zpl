#   A tree of parents, named before the groups they live in are defined:
#   a reference may point forward, only cycles are refused.
run
    name = tree
    strategy = one_for_all

group = leaf
    parent = mid/m
    actor = l
        class = sink

group = mid
    parent = root/boss
    actor = m
        class = sink

group = root
    actor = boss
        class = echo
