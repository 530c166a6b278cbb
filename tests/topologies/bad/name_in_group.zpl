# expect: 5: unknown key 'name' in group 'web': the name goes on the section line, as 'group = NAME'
run
    name = demo
group = web
    name = web
    actor = front
        class = echo
