# expect: 5: parent 'ops/boss' of group 'web': no group named 'ops'
run
    name = demo
group = web
    parent = ops/boss
    actor = front
        class = echo
