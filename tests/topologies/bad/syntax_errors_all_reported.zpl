# expect: 4: indentation of 2 spaces is not a multiple of 4
# expect: 9: missing closing ' in value
run
  name = demo
    strategy = one_for_all
group = web
    actor = front
        class = echo
        args = 'unclosed
