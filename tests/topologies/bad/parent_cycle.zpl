# expect: 5: parent cycle between groups: a -> b -> a
run
    name = demo
group = a
    parent = b/y
    actor = x
        class = sink
group = b
    parent = a/x
    actor = y
        class = sink
