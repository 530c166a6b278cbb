# expect: 5: unable to load plugin 'not-a-plugin.so': ...
run
    name = demo
group = web
    plugin = not-a-plugin.so
    actor = front
        class = greeter
