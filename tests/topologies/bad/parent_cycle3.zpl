# expect: 8: parent cycle between groups: b -> d -> c -> b
run
    name = demo
group = a
    actor = w
        class = sink
group = b
    parent = d/z
    actor = x
        class = sink
group = c
    parent = b/x
    actor = y
        class = sink
group = d
    parent = c/y
    actor = z
        class = sink
group = e
    parent = d/z
    actor = v
        class = sink
