# expect: 5: unable to read plugin 'nowhere/libgone.so' (...
run
    name = demo
group = web
    plugin = nowhere/libgone.so
    actor = front
        class = greeter
