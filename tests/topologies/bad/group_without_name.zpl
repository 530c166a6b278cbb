# expect: 4: group needs a name: write 'group = NAME'
run
    name = demo
group
    actor = front
        class = echo
