# expect: 6: bad class name '9lives': use 1 to 64 of A-Z a-z 0-9 _, not starting with a digit
run
    name = demo
group = web
    actor = front
        class = 9lives
