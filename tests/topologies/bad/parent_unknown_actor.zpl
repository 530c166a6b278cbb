# expect: 8: parent 'ops/chief' of group 'web': group 'ops' has no actor 'chief'
run
    name = demo
group = ops
    actor = boss
        class = sink
group = web
    parent = ops/chief
    actor = front
        class = echo
