# expect: 6: class 'greeter' of actor 'web/front' is not a built-in class, and group 'web' has no plugin
run
    name = demo
group = web
    actor = front
        class = greeter
