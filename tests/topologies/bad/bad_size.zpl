# expect: 4: bad size '1T' for 'max_msg_size': expected a whole number of bytes, with unit k, M or G
run
    name = demo
    max_msg_size = 1T
group = web
    actor = front
        class = echo
