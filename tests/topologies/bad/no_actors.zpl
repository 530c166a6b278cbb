# expect: 4: group 'web' has no actors: add an 'actor = NAME' section
run
    name = demo
group = web
    restart = transient
group = db
    actor = store
        class = sink
