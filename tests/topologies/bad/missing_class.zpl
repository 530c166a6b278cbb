# expect: 5: missing required key 'class' in actor 'web/front'
run
    name = demo
group = web
    actor = front
        args = x
